"""`utfall sweep`: every variation of scenario A's terms against an independent computation with
Python's fractions, and the same output whatever the number of threads.

Scenario A's rule is written out in scriptlib.scenario_a from docs/language.md; the premium share,
the premium cap and the baseline are varied over the "messy" data set, whose 2027 premium has
a half-even tie at one value.
"""
import itertools
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from scriptlib import scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
contract = src / "examples/a-aldreomsorg/contract.utfall"
messy = src / "examples/a-aldreomsorg/messy.csv"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


rows = [line.split(",") for line in messy.read_text().split()[1:]]
cost = [Decimal(r[1]) for r in rows]
drawn = [Decimal(r[2]) for r in rows]

VARY = ["premieandel=0 %..100 % step 2.5 %", "takbelopp=5_000_000 SEK,7_000_000 SEK,20_000_000 SEK",
        "baslinje=190_000_000 SEK..210_000_000 SEK step 5_000_000 SEK"]
args = [utfall, "sweep", str(contract), "--data", str(messy), "--format", "json"]
for v in VARY:
    args += ["--vary", v]

outputs = {}
for threads in ["1", "2", "7"]:
    r = subprocess.run(args + ["--threads", threads], capture_output=True, text=True)
    check(r.returncode == 0, f"threads {threads}: exit {r.returncode}: {r.stderr}")
    outputs[threads] = r.stdout
check(outputs["1"] == outputs["2"] == outputs["7"], "the output depends on the number of threads")

document = json.loads(outputs["1"])
check(document.get("version") == 1 and document.get("contract") == "Starkare, friskare och självständigare äldre", "the document names its version and contract")
results = document["variations"]
andels = [Decimal(k) * Decimal("0.025") for k in range(41)]
taks = [Decimal(5_000_000), Decimal(7_000_000), Decimal(20_000_000)]
baslinjes = [Decimal(190_000_000 + 5_000_000 * k) for k in range(5)]
combos = list(itertools.product(andels, taks, baslinjes))
check(len(results) == len(combos), f"{len(results)} variations, expected {len(combos)}")
for result, (andel, tak, baslinje) in zip(results, combos):
    label = f"{result['terms']}"
    check(Decimal(result["terms"]["premieandel"].rstrip(" %")) / 100 == andel, f"{label}: order of variations")
    expected = scenario_a(cost, drawn, baslinje, andel, tak)
    got = [Decimal(p["amount"]) for p in result["payments"]]
    check([p["period"] for p in result["payments"]] == ["2027", "2028", "2029"], f"{label}: periods")
    check(got == expected, f"{label}: payments {got}, expected {expected}")
    check(Decimal(result["totals"][0]["amount"]) == sum(expected), f"{label}: total")

# A term given `unlimited` in one variation and a number in the next (each variation's values
# replace the last's, over the options of --set): every row against the model, on one thread
# and three (16 004 rows: blocks of 2 048 on several threads).
TAKS = ["unlimited", "5_000_000 SEK", "unlimited", "300_000 SEK"]
BASES = [190_000_000 + 2_500 * k for k in range(4001)]
for threads in ["1", "3"]:
    r = subprocess.run([utfall, "sweep", str(contract), "--data", str(messy), "--set", "premieandel=40 %", "--set", "takbelopp=1 SEK",
                        "--vary", "takbelopp=" + ",".join(TAKS), "--vary", "baslinje=190_000_000 SEK..200_000_000 SEK step 2_500 SEK",
                        "-f", "csv", "--threads", threads], capture_output=True, text=True)
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and len(lines) == 1 + len(TAKS) * len(BASES), f"unlimited, {threads} threads: exit {r.returncode}, {len(lines)} lines")
    for line, (tak, base) in zip(lines[1:], itertools.product(TAKS, BASES)):
        cap = Decimal(10) ** 30 if tak == "unlimited" else Decimal(tak.split()[0].replace("_", ""))
        expected = sum(scenario_a(cost, drawn, Decimal(base), Decimal("0.4"), cap))
        check(Decimal(line.split(",")[2]) == expected, f"unlimited, {threads} threads: {line}, expected {expected}")

# A range's values are written as --set takes them, each exactly FROM + k * STEP with no trailing
# zeros (negative, below one, past int64's largest digits, finer than 18 places); texts by hand.
for spec, texts in [("baslinje=-0.05 SEK..0.05 SEK step 0.025 SEK", ["-0.05 SEK", "-0.025 SEK", "0 SEK", "0.025 SEK", "0.05 SEK"]),
                    ("premieandel=0 %..10 % step 2.5 %", ["0 %", "2.5 %", "5 %", "7.5 %", "10 %"]),
                    ("baslinje=9_223_372_036_854_775_800 SEK..9_223_372_036_854_775_810 SEK step 5 SEK",
                     ["9223372036854775800 SEK", "9223372036854775805 SEK", "9223372036854775810 SEK"]),
                    ("baslinje=0 SEK..0.0000000000000000003 SEK step 0.0000000000000000001 SEK",
                     ["0 SEK", "0.0000000000000000001 SEK", "0.0000000000000000002 SEK", "0.0000000000000000003 SEK"])]:
    r = subprocess.run([utfall, "sweep", str(contract), "--data", str(messy), "--vary", spec, "-f", "csv"], capture_output=True, text=True)
    check(r.returncode == 0 and [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == texts, f"{spec}: {r.stdout[:300]} {r.stderr}")

# Table and CSV give the same totals; a bad --vary is a usage error.
r = subprocess.run([utfall, "sweep", str(contract), "--data", str(messy), "--vary", "premieandel=25 %,30 %", "-f", "csv"],
                   capture_output=True, text=True)
check(r.stdout.splitlines() == ["premieandel,kommun -> utfallsfonden", "25 %,42000000.00", "30 %,42000000.00"], f"csv: {r.stdout}")
for bad in ["premieandel", "premieandel=20 %..30 %", "premieandel=20 %..30 SEK step 1 %", "premieandel=30 %..20 % step 1 %",
            "premieandel=1 SEK", "nosuchterm=1",
            # a range is checked by its first value and its step: a wrong unit, a percentage
            # written as a bare number (E319), and a term not in the contract still refuse it
            "premieandel=1 SEK..3 SEK step 1 SEK", "premieandel=0.1..0.2 step 0.05", "nosuchterm=1..2 step 1"]:
    r = subprocess.run([utfall, "sweep", str(contract), "--data", str(messy), "--vary", bad], capture_output=True, text=True)
    check(r.returncode == 64, f"--vary '{bad}': exit {r.returncode}, expected 64 ({r.stderr.strip()})")

if failures:
    print("\n".join(failures[:20]))
    sys.exit(1)
print(f"ok: {len(results)} variations checked, the same output on 1, 2 and 7 threads")
