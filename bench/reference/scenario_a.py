"""Scenario A's terms written by hand with decimal.Decimal: what an analyst would write instead.

    python3 scenario_a.py SETS.csv PAYMENTS.out [REPEAT]

SETS.csv has the columns set,period,hemtjanst_kostnad,avropat (five periods per set, in
order). The data are read into Decimal first; then every set is evaluated, REPEAT times (best
time kept). Writes the payments of 2027, 2028 and 2029 of each set, one set per line, in öre,
to PAYMENTS.out, and prints {"evaluations_per_second": ...} as JSON.
"""
import csv
import json
import sys
import time
from decimal import Decimal, ROUND_HALF_EVEN, getcontext

getcontext().prec = 40  # every value here has at most 15 digits: + - * never round

BASLINJE = Decimal("200000000")
PREMIEANDEL = Decimal("0.30")
TAKBELOPP = Decimal("7000000")
CENT = Decimal("0.01")
FIRST = 2  # repayment from 2027, the third period


def payments(cost, drawn):
    """The payment kommun -> utfallsfonden in 2027, 2028 and 2029."""
    pool = Decimal(0)
    drawn_to_date = Decimal(0)
    paid = Decimal(0)
    out = []
    for t in range(5):
        pool += max(BASLINJE - cost[t], Decimal(0))
        drawn_to_date += drawn[t]
        if t < FIRST:
            continue
        remaining = max(pool, Decimal(0))
        kapital = min(remaining, max(drawn_to_date, Decimal(0)))
        remaining -= kapital
        premie = (PREMIEANDEL * remaining).quantize(CENT, rounding=ROUND_HALF_EVEN)
        premie = max(min(premie, TAKBELOPP, remaining), Decimal(0))
        pay = max(kapital + premie - paid, Decimal(0))
        paid += pay
        out.append(pay)
    return out


def main():
    sets = {}
    with open(sys.argv[1], newline="") as f:
        for row in csv.DictReader(f):
            cost, drawn = sets.setdefault(row["set"], ([], []))
            cost.append(Decimal(row["hemtjanst_kostnad"]))
            drawn.append(Decimal(row["avropat"]))
    data = list(sets.values())
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        results = [payments(cost, drawn) for cost, drawn in data]
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    with open(sys.argv[2], "w") as f:
        for r in results:
            f.write(" ".join(str(int(p * 100)) for p in r) + "\n")
    print(json.dumps({"evaluations_per_second": len(data) / best, "seconds": best, "sets": len(data)}))


if __name__ == "__main__":
    main()
