"""syntax.py: the in-memory form of a generated contract, and its printing as utfall text.

Written from docs/language.md only. `gen.py` builds these objects, `model.py` evaluates them,
`to_text` prints them in utfall syntax (with random but meaning-preserving choices of layout:
spellings, `@` or not before a period, modifier order, grouping underscores).
"""
from fractions import Fraction

# ---------------------------------------------------------------------------------------------
# Types. A numeric type is a unit: a sorted tuple of (dimension, exponent); () is a plain number.

PLAIN = ()
SEK = (("SEK", 1),)
PL = (("placement", 1),)
SEKPL = (("SEK", 1), ("placement", -1))
# a second currency (§4.1) and the rates between the two: only in some contracts (gen.Gen.eur)
EUR = (("EUR", 1),)
SEK_PER_EUR = (("EUR", -1), ("SEK", 1))
EUR_PER_SEK = (("EUR", 1), ("SEK", -1))
CURRENCY = {"SEK": SEK, "EUR": EUR}
BOOL, PERIOD, TEXT, DATE = "bool", "period", "text", "date"
NUMERIC = (PLAIN, SEK, PL, SEKPL)


def is_num(t):
    return isinstance(t, tuple)


def unit_mul(a, b, sign=1):
    d = dict(a)
    for k, e in b:
        d[k] = d.get(k, 0) + sign * e
    return tuple(sorted((k, e) for k, e in d.items() if e))


def unit_div(a, b):
    return unit_mul(a, b, -1)


def type_name(t):
    if not is_num(t):
        return {BOOL: "boolean", PERIOD: "period", TEXT: "text", DATE: "date"}[t]
    if t == PLAIN:
        return "number"
    return unit_text(t, plural=True)


def unit_text(t, plural=False):
    num = [k for k, e in t if e > 0 for _ in range(e)]
    den = [k for k, e in t if e < 0 for _ in range(-e)]
    sp = {"SEK": "SEK", "EUR": "EUR", "placement": "placements" if plural else "placement"}
    words = [sp[k] for k in num] or None
    if not words:
        raise ValueError("a unit without numerator")
    return " ".join(words + [w for k in den for w in ("per", "placement" if k == "placement" else k)])


def dec(x):
    """An exact decimal string of a Fraction whose denominator is 2^a 5^b."""
    x = Fraction(x)
    neg = x < 0
    x = abs(x)
    n, d = x.numerator, x.denominator
    places = 0
    while d != 1:
        if places > 60:
            raise ValueError(f"not a finite decimal: {x}")
        n *= 10
        places += 1
        g = 10 ** places
        if (x.numerator * g) % x.denominator == 0:
            n = x.numerator * g // x.denominator
            d = 1
    s = str(n)
    if places:
        s = s.rjust(places + 1, "0")
        s = s[:-places] + "." + s[-places:]
    return ("-" if neg else "") + s


def group(s, rng):
    """Optionally put `_` between digit groups of a plain decimal literal."""
    if rng is None or rng.random() < 0.6:
        return s
    ip, _, fp = s.partition(".")
    if len(ip) > 3:
        parts = []
        while len(ip) > 3:
            parts.insert(0, ip[-3:])
            ip = ip[:-3]
        parts.insert(0, ip)
        ip = "_".join(parts)
    return ip + ("." + fp if fp else "")


# ---------------------------------------------------------------------------------------------
# Expressions


class E:
    prec = 9  # primary

    def kids(self):
        return []


def range_text(s):
    """A series' declared range (§8.4): `whole` first (after a bare number it would read as a
    unit), each bound written out in the series' unit, a percentage with `%`."""
    lo, hi, whole, form = s.range

    def bound(v):
        if s.dtype == "percent":
            return dec(v * 100) + " %"
        return dec(v) if s.t == PLAIN else dec(v) + " " + unit_text(s.t, True)
    parts = ["whole"] if whole else []
    if form == "between":
        parts.append(f"between {bound(lo)} and {bound(hi)}")
    else:
        if lo is not None:
            parts.append(f"at least {bound(lo)}")
        if hi is not None:
            parts.append(f"at most {bound(hi)}")
    return " ".join(parts)


