"""Errors are utfall.Error subclasses with the engine's code, message, file, line and column."""
import pytest
from conftest import EXAMPLES, read_csv_text

import utfall

HEAD = 'contract "t"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2026\n'


def test_a_syntax_error():
    # Line 6 of the text: `term` wants a name, and finds `=` at column 6.
    with pytest.raises(utfall.ParseError) as e:
        utfall.compile_text(HEAD + "term = 5 SEK\n", name="broken.utfall")
    error = e.value
    assert isinstance(error, utfall.ContractError) and isinstance(error, utfall.Error)
    assert error.code.startswith("E1") and error.kind == "syntax"
    assert (error.file, error.line, error.column) == ("broken.utfall", 6, 6)
    assert str(error).startswith("broken.utfall:6:6: error[") and "^" in str(error)


def test_an_unknown_name_is_a_check_error_at_its_column():
    text = HEAD + 'clause "1" "x" {\n  pay a -> b amount nosuch\n}\n'
    with pytest.raises(utfall.CheckError) as e:
        utfall.compile_text(text, name="names.utfall")
    error = e.value
    # `nosuch` begins at column 21 of line 7: after the 20 characters of "  pay a -> b amount ".
    assert (error.code, error.file, error.line, error.column) == ("E208", "names.utfall", 7, 21)
    assert error.message and error.messages[0]["code"] == "E208"


def test_a_contract_file_that_is_not_there():
    with pytest.raises(utfall.FileError) as e:
        utfall.compile(EXAMPLES / "no-such" / "contract.utfall")
    assert isinstance(e.value, utfall.DataError) and e.value.code.startswith("E8")
    assert not hasattr(utfall, "nosuch")


def test_bad_data_names_the_value(scenario_a):
    data = read_csv_text(EXAMPLES / "a-aldreomsorg" / "plan.csv")
    data["avropat"]["2027"] = "sju miljoner"
    with pytest.raises(utfall.DataError) as e:
        scenario_a.run(data)
    error = e.value
    assert error.code == "E528" and error.kind == "data"
    assert "avropat" in error.location and "2027" in error.location
    assert error.line is None and error.column is None  # data, not a place in the contract


def test_bad_data_in_a_file_names_row_and_line(tmp_path, scenario_a):
    path = tmp_path / "bad.csv"
    path.write_text("period,hemtjanst_kostnad,avropat\n2025,200000000,7000000\n2026,x,7000000\n", encoding="utf-8")
    with pytest.raises(utfall.DataError) as e:
        scenario_a.run(path)
    assert e.value.code == "E528" and "bad.csv" in e.value.location and "line 3" in e.value.location


def test_a_runtime_error_points_into_the_contract():
    text = HEAD + 'input n : number per period\nclause "1" "x" {\n  pay a -> b amount 100 SEK / n\n}\n'
    contract = utfall.compile_text(text, name="div.utfall")
    assert contract.run({"n": {"2025": 4, "2026": "5"}}).amount() == 45  # 25 + 20, by hand
    with pytest.raises(utfall.EvaluationError) as e:
        contract.run({"n": {"2025": 4, "2026": 0}})
    error = e.value
    assert (error.code, error.file, error.line) == ("E601", "div.utfall", 8)
    assert error.column is not None and error.column > 1


def test_a_limit():
    engine = utfall.Engine(max_steps=10)
    contract = engine.compile(EXAMPLES / "a-aldreomsorg" / "contract.utfall")
    with pytest.raises(utfall.LimitError) as e:
        contract.run(read_csv_text(EXAMPLES / "a-aldreomsorg" / "plan.csv"), trace=True)
    assert e.value.code == "E705"
