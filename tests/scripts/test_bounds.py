"""`utfall bounds`: the most each flow can pay over all data the inputs' ranges allow.

Scenario A (examples/a-aldreomsorg) under stated ranges, against bounds derived by hand from
docs/language.md §17 (below) and against a brute force over a grid of data sets with the
independent model of scriptlib.scenario_a; the unbounded case and its path; witnesses that
`utfall run` reproduces; bad assumptions. Then soundness on generated contracts: every
generated data set lies in the box its own minima and maxima span, so no amount `utfall run`
pays on it may lie outside the bounds computed under that box.

Hand derivation, hemtjanst_kostnad in 150 000 000 .. 250 000 000 and avropat in 0 .. 20 000 000:
frigjort = max(200 000 000 - cost, 0) is at most 50 000 000 a year, so the pool (its sum to
date) is at most 250 000 000 in 2029; the capital tier takes at most to_date(avropat) =
100 000 000 by 2029; the premium at most takbelopp = 7 000 000. The fund is paid the increase
of its entitlement (netted), so its total is its largest entitlement: 107 000 000, reached with
the cost at 150 000 000 and avropat at 20 000 000 in every year. In one period: the first
payment year, 2027, pays at most 60 000 000 + 7 000 000 = 67 000 000 (reached by the same
data); a later year pays only the increase over earlier entitlements, at most 50 000 000 of
more capital (one year's saving) plus the premium's increase, so 67 000 000 is the most in one
period, below the interval bound (which takes the earlier years' payments as possibly 0).
"""
import csv
import itertools
import json
import random
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally, command_json, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
folder = src / "examples/a-aldreomsorg"
contract = folder / "contract.utfall"
T = Tally()


def eq(label, got, want):
    T.check(label, got == want, f"got {got!r}, expected {want!r}")


M = 1_000_000
BOX = ["--assume", "hemtjanst_kostnad in 150000000..250000000", "--assume", "avropat in 0..20000000"]


def bounds(*args):
    return subprocess.run([utfall, "bounds", *map(str, args)], capture_output=True, text=True)


def bounds_json(label, *args):
    return command_json(T, [utfall, "bounds", *args, "--format", "json"], label)


def flow(j, frm, to):
    for f in j["flows"]:
        if f["from"] == frm and f["to"] == to:
            return f
    return None


def money(x):
    cents = int(Fraction(x) * 100)
    return f"{cents // 100}.{cents % 100:02d}"