class Lit(E):
    def __init__(self, value, t, pct=False):
        self.value, self.t, self.pct = Fraction(value), t, pct

    def text(self, p):
        v = self.value
        assert v >= 0
        if self.pct:
            return group(dec(v * 100), p.rng) + p.choice([" %", "%"])
        s = group(dec(v), p.rng)
        if self.t == PLAIN:
            return s
        plural = p.rng.random() < 0.5 if p.rng else True
        return s + " " + unit_text(self.t, plural)


class BoolLit(E):
    def __init__(self, b):
        self.b = b

    def text(self, p):
        return "true" if self.b else "false"


def decomposed(s):
    """`s` with `ä` written as `a` + U+0308: another spelling of the same text (language.md §13.7)."""
    return s.replace("\u00e4", "a\u0308")


class TextLit(E):
    """A text literal, "m01" (language.md §13.3): its value in NFC, printed as a string with
    `\\` and `\"` escaped, and sometimes with `ä` decomposed."""

    def __init__(self, value):
        self.value = value

    def text(self, p):
        v = decomposed(self.value) if p.rng and p.rng.random() < 0.3 else self.value
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def iso(d):
    """A datetime.date as ISO 8601 YYYY-MM-DD (language.md §13.15)."""
    return f"{d.year:04}-{d.month:02}-{d.day:02}"


class DateLit(E):
    """A date literal, `date 2026-03-31` (language.md §13.15); `value` is a datetime.date."""

    def __init__(self, value):
        self.value = value

    def text(self, p):
        return "date " + iso(self.value)


class PeriodLit(E):
    def __init__(self, idx):
        self.idx = idx

    def text(self, p):
        return "@" + p.periods[self.idx]


class CurPeriod(E):
    def text(self, p):
        return "period"


class Unlimited(E):
    """`unlimited SEK` (language.md §9.2): a term's whole value, or a new value for one; no
    number (`value` None, which the model reads as "no limit")."""

    def __init__(self, t):
        self.t, self.value = t, None

    def text(self, p):
        return "unlimited " + unit_text(self.t, True)


class Name(E):
    def __init__(self, name):
        self.name = name

    def text(self, p):
        return self.name


class Field(E):
    """u.f, or with `linked`, c.f.g: the field g of the record that the link field f names (§8.5)."""

    def __init__(self, var, field, linked=None):
        self.var, self.field, self.linked = var, field, linked

    def text(self, p):
        return f"{self.var}.{self.field}" + (f".{self.linked}" if self.linked else "")


PREC = {"or": 1, "and": 2, "=": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6}


class Bin(E):
    def __init__(self, op, a, b):
        self.op, self.a, self.b = op, a, b
        self.prec = PREC[op]

    def kids(self):
        return [self.a, self.b]

    def text(self, p):
        pr = self.prec
        if pr == 4:  # not chained: both operands at the level of + or tighter
            la, rb = p.wrap(self.a, 5), p.wrap(self.b, 5)
        else:
            la, rb = p.wrap(self.a, pr), p.wrap(self.b, pr + 1)
        return f"{la} {self.op} {rb}"


class Not(E):
    prec = 3

    def __init__(self, a):
        self.a = a

    def kids(self):
        return [self.a]

    def text(self, p):
        return "not " + p.wrap(self.a, 4)


class Neg(E):
    prec = 7

    def __init__(self, a):
        self.a = a

    def kids(self):
        return [self.a]

    def text(self, p):
        if isinstance(self.a, Neg):
            return "-(" + self.a.text(p) + ")"
        return "-" + p.wrap(self.a, 8)


class At(E):
    prec = 8

    def __init__(self, a, idx):
        self.a, self.idx = a, idx

    def kids(self):
        return [self.a]

    def text(self, p):
        return p.wrap(self.a, 9) + " @ " + p.periods[self.idx]


class If(E):
    prec = 0  # printed in parentheses except at the top

    def __init__(self, c, a, b):
        self.c, self.a, self.b = c, a, b

    def kids(self):
        return [self.c, self.a, self.b]

    def text(self, p):
        return f"if {self.c.text(p)} then {self.a.text(p)} else {self.b.text(p)}"


class Call(E):
    """min, max, clamp, abs, to_date, previous, round (mode in `mode`), start_of, end_of, days_in,
    period_of, add_days, add_months (its month-end rule in `mode`), and table/scale lookups."""

    def __init__(self, fn, args, mode=None):
        self.fn, self.args, self.mode = fn, args, mode

    def kids(self):
        return list(self.args)

    def text(self, p):
        parts = [a.text(p) for a in self.args]
        if self.mode:
            parts.append(self.mode)
        return f"{self.fn}({', '.join(parts)})"


