"""The four reference scenarios through `import utfall`, against ../shared/scenarios' tables
(tests/scripts/scenario_payments.py: computed there in exact rational arithmetic)."""
from decimal import Decimal

import pandas
import pytest
from conftest import EXAMPLES, model_a, read_csv_text
from scenario_payments import CASES

import utfall


def flows(result):
    """Sums per (period, payer, payee), as in tests/scripts/test_scenarios.py."""
    got = {}
    for p in result.payments:
        got[(p.period, p.payer, p.payee)] = got.get((p.period, p.payer, p.payee), Decimal(0)) + p.amount
    return got


def assert_flows(result, expected):
    got = flows(result)
    keys = set(expected) | {k for k, v in got.items() if v != 0}
    assert {k: got.get(k, Decimal(0)) for k in keys} == {k: expected.get(k, Decimal(0)) for k in keys}


@pytest.mark.parametrize("name,dataset", sorted(CASES))
def test_scenario_from_files(name, dataset):
    contract = utfall.compile(EXAMPLES / name / "contract.utfall")
    result = contract.run([EXAMPLES / name / f"{dataset}.csv"])
    assert result.currency == "SEK"
    assert_flows(result, CASES[(name, dataset)])
    for p in result.payments:  # exact decimals with the currency's two places, never floats
        assert type(p.amount) is Decimal and p.amount.as_tuple().exponent == -2, p
    assert all(type(t.amount) is Decimal for t in result.totals)


@pytest.mark.parametrize("dataset", ["plan", "messy", "fail"])
def test_scenario_a_from_a_dict_and_the_model(scenario_a, dataset):
    data = read_csv_text(EXAMPLES / "a-aldreomsorg" / f"{dataset}.csv")
    result = scenario_a.run({name: {p: Decimal(v) for p, v in values.items()} for name, values in data.items()})
    assert_flows(result, CASES[("a-aldreomsorg", dataset)])
    # The independent model agrees with the scenario table, so it can judge term overrides.
    model = model_a(data)
    assert {p: result.amount(period=p) for p in model} == {p: Decimal(v.numerator) / v.denominator for p, v in model.items()}


def test_scenario_a_from_a_wide_dataframe_with_ints(scenario_a):
    frame = pandas.read_csv(EXAMPLES / "a-aldreomsorg" / "plan.csv", index_col="period")
    assert str(frame["avropat"].dtype) == "int64" and list(frame.index) == [2025, 2026, 2027, 2028, 2029]
    assert_flows(scenario_a.run(frame), CASES[("a-aldreomsorg", "plan")])
    # The frame as pandas reads it by default: a `period` column and a RangeIndex.
    assert_flows(scenario_a.run(pandas.read_csv(EXAMPLES / "a-aldreomsorg" / "plan.csv")), CASES[("a-aldreomsorg", "plan")])


def test_scenario_a_from_pandas_default_json(scenario_a):
    # DataFrame.to_json()'s default shape, {column: {index: value}}, is the series dict's shape.
    import json
    frame = pandas.read_csv(EXAMPLES / "a-aldreomsorg" / "plan.csv", index_col="period")
    assert_flows(scenario_a.run(json.loads(frame.to_json())), CASES[("a-aldreomsorg", "plan")])


def test_scenario_a_from_a_float_dataframe_needs_a_stated_rounding(scenario_a):
    frame = pandas.read_csv(EXAMPLES / "a-aldreomsorg" / "messy.csv", index_col="period")
    assert str(frame["hemtjanst_kostnad"].dtype) == "float64"
    with pytest.raises(TypeError, match=r"hemtjanst_kostnad, period 2025: 199876543\.21 is a float"):
        scenario_a.run(frame)
    # Rounding each float's binary value to the öre gives back the two-decimal figures of the file.
    assert_flows(scenario_a.run(frame, floats="round:0.01"), CASES[("a-aldreomsorg", "messy")])
    # Read as exact decimals, no rounding is needed.
    exact = pandas.read_csv(EXAMPLES / "a-aldreomsorg" / "messy.csv", index_col="period", converters={
        "hemtjanst_kostnad": Decimal, "avropat": Decimal})
    assert_flows(scenario_a.run(exact), CASES[("a-aldreomsorg", "messy")])


def test_scenario_c_from_records():
    import csv
    contract = utfall.compile(EXAMPLES / "c-tfco" / "contract.utfall")
    with open(EXAMPLES / "c-tfco" / "data.csv", newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    assert_flows(contract.run({"ungdomar": records}), CASES[("c-tfco", "data")])
    # A participant table as pandas reads it: `narvaro` ("92", "80.0") becomes a float column.
    frame = pandas.read_csv(EXAMPLES / "c-tfco" / "data.csv")
    with pytest.raises(TypeError, match=r"ungdomar, record 1, field `narvaro`: 92\.0 is a float"):
        contract.run({"ungdomar": frame})
    assert_flows(contract.run({"ungdomar": frame}, floats="round:0.1"), CASES[("c-tfco", "data")])
    # Its only participant input, given as a bare DataFrame of strings, one row per participant.
    frame = pandas.read_csv(EXAMPLES / "c-tfco" / "data.csv", dtype=str)
    assert_flows(contract.run(frame), CASES[("c-tfco", "data")])
    assert_flows(contract.run(frame.set_index("id")), CASES[("c-tfco", "data")])
