"""CSV numbers as Swedish spreadsheets write them (docs/language.md §21.3): `;`-separated, a
decimal comma, spaces, no-break and narrow no-break spaces between groups of three digits, U+2212
for minus; read by a rule that never misreads (a value that reads two ways is an error with
both readings). Expected payments come from scriptlib.scenario_a (docs/language.md §17) and
from the small contracts' clauses, by hand, never from a run.
"""
import json
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
A = src / "examples/a-aldreomsorg/contract.utfall"
NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"


def run(contract, *data):
    r = subprocess.run([utfall, "run", str(contract), *sum((["--data", str(d)] for d in data), []), "--format", "json"],
                       capture_output=True, text=True)
    return r, (json.loads(r.stdout) if r.returncode == 0 else None)


def paid(result, frm, to):
    """Per period, the amounts paid frm -> to, as Fractions."""
    out = {}
    for p in result["payments"]:
        if p["from"] == frm and p["to"] == to:
            out[p["period"]] = out.get(p["period"], Fraction(0)) + Fraction(p["amount"])
    return out


def swedish(x, sep=" "):
    """A Fraction with at most two decimals as Swedish Excel shows it: `199 876 543,21`."""
    cents = int(x * 100)
    assert cents == x * 100
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", sep)
    return ("-" if cents < 0 else "") + digits + ("," + f"{frac:02d}" if frac else "")


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    # 1. Scenario A's data sets, saved the Swedish way: the payments of the model.
    for name in ["plan", "messy", "fail"]:
        rows = (src / f"examples/a-aldreomsorg/{name}.csv").read_text().split("\n")[1:]
        rows = [r.split(",") for r in rows if r]
        cost = [Fraction(r[1]) for r in rows]
        drawn = [Fraction(r[2]) for r in rows]
        expected = scenario_a(cost, drawn, 200_000_000, Fraction(3, 10), 7_000_000)
        for label, sep, delimiter, bom, eol in [("space, ;", " ", ";", "", "\n"), ("no-break space, ;, BOM, CRLF", NBSP, ";", "\ufeff", "\r\n"),
                                                ("narrow no-break space, quoted in a , file", NNBSP, ",", "", "\n")]:
            q = '"' if delimiter == "," else ""
            text = bom + eol.join([delimiter.join(["period", "hemtjanst_kostnad", "avropat"])] +
                                  [delimiter.join([r[0], q + swedish(c, sep) + q, q + swedish(d, sep) + q]) for r, c, d in zip(rows, cost, drawn)]) + eol
            f = tmp / f"{name}-sv.csv"
            f.write_text(text, encoding="utf-8")
            r, out = run(A, f)
            got = paid(out, "kommun", "utfallsfonden") if out else {}
            T.check(f"scenario A {name} ({label}): the model's payments", out is not None and [got.get(str(y), 0) for y in (2027, 2028, 2029)] == expected,
                    r.stderr or f"{got} vs {expected}")

    # 2. A small contract: signed amounts, percentages, participants with a text field holding commas.
    c = tmp / "c.utfall"
    c.write_text('''contract "Kalkylark"
currency SEK
party a "A"
party b "B"
periods yearly 2025 .. 2027
input x : SEK per period
input andel : percent per period
input personer : participants {
  id : text
  namn : text
  belopp : SEK
}
clause "1" {
  pay p: a -> b amount x + 5000 SEK
  pay q: a -> b amount andel * 1000 SEK
  pay r: a -> b for each u in personer amount u.belopp
}
''', encoding="utf-8")
    series = tmp / "s.csv"
    series.write_text(f"period;x;andel\n2025;{MINUS}1 234,50;92,5 %\n2026;0;7,125\n2027;1{NBSP}000;100\n", encoding="utf-8")
    people = tmp / "personer.csv"
    people.write_text('id;namn;belopp\nP1;Andersson, Anna;1 500,25\nP2;12,500;2 000\n', encoding="utf-8")
    r, out = run(c, series, people)
    T.check("signed, percent and participant cells read as written", r.returncode == 0, r.stderr)
    if out:
        per = {}
        for p in out["payments"]:
            per[(p["rule"], p["period"])] = Fraction(p["amount"])
        # p: x + 5000; q: andel * 1000 (92,5 % = 0.925; 7,125 % = 0.07125 after the file showed a comma; 100 % = 1)
        T.check("x = -1234.50 (U+2212, a space group, a decimal comma)", per.get(("p", "2025")) == Fraction(376550, 100), per)
        T.check("x = 1000 (a no-break space group)", per.get(("p", "2027")) == 6000, per)
        T.check("92,5 % is 0.925", per.get(("q", "2025")) == 925, per)
        T.check("7,125 (three decimals) is 7.125 % in a file that shows a decimal comma", per.get(("q", "2026")) == Fraction(7125, 100), per)
        T.check("participants: 1 500,25 + 2 000 paid in each period", all(per.get(("r", y)) == Fraction(350025, 100) for y in ("2025", "2026", "2027")), per)
        # (The participant named "12,500" is a text field: it keeps its comma and reads one way.)

    # 3. Values that read two ways, and a file that writes both marks.
    def refused(label, text, contains, row_text):
        f = tmp / "bad.csv"
        f.write_text(text, encoding="utf-8")
        r, _ = run(A, f)
        T.check(f"{label}: E528 naming the cell, exit 3", r.returncode == 3 and "E528" in r.stderr and contains in r.stderr and row_text in r.stderr,
                r.stderr)

    head = "period;hemtjanst_kostnad;avropat\n"
    rest = "2025;200000000;7000000\n2026;190000000;7000000\n2027;170000000;7000000\n2028;150000000;7000000\n"
    refused("7,500 with no decimal mark elsewhere", head + rest + "2029;140000000;7,500\n",
            "`7,500` reads two ways: 7.500 with a decimal comma, or 7500 with a thousands comma", "row 5 (line 6), column `avropat`")
    refused("a decimal point after a decimal comma", head + "2025;200000000;7000000,5\n" + rest.split("\n", 1)[1] + "2029;140000000;7000000.25\n",
            "`7000000.25` has a decimal point, but this file writes decimals with a comma (`7000000,5` in", "row 5 (line 6)")
    refused("7.500 in a file of decimal commas", head + "2025;200000000;7000000,5\n" + rest.split("\n", 1)[1] + "2029;140000000;7.500\n",
            "`7.500` reads two ways: 7.500 with a decimal point, or 7500 with a thousands point", "row 5 (line 6)")
    refused("groups not of three", head + rest + "2029;140 00 000;7000000\n", "`140 00 000` is not a number", "row 5 (line 6), column `hemtjanst_kostnad`")
    refused("two marks", head + rest + "2029;140.000.000,5;7000000\n", "is not a number", "row 5 (line 6)")
    # 7,500 where the file shows a decimal comma elsewhere is 7.5: the payment of 2027 counts it.
    f = tmp / "ok.csv"
    f.write_text(head + "2025;200000000;7000000\n2026;190000000;7000000,5\n2027;170000000;7,500\n2028;150000000;7000000\n2029;140000000;7000000\n")
    r, out = run(A, f)
    expected = scenario_a([200_000_000, 190_000_000, 170_000_000, 150_000_000, 140_000_000], [7_000_000, Fraction(70000005, 10), Fraction(75, 10), 7_000_000, 7_000_000],
                          200_000_000, Fraction(3, 10), 7_000_000)
    got = paid(out, "kommun", "utfallsfonden") if out else {}
    T.check("7,500 after a decimal comma is 7.5", out is not None and [got.get(str(y), 0) for y in (2027, 2028, 2029)] == expected, r.stderr or got)
    # JSON keeps its own rule: a string with a decimal comma is not a number.
    j = tmp / "plan.json"
    j.write_text(json.dumps([{"period": str(y), "hemtjanst_kostnad": "200000000,5", "avropat": 7000000} for y in range(2025, 2030)]))
    r, _ = run(A, j)
    T.check("JSON: a string with a decimal comma is still E528", r.returncode == 3 and "E528" in r.stderr, r.stderr)

T.finish()