# --- Scenario A under the box -------------------------------------------------------------------
with tempfile.TemporaryDirectory() as tmp:
    j = bounds_json("A box", contract, *BOX, "--smallest", "--witness", tmp)
    f = j and flow(j, "kommun", "utfallsfonden")
    T.check("A box: the flow kommun -> utfallsfonden", f is not None, j)
    if f:
        total, period = f["most_in_total"], f["most_in_one_period"]
        eq("A box: most in total (by hand)", total["bound"], money(107 * M))
        T.check("A box: most in total is reached", total["reached"] is True, total)
        eq("A box: the most found in total equals the bound", total.get("found"), money(107 * M))
        eq("A box: the per-period bound (interval, 2029)", (period["bound"], period.get("period")), (money(107 * M), "2029"))
        T.check("A box: the per-period bound is not claimed reached", period["reached"] is False, period)
        eq("A box: the most found in one period (by hand: 2027)", (period.get("found"), period.get("found_period")), (money(67 * M), "2027"))
        eq("A box: least in total (nothing freed)", (f["least_in_total"]["bound"], f["least_in_total"]["reached"]), (money(0), True))
        limits = " | ".join(f["limits"])
        T.check("A box: the limits name the capital tier's limit", "kapital" in limits and "to_date(avropat)" in limits, limits)
        T.check("A box: the limits name the premium cap", "takbelopp" in limits, limits)
        # The witness reproduces the bound with `utfall run`.
        w = total.get("witness")
        T.check("A box: a witness file is written", w is not None and Path(w).is_file(), total)
        if w and Path(w).is_file():
            rows = list(csv.DictReader(open(w)))
            inside = all(150 * M <= Fraction(r["hemtjanst_kostnad"]) <= 250 * M and 0 <= Fraction(r["avropat"]) <= 20 * M for r in rows)
            T.check("A box: the witness lies in the box", inside and len(rows) == 5, rows)
            model = sum(scenario_a([r["hemtjanst_kostnad"] for r in rows], [r["avropat"] for r in rows], 200 * M, Fraction(3, 10), 7 * M))
            eq("A box: the model pays the bound on the witness", model, 107 * M)
            r = subprocess.run([utfall, "run", contract, "--data", w, "--format", "json"], capture_output=True, text=True)
            T.check("A box: run on the witness exits 0", r.returncode == 0, r.stderr)
            if r.returncode == 0:
                paid = sum(Fraction(p["amount"]) for p in json.loads(r.stdout)["payments"] if p["to"] == "utfallsfonden")
                eq("A box: run on the witness pays the bound", paid, 107 * M)

    # Brute force with the model over a grid: each input at its two ends and its middle in each
    # period (3^10 data sets). No total and no period's payment may exceed the bounds.
    best_total, best_period = Fraction(0), Fraction(0)
    levels_cost, levels_drawn = [150 * M, 200 * M, 250 * M], [0, 10 * M, 20 * M]
    for choice in itertools.product(range(3), repeat=10):
        cost = [levels_cost[c] for c in choice[:5]]
        drawn = [levels_drawn[c] for c in choice[5:]]
        pay = scenario_a(cost, drawn, 200 * M, Fraction(3, 10), 7 * M)
        best_total, best_period = max(best_total, sum(pay)), max(best_period, max(pay))
    eq("A grid: the largest total on the grid is the bound", best_total, 107 * M)
    eq("A grid: the largest period's payment on the grid is the most found", best_period, 67 * M)

# --- Unbounded ---------------------------------------------------------------------------------
j = bounds_json("A open", contract)
f = j and flow(j, "kommun", "utfallsfonden")
if f:
    t = f["most_in_total"]
    T.check("A open: most in total is unbounded", t["bound"] is None, t)
    why = t.get("unbounded", "")
    T.check("A open: the path names hemtjanst_kostnad's missing lower bound", "`hemtjanst_kostnad` has no lower bound" in why, why)
    T.check("A open: ... and avropat's missing upper bound", "`avropat` has no upper bound" in why, why)
    T.check("A open: ... through frigjort, the pool and the capital tier", all(s in why for s in ["`frigjort`", "pool", "kapital"]), why)
r = bounds(contract)
T.check("A open: the text says unbounded", r.returncode == 0 and "unbounded: " in r.stdout, r.stdout + r.stderr)

# Only avropat bounded: the capital tier is bounded by it and the premium by its cap (by hand:
# 5 * 20 000 000 + 7 000 000), however large the saving.
j = bounds_json("A drawn only", contract, "--assume", "avropat in 0..20000000")
f = j and flow(j, "kommun", "utfallsfonden")
if f:
    eq("A drawn only: most in total", f["most_in_total"]["bound"], money(107 * M))
    T.check("A drawn only: reached", f["most_in_total"]["reached"] is True, f["most_in_total"])

# A term override moves the bound: takbelopp 9 000 000 -> 109 000 000.
j = bounds_json("A set", contract, *BOX, "--set", "takbelopp=9_000_000 SEK")
f = j and flow(j, "kommun", "utfallsfonden")
if f:
    eq("A set: most in total with takbelopp 9 000 000", f["most_in_total"]["bound"], money(109 * M))

