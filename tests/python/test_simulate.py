"""Contract.simulate: each run's payments recomputed in exact fractions from the value it drew
(scenario A's model, conftest.model_a); the statistics recomputed from the runs in Python; the
same statistics as the command line's `utfall simulate --format json` (another front end over
the same engine); the same runs on 1 and 2 threads; bad options as utfall.Error."""
import json
import math
import os
import shutil
import subprocess
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import EXAMPLES, SRC, model_a, read_csv_text

import scriptlib  # noqa: E402 (on the path conftest sets)

import utfall

A = EXAMPLES / "a-aldreomsorg"
PLAN = A / "plan.csv"
DRAW = "premieandel ~ uniform(20 %, 50 %)"
CLI = os.environ.get("UTFALL_CLI") or shutil.which("utfall")


def records(table):
    """A table of Simulation (a DataFrame, or a list of dicts without pandas) as a list of dicts."""
    return table.to_dict("records") if hasattr(table, "to_dict") else list(table)


def nearest_rank(values, p):
    """The smallest value with at least p % of the values at or below it (docs/cli.md)."""
    ordered = sorted(values)
    rank = min(max(math.ceil(Fraction(p) * len(ordered) / 100), 1), len(ordered))
    return ordered[rank - 1]


@pytest.fixture(scope="module")
def simulated(scenario_a):
    return scenario_a.simulate(PLAN, draws=DRAW, runs=300, seed=11)


def test_each_run_pays_what_scenario_a_gives_for_the_share_it_drew(simulated):
    plan = read_csv_text(PLAN)
    drawn = records(simulated.drawn)
    assert len(drawn) == simulated.runs == 300 and simulated.failed == 0 and simulated.first_failure is None
    assert [d.name for d in simulated.draws] == ["premieandel"] and simulated.draws[0].step == Decimal("0.00001")
    shares = [row["premieandel"] for row in drawn]
    assert all(isinstance(p, Decimal) and Decimal("0.2") <= p <= Decimal("0.5") for p in shares)
    assert all(p % Decimal("0.00001") == 0 for p in shares)
    assert len(set(shares)) > 250  # 30 001 grid points: few repeats in 300 runs
    for period in simulated.periods:
        paid = simulated.amounts("kommun", "utfallsfonden", period=period)
        for run, share in enumerate(shares):
            expected = model_a(plan, premieandel=Fraction(share))[period]
            assert Fraction(paid[run]) == expected, (run, period, share)
    totals = simulated.amounts("kommun", "utfallsfonden")
    assert set(totals) == {Decimal("42000000.00")}  # the capital and the full premium, whatever the share


def test_totals_by_period_and_nets_are_decimals_per_run(simulated):
    totals = [r for r in records(simulated.totals) if (r["payer"], r["payee"]) == ("kommun", "utfallsfonden")]
    assert [r["run"] for r in totals] == list(range(300))
    assert all(type(r["amount"]) is Decimal and r["amount"] == Decimal("42000000.00") and r["currency"] == "SEK" for r in totals)
    by_period = [r for r in records(simulated.by_period) if (r["payer"], r["payee"]) == ("kommun", "utfallsfonden")]
    assert len(by_period) == 300 * len(simulated.periods)
    for run in (0, 299):
        rows = [r for r in by_period if r["run"] == run]
        assert sum(r["amount"] for r in rows) == Decimal("42000000.00")
        assert [r["amount"] for r in rows] == [simulated.amounts("kommun", "utfallsfonden", period=p)[run] for p in simulated.periods]
    nets = {(r["run"], r["party"]): r["amount"] for r in records(simulated.nets)}
    assert nets[(7, "kommun")] == Decimal("-42000000.00") and nets[(7, "utfallsfonden")] == Decimal("42000000.00")


def test_statistics_are_exact_over_the_runs(simulated):
    asked = (5, "50", Decimal("97.5"), 100)
    stats = simulated.statistics(asked, periods=True)
    assert len(stats) == len(simulated.flows) * (len(simulated.periods) + 1)
    for s in stats:
        values = simulated.amounts(s.payer, s.payee, currency=s.currency, period=None if s.period == "total" else s.period)
        exact = sum(Fraction(v) for v in values) / len(values)
        assert s.count == 300 and s.positive == sum(1 for v in values if v > 0)
        assert isinstance(s.mean, (Decimal, Fraction)) and Fraction(s.mean) == exact
        assert s.min == min(values) and s.max == max(values)
        assert s.percentiles == {str(p): nearest_rank(values, p) for p in asked}
        assert Fraction(s.mean_rounded) == scriptlib.round_fraction(exact, Fraction(1, 100), "half_even")
        # The sample sd (n - 1), rounded to the öre: within half an öre of the exact root.
        variance = sum((Fraction(v) - exact) ** 2 for v in values) / (len(values) - 1)
        half = Fraction(1, 200)
        assert s.sd % Decimal("0.01") == 0 and max(Fraction(s.sd) - half, 0) ** 2 <= variance <= (Fraction(s.sd) + half) ** 2
    (p2027,) = [s for s in stats if s.period == "2027" and s.payer == "kommun" and s.payee == "utfallsfonden"]
    assert p2027.min < p2027.max  # the premium in 2027 varies with the share
    nets = {s.payer: s for s in simulated.net_statistics()}
    assert nets["kommun"].mean == Decimal("-42000000") and nets["utfallsfonden"].max == Decimal("42000000.00")
    with pytest.raises(ValueError):
        simulated.statistics([101])