class SumP(E):
    def __init__(self, e, var, pset, where):
        self.e, self.var, self.pset, self.where = e, var, pset, where

    def kids(self):
        return [self.e] + ([self.where] if self.where else [])

    def text(self, p):
        w = f" where {self.where.text(p)}" if self.where else ""
        return f"sum({self.e.text(p)} for {self.var} in {self.pset}{w})"


class CountP(E):
    def __init__(self, var, pset, where):
        self.var, self.pset, self.where = var, pset, where

    def kids(self):
        return [self.where] if self.where else []

    def text(self, p):
        w = f" where {self.where.text(p)}" if self.where else ""
        return f"count({self.var} in {self.pset}{w})"


class SumOver(E):
    def __init__(self, e, p0, p1):
        self.e, self.p0, self.p1 = e, p0, p1

    def kids(self):
        return [self.e]

    def text(self, p):
        return f"sum({self.e.text(p)} over {p.pref(self.p0)} .. {p.pref(self.p1)})"


def walk(e):
    yield e
    for k in e.kids():
        yield from walk(k)


# ---------------------------------------------------------------------------------------------
# Declarations and items


class Term:
    def __init__(self, name, expr, t):
        self.name, self.expr, self.t = name, expr, t


class Series:
    def __init__(self, name, t, dtype, appl=None):
        # dtype: how data is read: "unit" | "number" | "ratio" | "percent" | "boolean"
        self.name, self.t, self.dtype, self.appl = name, t, dtype, appl  # appl: (first, last, style)


class PInput:
    def __init__(self, name, fields):
        self.name = name
        self.fields = fields  # list of (field, type, dtype); dtype "link:SET": a text key of SET (§8.5)


def link_target(dtype):
    """The record input a field of this dtype links to (§8.5), or None."""
    return dtype[5:] if dtype.startswith("link:") else None


class Let:
    def __init__(self, name, expr, t):
        self.name, self.expr, self.t = name, expr, t


class ForEach:
    def __init__(self, var, pset, lets):
        self.var, self.pset, self.lets = var, pset, lets  # lets: [Let]


class Pay:
    def __init__(self, name, payer, payee):
        self.name, self.payer, self.payee = name, payer, payee
        self.fe = None  # (var, set, where-expr or None)
        self.amount = None
        self.when = None
        self.appl = None  # (first, last, style)
        self.caps = {}  # scope -> expr; scopes: "period" (written bare or `per period`), "total", "participant"
        self.cap_bare = False
        self.floor = None
        self.rounding = None  # (mode, step expr)
        self.netted = False
        self.at_most = None  # (N, [key exprs]): at most N records per key (§16.6)
        self.order = []  # print order of modifiers
        self.cur = "SEK"  # the currency of the payment (§4.1): that of its amount


class Tier:
    def __init__(self, name, payee, kind, expr):
        self.name, self.payee, self.kind, self.expr = name, payee, kind, expr  # kind: "upto" | "share"
        self.rounding = None
        self.cap = None
        self.cap_scope_word = False
        self.round_first = True
        self.commas = True


class Waterfall:
    def __init__(self, name, payer, pool):
        self.name, self.payer, self.pool = name, payer, pool
        self.appl = None
        self.netted = False
        self.tiers = []
        self.rest = None  # party
        self.cur = "SEK"  # the currency of the pool (§4.1)


class Table:
    def __init__(self, name, rows, kt, vt):
        # rows: [(lo or None, lo_closed, hi or None, hi_closed, value)] ; printed in random order
        self.name, self.rows, self.kt, self.vt = name, rows, kt, vt


class TextTable:
    """A table keyed by text (language.md §18.1): rows [(key, value Lit)], printed in random order."""

    def __init__(self, name, rows, vt):
        self.name, self.rows, self.kt, self.vt = name, rows, TEXT, vt


class Scale:
    def __init__(self, name, points, kt, vt):
        self.name, self.points, self.kt, self.vt = name, points, kt, vt


class Clause:
    def __init__(self, number, title, items):
        self.number, self.title, self.items = number, title, items


