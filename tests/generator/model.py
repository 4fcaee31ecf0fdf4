"""model.py: an evaluator of generated contracts (syntax.py objects), from docs/language.md alone.

`evaluate(contract)` returns the payment lines that `utfall run` must print, in its order
(§22: by period, then clause as written, payments before waterfalls within a clause), each
{"period", "from", "to", "amount" (Fraction), "currency", "clause", "rule"}; or raises ModelError(code)
for an evaluation error (E531, E6xx).

Everything is exact (fractions.Fraction). Definitions are evaluated on demand and remembered
(§11); payments and waterfalls carry their history for netting, total caps and per-participant
caps (§16.3, §17.2).
"""
import calendar
import math
import unicodedata
from datetime import date, timedelta
from fractions import Fraction as F

from syntax import (link_target, PERIOD, TEXT, At, Bin, BoolLit, Call, CountP, CurPeriod, DateLit, Field, ForEach, If, Let, Lit, Name, Neg,
                    Not, Pay, PeriodLit, Scale, SumOver, SumP, Table, TextLit, TextTable, Unlimited, Waterfall)


def nfc(s):
    """Text as utfall compares it (§13.7): in NFC, case and inner spaces kept."""
    return unicodedata.normalize("NFC", s)


class ModelError(Exception):
    def __init__(self, code, msg=""):
        super().__init__(f"{code}: {msg}")
        self.code = code


class PV:
    """A period value: its index in the calendar (may lie outside it, §13.10)."""
    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i

    def __eq__(self, o):
        return isinstance(o, PV) and o.i == self.i

    def __hash__(self):
        return hash(self.i)


def minor_unit(c, cur):
    """The minor unit of currency `cur` (§4, §4.1): each has its own."""
    return c.eur[0] if cur == "EUR" else c.minor


def round_to(x, step, mode):
    if step <= 0:
        raise ModelError("E603", "rounding step not positive")
    q = F(x) / F(step)
    if mode == "ceiling":
        n = math.ceil(q)
    elif mode == "floor":
        n = math.floor(q)
    else:
        a = abs(q)
        fl = math.floor(a)
        fr = a - fl
        if mode == "half_up":
            n = fl + (1 if fr >= F(1, 2) else 0)
        elif mode == "half_down":
            n = fl + (1 if fr > F(1, 2) else 0)
        elif mode == "half_even":
            n = fl + (1 if fr > F(1, 2) or (fr == F(1, 2) and fl % 2 == 1) else 0)
        elif mode == "up":
            n = fl + (1 if fr > 0 else 0)
        elif mode == "down":
            n = fl
        else:
            raise ValueError(mode)
        n = -n if q < 0 else n
    return n * F(step)


# -- dates (§7, §13.15) ---------------------------------------------------------------------------
# A date is a datetime.date. The periods of a yearly, quarterly or monthly calendar are spans of
# 12, 3 or 1 months, so a period's months are counted from the first period's first month; the
# periods of a listed calendar have the dates it declares, and no others.

def month_number(d):
    """Months since January of year 0: a date's month, counted."""
    return d.year * 12 + d.month - 1