@pytest.mark.skipif(not CLI, reason="needs the command line utfall (UTFALL_CLI, set by ctest)")
def test_the_same_statistics_as_utfall_simulate(scenario_a):
    draws = [DRAW, "hemtjanst_kostnad@2028 ~ normal(150000000, 8000000)"]
    correlate = "premieandel, hemtjanst_kostnad@2028 = 0.4"
    sim = scenario_a.simulate(PLAN, draws=draws, correlate=correlate, runs=700, seed=5)
    argv = [CLI, "simulate", str(A / "contract.utfall"), "--data", str(PLAN), "--runs", "700", "--seed", "5",
            "--correlate", correlate, "--format", "json", "--percentiles", "5,50,95"]
    for d in draws:
        argv += ["--draw", d]
    out = subprocess.run(argv, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)
    assert cli["failed"] == sim.failed and cli["runs"] == sim.runs
    assert [(d["name"], d["distribution"], Decimal(d["step"])) for d in cli["draws"]] == \
        [(d.name, d.distribution, d.step) for d in sim.draws]

    def same(entry, s):
        assert Decimal(entry["mean"]) == s.mean_rounded and Decimal(entry["sd"]) == s.sd
        assert [Decimal(entry[f"p{p}"]) for p in ("5", "50", "95")] == list(s.percentiles.values())
        assert Decimal(entry["min"]) == s.min and Decimal(entry["max"]) == s.max
        assert entry["runs_positive"] == s.positive

    ours = {(s.payer, s.payee, s.currency, s.period): s for s in sim.statistics(periods=True)}
    assert len(cli["flows"]) == len(ours)
    for entry in cli["flows"]:
        same(entry, ours[(entry["from"], entry["to"], entry["currency"], entry["period"])])
    nets = {(s.payer, s.currency): s for s in sim.net_statistics()}
    assert len(cli["parties"]) == len(nets)
    for entry in cli["parties"]:
        same(entry, nets[(entry["party"], entry["currency"])])


def test_the_same_seed_gives_the_same_runs_on_one_and_two_threads(scenario_a):
    def runs(threads, seed=3):
        sim = scenario_a.simulate(PLAN, draws=["premieandel ~ triangular(20 %, 30 %, 50 %)", "scale(avropat) ~ uniform(0.9, 1.1)"],
                                  runs=1100, seed=seed, threads=threads)  # three chunks of 512 runs
        return records(sim.by_period), records(sim.drawn)
    one = runs(1)
    assert runs(2) == one
    assert runs(1, seed=4) != one


def test_bad_options_raise_utfall_errors_with_the_message(scenario_a):
    with pytest.raises(utfall.Error) as e:
        scenario_a.simulate(PLAN, draws="premieandle ~ uniform(20 %, 50 %)", runs=10)
    assert isinstance(e.value, utfall.CheckError) and e.value.code == "E214"
    assert e.value.message.startswith("draw 'premieandle ~ uniform(20 %, 50 %)': ")
    with pytest.raises(utfall.CheckError) as e:
        scenario_a.simulate(PLAN, draws=[DRAW, "premieandel ~ normal(30 %, 1 %)"], runs=10)
    assert "is drawn already" in e.value.message
    with pytest.raises(utfall.CheckError) as e:
        scenario_a.simulate(PLAN, draws=DRAW, correlate="premieandel, takbelopp = 0.5", runs=10)
    assert e.value.message == "correlation 'premieandel, takbelopp = 0.5': `takbelopp` is not drawn (name it as its draw does)"
    with pytest.raises(utfall.CheckError) as e:
        scenario_a.simulate(PLAN, draws=DRAW, terms={"premieandel": "25 %"}, runs=10)
    assert "given a fixed value too" in e.value.message
    with pytest.raises(utfall.CheckError) as e:
        scenario_a.simulate(PLAN, draws=DRAW, runs=0)
    assert e.value.message == "runs 0: a whole number of runs from 1 to 10000000"
    with pytest.raises(ValueError):
        scenario_a.simulate(PLAN, draws=DRAW, runs=-1)
    with pytest.raises(utfall.DataError):
        scenario_a.simulate({"avropat": {"2025": 1}}, draws=DRAW, runs=10)


def test_runs_that_draw_outside_a_declared_range_fail_alone():
    contract = utfall.compile(SRC / "tests" / "data" / "simulate-range.utfall")
    sim = contract.simulate({"x": {"2025": 1, "2026": 2}}, draws="x@2025 ~ uniform(-10, 10)", runs=200, seed=2)
    drawn = records(sim.drawn)
    negative = [row["run"] for row in drawn if row["x@2025"] < 0]
    assert negative and sim.failed == len(negative)
    assert [row["ok"] for row in drawn] == [row["x@2025"] >= 0 for row in drawn] == sim.run_ok
    assert isinstance(sim.first_failure, utfall.DataError) and sim.first_failure.code == "E532"
    assert sim.first_failed_run == negative[0] and sim.first_failure.message.startswith(f"run {negative[0] + 1}: ")
    totals = records(sim.totals)
    assert sorted(r["run"] for r in totals) == [row["run"] for row in drawn if row["x@2025"] >= 0]
    for r in totals:
        assert r["amount"] == drawn[r["run"]]["x@2025"] + 12  # x@2025 + 5 SEK in 2025, 2 + 5 SEK in 2026
    (s,) = sim.statistics()
    assert s.count == 200 - len(negative) and s.min == min(r["amount"] for r in totals)


def test_record_draws_off_and_the_notebook_view(scenario_a):
    sim = scenario_a.simulate(PLAN, draws=DRAW, runs=20, record_draws=False)
    assert records(sim.drawn) == []
    page = sim._repr_html_()
    assert "20 runs, seed 1" in page and "<table>" in page and "premieandel ~ uniform(20 %, 50 %)" in page
    assert "42000000.00" in page
    assert "20 runs" in repr(sim)
