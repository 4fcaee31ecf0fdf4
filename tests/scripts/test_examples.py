"""`utfall test`: the examples in contracts pass, and a wrong expectation fails loudly.

The number of expectations is counted from the contract files with a regular expression, and
the wrong expectation is made by editing one cent into scenario A's 2027 amount (the scenario's
table gives 26 700 000.00).
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

utfall, src = sys.argv[1], Path(sys.argv[2])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


contracts = sorted((src / "examples").glob("*/contract.utfall"))
expects = sum(len(re.findall(r"^\s*expect\b", c.read_text(encoding="utf-8"), re.M)) for c in contracts)
p = subprocess.run([utfall, "test", *map(str, contracts)], capture_output=True, text=True, timeout=120)
last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
check(p.returncode == 0, f"examples: exit {p.returncode}\n{p.stdout}{p.stderr}")
check(last == f"{expects} passed, 0 failed", f"examples: last line {last!r}, expected {expects} passed")
check(p.stdout.count("\npass ") + p.stdout.startswith("pass ") == expects, "one pass line per expectation")

with tempfile.TemporaryDirectory() as tmp:
    a = src / "examples" / "a-aldreomsorg"
    for f in a.iterdir():
        shutil.copy(f, tmp)
    contract = Path(tmp) / "contract.utfall"
    text = contract.read_text(encoding="utf-8")
    wrong = text.replace("in 2027 = 26_700_000.00 SEK", "in 2027 = 26_700_000.01 SEK", 1)
    check(wrong != text, "the scenario A contract has the 2027 plan expectation")
    contract.write_text(wrong, encoding="utf-8")
    n = len(re.findall(r"^\s*expect\b", wrong, re.M))
    p = subprocess.run([utfall, "test", str(contract)], capture_output=True, text=True, timeout=60)
    check(p.returncode == 1, f"a failing expectation exits 1, got {p.returncode}")
    fail = [l for l in p.stdout.splitlines() if l.startswith("FAIL")]
    check(len(fail) == 1, f"one FAIL line: {fail}")
    check(fail and "kommun -> utfallsfonden in 2027: expected 26700000.01 SEK, got 26700000.00 SEK" in fail[0], fail)
    check(fail and "(difference -0.01; clause 3.2 Återbetalning)" in fail[0], fail)
    check(p.stdout.strip().splitlines()[-1] == f"{n - 1} passed, 1 failed", p.stdout)
    # A contract that does not compile counts as a failure and exits non-zero.
    contract.write_text(text.replace("clause \"3.1\"", "clause 3.1", 1), encoding="utf-8")
    p = subprocess.run([utfall, "test", str(contract)], capture_output=True, text=True, timeout=60)
    check(p.returncode != 0 and "error[" in p.stderr, f"broken contract: exit {p.returncode} {p.stderr}")

# Expectations of a definition, a waterfall and a net position (§20) fail loudly too: the values
# written here are off by one from what examples/h-expect computes by hand (its comments).
with tempfile.TemporaryDirectory() as tmp:
    for f in (src / "examples" / "h-expect").iterdir():
        shutil.copy(f, tmp)
    contract = Path(tmp) / "contract.utfall"
    text = contract.read_text(encoding="utf-8")
    edits = [("expect stor in 2025 = false", "expect stor in 2025 = true",
              'stor in 2025: expected true, got false (clause 1 Ersättning)'),
             ("expect per_barn in 2027 = 1_000 SEK per child", "expect per_barn in 2027 = 999 SEK per child",
              "per_barn in 2027: expected 999 SEK per child, got 1000 SEK per child (difference 1; clause 1 Ersättning)"),
             ('expect lage in 2027 = "klar"', 'expect lage in 2027 = "plan"', 'lage in 2027: expected "plan", got "klar"'),
             ("expect fordelning in 2026 = 8_500 SEK", "expect fordelning in 2026 = 8_499 SEK",
              "fordelning in 2026: expected 8499.00 SEK, got 8500.00 SEK (difference 1; clause 2 Fördelning)"),
             ("expect net fonden in total = 7_500 SEK", "expect net fonden in total = 7_501 SEK",
              "net fonden in total: expected 7501.00 SEK, got 7500.00 SEK (difference -1; clause 1 Ersättning, 2 Fördelning)")]
    wrong = text
    for old, new, _ in edits:
        check(old in wrong, f"h-expect has `{old}`")
        wrong = wrong.replace(old, new, 1)
    contract.write_text(wrong, encoding="utf-8")
    p = subprocess.run([utfall, "test", str(contract)], capture_output=True, text=True, timeout=60)
    check(p.returncode == 1, f"failing expectations exit 1, got {p.returncode}")
    fail = [l for l in p.stdout.splitlines() if l.startswith("FAIL")]
    check(len(fail) == len(edits), f"{len(edits)} FAIL lines: {fail}")
    for _, _, line in edits:
        check(any(line in l for l in fail), f"a FAIL line with {line!r}: {fail}")

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