def month_start(m):
    return date(m // 12, m % 12 + 1, 1)


def calendar_months(c):
    """(months per period, month number of the first period's first month), or None for a list."""
    first = c.periods[0]
    if c.period_kind == "yearly":
        return 12, int(first) * 12
    if c.period_kind == "quarterly":
        return 3, int(first[:4]) * 12 + (int(first[5]) - 1) * 3
    if c.period_kind == "monthly":
        return 1, int(first[:4]) * 12 + int(first[5:]) - 1
    return None


def period_dates(c, i):
    """The first and last day of period i (which may lie outside a yearly, quarterly or monthly
    calendar); a listed calendar has dates only for its own periods (E614)."""
    cm = calendar_months(c)
    if cm is None:
        if not 0 <= i < len(c.periods):
            raise ModelError("E614", f"period #{i} lies outside the listed calendar")
        return c.period_dates[i]
    per, m0 = cm
    return month_start(m0 + i * per), month_start(m0 + (i + 1) * per) - timedelta(days=1)


def period_of(c, d, n):
    cm = calendar_months(c)
    if cm is None:
        for i, (a, b) in enumerate(c.period_dates):
            if a <= d <= b:
                return PV(i)
        raise ModelError("E614", f"{d} falls in no period of the calendar")
    per, m0 = cm
    i = (month_number(d) - m0) // per
    if i < -100000 or i >= n + 100000:
        raise ModelError("E605")
    return PV(i)


def whole_step(x):
    if F(x).denominator != 1:
        raise ModelError("E605", f"a date moved by {x}")
    return int(x)


def add_months(d, n, rule):
    """§13.15: the same day of the month n months on; a day that month lacks is an error
    without a rule, its last day under last_day, the day after that under next_day."""
    y, m = divmod(month_number(d) + n, 12)
    length = calendar.monthrange(y, m + 1)[1]
    if d.day <= length:
        return date(y, m + 1, d.day)
    if rule is None:
        raise ModelError("E613", f"add_months({d}, {n}): no day {d.day}")
    return date(y, m + 1, length) + timedelta(days=1 if rule == "next_day" else 0)


class Model:
    def __init__(self, c, overrides=None):
        self.c = c
        self.overrides = overrides or {}
        self.n = len(c.periods)
        self.terms = {t.name: t for t in c.terms}
        self.series = {s.name: s for s in c.series}
        self.lets, self.ppdefs, self.pays, self.wfs, self.tables = {}, {}, {}, {}, {}
        self.pay_order, self.wf_order = [], []
        for it in c.top:
            self._index(it, None)
        for cl in c.clauses:
            for it in cl.items:
                self._index(it, cl)
        self.memo = {}
        self.pay_memo = {}
        self.pay_pp = {}
        self.pay_keys = {}  # payment -> {key: records paid} (§16.6)
        self.not_paid = []  # (payment, period, record) not paid under `at most` (§16.6)
        self.wf_memo = {}
        self.active = set()

    def _index(self, it, cl):
        if isinstance(it, Let):
            self.lets[it.name] = it
        elif isinstance(it, ForEach):
            for l in it.lets:
                self.ppdefs[(it.pset, l.name)] = (it.var, l)
        elif isinstance(it, Pay):
            it.clause = cl
            self.pay_order.append(it)
            if it.name:
                self.pays[it.name] = it
        elif isinstance(it, Waterfall):
            it.clause = cl
            self.wf_order.append(it)
            if it.name:
                self.wfs[it.name] = it
        elif isinstance(it, (Table, TextTable, Scale)):
            self.tables[it.name] = it

    # -- expressions -----------------------------------------------------------------------------
    def ev(self, e, t, env):
        k = type(e)
        if k is Lit:
            return e.value
        if k is BoolLit:
            return e.b
        if k is TextLit:
            return nfc(e.value)
        if k is PeriodLit:
            return PV(e.idx)
        if k is DateLit:
            return e.value
        if k is CurPeriod:
            if t is None:
                raise ModelError("E604")
            return PV(t)
        if k is Name:
            return self.name(e.name, t)
        if k is Field:
            pset, idx = env[e.var]
            if e.linked:  # c.f.g: g of the record whose `id` the link f holds (§8.5)
                pset, idx = self.linked(pset, e.field, idx)
                e = Field(e.var, e.linked)
            rec = self.c.pdata[pset][idx]
            if e.field in rec:
                v = rec[e.field]
                ftype = next(ft for f, ft, _ in self.pset_fields(pset) if f == e.field)
                return PV(v) if ftype == PERIOD else nfc(v) if ftype == TEXT else v
            return self.ppdef(pset, e.field, idx, t)
        if k is Bin:
            return self.binop(e, t, env)
        if k is Not:
            return not self.ev(e.a, t, env)
        if k is Neg:
            return -self.ev(e.a, t, env)
        if k is At:
            return self.ev(e.a, e.idx, env)
        if k is If:
            return self.ev(e.a, t, env) if self.ev(e.c, t, env) else self.ev(e.b, t, env)
        if k is Call:
            return self.call(e, t, env)
        if k is SumP:
            total = F(0)
            for idx in range(len(self.c.pdata[e.pset])):
                env2 = dict(env)
                env2[e.var] = (e.pset, idx)
                if e.where is None or self.ev(e.where, t, env2):
                    total += self.ev(e.e, t, env2)
            return total
        if k is CountP:
            n = 0
            for idx in range(len(self.c.pdata[e.pset])):
                env2 = dict(env)
                env2[e.var] = (e.pset, idx)
                if e.where is None or self.ev(e.where, t, env2):
                    n += 1
            return F(n)
        if k is SumOver:
            return sum((self.ev(e.e, s, env) for s in range(e.p0, e.p1 + 1)), F(0))
        raise TypeError(e)

    def pset_fields(self, pset):
        return next(p.fields for p in self.c.pinputs if p.name == pset)

    def binop(self, e, t, env):
        op = e.op
        if op == "and":
            return bool(self.ev(e.a, t, env)) and bool(self.ev(e.b, t, env))
        if op == "or":
            return bool(self.ev(e.a, t, env)) or bool(self.ev(e.b, t, env))
        a = self.ev(e.a, t, env)
        b = self.ev(e.b, t, env)
        if op in ("+", "-"):
            if isinstance(a, PV):
                if b.denominator != 1 or abs(b) > 100000:
                    raise ModelError("E605")
                r = a.i + (b if op == "+" else -b)
                if r < -100000 or r >= self.n + 100000:
                    raise ModelError("E605")
                return PV(int(r))
            if isinstance(a, date):  # date - date: the days between (§13.15)
                return F((a - b).days)
            return a + b if op == "+" else a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                raise ModelError("E601", "division by zero")
            return F(a) / b
        if isinstance(a, PV):
            a, b = a.i, b.i
        if op == "=":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
        raise ValueError(op)

    def call(self, e, t, env):
        fn = e.fn
        if fn in ("min", "max"):
            vals = [self.ev(a, t, env) for a in e.args]
            return min(vals) if fn == "min" else max(vals)
        if fn == "clamp":
            x, lo, hi = (self.ev(a, t, env) for a in e.args)
            if lo > hi:
                raise ModelError("E606")
            return min(max(x, lo), hi)
        if fn == "abs":
            return abs(self.ev(e.args[0], t, env))
        if fn == "round":
            x = self.ev(e.args[0], t, env)
            step = self.ev(e.args[1], t, env)
            return round_to(x, step, e.mode)
        if fn in ("start_of", "end_of", "days_in"):
            first, last = period_dates(self.c, self.ev(e.args[0], t, env).i)
            return first if fn == "start_of" else last if fn == "end_of" else F((last - first).days + 1)
        if fn == "period_of":
            return period_of(self.c, self.ev(e.args[0], t, env), self.n)
        if fn == "add_days":
            d, k = self.ev(e.args[0], t, env), whole_step(self.ev(e.args[1], t, env))
            return d + timedelta(days=k)
        if fn == "add_months":
            d, k = self.ev(e.args[0], t, env), whole_step(self.ev(e.args[1], t, env))
            return add_months(d, k, e.mode)
        if fn == "to_date":
            if t is None:
                raise ModelError("E604")
            return sum((self.ev(e.args[0], s, env) for s in range(0, t + 1)), F(0))
        if fn == "previous":
            if t is None:
                raise ModelError("E604")
            if t == 0:
                return self.ev(e.args[1], 0, env)
            return self.ev(e.args[0], t - 1, env)
        tab = self.tables[fn]
        x = self.ev(e.args[0], t, env)
        if isinstance(tab, TextTable):  # §18.1: the row whose key equals x exactly, or E610
            for key, v in tab.rows:
                if nfc(key) == x:
                    return self.ev(v, None, {})
            raise ModelError("E610", f"no row for the key {x!r}")
        if isinstance(tab, Table):
            for lo, lc, hi, hc, v in tab.rows:
                lov = None if lo is None else self.ev(lo, None, {})
                hiv = None if hi is None else self.ev(hi, None, {})
                if (lov is None or x > lov or (lc and x == lov)) and (hiv is None or x < hiv or (hc and x == hiv)):
                    return self.ev(v, None, {})
            raise ModelError("E607", "outside every interval")
        pts = [(self.ev(a, None, {}), self.ev(b, None, {})) for a, b in tab.points]
        if x <= pts[0][0]:
            return pts[0][1]
        if x >= pts[-1][0]:
            return pts[-1][1]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if x0 <= x <= x1:
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        raise AssertionError

    def limit(self, e, t, env):
        """A limit (a cap, a tier's `up to`): None when it is the bare name of a term whose
        value is `unlimited` (§9.2: no limit), else its value."""
        if isinstance(e, Name) and e.name in self.terms:
            given = self.overrides.get(e.name, self.terms[e.name].expr)
            if given is None or isinstance(given, Unlimited):
                return None
        return self.ev(e, t, env)

    def name(self, name, t):
        if name in self.terms:
            if self.overrides.get(name, 0) is None or (name not in self.overrides and isinstance(self.terms[name].expr, Unlimited)):
                raise ModelError("E322", f"{name} is unlimited")
            if name in self.overrides:
                return self.overrides[name]
            key = ("term", name)
            if key not in self.memo:
                self.memo[key] = self.ev(self.terms[name].expr, None, {})
            return self.memo[key]
        if t is None:
            raise ModelError("E604")
        if name in self.series:
            v = self.c.sdata[name][t]
            if v is None:
                raise ModelError("E531", f"no value of {name} for {self.c.periods[t]}")
            return nfc(v) if isinstance(v, str) else v
        if name in self.lets:
            key = ("let", name, t)
            if key not in self.memo:
                self.enter(key)
                self.memo[key] = self.ev(self.lets[name].expr, t, {})
                self.leave(key)
            return self.memo[key]
        if name in self.pays:
            return self.pay(self.pays[name], t)[0]
        if name in self.wfs:
            res = self.wf(self.wfs[name], t)
            return sum(res.values(), F(0)) if res is not None else F(0)
        raise KeyError(name)

    def linked(self, pset, field, idx):
        """(set, index) of the record that the link `field` of record idx of pset names: the
        record of the target whose text field `id` is equal (§8.5); none is E533."""
        target = next(link_target(dt) for f, _, dt in self.pset_fields(pset) if f == field)
        key = nfc(self.c.pdata[pset][idx][field])
        for j, rec in enumerate(self.c.pdata[target]):
            if nfc(rec["id"]) == key:
                return target, j
        raise ModelError("E533", f"no record of {target} has the id {key}")

    def ppdef(self, pset, name, idx, t):
        key = ("pp", pset, name, idx, t)
        if key not in self.memo:
            var, let = self.ppdefs[(pset, name)]
            self.enter(key)
            self.memo[key] = self.ev(let.expr, t, {var: (pset, idx)})
            self.leave(key)
        return self.memo[key]

    def enter(self, key):
        if key in self.active:
            raise ModelError("E210", f"circular: {key}")
        self.active.add(key)

    def leave(self, key):
        self.active.discard(key)

    # -- payments (§16.3) --------------------------------------------------------------------------
    @staticmethod
    def applies(appl, t):
        return appl is None or appl[0] <= t <= appl[1]

    def pay(self, p, t):
        """(amount, applies) of payment p in period t."""
        key = (id(p), t)
        if key in self.pay_memo:
            return self.pay_memo[key]
        for s in range(t):  # the history first: netting, caps in total and per participant
            self.pay(p, s)
        self.enter(("pay", id(p), t))
        res = self._pay(p, t)
        self.leave(("pay", id(p), t))
        self.pay_memo[key] = res
        return res

    def _pay(self, p, t):
        self.pay_pp[(id(p), t)] = {}
        if not self.applies(p.appl, t):
            return (F(0), False)
        if p.when is not None and not self.ev(p.when, t, {}):
            return (F(0), True)
        earlier = sum((self.pay_memo[(id(p), s)][0] for s in range(t)), F(0))
        if p.fe is None:
            A = self.ev(p.amount, t, {})
            if p.rounding:
                A = round_to(A, self.ev(p.rounding[1], t, {}), p.rounding[0])
        else:
            var, pset, where = p.fe
            A = F(0)
            # at most N per key (§16.6): records paid per key, over the periods so far in order
            paid_per_key = self.pay_keys.setdefault(id(p), {})
            for idx in range(len(self.c.pdata[pset])):
                env = {var: (pset, idx)}
                if where is not None and not self.ev(where, t, env):
                    continue
                if p.at_most:
                    n, keys = p.at_most
                    key = tuple(self.ev(k, t, env) for k in keys)
                    if paid_per_key.get(key, 0) >= n:
                        self.not_paid.append((id(p), t, idx))
                        continue
                    paid_per_key[key] = paid_per_key.get(key, 0) + 1
                a = self.ev(p.amount, t, env)
                if p.rounding:
                    a = round_to(a, self.ev(p.rounding[1], t, env), p.rounding[0])
                Z = self.limit(p.caps["participant"], t, env) if "participant" in p.caps else None
                if Z is not None:
                    before = sum((self.pay_pp[(id(p), s)].get(idx, F(0)) for s in range(t)), F(0))
                    left = Z - before
                    if a > left:
                        a = max(left, F(0))
                self.pay_pp[(id(p), t)][idx] = a
                A += a
        if p.netted:
            A = A - earlier
            if A < 0:
                A = F(0)
        if p.floor is not None:
            A = max(A, self.ev(p.floor, t, {}))
        X = self.limit(p.caps["period"], t, {}) if "period" in p.caps else None
        if X is not None:
            A = min(A, X)
        Y = self.limit(p.caps["total"], t, {}) if "total" in p.caps else None
        if Y is not None:
            left = Y - earlier
            A = min(A, max(left, F(0)))
        if A < 0:
            raise ModelError("E608", "negative payment")
        if A % minor_unit(self.c, p.cur) != 0:
            raise ModelError("E602", f"not a multiple of the minor unit of {p.cur}: {A}")
        return (A, True)

    # -- waterfalls (§17.2) -------------------------------------------------------------------------
    def wf(self, w, t):
        """{payee: amount} for the payees other than the payer, in first-tier order; None where
        the waterfall does not apply."""
        key = (id(w), t)
        if key in self.wf_memo:
            return self.wf_memo[key]
        for s in range(t):
            self.wf(w, s)
        self.enter(("wf", id(w), t))
        res = self._wf(w, t)
        self.leave(("wf", id(w), t))
        self.wf_memo[key] = res
        return res

    def _wf(self, w, t):
        if not self.applies(w.appl, t):
            return None
        P = self.ev(w.pool, t, {})
        R = max(P, F(0))
        ent = {}
        tiers = [(tr.payee, tr) for tr in w.tiers] + ([(w.rest, None)] if w.rest else [])
        for payee, tr in tiers:
            if tr is None:
                a = R
            else:
                if tr.kind == "upto":
                    L = self.limit(tr.expr, t, {})
                    a = R if L is None else min(R, max(L, F(0)))
                else:
                    a = self.ev(tr.expr, t, {}) * R
                if tr.rounding:
                    a = round_to(a, self.ev(tr.rounding[1], t, {}), tr.rounding[0])
                X = self.limit(tr.cap, t, {}) if tr.cap is not None else None
                if X is not None:
                    a = min(a, X)
                a = min(a, R)
                if a < 0:
                    a = F(0)
            R -= a
            ent[payee] = ent.get(payee, F(0)) + a
        out = {}
        for payee, e in ent.items():
            if payee == w.payer:
                continue
            if w.netted:
                before = sum((self.wf_memo[(id(w), s)].get(payee, F(0)) for s in range(t)
                              if self.wf_memo[(id(w), s)] is not None), F(0))
                e = max(e - before, F(0))
            if e % minor_unit(self.c, w.cur) != 0:
                raise ModelError("E602", f"waterfall payee {payee}: {e}")
            out[payee] = e
        return out

    # -- the whole run ----------------------------------------------------------------------------------
    def run(self):
        c = self.c
        for t in range(self.n):
            for p in self.pay_order:
                self.pay(p, t)
            for w in self.wf_order:
                self.wf(w, t)
        lines = []
        for t in range(self.n):
            for cl in c.clauses:
                for p in cl.items:
                    if isinstance(p, Pay):
                        amt, ok = self.pay(p, t)
                        if ok:
                            lines.append(dict(period=c.periods[t], **{"from": p.payer}, to=p.payee, amount=amt,
                                              currency=p.cur, clause=cl.number, rule=p.name or ""))
                for w in cl.items:
                    if isinstance(w, Waterfall):
                        res = self.wf(w, t)
                        if res is not None:
                            for payee, amt in res.items():
                                lines.append(dict(period=c.periods[t], **{"from": w.payer}, to=payee, amount=amt,
                                                  currency=w.cur, clause=cl.number, rule=w.name or ""))
        return lines


def check_ranges(c):
    """Data outside a series' declared range (§8.4: both bounds inclusive, `whole` an integer)
    is refused when it is bound: E532, before anything is evaluated."""
    for s in c.series:
        if not getattr(s, "range", None):
            continue
        lo, hi, whole, _ = s.range
        for v in c.sdata[s.name]:
            if v is None:
                continue
            if (lo is not None and v < lo) or (hi is not None and v > hi) or (whole and v.denominator != 1):
                raise ModelError("E532", f"`{s.name}` = {v} outside its declared range")


def evaluate(c, overrides=None):
    check_ranges(c)
    return Model(c, overrides).run()


def evaluate_with_values(c, overrides=None):
    """The payment lines, and a function that reads a payment, waterfall or top-level/clause
    `let` by name in a period (what `expect NAME in PERIOD` compares with, §20): a payment or a
    waterfall what it paid in the period (all payees), a definition its value. It raises
    ModelError where the value fails to evaluate."""
    check_ranges(c)
    m = Model(c, overrides)
    lines = m.run()
    return lines, (lambda name, t: m.name(name, t))
