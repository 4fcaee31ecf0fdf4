"""Python data -> the engine's data: every value as exact decimal text, never through a float.

The C++ API takes data in memory (`utfall::Data`: series input -> period -> value, participant
input -> a table of fields and rows, data files by name), so nothing is written to JSON or to a
file on the way: each value becomes the text a data file would hold for it.

Accepted (docs/python.md, "Data"), alone or several in a list:
  - a file name (str or pathlib.Path): a CSV or JSON data file, as `utfall run --data` reads it;
  - a dict {input: values}: a series input's values as a dict or pandas Series {period: value},
    a participant input's records as a list of dicts or a pandas DataFrame (one row each);
  - a pandas DataFrame of series in the shape pandas writes by default: index = periods,
    columns = inputs (or a `period` column); a DataFrame whose columns are not all series
    inputs holds the records of the contract's only participant input.
Values: decimal.Decimal, int, bool, str (as in a data file: "7000000", "92 %", "yes"),
fractions.Fraction when it is a finite decimal. A float is a TypeError naming the field unless
the caller states a rounding, `floats="round:0.01"` (see `FloatRounding`). None and pandas' NA
are an empty cell: a missing value, as in a CSV file (so is a float NaN, pandas' missing value).
"""
import math
import numbers
import os
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


class FloatRounding:
    """An explicit rounding for floats: `"round:STEP"` rounds the float's exact binary value to
    the nearest multiple of STEP, ties to even; `"round_half_up:STEP"` ties away from zero.
    STEP is a positive decimal ("0.01", "1", "0.05"). A NaN or an infinity stays an error."""

    MODES = {"round": ROUND_HALF_EVEN, "round_half_up": ROUND_HALF_UP}

    def __init__(self, spec):
        mode, _, step = str(spec).partition(":")
        if mode not in self.MODES or not step:
            raise ValueError(f"floats={spec!r}: expected 'round:STEP' or 'round_half_up:STEP', e.g. 'round:0.01'")
        try:
            self.step = Decimal(step)
        except ArithmeticError:
            raise ValueError(f"floats={spec!r}: the step {step!r} is not a decimal number") from None
        if not self.step.is_finite() or self.step <= 0:
            raise ValueError(f"floats={spec!r}: the step must be a positive decimal number")
        self.mode = self.MODES[mode]

    def __call__(self, value, field):
        if not math.isfinite(value):
            raise ValueError(f"{field}: {value!r} is not a number that can be rounded")
        units = Fraction(value) / Fraction(self.step)  # exact: the float's binary value
        if self.mode == ROUND_HALF_EVEN:
            count = round(units)
        else:
            count = math.floor(abs(units) + Fraction(1, 2)) * (1 if units >= 0 else -1)
        with localcontext() as exact:  # count * step with the step's decimals ("1.00" at 0.05), never rounded
            exact.prec = len(str(abs(count))) + len(self.step.as_tuple().digits) + 1
            return format(Decimal(count) * self.step, "f")


def _decimal_text(fraction, field):
    """A Fraction as exact decimal text, or a ValueError when it is not a finite decimal."""
    denominator, twos, fives = fraction.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        raise ValueError(f"{field}: {fraction} is not a finite decimal; give it as a Decimal of stated precision")
    places = max(twos, fives)
    scaled = fraction * 10**places
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    sign = "-" if scaled < 0 else ""
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def value_text(value, field, floats=None):
    """One value as the text a data file would hold; `field` names it in errors."""
    if value is None or _is_na(value) or (isinstance(value, float) and math.isnan(value)):
        return ""  # missing, like an empty CSV cell (pandas writes NaN for one in a float column)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{field}: {value} is not a finite number")
        return format(value, "f")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Fraction):
        return _decimal_text(value, field)
    if isinstance(value, numbers.Real):  # float, numpy floats
        if floats is None:
            raise TypeError(f"{field}: {value!r} is a float, and a float is not exact; give a decimal.Decimal, "
                            f"an int or a str, or pass floats='round:0.01' (or another stated step) to round it")
        return floats(float(value), field)
    if isinstance(value, str):
        return value
    raise TypeError(f"{field}: a value of type {type(value).__name__} ({value!r}); expected Decimal, int, bool or str")


