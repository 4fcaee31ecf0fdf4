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

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
