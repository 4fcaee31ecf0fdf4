"""The payments of the reference scenarios (../shared/scenarios), per (period, payer, payee).

Transcribed from the scenario files, where they are computed with exact rational arithmetic
independently of utfall. Keyed by (example folder, data file without .csv); every flow not
listed pays nothing. Used by test_scenarios.py (the command line) and tests/python (the module).
"""
from decimal import Decimal

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
