"""A compiled contract: its declarations, and evaluations of it on the caller's data."""
import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from . import _utfall
from .data import FloatRounding, collect, value_text
from .errors import error_from, warnings_of
from .results import BatchResult, Result, SweepResult
from .simulation import Simulation


@dataclass(frozen=True)
class Party:
    id: str
    name: str


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # number, boolean, period, text
    unit: str  # "SEK", "SEK per placement"; "" for plain numbers and other kinds
    percent: bool  # data written in percent: "92" means 0.92


@dataclass(frozen=True)
class Input:
    name: str
    kind: str  # "series" or "participants"
    type: str  # series: number, boolean, period or text; participants: "records"
    unit: str
    percent: bool
    periods: list = field(default_factory=list)  # series: the periods that need a value
    fields: list = field(default_factory=list)  # participants: Field per record field


@dataclass(frozen=True)
class Term:
    name: str
    kind: str
    unit: str
    percent: bool
    value: object  # number: Decimal (Fraction when not a finite decimal); boolean: bool; else str


@dataclass(frozen=True)
class Clause:
    number: str
    title: str
    definitions: list
    payments: list


def _term_value(kind, text):
    if kind == "number":
        return Fraction(text) if "/" in text else Decimal(text)
    if kind == "boolean":
        return text == "true"
    return text


class Bound:
    """Data read and checked against one contract, ready to evaluate many times."""

    def __init__(self, contract, native, warnings):
        self.contract = contract
        self._native = native
        self.warnings = warnings


