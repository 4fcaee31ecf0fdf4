"""Dates (docs/language.md §13.15) against Python's own calendar (datetime), never a run.

A contract of terms `date X - date 1970-01-01` for dates spread over 0001..9999 (leap years by
the 4/100/400 rule, month ends), and definitions of `days_in`, `start_of`, `end_of` and
`period_of` in yearly, quarterly and monthly calendars, including periods outside the calendar;
each is checked by an `example` whose expected values datetime computes. A contract whose one
expectation is off by a day must fail, so the comparison can fail.
"""
import calendar
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from scriptlib import Tally, bounded_memory

utfall = str(Path(sys.argv[1]).resolve())
T = Tally()
EPOCH = date(1970, 1, 1)
HEAD = 'contract "Datum"\ncurrency SEK\nparty a "A"\nparty b "B"\nclause "1" {\n  pay a -> b amount 1 SEK\n}\n'


def iso(d):
    return f"{d.year:04}-{d.month:02}-{d.day:02}"


def run_test(name, text):
    with tempfile.TemporaryDirectory(prefix="utfall-dates-") as tmp:
        path = Path(tmp) / "c.utfall"
        path.write_text(text, encoding="utf-8")
        return subprocess.run([utfall, "test", str(path)], capture_output=True, text=True, timeout=300, cwd=tmp,
                              preexec_fn=bounded_memory)


rng = random.Random(14)
days = [date(1, 1, 1), date(9999, 12, 31), date(1970, 1, 1), date(1969, 12, 31), date(1900, 2, 28), date(1900, 3, 1),
        date(2000, 2, 29), date(2000, 3, 1), date(2024, 2, 29), date(2100, 3, 1), date(1600, 2, 29)]
days += [date.fromordinal(rng.randint(1, date(9999, 12, 31).toordinal())) for _ in range(60)]
terms = "".join(f"term d{i} = date {iso(d)} - date 1970-01-01\n" for i, d in enumerate(days))
expects = "".join(f"  expect d{i} in 2025 = {(d - EPOCH).days}\n" for i, d in enumerate(days))
comparisons = "".join(f"term c{i} = date {iso(a)} < date {iso(b)}\n" for i, (a, b) in enumerate(zip(days, days[1:])))
expects += "".join(f"  expect c{i} in 2025 = {'true' if a < b else 'false'}\n" for i, (a, b) in enumerate(zip(days, days[1:])))
text = HEAD + "periods yearly 2025 .. 2025\n" + terms + comparisons + f'example "days" {{\n{expects}}}\n'
p = run_test("days", text)
T.check(f"{len(days)} dates as days since 1970-01-01, and their order, as datetime counts them", p.returncode == 0,
        f"exit {p.returncode}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")

bad = text.replace(f"expect d0 in 2025 = {(days[0] - EPOCH).days}", f"expect d0 in 2025 = {(days[0] - EPOCH).days + 1}")
p = run_test("days, one off", bad)
T.check("control: an expectation one day off fails", p.returncode != 0, f"exit {p.returncode}")


def month_start(y, m):
    return date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1)


