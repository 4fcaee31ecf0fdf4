"""mutate.py: ill-typed mutations of generated contracts, and the diagnostic each must give.

A valid generated contract gets one wrong item (at the start of its first clause, or a wrong
`term` declaration); `utfall check` must then fail (exit 2) with the expected code as its first
error. Each kind's code was confirmed by hand on the preamble of docs/language.md (see
`python3 mutate.py --selftest UTFALL`), and matches §23 of the reference.
"""
import random
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen  # noqa: E402
import syntax  # noqa: E402
from syntax import BOOL, PERIOD, PL, PLAIN, SEK, SEKPL, TEXT, Scale, Table, TextTable  # noqa: E402

CODE = re.compile(r"error\[(E\d+)\]")


class Raw:
    """An item written as given (a mutation)."""

    def __init__(self, text):
        self.text = text


def money(c, rng):
    """A name (or literal) of type SEK in c."""
    names = [s.name for s in c.series if s.t == SEK and s.appl is None] + [t.name for t in c.terms if t.t == SEK and t.name not in getattr(c, "limit_terms", [])]
    return rng.choice(names) if names else "1 SEK"


def pset_field(c, rng, t):
    for p in rng.sample(c.pinputs, len(c.pinputs)):
        fs = [f for f, ft, _ in p.fields if ft == t]
        if fs:
            return p.name, rng.choice(fs)
    return None, None


def tables(c, kind=None):
    out = []
    for it in list(c.top) + [it for cl in c.clauses for it in cl.items]:
        if isinstance(it, (Table, Scale)):
            out.append(it)
    return out


def other_unit_lit(t):
    return {SEK: "1 placement", PL: "1 SEK", PLAIN: "1 SEK", SEKPL: "1 SEK"}[t]


# Each mutation: (kind, code, function(c, rng, a, b) -> item text or None when it does not apply)
# a, b: two different parties.
def _m(kind, code, where="clause"):
    def deco(fn):
        MUTATIONS.append((kind, code, where, fn))
        return fn
    return deco


MUTATIONS = []


@_m("count paid as money", "E303")
def _(c, rng, a, b):
    if not c.pinputs:
        return f"pay {a} -> {b} amount 3"
    return f"pay {a} -> {b} amount count(mu in {c.pinputs[0].name})"


@_m("boolean summed", "E309")
def _(c, rng, a, b):
    s, f = pset_field(c, rng, BOOL)
    if s:
        return f"let mut_x = sum(mu.{f} for mu in {s})"
    return f"let mut_x = sum(true over {c.periods[0]} .. {c.periods[-1]})"


@_m("unknown field", "E206")
def _(c, rng, a, b):
    if not c.pinputs:
        return None
    return f"let mut_x = count(mu in {c.pinputs[0].name} where mu.nope)"


@_m("unknown name", "E208")
def _(c, rng, a, b):
    return f"let mut_x = nope_{rng.randrange(100)} + 1 SEK"


@_m("money compared with a count", "E318")
def _(c, rng, a, b):
    if not c.pinputs:
        return f"let mut_x = {money(c, rng)} > 3"
    return f"let mut_x = {money(c, rng)} > count(mu in {c.pinputs[0].name})"


@_m("money as a tier share", "E303")
def _(c, rng, a, b):
    return f"waterfall {a} pays {money(c, rng)} {{\n    {b} {money(c, rng)} of rest\n  }}"


@_m("tier limit not money", "E303")
def _(c, rng, a, b):
    return f"waterfall {a} pays {money(c, rng)} {{\n    {b} up to 30 %\n  }}"


@_m("if branches differ", "E308")
def _(c, rng, a, b):
    return f"let mut_x = if true then {money(c, rng)} else 0"


@_m("min of two units", "E317")
def _(c, rng, a, b):
    return f"let mut_x = min({money(c, rng)}, 0)"


@_m("SEK plus placements", "E318")
def _(c, rng, a, b):
    return f"let mut_x = {money(c, rng)} + 1 placement"


@_m("cap per participant without for each", "E420")
def _(c, rng, a, b):
    return f"pay {a} -> {b} amount 1 SEK capped at 1 SEK per participant"


@_m("at most per key without for each", "E327")
def _(c, rng, a, b):
    # §16.6: `at most ... per` counts records, so it needs a payment for each record
    key = rng.choice(['1', 'period', '"a"'])
    return f"pay {a} -> {b} amount 1 SEK at most once per {key}"


@_m("a field read through a field that is no link", "E326")
def _(c, rng, a, b):
    # §8.5: only a link field (`key of SET`) names a record whose fields can be read
    pset, f = pset_field(c, rng, rng.choice([PERIOD, BOOL, SEK]))
    return f"let mut_l = count(q in {pset} where q.{f}.id = \"x\")" if pset else None