class Contract:
    """A checked, immutable contract (`utfall.compile`). Introspection: `name`, `title`,
    `currency`, `minor_unit`, `periods`, `parties`, `inputs`, `terms`, `clauses`, `examples`,
    `to_json()`; evaluation: `run`, `explain`, `sweep`, `sweep_cases`, `batch`, `simulate`, `bind`."""

    def __init__(self, native, engine, warnings=()):
        self._native = native
        self._engine = engine
        self.warnings = list(warnings)
        self.name = native.name
        self.title = native.title
        self.currency = native.currency
        self.minor_unit = Decimal(native.minor_unit)
        self.periods = list(native.periods)
        self.examples = list(native.examples)
        self.parties = [Party(*p) for p in native.parties]
        self.inputs = [self._input(i) for i in native.inputs]
        self.terms = [Term(name, t["kind"], t["unit"], t["percent"], _term_value(t["kind"], value))
                      for name, t, value in native.terms]
        self.clauses = [Clause(number, title, list(defs), list(pays)) for number, title, defs, pays in native.clauses]

    @staticmethod
    def _input(i):
        t = i["type"]
        if i["participants"]:
            fields = [Field(name, ft["kind"], ft["unit"], ft["percent"]) for name, ft in i["fields"]]
            return Input(i["name"], "participants", "records", "", False, [], fields)
        return Input(i["name"], "series", t["kind"], t["unit"], t["percent"], list(i["periods"]), [])

    def to_json(self):
        """The contract's declarations as JSON text (docs/embedding.md: contract JSON)."""
        return self._native.to_json()

    def to_dict(self):
        return json.loads(self.to_json())

    def __repr__(self):
        return f"<utfall.Contract {self.title!r} ({self.name}): {len(self.inputs)} inputs, {len(self.terms)} terms>"

    # --- evaluation ---

    def bind(self, data=None, *, floats=None):
        """Reads and checks `data` (docs/python.md, "Data") once, for many evaluations."""
        if isinstance(data, Bound):
            if data.contract is not self:
                raise ValueError("data bound for another contract; bind it for this one")
            return data
        series, tables, files = collect(self, data, floats)
        native, messages = self._engine.bind(self._native, series, tables, files, [])
        if native is None:
            raise error_from(messages)
        return Bound(self, native, warnings_of(messages))

    def _terms(self, terms, floats):
        """Term overrides as the engine's expressions. A str is an expression of the term's type
        ("25 %", "6_000_000 SEK"); a Decimal, int or Fraction is a number in the term's unit, and
        for a percentage the number itself (Decimal("0.25") is written "25 %")."""
        rounding = FloatRounding(floats) if floats is not None else None
        out = {}
        declared = {t.name: t for t in self.terms}
        for name, value in (terms or {}).items():
            if isinstance(value, str):
                out[name] = value
                continue
            text = value_text(value, f"term `{name}`", rounding)
            term = declared.get(name)
            if term is None or isinstance(value, bool) or term.kind != "number":
                out[name] = text
            elif term.percent:
                out[name] = format(Decimal(text).scaleb(2), "f") + " %"
            else:
                out[name] = f"{text} {term.unit}" if term.unit else text
        return out

    def _evaluate(self, data, terms, floats, trace):
        bound = self.bind(data, floats=floats)
        native = self._engine.evaluate(self._native, bound._native, self._terms(terms, floats), trace)
        if not native["ok"]:
            raise error_from(native["messages"])
        return Result(native, bound.warnings + warnings_of(native["messages"]))

    def run(self, data=None, *, terms=None, floats=None, trace=False):
        """Evaluates the contract on `data` with term overrides `terms` ({name: value}) and
        returns its Result. Raises DataError, EvaluationError, LimitError (utfall.Error)."""
        return self._evaluate(data, terms, floats, trace)

    def explain(self, data=None, *, terms=None, floats=None, period=None, payer=None, payee=None):
        """The explanation of each payment as text: its clause and rule, then every value it
        used with its formula, roundings, netting and caps (the steps of `utfall explain`).
        `period`, `payer`, `payee` select payments."""
        result = self._evaluate(data, terms, floats, True)
        return explanation_text(result, period, payer, payee)

    def sweep(self, data=None, *, vary, terms=None, floats=None, threads=0):
        """Evaluates every combination of the values in `vary` ({term: [values]}; the first term
        varies slowest), with `terms` fixed, on `threads` threads (0: all cores). Returns a
        SweepResult; a case that fails raises its error."""
        cases = combinations(vary)
        return SweepResult(list(zip(cases, self.sweep_cases(data, cases, terms=terms, floats=floats, threads=threads))))

    def sweep_cases(self, data=None, cases=(), *, terms=None, floats=None, threads=0):
        """The Results of `sweep` for the given cases ([{term: value}], each on top of `terms`),
        in their order: a slice of a sweep (utfall.distributed splits one this way)."""
        bound = self.bind(data, floats=floats)
        natives = self._engine.sweep(self._native, [(bound._native, self._terms({**(terms or {}), **values}, floats))
                                                    for values in cases], threads)
        out = []
        for native in natives:
            if not native["ok"]:
                raise error_from(native["messages"])
            out.append(Result(native, warnings_of(native["messages"])))
        return out

    def simulate(self, data=None, *, draws, runs, seed=1, correlate=None, terms=None, threads=0, floats=None,
                 record_draws=True):
        """Runs the contract `runs` times on `data`, drawing terms and data at random as `utfall
        simulate` does (docs/cli.md): `draws` is one or a list of "NAME ~ DIST [step S]"
        ("premieandel ~ uniform(20 %, 50 %)"), `correlate` one or a list of "A, B = RHO", `terms`
        overrides fixed in every run, `seed` a whole number (the same seed gives the same runs on
        any number of `threads`; 0: all cores). Returns a Simulation; runs that fail are counted
        in it (`failed`, `first_failure`). Options that do not read raise CheckError (E214);
        data that does not bind raises DataError."""
        draws = [draws] if isinstance(draws, str) else list(draws)
        correlate = [correlate] if isinstance(correlate, str) else list(correlate or [])
        for name, value in (("runs", runs), ("seed", seed), ("threads", threads)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name}: a whole number, not {value!r}")
        bound = self.bind(data, floats=floats)
        native = self._engine.simulate(self._native, bound._native, draws, correlate, runs, seed, threads,
                                       self._terms(terms, floats), record_draws)
        if not native.ok:
            raise error_from(native.messages)
        return Simulation(native, bound.warnings + warnings_of(native.messages))

    def batch(self, datasets, *, floats=None, errors="raise"):
        """Evaluates the contract on each data set of `datasets` (any shape `run` takes, or
        Bound) with amounts as Decimal per payment line (utfall::Batch: the fixed-point path,
        many sets at once). errors="raise" raises the first failing set's error (its location
        begins "data set i"); errors="keep" keeps it in BatchResult.errors."""
        if errors not in ("raise", "keep"):
            raise ValueError("errors: 'raise' or 'keep'")
        batch = _utfall.Batch(self._engine, self._native)
        bounds = [self.bind(d, floats=floats)._native for d in datasets]
        result = BatchResult(batch.lines, batch.places, batch.evaluate(bounds))
        if errors == "raise":
            for error in result.errors:
                if error is not None:
                    raise error
        return result


def combinations(vary):
    """Every combination of the values in `vary` ({term: [values]}) as {term: value}, the
    first term varying slowest: the cases of a sweep, in its order."""
    names = list(vary)
    return [dict(zip(names, values)) for values in itertools.product(*(list(vary[n]) for n in names))]


def explanation_text(result, period=None, payer=None, payee=None):
    """The traces of a Result as an indented statement, one block per rule and period."""
    blocks = []
    for trace in result.traces:
        paid = [result.payments[i] for i in trace["payments"]]
        if period is not None and trace["period"] != str(period):
            continue
        if (payer or payee) and not any((payer is None or p.payer == payer) and (payee is None or p.payee == payee)
                                        for p in paid):
            continue
        title = f"{trace['clause']} {trace['clause_title']}".strip()
        rule = f" `{trace['rule']}`" if trace["rule"] else ""
        lines = [f"{trace['period']}  {title}{rule} (line {trace['line']})"]
        for p in paid:
            lines.append(f"  pays {p.payer} -> {p.payee}: {p.amount} {p.currency}")
        for step in trace["steps"]:
            value = f"{step['value']} {step['unit']}".strip()
            text = f"{'  ' * (step['depth'] + 2)}{step['label']} = {value}"
            if step["formula"] and step["formula"] != step["label"]:
                text += f"    [{step['formula']}]"
            if step["note"]:
                text += f"    ({step['note']})"
            lines.append(text)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