class Example:
    def __init__(self, name, files, sets, expects):
        self.name, self.files, self.sets, self.expects = name, files, sets, expects
        # sets: [(term, Lit)]; expects, each with a period index or None for the total (§20):
        #   ("flow", payer, payee, period, Fraction, cur)   the lines from payer to payee in cur
        #   ("name", name, period, value, type)             a payment, waterfall or definition
        #   ("net", party, period, Fraction, cur)           what the party received less paid, in cur


class Contract:
    def __init__(self):
        self.title = None
        self.minor = Fraction(1, 100)
        self.minor_text = None  # None: no `minor` written (default 0.01)
        self.eur = None  # a second currency (§4.1): (minor, minor text or None)
        self.sek_first = True  # `currency SEK` written before `currency EUR` (else in any order)
        self.parties = []
        self.units = True  # `unit placement plural placements`
        self.period_kind = "yearly"
        self.periods = []
        self.period_dates = None  # a listed calendar with dates: [(first, last)] as datetime.date (§7)
        self.series = []
        self.pinputs = []
        self.terms = []
        self.clauses = []
        self.top = []  # top-level lets, tables, scales
        self.examples = []
        self.decl_order_seed = 0
        # data: series name -> [value or None per period]; set name -> [ {field: value} ]
        self.sdata = {}
        self.pdata = {}
        self.data_style = {}


def item_exprs(it):
    if isinstance(it, Let):
        return [it.expr]
    if isinstance(it, ForEach):
        return [l.expr for l in it.lets]
    if isinstance(it, Pay):
        out = [it.amount] + [e for e in (it.when, it.floor) if e is not None] + list(it.caps.values())
        if it.rounding:
            out.append(it.rounding[1])
        if it.fe and it.fe[2] is not None:
            out.append(it.fe[2])
        if it.at_most:
            out += it.at_most[1]
        return out
    if isinstance(it, Waterfall):
        out = [it.pool]
        for t in it.tiers:
            out.append(t.expr)
            if t.cap is not None:
                out.append(t.cap)
            if t.rounding:
                out.append(t.rounding[1])
        return out
    return []


def set_of_names(e):
    out = set()
    for n in walk(e):
        if isinstance(n, Name):
            out.add(n.name)
        elif isinstance(n, Call) and n.fn not in ("min", "max", "clamp", "abs", "to_date", "previous", "round"):
            out.add(n.fn)
        elif isinstance(n, (SumP, CountP)):
            out.add(n.pset)
        elif isinstance(n, Field):
            out.add("." + n.field)
    return out


# ---------------------------------------------------------------------------------------------
# Printing


class Printer:
    def __init__(self, contract, rng):
        self.c, self.rng, self.periods = contract, rng, contract.periods

    def choice(self, xs):
        return self.rng.choice(xs) if self.rng else xs[0]

    def wrap(self, e, minprec):
        s = e.text(self)
        return s if e.prec >= minprec else "(" + s + ")"

    def pref(self, idx):
        return self.choice(["", "@"]) + self.periods[idx]

    def expr(self, e):
        return e.text(self)

    def appl(self, a):
        first, last, style = a
        if style == "from":
            return f"from {self.pref(first)}"
        if style == "until":
            return f"until {self.pref(last)}"
        if style == "fromuntil":
            return f"from {self.pref(first)} until {self.pref(last)}"
        if style == "in":
            return f"in {self.pref(first)}"
        return f"in {self.pref(first)} .. {self.pref(last)}"

    def rounding(self, r):
        mode, step = r
        return f"rounded {mode} to {self.expr(step)}"