@_m("a link to something that is not a record input", "E218", where="top")
def _(c, rng, a, b):
    names = [s.name for s in c.series] + [t.name for t in c.terms]
    return f"input mut_r : records {{ id : text, k : text key of {rng.choice(names)} }}" if names else None


@_m("unknown party", "E212")
def _(c, rng, a, b):
    return f"pay {a} -> nobody amount 1 SEK"


@_m("unknown unit", "E301")
def _(c, rng, a, b):
    return "let mut_x = 3 kronor"


@_m("table key of another unit", "E313")
def _(c, rng, a, b):
    ts = tables(c)
    if not ts:
        return None
    t = rng.choice(ts)
    return f"let mut_x = {t.name}({other_unit_lit(t.kt)})"


@_m("not of a number", "E307")
def _(c, rng, a, b):
    return f"let mut_x = not {money(c, rng)}"


@_m("when not boolean", "E303")
def _(c, rng, a, b):
    return f"pay {a} -> {b} amount 1 SEK when {money(c, rng)}"


@_m("where not boolean", "E303")
def _(c, rng, a, b):
    s, f = pset_field(c, rng, PLAIN)
    if not s:
        return None
    return f"pay {a} -> {b} for each mu in {s} where mu.{f} amount 1 SEK"


@_m("an unlimited term in arithmetic", "E322", where="top")
def _(c, rng, a, b):
    # §9.2: a term that may be unlimited stands only as a bare limit; here it is a number
    return f"term mut_u = unlimited SEK\nterm mut_v = mut_u * {rng.randint(2, 9)}"


@_m("term using an input", "E305", where="top")
def _(c, rng, a, b):
    names = [s.name for s in c.series]
    return f"term mut_t = {rng.choice(names)}" if names else None


@_m("to_date of a boolean", "E309")
def _(c, rng, a, b):
    return "let mut_x = to_date(true)"


@_m("previous with a fallback of another unit", "E315")
def _(c, rng, a, b):
    return f"let mut_x = previous({money(c, rng)}, 0)"


# A definition using its own earlier value (§11.1) wrongly: a fallback of another unit than
# itself, itself inside an expression in previous(), itself in its own period.
for _kind, _code, _values in [
        ("a definition whose own previous() has a fallback of another unit", "E315", ["previous(mut_x, 0) * {m}"]),
        ("a definition referring to itself inside an expression in previous()", "E215", ["previous(mut_x + 1 SEK, 0 SEK)"]),
        ("a definition referring to itself in the same period", "E210",
         ["mut_x + 1 SEK", "previous(mut_x, mut_x)", "max(mut_x, 0 SEK)"])]:
    _m(_kind, _code)(lambda c, rng, a, b, values=_values: "let mut_x = " + rng.choice(values).format(m=money(c, rng)))


@_m("unknown function", "E209")
def _(c, rng, a, b):
    return "let mut_x = foo(1)"


@_m("negated boolean", "E306")
def _(c, rng, a, b):
    return "let mut_x = -true"


@_m("participants as a value", "E310")
def _(c, rng, a, b):
    return f"let mut_x = {c.pinputs[0].name}" if c.pinputs else None


@_m("table without (x)", "E311")
def _(c, rng, a, b):
    ts = tables(c)
    return f"let mut_x = {ts[0].name}" if ts else None


@_m("abs with two arguments", "E312")
def _(c, rng, a, b):
    return "let mut_x = abs(1 SEK, 2 SEK)"


@_m("not a rounding mode", "E203")
def _(c, rng, a, b):
    return f"let mut_x = round({money(c, rng)}, 0.01, sideways)"


@_m("round mode not a name", "E314")
def _(c, rng, a, b):
    return f"let mut_x = round({money(c, rng)}, 0.01, 3)"


@_m("a name declared twice", "E202")
def _(c, rng, a, b):
    names = [t.name for t in c.terms] + [s.name for s in c.series]
    return f"let {rng.choice(names)} = 1 SEK" if names else None


@_m("u.f with no u bound", "E205")
def _(c, rng, a, b):
    return "let mut_x = mu.id"


@_m("a party paying itself", "E418")
def _(c, rng, a, b):
    return f"pay {a} -> {a} amount 1 SEK"


@_m("no amount", "E419")
def _(c, rng, a, b):
    return f"pay {a} -> {b} when true"


@_m("two caps per period", "E421")
def _(c, rng, a, b):
    return f"pay {a} -> {b} amount 1 SEK capped at 1 SEK, 2 SEK per period"


