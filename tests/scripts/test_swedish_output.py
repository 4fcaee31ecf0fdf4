#!/usr/bin/env python3
"""`--lang sv` and `--locale sv` on check, run, explain, test and eval (interpreter/messages.hpp).

Usage: test_swedish_output.py <utfall binary> <source dir>

Every expected line is written here by hand: the Swedish as the message table should say it,
the amounts of scenario A from its published schedule (26 700 000,00 in 2027, 8 300 000,00 in
2028, 7 000 000,00 in 2029), written the Swedish way (a space between thousands, a decimal
comma). English output is unchanged without the options.
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
T = Tally()
tmp = Path(tempfile.mkdtemp(prefix="utfall-sv-output-"))
A = src / "examples" / "a-aldreomsorg"


def run(*args, cwd=None):
    p = subprocess.run([utfall, *map(str, args)], capture_output=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def lines(text):
    return [re.sub(r"\s+", " ", l).strip() for l in text.splitlines()]


def has_line(text, expected):
    return re.sub(r"\s+", " ", expected).strip() in lines(text)


# ---- run: headings, flow label and amounts -------------------------------------------------
code, out, err = run("run", A / "contract.utfall", "--data", A / "plan.csv", "--lang", "sv")
T.check("run --lang sv exits 0", code == 0, err)
T.check("run --lang sv: heading", has_line(out, "Betalningar i SEK"), out)
T.check("run --lang sv: column", has_line(out, "period kommun → utfallsfonden"), out)
T.check("run --lang sv: clause", has_line(out, "punkt 3.2"), out)
for period, amount in [("2027", "26 700 000,00"), ("2028", "8 300 000,00"), ("2029", "7 000 000,00")]:
    T.check(f"run --lang sv: {period}", has_line(out, f"{period} {amount}"), out)
T.check("run --lang sv: total", has_line(out, "summa 42 000 000,00"), out)
T.check("run --lang sv: no English heading", "Payments" not in out and "total" not in out, out)

code, out, _ = run("run", A / "contract.utfall", "--data", A / "plan.csv", "--lang", "sv", "--locale", "en")
T.check("--lang sv --locale en: Swedish words, English numbers",
        has_line(out, "Betalningar i SEK") and has_line(out, "2027 26,700,000.00") and has_line(out, "summa 42,000,000.00"), out)
code, out, _ = run("run", A / "contract.utfall", "--data", A / "plan.csv", "--locale", "sv")
T.check("--locale sv alone: English words, Swedish numbers",
        has_line(out, "Payments in SEK") and has_line(out, "2027 26 700 000,00") and has_line(out, "total 42 000 000,00"), out)
code, out, _ = run("run", A / "contract.utfall", "--data", A / "plan.csv")
T.check("without the options: English as before",
        has_line(out, "Payments in SEK") and has_line(out, "clause 3.2") and has_line(out, "total 42,000,000.00"), out)
code, out, _ = run("run", A / "contract.utfall", "--data", A / "plan.csv", "--lang", "sv", "--format", "json")
T.check("json stays as programs read it", '"amount": "26700000.00"' in out and "Betalningar" not in out, out)
code, out, err = run("run", A / "contract.utfall", "--data", A / "plan.csv", "--lang", "de")
T.check("--lang de is a usage error", code == 64, f"{code} {err}")

# ---- explain --------------------------------------------------------------------------------
code, out, err = run("explain", "contract.utfall", "--data", "plan.csv", "--period", "2027", "--lang", "sv", cwd=A)
T.check("explain --lang sv exits 0", code == 0, err)
T.check("explain: heading", has_line(out, "Förklaring av betalningarna, i SEK"), out)
T.check("explain: the rule cited with its clause",
        has_line(out, '2027 · punkt 3.2 "Återbetalning" · betalningsordning aterbetalning (contract.utfall:26)'), out)
T.check("explain: the payment", has_line(out, "kommun → utfallsfonden: 26 700 000,00 SEK"), out)
T.check("explain: the pool, summed over three years",
        has_line(out, "att fördela = to_date(frigjort) = 40 000 000,00 SEK (summan för 2025 .. 2027, rad 26)"), out)
T.check("explain: a datum of an earlier year",
        has_line(out, "avropat för 2025 = 7 000 000,00 SEK (uppgift, rad 14)"), out)
T.check("explain: max chose its argument",
        any(l.startswith("frigjort för 2026 = max(") and "(max valde `baslinje - hemtjanst_kostnad`" in l for l in lines(out)), out)
# 30 % of the 19 000 000 left after the capital: 5 700 000,00, under the cap of 7 000 000.
T.check("explain: the premium tier",
        has_line(out, "premie: utfallsfonden = premieandel of rest = 5 700 000,00 SEK "
                      "(0,3 av de 19 000 000,00 SEK som återstod, rad 28)"), out)
T.check("explain: the cap did not bind",
        has_line(out, "maximerat till `takbelopp` = 5 700 000,00 SEK "
                      "(5 700 000,00 SEK -> 5 700 000,00 SEK: begränsade inte, rad 28)"), out)
T.check("explain: a term", has_line(out, "takbelopp = 7_000_000 SEK = 7 000 000,00 SEK (villkor, rad 18)"), out)
T.check("explain: netting", has_line(out, "avräknat: utfallsfonden = 26 700 000,00 SEK "
                                          "(26 700 000,00 SEK minus 0,00 SEK betalt under tidigare perioder, rad 26)"), out)
T.check("explain: what is paid", has_line(out, "betalar utfallsfonden = 26 700 000,00 SEK (rad 26)"), out)
english = {"the sum over", "did not bind", "netted", "paid in earlier periods", "clause", "line "}
T.check("explain --lang sv: none of the English labels", not any(w in out for w in english), out)
code, out, _ = run("explain", A / "contract.utfall", "--data", A / "plan.csv", "--period", "2027", "--format", "json", "--lang", "sv")
T.check("explain json --lang sv: Swedish labels, numbers as programs read them",
        '"note": "0.3 av de 19,000,000.00 SEK som återstod"' in out and '"value": "26700000.00"' in out, out)

# ---- test -----------------------------------------------------------------------------------
expects = sum(1 for l in (A / "contract.utfall").read_text().splitlines() if l.strip().startswith("expect "))
code, out, err = run("test", "contract.utfall", "--lang", "sv", cwd=A)
T.check("test --lang sv passes", code == 0, out + err)
T.check("test --lang sv: a passed expectation",
        has_line(out, 'rätt contract.utfall "plan": kommun -> utfallsfonden i 2027 = 26700000,00 SEK'), out)
T.check("test --lang sv: the tally", has_line(out, f"{expects} rätt, 0 fel"), out)
shutil.copy(A / "plan.csv", tmp / "plan.csv")
text = (A / "contract.utfall").read_text()
text = text.replace("expect kommun -> utfallsfonden in 2027 = 26_700_000.00 SEK",
                    "expect kommun -> utfallsfonden in 2027 = 26_700_001.00 SEK")
text = text[: text.index('example "messy"')]  # one example, one data file
(tmp / "wrong.utfall").write_text(text)
code, out, err = run("test", "wrong.utfall", "--lang", "sv", cwd=tmp)
T.check("a wrong expectation fails", code == 1, out + err)
T.check("test --lang sv: the failure, its difference and clause",
        has_line(out, 'FEL wrong.utfall "plan": kommun -> utfallsfonden i 2027: väntat 26700001,00 SEK, '
                      'blev 26700000,00 SEK (skillnad -1; punkt 3.2 Återbetalning)'), out)
T.check("test --lang sv: where the expectation is", any(l.startswith("vid ") and "wrong.utfall:36" in l for l in lines(out)), out)
T.check("test --lang sv: one failed", has_line(out, "5 rätt, 1 fel"), out)
code, out, err = run("test", "wrong.utfall", cwd=tmp)
T.check("test in English: the expectation as written",
        has_line(out, 'FAIL wrong.utfall "plan": kommun -> utfallsfonden in 2027: expected 26700001.00 SEK, '
                      'got 26700000.00 SEK (difference -1; clause 3.2 Återbetalning)'), out)
(tmp / "totals.utfall").write_text(text.replace(
    "expect kommun -> utfallsfonden in 2027 = 26_700_001.00 SEK",
    "expect net kommun in total = -42_000_000.00 SEK"))
code, out, err = run("test", "totals.utfall", "--lang", "sv", cwd=tmp)
# Scenario A's kommun pays 26.7 + 8.3 + 7.0 million and receives nothing.
T.check("test --lang sv: netto ... i allt",
        has_line(out, 'rätt totals.utfall "plan": netto kommun i allt = -42000000,00 SEK'), out)

# ---- a tier's rule in the contract's own keywords --------------------------------------------
code, out, err = run("explain", "avtal.utfall", "--data", "plan.csv", "--period", "2027", "--lang", "sv", cwd=A)
T.check("explain of the Swedish twin: `av resten`",
        any(l.startswith("premie: utfallsfonden = premieandel av resten = 5 700 000,00 SEK") for l in lines(out)), out)
T.check("explain of the Swedish twin: `upp till`",
        any(l.startswith("kapital: utfallsfonden = upp till to_date(avropat) = ") for l in lines(out)), out)
code, out, err = run("explain", "avtal.utfall", "--data", "plan.csv", "--period", "2027", cwd=A)
T.check("explain of the Swedish twin in English output: still the contract's words",
        any(l.startswith("premie: utfallsfonden = premieandel av resten = 5,700,000.00 SEK") for l in lines(out)), out)

# ---- where in a data file, and kinds of value ---------------------------------------------------
(tmp / "bad.csv").write_text("period,hemtjanst_kostnad,avropat\n2025,abc,7000000\n")
code, out, err = run("run", A / "contract.utfall", "--data", tmp / "bad.csv", "--lang", "sv")
T.check("a bad cell exits 3", code == 3, err)
T.check("a bad cell's place, in Swedish", "bad.csv: rad 1 (textrad 2), kolumn `hemtjanst_kostnad`" in err, err)
code, out, err = run("run", A / "contract.utfall", "--data", tmp / "bad.csv")
T.check("a bad cell's place, in English", "bad.csv: row 1 (line 2), column `hemtjanst_kostnad`" in err, err)
(tmp / "kinds.utfall").write_text("""contract "k"
currency SEK
party a "A"
party b "B"
periods yearly 2025 .. 2025
term villkor = 1 SEK + (1 > 0)
clause "1" {
  pay a -> b amount villkor
}
""")
code, out, err = run("check", tmp / "kinds.utfall", "--lang", "sv")
T.check("a kind of value named in Swedish", code == 2 and "sanningsvärde" in err and "boolean" not in err, err)
code, out, err = run("check", tmp / "kinds.utfall")
T.check("a kind of value named in English", code == 2 and "boolean" in err, err)

# ---- check ------------------------------------------------------------------------------------
code, out, err = run("check", A / "contract.utfall", "--lang", "sv")
T.check("check --lang sv: the summary",
        out.strip().endswith("ok (5 perioder, 2 parter, 2 uppgifter, 3 villkor, 0 betalningar, 1 betalningsordningar)"), out)
bad = text.replace("let frigjort = max(baslinje - hemtjanst_kostnad, 0 SEK)", "let frigjort = max(baslinj - hemtjanst_kostnad, 0 SEK)")
(tmp / "bad.utfall").write_text(bad)
code, out, err = run("check", tmp / "bad.utfall", "--lang", "sv")
T.check("check --lang sv: an error exits 2", code == 2, err)
T.check("check --lang sv: the renderer's words", "fel[E208]" in err and "= i punkt 3.1 Frigjorda resurser" in err, err)
T.check("check --lang sv: the suggestion", "= hjälp: menade du `baslinje`?" in err, err)
code, out, err = run("check", tmp / "bad.utfall")
T.check("check in English as before", "error[E208]" in err and "= help: did you mean `baslinje`?" in err, err)

# ---- an evaluation's error -------------------------------------------------------------------
(tmp / "zero.utfall").write_text("""contract "Noll"
currency SEK
party a "A"
party b "B"
periods yearly 2025 .. 2025
input n : number per period
clause "4" "Andel" {
  pay share: a -> b
    amount 100 SEK / n
}
""")
(tmp / "zero.csv").write_text("period,n\n2025,0\n")
code, out, err = run("run", tmp / "zero.utfall", "--data", tmp / "zero.csv", "--lang", "sv")
T.check("division by zero exits 4", code == 4, err)
T.check("division by zero, in Swedish", "fel[E601]: division med noll" in err and "= i punkt 4 Andel" in err, err)

T.finish()
