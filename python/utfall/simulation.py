"""The runs of a simulation (`Contract.simulate`): every run's amounts as decimal.Decimal, the
values each run drew, and exact statistics over the runs.

The engine keeps every amount as an exact count of 10^-places currency units (the C++ API's
utfall::Simulation); this module reads them as Decimal(count).scaleb(-places), so no amount
passes through a float. The statistics are the engine's (`utfall simulate` computes the same);
a mean is exact: a Decimal, or a Fraction where it is not a finite decimal.
"""
import html
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .errors import error_from


@dataclass(frozen=True)
class Flow:
    """What one payer pays one payee in one currency."""
    payer: str
    payee: str
    currency: str


@dataclass(frozen=True)
class Draw:
    """A draw as given: `name` ("premieandel", "kostnad@2027", "kostnad", "scale(kostnad)"),
    `distribution` as written, `step` (a Decimal, as the contract holds values: 0.00001 for
    0.001 %; None for an empirical draw), and for a whole series drawn its `periods`."""
    name: str
    distribution: str
    step: object
    periods: list = field(default_factory=list)

    def columns(self):
        """The names of its values in `Simulation.drawn`: the name, or NAME@PERIOD per period."""
        base = self.name
        return [f"{base}@{p}" for p in self.periods] if self.periods else [base]


@dataclass(frozen=True)
class Statistics:
    """Statistics of one flow in one period ("total": over all periods), or of one party's net
    position (payee None), over the runs that did not fail. `mean` is exact (Decimal, or
    Fraction when not a finite decimal); `mean_rounded` and `sd` (the sample standard deviation)
    are rounded half-even to the currency's minor unit; `percentiles` maps each percentile asked
    for (as given) to its value by nearest rank; `positive` counts the runs above zero. The
    amounts are None when no run is left (count 0)."""
    payer: str
    payee: object
    currency: str
    period: str
    count: int
    mean: object
    mean_rounded: object
    sd: object
    percentiles: dict
    min: object
    max: object
    positive: int


def _exact(text):
    if not text:
        return None
    return Fraction(text) if "/" in text else Decimal(text)


def _decimal(text):
    return Decimal(text) if text else None