@_m("rounding step of another unit", "E302")
def _(c, rng, a, b):
    return f"pay {a} -> {b} amount {money(c, rng)} rounded half_up to 1 placement"


@_m("amount not money", "E303")
def _(c, rng, a, b):
    return f"pay {a} -> {b} amount 5 SEK per placement"


@_m("rounding mode as a value", "E207")
def _(c, rng, a, b):
    return "let mut_x = half_even"


@_m("not a period of the calendar", "E407")
def _(c, rng, a, b):
    return f"let mut_x = {money(c, rng)} @ 1999"


@_m("rest to before a tier", "E423")
def _(c, rng, a, b):
    return f"waterfall {a} pays {money(c, rng)} {{\n    rest to {b}\n    {b} up to 1 SEK\n  }}"


@_m("waterfall without tiers", "E422")
def _(c, rng, a, b):
    return f"waterfall {a} pays {money(c, rng)} {{ }}"


@_m("participants over a series", "E204")
def _(c, rng, a, b):
    names = [s.name for s in c.series]
    return f"let mut_x = count(mu in {names[0]})" if names else None


@_m("abs of a boolean", "E316")
def _(c, rng, a, b):
    return "let mut_x = abs(true)"


@_m("date plus a number", "E318")
def _(c, rng, a, b):
    # a date moves by add_days, not by `+` (language.md §13.15)
    s, f = pset_field(c, rng, syntax.DATE)
    if not s:
        return f"let mut_x = date 2026-01-31 {rng.choice(['+', '-'])} {rng.choice(['1', '30', '1 SEK'])}"
    return f"let mut_x = count(mu in {s} where mu.{f} + 30 > date 2026-01-01)"


@_m("add_months with a rule that is no rule", "E330")
def _(c, rng, a, b):
    return f"let mut_x = add_months(date 2026-01-31, 1, {rng.choice(['half_up', 'sista', 'clamp'])}) - date 2026-01-01"


@_m("add_days by money", "E303")
def _(c, rng, a, b):
    return f"let mut_x = add_days(date 2026-01-31, {money(c, rng)}) - date 2026-01-01"


@_m("text compared with a number", "E318")
def _(c, rng, a, b):
    s, f = pset_field(c, rng, TEXT)
    if not s:
        return None
    return f"let mut_x = count(mu in {s} where mu.{f} = 1)"


@_m("text ordered with <", "E318")
def _(c, rng, a, b):
    s, f = pset_field(c, rng, TEXT)
    if not s:
        return 'let mut_x = "A" < "B"'
    return f'let mut_x = count(mu in {s} where mu.{f} {rng.choice(["<", "<=", ">", ">="])} "m03")'


@_m("text key in a table of intervals", "E313")
def _(c, rng, a, b):
    ts = [t for t in tables(c) if isinstance(t, Table)]
    if not ts:
        return None
    return f'let mut_x = {rng.choice(ts).name}("m01")'


@_m("number looked up in a table keyed by text", "E313")
def _(c, rng, a, b):
    ts = [it for it in list(c.top) + [it for cl in c.clauses for it in cl.items] if isinstance(it, TextTable)]
    if not ts:
        return None
    return f"let mut_x = {rng.choice(ts).name}(1)"


@_m("number plus period", "E318")
def _(c, rng, a, b):
    return "let mut_x = 1 + period"


@_m("placements compared with a price", "E318")
def _(c, rng, a, b):
    return "let mut_x = 1 placement < 5 SEK per placement"


@_m("a clause number used twice", "E417", where="top")
def _(c, rng, a, b):
    return f'clause "{c.clauses[0].number}" {{ }}'


@_m("a bare number set for a percentage term", "E319", where="top")
def _(c, rng, a, b):
    ts = [t for t in c.terms if gen.is_pct_term(t)]
    if not ts:
        return None
    return f'example "mutant" {{\n  set {rng.choice(ts).name} = {rng.choice(["0.25", "25", "1"])}\n}}'


def euro(c, rng):
    """(an amount in EUR, the rate's unit) in a contract with two currencies (§4.1), else None."""
    if not c.eur:
        return None
    rate_t = next(x.t for x in list(c.series) + list(c.terms) if x.name == "kurs")
    names = [t.name for t in c.terms if t.t == syntax.EUR]
    return rng.choice(names) if names else "250 EUR", rate_t


@_m("a conversion that states no rounding", "E335")
def _(c, rng, a, b):
    got = euro(c, rng)
    if got is None:
        return None
    amount, rate_t = got
    to_sek = f"{amount} * kurs" if rate_t == syntax.SEK_PER_EUR else f"{amount} / kurs"
    if rng.random() < 0.5:  # neither round() around it nor `rounded` on the payment
        return f"let mut_x = {to_sek}"
    return f"pay {a} -> {b} amount {to_sek}"


