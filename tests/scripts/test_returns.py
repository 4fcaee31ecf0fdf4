"""`utfall returns`: a party's flows, money multiple, payback, NPV and IRR, against values
computed here from docs/cli.md ("utfall returns") alone, never taken from a run.

- Flows, totals, multiple, payback and the NPV of a yearly calendar are exact: Python fractions.
- The IRR is found here independently: for a yearly calendar by bisection on the rate itself in
  fractions (the present value at a rational rate is exact); for a quarterly or a dated listed
  calendar, where (1+r)^t is irrational, by bisection on the rate with the discount factors
  computed by Python's decimal module at 60 digits (its power is correctly rounded). utfall's
  rate must lie within the 1e-10 it states.
- The payments: scenario A's from scriptlib.scenario_a (docs/language.md §17), scenario B's and
  the two-currency example's from their clauses, by hand below.
"""
import decimal
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally, command_json, round_fraction, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
decimal.getcontext().prec = 60
WITHIN = Fraction(1, 10**10)


def run(*args):
    return subprocess.run([utfall, "returns", *map(str, args)], capture_output=True, text=True)


def returns_json(label, *args):
    return command_json(T, [utfall, "returns", *args, "--format", "json"], label)


def money(x, places=2):
    """An exact amount with the minor unit's places (SEK: 2; `minor 1`: 0), as docs/cli.md shows money in JSON."""
    scale = 10**places
    assert (x * scale).denominator == 1, x
    units = abs(int(x * scale))
    return ("-" if x < 0 else "") + (f"{units // scale}.{units % scale:0{places}d}" if places else str(units))


def npv_exact(nets, rate):
    """Yearly: the flow of period i (counted from 0) at t = i + 1 years."""
    return sum((Fraction(c) / (1 + rate) ** (i + 1) for i, c in enumerate(nets)), Fraction(0))


