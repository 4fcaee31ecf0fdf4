"""Runs spread over a Dask cluster: many data sets, a sweep's variations, a portfolio of contracts
(docs/python.md, "Past one machine").

A task carries the contract's text and name (`Source`), never a compiled contract: each worker
process compiles a text once, caches the contract by (name, SHA-256 of the text, engine limits)
and evaluates whole chunks with `Contract.batch` or `Contract.sweep_cases`. Every function takes
a `distributed.Client`, or None to run the same chunks in this process (the reference path);
both give identical results. Results come back in input order; totals and statistics are
reduced exactly: sums of Decimals in a context that cannot round, merged in a tree whose
order does not change the result. A failing data set raises its utfall.Error (the first in
input order) with `dataset`, its index in the caller's list.

Imported on its own (`import utfall.distributed`), so that `import utfall` never loads Dask.
"""
import hashlib
import threading
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, localcontext
from fractions import Fraction
from pathlib import Path

try:
    import dask.distributed  # noqa: F401 (the cluster's client; tasks need it on the workers too)
except ImportError as missing:
    raise ImportError("utfall.distributed needs Dask's `distributed` package (Debian: python3-distributed; "
                      "pip: distributed)") from missing

from . import Contract, Engine, is_path
from .contract import combinations
from .results import BatchResult, SweepResult

__all__ = ["Source", "Stat", "Totals", "source", "run_batches", "totals", "sweep", "portfolio", "compilations"]

DEFAULT_CHUNK = 10_000  # data sets per task: a Batch takes millions a second, so a task is mostly transfer
_FAN_IN = 8  # partial totals merged per reduction task


# --- what a task carries ---

@dataclass(frozen=True)
class Source:
    """A contract as it travels to a worker: its text, its name in messages, and the engine's
    limits ({"max_steps": N, ...} as for utfall.Engine; empty for the defaults)."""
    text: str
    name: str
    limits: tuple = ()  # sorted (limit, value) pairs

    @property
    def key(self):
        return (self.name, hashlib.sha256(self.text.encode("utf-8")).hexdigest(), self.limits)


def source(contract, name=None, limits=None):
    """A `Source` from contract text, a file name (read here, as `utfall.compile` reads one) or
    a Source. A compiled Contract cannot travel: pass its text or file instead."""
    if isinstance(contract, Source):
        return contract
    if isinstance(contract, Contract):
        raise TypeError("a compiled utfall.Contract cannot be sent to workers; pass the contract's text or file name, "
                        "which each worker compiles once")
    pairs = tuple(sorted((limits or {}).items()))
    if is_path(contract):
        return Source(Path(contract).read_text(encoding="utf-8"), name or str(contract), pairs)
    if isinstance(contract, bytes):
        contract = contract.decode("utf-8")
    if not isinstance(contract, str):
        raise TypeError(f"a contract of type {type(contract).__name__}: expected its text, a file name or a Source")
    return Source(contract, name or "<contract>", pairs)


# --- on a worker: compile once per process ---

_compiled = {}  # Source.key -> Contract
_compile_counts = {}  # Source.key -> compilations in this process: 1 each, which a test can read back
_lock = threading.Lock()


def _contract(src):
    with _lock:
        contract = _compiled.get(src.key)
        if contract is None:
            contract = Engine(**dict(src.limits)).compile_text(src.text, src.name)
            _compiled[src.key] = contract
            _compile_counts[src.key] = _compile_counts.get(src.key, 0) + 1
        return contract


def compilations():
    """{(name, sha256, limits): number of compilations} in this process; on a cluster,
    `client.run(utfall.distributed.compilations)` asks each worker."""
    with _lock:
        return dict(_compile_counts)


def _noted(error, note, **attributes):
    """`error` with attributes that say where it arose, and a note for its traceback (3.11+)."""
    for name, value in attributes.items():
        setattr(error, name, value)
    if hasattr(error, "add_note"):
        error.add_note(note)
    return error


def _located(error, index):
    """`error` marked with the data set's index in the caller's list."""
    return _noted(error, f"in data set {index} of the list given to utfall.distributed", dataset=index)


