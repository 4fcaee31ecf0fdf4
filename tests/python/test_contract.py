"""Introspection, results out (dict, DataFrame, HTML), explain, sweep and batch."""
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import EXAMPLES, model_a, read_csv_text
from scenario_payments import CASES

import utfall

A = EXAMPLES / "a-aldreomsorg"
PLAN = read_csv_text(A / "plan.csv")


def test_introspection(scenario_a):
    # Read off examples/a-aldreomsorg/contract.utfall.
    c = scenario_a
    assert c.title == "Starkare, friskare och självständigare äldre" and c.currency == "SEK"
    assert c.minor_unit == Decimal("0.01")
    assert c.periods == ["2025", "2026", "2027", "2028", "2029"]
    assert c.parties == [utfall.Party("kommun", "Kommunen"), utfall.Party("utfallsfonden", "Utfallsfonden")]
    assert [(i.name, i.kind, i.type, i.unit, i.percent) for i in c.inputs] == [
        ("hemtjanst_kostnad", "series", "number", "SEK", False), ("avropat", "series", "number", "SEK", False)]
    assert c.inputs[0].periods == c.periods
    terms = {t.name: t for t in c.terms}
    assert {n: t.value for n, t in terms.items()} == {
        "baslinje": Decimal(200_000_000), "premieandel": Decimal("0.3"), "takbelopp": Decimal(7_000_000)}
    assert all(type(t.value) is Decimal for t in c.terms)
    assert (terms["takbelopp"].unit, terms["premieandel"].unit) == ("SEK", "")
    assert [(k.number, k.title) for k in c.clauses] == [("3.1", "Frigjorda resurser"), ("3.2", "Återbetalning")]
    assert c.clauses[0].definitions == ["frigjort"] and c.clauses[1].payments == ["aterbetalning"]
    assert c.examples == ["plan", "messy", "fail"]
    assert c.to_dict()["title"] == c.title and json.loads(c.to_json())["currency"] == "SEK"


def test_participant_inputs_and_a_fraction_term():
    c = utfall.compile(EXAMPLES / "c-tfco" / "contract.utfall")
    (ungdomar,) = c.inputs
    assert (ungdomar.name, ungdomar.kind) == ("ungdomar", "participants")
    assert [(f.name, f.kind, f.percent) for f in ungdomar.fields] == [
        ("id", "text", False), ("inskriven", "period", False), ("stabil", "boolean", False),
        ("narvaro", "number", True), ("nytt_brott", "boolean", False)]
    text = 'contract "t"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2025\nterm third = 1 / 3\n'
    assert utfall.compile_text(text).terms[0].value == Fraction(1, 3)


def test_path_or_text(scenario_a, tmp_path):
    text = (A / "contract.utfall").read_text(encoding="utf-8")
    by_text = utfall.compile(text)
    assert by_text.name == "<contract>" and utfall.compile_text(text, name="a.utfall").name == "a.utfall"
    assert utfall.compile(str(A / "contract.utfall")).name.endswith("contract.utfall")
    assert utfall.compile_file(A / "contract.utfall").title == by_text.title == scenario_a.title
    assert by_text.run(PLAN).to_dict() == scenario_a.run(PLAN).to_dict()


def test_results_out(scenario_a):
    result = scenario_a.run(A / "plan.csv")
    frame = result.to_dataframe()
    assert list(frame.columns) == ["period", "payer", "payee", "rule", "clause", "clause_title", "amount", "currency"]
    assert all(type(a) is Decimal for a in frame["amount"])
    paid = frame[frame["amount"] != 0]
    assert list(paid["period"]) == ["2027", "2028", "2029"]
    assert list(paid["amount"]) == [Decimal("26700000.00"), Decimal("8300000.00"), Decimal("7000000.00")]
    assert set(paid["rule"]) == {"aterbetalning"} and set(paid["clause"]) == {"3.2"}
    assert sum(frame["amount"]) == Decimal("42000000.00")
    d = result.to_dict()
    assert d["currency"] == "SEK" and d["totals"] == [
        {"payer": "kommun", "payee": "utfallsfonden", "amount": Decimal("42000000.00"), "currency": "SEK"}]
    assert all(type(p["amount"]) is Decimal for p in d["payments"])
    html = result._repr_html_()
    assert html.startswith("<table") and "26700000.00 SEK" in html and "Återbetalning" in html
    assert "42000000.00" in repr(result)