@_m("a cap in the other currency than the amount", "E303")
def _(c, rng, a, b):
    got = euro(c, rng)
    if got is None:
        return None
    amount, other = (got[0], "1000 SEK") if rng.random() < 0.5 else (money(c, rng), "1000 EUR")
    return f"pay {a} -> {b} amount {amount} capped at {other} per period"


CURRENCY_MUTATIONS = MUTATIONS[-2:]


def named_lets(c, want):
    """The names of top-level and clause definitions whose type satisfies want(t)."""
    return [it.name for it in list(c.top) + [it for cl in c.clauses for it in cl.items]
            if isinstance(it, syntax.Let) and want(it.t)]


@_m("an expected value in another unit", "E303", where="top")
def _(c, rng, a, b):
    names = named_lets(c, lambda t: t in (SEK, PL, PLAIN, SEKPL))
    if not names:
        return None
    name = rng.choice(names)
    t = next(it.t for it in list(c.top) + [it for cl in c.clauses for it in cl.items]
             if isinstance(it, syntax.Let) and it.name == name)
    return f'example "mutant" {{\n  expect {name} in total = {other_unit_lit(t)}\n}}'


@_m("a boolean expected in total", "E320", where="top")
def _(c, rng, a, b):
    names = named_lets(c, lambda t: t == BOOL)
    if not names:
        return None
    return f'example "mutant" {{\n  expect {rng.choice(names)} in total = true\n}}'


@_m("a net position of an unknown party", "E212", where="top")
def _(c, rng, a, b):
    return 'example "mutant" {\n  expect net stiftelsen in total = 0 SEK\n}'


def mutate(c, rng):
    """(kind, code, contract text) for one applicable mutation of c."""
    a, b = rng.sample([p for p, _ in c.parties], 2)
    # the mutations of several currencies apply only where there are two: there, one time in three
    pool = CURRENCY_MUTATIONS if c.eur and rng.random() < 0.3 else MUTATIONS
    while True:
        kind, code, where, fn = rng.choice(pool)
        text = fn(c, rng, a, b)
        if text is not None:
            break
    if where == "top":
        body = syntax.to_text(c, random.Random(rng.random()))
        return kind, code, body + text + "\n"
    c.clauses[0].items.insert(0, Raw(text))
    try:
        return kind, code, syntax.to_text(c, random.Random(rng.random()))
    finally:
        c.clauses[0].items.pop(0)


def run(utfall, seed, count, folder, verbose=False):
    folder.mkdir(parents=True, exist_ok=True)
    stats = {"checked": 0, "failed": 0, "kinds": {}, "failures": []}
    for s in range(seed, seed + count):
        rng = random.Random(s * 7919 + 1)
        c = gen.generate(s)
        kind, code, text = mutate(c, rng)
        path = folder / "mutant.utfall"
        path.write_text(text)
        out = subprocess.run([utfall, "check", str(path)], capture_output=True, text=True, timeout=60)
        codes = CODE.findall(out.stderr)
        stats["checked"] += 1
        stats["kinds"][code] = stats["kinds"].get(code, 0) + 1
        if out.returncode != 2 or not codes or codes[0] != code:
            stats["failed"] += 1
            stats["failures"].append((s, kind, code, out.returncode, codes[:3]))
            print(f"MUTANT seed {s}: {kind}: expected {code}, got exit {out.returncode} {codes[:3]}", flush=True)
            if verbose:
                print(text)
                print(out.stderr[-2000:])
    return stats


def selftest(utfall):
    """Each mutation kind applied to a small generated contract that it fits: print its code."""
    ok = True
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for kind, code, where, fn in MUTATIONS:
            rng = random.Random(1)
            for s in range(200):
                c = gen.generate(s)
                if fn(c, random.Random(0), "kommun", "fonden") is not None:
                    break
            a, b = [p for p, _ in c.parties][:2]
            text = fn(c, rng, a, b)
            if where == "top":
                src = syntax.to_text(c, None) + text + "\n"
            else:
                c.clauses[0].items.insert(0, Raw(text))
                src = syntax.to_text(c, None)
            p = Path(d) / "m.utfall"
            p.write_text(src)
            out = subprocess.run([utfall, "check", str(p)], capture_output=True, text=True)
            codes = CODE.findall(out.stderr)
            good = bool(codes) and codes[0] == code
            ok &= good
            print(f"{'pass' if good else 'FAIL'} {code} {kind}: {text!r} -> {codes[:3]}")
    return ok


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--selftest":
        sys.exit(0 if selftest(sys.argv[2]) else 1)
    print(__doc__)
