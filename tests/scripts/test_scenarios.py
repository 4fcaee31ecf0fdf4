"""The reference scenarios of ../shared/scenarios, run through `utfall run --format json`.

The expected payments (scenario_payments.py) are transcribed from the scenario files (computed there with exact
rational arithmetic, independently of utfall); every (period, payer, payee) sum must match to
the öre, and no other flow may carry money.
"""
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from scenario_payments import CASES  # tests/scripts/scenario_payments.py

utfall, src = sys.argv[1], Path(sys.argv[2])

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