def test_explain(scenario_a):
    text = scenario_a.explain(A / "plan.csv", period=2027)
    assert text.startswith("2027  3.2 Återbetalning `aterbetalning`")
    assert "pays kommun -> utfallsfonden: 26700000.00 SEK" in text
    assert "to_date(frigjort)" in text and "2028" not in text.splitlines()[0]
    assert scenario_a.explain(A / "plan.csv", payer="utfallsfonden") == ""


def test_sweep_against_the_model(scenario_a):
    shares = ["20 %", "25 %", Decimal("0.3")]
    sweep = scenario_a.sweep(A / "plan.csv", vary={"premieandel": shares, "takbelopp": [5_000_000, "7_000_000 SEK"]},
                             threads=2)
    assert len(sweep) == 6
    expected_order = [(s, t) for s in shares for t in [5_000_000, "7_000_000 SEK"]]  # the first term varies slowest
    assert [(v["premieandel"], v["takbelopp"]) for v, _ in sweep] == expected_order
    for (share, cap), result in zip(expected_order, (r for _, r in sweep)):
        model = model_a(PLAN, premieandel=Fraction(str(share).replace(" %", "")) / (100 if "%" in str(share) else 1),
                        takbelopp=5_000_000 if cap == 5_000_000 else 7_000_000)
        assert result.amount() == sum(model.values())
    frame = sweep.to_dataframe()
    assert list(frame.columns) == ["premieandel", "takbelopp", "payer", "payee", "amount", "currency"]
    assert len(frame) == 6


def test_batch_over_many_data_sets(scenario_a):
    sets = [A / "plan.csv", A / "messy.csv", A / "fail.csv", PLAN]
    batch = scenario_a.batch(sets)
    assert len(batch) == 4 and batch.errors == [None] * 4
    assert [(line.period, line.payer, line.payee) for line in batch.lines] == [
        (p, "kommun", "utfallsfonden") for p in ["2027", "2028", "2029"]]
    for amounts, name in zip(batch.amounts, ["plan", "messy", "fail", "plan"]):
        expected = CASES[("a-aldreomsorg", name)]
        assert {line.period: a for line, a in zip(batch.lines, amounts)} == {
            p: a for (p, _, _), a in expected.items() if p >= "2027"}
        assert all(type(a) is Decimal for a in amounts)
    frame = batch.to_dataframe()
    assert len(frame) == 12 and frame.groupby("set")["amount"].sum().tolist() == [
        Decimal("42000000.00"), Decimal("42000000.00"), Decimal("11500000.00"), Decimal("42000000.00")]


def test_batch_keeps_or_raises_a_failing_set(scenario_a):
    bad = {n: dict(v) for n, v in PLAN.items()}
    bad["avropat"]["2027"] = "x"
    with pytest.raises(utfall.DataError):
        scenario_a.batch([PLAN, bad])  # binding fails before the batch runs
    other = utfall.compile((A / "contract.utfall").read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="another contract"):
        scenario_a.batch([other.bind(PLAN)])
    text = 'contract "t"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2026\n' \
           'input n : number per period\nclause "1" "x" {\n  pay a -> b amount 100 SEK / n\n}\n'
    div = utfall.compile_text(text)
    sets = [{"n": {"2025": 4, "2026": 5}}, {"n": {"2025": 4, "2026": 0}}]
    batch = div.batch(sets, errors="keep")
    assert batch.amounts[0] == [Decimal(25), Decimal(20)] and batch.amounts[1] is None  # 100/4, 100/5
    assert batch.errors[0] is None and isinstance(batch.errors[1], utfall.EvaluationError)
    assert batch.errors[1].code == "E601" and "data set 1" in batch.errors[1].location
    with pytest.raises(utfall.EvaluationError):
        div.batch(sets)


def test_bind_once_evaluate_many_times(scenario_a):
    bound = scenario_a.bind(PLAN)
    assert scenario_a.bind(bound) is bound
    for share in [Fraction(1, 5), Fraction(1, 4)]:
        result = scenario_a.run(bound, terms={"premieandel": share})
        assert result.amount() == sum(model_a(PLAN, premieandel=share).values())
    assert scenario_a.run(bound).to_dict() == scenario_a.run(PLAN).to_dict()