def _is_na(value):
    try:
        import pandas
    except ImportError:
        return False
    try:
        return value is pandas.NA or value is pandas.NaT
    except AttributeError:
        return False


def period_name(label):
    """A period label (from a dict key or a pandas index) as the contract names periods."""
    if isinstance(label, bool):
        raise TypeError(f"period {label!r}: a period is named by text or a whole number")
    if isinstance(label, numbers.Integral):
        return str(int(label))
    if isinstance(label, float):
        raise TypeError(f"period {label!r}: a float is not a period name; use '2027' or 2027")
    return str(label)


def _pandas():
    import sys
    return sys.modules.get("pandas")


def _is_dataframe(obj):
    pandas = _pandas()
    return pandas is not None and isinstance(obj, pandas.DataFrame)


def _is_series(obj):
    pandas = _pandas()
    return pandas is not None and isinstance(obj, pandas.Series)


class Collected:
    """The engine's data, being filled in: series, tables, files."""

    def __init__(self, contract, floats):
        self.contract = contract
        self.floats = floats
        self.series = {}
        self.tables = {}
        self.files = []

    def add(self, source):
        if source is None:
            return
        if isinstance(source, (str, os.PathLike)):
            self.files.append(os.fspath(source))
        elif _is_dataframe(source):
            self.add_frame(source)
        elif isinstance(source, dict):
            for name, values in source.items():
                self.add_input(str(name), values)
        elif isinstance(source, (list, tuple)):
            for item in source:
                self.add(item)
        else:
            raise TypeError(f"data of type {type(source).__name__}: expected a file name, a dict, a pandas DataFrame "
                            f"or a list of them")

    def add_input(self, name, values):
        if _is_dataframe(values):
            self.add_records(name, _frame_records(values))
        elif isinstance(values, (list, tuple)):
            self.add_records(name, values)
        elif isinstance(values, dict) or _is_series(values):
            series = self.series.setdefault(name, {})
            for period, value in values.items():
                p = period_name(period)
                series[p] = value_text(value, f"{name}, period {p}", self.floats)
        else:
            raise TypeError(f"input `{name}`: {type(values).__name__}; expected {{period: value}} for a series, "
                            f"or a list of dicts or a DataFrame for participant records")

    def add_records(self, name, records):
        fields = []
        for record in records:
            if not isinstance(record, dict):
                raise TypeError(f"input `{name}`: a record of type {type(record).__name__}; expected a dict per participant")
            for key in record:
                if str(key) not in fields:
                    fields.append(str(key))
        rows = []
        for number, record in enumerate(records, 1):
            values = {str(k): v for k, v in record.items()}
            rows.append([value_text(values.get(f), f"{name}, record {number}, field `{f}`", self.floats) for f in fields])
        if name in self.tables:
            raise ValueError(f"input `{name}`: records given twice")
        self.tables[name] = (fields, rows)

    def add_frame(self, frame):
        series = {i["name"] for i in self.contract._native.inputs if not i["participants"]}
        participants = [i["name"] for i in self.contract._native.inputs if i["participants"]]
        columns = [str(c) for c in frame.columns]
        if "period" in columns:
            frame = frame.set_index("period")
            columns.remove("period")
        if all(c in series for c in columns):
            for column in frame.columns:
                self.add_input(str(column), frame[column])
        elif len(participants) == 1:
            self.add_records(participants[0], _frame_records(frame))
        else:
            unknown = [c for c in columns if c not in series]
            raise ValueError(f"a DataFrame with columns {unknown} that are not series inputs of the contract; "
                             f"give participant records as {{input: DataFrame}}")


def _frame_records(frame):
    """A participant table's rows as dicts; a named index (set_index("id")) is a field too."""
    pandas = _pandas()
    if not isinstance(frame.index, pandas.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, row)) for row in frame.itertuples(index=False, name=None)]


def collect(contract, data, floats=None):
    """(series, tables, files) for the engine from any of the accepted shapes."""
    rounding = FloatRounding(floats) if floats is not None else None
    collected = Collected(contract, rounding)
    collected.add(data)
    return collected.series, collected.tables, collected.files
