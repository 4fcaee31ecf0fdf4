"""Ledgers (docs/language.md §8.2, §8.5, §16.6): record inputs, links, `at most N per KEY`.

examples/j-ledger, by hand (its comments show the steps): claims.csv has 9 rows; a job pays
40 000 SEK, plus 20 000 with extra support, plus 5 000 under 25 (P1 65 000, P2 40 000, P3 45 000,
P4 60 000), at most once per person; studies pay 15 000, at most twice per person. Paid:
2025 rows 1 (arbete P1 65 000) and 2 (studier P2 15 000); 2026 rows 4 (studier P2) and 5
(arbete P3 45 000); 2027 rows 8 (arbete P4 60 000) and 9 (studier P3). Not paid: row 3 (P1's
second job, 2025), row 6 (P2's third step into studies, 2026), row 7 (P1's job of 2027).
"""
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from scriptlib import Tally, bounded_memory

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2])
folder = src / "examples" / "j-ledger"
contract = (folder / "contract.utfall").read_text(encoding="utf-8")
data = ["-d", str(folder / "deltagare.csv"), "-d", str(folder / "claims.csv")]
T = Tally()


def run(*args):
    return subprocess.run([utfall, *args], capture_output=True, text=True, timeout=300, preexec_fn=bounded_memory)


def lines(p):
    """(period, rule) -> amount from `run --format json`."""
    return {(l["period"], l["rule"]): Decimal(l["amount"]) for l in json.loads(p.stdout)["payments"]}


WANT = {("2025", "arbete"): 65000, ("2025", "studier"): 15000, ("2026", "arbete"): 45000, ("2026", "studier"): 15000,
        ("2027", "arbete"): 60000, ("2027", "studier"): 15000}
p = run("run", str(folder / "contract.utfall"), *data, "--format", "json")
T.check("the ledger runs", p.returncode == 0, p.stderr[-600:])
if p.returncode == 0:
    got = lines(p)
    T.check("each payment as computed by hand", got == {k: Decimal(v) for k, v in WANT.items()}, str(got))
    not_paid = [(x["period"], x["rule"], x["row"], x["line"], x["file"].endswith("claims.csv"), x["records"])
                for x in json.loads(p.stdout).get("not_paid", [])]
    T.check("`not_paid` lists rows 3, 6 and 7 of claims.csv",
            sorted(not_paid) == sorted([("2025", "arbete", 3, 4, True, "claims"), ("2026", "studier", 6, 7, True, "claims"),
                                        ("2027", "arbete", 7, 8, True, "claims")]), str(not_paid))

# the table of `run` lists the same rows under it, by period
p = run("run", str(folder / "contract.utfall"), *data)
below = p.stdout.split("Not paid, beyond `at most`")[-1].splitlines()[1:] if "Not paid, beyond" in p.stdout else []
T.check("the table lists rows 3, 7 and 6 of claims.csv in period order, each with its rule",
        [(l.split()[0], l.split()[6], l.split()[-5].endswith("claims.csv"), " ".join(l.split()[-4:])) for l in below if l.strip()] ==
        [("2025", "`arbete`", True, "row 3 (line 4)"), ("2026", "`studier`", True, "row 6 (line 7)"),
         ("2027", "`arbete`", True, "row 7 (line 8)")], p.stdout[-800:])

# explain shows the records not paid in the period asked for
p = run("explain", str(folder / "contract.utfall"), *data, "--period", "2026")
T.check("explain 2026 runs", p.returncode == 0, p.stderr[-600:])
T.check("explain names the row not paid in 2026", "claims.csv: row 6 (line 7)" in p.stdout and "not paid" in p.stdout,
        p.stdout[-1500:])
T.check("explain 2026 lists the records paid: row 5 (P3's job), row 4 (P2's studies)",
        "participant 5 (P3)" in p.stdout and "participant 4 (P2)" in p.stdout, p.stdout[-1500:])
T.check("explain 2026 does not name rows of other periods", "row 3 (line 4)" not in p.stdout and "row 7 (line 8)" not in p.stdout,
        p.stdout[-1500:])

# `records` and `participants` are one thing (§8.2)
with tempfile.TemporaryDirectory(prefix="utfall-ledger-") as tmp:
    same = Path(tmp) / "contract.utfall"
    same.write_text(contract.replace(": records {", ": participants {"), encoding="utf-8")
    q = run("run", str(same), *data, "--format", "json")
    T.check("`participants` for `records` gives the same payments", q.returncode == 0 and p.returncode == 0 and
            lines(q) == {k: Decimal(v) for k, v in WANT.items()}, q.stderr[-600:])

    # A record that qualifies in several periods counts in each (§16.6): with `where c.ar <= period`
    # a claim of 2025 qualifies in 2025, 2026 and 2027. At most twice per person: P1 (rows 1, 3 of
    # 2025, row 7 of 2027) is paid for rows 1 and 3 in 2025 and nothing later; P2 (rows 2 of 2025,
    # 4 and 6 of 2026) for row 2 in 2025 and row 2 again in 2026; P3 (row 5 of 2026, row 9 of
    # 2027) for row 5 in 2026 and 2027; P4 (row 8 of 2027) once in 2027. 100 SEK a record:
    # 2025: rows 1, 2, 3 = 300; 2026: row 2 (P2's second), row 5 (P3's first) = 200 (rows 1 and 3
    # are P1's third and fourth, row 4 and 6 P2's third and fourth); 2027: row 5 (P3's second),
    # row 8 (P4's first) = 200.
    many = Path(tmp) / "many.utfall"
    many.write_text('contract "M"\ncurrency SEK\nparty kommun\nparty utforare\nperiods yearly 2025 .. 2027\n'
                    'input deltagare : records { id : text, alder : number, stod : boolean }\n'
                    'input claims : records { person : text key of deltagare, utfall : text, ar : period }\n'
                    'clause "1" {\n  pay m: kommun -> utforare for each c in claims where c.ar <= period\n'
                    '    amount 100 SEK\n    at most 2 times per c.person\n}\n', encoding="utf-8")
    q = run("run", str(many), *data, "--format", "json")
    T.check("a record counts in every period it qualifies in", q.returncode == 0 and
            lines(q) == {("2025", "m"): 300, ("2026", "m"): 200, ("2027", "m"): 200}, q.stdout[-800:] + q.stderr[-600:])

    # `at most once per period`: `period` is a key like any other, one record a period (the first
    # in file order whose filter holds): rows 1 (2025), 4 (2026), 7 (2027), whose people are P1,
    # P2, P1, aged 19, 34, 19: the amount reads the linked record's field.
    once = Path(tmp) / "once.utfall"
    once.write_text(many.read_text(encoding="utf-8").replace("where c.ar <= period", "where c.ar = period")
                    .replace("amount 100 SEK", "amount 1000 SEK * c.person.alder")
                    .replace("at most 2 times per c.person", "at most once per period"), encoding="utf-8")
    q = run("run", str(once), *data, "--format", "json")
    T.check("at most once per period", q.returncode == 0 and
            lines(q) == {("2025", "m"): 19000, ("2026", "m"): 34000, ("2027", "m"): 19000}, q.stdout[-800:] + q.stderr[-600:])

T.finish()