# Calendars: (declaration, the periods as (first month as (year, month), months per period)).
for kind, first, last, months in [("yearly", "1999", "2001", 12), ("quarterly", "2023Q3", "2024Q2", 3),
                                  ("monthly", "2023-11", "2024-03", 1)]:
    if kind == "yearly":
        y0, m0, count = 1999, 1, 3
    elif kind == "quarterly":
        y0, m0, count = 2023, 7, 4
    else:
        y0, m0, count = 2023, 11, 5
    names = []
    for i in range(count):
        s = month_start(y0, m0 + i * months)
        names.append(str(s.year) if kind == "yearly" else f"{s.year}Q{(s.month - 1) // 3 + 1}" if kind == "quarterly"
                     else f"{s.year}-{s.month:02}")
    lets = ("let dagar = days_in(period)\nlet forsta = start_of(period) - date 1970-01-01\n"
            "let sista = end_of(period) - date 1970-01-01\nlet senare = days_in(period + 100)\n"
            "let tidigare = start_of(period - 7) - date 1970-01-01\n"
            "let egen = period_of(end_of(period)) = period\nlet nasta = period_of(end_of(period)) = period - 1\n")
    ex = ""
    for i, nm in enumerate(names):
        s = month_start(y0, m0 + i * months)
        e = month_start(y0, m0 + (i + 1) * months)
        later_s, later_e = month_start(y0, m0 + (i + 100) * months), month_start(y0, m0 + (i + 101) * months)
        ex += (f"  expect dagar in {nm} = {(e - s).days}\n  expect forsta in {nm} = {(s - EPOCH).days}\n"
               f"  expect sista in {nm} = {(e - EPOCH).days - 1}\n  expect senare in {nm} = {(later_e - later_s).days}\n"
               f"  expect tidigare in {nm} = {(month_start(y0, m0 + (i - 7) * months) - EPOCH).days}\n"
               f"  expect egen in {nm} = true\n  expect nasta in {nm} = false\n")
    text = HEAD + f"periods {kind} {first} .. {last}\n" + lets + f'example "{kind}" {{\n{ex}}}\n'
    p = run_test(kind, text)
    T.check(f"{kind} {first} .. {last}: days_in, start_of, end_of (also 100 and -7 periods away), period_of",
            p.returncode == 0, f"exit {p.returncode}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")



# ---- listed periods with dates (§7): spans of 1 to 400 days, some with a gap before them ----
start = date(2019, 12, 30)
spans = []
for i in range(12):
    first = start + timedelta(days=rng.choice([1, 1, 1, 2, 40]))
    last = first + timedelta(days=rng.choice([0, 27, 28, 89, 181, 365, 399]))
    spans.append((f"P{i}", first, last))
    start = last
decl = ",\n        ".join(f"{n} = {iso(a)} .. {iso(b)}" for n, a, b in spans)
lets = ("let dagar = days_in(period)\nlet forsta = start_of(period) - date 1970-01-01\n"
        "let sista = end_of(period) - date 1970-01-01\n"
        "let egen = period_of(start_of(period)) = period and period_of(end_of(period)) = period\n"
        "let mitt = period_of(add_days(start_of(period), days_in(period) - 1)) = period\n")
ex = "".join(f"  expect dagar in {n} = {(b - a).days + 1}\n  expect forsta in {n} = {(a - EPOCH).days}\n"
             f"  expect sista in {n} = {(b - EPOCH).days}\n  expect egen in {n} = true\n  expect mitt in {n} = true\n"
             for n, a, b in spans)
text = HEAD + f"periods {decl}\n" + lets + f'example "listed" {{\n{ex}}}\n'
p = run_test("listed", text)
T.check("a listed calendar with dates (gaps between some periods): days_in, start_of, end_of, period_of",
        p.returncode == 0, f"exit {p.returncode}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")


def run_contract(text, args):
    with tempfile.TemporaryDirectory(prefix="utfall-dates-") as tmp:
        (Path(tmp) / "c.utfall").write_text(text, encoding="utf-8")
        return subprocess.run([utfall, *args], capture_output=True, text=True, timeout=300, cwd=tmp, preexec_fn=bounded_memory)


# A day in a gap, before the first and after the last period: period_of is E614 naming the date.
gaps = [(a, n) for (_, _, a), (n, b, _) in zip(spans, spans[1:]) if (b - a).days > 1]
T.check("the random calendar has a gap", bool(gaps))
outside = [(spans[0][1] - timedelta(days=1), "before the first period"), (spans[-1][2] + timedelta(days=1), "after the last period")]
outside += [(a + timedelta(days=1), f"and {n} (starting") for a, n in gaps[:1]]
for day, says in outside:
    t = HEAD + f"periods {decl}\nlet p = period_of(date {iso(day)}) = period\n" + \
        f'example "x" {{\n  expect p in P0 = false\n}}\n'
    p = run_contract(t, ["test", "c.utfall"])
    T.check(f"period_of({iso(day)}), {says}: E614 naming the date",
            p.returncode != 0 and "E614" in p.stdout + p.stderr and iso(day) in p.stdout + p.stderr and says in p.stdout + p.stderr,
            f"exit {p.returncode}\n{p.stdout[-800:]}{p.stderr[-800:]}")


