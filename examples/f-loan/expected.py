"""The payments of examples/f-loan/contract.utfall on plan.csv, computed from the contract's
text with exact fractions (README.md shows the table this prints)."""
from fractions import Fraction as F

lent = [2_000_000, 1_000_000, 0, 0, 0, 0]
savings = [0, 250_000, 700_000, 900_000, 1_100_000, 1_200_000]
rate = F(6, 100)


def round_half_up(x, step=F(1, 100)):
    q = x / step
    n = q.numerator // q.denominator
    if q - n >= F(1, 2):
        n += 1
    return n * step


def run(cap):
    """cap: the most repaid in total, or None for no cap."""
    balance, paid_total, rows = F(0), F(0), []
    for year, (l, s) in enumerate(zip(lent, savings), start=2025):
        interest = round_half_up(balance * rate)
        owed = balance + interest + l
        repaid = min(max(F(s), F(0)), owed)
        if cap is not None:
            repaid = min(repaid, max(cap - paid_total, F(0)))
        paid_total += repaid
        balance = owed - repaid
        rows.append((year, interest, owed, repaid, balance))
    return rows


def sek(x):
    """Exact öre: every value here is a whole number of öre."""
    assert (x * 100).denominator == 1
    ore = int(x * 100)
    return f"{ore // 100:,}.{ore % 100:02d}"


for name, cap in (("plan (cap 2 600 000 SEK)", F(2_600_000)), ("högre tak (cap 4 000 000 SEK: does not bind)", F(4_000_000))):
    print(name)
    print("year  interest      owed          repaid        balance")
    for year, interest, owed, repaid, balance in run(cap):
        print(f"{year}  {sek(interest):>12}  {sek(owed):>12}  {sek(repaid):>12}  {sek(balance):>12}")
    print("total repaid", sek(sum(r[3] for r in run(cap))))
