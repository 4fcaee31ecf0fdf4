#!/usr/bin/env python3
"""Python decimal.Decimal on the operations of number_bench.cpp, for comparison.

Prints one line per operation: "<name> <ns per op>", names as in number_bench.cpp
(BM_add/fast ... BM_round/big). "big" adds 10^25 to every operand, with the context
precision raised so that + - * stay exact. Decimal division rounds to the context
precision (28, or 60 for big) where utfall's is exact: it is the nearest comparable thing.
"""
import decimal
import timeit
from decimal import Decimal

OPS = {
    "add": "a + b",
    "multiply": "a * c",
    "divide": "b / d",
    "compare": "a < b",
    "round": "x.quantize(cent, rounding=ROUND_HALF_EVEN)",
}


def operands(big):
    lift = Decimal(10) ** 25 if big else Decimal(0)
    a, b, c, d = (Decimal(t) + lift for t in ("4616666.685", "200000000", "0.30", "7000000"))
    return {"a": a, "b": b, "c": c, "d": d, "x": a * c, "cent": Decimal("0.01"),
            "ROUND_HALF_EVEN": decimal.ROUND_HALF_EVEN}


def ns_per_op(stmt, env):
    timer = timeit.Timer(stmt, globals=env)
    number, _ = timer.autorange()
    number = max(number, 200_000)
    best = min(timer.repeat(repeat=5, number=number))
    return best / number * 1e9


def main():
    for kind, big in (("fast", False), ("big", True)):
        decimal.getcontext().prec = 60 if big else 28
        env = operands(big)
        for name, stmt in OPS.items():
            print(f"BM_{name}/{kind} {ns_per_op(stmt, env):.1f}")


if __name__ == "__main__":
    main()