# ---- add_days and add_months (§13.15) against datetime ----
def add_months(d, n, rule):
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    length = calendar.monthrange(y, m + 1)[1]
    if d.day <= length:
        return date(y, m + 1, d.day)
    if rule is None:
        return None
    return date(y, m + 1, length) + timedelta(days=1 if rule == "next_day" else 0)


moves = [(date(2026, 1, 31), 1), (date(2028, 1, 31), 1), (date(2028, 2, 29), 12), (date(2028, 2, 29), -12), (date(2026, 3, 31), -1),
         (date(2026, 5, 31), 1), (date(2026, 12, 31), 2), (date(1, 1, 31), 1), (date(9999, 11, 30), 1), (date(2026, 1, 15), 1)]
moves += [(date.fromordinal(rng.randint(date(10, 1, 1).toordinal(), date(9990, 1, 1).toordinal())), rng.randint(-100, 100))
          for _ in range(40)]
terms, expects, failing = "", "", []
for i, (d, n) in enumerate(moves):
    k = rng.randint(-3000, 3000)
    if not date(1, 1, 1).toordinal() <= d.toordinal() + k <= date(9999, 12, 31).toordinal():
        k = -k
    terms += f"term j{i} = add_days(date {iso(d)}, {k}) - date 1970-01-01\n"
    expects += f"  expect j{i} in 2025 = {(d + timedelta(days=k) - EPOCH).days}\n"
    for rule in ("last_day", "next_day"):
        terms += f"term {rule}{i} = add_months(date {iso(d)}, {n}, {rule}) - date 1970-01-01\n"
        expects += f"  expect {rule}{i} in 2025 = {(add_months(d, n, rule) - EPOCH).days}\n"
    if add_months(d, n, None) is None:
        failing.append((d, n))
    else:
        terms += f"term m{i} = add_months(date {iso(d)}, {n}) - date 1970-01-01\n"
        expects += f"  expect m{i} in 2025 = {(add_months(d, n, None) - EPOCH).days}\n"
text = HEAD + "periods yearly 2025 .. 2025\n" + terms + f'example "moves" {{\n{expects}}}\n'
p = run_test("moves", text)
T.check(f"add_days, and add_months under last_day, next_day and no rule, for {len(moves)} dates as datetime moves them",
        p.returncode == 0, f"exit {p.returncode}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
T.check("some moves reach a day the month lacks", len(failing) >= 3, f"{len(failing)}")
for d, n in failing[:3]:
    t = HEAD + f"periods yearly 2025 .. 2025\nterm m = add_months(date {iso(d)}, {n})\nlet x = m - m\n" + \
        'example "x" {\n  expect x in 2025 = 0\n}\n'
    p = run_contract(t, ["test", "c.utfall"])
    T.check(f"add_months({iso(d)}, {n}) without a rule: E613", p.returncode != 0 and "E613" in p.stdout + p.stderr,
            f"exit {p.returncode}\n{p.stdout[-800:]}{p.stderr[-800:]}")

# Out of the years 0001 .. 9999 is E605, also where the month reached lacks the day (not E613).
for move in ["add_months(date 9999-12-31, 2)", "add_months(date 0001-01-31, -1, last_day)",
             "add_days(date 2026-01-31, 10000000000000000000000)", "add_days(date 9999-12-31, 1)"]:
    t = HEAD + f"periods yearly 2025 .. 2025\nterm m = {move}\nlet x = m - m\n" + 'example "x" {\n  expect x in 2025 = 0\n}\n'
    p = run_contract(t, ["test", "c.utfall"])
    out = p.stdout + p.stderr
    T.check(f"{move}: E605, out of the years 0001 .. 9999", p.returncode != 0 and "E605" in out and "E613" not in out,
            f"exit {p.returncode}\n{out[-800:]}")

T.finish()
