"""`utfall simulate`: Monte Carlo runs over drawn terms and inputs, against distributions computed
here from the command's specification and the contracts alone, never taken from a run.

- Scenario A (examples/a-aldreomsorg) with a drawn premium share, a drawn cap, one drawn period of
  the costs, every period drawn and a drawn scale of the financing: each draw takes finitely many
  equally likely values, so the distribution of every payment is exact here (scriptlib.scenario_a
  on each value, in fractions), and with it the mean, sd, quantiles and the chance that the
  premium's cap binds in 2027.
- Two small contracts written here: terms drawn from normal, triangular and lognormal
  distributions (their moments and quantile functions in closed form), two normals with a rank
  correlation (E[max(X, Y)] = mu + sigma sqrt((1 - r) / pi) and P(X > mu, Y > mu) = 1/4 +
  asin(r) / (2 pi), r = 2 sin(pi rho / 6)), an input drawn from a CSV column (counted exactly
  through threshold payments, so the sample mean, sd and percentiles are checked to the öre),
  a non-money input's default step, runs that fail, and `--party` returns.
- Sampling checks allow 4 standard errors; a percentile P must lie between the exact quantiles
  at P/100 -+ max(4 sqrt(P(1-P)/n), 20/n). The seeds are fixed, so the script is deterministic.
- The same output for every -j and the same seed; bad options exit 64 with `utfall: ...`.
"""
import itertools
import json
import math
import re
import subprocess
import sys
import tempfile
from collections import Counter
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

from scriptlib import Tally, doc_examples, round_fraction, scenario_a

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
T = Tally()


def check(label, ok, detail=""):
    T.check(label, ok, detail)
    return bool(ok)

A = src / "examples/a-aldreomsorg"
CONTRACT_A, PLAN = A / "contract.utfall", A / "plan.csv"
M = 1_000_000
CENT = Fraction(1, 100)
PCTS = ["5", "50", "95"]
SIGMAS = 4


# ---------------------------------------------------------------- running the command

def sim(*args):
    return subprocess.run([utfall, "simulate", *map(str, args)], capture_output=True, text=True)


def sim_json(label, *args, code=0):
    """Runs simulate with --format json; the JSON (None when it does not exit `code`), and the run."""
    r = sim(*args, "--format", "json")
    if not check(f"{label}: exits {code}", r.returncode == code, f"exit {r.returncode}: {r.stderr[-3000:]}"):
        return None, r
    try:
        return json.loads(r.stdout), r
    except ValueError as e:
        check(f"{label}: JSON on stdout", False, f"{e}: {r.stdout[:500]}")
        return None, r


def flow(j, payer, payee, period, currency="SEK"):
    rows = [f for f in j["flows"] if (f["from"], f["to"], f["currency"], f["period"]) == (payer, payee, currency, period)]
    return rows[0] if len(rows) == 1 else None


def party(j, name, currency="SEK"):
    rows = [p for p in j["parties"] if (p["party"], p["currency"]) == (name, currency)]
    return rows[0] if len(rows) == 1 else None


def money(x, places=2):
    """An exact amount as the JSON writes it: the minor unit's places."""
    scale = 10**places
    assert (x * scale).denominator == 1, x
    units = abs(int(x * scale))
    return ("-" if x < 0 else "") + f"{units // scale}.{units % scale:0{places}d}"


def share6(count, n):
    """count / n rounded half-even to 6 decimals, written with all 6."""
    units = int(round_fraction(Fraction(count, n), Fraction(1, 10**6), "half_even") * 10**6)
    return f"{units // 10**6}.{units % 10**6:06d}"