# A scaled input (--set 'scale(avropat)=0.5'): the capital drawn is at most 10 000 000 a year,
# so by hand 5 * 10 000 000 + 7 000 000; the witness is data as written (avropat up to
# 20 000 000), which `run` with the same --set reproduces the bound with.
with tempfile.TemporaryDirectory() as tmp:
    j = bounds_json("A scaled", contract, *BOX, "--set", "scale(avropat)=0.5", "--witness", tmp)
    f = j and flow(j, "kommun", "utfallsfonden")
    if f:
        eq("A scaled: most in total", (f["most_in_total"]["bound"], f["most_in_total"]["reached"]), (money(57 * M), True))
        w = f["most_in_total"].get("witness")
        if w:
            rows = list(csv.DictReader(open(w)))
            T.check("A scaled: the witness is written unscaled, inside the box", all(Fraction(r["avropat"]) <= 20 * M for r in rows), rows)
            r = subprocess.run([utfall, "run", contract, "--data", w, "--set", "scale(avropat)=0.5", "--format", "json"],
                               capture_output=True, text=True)
            paid = sum(Fraction(p["amount"]) for p in json.loads(r.stdout)["payments"]) if r.returncode == 0 else None
            eq("A scaled: run with the scale on the witness pays the bound", paid, 57 * M)

# --- Cases a review found the interval reading got wrong, each with data inside the ranges
# that a run pays on: the run's amounts must lie within the bounds (by hand below).
HEAD = 'contract "t"\ncurrency SEK\nparty a\nparty b\nparty c\n'
CASES = [
    # One of two periods, compared with `period`: x = 6 makes start 2026, so 2025 pays 100.
    ("a period chosen by the data", HEAD + """periods yearly 2025 .. 2026
input x : number per period between 0 and 10
clause "1" { let start = if x > 5 then @2026 else @2025
  pay q: a -> b amount 100 SEK when period < start }
""", [], {"x.csv": "period,x\n2025,6\n2026,6\n"}, {("a", "b"): "100.00"}),
    # A record paid -100 in 2025 (the payment's floor keeps the total at 0) has 200 left of its
    # cap of 100 in 2026, so it is paid 150 then.
    ("a per-participant cap after a negative amount", HEAD + """periods yearly 2025 .. 2026
input d : participants { id : text }
clause "1" { pay q: a -> b for each u in d amount if period = @2025 then -100 SEK else 150 SEK
    capped at 100 SEK per participant at least 0 SEK }
""", ["--assume", "count(d) in 0..1"], {"d.csv": "id\nr1\n"}, {("a", "b"): "150.00"}),
    # An unlimited tier with a cap leaves the rest to the next tier: x = 100 pays c 90.
    ("an unlimited tier with a cap", HEAD + """periods yearly 2025 .. 2025
input x : SEK per period between 0 SEK and 100 SEK
term lim = unlimited SEK
clause "1" { waterfall f: a pays x {
    b up to lim, capped at 10 SEK
    c up to 1000 SEK } }
""", [], {"x.csv": "period,x\n2025,100\n"}, {("a", "b"): "10.00"}),
    # The same with rounding down to 10: x = 15 pays c 5.
    ("an unlimited tier with rounding", HEAD + """periods yearly 2025 .. 2025
input x : SEK per period between 0 SEK and 100 SEK
term lim = unlimited SEK
clause "1" { waterfall f: a pays x {
    b up to lim, rounded down to 10 SEK
    c up to 1000 SEK } }
""", [], {"x.csv": "period,x\n2025,15\n"}, {("a", "b"): "100.00"}),
    # up to 30 then the rest to the same payee: b gets all of x, at most 100 a period.
    ("a tier up to a limit, then the rest", HEAD + """periods yearly 2025 .. 2026
input x : SEK per period between 0 SEK and 100 SEK
clause "1" { waterfall f: a pays x {
    b up to 30 SEK
    rest to b } }
""", [], {"x.csv": "period,x\n2025,100\n2026,40\n"}, {("a", "b"): "200.00"}),
]
with tempfile.TemporaryDirectory() as tmp:
    for label, text, assume, files, expected in CASES:
        case = Path(tmp) / label.replace(" ", "_")
        case.mkdir()
        (case / "c.utfall").write_text(text, encoding="utf-8")
        for name, data in files.items():
            (case / name).write_text(data, encoding="utf-8")
        j = bounds_json(label, case / "c.utfall", *assume)
        r = subprocess.run([utfall, "run", case / "c.utfall", "--data", *[case / n for n in files], "--format", "json"],
                           capture_output=True, text=True)
        T.check(f"{label}: the run exits 0", r.returncode == 0, r.stderr)
        if not j or r.returncode != 0:
            continue
        paid = {}
        for p in json.loads(r.stdout)["payments"]:
            paid.setdefault((p["from"], p["to"]), []).append(Fraction(p["amount"]))
        for fb in j["flows"]:
            got = paid.get((fb["from"], fb["to"]), [])
            most, top = fb["most_in_total"]["bound"], fb["most_in_one_period"]["bound"]
            T.check(f"{label}: {fb['from']} -> {fb['to']} pays within the bounds",
                    (most is None or sum(got) <= Fraction(most)) and (top is None or all(v <= Fraction(top) for v in got)),
                    f"{got} against {most}, {top}")
        for (frm, to), want in expected.items():
            eq(f"{label}: most in total {frm} -> {to} (by hand)", (flow(j, frm, to) or {}).get("most_in_total", {}).get("bound"), want)

