"""Dates (docs/language.md §13.15) against Python's own calendar (datetime), never a run.

A contract of terms `date X - date 1970-01-01` for dates spread over 0001..9999 (leap years by
the 4/100/400 rule, month ends), and definitions of `days_in`, `start_of`, `end_of` and
`period_of` in yearly, quarterly and monthly calendars, including periods outside the calendar;
each is checked by an `example` whose expected values datetime computes. A contract whose one
expectation is off by a day must fail, so the comparison can fail.
"""
import random
import subprocess
import sys
import tempfile
from datetime import date
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

T.finish()
