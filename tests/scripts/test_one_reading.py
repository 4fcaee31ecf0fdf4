"""One reading of a value on every path (docs/language.md §9.1).

The same text is the same value in the contract, in `--set`, `sweep --vary`, the REPL's
`:set`, an example's `set`, CSV and JSON; a bare number given to a term written as a
percentage reads two ways and is refused (E319) with both readings, on every path. The
payments are 1 000 SEK times the share, so each expected amount is the share read by hand:
30 % -> 300.00, 25 % -> 250.00, 0.5 -> 500.00.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally, bounded_memory

utfall = str(Path(sys.argv[1]).resolve())
T = Tally()

CONTRACT = """contract "one reading"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2025
input andel : percent per period
input kvot : ratio per period
term premie = 30 %
term plain = 0.5
clause "1" {
  pay a: kommun -> fonden amount 1_000 SEK * andel
  pay b: kommun -> fonden amount 1_000 SEK * kvot
  pay c: kommun -> fonden amount 1_000 SEK * premie
  pay d: kommun -> fonden amount 1_000 SEK * plain
}
"""


def run(tmp, *args, stdin=None):
    return subprocess.run([utfall, *args], cwd=tmp, capture_output=True, text=True, input=stdin, timeout=300,
                          preexec_fn=bounded_memory)


def amounts(p):
    """rule -> amount from `run --format csv` (period,from,to,amount,clause,rule)."""
    rows = [l.split(",") for l in p.stdout.strip().splitlines()[1:]]
    return {r[5]: r[3] for r in rows if len(r) >= 6}


with tempfile.TemporaryDirectory() as tmp:
    d = Path(tmp)
    (d / "c.utfall").write_text(CONTRACT, encoding="utf-8")
    files = {
        "bare.csv": "period,andel,kvot\n2025,30,0.3\n",
        "sign.csv": "period,andel,kvot\n2025,30%,0.3\n",
        "spaced.csv": "period,andel,kvot\n2025,30 %,0.3\n",
        "numbers.json": '[{"period": 2025, "andel": 30, "kvot": 0.3}]',
        "strings.json": '[{"period": 2025, "andel": "30 %", "kvot": "0.3"}]',
    }
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
        p = run(tmp, "run", "c.utfall", "-d", name, "-f", "csv")
        got = amounts(p)
        T.check(f"{name}: a percent column and a ratio column read 30 % and 0.3",
                p.returncode == 0 and got.get("a") == "300.00" and got.get("b") == "300.00" and got.get("c") == "300.00"
                and got.get("d") == "500.00", f"exit {p.returncode} {got} {p.stderr}")
    (d / "wrong.csv").write_text("period,andel,kvot\n2025,30,30%\n", encoding="utf-8")
    p = run(tmp, "run", "c.utfall", "-d", "wrong.csv")
    T.check("a % in a column declared ratio is refused", p.returncode == 3 and "error[E528]" in p.stderr, p.stderr)

    for value, want, rule in [("25 %", "250.00", "c"), ("25%", "250.00", "c"), ("premie - 5 %", "250.00", "c"),
                              ("0.25", "250.00", "d"), ("25 %", "250.00", "d")]:
        term = "premie" if rule == "c" else "plain"
        p = run(tmp, "run", "c.utfall", "-d", "bare.csv", "-f", "csv", "--set", f"{term}={value}")
        got = amounts(p)
        T.check(f"--set {term}={value} pays {want}", p.returncode == 0 and got.get(rule) == want, f"{p.returncode} {got} {p.stderr}")

    for value in ["25", "0.25", "-3"]:
        p = run(tmp, "run", "c.utfall", "-d", "bare.csv", "--set", f"premie={value}")
        T.check(f"--set premie={value} is refused with both readings",
                p.returncode == 64 and "--set premie:1:1: error[E319]" in p.stderr and f"{value} %" in p.stderr
                and "reads two ways" in p.stderr and not p.stdout, f"{p.returncode} {p.stdout} {p.stderr}")
    p = run(tmp, "run", "c.utfall", "-d", "bare.csv", "--set", "premie=25")
    T.check("E319 shows both readings of 25", "25 % (that is 0.25)" in p.stderr and "(that is 2500 %)" in p.stderr, p.stderr)
    # Two minus signs make a positive number: the readings are those of 25, not -25.
    p = run(tmp, "run", "c.utfall", "-d", "bare.csv", "--set", "premie=-(-25)")
    T.check("E319 reads -(-25) as 25", p.returncode == 64 and "bare number `25` reads two ways: 25 % (that is 0.25)" in p.stderr,
            p.stderr)

    p = run(tmp, "sweep", "c.utfall", "-d", "bare.csv", "--vary", "premie=20,25", "-f", "csv")
    T.check("sweep --vary premie=20,25 is refused", p.returncode == 64 and "error[E319]" in p.stderr, p.stderr)
    p = run(tmp, "sweep", "c.utfall", "-d", "bare.csv", "--vary", "premie=20 %,25 %", "-f", "csv")
        # Totals per variation: 300 + 300 + 200 + 500 and 300 + 300 + 250 + 500.
    T.check("sweep --vary premie=20 %,25 % runs", p.returncode == 0 and "20 %,1300.00" in p.stdout and "25 %,1350.00" in p.stdout,
            p.stdout + p.stderr)

    p = run(tmp, "repl", "c.utfall", "-d", "bare.csv", stdin=":set premie = 25\n:set premie = 25 %\npremie * 1_000 SEK\n")
    T.check("REPL :set premie = 25 is refused, 25 % taken", "error[E319]" in p.stderr and "250 SEK" in p.stdout,
            p.stdout + p.stderr)

    ex = CONTRACT + 'example "x" data "bare.csv" {\n  set premie = 25\n  expect kommun -> fonden in 2025 = 1_350 SEK\n}\n'
    (d / "ex.utfall").write_text(ex, encoding="utf-8")
    p = run(tmp, "check", "ex.utfall")
    line = ex.splitlines().index("  set premie = 25") + 1
    T.check("an example's `set premie = 25` is refused", p.returncode == 2 and f"ex.utfall:{line}:16: error[E319]" in p.stderr,
            p.stderr)
    (d / "ex.utfall").write_text(ex.replace("set premie = 25\n", "set premie = 25 %\n"), encoding="utf-8")
    p = run(tmp, "test", "ex.utfall")
    T.check("an example's `set premie = 25 %` pays 300 + 300 + 250 + 500", p.returncode == 0 and "1 passed, 0 failed" in p.stdout,
            p.stdout + p.stderr)
T.finish()