# A date the calendar does not have stops every run with an error (E613, E605, E614), so nothing
# is ever paid: `bounds` must still answer (it once aborted on these), and must not claim that
# its most is reached by any data set.
DATED = [
    ("E613", "periods yearly 2025 .. 2026", "if add_months(date 2026-01-31, 1) > date 2026-01-31 then x * 1 SEK else 0 SEK"),
    ("E605", "periods yearly 2025 .. 2026", "if add_days(date 9999-12-01, 100) > date 9999-12-01 then x * 1 SEK else 0 SEK"),
    ("E614", "periods H1 = 2026-01-01 .. 2026-06-30, H2 = 2026-07-01 .. 2026-12-31",
     "if period_of(date 2020-02-15) = period then x * 1 SEK else 0 SEK"),
    ("E614", "periods H1 = 2026-01-01 .. 2026-06-30, H2 = 2026-07-01 .. 2026-12-31",
     "if days_in(@H2 + 1) > 0 then x * 1 SEK else 0 SEK"),
]
with tempfile.TemporaryDirectory() as tmp:
    for i, (code, periods, amount) in enumerate(DATED):
        c, d = Path(tmp) / f"d{i}.utfall", Path(tmp) / f"d{i}.csv"
        c.write_text(HEAD + periods + """
input x : number per period between 0 and 10
clause "1" { pay q: a -> b amount """ + amount + " }\n", encoding="utf-8")
        names = ["2025", "2026"] if "yearly" in periods else ["H1", "H2"]
        d.write_text("period,x\n" + "".join(f"{p},1\n" for p in names), encoding="utf-8")
        label = f"dates {i} ({code})"
        r = subprocess.run([utfall, "run", c, "--data", d], capture_output=True, text=True)
        T.check(f"{label}: the run stops with {code}", r.returncode != 0 and f"error[{code}]" in r.stderr, r.stderr)
        j = bounds_json(label, c)
        f = j and flow(j, "a", "b")
        T.check(f"{label}: bounds names the flow a -> b", bool(f), j)
        if f:
            T.check(f"{label}: the most in total is not claimed reached", f["most_in_total"]["reached"] is False, f["most_in_total"])

