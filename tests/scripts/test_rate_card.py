#!/usr/bin/env python3
"""examples/e-rate-card: a rate card keyed by outcome code (language.md §18.1).

Usage: test_rate_card.py <utfall binary> <source dir>

The payments are the sums written out by hand in the contract's comment (each outcome's price
from the card, 500 SEK per "m03", 10 % uplift in 2026), checked here rule by rule. A data file
with a code the card lacks ("m06") must be refused with E610 naming the participant's cell, and
print no payment; a code in another letter case is refused too (equality is case-sensitive); a
key written in the contract as `ä` finds data written `a` + U+0308 (both read in NFC); the same
participants given as JSON pay the same.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2])
ex = src / "examples" / "e-rate-card"
contract = ex / "contract.utfall"
T = Tally()


def run(*args, cwd=None):
    return subprocess.run([utfall, *map(str, args)], capture_output=True, text=True, timeout=60, cwd=cwd)


def payments(p):
    return {(x["period"], x["rule"]): x["amount"] for x in json.loads(p.stdout)["payments"]}


# By hand (the contract's comment): 2025 m01 1200 + m03 2000 + m02 1500; one m03; standard card.
# 2026 m03 2000 + m05 5000 + m01 1200 + m04 3500 + m03 2000 (written " m03 "); two m03; 10 % uplift.
want = {("2025", "per_outcome"): "4700.00", ("2025", "entry_supplement"): "500.00", ("2025", "uplift"): "0.00",
        ("2026", "per_outcome"): "13700.00", ("2026", "entry_supplement"): "1000.00", ("2026", "uplift"): "1370.00"}
p = run("run", contract, "-d", ex / "outcomes.csv", "-d", ex / "card.csv", "-f", "json")
T.check("the plan runs", p.returncode == 0, p.stderr)
T.check("the plan pays the hand-computed amounts", p.returncode == 0 and payments(p) == want, p.stdout[:2000])

# A code the card lacks: E610 at the lookup, naming the participant's row and cell, no payment.
p = run("run", contract, "-d", ex / "outcomes-missing.csv", "-d", ex / "card.csv")
T.check("a missing code exits 4", p.returncode == 4, f"exit {p.returncode}")
T.check("a missing code prints no payment", p.stdout.strip() == "", p.stdout)
T.check("a missing code is E610 at the lookup", f"{contract}:31:18: error[E610]" in p.stderr, p.stderr)
cell = f"{ex / 'outcomes-missing.csv'}: row 3 (line 4), column `outcome`"
T.check("the message names the key and the participant's cell",
        'the table `rates` has no row for the key "m06"; the key is `u.outcome` of participant 3 of `outcomes` '
        f"({cell})" in p.stderr, p.stderr)
p = run("run", contract, "-d", ex / "outcomes-missing.csv", "-d", ex / "card.csv", "-f", "json")
T.check("a missing code prints no JSON payments either", p.returncode == 4 and '"payments"' not in p.stdout, p.stdout)

# explain shows each participant's key and the value looked up.
p = run("explain", contract, "-d", ex / "outcomes.csv", "-d", ex / "card.csv", "-p", "2026")
T.check("explain shows the key looked up and its value", 'rates("m05") = 5,000.00 SEK' in p.stdout, p.stdout[:3000])

with tempfile.TemporaryDirectory() as tmp:
    d = Path(tmp)
    # Case-sensitive: "M03" is not "m03".
    (d / "upper.csv").write_text("id,outcome,achieved\nP01,M03,2025\n", encoding="utf-8")
    p = run("run", contract, "-d", d / "upper.csv", "-d", ex / "card.csv")
    T.check("a code in capitals is not the card's code", p.returncode == 4 and 'no row for the key "M03"' in p.stderr, p.stderr)
    # The same participants as JSON strings pay the same.
    rows = [dict(zip(("id", "outcome", "achieved"), ln.split(","))) for ln in
            (ex / "outcomes.csv").read_text(encoding="utf-8").splitlines()[1:]]
    (d / "outcomes.json").write_text(json.dumps(rows), encoding="utf-8")
    p = run("run", contract, "-d", d / "outcomes.json", "-d", ex / "card.csv", "-f", "json")
    T.check("the participants as JSON pay the same", p.returncode == 0 and payments(p) == want, p.stdout[:2000] + p.stderr)
    # NFC: the key "ä" (one character) finds data written as a + U+0308, and the reverse.
    (d / "c.utfall").write_text(
        'contract "nfc"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2026\n'
        'input kod : text per period\ntable t {\n  "\u00e4" -> 7 SEK\n  "a\u0308b" -> 9 SEK\n}\n'
        'clause "1" {\n  pay kommun -> fonden amount t(kod)\n}\n', encoding="utf-8")
    (d / "d.csv").write_text("period,kod\n2025,a\u0308\n2026,\u00e4b\n", encoding="utf-8")
    p = run("run", "c.utfall", "-d", "d.csv", "-f", "json", cwd=tmp)
    T.check("keys and data compare in NFC", p.returncode == 0 and [x["amount"] for x in json.loads(p.stdout)["payments"]] == ["7.00", "9.00"],
            p.stdout + p.stderr)
    # A series' key: the message names the series and the period.
    (d / "e.csv").write_text("period,kod\n2025,\u00e4\n2026,x\n", encoding="utf-8")
    p = run("run", "c.utfall", "-d", "e.csv", cwd=tmp)
    T.check("a series' missing key names the series and the period",
            p.returncode == 4 and 'no row for the key "x"; the key is `kod` in 2026' in p.stderr and p.stdout.strip() == "", p.stderr)

T.finish()
