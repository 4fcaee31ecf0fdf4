"""Results of evaluations: payments and totals with amounts as decimal.Decimal.

An amount is the engine's exact text read by Decimal ("26700000.00" -> Decimal('26700000.00')),
so it keeps the currency's decimals and no arithmetic happens on the way. pandas is imported
only when a DataFrame is asked for.
"""
import html
from dataclasses import asdict, dataclass
from decimal import Decimal

PAYMENT_COLUMNS = ["period", "payer", "payee", "rule", "clause", "clause_title", "amount", "currency"]


@dataclass(frozen=True)
class Payment:
    period: str
    payer: str
    payee: str
    rule: str  # the payment's or waterfall's name; "" when unnamed
    clause: str  # "3.2"
    clause_title: str  # "Återbetalning"
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Total:
    payer: str
    payee: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class NotPaid:
    """A record that a payment `at most N per KEY` chose but did not pay (language.md §16.6)."""
    period: str
    payer: str
    payee: str
    clause: str
    rule: str
    records: str
    record: int
    file: str
    row: int
    line: int


def _frame(rows, columns):
    import pandas
    return pandas.DataFrame([asdict(r) for r in rows], columns=columns)


def _html_table(columns, rows):
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Result:
    """The payments of one evaluation (`Contract.run`). `payments` by period, then in the order
    of the clauses; `totals` per payer -> payee and currency over all periods; `not_paid`;
    `traces` (dicts, when run with trace=True); `warnings` (message dicts)."""

    def __init__(self, native, warnings=()):
        self.currency = native["currency"]
        self.payments = [Payment(p[0], p[1], p[2], p[3], p[4], p[5], Decimal(p[6]), p[7]) for p in native["payments"]]
        self.totals = [Total(t[0], t[1], Decimal(t[2]), t[3]) for t in native["totals"]]
        self.not_paid = [NotPaid(*n) for n in native["not_paid"]]
        self.traces = native["traces"]
        self.warnings = list(warnings)

    def amount(self, period=None, payer=None, payee=None):
        """The sum of the payments that match (None matches all), as a Decimal."""
        return sum((p.amount for p in self.payments
                    if (period is None or p.period == str(period)) and (payer is None or p.payer == payer)
                    and (payee is None or p.payee == payee)), Decimal(0))

    def to_dict(self):
        """Plain data: {"currency", "payments": [...], "totals": [...], "not_paid": [...]},
        amounts as Decimal."""
        return {"currency": self.currency, "payments": [asdict(p) for p in self.payments],
                "totals": [asdict(t) for t in self.totals], "not_paid": [asdict(n) for n in self.not_paid]}

    def to_dataframe(self):
        """The payments as a pandas DataFrame: period, payer, payee, rule, clause, clause_title,
        amount (Decimal objects), currency."""
        return _frame(self.payments, PAYMENT_COLUMNS)

    def totals_dataframe(self):
        return _frame(self.totals, ["payer", "payee", "amount", "currency"])

    def _repr_html_(self):
        rows = [(p.period, p.payer, p.payee, p.rule, f"{p.clause} {p.clause_title}".strip(), f"{p.amount} {p.currency}")
                for p in self.payments]
        return _html_table(["period", "payer", "payee", "rule", "clause", "amount"], rows)

    def __repr__(self):
        totals = ", ".join(f"{t.payer}->{t.payee} {t.amount} {t.currency}" for t in self.totals)
        return f"<utfall.Result: {len(self.payments)} payments; totals {totals or 'none'}>"


class SweepResult:
    """The results of `Contract.sweep`: `cases`, a list of (values, Result), one per combination
    of the varied terms (the first term varies slowest)."""

    def __init__(self, cases):
        self.cases = cases

    def __iter__(self):
        return iter(self.cases)

    def __len__(self):
        return len(self.cases)

    def to_dataframe(self):
        """One row per case, payer and payee: the varied terms' values (as given), payer,
        payee, currency and the total amount."""
        import pandas
        rows = []
        for values, result in self.cases:
            for t in result.totals:
                rows.append({**values, "payer": t.payer, "payee": t.payee, "amount": t.amount, "currency": t.currency})
        return pandas.DataFrame(rows)


@dataclass(frozen=True)
class Line:
    """A line every evaluation of a contract pays (`Contract.batch`)."""
    period: str
    payer: str
    payee: str
    rule: str
    clause: str
    clause_title: str
    currency: str


class BatchResult:
    """The results of `Contract.batch` over many data sets. `lines` are the contract's payment
    lines; `amounts[i]` is the list of data set i's amounts, one Decimal per line (zero where a
    payment's condition was false), or None when the set failed; `errors[i]` is then its
    exception (None otherwise)."""

    def __init__(self, lines, places, native):
        self.lines = [Line(*line) for line in lines]
        self.amounts = [[Decimal(n).scaleb(-places) for n in amounts] if ok else None for ok, amounts, _ in native]
        from .errors import error_from
        self.errors = [None if ok else error_from(messages) for ok, _, messages in native]

    @classmethod
    def of(cls, lines, amounts, errors):
        """A BatchResult from its parts (utfall.distributed joins the chunks of one this way)."""
        result = cls.__new__(cls)
        result.lines, result.amounts, result.errors = list(lines), list(amounts), list(errors)
        return result

    def __len__(self):
        return len(self.amounts)

    def to_dataframe(self):
        """One row per data set and line that succeeded: set (from 0), period, payer, payee,
        rule, clause, clause_title, amount, currency."""
        import pandas
        rows = [{"set": i, **asdict(line), "amount": amount}
                for i, amounts in enumerate(self.amounts) if amounts is not None
                for line, amount in zip(self.lines, amounts)]
        return pandas.DataFrame(rows, columns=["set", *PAYMENT_COLUMNS])