class Simulation:
    """The runs of `Contract.simulate`. `runs`, `seed`, `failed` (the number of runs that failed),
    `first_failure` (the utfall.Error of the failed run with the least index, or None) and
    `first_failed_run` (from 0), `run_ok` (a bool per run), `flows` (Flow), `draws` (Draw),
    `periods`, `warnings`. Amounts and drawn values: `totals`, `by_period`, `nets`, `drawn`,
    `amounts(...)`; statistics: `statistics()`, `net_statistics()`."""

    def __init__(self, native, warnings=()):
        self._native = native
        self.runs = native.runs
        self.seed = native.seed
        self.failed = native.failed
        self.places = native.places
        self.periods = list(native.periods)
        first = native.first_failure
        self.first_failure = error_from(first) if first else None
        self.first_failed_run = native.first_failed_run if first else None
        self.run_ok = native.run_ok()
        self.flows = [Flow(*f) for f in native.flows]
        self._positions = [tuple(p) for p in native.positions]
        self.draws = [Draw(name, distribution, Decimal(step) if step else None, list(periods))
                      for name, distribution, step, periods in native.draws]
        self.warnings = list(warnings)
        self._amounts = {}

    def __len__(self):
        return self.runs

    def _flow_index(self, payer, payee, currency):
        matches = [i for i, f in enumerate(self.flows)
                   if f.payer == payer and f.payee == payee and (currency is None or f.currency == currency)]
        if len(matches) != 1:
            raise KeyError(f"no flow {payer} -> {payee}" + (f" in {currency}" if currency else "")
                           if not matches else f"flows {payer} -> {payee} in several currencies: name one")
        return matches[0]

    def _column(self, flow, period):
        key = (flow, period)
        if key not in self._amounts:
            self._amounts[key] = [Decimal(n).scaleb(-self.places) for n in self._native.amounts(flow, period)]
        return self._amounts[key]

    def amounts(self, payer, payee, *, period=None, currency=None):
        """What payer paid payee in each run (a list of Decimal, one per run; zero in a failed
        run, see `run_ok`): in `period`, or in total (None)."""
        flow = self._flow_index(payer, payee, currency)
        t = len(self.periods) if period is None else self.periods.index(str(period))
        return self._column(flow, t)

    def _rows(self, periods):
        rows = []
        for f, flow in enumerate(self.flows):
            for t in periods:
                label = self.periods[t] if t < len(self.periods) else "total"
                for run, amount in enumerate(self._column(f, t)):
                    if self.run_ok[run]:
                        row = {"run": run, "period": label, "payer": flow.payer, "payee": flow.payee,
                               "currency": flow.currency, "amount": amount}
                        if t == len(self.periods):
                            del row["period"]
                        rows.append(row)
        rows.sort(key=lambda r: r["run"])
        return rows

    @property
    def totals(self):
        """Each run's total per flow over all periods: a pandas DataFrame with columns run,
        payer, payee, currency, amount (Decimal) when pandas is installed, else a list of
        dicts. Failed runs are left out."""
        return _table(self._rows([len(self.periods)]), ["run", "payer", "payee", "currency", "amount"])

    @property
    def by_period(self):
        """Each run's amount per flow and period (run, period, payer, payee, currency, amount),
        as `totals` gives them."""
        return _table(self._rows(range(len(self.periods))), ["run", "period", "payer", "payee", "currency", "amount"])

    @property
    def nets(self):
        """Each run's net position per party and currency (received - paid): run, party,
        currency, amount, as `totals` gives them."""
        rows = []
        for p, (party, currency) in enumerate(self._positions):
            for run, n in enumerate(self._native.net(p)):
                if self.run_ok[run]:
                    rows.append({"run": run, "party": party, "currency": currency, "amount": Decimal(n).scaleb(-self.places)})
        rows.sort(key=lambda r: r["run"])
        return _table(rows, ["run", "party", "currency", "amount"])

    @property
    def drawn(self):
        """The value each run drew, as the contract holds it (Decimal: 0.2734 for 27.34 %): one
        row per run (failed runs too) with its `run`, `ok` and a column per draw (NAME, or
        NAME@PERIOD for each period of a series drawn whole); as `totals` gives them. Empty
        when the simulation was asked not to record them."""
        columns = {}
        for d, draw in enumerate(self.draws):
            for slot, name in enumerate(draw.columns()):
                values = self._native.drawn(d, slot)
                if values and values[0] == "":
                    return _table([], ["run", "ok"])
                columns[name] = [Decimal(v) for v in values]
        rows = [{"run": run, "ok": self.run_ok[run], **{name: values[run] for name, values in columns.items()}}
                for run in range(self.runs)]
        return _table(rows, ["run", "ok", *columns])

    def statistics(self, percentiles=(5, 50, 95), *, periods=False):
        """Per flow, over the runs that did not fail: a Statistics of its total (and with
        `periods`, first one per period). Percentiles are numbers from 0 to 100 (int, Decimal or
        str: "97.5")."""
        asked = [str(p) for p in percentiles]
        out = []
        for f, flow in enumerate(self.flows):
            for t in (range(len(self.periods) + 1) if periods else [len(self.periods)]):
                s = self._native.flow_statistics(f, t, asked)
                label = self.periods[t] if t < len(self.periods) else "total"
                out.append(_statistics(flow.payer, flow.payee, flow.currency, label, s, asked))
        return out

    def net_statistics(self, percentiles=(5, 50, 95)):
        """Per party and currency, the Statistics of its net position in total (payee None)."""
        asked = [str(p) for p in percentiles]
        return [_statistics(party, None, currency, "total", self._native.position_statistics(p, asked), asked)
                for p, (party, currency) in enumerate(self._positions)]

    def _repr_html_(self):
        head = (f"<p>{html.escape(str(self.runs))} runs, seed {html.escape(str(self.seed))}"
                + (f", {self.failed} failed (left out of the statistics)" if self.failed else "") + "</p>")
        draws = "".join(f"<li><code>{html.escape(d.name)} ~ {html.escape(d.distribution)}</code>"
                        + (f" step {html.escape(str(d.step))}" if d.step is not None else "") + "</li>" for d in self.draws)
        columns = ["payer", "payee", "currency", "mean", "sd", "p5", "p50", "p95", "min", "max"]
        rows = []
        for s in self.statistics():
            rows.append([s.payer, s.payee, s.currency, s.mean_rounded, s.sd, *s.percentiles.values(), s.min, s.max])
        body = "".join("<tr>" + "".join(f"<td>{html.escape('-' if v is None else str(v))}</td>" for v in row) + "</tr>"
                       for row in rows)
        table = ("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr></thead><tbody>" + body
                 + "</tbody></table>")
        return head + (f"<ul>{draws}</ul>" if draws else "") + table

    def __repr__(self):
        return (f"<utfall.Simulation: {self.runs} runs, seed {self.seed}, {self.failed} failed, "
                f"{len(self.flows)} flows, draws {', '.join(d.name for d in self.draws) or 'none'}>")


def _statistics(payer, payee, currency, period, s, asked):
    return Statistics(payer, payee, currency, period, s["count"], _exact(s["mean"]), _decimal(s["mean_rounded"]),
                      _decimal(s["sd"]), {p: _decimal(v) for p, v in zip(asked, s["percentiles"])},
                      _decimal(s["min"]), _decimal(s["max"]), s["positive"])


def _table(rows, columns):
    """A pandas DataFrame of the rows when pandas is installed, else the rows (dicts)."""
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows, columns=columns)
