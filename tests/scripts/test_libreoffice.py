"""Spreadsheets through LibreOffice (headless `soffice`, Debian's libreoffice-calc-nogui, which
.ci/build installs), as an analyst's files go through Swedish Excel:

1. Scenario A's data files opened and saved as CSV by LibreOffice in the Swedish locale (`;`
   between fields, a decimal comma) give utfall the same payment schedule as the originals.
2. `--csv-dialect excel-sv` opened by LibreOffice in the Swedish locale: its amounts are numbers
   (saved to XLSX, then written as plain CSV in the C locale, they are the amounts of the plain
   dialect), and a clause `3.10` stays the text `3.10`.
3. `--format xlsx`: LibreOffice reads the workbook's Payments sheet, and each amount (a number)
   is the exact decimal written beside it, and the plain CSV's amount.

The expected values are utfall's own plain outputs, which test_csv_dialect.py and
test_scenarios.py compare with the scenarios; here what is checked is that the spreadsheet does
not change them. Skipped (exit 77) where there is no soffice.
"""
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
office = shutil.which("soffice") or shutil.which("libreoffice")
if not office:
    print("skipped: no soffice on PATH (Debian's package libreoffice-calc-nogui; .ci/build installs it)")
    sys.exit(77)
T = Tally()
work = Path(tempfile.mkdtemp(prefix="utfall-libreoffice-"))
profile = (work / "profile").as_uri()
A = src / "examples/a-aldreomsorg"

# The CSV filter's options: separator, quote, charset (76: UTF-8), first line, column formats,
# language (1033 en-US, 1053 sv-SE), quoted as text, detect special numbers, save as shown.
EN_CSV = "44,34,76,1,,1033"
SV_CSV = "59,34,76,1,,1053"


def convert(path, to, locale, infilter=None):
    """LibreOffice converts `path` to the format `to` in the locale `locale`; the new file."""
    out = work / f"out-{locale}-{to.split(':')[0]}-{path.stem}"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "LC_ALL": locale, "LANG": locale}
    args = [office, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
    if infilter:
        args.append(f"--infilter={infilter}")
    r = subprocess.run([*args, "--convert-to", to, "--outdir", str(out), str(path)], capture_output=True, text=True, env=env, timeout=300)
    made = out / f"{path.stem}.{to.split(':')[0]}"
    T.check(f"LibreOffice converts {path.name} to {to.split(':')[0]} ({locale})", made.exists(), r.stdout + r.stderr)
    return made


def run(*args):
    return subprocess.run([utfall, *map(str, args)], capture_output=True)


def rows(path, delimiter=","):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=delimiter))


# 1. Scenario A's data, saved by Swedish LibreOffice.
for name in ("plan", "messy", "fail"):
    saved = convert(A / f"{name}.csv", f"csv:Text - txt - csv (StarCalc):{SV_CSV},false,true,true", "sv_SE.UTF-8", f"CSV:{EN_CSV}")
    if not saved.exists():
        continue
    text = saved.read_text(encoding="utf-8")
    T.check(f"{name}: saved with `;` between fields", text.splitlines()[0].count(";") == 2, text[:200])
    if name == "messy":
        T.check("messy: saved with decimal commas", "199876543,21" in text, text[:200])
    for fmt in ("table", "json"):
        a, b = run("run", A / "contract.utfall", "--data", A / f"{name}.csv", "--format", fmt), run(
            "run", A / "contract.utfall", "--data", saved, "--format", fmt)
        T.check(f"{name}: the schedule ({fmt}) from LibreOffice's Swedish CSV is the original's",
                a.returncode == 0 and (b.returncode, b.stdout) == (0, a.stdout), b.stderr.decode())

# 2. excel-sv CSV into Swedish LibreOffice, with a clause numbered 3.10.
contract = work / "contract.utfall"
contract.write_text((A / "contract.utfall").read_text(encoding="utf-8").replace('clause "3.2"', 'clause "3.10"'), encoding="utf-8")
for f in ("messy.csv", "plan.csv", "fail.csv"):
    shutil.copy(A / f, work / f)
plain = run("run", contract, "--data", work / "messy.csv", "--format", "csv")
T.check("plain CSV: exit 0", plain.returncode == 0, plain.stderr.decode())
expected = list(csv.reader(io.StringIO(plain.stdout.decode(), newline="")))
T.check("plain CSV: the clause is 3.10", len(expected) > 1 and all(r[4] == "3.10" for r in expected[1:]), expected)
sv_csv = work / "excel-sv.csv"
r = run("run", contract, "--data", work / "messy.csv", "--format", "csv", "--csv-dialect", "excel-sv", "-o", sv_csv)
T.check("excel-sv CSV: exit 0", r.returncode == 0, r.stderr.decode())
book = convert(sv_csv, "xlsx", "sv_SE.UTF-8", f"CSV:{SV_CSV}")
if book.exists():
    back = convert(book, f"csv:Text - txt - csv (StarCalc):{EN_CSV},false,true,false", "C.UTF-8")
    got = rows(back) if back.exists() else []
    T.check("excel-sv through LibreOffice: the same header and rows", len(got) == len(expected) and got[:1] == expected[:1], (got, expected))
    T.check("excel-sv through LibreOffice: every amount is the plain dialect's, as a number",
            [Fraction(r[3]) for r in got[1:]] == [Fraction(r[3]) for r in expected[1:]], (got, expected))
    T.check("excel-sv through LibreOffice: the clause stays the text 3.10", all(r[4] == "3.10" for r in got[1:]), got)
    T.check("excel-sv through LibreOffice: periods, parties and rules as written",
            [r[:3] + r[5:] for r in got[1:]] == [r[:3] + r[5:] for r in expected[1:]], (got, expected))

# 3. The XLSX of `run`, read by LibreOffice (its first sheet, Payments).
workbook = work / "run.xlsx"
r = run("run", contract, "--data", work / "messy.csv", "--format", "xlsx", "-o", workbook)
T.check("xlsx: exit 0", r.returncode == 0, r.stderr.decode())
if workbook.exists():
    back = convert(workbook, f"csv:Text - txt - csv (StarCalc):{EN_CSV},false,true,false", "C.UTF-8")
    got = rows(back) if back.exists() else []
    header = got[0] if got else []
    T.check("xlsx through LibreOffice: the Payments sheet's header", header[:6] == ["period", "from", "to", "amount", "currency", "amount (exact)"],
            header)
    if len(header) >= 7:
        T.check("xlsx through LibreOffice: each amount, a number, is the exact decimal beside it",
                all(Fraction(r[3]) == Fraction(r[5]) for r in got[1:]) and len(got) == len(expected), got)
        T.check("xlsx through LibreOffice: the amounts are the plain CSV's", [Fraction(r[3]) for r in got[1:]] == [Fraction(r[3]) for r in expected[1:]],
                (got, expected))
        T.check("xlsx through LibreOffice: the clause stays the text 3.10", all(r[6] == "3.10" for r in got[1:]), got)
T.finish()
