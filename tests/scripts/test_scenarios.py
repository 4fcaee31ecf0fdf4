"""The reference scenarios of ../shared/scenarios, run through `utfall run --format json`.

The expected payments below are transcribed from the scenario files (computed there with exact
rational arithmetic, independently of utfall); every (period, payer, payee) sum must match to
the öre, and no other flow may carry money.
"""
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

utfall, src = sys.argv[1], Path(sys.argv[2])

A = "kommun", "utfallsfonden"
KB, FB, BF = ("kommun", "barnens_val"), ("utfallsfonden", "barnens_val"), ("barnens_val", "utfallsfonden")
KH, FH, HF = ("kommun", "humana"), ("finansiar", "humana"), ("humana", "finansiar")
KI = "kommun", "investerare"
Y = ["2025", "2026", "2027", "2028", "2029"]


def series(flow, years, amounts):
    return {(y, *flow): Decimal(a) for y, a in zip(years, amounts)}


CASES = {
    ("a-aldreomsorg", "plan"): series(A, Y, ["0", "0", "26700000.00", "8300000.00", "7000000.00"]),
    ("a-aldreomsorg", "messy"): series(A, Y, ["0", "0", "25616666.68", "9383333.32", "7000000.00"]),
    ("a-aldreomsorg", "fail"): series(A, Y, ["0", "0", "4500000.00", "5000000.00", "2000000.00"]),
    ("b-placeringar", "plan"): {**series(KB, Y, ["0", "0", "3000000", "4000000", "4000000"]),
                                **series(BF, Y, ["0", "0", "3000000", "4000000", "3400000"]),
                                **series(FB, Y, ["2000000"] * 5)},
    ("b-placeringar", "total-cap"): {**series(KB, Y, ["0", "4000000", "4000000", "4000000", "3000000"]),
                                     **series(BF, Y, ["0", "4000000", "2800000", "2800000", "2400000"]),
                                     **series(FB, Y, ["2000000"] * 5)},
    ("b-placeringar", "boundary"): {**series(KB, Y, ["0", "2500000", "2500000", "2500000", "2500000"]),
                                    **series(BF, Y, ["0", "2500000", "2500000", "2500000", "2500000"]),
                                    **series(FB, Y, ["2000000"] * 5)},
    ("c-tfco", "data"): {**series(KH, Y[:3], ["1080000.00", "3100000.00", "2665000.00"]),
                         **series(FH, Y[:3], ["1440000.00", "2400000.00", "0"]),
                         **series(HF, Y[:3], ["0", "1300000.00", "2602500.00"])},
    ("d-norrkoping", "data"): series(KI, ["2016", "2017", "2018", "2019"], ["0", "0", "0", "8062637.25"]),
}

passed = failed = 0
for (name, dataset), expected in CASES.items():
    folder = src / "examples" / name
    data = folder / (dataset + ".csv")
    out = subprocess.run([utfall, "run", str(folder / "contract.utfall"), "--data", str(data), "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        print(f"FAIL {name}/{dataset}: exit {out.returncode}\n{out.stderr}")
        failed += 1
        continue
    result = json.loads(out.stdout)
    got = {}
    for p in result["payments"]:
        assert isinstance(p["amount"], str), "amounts are exact decimal strings"
        key = (p["period"], p["from"], p["to"])
        got[key] = got.get(key, Decimal(0)) + Decimal(p["amount"])
    keys = set(expected) | {k for k, v in got.items() if v != 0}
    bad = [(k, expected.get(k, Decimal(0)), got.get(k, Decimal(0))) for k in sorted(keys)
           if expected.get(k, Decimal(0)) != got.get(k, Decimal(0))]
    if result["currency"] != "SEK":
        bad.append(("currency", "SEK", result["currency"]))
    if bad:
        failed += 1
        for k, want, have in bad:
            print(f"FAIL {name}/{dataset} {k}: expected {want}, got {have}")
    else:
        passed += 1
        print(f"pass {name}/{dataset}")

# `utfall test` runs the examples written inside the contracts and ends with the tally line.
contracts = sorted(str(p) for p in (src / "examples").glob("*/contract.utfall"))
out = subprocess.run([utfall, "test", *contracts], capture_output=True, text=True, timeout=120)
last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
if out.returncode == 0 and last.endswith(" 0 failed") and not last.startswith("0 passed"):
    passed += 1
    print(f"pass utfall test: {last}")
else:
    failed += 1
    print(f"FAIL utfall test (exit {out.returncode}): {out.stdout}\n{out.stderr}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
