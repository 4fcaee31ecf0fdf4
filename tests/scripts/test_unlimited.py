"""Unlimited terms (docs/language.md §9.2): a cap switched off on every path a term takes a value.

examples/g-uncapped: outcome payments 500 000, 1 000 000, 800 000 SEK (placeringar 35, 30, 32
against a baseline of 40, at 100 000 SEK a placement); a netted waterfall repays 1 000 000 SEK of
capital, then 50 % of the rest as a premium capped at `premietak` (300 000 SEK). By hand (the
contract's comments show the steps): with the cap, utforare -> fonden pays 500 000, 750 000,
50 000 = 1 300 000; without it, 2027's premium is the whole 650 000, so 400 000 in 2027 and
1 650 000 in total. `arstak`, declared unlimited, given 900 000 SEK caps 2026's payment at
900 000 (kommun -> utforare 2 200 000 in total).
"""
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from scriptlib import Tally, bounded_memory

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2])
folder = src / "examples" / "g-uncapped"
contract, plan = str(folder / "contract.utfall"), str(folder / "plan.csv")
T = Tally()


def run(*args):
    return subprocess.run([utfall, *args], capture_output=True, text=True, timeout=300, preexec_fn=bounded_memory)


def flows(p):
    """(from, to) -> the sum over periods, from `run --format csv` (period,from,to,amount,clause,rule)."""
    out = {}
    for row in [l.split(",") for l in p.stdout.strip().splitlines()[1:]]:
        if len(row) >= 6:
            out[(row[1], row[2])] = out.get((row[1], row[2]), Decimal(0)) + Decimal(row[3])
    return out


FONDEN = ("utforare", "fonden")
KOMMUN = ("kommun", "utforare")
for sets, fonden, kommun in [
        ([], 1_300_000, 2_300_000),
        (["premietak=unlimited"], 1_650_000, 2_300_000),
        (["premietak = unlimited SEK"], 1_650_000, 2_300_000),
        (["premietak=unlimited", "premietak=300_000 SEK"], 1_300_000, 2_300_000),  # the last value holds
        (["arstak=900_000 SEK"], 1_300_000, 2_200_000),
        (["arstak=900_000 SEK", "arstak=unlimited"], 1_300_000, 2_300_000)]:
    args = [a for s in sets for a in ("--set", s)]
    p = run("run", contract, "-d", plan, "-f", "csv", *args)
    got = flows(p)
    T.check(f"run with {sets}: fonden {fonden}, kommun {kommun}",
            p.returncode == 0 and got.get(FONDEN) == fonden and got.get(KOMMUN) == kommun, f"exit {p.returncode} {got} {p.stderr}")

# The same values through `sweep --vary`, one variation each.
p = run("sweep", contract, "-d", plan, "--vary", "premietak=300_000 SEK,unlimited", "-f", "json")
try:
    rows = json.loads(p.stdout)["variations"]
except (json.JSONDecodeError, KeyError):
    rows = []
fonden_totals = [Decimal(t["amount"]) for r in rows for t in r.get("totals", []) if (t["from"], t["to"]) == FONDEN]
T.check("sweep --vary premietak=300_000 SEK,unlimited: 1 300 000 with the cap, 1 650 000 without",
        p.returncode == 0 and fonden_totals == [1_300_000, 1_650_000], f"{p.returncode} {fonden_totals} {p.stderr}")

# explain: where the cap would have applied, it says there is none.
p = run("explain", contract, "-d", plan, "--period", "2027", "--payment", "utforare->fonden", "--set", "premietak=unlimited")
T.check("explain says the premium cap is off", p.returncode == 0 and "no cap (`premietak` is unlimited)" in p.stdout, p.stdout + p.stderr)
p = run("explain", contract, "-d", plan, "--period", "2026", "--payment", "kommun->utforare")
T.check("explain says the declared-unlimited yearly cap is off", p.returncode == 0 and "no cap (`arstak` is unlimited)" in p.stdout,
        p.stdout + p.stderr)

# The examples of the contract, one of which switches the cap off with `set`.
p = run("test", contract)
T.check("utfall test g-uncapped passes", p.returncode == 0, p.stdout + p.stderr)

T.finish()