def to_text(c, rng):
    """The contract as utfall text. `rng` (a random.Random or None) picks the layout."""
    p = Printer(c, rng)
    decls = []
    if c.title is not None:
        decls.append(f'contract "{c.title}"')
    decls.append("currency SEK" + (f" minor {c.minor_text}" if c.minor_text else ""))
    if c.eur:
        decls.append("currency EUR" + (f" minor {c.eur[1]}" if c.eur[1] else ""))
    for name, disp in c.parties:
        decls.append(f"party {name}" + (f' "{disp}"' if disp else ""))
    decls.append(p.choice(["unit placement plural placements", "unit placement plural placements"]))
    if c.period_kind == "list" and c.period_dates:
        sep = p.choice([", ", ",\n        "])
        decls.append("periods " + sep.join(f"{n} = {iso(a)} .. {iso(b)}" for n, (a, b) in zip(c.periods, c.period_dates)))
    elif c.period_kind == "list":
        decls.append("periods " + ", ".join(c.periods))
    else:
        decls.append(f"periods {c.period_kind} {c.periods[0]} .. {c.periods[-1]}")
    for s in c.series:
        tn = {"number": "number", "ratio": "ratio", "percent": "percent", "boolean": "boolean"}.get(s.dtype) or type_name(s.t)
        line = f"input {s.name} : {tn} per period"
        if s.appl:
            line += " " + p.appl(s.appl)
        if getattr(s, "range", None):
            line += " " + range_text(s)
        decls.append(line)
    for pi in c.pinputs:
        sep = p.choice(["\n  ", ", ", ",\n  "])
        fields = sep.join(f"{f} : text key of {link_target(dt)}" if link_target(dt) else
                          f"{f} : {dt if dt in ('number', 'ratio', 'percent', 'boolean', 'period', 'text', 'date') else type_name(t)}"
                          for f, t, dt in pi.fields)
        word = p.choice(["participants", "records"])  # one thing (§8.2)
        decls.append(f"input {pi.name} : {word} {{\n  {fields}\n}}")
    for t in c.terms:
        decls.append(f"term {t.name} = {p.expr(t.expr)}")
    for it in c.top:
        decls.append(item_text(p, it, ""))
    for cl in c.clauses:
        title = f' "{cl.title}"' if cl.title is not None else ""
        body = "\n".join(item_text(p, it, "  ") for it in cl.items)
        decls.append(f'clause "{cl.number}"{title} {{\n{body}\n}}')
    for ex in c.examples:
        decls.append(example_text(p, ex))
    if rng is not None:
        # comments after single-line declarations (§2.2)
        decls = [d + rng.choice(["  # en kommentar", " #", "\t# \"citat\" , (x)"]) if "\n" not in d and rng.random() < 0.15 else d
                 for d in decls]
    if rng is not None and rng.random() < 0.5:
        # order does not matter (§3); keep the clauses in their order, since output order follows it
        clauses = [d for d in decls if d.startswith("clause ")]
        decls = [d for d in decls if not d.startswith("clause ")]
        rng.shuffle(decls)
        at = 0
        for cl in clauses:
            at = rng.randint(at, len(decls))
            decls.insert(at, cl)
            at += 1
    if c.eur and c.sek_first:
        i, j = (next(k for k, d in enumerate(decls) if d.startswith(f"currency {cur}")) for cur in ("SEK", "EUR"))
        if j < i:
            decls[i], decls[j] = decls[j], decls[i]
    return "\n".join(decls) + "\n"


