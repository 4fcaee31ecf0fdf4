"""`--format csv --csv-dialect excel-sv` (docs/cli.md): `;` between fields, a decimal comma,
a UTF-8 byte order mark and CRLF line ends, so that Swedish Excel opens the file in columns with
its amounts as numbers; a text cell a spreadsheet would take for a number (a clause `3.10`) is
written `="3.10"`. Read back here with Python's csv module as a spreadsheet would, and compared
with the plain dialect and with scriptlib.scenario_a's payments (docs/language.md §17).
"""
import csv
import io
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
A = src / "examples/a-aldreomsorg"


def out(*args):
    return subprocess.run([utfall, *map(str, args)], capture_output=True)


def sheet(raw, dialect):
    """The cells of a CSV output as a spreadsheet reads them: excel-sv with its BOM, `;` and
    decimal comma; ="TEXT" is the text TEXT."""
    text = raw.decode("utf-8")
    if dialect == "excel-sv":
        T.check("excel-sv: starts with a UTF-8 BOM", text.startswith("\ufeff"), repr(text[:10]))
        T.check("excel-sv: CRLF line ends", text.count("\r\n") == text.count("\n"), repr(text[:80]))
        text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if dialect == "excel-sv" else ","))
    unwrap = lambda c: c[2:-1] if c.startswith('="') and c.endswith('"') else c  # noqa: E731
    return [[unwrap(c) for c in r] for r in rows]


def amount(cell, dialect):
    if dialect == "excel-sv":
        T.check(f"excel-sv: `{cell}` has a decimal comma, no point", "." not in cell, cell)
        cell = cell.replace(",", ".")
    return Fraction(cell)


# 1. run: scenario A's messy data in both dialects; the model's payments.
rows = [r.split(",") for r in (A / "messy.csv").read_text().split("\n")[1:] if r]
expected = scenario_a([Fraction(r[1]) for r in rows], [Fraction(r[2]) for r in rows], 200_000_000, Fraction(3, 10), 7_000_000)
tables = {}
for dialect in ["plain", "excel-sv"]:
    r = out("run", A / "contract.utfall", "--data", A / "messy.csv", "--format", "csv", "--csv-dialect", dialect)
    T.check(f"run --csv-dialect {dialect}: exit 0", r.returncode == 0, r.stderr)
    t = sheet(r.stdout, dialect)
    tables[dialect] = t
    T.check(f"run {dialect}: header", t[0] == ["period", "from", "to", "amount", "clause", "rule"], t[0])
    paid = {row[0]: amount(row[3], dialect) for row in t[1:] if row[1] == "kommun" and row[2] == "utfallsfonden"}
    T.check(f"run {dialect}: the model's payments", [paid.get(str(y)) for y in (2027, 2028, 2029)] == expected, (paid, expected))
    T.check(f"run {dialect}: the clause is the text 3.2", all(row[4] == "3.2" for row in t[1:]), t[1:])
T.check("run: the two dialects hold the same cells", [[c.replace(",", ".") for c in r] for r in tables["excel-sv"]] == tables["plain"],
        tables)
T.check("excel-sv: the clause is written =\"3.2\" (Excel keeps it text)",
        '"=""3.2"""' in out("run", A / "contract.utfall", "--data", A / "messy.csv", "--format", "csv", "--csv-dialect", "excel-sv").stdout.decode())

# 2. A clause `3.10` stays `3.10`, a rule name with `;` is quoted.
with tempfile.TemporaryDirectory() as tmp:
    c = Path(tmp) / "c.utfall"
    c.write_text('''contract "Klausul"
currency SEK
party a "A"
party b "B"
periods yearly 2025 .. 2025
clause "3.10" "Tio" {
  pay p: a -> b amount 1234.5 SEK
}
''', encoding="utf-8")
    r = out("run", c, "--format", "csv", "--csv-dialect", "excel-sv")
    t = sheet(r.stdout, "excel-sv")
    T.check("clause 3.10 is the text 3.10, the amount 1234,50", r.returncode == 0 and t[1][4] == "3.10" and t[1][3] == "1234,50", (r.stderr, t))

# 3. sweep and simulate: the same cells as the plain dialect, with decimal commas.
for label, args in [("sweep", ["sweep", A / "contract.utfall", "--data", A / "messy.csv", "--vary", "premieandel=20 %..40 % step 10 %"]),
                    ("compare", ["compare", A / "contract.utfall", "--scenario", f"plan={A / 'plan.csv'}", "--scenario",
                                 f"messy={A / 'messy.csv'}"]),
                    ("simulate", ["simulate", A / "contract.utfall", "--data", A / "plan.csv", "--draw", "premieandel ~ uniform(20 %, 50 %)",
                                  "--runs", 500])]:
    plain = sheet(out(*args, "--format", "csv").stdout, "plain")
    r = out(*args, "--format", "csv", "--csv-dialect", "excel-sv")
    sv = sheet(r.stdout, "excel-sv")
    T.check(f"{label} excel-sv: exit 0, same cells as plain with decimal commas",
            r.returncode == 0 and len(sv) > 1 and [[c.replace(",", ".") for c in row] for row in sv] == plain, (sv[:3], plain[:3]))

# 4. The dialect belongs to --format csv.
for args in [["run", A / "contract.utfall", "--data", A / "plan.csv"], ["sweep", A / "contract.utfall", "--data", A / "plan.csv", "--vary",
             "premieandel=20 %"], ["simulate", A / "contract.utfall", "--data", A / "plan.csv", "--draw", "premieandel ~ uniform(20 %, 50 %)",
                                   "--runs", 5]]:
    r = out(*args, "--csv-dialect", "excel-sv")
    T.check(f"{args[0]}: --csv-dialect without --format csv is a usage error", r.returncode == 64 and b"--csv-dialect" in r.stderr, r.stderr)
r = out("run", A / "contract.utfall", "--data", A / "plan.csv", "--format", "csv", "--csv-dialect", "excel-de")
T.check("an unknown dialect is a usage error", r.returncode == 64, r.stderr)

T.finish()