# A value that squares itself each period (its digits double): the analysis gives up an end past
# the evaluator's 10 000 digits (unbounded, saying why) instead of computing 2^100 digits, and
# answers at once. By hand, s's largest value h(t) = h(t-1)^2 * 3 from h = 2: 12, 432, 559 872
# in the first three years (each a whole number).
with tempfile.TemporaryDirectory() as tmp:
    c = Path(tmp) / "sq.utfall"
    c.write_text(HEAD + """periods yearly 2001 .. 2100
input x : number per period between 2 and 3
clause "1" {
  let s = previous(s, 2) * previous(s, 2) * x
  pay q: a -> b amount round(s * 1 SEK, 0.01 SEK, half_up) when period <= @2003
  pay r: a -> c amount round(s * 1 SEK, 0.01 SEK, half_up)
}
""", encoding="utf-8")
    j = bounds_json("squaring", c)
    q, r = (j and flow(j, "a", "b")), (j and flow(j, "a", "c"))
    if q and r:
        # Every run stops with E704 once s passes 10 000 digits, so no data set is paid
        # anything and the bound is not claimed reached.
        eq("squaring: the first three years (by hand), not reached", (q["most_in_total"]["bound"], q["most_in_total"]["reached"]), ("560316.00", False))
        T.check("squaring: the flow over 100 years is unbounded past the digit limit",
                r["most_in_total"]["bound"] is None and "grows past 10000 digits" in r["most_in_total"]["unbounded"], r["most_in_total"])
    t = bounds(c)
    T.check("squaring: the text names the growth, and gives no advice on input ranges",
            t.returncode == 0 and "grows past 10000 digits" in t.stdout and "An input without a bound" not in t.stdout, t.stdout + t.stderr)

# A count that must be positive: the search, which chooses no records, does not run.
with tempfile.TemporaryDirectory() as tmp:
    c = Path(tmp) / "c.utfall"
    c.write_text(HEAD + """periods yearly 2025 .. 2026
input d : participants { id : text
  v : number between 1 and 1 }
clause "1" { pay q: a -> b for each u in d amount 1 SEK * u.v }
""", encoding="utf-8")
    j = bounds_json("records required", c, "--assume", "count(d) in 2..2", "--smallest")
    f = j and flow(j, "a", "b")
    if f:
        least = f["least_in_total"]
        eq("records required: least in total (by hand: 2 records, 2 periods, 1 each)", least["bound"], "4.00")
        T.check("records required: not searched, and says why", least["reached"] is False and "count(d) in 2..2" in least.get("not_searched", ""), least)

# --- Bad assumptions ---------------------------------------------------------------------------
for label, assume, words in [
    ("unknown input", "nope in 1..2", "`nope` is not an input"),
    ("no `in`", "avropat 1..2", "expected `INPUT in LO..HI`"),
    ("no range", "avropat in 5", "not a range"),
    ("empty range", "avropat in 5..1", "the range is empty"),
    ("not a number", "avropat in x..5", "is not a number"),
    ("count of a series", "count(avropat) in 1..2", "not a participant input"),
]:
    r = bounds(contract, "--assume", assume)
    T.check(f"bad --assume ({label}): exit 64", r.returncode == 64, r.returncode)
    T.check(f"bad --assume ({label}): says why", words in r.stderr and f"--assume '{assume}'" in r.stderr, r.stderr)
# A declared range is used as an assumption is, and an assumption outside it is refused.
with tempfile.TemporaryDirectory() as tmp:
    declared = Path(tmp) / "declared.utfall"
    text = contract.read_text(encoding="utf-8")
    old = "input avropat           : SEK per period"
    T.check("declared: scenario A declares avropat as expected", old in text, old)
    declared.write_text(text.replace(old, "input avropat : SEK per period at least 0 SEK at most 20_000_000 SEK"), encoding="utf-8")
    j = bounds_json("declared", declared, "--assume", "hemtjanst_kostnad in 150000000..250000000")
    f = j and flow(j, "kommun", "utfallsfonden")
    if f:
        eq("declared: most in total with avropat's declared range (by hand)", f["most_in_total"]["bound"], money(107 * M))
    r = bounds(declared, "--assume", "avropat in 30000000..40000000")
    T.check("bad --assume (outside the declared range): exit 64", r.returncode == 64, r.returncode)
    T.check("bad --assume (outside the declared range): says why", "above `avropat`'s declared most value" in r.stderr, r.stderr)
r = bounds(contract, "--set", "nope=1")
T.check("bad --set: exit 64 and E214", r.returncode == 64 and "E214" in r.stderr, r.stderr)

# --- Soundness on generated contracts ----------------------------------------------------------
sys.path.insert(0, str(src / "tests" / "generator"))
import gen  # noqa: E402
import run_gen  # noqa: E402
import syntax  # noqa: E402


