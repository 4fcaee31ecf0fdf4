"""utfall: social outcome contracts, evaluated exactly (docs/python.md).

    import utfall
    contract = utfall.compile("examples/a-aldreomsorg/contract.utfall")
    result = contract.run("examples/a-aldreomsorg/plan.csv", terms={"premieandel": "25 %"})
    result.to_dataframe()        # period, payer, payee, rule, clause, clause_title, amount, currency

Amounts go in and come out as decimal.Decimal (or int or str); a float is refused unless the
caller states a rounding (floats="round:0.01"). Problems raise utfall.Error subclasses with the
engine's code, message, file, line and column. The work is done by the C++ embedding API
(include/utfall/utfall.hpp) through the extension utfall._utfall.
"""
import os

from . import _utfall
from .contract import Bound, Clause, Contract, Field, Input, Party, Term
from .errors import (CheckError, ContractError, DataError, Error, EvaluationError, FileError, InternalError,
                     LimitError, ParseError, error_from, warnings_of)
from .results import BatchResult, Line, NotPaid, Payment, Result, SweepResult, Total
from .simulation import Draw, Flow, Simulation, Statistics

__all__ = ["compile", "compile_text", "compile_file", "Engine", "Contract", "Bound", "Result", "SweepResult",
           "BatchResult", "Simulation", "Flow", "Draw", "Statistics", "Payment", "Total", "NotPaid", "Line", "Party",
           "Input", "Field", "Term", "Clause",
           "Error", "ContractError", "ParseError", "CheckError", "DataError", "FileError", "EvaluationError",
           "LimitError", "InternalError"]


class Engine:
    """An engine with its limits (docs/embedding.md §5); 0 keeps a limit's default. The
    module-level functions use an engine with the defaults."""

    def __init__(self, *, max_steps=0, max_digits=0, max_participants=0):
        self._native = _utfall.Engine(max_steps, max_digits, max_participants)

    def compile_text(self, text, name="<contract>"):
        """Compiles contract text; `name` labels it in messages."""
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return self._contract(*self._native.compile(text, name))

    def compile_file(self, path):
        """Reads a contract file and compiles it."""
        return self._contract(*self._native.compile_file(os.fspath(path)))

    def compile(self, source, name=None):
        """A path (pathlib.Path, or a one-line str ending in .utfall) is read as a file; any other
        str is contract text."""
        if is_path(source):
            return self.compile_file(source)
        return self.compile_text(source, name or "<contract>")

    def _contract(self, native, messages):
        if native is None:
            raise error_from(messages)
        return Contract(native, self._native, warnings_of(messages))


def is_path(source):
    """Whether `compile` reads `source` as a file name rather than as contract text."""
    return isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                               and source.endswith(".utfall"))


_default = Engine()


def compile(source, name=None):
    """The compiled contract of `source`: a file path (pathlib.Path, or a str of one line ending
    in `.utfall`) or contract text (any other str). Raises ParseError or CheckError."""
    return _default.compile(source, name)


def compile_text(text, name="<contract>"):
    """The compiled contract of `text`, named `name` in messages."""
    return _default.compile_text(text, name)


def compile_file(path):
    """The compiled contract read from `path`."""
    return _default.compile_file(path)