def _batch_chunk(src, offset, datasets, floats):
    """Chunk `datasets` (starting at `offset` in the caller's list) through one Batch:
    (amounts per set or None, error per set or None). Each set is bound alone, so that a set
    whose data fails names its own index."""
    contract = _contract(src)
    bounds, errors = [], []
    for i, data in enumerate(datasets):
        try:
            bounds.append(contract.bind(data, floats=floats))
            errors.append(None)
        except Exception as error:  # utfall.DataError, or TypeError/ValueError for a value Python refuses
            bounds.append(None)
            errors.append(_located(error, offset + i))
    batch = contract.batch([b for b in bounds if b is not None], errors="keep")
    ran = iter(zip(batch.amounts, batch.errors))
    amounts = []
    for i, bound in enumerate(bounds):
        if bound is None:
            amounts.append(None)
            continue
        got, error = next(ran)
        amounts.append(got)
        if error is not None:
            errors[i] = _located(error, offset + i)
    return amounts, errors


def _lines(src):
    """The contract's payment lines (compiling it here, which also checks it before any task)."""
    return _contract(src).batch([]).lines


# --- exact statistics ---

_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])  # a sum that would round raises


def _least(a, b):
    # Equal values with different exponents (1.0, 1.00): the choice must not depend on the order.
    return a if (a, a.as_tuple().exponent) <= (b, b.as_tuple().exponent) else b


def _greatest(a, b):
    return a if (a, a.as_tuple().exponent) >= (b, b.as_tuple().exponent) else b


@dataclass(frozen=True)
class Stat:
    """Amounts over data sets: `count`, `sum`, `min`, `max`, `squares` (the sum of their
    squares; all Decimal, exact), and as exact Fractions `mean` and `variance` (the population
    variance; `Decimal(f.numerator) / f.denominator` rounds one to the context)."""
    count: int
    sum: Decimal
    min: Decimal
    max: Decimal
    squares: Decimal

    @property
    def mean(self):
        return Fraction(self.sum) / self.count

    @property
    def variance(self):
        return Fraction(self.squares) / self.count - self.mean ** 2

    @staticmethod
    def of(amount):
        with localcontext(_EXACT):
            return Stat(1, amount, amount, amount, amount * amount)

    def merge(self, other):
        with localcontext(_EXACT):
            return Stat(self.count + other.count, self.sum + other.sum, _least(self.min, other.min),
                        _greatest(self.max, other.max), self.squares + other.squares)


@dataclass(frozen=True)
class Totals:
    """What `totals` reduces: `count` (data sets), `pairs` {(payer, payee, currency): Stat of a
    set's total for that pair over all periods}, `flows` {Line: Stat of the line's amount},
    in the order of the contract's lines."""
    count: int
    pairs: dict
    flows: dict


def _merge_stats(maps):
    out = {}
    for stats in maps:
        for key, stat in stats.items():
            out[key] = out[key].merge(stat) if key in out else stat
    return out


def _merge_totals(*parts):
    """Partial Totals merged; an error among them (a failed chunk) wins, the lowest index first."""
    errors = [p for p in parts if isinstance(p, BaseException)]
    if errors:
        return min(errors, key=lambda e: e.dataset)
    return Totals(sum(p.count for p in parts), _merge_stats(p.pairs for p in parts),
                  _merge_stats(p.flows for p in parts))


def _totals_task(src, offset, datasets, floats):
    amounts, errors = _batch_chunk(src, offset, datasets, floats)
    failed = [e for e in errors if e is not None]
    if failed:
        return failed[0]
    lines = _lines(src)
    pairs, flows = {}, {}
    with localcontext(_EXACT):
        for per_line in amounts:
            per_pair = {}
            for line, amount in zip(lines, per_line):
                key = (line.payer, line.payee, line.currency)
                per_pair[key] = per_pair[key] + amount if key in per_pair else amount
                flows[line] = flows[line].merge(Stat.of(amount)) if line in flows else Stat.of(amount)
            for key, total in per_pair.items():
                pairs[key] = pairs[key].merge(Stat.of(total)) if key in pairs else Stat.of(total)
    return Totals(len(amounts), pairs, flows)


def _in_order(keys, stats):
    return {k: stats[k] for k in keys if k in stats}


# --- sweeps and portfolios ---

def _sweep_task(src, data, cases, terms, floats, threads, offset):
    try:
        return _contract(src).sweep_cases(data, cases, terms=terms, floats=floats, threads=threads)
    except Exception as error:
        return _noted(error, f"in the sweep's cases {offset} to {offset + len(cases) - 1} (from 0, first term slowest)")


def _run_task(src, data, terms, floats):
    try:
        return _contract(src).run(data, terms=terms, floats=floats)
    except Exception as error:
        return error


# --- the client's side ---

def _chunks(items, chunk):
    if chunk < 1:
        raise ValueError("chunk: a positive number of items per task")
    return [(start, items[start:start + chunk]) for start in range(0, len(items), chunk)]


