"""Scenario C's terms (the per-participant rate card) written by hand with decimal.Decimal.

    python3 scenario_c.py PARTICIPANTS.csv PAYMENTS.out [REPEAT]

Reads the participants (id,inskriven,stabil,narvaro,nytt_brott) with the csv module and
computes the twelve payment lines of 2025..2027 (per period: base fee kommun -> humana,
outcome kommun -> humana, prefinancing finansiar -> humana, repayment humana -> finansiar).
Reading and parsing are timed with the computation, REPEAT times (default 3; the best time is
reported, as scenario_a.py does, so that a moment of the machine's other work does not count).
Writes the lines in öre, one per line, to PAYMENTS.out and prints {"seconds": ...} as JSON.
"""
import csv
import json
import sys
import time
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 40

GRUNDAVGIFT = Decimal("360000")
UTFALLSPRIS = Decimal("650000")
FORFINANSIERING = Decimal("480000")
NARVAROGRANS = Decimal("0.80")
OVERSKOTTSANDEL = Decimal("0.50")
CENT = Decimal("0.01")
PERIODS = ["2025", "2026", "2027"]
YES = {"yes": True, "no": False}


def run(path):
    count = [0, 0, 0]          # enrolled per period
    outcome = [Decimal(0)] * 3  # outcome payments per period
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            t = PERIODS.index(row["inskriven"])
            count[t] += 1
            score = Decimal(0)
            if YES[row["stabil"]]:
                score += Decimal("0.4")
            if Decimal(row["narvaro"]) / 100 >= NARVAROGRANS:
                score += Decimal("0.3")
            if not YES[row["nytt_brott"]]:
                score += Decimal("0.3")
            if t + 1 < 3:
                outcome[t + 1] += (UTFALLSPRIS * score).quantize(CENT, rounding=ROUND_HALF_UP)
    lines = []
    outcome_to_date = forskott_to_date = paid = Decimal(0)
    for t in range(3):
        forskott = FORFINANSIERING * count[t]
        outcome_to_date += outcome[t]
        forskott_to_date += forskott
        remaining = max(outcome_to_date, Decimal(0))
        kapital = min(remaining, max(forskott_to_date, Decimal(0)))
        remaining -= kapital
        overskott = min((OVERSKOTTSANDEL * remaining).quantize(CENT, rounding=ROUND_HALF_UP), remaining)
        repay = max(kapital + overskott - paid, Decimal(0))
        paid += repay
        lines += [GRUNDAVGIFT * count[t], outcome[t], forskott, repay]
    return lines


def main():
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    elapsed = None
    for _ in range(repeat):
        start = time.perf_counter()
        lines = run(sys.argv[1])
        took = time.perf_counter() - start
        elapsed = took if elapsed is None else min(elapsed, took)
    with open(sys.argv[2], "w") as f:
        for x in lines:
            f.write(f"{int(x * 100)}\n")
    print(json.dumps({"seconds": elapsed}))


if __name__ == "__main__":
    main()
