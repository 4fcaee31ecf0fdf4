"""Shared by the tests of the Python module: the source tree, scenario A and its model.

Run by ctest (python.module) with PYTHONPATH set to the build's package folder (build/python);
by hand: PYTHONPATH=build/python python3 -m pytest tests/python
"""
import os
import sys
from fractions import Fraction
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]
EXAMPLES = SRC / "examples"
sys.path.insert(0, str(SRC / "tests" / "scripts"))  # scenario_payments.py, scriptlib.py

import scriptlib  # noqa: E402
import utfall  # noqa: E402

built = os.environ.get("UTFALL_PYTHON_MODULE_DIR")
if built and not Path(utfall.__file__).resolve().is_relative_to(Path(built).resolve()):
    raise RuntimeError(f"tests/python: imported {utfall.__file__}, not the build's package in {built}")


@pytest.fixture(scope="session")
def scenario_a():
    return utfall.compile(EXAMPLES / "a-aldreomsorg" / "contract.utfall")


def read_csv_text(path):
    """A series CSV (period, input...) as {input: {period: str}}, with the csv module."""
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {name: {row["period"]: row[name] for row in rows} for name in rows[0] if name != "period"}


def model_a(data, premieandel=Fraction(3, 10), baslinje=200_000_000, takbelopp=7_000_000):
    """Scenario A's payments kommun -> utfallsfonden per period, in exact fractions, from the
    script tests' model written from docs/language.md §17 (scriptlib.scenario_a)."""
    periods = sorted(data["hemtjanst_kostnad"])
    cost = [data["hemtjanst_kostnad"][p] for p in periods]
    drawn = [data["avropat"][p] for p in periods]
    paid = scriptlib.scenario_a(cost, drawn, baslinje, premieandel, takbelopp)  # 2027, 2028, 2029
    return dict(zip(periods, [Fraction(0), Fraction(0), *paid]))