def _map(client, function, argument_lists):
    """function(*arguments) for each list, on the cluster (or here when client is None), in order."""
    if client is None:
        return [function(*arguments) for arguments in argument_lists]
    futures = [client.submit(function, *arguments, pure=False) for arguments in argument_lists]
    return client.gather(futures)


def run_batches(client, contract, datasets, *, chunk=DEFAULT_CHUNK, floats=None, errors="raise", name=None,
                limits=None):
    """Contract.batch over `datasets` (a list of anything `run` takes: dicts, DataFrames, file
    names read by the worker), `chunk` sets per task: one BatchResult, sets in input order.
    errors="raise" raises the first failing set's error (its `dataset` is its index here);
    errors="keep" leaves its amounts None and the error in `errors[i]`."""
    if errors not in ("raise", "keep"):
        raise ValueError("errors: 'raise' or 'keep'")
    src = source(contract, name, limits)
    lines = _lines(src)
    datasets = list(datasets)
    parts = _map(client, _batch_chunk, [(src, start, sets, floats) for start, sets in _chunks(datasets, chunk)])
    amounts = [a for part_amounts, _ in parts for a in part_amounts]
    failures = [e for _, part_errors in parts for e in part_errors]
    if errors == "raise":
        for error in failures:
            if error is not None:
                raise error
    return BatchResult.of(lines, amounts, failures)


def totals(client, contract, datasets, *, chunk=DEFAULT_CHUNK, floats=None, name=None, limits=None):
    """Exact Totals of `datasets`: each task reduces its chunk, the partial Totals are merged
    in a tree on the cluster (`_FAN_IN` at a time), and the first failing set's error, in input
    order, is raised. Decimal sums never round, so any order of merging gives the same result."""
    src = source(contract, name, limits)
    lines = _lines(src)
    arguments = [(src, start, sets, floats) for start, sets in _chunks(list(datasets), chunk)]
    if client is None:
        parts = [_totals_task(*a) for a in arguments]
        merged = _merge_totals(*parts) if parts else Totals(0, {}, {})
    elif arguments:
        level = [client.submit(_totals_task, *a, pure=False) for a in arguments]
        while len(level) > 1:
            level = [client.submit(_merge_totals, *level[i:i + _FAN_IN], pure=False)
                     for i in range(0, len(level), _FAN_IN)]
        merged = level[0].result()
    else:
        merged = Totals(0, {}, {})
    if isinstance(merged, BaseException):
        raise merged
    pair_keys = list(dict.fromkeys((line.payer, line.payee, line.currency) for line in lines))
    return Totals(merged.count, _in_order(pair_keys, merged.pairs), _in_order(lines, merged.flows))


def sweep(client, contract, data=None, *, vary, terms=None, floats=None, chunk=64, threads=1, name=None,
          limits=None):
    """Contract.sweep over a cluster: the combinations of `vary` (the first term varies
    slowest) in chunks of `chunk`, each evaluated with `threads` threads on its worker. The
    same SweepResult as `Contract.sweep`. `data` is sent once to the cluster (client.scatter)."""
    src = source(contract, name, limits)
    _lines(src)
    cases = combinations(vary)
    shared = data if client is None else client.scatter(data, broadcast=False, hash=False)
    parts = _map(client, _sweep_task, [(src, shared, chunk_cases, terms, floats, threads, start)
                                       for start, chunk_cases in _chunks(cases, chunk)])
    for part in parts:
        if isinstance(part, BaseException):
            raise part
    return SweepResult(list(zip(cases, (r for part in parts for r in part))))


def portfolio(client, contracts, data_by_name, *, terms_by_name=None, floats=None, limits=None):
    """Each contract of `contracts` ({name: text, file name or Source}) run on its data
    (`data_by_name[name]`) with its term overrides (`terms_by_name`), one task each:
    {name: Result} in the order of `contracts`. The first contract that fails, in that order,
    raises its error, with `contract`, its name."""
    names = list(contracts)
    missing = [n for n in names if n not in data_by_name]
    if missing:
        raise KeyError(f"data_by_name has no data for {missing}")
    sources = {n: source(contracts[n], None if isinstance(contracts[n], Source) or is_path(contracts[n]) else n, limits)
               for n in names}
    results = _map(client, _run_task, [(sources[n], data_by_name[n], (terms_by_name or {}).get(n), floats)
                                       for n in names])
    for name_, result in zip(names, results):
        if isinstance(result, BaseException):
            raise _noted(result, f"in contract {name_!r} of the portfolio", contract=name_)
    return dict(zip(names, results))