def item_text(p, it, ind):
    if hasattr(it, "text") and not hasattr(it, "name"):  # a raw item (mutate.Raw)
        return ind + it.text
    if isinstance(it, Let):
        note = "  # definition" if p.rng and p.rng.random() < 0.1 else ""
        return f"{ind}let {it.name} = {p.expr(it.expr)}{note}"
    if isinstance(it, ForEach):
        body = "\n".join(f"{ind}  let {l.name} = {p.expr(l.expr)}" for l in it.lets)
        return f"{ind}for each {it.var} in {it.pset} {{\n{body}\n{ind}}}"
    if isinstance(it, Pay):
        head = f"{ind}pay " + (f"{it.name}: " if it.name else "") + f"{it.payer} -> {it.payee}"
        if it.fe:
            var, pset, where = it.fe
            head += f" for each {var} in {pset}" + (f" where {p.expr(where)}" if where else "")
        mods = []
        for m in it.order:
            if m == "amount":
                mods.append(f"amount {p.expr(it.amount)}")
            elif m == "when":
                mods.append(f"when {p.expr(it.when)}")
            elif m == "appl":
                mods.append(p.appl(it.appl))
            elif m == "caps":
                parts = []
                for scope, e in it.caps.items():
                    s = p.wrap(e, 1)
                    if scope == "period":
                        parts.append(s if it.cap_bare else s + " per period")
                    elif scope == "total":
                        parts.append(s + " in total")
                    else:
                        parts.append(s + " per participant")
                mods.append("capped at " + ", ".join(parts))
            elif m == "floor":
                mods.append(f"at least {p.expr(it.floor)}")
            elif m == "rounding":
                mods.append(p.rounding(it.rounding))
            elif m == "netted":
                mods.append("netted")
            elif m == "at_most":
                n, keys = it.at_most
                times = p.choice(["once", "1 times"]) if n == 1 else f"{n} times"
                mods.append(f"at most {times} per " + ", ".join(p.expr(k) for k in keys))
        sep = p.choice(["\n" + ind + "    ", " "])
        return head + sep + sep.join(mods)
    if isinstance(it, Waterfall):
        head = f"{ind}waterfall " + (f"{it.name}: " if it.name else "") + f"{it.payer} pays {p.expr(it.pool)}"
        if it.appl:
            head += " " + p.appl(it.appl)
        if it.netted:
            head += " netted"
        lines = []
        for t in it.tiers:
            s = (f"{t.name}: " if t.name else "") + t.payee + " "
            s += f"up to {p.expr(t.expr)}" if t.kind == "upto" else f"{p.wrap(t.expr, 1)} of rest"
            mods = []
            if t.rounding:
                mods.append(p.rounding(t.rounding))
            if t.cap is not None:
                mods.append(f"capped at {p.wrap(t.cap, 1)}" + (" per period" if t.cap_scope_word else ""))
            if not t.round_first:
                mods.reverse()
            for m in mods:
                s += ("," if t.commas else "") + " " + m
            lines.append(f"{ind}  {s}")
        if it.rest:
            lines.append(f"{ind}  rest to {it.rest}")
        return head + " {\n" + "\n".join(lines) + f"\n{ind}}}"
    if isinstance(it, Table):
        rows = list(it.rows)
        if p.rng:
            p.rng.shuffle(rows)
        out = []
        for lo, lc, hi, hc, v in rows:
            lb = "[" if lc or lo is None else "("
            rb = "]" if hc else ")"
            if hi is None:
                rb = p.choice([")", "]"])
            los = p.expr(lo) if lo is not None else ""
            his = p.expr(hi) if hi is not None else ""
            out.append(f"{ind}  {lb}{los}, {his}{rb} -> {p.expr(v)}")
        return f"{ind}table {it.name} {{\n" + "\n".join(out) + f"\n{ind}}}"
    if isinstance(it, TextTable):
        rows = list(it.rows)
        if p.rng:
            p.rng.shuffle(rows)
        out = [f"{ind}  {p.expr(TextLit(k))} -> {p.expr(v)}" for k, v in rows]
        return f"{ind}table {it.name} {{\n" + "\n".join(out) + f"\n{ind}}}"
    if isinstance(it, Scale):
        out = [f"{ind}  {p.expr(x)} -> {p.expr(y)}" for x, y in it.points]
        return f"{ind}scale {it.name} {{\n" + "\n".join(out) + f"\n{ind}}}"
    raise TypeError(it)


def example_text(p, ex):
    files = ", ".join(f'"{f}"' for f in ex.files)
    head = f'example "{ex.name}"' + (f" data {files}" if files else "")
    lines = [f"  set {t} = {p.expr(v)}" for t, v in ex.sets]
    for kind, *rest in ex.expects:
        if kind == "flow":
            payer, payee, per, amt, cur = rest
            what, value = f"{payer} -> {payee}", f"{dec(amt)} {cur}"
        elif kind == "net":
            party, per, amt, cur = rest
            what, value = f"net {party}", f"{dec(amt)} {cur}"
        else:
            what, per, v, t = rest
            value = expected_text(p, v, t)
        where = "total" if per is None else p.pref(per)
        lines.append(f"  expect {what} in {where} = {value}")
    return head + " {\n" + "\n".join(lines) + "\n}"


def expected_text(p, v, t):
    """A constant expression for an exact value of type t: a decimal with its unit, or a
    quotient where the value is no decimal (1/3 is written `1 SEK / 3`); true/false; @PERIOD."""
    if t == BOOL:
        return "true" if v else "false"
    if t == PERIOD:
        return "@" + p.periods[v]
    v = Fraction(v)
    unit = "" if t == PLAIN else " " + unit_text(t, plural=True)
    d = v.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return f"{dec(v)}{unit}"
    return f"{v.numerator}{unit} / {v.denominator}"