NOT_NUMBERS = (syntax.BOOL, syntax.PERIOD, syntax.TEXT, syntax.DATE)


def numeric(v):
    return isinstance(v, (int, Fraction)) and not isinstance(v, bool)


def datum(v, dtype):
    """A value as a data file writes it (a percentage as its hundredfold)."""
    return syntax.dec(Fraction(v) * 100) if dtype == "percent" else syntax.dec(Fraction(v))


checked_cases = refused_cases = 0
with tempfile.TemporaryDirectory() as tmp:
    for seed in range(1, 61):
        c = gen.generate(seed)
        case = Path(tmp) / f"s{seed}"
        files = run_gen.write_case(c, case, seed)
        sets = run_gen.set_args(c)
        run = run_gen.run_utfall(utfall, case, files, sets)
        if run["rc"] != 0:
            # A data set the contract refuses pays nothing, so there is no amount to compare;
            # the bounds must still be computed (an error at evaluation, such as E614 from a
            # date outside a listed calendar, is a path that pays nothing, not a failure).
            b = subprocess.run([utfall, "bounds", str(case / "contract.utfall"), *sets, "--format", "json"],
                               capture_output=True, text=True, timeout=120)
            T.check(f"seed {seed}: bounds exits 0 on a contract whose run stops with an error", b.returncode == 0,
                    f"run exit {run['rc']}, bounds exit {b.returncode}: {b.stderr[-2000:]}")
            refused_cases += 1
            continue
        assume = []
        for s in c.series:
            vals = [Fraction(v) for v in c.sdata[s.name] if numeric(v)]
            if vals and s.dtype != "boolean" and s.t not in NOT_NUMBERS:
                assume += ["--assume", f"{s.name} in {datum(min(vals), s.dtype)}..{datum(max(vals), s.dtype)}"]
        for pi in c.pinputs:
            recs = c.pdata[pi.name]
            assume += ["--assume", f"count({pi.name}) in {len(recs)}..{len(recs)}"]
            for fname, t, dtype in pi.fields:
                vals = [Fraction(r[fname]) for r in recs if numeric(r[fname])]
                if vals and dtype != "boolean" and not dtype.startswith("link:") and t not in NOT_NUMBERS:
                    assume += ["--assume", f"{pi.name}.{fname} in {datum(min(vals), dtype)}..{datum(max(vals), dtype)}"]
        b = subprocess.run([utfall, "bounds", str(case / "contract.utfall"), *assume, *sets, "--smallest", "--format", "json"],
                           capture_output=True, text=True, timeout=120)
        if b.returncode != 0:
            T.check(f"seed {seed}: bounds exits 0", False, b.stderr[-2000:] + " ".join(assume))
            continue
        paid = {}
        periods = json.loads(run["stdout"])["periods"]
        for p in json.loads(run["stdout"])["payments"]:
            key = (p["from"], p["to"], p.get("currency", "SEK"))
            paid.setdefault(key, {}).setdefault(p["period"], Fraction(0))
            paid[key][p["period"]] += Fraction(p["amount"])
        for fb in json.loads(b.stdout)["flows"]:
            got = paid.get((fb["from"], fb["to"], fb["currency"]), {})
            total = sum(got.values(), Fraction(0))
            most, least = fb["most_in_total"]["bound"], fb["least_in_total"]["bound"]
            ok = (most is None or total <= Fraction(most)) and (least is None or Fraction(least) <= total)
            top = fb["most_in_one_period"]["bound"]
            ok = ok and (top is None or all(v <= Fraction(top) for v in got.values()))
            T.check(f"seed {seed}: {fb['from']} -> {fb['to']}: the run's amounts lie within the bounds", ok,
                    f"total {total}, bounds {least}..{most}, per period {top}: {got}")
        checked_cases += 1
T.check("generated: at least 30 contracts were checked", checked_cases >= 30, checked_cases)
T.check("generated: at least 5 contracts whose run stops with an error were bounded", refused_cases >= 5, refused_cases)

T.finish()