def sign_changes(nets):
    signs = [1 if c > 0 else -1 for c in nets if c != 0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def irr_yearly(nets):
    """The rate where npv_exact is zero, by bisection on r in fractions to 1e-15."""
    first = next(c for c in nets if c != 0)
    lo, hi = Fraction(-99, 100), Fraction(10)
    assert (npv_exact(nets, lo) > 0) != (npv_exact(nets, hi) > 0)
    while hi - lo > Fraction(1, 10**15):
        mid = (lo + hi) / 2
        v = npv_exact(nets, mid)
        if v == 0:
            return mid
        # A high rate leaves the first flow's sign.
        if (v > 0) == (first > 0):
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def npv_decimal(flows, rate):
    """flows: (t in years as a Fraction, amount); the factors by decimal's correctly rounded power."""
    one = Decimal(1) + Decimal(rate.numerator) / Decimal(rate.denominator)
    total = Decimal(0)
    for t, c in flows:
        total += Decimal(c.numerator) / Decimal(c.denominator) * one ** (-(Decimal(t.numerator) / Decimal(t.denominator)))
    return total


def irr_decimal(flows):
    first = next(c for t, c in flows if c != 0)
    lo, hi = Fraction(-99, 100), Fraction(10)
    while hi - lo > Fraction(1, 10**15):
        mid = (lo + hi) / 2
        if (npv_decimal(flows, mid) > 0) == (first > 0):
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def check_flows(label, cur, ins, outs, outlays=None, places=2):
    def shown(x):
        return money(x, places)

    outlays = outlays or [Fraction(0)] * len(ins)
    cum = Fraction(0)
    ok = True
    for p, i, o, x in zip(cur["periods"], ins, outs, outlays):
        cum += i - o
        ok = ok and p["in"] == shown(i) and p["out"] == shown(o) and p["net"] == shown(i - o) and p["cumulative"] == shown(cum) \
            and p["outlay"] == shown(x)
    T.check(f"{label}: in, out, net and cumulative per period", ok, json.dumps(cur["periods"]))
    tin, tout = sum(ins), sum(outs)
    T.check(f"{label}: totals", cur["total"] == {"in": shown(tin), "out": shown(tout), "outlay": shown(sum(outlays)),
                                                  "net": shown(tin - tout)}, cur["total"])
    if tout:
        T.check(f"{label}: multiple exact {tin / tout}", Fraction(cur["multiple"]["exact"]) == tin / tout, cur["multiple"])
        shown = tin / tout
        want = str(round_fraction(shown, Fraction(1, 10**4), "half_even"))
        T.check(f"{label}: multiple shown", Fraction(cur["multiple"]["value"]) == round_fraction(shown, Fraction(1, 10**4), "half_even")
                and cur["multiple"]["rounded"] == ((shown * 10**4).denominator != 1), (cur["multiple"], want))


def payback(nets):
    """docs/cli.md: the period from whose end on the cumulative net stays >= 0, after having been negative."""
    cums, cum = [], Fraction(0)
    for c in nets:
        cum += c
        cums.append(cum)
    negative = [i for i, c in enumerate(cums) if c < 0]
    if not negative or negative[-1] == len(cums) - 1:
        return None
    return negative[-1] + 1


def check_irr(label, cur, want):
    got = cur["irr"]["value"]
    T.check(f"{label}: IRR {float(want):.8f} within 1e-10", got is not None and abs(Fraction(got) - want) <= WITHIN
            and cur["irr"]["within"] == "1e-10", (cur["irr"], str(want)))


# ---------------------------------------------------------------- scenario A, the fund's view
A = src / "examples/a-aldreomsorg"
PERIODS_A = ["2025", "2026", "2027", "2028", "2029"]
rows = [line.split(",") for line in (A / "plan.csv").read_text().split()[1:]]
cost, drawn = [r[1] for r in rows], [Fraction(r[2]) for r in rows]
repaid = [Fraction(0), Fraction(0)] + list(scenario_a(cost, [str(d) for d in drawn], 200_000_000, Fraction(3, 10), 7_000_000))
outlay_args = []
for p, d in zip(PERIODS_A, drawn):
    outlay_args += ["--outlay", f"{p}={d}"]
rate = Fraction(5, 100)
j = returns_json("A", A / "contract.utfall", "--data", A / "plan.csv", "--party", "utfallsfonden", "--discount", "5 %", *outlay_args)
if j:
    T.check("A: one currency, SEK", [c["currency"] for c in j["currencies"]] == ["SEK"], j["currencies"])
    T.check("A: time from the start of 2025, whole years", j["time"] == {"dated": True, "origin": "2025-01-01", "unit": "years"}
            and [p["years"] for p in j["currencies"][0]["periods"]] == ["1", "2", "3", "4", "5"], j["time"])
    cur = j["currencies"][0]
    check_flows("A", cur, repaid, drawn, drawn)
    nets = [i - o for i, o in zip(repaid, drawn)]
    pb = payback(nets)
    T.check("A: payback in 2027, 3 years", pb == 2 and cur["payback"] == {"period": PERIODS_A[pb], "years": "3"}, cur["payback"])
    npv = npv_exact(nets, rate)
    T.check("A: NPV at 5 % exact", Fraction(cur["npv"]["exact"]) == npv and cur["npv"]["within"] is None, (cur["npv"], str(npv)))
    T.check("A: NPV shown to the öre", cur["npv"]["value"] == money(round_fraction(npv, Fraction(1, 100), "half_even")), cur["npv"])
    T.check("A: one sign change", sign_changes(nets) == 1, nets)
    check_irr("A", cur, irr_yearly(nets))
    text = run(A / "contract.utfall", "--data", A / "plan.csv", "--party", "utfallsfonden", "--discount", "5 %", *outlay_args)
    T.check("A text: states the precision of the IRR", "within 1e-10" in text.stdout and "2025-01-01" in text.stdout, text.stdout)

# Without the outlays the fund only receives: no IRR, the reason given; no multiple.
j = returns_json("A without outlays", A / "contract.utfall", "--data", A / "plan.csv", "--party", "utfallsfonden")
if j:
    cur = j["currencies"][0]
    T.check("A without outlays: no IRR, all of one sign", cur["irr"]["value"] is None and "all paid to the party" in cur["irr"]["reason"],
            cur["irr"])
    T.check("A without outlays: no multiple", cur["multiple"]["value"] is None and "pays nothing" in cur["multiple"]["reason"], cur["multiple"])
    T.check("A without outlays: no payback, never negative", cur["payback"]["period"] is None and "never negative" in cur["payback"]["reason"],
            cur["payback"])
    T.check("A without outlays: no --discount, no NPV", cur["npv"] is None and j["discount"] is None, cur)

# The municipality's view: it pays (out) and receives nothing.
j = returns_json("A kommun", A / "contract.utfall", "--data", A / "plan.csv", "--party", "kommun", "--discount", "0.05")
if j:
    cur = j["currencies"][0]
    check_flows("A kommun", cur, [Fraction(0)] * 5, repaid)
    T.check("A kommun: multiple 0", Fraction(cur["multiple"]["exact"]) == 0, cur["multiple"])
    T.check("A kommun: NPV at 0.05 exact", Fraction(cur["npv"]["exact"]) == npv_exact([-x for x in repaid], rate), cur["npv"])
    T.check("A kommun: no IRR, all paid by the party", cur["irr"]["value"] is None and "all paid by the party" in cur["irr"]["reason"], cur["irr"])

# ---------------------------------------------------------------- scenario B, the fund's view
# The fund pays the provider 2 000 000 SEK a year (clause 5.1) and is repaid out of the outcome
# payments (clause 5.2): capital up to what it paid, then 40 % of the rest, capped at 2 000 000.
B = src / "examples/b-placeringar"
placements = [50, 46, 44, 41, 40]
outcome, total = [], Fraction(0)
for n in placements:
    avoided = max(50 - n, 0)
    pay = Fraction(500_000 * avoided) if Fraction(avoided, 50) >= Fraction(10, 100) else Fraction(0)
    pay = min(pay, Fraction(4_000_000), Fraction(15_000_000) - total)
    outcome.append(pay)
    total += pay
fin = [Fraction(2_000_000)] * 5
repaid_b, paid_before = [], Fraction(0)
for i in range(5):
    pool, capital = sum(outcome[: i + 1]), sum(fin[: i + 1])
    kapital = min(pool, capital)
    premie = min(round_fraction((pool - kapital) * Fraction(40, 100), Fraction(1, 100), "half_up"), Fraction(2_000_000))
    repaid_b.append(kapital + premie - paid_before)
    paid_before += repaid_b[-1]
T.check("B: the fund is repaid 10 400 000 SEK (the contract's example)", sum(repaid_b) == 10_400_000, repaid_b)
rate_b = Fraction(3, 100)
j = returns_json("B", B / "contract.utfall", "--data", B / "plan.csv", "--party", "utfallsfonden", "--discount", "3%")
if j:
    cur = j["currencies"][0]
    check_flows("B", cur, repaid_b, fin)
    nets = [i - o for i, o in zip(repaid_b, fin)]
    T.check("B: multiple 1.04", cur["multiple"] == {"value": "1.04", "exact": "26/25", "rounded": False}, cur["multiple"])
    pb = payback(nets)
    T.check("B: payback", cur["payback"]["period"] == (None if pb is None else str(2025 + pb)), (cur["payback"], pb))
    T.check("B: NPV at 3 % exact", Fraction(cur["npv"]["exact"]) == npv_exact(nets, rate_b), cur["npv"])
    check_irr("B", cur, irr_yearly(nets))

# ---------------------------------------------------------------- two currencies
L = src / "examples/l-currencies"
j = returns_json("L", L / "contract.utfall", "--data", L / "plan.csv", "--party", "utforare")
if j:
    T.check("L: per currency, SEK and EUR", [c["currency"] for c in j["currencies"]] == ["SEK", "EUR"], j["currencies"])
    sek = [Fraction(100_000 * (40 - n)) for n in (35, 30, 32)]
    eu_in = [min(Fraction(2_500 * (40 - n)), Fraction(22_000)) for n in (35, 30, 32)]
    kurs = [Fraction("11.4852"), Fraction("11.2031"), Fraction("10.9876")]
    eu_out = [round_fraction(Fraction(40, 100) * s / k, Fraction(1, 100), "half_even") for s, k in zip(sek, kurs)]
    check_flows("L SEK", j["currencies"][0], sek, [Fraction(0)] * 3, places=0)
    check_flows("L EUR", j["currencies"][1], eu_in, eu_out)
r = run(L / "contract.utfall", "--data", L / "plan.csv", "--party", "utforare", "--outlay", "2026=1000")
T.check("L: an outlay without a currency in a two-currency contract is usage, 64",
        r.returncode == 64 and "several currencies" in r.stderr, r.stderr)
j = returns_json("L outlay", L / "contract.utfall", "--data", L / "plan.csv", "--party", "fonden", "--outlay", "2026=60000 EUR")
if j:
    cur = j["currencies"][0]
    nets = [-Fraction(60000) + eu_out[0], eu_out[1], eu_out[2]]
    check_irr("L outlay EUR", cur, irr_yearly(nets))

# ---------------------------------------------------------------- hand-written flows
CONTRACT = """contract "Flöden"
currency SEK
party investor "Investeraren"
party motpart  "Motparten"
PERIODS
input mottaget : SEK per period
input betalt   : SEK per period
clause "1" "Flöden" {
  pay tillbaka: motpart -> investor amount mottaget
  pay insats:   investor -> motpart amount betalt
}
"""


def flows_case(folder, name, periods_line, names, received, paid):
    c = folder / f"{name}.utfall"
    c.write_text(CONTRACT.replace("PERIODS", periods_line), encoding="utf-8")
    d = folder / f"{name}.csv"
    d.write_text("period,mottaget,betalt\n" + "".join(f"{p},{m},{b}\n" for p, m, b in zip(names, received, paid)))
    return c, d


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    years = ["2025", "2026", "2027", "2028"]
    # Two sign changes: out, in, out.
    c, d = flows_case(tmp, "two", "periods yearly 2025 .. 2028", years, [0, 150, 0, 0], [100, 0, 60, 0])
    j = returns_json("two sign changes", c, "--data", d, "--party", "investor")
    if j:
        irr = j["currencies"][0]["irr"]
        T.check("two sign changes: no IRR, the reason counts them", irr["value"] is None and "change sign 2 times" in irr["reason"], irr)
    # No sign change: only paid.
    c, d = flows_case(tmp, "none", "periods yearly 2025 .. 2028", years, [0, 0, 0, 0], [100, 0, 60, 0])
    j = returns_json("no sign change", c, "--data", d, "--party", "investor")
    if j:
        irr = j["currencies"][0]["irr"]
        T.check("no sign change: no IRR, all of one sign", irr["value"] is None and "all paid by the party" in irr["reason"], irr)
        T.check("no sign change: payback none, still negative", j["currencies"][0]["payback"]["period"] is None
                and "still negative" in j["currencies"][0]["payback"]["reason"], j["currencies"][0]["payback"])
    # A negative IRR: 1000 out, 300 back twice.
    c, d = flows_case(tmp, "loss", "periods yearly 2025 .. 2028", years, [0, 300, 300, 0], [1000, 0, 0, 0])
    j = returns_json("loss", c, "--data", d, "--party", "investor", "--discount", "-50 %")
    if j:
        nets = [Fraction(-1000), Fraction(300), Fraction(300), Fraction(0)]
        check_irr("loss", j["currencies"][0], irr_yearly(nets))
        T.check("loss: NPV at -50 % exact", Fraction(j["currencies"][0]["npv"]["exact"]) == npv_exact(nets, Fraction(-1, 2)), j["currencies"][0]["npv"])
    # Quarterly: t = months / 12 from the start of 2026Q1, the factors irrational.
    quarters = ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1"]
    rec, pay = [0, 0, 400, 350, 500.5], [1000, 0, 0, 0, 0]
    c, d = flows_case(tmp, "quarterly", "periods quarterly 2026Q1 .. 2027Q1", quarters, rec, pay)
    j = returns_json("quarterly", c, "--data", d, "--party", "investor", "--discount", "8 %")
    if j:
        cur = j["currencies"][0]
        flows = [(Fraction(3 * (i + 1), 12), Fraction(str(m)) - Fraction(b)) for i, (m, b) in enumerate(zip(rec, pay))]
        T.check("quarterly: years are quarters", [p["years"] for p in cur["periods"]] == ["1/4", "1/2", "3/4", "1", "5/4"], cur["periods"])
        check_irr("quarterly", cur, irr_decimal(flows))
        want = npv_decimal(flows, Fraction(8, 100))
        T.check("quarterly: NPV at 8 % within 1e-10, shown to the öre, not exact",
                cur["npv"]["value"] == f"{want.quantize(Decimal('0.01'), rounding=decimal.ROUND_HALF_EVEN)}" and cur["npv"]["exact"] is None
                and cur["npv"]["within"] == "1e-10", (cur["npv"], str(want)))
    # Listed periods with dates: t = days / 365 from the first day of the first period.
    listed = "periods H1 = 2026-01-01 .. 2026-06-30, H2 = 2026-07-01 .. 2026-12-31, H3 = 2027-01-01 .. 2027-06-30"
    c, d = flows_case(tmp, "dated", listed, ["H1", "H2", "H3"], [0, 600, 600], [1000, 0, 0])
    j = returns_json("dated", c, "--data", d, "--party", "investor", "--discount", "4 %")
    if j:
        cur = j["currencies"][0]
        days = [181, 365, 546]  # 2026-07-01, 2027-01-01, 2027-07-01 less 2026-01-01
        flows = [(Fraction(dd, 365), Fraction(v)) for dd, v in zip(days, [-1000, 600, 600])]
        T.check("dated: years are days / 365", [p["years"] for p in cur["periods"]] == [str(f[0]) for f in flows], cur["periods"])
        check_irr("dated", cur, irr_decimal(flows))
        want = npv_decimal(flows, Fraction(4, 100))
        T.check("dated: NPV at 4 %", cur["npv"]["value"] == f"{want.quantize(Decimal('0.01'), rounding=decimal.ROUND_HALF_EVEN)}", (cur["npv"], str(want)))
    # Listed periods without dates: flows and totals, no NPV or IRR, with the reason.
    c, d = flows_case(tmp, "undated", "periods P1, P2, P3", ["P1", "P2", "P3"], [0, 600, 600], [1000, 0, 0])
    j = returns_json("undated", c, "--data", d, "--party", "investor", "--discount", "4 %")
    if j:
        cur = j["currencies"][0]
        check_flows("undated", cur, [Fraction(0), Fraction(600), Fraction(600)], [Fraction(1000), Fraction(0), Fraction(0)])
        T.check("undated: payback P3", cur["payback"] == {"period": "P3", "years": None}, cur["payback"])
        T.check("undated: no NPV, no IRR: dated periods needed", cur["npv"]["value"] is None and cur["irr"]["value"] is None
                and "dated periods" in cur["irr"]["reason"] and "dated periods" in cur["npv"]["reason"] and j["time"]["dated"] is False,
                (cur["npv"], cur["irr"]))

    # ------------------------------------------------------------ bad input: usage, 64
    c, d = flows_case(tmp, "bad", "periods yearly 2025 .. 2028", years, [0, 150, 0, 0], [100, 0, 0, 0])
    for label, args, needle in [
        ("unknown party", ["--party", "fonden"], "its parties: investor, motpart"),
        ("a rate that is not a number", ["--party", "investor", "--discount", "fem procent"], "expected an annual rate"),
        ("a rate of -100 %", ["--party", "investor", "--discount", "-100 %"], "above -100 %"),
        ("a rate below -100 %", ["--party", "investor", "--discount", "-1.5"], "reads two ways"),
        ("a rate of -250 %", ["--party", "investor", "--discount", "-250%"], "above -100 %"),
        ("a rate that reads two ways", ["--party", "investor", "--discount", "5"], "reads two ways"),
        ("an empty rate", ["--party", "investor", "--discount", ""], "expected an annual rate"),
        ("an outlay in a period the contract lacks", ["--party", "investor", "--outlay", "2030=5"], "not a period"),
        ("an outlay that is not an amount", ["--party", "investor", "--outlay", "2025=fem"], "not an amount"),
        ("a negative outlay", ["--party", "investor", "--outlay", "2025=-5"], "not negative"),
        ("an outlay without =", ["--party", "investor", "--outlay", "2025"], "PERIOD=AMOUNT"),
        ("an outlay in another currency", ["--party", "investor", "--outlay", "2025=5 EUR"], "not a currency"),
    ]:
        r = run(c, "--data", d, *args)
        T.check(f"bad input, {label}: exit 64 and says why", r.returncode == 64 and needle in r.stderr and not r.stdout,
                (r.returncode, r.stderr))


# Payback with a dip: the fund pays 10 in 2025 and 15 in 2027 (outlays) and is paid v. By hand
# (docs/cli.md: the period from whose end on the cumulative net stays >= 0):
#   v = 0, 10, 0, 0:   -10, 0, -15, -15  -> none, still negative at the end
#   v = 0, 20, 0, 20:  -10, 10, -5, 15   -> 2028 (the dip in 2027 undoes 2026)
with tempfile.TemporaryDirectory() as tmp:
    c = Path(tmp) / "dip.utfall"
    c.write_text('contract "r"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2028\n'
                 'input v : SEK per period\nclause "1" { pay p: a -> b amount v }\n', encoding="utf-8")
    for label, values, want in [("ends negative", [0, 10, 0, 0], None), ("dips, then back", [0, 20, 0, 20], "2028")]:
        d = Path(tmp) / "d.csv"
        d.write_text("period,v\n" + "".join(f"{2025 + i},{v}\n" for i, v in enumerate(values)), encoding="utf-8")
        j = returns_json(f"payback {label}", c, "--data", d, "--party", "b", "--outlay", "2025=10", "--outlay", "2027=15")
        if j:
            pb = j["currencies"][0]["payback"]
            T.check(f"payback {label}: {want}", pb["period"] == want and (want or "still negative" in pb.get("reason", "")), pb)

T.finish()