def round_sqrt(square, step):
    """sqrt(square) rounded half-even to a multiple of step, exactly (square, step: Fractions)."""
    t = square / (step * step)
    r = math.isqrt(t.numerator // t.denominator)
    mid = Fraction(2 * r + 1, 2) ** 2
    n = r + 1 if t > mid else r if t < mid else (r if r % 2 == 0 else r + 1)
    return n * step


def parse_step(text):
    """A step as the JSON may write it: a plain decimal, or with `%` or a currency."""
    text = text.strip()
    if text.endswith("%"):
        return Fraction(text[:-1].strip()) / 100
    if text.endswith(" SEK"):
        return Fraction(text[:-4].strip())
    return Fraction(text)


# ---------------------------------------------------------------- distributions

class Discrete:
    """A finite distribution: value -> weight (ints or Fractions: exact; floats: to float)."""

    def __init__(self, weights):
        if not isinstance(weights, dict):
            weights = Counter(weights)
        total = sum(weights.values())
        self.prob = {v: (Fraction(w) / total if not isinstance(w, float) else w / total) for v, w in sorted(weights.items()) if w}
        self.values = list(self.prob)
        self.mean = sum(v * p for v, p in self.prob.items())
        self.var = sum((v - self.mean) ** 2 * p for v, p in self.prob.items())
        self.mu4 = sum((v - self.mean) ** 4 * p for v, p in self.prob.items())
        self.slack = 0

    def quantile(self, q):
        """The smallest value with at least q of the probability at or below it."""
        acc = 0
        for v, p in self.prob.items():
            acc += p
            if acc >= q:
                return v
        return self.values[-1]

    def support(self, v):
        return v in self.prob

    def p(self, pred):
        return sum(p for v, p in self.prob.items() if pred(v))

    def map(self, f):
        out = Counter()
        for v, p in self.prob.items():
            out[f(v)] += p
        return Discrete(dict(out))


class Grid:
    """Equally likely values lo + k * step, k = 0..m (too many to list)."""

    def __init__(self, lo, step, m):
        self.lo, self.step, self.m = Fraction(lo), Fraction(step), m
        n = m + 1
        self.mean = self.lo + self.step * m / 2
        self.var = self.step**2 * Fraction(n * n - 1, 12)
        self.mu4 = self.step**4 * Fraction((n * n - 1) * (3 * n * n - 7), 240)
        self.slack = 0

    def quantile(self, q):
        k = max(0, min(self.m, math.ceil(Fraction(q) * (self.m + 1)) - 1)) if q > 0 else 0
        return self.lo + k * self.step

    def support(self, v):
        k = (v - self.lo) / self.step
        return k.denominator == 1 and 0 <= k <= self.m


class Continuous:
    """A continuous distribution whose values are rounded to a multiple of step."""

    def __init__(self, mean, var, mu4, quantile, step):
        self.mean, self.var, self.mu4, self._q, self.step = mean, var, mu4, quantile, Fraction(step)
        self.slack = self.step

    def quantile(self, q):
        if q <= 0:
            return -math.inf
        if q >= 1:
            return math.inf
        return self._q(q)

    def support(self, v):
        return (v / self.step).denominator == 1


def normal(mu, sd, step):
    d = NormalDist(mu, sd)
    return Continuous(mu, sd * sd, 3 * sd**4, d.inv_cdf, step)


def triangular(a, c, b, step):
    """LO a, MODE c, HI b: F(c) = (c - a) / (b - a); excess kurtosis -3/5."""
    var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    fc = (c - a) / (b - a)

    def q(u):
        return a + math.sqrt(u * (b - a) * (c - a)) if u < fc else b - math.sqrt((1 - u) * (b - a) * (b - c))
    return Continuous((a + b + c) / 3, var, 2.4 * var * var, q, step)


def lognormal(mu, s, step):
    raw = [math.exp(k * mu + k * k * s * s / 2) for k in range(5)]
    m1 = raw[1]
    var = raw[2] - m1 * m1
    mu4 = raw[4] - 4 * m1 * raw[3] + 6 * m1 * m1 * raw[2] - 3 * m1**4
    d = NormalDist(mu, s)
    return Continuous(m1, var, mu4, lambda u: math.exp(d.inv_cdf(u)), step)


def rounded_normal(mu, sd, step, lo, hi):
    """normal(mu, sd) rounded to the nearest multiple of step, exactly as a Discrete (in floats)
    over the multiples lo..hi (beyond them the tails are below 1e-12)."""
    d = NormalDist(mu, sd)
    ks = range(int(lo / step), int(hi / step) + 1)
    return Discrete({Fraction(k * step): d.cdf(k * step + step / 2) - d.cdf(k * step - step / 2) for k in ks})


# ---------------------------------------------------------------- checking statistics

def is_amount(text, places):
    return isinstance(text, str) and re.fullmatch(r"-?\d+\.\d{%d}" % places if places else r"-?\d+", text) is not None


def near(a, b, tol):
    return abs(float(a) - float(b)) <= tol


def pct_window(q, n):
    return max(SIGMAS * math.sqrt(q * (1 - q) / n), 20 / n)


def check_stats(label, row, n, dist, pcts=PCTS, places=2, shown=None):
    """mean, sd, percentiles, min and max of a row against `dist` over n runs. places: the
    minor unit's decimals (amounts then written with exactly these); shown: for a row of
    plain decimals, how far a written value may lie from the value (its rounding)."""
    if not check(f"{label}: row present", row is not None, ""):
        return
    keys = ["mean", "sd", *(f"p{p}" for p in pcts), "min", "max"]
    if not check(f"{label}: mean, sd, {', '.join('p' + p for p in pcts)}, min, max", all(isinstance(row.get(k), str) for k in keys), row):
        return
    if places is not None:
        if not check(f"{label}: amounts written with {places} decimals", all(is_amount(row.get(k), places) for k in keys), row):
            return
        half = Fraction(1, 2 * 10**places)
    else:
        half = Fraction(shown)
    v = {k: Fraction(row[k]) for k in keys}
    sd = math.sqrt(dist.var)
    slack = float(dist.slack)
    if dist.var == 0:
        value = dist.mean
        check(f"{label}: one value {value}, sd 0", all(v[k] == value for k in keys if k != "sd") and v["sd"] == 0, row)
        return
    tol = SIGMAS * sd / math.sqrt(n) + slack / 2 + float(half)
    check(f"{label}: mean {float(dist.mean):.4f} within 4 SE ({tol:.4g})", near(v["mean"], dist.mean, tol), row["mean"])
    if n > 1:
        se_sd = math.sqrt(max(float(dist.mu4 - dist.var**2), 0) / n) / (2 * sd)
        tol = SIGMAS * se_sd + slack + float(half)
        check(f"{label}: sd {sd:.4f} within 4 SE ({tol:.4g})", near(v["sd"], sd, tol), row["sd"])
    for p in pcts:
        q = float(Fraction(p)) / 100
        w = pct_window(q, n)
        lo, hi = dist.quantile(q - w), dist.quantile(q + w)
        got = v[f"p{p}"]
        check(f"{label}: p{p} between the quantiles at {q - w:.4f} and {q + w:.4f} ({float(lo):.4f}, {float(hi):.4f})",
                float(lo) - slack / 2 - float(half) <= got <= float(hi) + slack / 2 + float(half), row[f"p{p}"])
    ok = True
    for k in keys:
        if k in ("mean", "sd"):
            continue
        ok = ok and (dist.support(v[k]) if places is not None else
                     any(abs(v[k] - s) <= half for s in getattr(dist, "values", [v[k]])))
    check(f"{label}: percentiles, min and max are values a run can give", ok, row)
    order = [v["min"], *sorted(v[f"p{p}"] for p in pcts), v["max"]]
    check(f"{label}: min <= percentiles <= max, in order", order == sorted(order)
            and [v[f"p{p}"] for p in pcts] == sorted(v[f"p{p}"] for p in pcts), row)


def check_positive(label, row, n, p):
    """runs_positive against the chance p that the value is above 0; p_positive written from it."""
    if row is None:
        return
    r = row.get("runs_positive")
    if not check(f"{label}: p_positive is runs_positive / n to 6 places", isinstance(r, int) and row.get("p_positive") == share6(r, n),
                   (row.get("p_positive"), r, n)):
        return
    if p in (0, 1):
        check(f"{label}: runs_positive {p * n}", r == p * n, r)
    else:
        tol = SIGMAS * math.sqrt(float(p) * (1 - float(p)) / n)
        check(f"{label}: share positive {float(p):.5f} within 4 SE", near(Fraction(r, n), p, tol + 1e-4), r)


def check_mean(label, row, n, mean, sd, extra=0.0):
    if row is None:
        return
    tol = SIGMAS * sd / math.sqrt(n) + 0.005 + extra
    check(f"{label}: mean {mean:.4f} within 4 SE ({tol:.4g})", near(Fraction(row["mean"]), mean, tol), row["mean"])


def check_header(label, j, runs, seed, failed=0, pcts=PCTS):
    check(f"{label}: runs, seed, failed, percentiles", (j.get("runs"), j.get("seed"), j.get("failed"), j.get("percentiles"))
            == (runs, seed, failed, pcts), {k: j.get(k) for k in ("runs", "seed", "failed", "percentiles")})


def check_draws(label, j, want):
    """want: (name, distribution as written, step as a value; None: not checked, as for
    empirical, whose values are taken as written)."""
    got = j.get("draws", [])
    ok = len(got) == len(want)
    for g, (name, dist, step) in zip(got, want):
        try:
            ok = ok and g["name"] == name and g["distribution"] == dist and (step is None or parse_step(g["step"]) == step)
        except (KeyError, ValueError, ZeroDivisionError, TypeError, AttributeError):
            ok = False
    check(f"{label}: draws listed with their steps", ok, (got, [(n, d, str(s)) for n, d, s in want]))


def check_flow_rows(label, j, payer, payee, periods):
    rows = [f["period"] for f in j["flows"] if (f["from"], f["to"]) == (payer, payee)]
    check(f"{label}: {payer} -> {payee} has a row per period, then total", rows == periods + ["total"], rows)


# ---------------------------------------------------------------- scenario A's model

def read_plan(path):
    rows = [line.split(",") for line in path.read_text().split()[1:]]
    return [Fraction(r[1]) for r in rows], [Fraction(r[2]) for r in rows]


PERIODS_A = ["2025", "2026", "2027", "2028", "2029"]
plan_cost, plan_drawn = read_plan(PLAN)
BASLINJE, ANDEL, TAK = Fraction(200 * M), Fraction(3, 10), Fraction(7 * M)


def cap_binds_2027(cost, drawn, andel, tak, baslinje=BASLINJE):
    """docs/language.md §17.2-17.3: in 2027 the premium tier takes andel of the rest after the
    capital (pool and capital to date), rounded half_even to 0.01; its cap binds when that
    exceeds takbelopp."""
    pool = sum(max(baslinje - c, 0) for c in cost[:3])
    kapital = min(pool, sum(drawn[:3]))
    return round_fraction(andel * (pool - kapital), CENT, "half_even") > tak


def payments_a(cost=plan_cost, drawn=plan_drawn, andel=ANDEL, tak=TAK):
    """(2027, 2028, 2029, total) of kommun -> utfallsfonden."""
    p = scenario_a(cost, drawn, BASLINJE, andel, tak)
    return (*p, sum(p))


def dists_a(cases):
    """Each case (a tuple of payments) equally likely: the four Discrete distributions."""
    return [Discrete([c[i] for c in cases]) for i in range(4)]


check("model: the plan's payments are the contract's example", payments_a() == (26_700_000, 8_300_000, 7_000_000, 42_000_000),
        payments_a())
ANDELS = [Fraction(20, 100) + Fraction(k, 10**4) for k in range(3001)]
check("model: 20 % .. 50 % step 0.01 % is 3001 values", ANDELS[-1] == Fraction(1, 2) and len(set(ANDELS)) == 3001)
CASES_ANDEL = [payments_a(andel=a) for a in ANDELS]
D_ANDEL = dists_a(CASES_ANDEL)
BINDS = sum(cap_binds_2027(plan_cost, plan_drawn, a, TAK) for a in ANDELS)
# 2027: pool 40 000 000, capital 21 000 000, rest 19 000 000; the cap binds for andel > 7/19.
check("model: the cap binds in 2027 for andel 36.85 % .. 50 %, 1316 values", BINDS == 1316
        and not cap_binds_2027(plan_cost, plan_drawn, Fraction(3684, 10**4), TAK) and cap_binds_2027(plan_cost, plan_drawn, Fraction(3685, 10**4), TAK))
check("model: the total is always 42 000 000 and 2029 always 7 000 000", D_ANDEL[3].values == [42 * M] and D_ANDEL[2].values == [7 * M])
check("model: 2027 ranges over 24 800 000 .. 28 000 000", D_ANDEL[0].values[0] == 24_800_000 and D_ANDEL[0].values[-1] == 28 * M
        and D_ANDEL[0].prob[28 * M] == Fraction(1316, 3001))
BINDS_5M = sum(cap_binds_2027(plan_cost, plan_drawn, a, 5 * M) for a in ANDELS)
check("model: with takbelopp 5 000 000 the cap binds for andel >= 26.32 %, 2369 values", BINDS_5M == 2369)


# ---------------------------------------------------------------- 1. scenario A, a drawn premium share

N1 = 20_000
DRAW_ANDEL = "premieandel ~ uniform(20 %, 50 %) step 0.01 %"
j, _ = sim_json("A share", CONTRACT_A, "--data", PLAN, "--draw", DRAW_ANDEL, "--runs", N1, "--seed", 11, "--caps",
                "--percentiles", "0,2.5,50,97.5,100")
PCTS_WIDE = ["0", "2.5", "50", "97.5", "100"]
if j:
    check_header("A share", j, N1, 11, pcts=PCTS_WIDE)
    check_draws("A share", j, [("premieandel", "uniform(20 %, 50 %)", Fraction(1, 10**4))])
    check_flow_rows("A share", j, "kommun", "utfallsfonden", PERIODS_A)
    check("A share: no self-payment kommun -> kommun (rest to kommun stays with the payer, §17.2)",
            not [f for f in j["flows"] if f["from"] == f["to"]], [f for f in j["flows"] if f["from"] == f["to"]][:1])
    check("A share: only kommun -> utfallsfonden", {(f["from"], f["to"], f["currency"]) for f in j["flows"]}
            == {("kommun", "utfallsfonden", "SEK")}, {(f["from"], f["to"]) for f in j["flows"]})
    for period in ["2025", "2026"]:
        row = flow(j, "kommun", "utfallsfonden", period)
        check_stats(f"A share {period} (the waterfall applies from 2027)", row, N1, Discrete([Fraction(0)]), pcts=PCTS_WIDE)
        check_positive(f"A share {period}", row, N1, 0)
    for period, d in zip(["2027", "2028", "2029", "total"], D_ANDEL):
        row = flow(j, "kommun", "utfallsfonden", period)
        check_stats(f"A share {period}", row, N1, d, pcts=PCTS_WIDE)
        check_positive(f"A share {period}", row, N1, 1)
        if row:
            check(f"A share {period}: p0 is min, p100 is max (nearest rank, at least 1)",
                    row["p0"] == row["min"] and row["p100"] == row["max"], row)
    row = flow(j, "kommun", "utfallsfonden", "2027")
    if row:
        # A sample of 20 000 of 3001 values: the capped value (p = 0.44) is the maximum.
        check("A share 2027: the maximum is the capped 28 000 000.00", row["max"] == "28000000.00", row["max"])
    check_stats("A share: utfallsfonden's net", party(j, "utfallsfonden"), N1, Discrete([Fraction(42 * M)]), pcts=PCTS_WIDE)
    check_positive("A share: utfallsfonden's net", party(j, "utfallsfonden"), N1, 1)
    check_stats("A share: kommun's net (it pays)", party(j, "kommun"), N1, Discrete([Fraction(-42 * M)]), pcts=PCTS_WIDE)
    check_positive("A share: kommun's net", party(j, "kommun"), N1, 0)
    caps = [c for c in j.get("caps", []) if (c.get("clause"), c.get("limit")) == ("3.2", "capped at takbelopp")]
    check("A share --caps: the premium's cap names its waterfall, rule aterbetalning", caps and all(c.get("rule") == "aterbetalning" for c in caps),
          caps[:1])
    by_period = {c.get("period"): c for c in caps}
    c = by_period.get("2027")
    if check("A share --caps: a row for the premium's cap in 2027", c is not None and isinstance(c.get("runs_bound"), int), j.get("caps")):
        p = BINDS / 3001
        check(f"A share --caps: bound in 2027 in {p:.4f} of runs, within 4 SE",
                near(Fraction(c["runs_bound"], N1), p, SIGMAS * math.sqrt(p * (1 - p) / N1)), c)
        check("A share --caps: share is runs_bound / n to 6 places", c["share"] == share6(c["runs_bound"], N1), c)
    # In 2028 and 2029 30 % of the rest (62 and 115 million) is always above 7 000 000.
    for period in ["2028", "2029"]:
        c = by_period.get(period)
        check(f"A share --caps: bound in every run in {period}", c is not None and c.get("runs_bound") == N1 and c.get("share") == "1.000000", c)
    for period in ["2025", "2026"]:
        c = by_period.get(period)
        check(f"A share --caps: never bound in {period} (no waterfall)", c is None or c.get("runs_bound") == 0, c)
    check("A share: no returns without --party", "returns" not in j, list(j))

# --set beside a draw: a cap of 5 000 000 binds in 2027 from 26.32 %; the total is 40 000 000.
N = 5_000
j, _ = sim_json("A share, takbelopp 5 000 000", CONTRACT_A, "--data", PLAN, "--draw", DRAW_ANDEL, "--runs", N, "--seed", 12,
                "--caps", "--set", "takbelopp=5_000_000 SEK")
if j:
    d = dists_a([payments_a(andel=a, tak=5 * M) for a in ANDELS])
    for period, dd in zip(["2027", "2028", "2029", "total"], d):
        check_stats(f"A share, tak 5M, {period}", flow(j, "kommun", "utfallsfonden", period), N, dd)
    check("A share, tak 5M: the total is 40 000 000", d[3].values == [40 * M])
    c = [c for c in j.get("caps", []) if c.get("period") == "2027" and c.get("limit") == "capped at takbelopp"]
    p = BINDS_5M / 3001
    check(f"A share, tak 5M --caps: bound in 2027 in {p:.4f} of runs", len(c) == 1 and isinstance(c[0].get("runs_bound"), int)
            and near(Fraction(c[0]["runs_bound"], N), p, SIGMAS * math.sqrt(p * (1 - p) / N)), c)

# The default step of a percentage term: 10^-(d+4), d = 1 (20 % is 0.2): 0.00001, 30001 values.
N = 10_000
j, _ = sim_json("A share, default step", CONTRACT_A, "--data", PLAN, "--draw", "premieandel ~ uniform(20 %, 50 %)", "--runs", N)
if j:
    check_header("A share, default step", j, N, 1)
    check_draws("A share, default step", j, [("premieandel", "uniform(20 %, 50 %)", Fraction(1, 10**5))])
    andels = [Fraction(20, 100) + Fraction(k, 10**5) for k in range(30001)]
    d = Discrete([payments_a(andel=a)[0] for a in andels])
    check_stats("A share, default step, 2027", flow(j, "kommun", "utfallsfonden", "2027"), N, d)

# The default step of a money term: the minor unit. takbelopp from 6 999 000 to 7 001 000 SEK is
# 200 001 values; the 2027 premium (5 700 000) stays below it, 2028's (18 600 000) above it, so
# the total is 35 000 000 + takbelopp and 2028 pays 1 300 000 + takbelopp.
check("model: total is 35 000 000 + takbelopp near 7 000 000", all(payments_a(tak=t)[3] == 35 * M + t and payments_a(tak=t)[1] == 1_300_000 + t
                                                                   for t in (Fraction(6_999_000), Fraction("7000123.45"), Fraction(7_001_000))))
j, _ = sim_json("A cap drawn", CONTRACT_A, "--data", PLAN, "--draw", "takbelopp ~ uniform(6999000 SEK, 7001000 SEK)", "--runs", N, "--seed", 3)
if j:
    check_draws("A cap drawn", j, [("takbelopp", "uniform(6999000 SEK, 7001000 SEK)", CENT)])
    check_stats("A cap drawn, total", flow(j, "kommun", "utfallsfonden", "total"), N, Grid(41_999_000, CENT, 200_000))
    check_stats("A cap drawn, 2028", flow(j, "kommun", "utfallsfonden", "2028"), N, Grid(8_299_000, CENT, 200_000))
    check_stats("A cap drawn, 2027 unchanged", flow(j, "kommun", "utfallsfonden", "2027"), N, Discrete([Fraction(26_700_000)]))


# ---------------------------------------------------------------- 2. determinism

N = 3_000
DET = [CONTRACT_A, "--data", PLAN, "--draw", DRAW_ANDEL, "--draw", "hemtjanst_kostnad@2027 ~ uniform(160000000, 180000000)",
       "--correlate", "premieandel, hemtjanst_kostnad@2027 = 0.3", "--runs", N, "--caps", "--format", "json"]
outs = {t: sim(*DET, "-j", t) for t in ("1", "2", "3")}
check("determinism: exits 0 on 1, 2 and 3 threads", all(r.returncode == 0 for r in outs.values()),
        [r.stderr[-500:] for r in outs.values()])
check("determinism: the same bytes on 1, 2 and 3 threads", outs["1"].stdout == outs["2"].stdout == outs["3"].stdout and outs["1"].stdout,
        outs["1"].stdout[:300])
again = sim(*DET, "--seed", "1", "-j", "2")
check("determinism: the default seed is 1, the same bytes again", again.returncode == 0 and again.stdout == outs["1"].stdout, again.stderr)
other = sim(*DET, "--seed", "2")
check("determinism: another seed gives other values", other.returncode == 0 and other.stdout != outs["1"].stdout, other.stderr)
for fmt in ("text", "csv"):
    a = sim(CONTRACT_A, "--data", PLAN, "--draw", DRAW_ANDEL, "--runs", 500, "--format", fmt, "-j", "1")
    b = sim(CONTRACT_A, "--data", PLAN, "--draw", DRAW_ANDEL, "--runs", 500, "--format", fmt, "-j", "3")
    check(f"determinism: --format {fmt} exits 0, the same on 1 and 3 threads", a.returncode == b.returncode == 0 and a.stdout == b.stdout
            and a.stdout.strip(), a.stderr + b.stderr)


# ---------------------------------------------------------------- 3. input draws on scenario A

# One period: the cost of 2027, 160 .. 180 million in steps of a million (21 values).
N = 10_000
costs_2027 = [Fraction(160 * M + k * M) for k in range(21)]
cases = [payments_a(cost=plan_cost[:2] + [c] + plan_cost[3:]) for c in costs_2027]
check("model: 21 costs of 2027, the total still 42 000 000", len(cases) == 21 and {c[3] for c in cases} == {42 * M})
j, _ = sim_json("A cost@2027", CONTRACT_A, "--data", PLAN, "--draw", "hemtjanst_kostnad@2027 ~ uniform(160000000, 180000000) step 1000000",
                "--runs", N, "--seed", 5)
if j:
    check_draws("A cost@2027", j, [("hemtjanst_kostnad@2027", "uniform(160000000, 180000000)", Fraction(M))])
    for period, d in zip(["2027", "2028", "2029", "total"], dists_a(cases)):
        check_stats(f"A cost@2027, {period}", flow(j, "kommun", "utfallsfonden", period), N, d)

# Every period drawn independently: 150, 180 or 210 million in each of five periods (243 cases).
cases = [payments_a(cost=list(c)) for c in itertools.product([Fraction(150 * M), Fraction(180 * M), Fraction(210 * M)], repeat=5)]
D_EVERY = dists_a(cases)
check("model: every period drawn, 243 cases, totals vary", len(cases) == 243 and len(D_EVERY[3].values) > 3, D_EVERY[3].values)
j, _ = sim_json("A cost, every period", CONTRACT_A, "--data", PLAN, "--draw", "hemtjanst_kostnad ~ uniform(150000000, 210000000) step 30000000",
                "--runs", N, "--seed", 6)
if j:
    for period, d in zip(["2027", "2028", "2029", "total"], D_EVERY):
        check_stats(f"A cost, every period, {period}", flow(j, "kommun", "utfallsfonden", period), N, d)
        check_positive(f"A cost, every period, {period}", flow(j, "kommun", "utfallsfonden", period), N, d.p(lambda v: v > 0))
    total, fund, kommun = flow(j, "kommun", "utfallsfonden", "total"), party(j, "utfallsfonden"), party(j, "kommun")
    if total and fund and kommun:
        keys = [k for k in total if k not in ("from", "to", "currency", "period")]
        check("A cost, every period: utfallsfonden's net is the flow's total, run by run", {k: fund.get(k) for k in keys} == {k: total[k] for k in keys},
                (fund, total))
        check("A cost, every period: kommun's net is its negation (mean, sd, min, max)",
                (Fraction(kommun["mean"]), kommun["sd"], Fraction(kommun["min"]), Fraction(kommun["max"]))
                == (-Fraction(total["mean"]), total["sd"], -Fraction(total["max"]), -Fraction(total["min"])), (kommun, total))
    check_stats("A cost, every period: kommun's net", kommun, N, D_EVERY[3].map(lambda v: -v))

# scale(avropat): 0.5 .. 1.5 in steps of 0.1 (11 values), every period's financing times it.
scales = [Fraction(5 + k, 10) for k in range(11)]
cases = [payments_a(drawn=[d * s for d in plan_drawn]) for s in scales]
j, _ = sim_json("A scale(avropat)", CONTRACT_A, "--data", PLAN, "--draw", "scale(avropat) ~ uniform(0.5, 1.5) step 0.1", "--runs", N, "--seed", 8)
if j:
    check_draws("A scale(avropat)", j, [("scale(avropat)", "uniform(0.5, 1.5)", Fraction(1, 10))])
    for period, d in zip(["2027", "2028", "2029", "total"], dists_a(cases)):
        check_stats(f"A scale(avropat), {period}", flow(j, "kommun", "utfallsfonden", period), N, d)


# ---------------------------------------------------------------- 4. contracts written here

TERMS = """contract "Simulering"
currency SEK

party betalare
party mx
party my
party mmax
party mz
party mover
party mboth

periods yearly 2025 .. 2025

term x = 1000 SEK
term y = 1000 SEK
term z = 0.5

clause "1" "Dragningar" {
  pay px: betalare -> mx amount x
  pay py: betalare -> my amount y
  pay pm: betalare -> mmax amount max(x, y)
  pay pz: betalare -> mz amount z * 10_000 SEK
  pay po: betalare -> mover amount max(x - 1000 SEK, 0 SEK)
  pay pb: betalare -> mboth amount min(max(x - 1000 SEK, 0 SEK), max(y - 1000 SEK, 0 SEK))
}

example "fast" {
  set x = 1200 SEK
  set y = 1100.5 SEK
  set z = 0.123456
  expect betalare -> mx in 2025 = 1200 SEK
  expect betalare -> mmax in 2025 = 1200 SEK
  expect betalare -> mz in 2025 = 1234.56 SEK
  expect betalare -> mover in 2025 = 200 SEK
  expect betalare -> mboth in 2025 = 100.5 SEK
}
"""

INPUTS = """contract "Indata"
currency SEK

party investerare
party motpart
party ovan100
party ovan250
party ovan1000
party wmottagare

periods yearly 2025 .. 2026

input v : SEK per period in 2026 between 0 SEK and 2000 SEK
input w : number per period in 2026

clause "1" "Flöden" {
  pay insats: investerare -> motpart amount 1000 SEK in 2025
  pay pv: motpart -> investerare amount v in 2026
  pay k1: motpart -> ovan100 amount max(v - 100 SEK, 0 SEK) in 2026
  pay k2: motpart -> ovan250 amount max(v - 250.25 SEK, 0 SEK) in 2026
  pay k3: motpart -> ovan1000 amount max(v - 1000 SEK, 0 SEK) in 2026
  pay pw: motpart -> wmottagare amount w * 1 SEK in 2026
}

example "plan" data "plan.csv" {
  expect investerare -> motpart in 2025 = 1000 SEK
  expect motpart -> investerare in 2026 = 200 SEK
  expect motpart -> ovan100 in 2026 = 100 SEK
  expect motpart -> ovan250 in 2026 = 0 SEK
  expect motpart -> wmottagare in 2026 = 2.5 SEK
}
"""

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    S = tmp / "terms.utfall"
    S.write_text(TERMS, encoding="utf-8")
    R = tmp / "inputs.utfall"
    R.write_text(INPUTS, encoding="utf-8")
    RDATA = tmp / "plan.csv"
    RDATA.write_text("period,v,w\n2026,200,2.5\n", encoding="utf-8")
    for c in (S, R):
        r = subprocess.run([utfall, "test", str(c)], capture_output=True, text=True)
        check(f"{c.name}: the contract's own examples pass", r.returncode == 0, r.stdout + r.stderr)

    # Two equal normals with rank correlation rho: Pearson r = 2 sin(pi rho / 6).
    def correlated(rho, seed, pcts):
        n = 20_000
        r = 2 * math.sin(math.pi * rho / 6)
        label = f"normals, rho {rho}"
        extra = ["--percentiles", ",".join(pcts)] if pcts != PCTS else []
        j, _ = sim_json(label, S, "--draw", "x ~ normal(1000 SEK, 100 SEK)", "--draw", "y ~ normal(1000 SEK, 100 SEK)",
                        "--draw", "z ~ normal(0.5, 0.05)", "--correlate", f"x, y = {rho}", "--runs", n, "--seed", seed, *extra)
        if not j:
            return
        check_header(label, j, n, seed, pcts=pcts)
        # z: a plain term, parameters with 2 decimals: step 10^-6, so z * 10 000 SEK is whole öre.
        check_draws(label, j, [("x", "normal(1000 SEK, 100 SEK)", CENT), ("y", "normal(1000 SEK, 100 SEK)", CENT),
                               ("z", "normal(0.5, 0.05)", Fraction(1, 10**6))])
        for who in ("mx", "my"):
            check_stats(f"{label}: {who}", flow(j, "betalare", who, "2025"), n, normal(1000, 100, CENT), pcts=pcts)
        check_stats(f"{label}: z * 10 000 SEK", flow(j, "betalare", "mz", "2025"), n, normal(5000, 500, CENT), pcts=pcts)
        check_mean(f"{label}: max(x, y), r = {r:.4f}", flow(j, "betalare", "mmax", "2025"), n,
                   1000 + 100 * math.sqrt((1 - r) / math.pi), 100 * math.sqrt(1 - (1 - r) / math.pi))
        check_positive(f"{label}: x > 1000", flow(j, "betalare", "mover", "2025"), n, 1 - NormalDist(1000, 100).cdf(1000.005))
        check_mean(f"{label}: max(x - 1000, 0)", flow(j, "betalare", "mover", "2025"), n, 100 / math.sqrt(2 * math.pi),
                   100 * math.sqrt(0.5 - 1 / (2 * math.pi)))
        check_positive(f"{label}: x and y both above 1000", flow(j, "betalare", "mboth", "2025"), n, 0.25 + math.asin(r) / (2 * math.pi))
        # Each party's net: mx receives x; betalare pays all six flows (their means add up).
        mx, net = flow(j, "betalare", "mx", "total"), party(j, "mx")
        check(f"{label}: mx's net is its one flow", net is not None and mx is not None
                and all(net.get(k) == mx.get(k) for k in ["mean", "sd", *(f"p{p}" for p in pcts), "min", "max", "runs_positive"]), (net, mx))
        payer = party(j, "betalare")
        totals = [flow(j, "betalare", who, "total") for who in ("mx", "my", "mmax", "mz", "mover", "mboth")]
        if check(f"{label}: betalare's net and the six flows' totals present", payer is not None and all(totals), (payer, totals)):
            means = [Fraction(t["mean"]) for t in totals]
            check(f"{label}: betalare's mean net is minus the sum of the flows' means (each rounded to the öre)",
                  abs(Fraction(payer["mean"]) + sum(means)) <= Fraction(7, 200), (payer["mean"], means))
    correlated(0.5, 21, PCTS)
    correlated(-0.8, 22, ["2.5", "50", "97.5"])

    # Triangular and lognormal terms, z uniform: independent draws.
    n = 20_000
    j, _ = sim_json("triangular, lognormal", S, "--draw", "x ~ triangular(0 SEK, 300 SEK, 1200 SEK)", "--draw", "y ~ lognormal(7, 0.25)",
                    "--runs", n, "--seed", 23)
    if j:
        tri = triangular(0.0, 300.0, 1200.0, CENT)
        check_stats("triangular(0, 300, 1200)", flow(j, "betalare", "mx", "2025"), n, tri)
        check("model: triangular mean (a + b + c) / 3 = 500", tri.mean == 500)
        check_positive("triangular: x > 1000, (200)^2 / (1200 * 900)", flow(j, "betalare", "mover", "2025"), n, Fraction(200**2, 1200 * 900))
        ln = lognormal(7.0, 0.25, CENT)
        check_stats(f"lognormal(7, 0.25), mean exp(7.03125) = {ln.mean:.2f}", flow(j, "betalare", "my", "2025"), n, ln)
        check_stats("z not drawn: 5000", flow(j, "betalare", "mz", "2025"), n, Discrete([Fraction(5000)]))

    # A step for a normal: the value rounded to the nearest multiple of 50 SEK.
    n = 10_000
    j, _ = sim_json("normal step 50 SEK", S, "--draw", "x ~ normal(1010 SEK, 100 SEK) step 50 SEK", "--runs", n, "--seed", 24)
    if j:
        check_draws("normal step 50 SEK", j, [("x", "normal(1010 SEK, 100 SEK)", Fraction(50))])
        d = rounded_normal(1010, 100, 50, 0, 2100)
        check_stats("normal(1010, 100) step 50", flow(j, "betalare", "mx", "2025"), n, d)
        check_positive("normal(1010, 100) step 50: x > 1000 (x >= 1050)", flow(j, "betalare", "mover", "2025"), n, d.p(lambda v: v > 1000))

    # Run i's draws depend on the seed, i and the draw: a second draw after x leaves x's values.
    n = 2_000
    j1, _ = sim_json("x alone", S, "--draw", "x ~ normal(1000 SEK, 100 SEK)", "--runs", n, "--seed", 7)
    j2, _ = sim_json("x, then y", S, "--draw", "x ~ normal(1000 SEK, 100 SEK)", "--draw", "y ~ triangular(0 SEK, 300 SEK, 1200 SEK)",
                     "--runs", n, "--seed", 7)
    if j1 and j2:
        check("x alone and x then y: x's flow the same", flow(j1, "betalare", "mx", "2025") == flow(j2, "betalare", "mx", "2025"),
                (flow(j1, "betalare", "mx", "2025"), flow(j2, "betalare", "mx", "2025")))
    # One run: sd 0, every statistic the one value.
    j, _ = sim_json("one run", S, "--draw", "x ~ normal(1000 SEK, 100 SEK)", "--runs", 1)
    if j:
        row = flow(j, "betalare", "mx", "2025")
        check("one run: sd 0.00, mean = min = max = every percentile", row is not None and row["sd"] == "0.00"
                and len({row[k] for k in ("mean", "min", "max", "p5", "p50", "p95")}) == 1, row)

    # Empirical: four rows, one value twice; counted exactly through the threshold payments.
    EMP = tmp / "utfall.csv"
    EMP.write_text("rad,belopp,annat\n1,100,7\n2,250.25,7\n3,250.25,7\n4,1500.5,7\n", encoding="utf-8")
    n = 4_000
    j, _ = sim_json("empirical", R, "--data", RDATA, "--draw", f"v@2026 ~ empirical({EMP}, belopp)", "--draw", "w@2026 ~ uniform(0, 1)",
                    "--runs", n, "--seed", 31)
    if j:
        check_draws("empirical", j, [("v@2026", f"empirical({EMP}, belopp)", None), ("w@2026", "uniform(0, 1)", Fraction(1, 10))])
        rows = {who: flow(j, "motpart", who, "2026") for who in ("investerare", "ovan100", "ovan250", "ovan1000")}
        if check("empirical: rows present, with runs_positive", all(r and isinstance(r.get("runs_positive"), int) for r in rows.values()), rows):
            above100, above250 = rows["ovan100"]["runs_positive"], rows["ovan250"]["runs_positive"]
            counts = {Fraction(100): n - above100, Fraction("250.25"): above100 - above250, Fraction("1500.5"): above250}
            for v, want in [(Fraction(100), Fraction(1, 4)), (Fraction("250.25"), Fraction(1, 2)), (Fraction("1500.5"), Fraction(1, 4))]:
                check(f"empirical: {v} drawn in {float(want):.2f} of runs, within 4 SE",
                        near(Fraction(counts[v], n), want, SIGMAS * math.sqrt(want * (1 - want) / n)), counts)
            check("empirical: above 1000 exactly when 1500.5", rows["ovan1000"]["runs_positive"] == above250, rows["ovan1000"])
            # The sample itself is known: its exact mean, sd (n - 1) and nearest-rank percentiles.
            mean = sum(v * c for v, c in counts.items()) / n
            square = sum((v - mean) ** 2 * c for v, c in counts.items()) / (n - 1)
            ordered = sorted(counts)

            def ranked(k):
                acc = 0
                for v in ordered:
                    acc += counts[v]
                    if acc >= k:
                        return v

            want = {"mean": money(round_fraction(mean, CENT, "half_even")), "sd": money(round_sqrt(square, CENT)),
                    "min": money(min(v for v in ordered if counts[v])), "max": money(max(v for v in ordered if counts[v])),
                    "runs_positive": n, "p_positive": "1.000000"}
            for p in PCTS:
                want[f"p{p}"] = money(ranked(max(1, math.ceil(Fraction(p) * n / 100))))
            row = rows["investerare"]
            check("empirical: the sample's exact mean, sd, percentiles, min and max", {k: row.get(k) for k in want} == want,
                    ({k: row.get(k) for k in want}, want))
        # w: a number input, data 2.5 and parameters 0 and 1: step 10^-1, 11 values.
        check_stats("w ~ uniform(0, 1), default step 0.1", flow(j, "motpart", "wmottagare", "2026"), n, Grid(0, Fraction(1, 10), 10))
        check_positive("w ~ uniform(0, 1)", flow(j, "motpart", "wmottagare", "2026"), n, Fraction(10, 11))
        check_flow_rows("empirical", j, "motpart", "investerare", ["2025", "2026"])

    # Returns of the investor: 1000 out in 2025, v in 2026: multiple v / 1000, IRR v / 1000 - 1,
    # none when v = 0 (all paid by the investor).
    n = 10_000
    j, _ = sim_json("returns", R, "--data", RDATA, "--draw", "v@2026 ~ uniform(0, 1500) step 300", "--runs", n, "--seed", 32,
                    "--party", "investerare")
    if j:
        ret = j.get("returns")
        if check("returns: present for investerare", isinstance(ret, dict) and ret.get("party") == "investerare", ret):
            vs = [Fraction(300 * k) for k in range(6)]
            mult = Discrete([v / 1000 for v in vs])
            check_stats("returns: multiple", ret.get("multiple"), n, mult, places=None, shown=Fraction(1, 10**4))
            irr = ret.get("irr") or {}
            without = irr.get("runs_without")
            if check("returns: runs without an IRR, 1/6 of runs", isinstance(without, int)
                       and near(Fraction(without, n), Fraction(1, 6), SIGMAS * math.sqrt(5 / 36 / n)), irr):
                check_stats("returns: IRR", irr, n - without, Discrete([v / 1000 - 1 for v in vs if v]), places=None, shown=Fraction(1, 10**4))
        check_stats("returns: the investor's net", party(j, "investerare"), n, Discrete([v - 1000 for v in [Fraction(300 * k) for k in range(6)]]))

    # Failed runs: v drawn above its declared range (at most 2000 SEK) in 2 of 7 values.
    n = 2_000
    j, r = sim_json("failed runs", R, "--data", RDATA, "--draw", "v@2026 ~ uniform(0, 3000) step 500", "--runs", n, "--seed", 33, code=65)
    check("failed runs: the first failure's message on stderr", r.stderr.strip() != "", r.stderr)
    if j:
        failed = j.get("failed")
        if check("failed runs: about 2/7 of runs", isinstance(failed, int) and near(Fraction(failed, n), Fraction(2, 7),
                                                                                        SIGMAS * math.sqrt(10 / 49 / n)), failed):
            ok = n - failed
            check_header("failed runs", j, n, 33, failed=failed)
            d = Discrete([Fraction(500 * k) for k in range(5)])
            check_stats("failed runs: statistics over the others", flow(j, "motpart", "investerare", "2026"), ok, d)
            check_positive("failed runs: share positive among the others", flow(j, "motpart", "investerare", "2026"), ok, Fraction(4, 5))
    # An evaluation that fails: z * 10 000 SEK whole öre only when z is a multiple of 10^-6.
    j, r = sim_json("failed evaluations", S, "--draw", "z ~ uniform(0, 1) step 0.0000001", "--runs", n, "--seed", 34, code=65)
    check("failed evaluations: the first failure's message (E602) on stderr", "E602" in r.stderr, r.stderr)
    if j and check("failed evaluations: failed counted", isinstance(j.get("failed"), int), j.get("failed")):
        check("failed evaluations: about 9/10 of runs", near(Fraction(j["failed"], n), Fraction(9, 10), SIGMAS * math.sqrt(0.09 / n)), j["failed"])

    # ------------------------------------------------------------ 5. bad options: 64, `utfall: `
    BASE_A = [CONTRACT_A, "--data", PLAN, "--runs", 10]
    GOOD = ["--draw", DRAW_ANDEL]
    BAD = [
        ("an unknown term", BASE_A + ["--draw", "nosuch ~ uniform(1, 2)"], "--draw"),
        ("an unknown input", BASE_A + ["--draw", "nosuch@2027 ~ uniform(1, 2)"], "--draw"),
        ("a period the contract lacks", BASE_A + ["--draw", "hemtjanst_kostnad@2031 ~ uniform(1, 2)"], "--draw"),
        ("scale of an unknown input", BASE_A + ["--draw", "scale(nosuch) ~ uniform(0.5, 1.5)"], "--draw"),
        ("an unknown distribution", BASE_A + ["--draw", "premieandel ~ gamma(20 %, 50 %)"], "--draw"),
        ("a missing parameter", BASE_A + ["--draw", "premieandel ~ uniform(20 %)"], "--draw"),
        ("no ~", BASE_A + ["--draw", "premieandel uniform(20 %, 50 %)"], "--draw"),
        ("a parameter in the wrong unit", BASE_A + ["--draw", "takbelopp ~ uniform(1, 2)"], "--draw"),
        ("LO above HI", BASE_A + ["--draw", "premieandel ~ uniform(50 %, 20 %)"], "--draw"),
        ("a negative SD", BASE_A + ["--draw", "takbelopp ~ normal(7_000_000 SEK, -1 SEK)"], "--draw"),
        ("MODE above HI", BASE_A + ["--draw", "premieandel ~ triangular(20 %, 60 %, 50 %)"], "--draw"),
        ("MODE below LO", BASE_A + ["--draw", "premieandel ~ triangular(20 %, 10 %, 50 %)"], "--draw"),
        ("--runs 0", [CONTRACT_A, "--data", PLAN, *GOOD, "--runs", 0], "--runs"),
        ("--runs above 10 000 000", [CONTRACT_A, "--data", PLAN, *GOOD, "--runs", 10_000_001], "--runs"),
        ("--runs not a number", [CONTRACT_A, "--data", PLAN, *GOOD, "--runs", "many"], "--runs"),
        ("a percentile not a number", BASE_A + GOOD + ["--percentiles", "5,fifty"], "--percentiles"),
        ("a percentile above 100", BASE_A + GOOD + ["--percentiles", "5,101"], "--percentiles"),
        ("a percentile below 0", BASE_A + GOOD + ["--percentiles", "-1,50"], "--percentiles"),
        ("a correlation above 1", BASE_A + GOOD + ["--draw", "takbelopp ~ uniform(6_000_000 SEK, 8_000_000 SEK)",
                                                    "--correlate", "premieandel, takbelopp = 1.5"], "--correlate"),
        ("a correlation below -1", BASE_A + GOOD + ["--draw", "takbelopp ~ uniform(6_000_000 SEK, 8_000_000 SEK)",
                                                     "--correlate", "premieandel, takbelopp = -1.01"], "--correlate"),
        ("an unknown name in --correlate", BASE_A + GOOD + ["--correlate", "premieandel, nosuch = 0.5"], "--correlate"),
        ("a name in --correlate that is not drawn", BASE_A + GOOD + ["--correlate", "premieandel, takbelopp = 0.5"], "--correlate"),
        # 2 sin(pi 0.9 / 6) = 0.908: x~y and y~z strongly, x~z strongly against: not positive definite.
        ("correlations impossible together", [S, "--runs", 10, "--draw", "x ~ normal(1000 SEK, 100 SEK)", "--draw", "y ~ normal(1000 SEK, 100 SEK)",
                                              "--draw", "z ~ normal(0.5, 0.05)", "--correlate", "x, y = 0.9", "--correlate", "y, z = 0.9",
                                              "--correlate", "x, z = -0.9"], "--correlate"),
        ("an empirical file that is missing", [R, "--data", RDATA, "--runs", 10, "--draw", f"v@2026 ~ empirical({tmp / 'none.csv'}, belopp)"], "--draw"),
        ("an empirical column that is missing", [R, "--data", RDATA, "--runs", 10, "--draw", f"v@2026 ~ empirical({EMP}, nosuch)"], "--draw"),
        ("an unknown --party", BASE_A + GOOD + ["--party", "nosuch"], "--party"),
    ]
    for label, args, option in BAD:
        r = sim(*args)
        # `utfall: `, or `utfall simulate: ` as the other commands write their usage errors
        # (cli::usage: `utfall returns: --party ...`, `utfall solve: ...`), or CLI11's own message
        # for an option value that is not a number (`Could not convert: --runs = many`), as for
        # every command.
        check(f"bad option, {label}: exit 64, `utfall: ` naming {option}", r.returncode == 64
                and any(line.startswith(("utfall: ", "utfall simulate: ", "Could not convert: ")) for line in r.stderr.splitlines())
                and option in r.stderr,
                f"exit {r.returncode}: {r.stderr.strip()[:400]}")

# The README's example prints what it shows, byte for byte (the same seed gives the same output on
# every machine and thread count), and says what the model says of its range: the fund always
# gets kapital 35 000 000 and the capped premium 7 000 000 in total (scale at most 1.1 leaves the
# freed resources to 2029 at least 200*5 - 1.1*850 = 65 million, above 35 + 7/0.25).
examples = doc_examples(src / "README.md", "simulate")
check("README: has a simulate example", len(examples) == 1, len(examples))
for argv, lines in examples:
    r = subprocess.run([utfall, *argv, "-j", "2"], capture_output=True, text=True, cwd=src)
    check("README: the simulate example prints what it shows", r.returncode == 0 and r.stdout.rstrip("\n").split("\n") == lines,
          r.stdout + r.stderr)
    total = [line for line in lines if line.startswith("kommun -> utfallsfonden  total")]
    check("README: the fund gets 42 000 000.00 in total in every run",
          len(total) == 1 and total[0].split()[4:] == ["42,000,000.00", "0.00"] + ["42,000,000.00"] * 4 + ["1.000"], total)

# Cases a review found, each against what docs/cli.md says.
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    two = tmp / "two.utfall"
    two.write_text('''contract "Two caps"
currency SEK
party a "A"
party b "B"
periods yearly 2025 .. 2026
input x : SEK per period
term tak = 100 SEK
clause "1" {
  pay pp: a -> b amount x capped at tak per period
}
clause "2" {
  pay q: a -> b amount x / 2 capped at tak per period
}
''', encoding="utf-8")
    xdata = tmp / "x.csv"
    xdata.write_text("period,x\n2025,50\n2026,50\n")
    # x@2025 uniform on 0, 10, ..., 300 (31 values): pp's cap binds for x > 100 (20 values), q's
    # (x / 2 > 100) for x > 200 (10 values); each rule is named by its own clause.
    out, _ = sim_json("two rules with the same cap text", two, "--data", xdata, "--draw", "x@2025 ~ uniform(0, 300) step 10", "--runs", 31000,
                      "--caps")
    if out:
        caps = {(c["clause"], c["rule"], c["period"]): c["runs_bound"] for c in out["caps"]}
        n = 31000
        for (clause, rule, bound) in [("1", "pp", 20), ("2", "q", 10)]:
            got = caps.get((clause, rule, "2025"))
            p = Fraction(bound, 31)
            se = math.sqrt(float(p * (1 - p)) / n)
            check(f"caps: clause {clause} is rule {rule}, bound in {bound}/31 of runs", got is not None and abs(got / n - float(p)) <= 4 * se,
                  out["caps"])
        check("caps: no row names a rule of another clause", all((c["clause"], c["rule"]) in {("1", "pp"), ("2", "q")} for c in out["caps"]),
              out["caps"])
    # A percentage input written `50` in its data: the default step is 1 % (0.01 as held), so
    # `uniform(40, 60)` draws 21 values and andel * 1000 SEK pays 400, 410, ..., 600.
    pct = tmp / "pct.utfall"
    pct.write_text('''contract "Andel"
currency SEK
party a "A"
party b "B"
periods yearly 2025 .. 2025
input andel : percent per period
clause "1" {
  pay p: a -> b amount andel * 1000 SEK
}
''', encoding="utf-8")
    pdata = tmp / "pct.csv"
    pdata.write_text("period,andel\n2025,50\n")
    out, _ = sim_json("percent input, default step", pct, "--data", pdata, "--draw", "andel@2025 ~ uniform(40, 60)", "--runs", 4000,
                      "--percentiles", "0,100")
    if out:
        check("percent input: the step is 0.01 (1 %)", out["draws"][0]["step"] == "0.01", out["draws"])
        row = next(f for f in out["flows"] if f["period"] == "2025")
        check("percent input: 400.00 to 600.00 in steps of 10", row["min"] == "400.00" and row["max"] == "600.00", row)
    # Two currencies: SEK has `minor 1`, so its statistics are whole kronor.
    out, _ = sim_json("two currencies", src / "examples/l-currencies/contract.utfall", "--data", src / "examples/l-currencies/plan.csv",
                      "--draw", "placeringar ~ uniform(25, 45)", "--runs", 300)
    if out:
        sek = [f for f in out["flows"] + out["parties"] if f["currency"] == "SEK"]
        check("two currencies: SEK statistics in whole kronor", sek and all("." not in f["mean"] and "." not in f["sd"] for f in sek), sek[:2])
    # A scaled series is not checked against the declared range (as --set scale): 10 * 1.05 = 10.5
    # events of a `whole` input.
    out, _ = sim_json("scale beyond a whole input", src / "examples/h-ranges/contract.utfall", "--data", src / "examples/h-ranges/plan.csv",
                      "--data", src / "examples/h-ranges/deltagare.csv", "--draw", "scale(anmalningar) ~ uniform(1.05, 1.05)", "--runs", 5)
    if out:
        check("scale beyond a whole input: no run fails", out["failed"] == 0, out["failed"])
    for label, args in [
        ("a parameter without a finite decimal", [two, "--data", xdata, "--draw", "tak ~ normal(100 SEK / 3, 1 SEK)"]),
        ("a step without a finite decimal", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK) step 1 SEK / 3"]),
        ("a uniform grid of 2^52 points", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 100000000000000 SEK) step 0.01 SEK"]),
        ("INPUT@PERIOD outside the input's periods", [src / "examples/d-norrkoping/contract.utfall", "--data",
                                                     src / "examples/d-norrkoping/data.csv", "--draw", "forbattrade_resultat@2019 ~ uniform(1, 2)"]),
        ("a negative seed", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK)", "--seed", "-1"]),
        ("a seed beyond 2^64", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK)", "--seed", "18446744073709551616"]),
        ("negative runs", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK)", "--runs", "-5"]),
        ("a percentile twice", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK)", "--percentiles", "50,50"]),
        ("a percentile with a sign", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK)", "--percentiles", "+5"]),
        ("a pair correlated twice", [two, "--data", xdata, "--draw", "tak ~ uniform(0 SEK, 1 SEK)", "--draw", "x@2025 ~ uniform(0, 1)",
                                     "--correlate", "tak, x@2025 = 0.5", "--correlate", "x@2025, tak = -0.5"]),
        ("an input both scaled by --set and drawn", [two, "--data", xdata, "--draw", "x@2025 ~ uniform(0, 1)", "--set", "scale(x)=2"]),
    ]:
        args = [*args, "--runs", 10] if "--runs" not in args else args
        r = sim(*args)
        check(f"refused: {label}: exit 64", r.returncode == 64 and r.stderr.startswith("utfall simulate: "), f"exit {r.returncode}: {r.stderr[:300]}")

# The text table counts characters, not bytes: a party `bö` keeps every row as long as the header.
with tempfile.TemporaryDirectory() as tmp:
    u = Path(tmp) / "u.utfall"
    u.write_text('''contract "Bredd"
currency SEK
party a "A"
party bö "B med prick"
periods yearly 2025 .. 2025
term k = 10 SEK
clause "1" {
  pay p: a -> bö amount k
}
''', encoding="utf-8")
    r = sim(u, "--draw", "k ~ uniform(1 SEK, 3 SEK)", "--runs", 50)
    lines = r.stdout.split("\n")
    table = lines[lines.index("") + 1:] if "" in lines else []
    table = [line for line in table if line][:5]
    check("text table: every row as long as the header, in characters", r.returncode == 0 and len(table) >= 3
          and len({len(line) for line in table}) == 1, table)

T.finish()
