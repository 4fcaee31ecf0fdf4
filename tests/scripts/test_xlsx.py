"""`utfall run --format xlsx -o FILE` (docs/cli.md): a workbook with the sheets Payments, Terms
and Inputs. Read here without a spreadsheet library, from the file's own XML (an .xlsx is a zip
of XML parts, ECMA-376): each amount is a number cell in the currency's number format with its
exact decimal as text beside it, both checked against scriptlib.scenario_a (docs/language.md §17).
"""
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
A = src / "examples/a-aldreomsorg"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def workbook(path):
    """{sheet name: [[(value, number format or None)]]}: strings as str, numbers as the <v> text."""
    z = zipfile.ZipFile(path)
    strings = [("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))) for si in
               ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)] if "xl/sharedStrings.xml" in z.namelist() else []
    styles = ET.fromstring(z.read("xl/styles.xml"))
    codes = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{{{NS['m']}}}numFmt")}
    xfs = [int(x.get("numFmtId", 0)) for x in styles.find("m:cellXfs", NS).findall("m:xf", NS)]
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    for sheet in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", NS):
        target = rels[sheet.get(f"{{{NS['r']}}}id")]
        rows = []
        for row in ET.fromstring(z.read("xl/" + target)).iter(f"{{{NS['m']}}}row"):
            cells = {}
            for c in row.findall("m:c", NS):
                col = re.match(r"[A-Z]+", c.get("r")).group(0)
                v = c.find("m:v", NS)
                text = strings[int(v.text)] if c.get("t") == "s" else (v.text if v is not None else None)
                fmt_id = xfs[int(c.get("s", 0))]
                cells[ord(col) - ord("A")] = (text if c.get("t") == "s" else (text, codes.get(fmt_id)))
            rows.append([cells.get(k) for k in range(max(cells) + 1)] if cells else [])
        out[sheet.get("name")] = rows
    return out


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    f = tmp / "a.xlsx"
    r = subprocess.run([utfall, "run", A / "contract.utfall", "--data", A / "messy.csv", "--set", "takbelopp=8_000_000 SEK", "--format", "xlsx",
                        "-o", f], capture_output=True, text=True)
    T.check("run --format xlsx -o FILE: exit 0, nothing on stdout", r.returncode == 0 and r.stdout == "", r.stderr)
    wb = workbook(f) if f.exists() else {}
    T.check("sheets Payments, Terms, Inputs", list(wb) == ["Payments", "Terms", "Inputs"], list(wb))
    rows = [r.split(",") for r in (A / "messy.csv").read_text().split("\n")[1:] if r]
    expected = scenario_a([Fraction(x[1]) for x in rows], [Fraction(x[2]) for x in rows], 200_000_000, Fraction(3, 10), 8_000_000)
    pay = wb.get("Payments", [[]])
    T.check("Payments: header", pay[0][:6] == ["period", "from", "to", "amount", "currency", "amount (exact)"], pay[0])
    got_exact = {row[0]: Fraction(row[5]) for row in pay[1:] if row[1] == "kommun" and row[2] == "utfallsfonden"}
    T.check("Payments: the exact amounts are the model's (with takbelopp set to 8 000 000)",
            [got_exact.get(str(y)) for y in (2027, 2028, 2029)] == expected, (got_exact, expected))
    for row in pay[1:]:
        value, code = row[3]
        T.check(f"Payments {row[0]}: a number in the format #,##0.00 \"SEK\", equal to the exact amount to the öre",
                code == '#,##0.00 "SEK"' and round(Fraction(value), 2) == Fraction(row[5]), (value, code, row[5]))
        T.check(f"Payments {row[0]}: the clause is the text 3.2", row[6] == "3.2", row[6])
    terms = {row[0]: row for row in wb.get("Terms", [[]])[1:]}
    T.check("Terms: takbelopp as this run set it, marked", terms.get("takbelopp", [None] * 5)[2] == "8000000" and terms["takbelopp"][4] == "yes",
            terms.get("takbelopp"))
    T.check("Terms: premieandel 0.3 as a number", terms.get("premieandel", [None, (None,)])[1][0] == "0.3" and terms["premieandel"][2] == "0.3",
            terms.get("premieandel"))
    inputs = wb.get("Inputs", [[]])
    T.check("Inputs: one row per period, the exact data beside the numbers",
            [(row[0], row[3], row[4]) for row in inputs[1:]] == [(x[0], x[1], x[2]) for x in rows], inputs[1:])

    # -o is needed; a file that cannot be written is E802 (exit 74) and leaves nothing.
    r = subprocess.run([utfall, "run", A / "contract.utfall", "--data", A / "plan.csv", "--format", "xlsx"], capture_output=True, text=True)
    T.check("--format xlsx without -o: usage (64)", r.returncode == 64 and "-o FILE" in r.stderr, r.stderr)
    r = subprocess.run([utfall, "run", A / "contract.utfall", "--data", A / "plan.csv", "--format", "xlsx", "-o", tmp / "no" / "such" / "a.xlsx"],
                       capture_output=True, text=True)
    T.check("an -o in a folder that does not exist: E802, exit 74", r.returncode == 74 and "E802" in r.stderr, r.stderr)

    # sweep and simulate: the same figures as their CSV (whose statistics test_simulate.py and
    # test_sweep.py check against models), as numbers in the currency's format.
    import csv as csvmod  # noqa: E402
    import io  # noqa: E402
    for label, args, sheet_name, key_columns in [
        ("sweep", ["sweep", A / "contract.utfall", "--data", A / "messy.csv", "--vary", "premieandel=20 %..40 % step 10 %"], "Sweep", 1),
        ("simulate", ["simulate", A / "contract.utfall", "--data", A / "plan.csv", "--draw", "premieandel ~ uniform(20 %, 50 %)", "--runs", 700],
         "Flows", 4),
        ("compare", ["compare", A / "contract.utfall", "--scenario", f"plan={A / 'plan.csv'}", "--scenario", f"messy={A / 'messy.csv'}"],
         "Compare", 4)]:
        f = tmp / f"{label}.xlsx"
        r = subprocess.run([utfall, *map(str, args), "--format", "xlsx", "-o", f], capture_output=True, text=True)
        T.check(f"{label} --format xlsx: exit 0", r.returncode == 0 and f.exists(), r.stderr)
        csv_rows = list(csvmod.reader(io.StringIO(subprocess.run([utfall, *map(str, args), "--format", "csv"], capture_output=True,
                                                                  text=True).stdout)))
        sheet = workbook(f).get(sheet_name, []) if f.exists() else []
        if label == "simulate":  # the CSV's flow rows, without its `kind` column
            csv_rows = [csv_rows[0][1:]] + [row[1:] for row in csv_rows[1:] if row[0] == "flow"]
        T.check(f"{label}: the sheet's header is the CSV's", sheet and sheet[0] == csv_rows[0], (sheet[:1], csv_rows[:1]))
        same = len(sheet) == len(csv_rows)
        for got, want in zip(sheet[1:], csv_rows[1:]):
            same = same and len(got) <= len(want) and all(w == "" for w in want[len(got):])  # trailing empty cells are not stored
            for k, cell in enumerate(got):
                if k < key_columns:
                    same = same and cell == want[k]
                elif cell is None:  # no amount on this side: an empty cell, as in the CSV
                    same = same and want[k] == ""
                else:  # a number cell whose value rounds to the CSV's exact decimal
                    value, code = cell
                    places = len(want[k].split(".")[1]) if "." in want[k] else 0
                    same = same and round(Fraction(value), places) == Fraction(want[k])
        T.check(f"{label}: every cell as the CSV has it", same, (sheet[:3], csv_rows[:3]))
    r = subprocess.run([utfall, "sweep", A / "contract.utfall", "--data", A / "plan.csv", "--vary", "premieandel=20 %", "-o", tmp / "x.csv"],
                       capture_output=True, text=True)
    T.check("-o without --format xlsx: usage (64)", r.returncode == 64 and "-o FILE is for --format xlsx" in r.stderr, r.stderr)

T.finish()
