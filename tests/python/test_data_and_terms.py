"""Data in every shape the module takes, floats refused or rounded as stated, term overrides."""
from decimal import Decimal
from fractions import Fraction

import pandas
import pytest
from conftest import EXAMPLES, model_a, read_csv_text

import utfall
from utfall.data import FloatRounding

PLAN = read_csv_text(EXAMPLES / "a-aldreomsorg" / "plan.csv")


def decimal(fraction):
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def test_values_as_decimal_int_and_str_give_the_same_payments(scenario_a):
    as_str = scenario_a.run(PLAN)
    as_int = scenario_a.run({n: {int(p): int(v) for p, v in vals.items()} for n, vals in PLAN.items()})
    as_decimal = scenario_a.run({n: {p: Decimal(v) for p, v in vals.items()} for n, vals in PLAN.items()})
    assert as_str.to_dict() == as_int.to_dict() == as_decimal.to_dict()
    assert as_str.amount() == Decimal("42000000.00")  # the scenario's total, ../shared/scenarios/a


def test_a_float_is_a_type_error_naming_the_field(scenario_a):
    data = {n: dict(vals) for n, vals in PLAN.items()}
    data["avropat"]["2027"] = 7000000.0
    with pytest.raises(TypeError, match=r"avropat, period 2027: 7000000\.0 is a float"):
        scenario_a.run(data)
    with pytest.raises(TypeError, match=r"term `premieandel`: 0\.25 is a float"):
        scenario_a.run(PLAN, terms={"premieandel": 0.25})


def test_float_rounding_rounds_the_binary_value_as_stated():
    # 2.675 is stored as a binary fraction just below 2.675, 0.125 exactly.
    assert Fraction(2.675) < Fraction(2675, 1000) and Fraction(0.125) == Fraction(1, 8)
    half_even, half_up = FloatRounding("round:0.01"), FloatRounding("round_half_up:0.01")
    assert half_even(2.675, "f") == "2.67" and half_up(2.675, "f") == "2.67"
    assert half_even(0.125, "f") == "0.12" and half_up(0.125, "f") == "0.13"
    assert half_even(-0.125, "f") == "-0.12" and half_up(-0.125, "f") == "-0.13"
    assert FloatRounding("round:0.05")(1.024, "f") == "1.00" and FloatRounding("round:1")(2.5, "f") == "2"
    assert FloatRounding("round:1000")(7_000_499.0, "f") == "7000000"
    for bad in ["0.01", "round", "round:", "round:x", "round:0", "round:-1", "truncate:0.01"]:
        with pytest.raises(ValueError):
            FloatRounding(bad)
    with pytest.raises(ValueError, match="f: inf"):
        half_even(float("inf"), "f")


def test_explicit_rounding_of_float_data_and_terms(scenario_a):
    # 7_000_000.004 rounds to 7_000_000.00 at 0.01; premieandel 0.25 is exact in binary.
    data = {n: {p: float(v) for p, v in vals.items()} for n, vals in PLAN.items()}
    data["avropat"]["2027"] = 7_000_000.004
    result = scenario_a.run(data, floats="round:0.01", terms={"premieandel": 0.25})
    model = model_a(PLAN, premieandel=Fraction(1, 4))
    assert {p: result.amount(period=p) for p in model} == {p: decimal(v) for p, v in model.items()}


@pytest.mark.parametrize("value", [Decimal("0.25"), "25 %", "25%", Fraction(1, 4)])
def test_term_override_against_the_fraction_model(scenario_a, value):
    result = scenario_a.run(PLAN, terms={"premieandel": value})
    model = model_a(PLAN, premieandel=Fraction(1, 4))
    assert model["2027"] == 21_000_000 + Fraction(19_000_000, 4)  # by hand: kapital 21 M, a quarter of 19 M
    assert {p: result.amount(period=p) for p in model} == {p: decimal(v) for p, v in model.items()}


def test_a_bare_number_for_a_percentage_is_ambiguous_as_text(scenario_a):
    # As an expression, "0.25" for a term written in % reads two ways (language.md: E319).
    with pytest.raises(utfall.CheckError) as e:
        scenario_a.run(PLAN, terms={"premieandel": "0.25"})
    assert e.value.code == "E319"


def test_term_override_with_a_unit_and_an_int(scenario_a):
    # A number for a term with a unit is read in that unit: takbelopp 5 000 000 SEK.
    for value in [5_000_000, Decimal("5000000"), "5_000_000 SEK"]:
        result = scenario_a.run(PLAN, terms={"takbelopp": value})
        model = model_a(PLAN, takbelopp=5_000_000)
        assert {p: result.amount(period=p) for p in model} == {p: decimal(v) for p, v in model.items()}


def test_a_series_as_a_pandas_series_and_several_sources(scenario_a):
    cost = pandas.Series({int(p): Decimal(v) for p, v in PLAN["hemtjanst_kostnad"].items()})
    result = scenario_a.run([{"hemtjanst_kostnad": cost}, {"avropat": PLAN["avropat"]}])
    assert result.amount() == Decimal("42000000.00")


def test_missing_values_are_missing(scenario_a):
    data = {n: dict(vals) for n, vals in PLAN.items()}
    data["avropat"]["2027"] = None
    with pytest.raises(utfall.DataError) as e:
        scenario_a.run(data)
    # An empty cell: "a missing value" (language.md §23).
    assert e.value.code == "E524" and "avropat" in e.value.location and "2027" in e.value.location
    frame = pandas.DataFrame({n: {int(p): float(v) for p, v in vals.items()} for n, vals in PLAN.items()})
    frame.loc[2027, "avropat"] = float("nan")  # pandas' missing value in a float column
    with pytest.raises(utfall.DataError) as e:
        scenario_a.run(frame, floats="round:1")
    assert e.value.code == "E524"


def test_other_types_are_refused(scenario_a):
    with pytest.raises(TypeError, match="avropat, period 2027: a value of type object"):
        scenario_a.run({"avropat": {"2027": object()}})
    with pytest.raises(TypeError, match="data of type int"):
        scenario_a.run(5)
    with pytest.raises(ValueError, match="not a finite decimal"):
        scenario_a.run({"avropat": {"2027": Fraction(1, 3)}})
