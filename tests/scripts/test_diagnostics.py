#!/usr/bin/env python3
"""Diagnostics of the command line: exit code, diagnostic code and position, one row per check.

Usage: test_diagnostics.py <utfall binary> <source dir>

Each row writes a small contract (and, where needed, a data file) into a fresh temporary
directory, runs one command there, and checks three things:

  - the exit code (docs/cli.md: 2 contract wrong, 3 data wrong or unreadable, 4 evaluation
    failed, 64 usage);
  - a stderr line that begins `WHERE: error[CODE]`, where WHERE is `file:line:col` for a
    contract or an expression, or the location text of a data file
    (`plan.csv: row 2 (line 3), column `x``);
  - optionally, a substring of stderr (a word of the message, a "did you mean").

Every position is computed here from the text the row writes (the line of the offending
token and its column in code points, which is what the renderer prints), never copied from a
run. Each run has a hang guard and a memory limit (scriptlib.bounded_memory: 3 GiB of address
space), and a run killed by a signal fails its row. At the end the script prints `N passed, N failed` and exits 1 if any row failed.
"""
import os
import sys
import tempfile

from scriptlib import HANG_GUARD, SANITIZED, run_measured

# Bounds are work, never wall-clock time: a run that must stop early (deep nesting) stays
# under SMALL bytes of peak memory; any run that does not end within HANG_GUARD is a hang.
SMALL = (1024 if SANITIZED else 256) << 20


# ---- positions ---------------------------------------------------------------------------

def _bytes(text):
    return text if isinstance(text, bytes) else text.encode("utf-8")


def line_col(text, offset):
    """1-based line and code-point column of byte `offset` in `text` (str or bytes)."""
    b = _bytes(text)
    line = b.count(b"\n", 0, offset) + 1
    start = b.rfind(b"\n", 0, offset) + 1
    # Code points: every byte that is not a UTF-8 continuation byte starts one.
    col = sum(1 for ch in b[start:offset] if not 0x80 <= ch <= 0xBF) + 1
    return line, col


def at(name, text, needle, nth=0, delta=0):
    """`name:line:col` of the `nth` occurrence of `needle` in `text`, moved `delta` bytes on."""
    b, n = _bytes(text), _bytes(needle)
    off = -1
    for _ in range(nth + 1):
        off = b.find(n, off + 1)
        if off < 0:
            raise ValueError(f"{needle!r} not in the row's text")
    line, col = line_col(b, off + delta)
    return f"{name}:{line}:{col}"


def at_end(name, text):
    """`name:line:col` of the end of the text (where a parser that runs out of input stops)."""
    b = _bytes(text)
    line, col = line_col(b, len(b))
    return f"{name}:{line}:{col}"


def at_line_end(name, text, needle):
    """`name:line:col` of the end of the line that holds `needle` (before its line break)."""
    b = _bytes(text)
    off = b.find(_bytes(needle))
    if off < 0:
        raise ValueError(f"{needle!r} not in the row's text")
    nl = b.find(b"\n", off)
    line, col = line_col(b, nl if nl >= 0 else len(b))
    return f"{name}:{line}:{col}"


def csv_row(name, text, line_prefix, column, nth=0, row=None):
    """Location of a cell in a CSV whose first line is the header:
    `name: row R (line L), column `C``, for the `nth` line that begins with `line_prefix`.
    R counts the non-blank lines after the header up to this one; give `row` when a quoted
    field spans lines."""
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        if i > 0 and ln.startswith(line_prefix):
            if nth > 0:
                nth -= 1
                continue
            if row is None:
                row = sum(1 for earlier in lines[1 : i + 1] if earlier.strip())
            return f"{name}: row {row} (line {i + 1}), column `{column}`"
    raise ValueError(f"no line begins with {line_prefix!r}")


def csv_row_only(name, text, line_prefix):
    loc = csv_row(name, text, line_prefix, "?")
    return loc[: loc.index(", column")]


# ---- inputs -------------------------------------------------------------------------------

HEADER = """contract "Diagnostics"
currency SEK
party kommun "Kommunen"
party fonden "Fonden"
unit placement plural placements
periods yearly 2025 .. 2027
"""


def contract(body):
    return HEADER + body


SERIES = HEADER + """input x : SEK per period
clause "1" {
  pay kommun -> fonden amount x
}
"""

PARTICIPANTS = HEADER + """input ungdomar : participants {
  inskriven : period
  stabil : boolean
}
clause "1" {
  pay kommun -> fonden for each u in ungdomar where u.inskriven = period
    amount 5 SEK
}
"""

GOOD_CSV = "period,x\n2025,1\n2026,2\n2027,3\n"


class Row:
    def __init__(self, name, files, args, exit_code, code, where, contains=None, fast=False):
        self.name = name
        self.files = files          # {file name: str or bytes}
        self.args = args            # command line after the binary
        self.exit_code = exit_code
        self.code = code            # "E318"; None: no error expected (a control row)
        self.where = where          # "c.utfall:9:11", or a data file's location text
        self.contains = contains    # optional substring of stderr
        self.fast = fast            # must stop early: peak memory under SMALL


def rows():
    R = []

    def check(name, text, code, where, contains=None, exit_code=2, fast=False):
        R.append(Row(name, {"c.utfall": text}, ["check", "c.utfall"], exit_code, code, where, contains, fast))

    # ---- controls: the texts the rows below start from are valid ----
    R.append(Row("control: the series contract runs", {"c.utfall": SERIES, "d.csv": GOOD_CSV},
                 ["run", "c.utfall", "-d", "d.csv"], 0, None, None))
    R.append(Row("control: the participant contract runs",
                 {"c.utfall": PARTICIPANTS, "ungdomar.csv": "inskriven,stabil\n2025,true\n2026,false\n"},
                 ["run", "c.utfall", "-d", "ungdomar.csv"], 0, None, None))
    # `run` needs no --data for a contract without inputs (before: exit 64, "--data is required").
    R.append(Row("control: run without --data, a contract without inputs",
                 {"c.utfall": HEADER + 'clause "1" {\n  pay kommun -> fonden amount 5 SEK\n}\n'}, ["run", "c.utfall"], 0, None, None))
    R.append(Row("run without --data, a contract with inputs", {"c.utfall": SERIES}, ["run", "c.utfall"], 3, "E527", "data",
                 "no data file was given"))
    R.append(Row("control: eval", {}, ["eval", "(200_000_000 SEK - 170_000_000 SEK) * 30 %"], 0, None, None))

    # ---- syntax ----
    t = contract('clause "1" {\n  let y = 1\n')
    check("missing } at the end of the file", t, "E101", at_end("c.utfall", t), "expected `}`")
    t = contract('clause "1" {\n  let y = 1\n\nterm z = 2\n')
    check("missing } before the next declaration", t, "E101", at("c.utfall", t, "term z"), "expected `}`")
    t = contract('clause "1" {\n  pay kommun fonden amount 1 SEK\n}\n')
    check("missing -> between payer and payee", t, "E101", at("c.utfall", t, "fonden amount"), "`->`")
    t = 'contract "Diagnostics\ncurrency SEK\n'
    check("unterminated string", t, "E101", at_line_end("c.utfall", t, 'contract "'), "unterminated string")
    t = contract('clause "1" "Titel {\n}\n')
    check("unterminated clause title", t, "E101", at_line_end("c.utfall", t, 'clause "1"'), "unterminated string")
    t = contract("  foo\n")
    check("stray name at top level", t, "E101", at("c.utfall", t, "foo"), "expected a declaration")
    t = contract("term p = 1 SEK\n}\n")
    check("stray } at top level", t, "E101", at("c.utfall", t, "}"), "expected a declaration")
    t = contract('clause "1" {\n  let y = if true then 1\n}\n')
    check("if without else", t, "E101", at("c.utfall", t, "}"), "`else`")
    t = contract("term y 5\n")
    check("term without =", t, "E101", at("c.utfall", t, "5\n"), "expected `=`")
    t = contract("term y =\nterm z = 1\n")
    check("term without a value", t, "E101", at("c.utfall", t, "term z"), "expected an expression")
    t = contract("term y = (1 + 2\nterm z = 1\n")
    check("unclosed parenthesis", t, "E101", at("c.utfall", t, "term z"), "expected `)`")
    t = contract("term y = 1.\n")
    check("no digits after the decimal point", t, "E101", at("c.utfall", t, ".\n", delta=1), "digits")

    # ---- names ----
    t = contract("term sum = 5 SEK\n")
    check("a reserved word as a term's name", t, "E101", at("c.utfall", t, "sum ="), "`sum` is a reserved word and cannot be a name")
    t = contract('input ungdomar : participants {\n  id : text\n  count : number\n}\n')
    check("a reserved word as a field's name", t, "E101", at("c.utfall", t, "count"), "`count` is a reserved word")
    t = contract("term summa = 5 SEK\nterm y = summa * 2\n")
    check("control: a name that begins with a reserved word is a name", t, None, None, exit_code=0)
    people = 'input ungdomar : participants {\n  id : text\n  narvaro : percent\n}\n'
    t = contract(people + 'clause "1" {\n  for each u in ungdomar {\n    let ok = narvaro > 50 %\n  }\n}\n')
    check("a field without its participant, inside for each", t, "E208", at("c.utfall", t, "narvaro >"),
          "`narvaro` is a field of `ungdomar`: write `u.narvaro`")
    t = contract(people + 'clause "1" {\n  let n = narvaro\n}\n')
    check("a field without its participant, outside for each", t, "E208", at("c.utfall", t, "narvaro\n}"),
          "read it through a participant, `u.narvaro` inside `for each u in ungdomar`")
    t = contract("term pris = 5 SEK\nterm y = pros * 2\n")
    check("unknown name with a suggestion", t, "E208", at("c.utfall", t, "pros"), "did you mean `pris`?")
    t = contract('clause "1" {\n  pay kommun -> fonden amount summa(1 SEK)\n}\n')
    check("unknown function", t, "E209", at("c.utfall", t, "summa"))
    t = contract("term p = 1 SEK\nterm p = 2 SEK\n")
    check("term declared twice", t, "E202", at("c.utfall", t, "p = 2", delta=0), "declared twice")
    t = contract('input x : SEK per period\nclause "1" {\n  let x = 1 SEK\n  pay kommun -> fonden amount x\n}\n')
    check("let with the name of an input", t, "E202", at("c.utfall", t, "x = 1"), "first declared here")
    t = contract('party kommun "Igen"\n')
    check("party declared twice", t, "E201", at("c.utfall", t, "kommun", nth=1), "declared twice")
    t = contract("unit placement\n")
    check("unit declared twice", t, "E201", at("c.utfall", t, "placement", nth=2), "declared twice")
    t = contract('clause "1" {\n  let y = 1\n}\nclause "1" {\n  let z = 2\n}\n')
    check("clause declared twice", t, "E417", at("c.utfall", t, '"1"', nth=1), "declared twice")
    t = contract('clause "1" {\n  pay kommun -> stiftelsen amount 1 SEK\n}\n')
    check("payment to an undeclared party", t, "E212", at("c.utfall", t, "stiftelsen"), "declare it with `party stiftelsen`")
    t = contract('clause "1" {\n  pay bolaget -> fonden amount 1 SEK\n}\n')
    check("payment from an undeclared party", t, "E212", at("c.utfall", t, "bolaget"), "not a declared party")
    t = contract('clause "1" {\n  let y = z + 1 SEK\n  let z = y + 1 SEK\n}\n')
    check("cycle between two lets", t, "E210", at("c.utfall", t, "y + 1"), "y -> z -> y")

    # ---- one name, one meaning: look-alike names (E216) and characters that cannot be seen in
    # a name or clause number (E104), at the later name / at the character ----
    first = at("c.utfall", HEADER, "kommun")[len("c.utfall:"):]  # where `kommun` is first written
    t = contract('party k\u043emmun "Kommunen 2"\n')
    check("a party with a Cyrillic o beside the Latin one", t, "E216", at("c.utfall", t, "k\u043emmun"),
          f"the name `k\u043emmun` (U+043E CYRILLIC SMALL LETTER O at 2) is confusable with the name `kommun` "
          f"(U+006F LATIN SMALL LETTER O at 2) first written at {first}")
    t = contract('clause "1" {\n  pay k\u043emmun -> fonden amount 1 SEK\n}\n')
    check("a payment from a Cyrillic look-alike of a declared party", t, "E216", at("c.utfall", t, "k\u043emmun"),
          "U+043E CYRILLIC SMALL LETTER O at 2")
    t = contract("term A = 1\nterm \u0391 = 2\n")
    check("a Greek capital alpha beside a Latin A", t, "E216", at("c.utfall", t, "\u0391"), "U+0391 GREEK CAPITAL LETTER ALPHA at 1")
    t = contract('clause "3.1" {\n  pay kommun -> fonden amount 1 SEK\n}\nclause "3.l" {\n  pay kommun -> fonden amount 2 SEK\n}\n')
    check("clause numbers 3.1 and 3.l", t, "E216", at("c.utfall", t, '"3.l"'), "the clause number `3.l`")
    t = contract('clause "1" {\n  pay kommun -> fonden amount 1 SEK\n}\nclause "1\u200b" {\n  pay kommun -> fonden amount 2 SEK\n}\n')
    check("clause 1 and 1 with a zero width space", t, "E104", at("c.utfall", t, "\u200b"),
          "a clause number may not contain the invisible character U+200B ZERO WIDTH SPACE")
    t = contract('clause "1\t" {\n  pay kommun -> fonden amount 1 SEK\n}\n')
    check("a tab in a clause number", t, "E104", at("c.utfall", t, "\t"), "control character U+0009")
    t = contract("term ab\u200bc = 1\n")
    check("a zero width space inside a name", t, "E104", at("c.utfall", t, "\u200b"), "U+200B ZERO WIDTH SPACE")
    t = contract('clause "1" {\n  pay \u200dkommun -> fonden amount 1 SEK\n}\n')
    check("a zero width joiner before a name", t, "E104", at("c.utfall", t, "\u200d"), "U+200D ZERO WIDTH JOINER")
    t = contract("term pris\u202e = 1 SEK\n")
    check("a bidi override in a name", t, "E104", at("c.utfall", t, "\u202e"),
          "the bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE")
    t = contract("term pris\u00a0= 1 SEK\n")
    check("a no-break space after a name", t, "E104", at("c.utfall", t, "\u00a0"), "U+00A0 NO-BREAK SPACE is not a space")
    t = contract("term x\u037e = 1\n")
    check("a Greek question mark inside a name", t, "E104", at("c.utfall", t, "\u037e"),
          "U+037E GREEK QUESTION MARK cannot be part of a name")
    t = contract("term y = if true then\u00a01 else 2\n")
    check("a no-break space after a keyword", t, "E104", at("c.utfall", t, "\u00a0"), "U+00A0 NO-BREAK SPACE")
    t = contract("term pris = 5 \u20ac\n")
    check("a euro sign as a unit", t, "E104", at("c.utfall", t, "\u20ac"), "U+20AC EURO SIGN cannot be part of a name")
    t = PARTICIPANTS.replace("  stabil : boolean\n", "  b\u00e4st : boolean\n")
    csv = "inskriven,b\u00e4st,ba\u0308st\n2025,true,true\n"
    R.append(Row("one field in two Unicode spellings in a CSV header", {"c.utfall": t, "ungdomar.csv": csv},
                 ["run", "c.utfall", "-d", "ungdomar.csv"], 3, "E504", "ungdomar.csv: column `ba\u0308st`",
                 "columns 2 and 3 both name the field `b\u00e4st`"))

    # ---- types and units ----
    t = contract("term y = 5 kronor\n")
    check("unknown unit", t, "E301", at("c.utfall", t, "kronor"), "declare it with `unit kronor`")
    t = contract('term n = 3 placements\nclause "1" {\n  let y = 5 SEK + n\n}\n')
    check("SEK + placements in a let", t, "E318", at("c.utfall", t, "5 SEK + n"), "cannot add SEK and placements")
    t = contract('input r : ratio per period\nterm s = 5 SEK\nclause "1" {\n  let y = s < r\n}\n')
    check("comparing SEK with a ratio", t, "E318", at("c.utfall", t, "s < r"), "cannot compare SEK")
    t = contract('clause "1" {\n  pay kommun -> fonden amount 5 placements\n}\n')
    check("payment amount not in the currency", t, "E303", at("c.utfall", t, "5 placements"), "must be SEK")
    t = contract('clause "1" {\n  let y = if 1 SEK then 1 else 0\n}\n')
    check("if with a condition that is not boolean", t, "E307", at("c.utfall", t, "1 SEK then"), "must be boolean")

    # ---- structure ----
    t = contract("table t {\n  [0, 10) -> 1\n  [20, 30) -> 2\n}\n")
    check("step table with a gap", t, "E415", at("c.utfall", t, "[0, 10)"), "a gap")
    t = contract("table t {\n  [0, 10) -> 1\n  [5, 30) -> 2\n}\n")
    check("step table with an overlap", t, "E416", at("c.utfall", t, "[0, 10)"), "an overlap")
    t = contract("table t {\n  [0, 10] -> 1\n  [10, 30) -> 2\n}\n")
    check("step table: closed ends meet", t, "E416", at("c.utfall", t, "[0, 10]"), "an overlap between this interval and the next at 10")
    t = contract('clause "1" {\n  pay kommun -> fonden amount 1 SEK from 2031\n}\n')
    check("period outside the calendar (from)", t, "E407", at("c.utfall", t, "2031"), "(2025 .. 2027)")
    t = contract('clause "1" {\n  pay kommun -> fonden amount 1 SEK until 2024\n}\n')
    check("period outside the calendar (until)", t, "E407", at("c.utfall", t, "2024"), "not a period of the calendar")
    t = contract('input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount x @ 2031\n}\n')
    check("period outside the calendar (x @ P)", t, "E407", at("c.utfall", t, "2031"))
    t = contract('input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount sum(x over 2024 .. 2026)\n}\n')
    check("period outside the calendar (sum over)", t, "E407", at("c.utfall", t, "2024"))
    t = contract('clause "1" {\n  pay kommun -> kommun amount 1 SEK\n}\n')
    check("a party paying itself", t, "E418", at("c.utfall", t, "kommun amount"), "cannot pay itself")

    # ---- text values and tables keyed by text (language.md §13.7, §18.1) ----
    t = contract('table t {\n  "m01" -> 1 SEK\n  "m02" -> 2 SEK\n  "m01" -> 3 SEK\n}\n')
    check("a text table with a key twice", t, "E425", at("c.utfall", t, '"m01" -> 3'), 'the key "m01" twice')
    t = contract('table t {\n  "m01" -> 1 SEK\n  "a\u0308" -> 2 SEK\n  "\u00e4" -> 3 SEK\n}\n')
    check("a text table with one key in two Unicode spellings", t, "E425", at("c.utfall", t, '"\u00e4"'), "twice")
    t = contract('table t {\n  "m01" -> 1 SEK\n  [0, 10) -> 2 SEK\n}\n')
    check("a text table with an interval row", t, "E426", at("c.utfall", t, "[0, 10)"), "keyed by text, but this row is an interval")
    t = contract('table t {\n  [0, 10) -> 2 SEK\n  "m01" -> 1 SEK\n}\n')
    check("a table of intervals with a text row", t, "E426", at("c.utfall", t, '"m01"'), "keyed by intervals of numbers")
    coded = 'input ungdomar : participants {\n  id : text\n  k : text\n}\n'
    t = contract(coded + 'clause "1" {\n  let n = count(u in ungdomar where u.k < "m03")\n}\n')
    check("text ordered with <", t, "E318", at("c.utfall", t, 'u.k < "m03"'), "text has no order")
    t = contract(coded + 'clause "1" {\n  let n = count(u in ungdomar where u.k = 3)\n}\n')
    check("text compared with a number", t, "E318", at("c.utfall", t, "u.k = 3"), "cannot compare text with number: text equals only text")
    t = contract(coded + 'table t {\n  [0, 10) -> 1 SEK\n  [10, ) -> 2 SEK\n}\n'
                 'clause "1" {\n  let s = sum(t(u.k) for u in ungdomar)\n}\n')
    check("a text key in a table of intervals", t, "E313", at("c.utfall", t, "u.k)"), "keyed by number, but this is text")
    t = contract(coded + 'table t {\n  "m01" -> 1 SEK\n}\nclause "1" {\n  let s = sum(t(1) for u in ungdomar)\n}\n')
    check("a number looked up in a text table", t, "E313", at("c.utfall", t, "1) for"), "keyed by text, but this is number")
    t = contract(coded + 'table t {\n  "m01" -> 1 SEK\n  "m02" -> 2 SEK\n}\n'
                 'clause "1" {\n  pay kommun -> fonden for each u in ungdomar amount t(u.k)\n}\n')
    csv = "id,k\nY1,m01\nY2,M02\nY3,m02\n"
    R.append(Row("a code missing from a text table", {"c.utfall": t, "ungdomar.csv": csv},
                 ["run", "c.utfall", "-d", "ungdomar.csv"], 4, "E610", at("c.utfall", t, "u.k)"),
                 'no row for the key "M02"; the key is `u.k` of participant 2 of `ungdomar` (' + csv_row("ungdomar.csv", csv, "Y2", "k") + ")"))

    # ---- cycles hidden behind previous(): `x @ P` and `sum over` inside it still reach the
    # current period, so they are dependencies (found by fuzzing: E901 or a crash before) ----
    # (name, the let, where the error points)
    for name, let, where in [("cycle through previous(x @ P)", "let a = previous(a @ 2027, 0 SEK) + x", "a @ 2027"),
                             ("cycle through previous(sum over)", "let a = previous(sum(a over 2025 .. 2027), 0 SEK) + x", "a over")]:
        t = contract(f'input x : SEK per period\nclause "1" {{\n  {let}\n  pay kommun -> fonden amount a\n}}\n')
        check(name, t, "E210", at("c.utfall", t, where), "depends on itself")
    t = contract('clause "1" {\n  pay p: kommun -> fonden amount previous(p @ 2026, 1 SEK)\n}\n')
    check("a payment reaching itself through previous(p @ P)", t, "E210", at("c.utfall", t, "p @ 2026"), "depends on itself")
    # ... and through previous() elsewhere in the circle: p in 2026 needs q in 2027, which needs
    # p in 2026 (E901, exit 70, before)
    for name, amount, where in [("a circle of `q @ P` and previous(p)", "q @ 2027", "q @ 2027"),
                                ("a circle of `sum(q over ...)` and previous(p)", "sum(q over 2025 .. 2027)", "q over")]:
        t = contract(f'input x : SEK per period\nclause "1" {{\n  pay p: kommun -> fonden amount {amount}\n'
                     '  pay q: kommun -> fonden amount previous(p, 0 SEK) + x\n}\n')
        check(name, t, "E210", at("c.utfall", t, where), "may depend on itself")
    t = contract('input x : SEK per period\nclause "1" {\n  pay c: kommun -> fonden amount previous(to_date(c), 0 SEK) + x\n}\n')
    R.append(Row("control: a payment's previous(to_date(itself)) looks only back", {"c.utfall": t, "d.csv": GOOD_CSV},
                 ["run", "c.utfall", "-d", "d.csv"], 0, None, None))

    # ---- expectations of examples (language.md §20): what is named, and the value's type ----
    ex_base = contract('input x : SEK per period\ninput ungdomar : participants {\n  id : text\n  narvaro : percent\n}\n'
                       'clause "1" {\n  let stor = x >= 2 SEK\n  let antal = count(u in ungdomar)\n'
                       '  for each u in ungdomar {\n    let hel = u.narvaro >= 90 %\n  }\n'
                       '  pay aterbetalning: kommun -> fonden amount x\n}\n')

    def expect(name, line, code, needle, contains):
        t = ex_base + 'example "e" {\n  ' + line + '\n}\n'
        check(name, t, code, at("c.utfall", t, needle, nth=t.count(needle) - 1), contains)

    t = ex_base + 'example "e" {\n  expect aterbetalning in 2026 = 2 SEK\n  expect stor in 2025 = false\n' \
        '  expect antal in total = 3\n  expect net fonden in total = 6 SEK\n  expect kommun -> fonden in total = 6 SEK\n}\n'
    check("control: an expectation of each kind checks", t, None, None, exit_code=0)
    for name, line, code, needle, contains in [
            ("an expected value in the wrong unit", "expect aterbetalning in 2026 = 2 placements", "E303", "2 placements",
             "the expected value of `aterbetalning` must be SEK, but this is placements"),
            ("an expected boolean given a number", "expect stor in 2026 = 1", "E303", "1\n}",
             "the expected value of `stor` must be boolean"),
            ("an expectation of an unknown name", "expect aterbetaling in 2026 = 2 SEK", "E208", "aterbetaling",
             "did you mean `aterbetalning`?"),
            ("an expectation of a party without `net`", "expect fonden in 2026 = 2 SEK", "E208", "fonden in",
             "write `expect net fonden in ...`"),
            ("a net position of an unknown party", "expect net fonen in total = 2 SEK", "E212", "fonen", "did you mean `fonden`?"),
            ("a net position expected in a unit", "expect net fonden in total = 2 placements", "E303", "2 placements",
             "an expected amount must be SEK"),
            ("an expectation of a definition for each participant", "expect hel in 2026 = true", "E217", "hel in",
             "without saying which participant"),
            ("an expectation of a participant's field", "expect narvaro in 2026 = 90 %", "E217", "narvaro in", "a field of `ungdomar`"),
            ("a boolean expected in total", "expect stor in total = true", "E320", "expect stor",
             "only a number can be added up over all periods"),
            ("a text expected of a number", 'expect antal in 2025 = "tre"', "E303", '"tre"', "must be number, but this is text"),
            ("an expectation in a period outside the calendar", "expect stor in 2031 = true", "E407", "2031", "2031"),
            ("an expectation without `in`", "expect stor = true", "E101", "= true", "expected `in PERIOD` or `in total`"),
            # `net` is a word only before a party's name: here it is read as the payer of a flow.
            ("`net` before `->` is a payer", "expect net -> fonden in total = 1 SEK", "E212", "net ->",
             "`net` is not a declared party")]:
        expect(name, line, code, needle, contains)

    # ---- once crashes (language.md §27 listed them), now errors or working ----
    t = PARTICIPANTS.replace("    amount 5 SEK\n", "    amount 5 SEK\n    capped at (if u.stabil then 1 SEK else 2 SEK) in total\n")
    check("a per-participant payment's total cap cannot use `u`", t, "E205", at("c.utfall", t, "u.stabil then"),
          "not a participant in scope")
    # ---- a definition that uses its own earlier values (language.md §11.1): previous(a, fallback)
    # takes the fallback's type; a circle within the period is still E210, a type that cannot be
    # found E215, and a fallback of another type than the definition E315 ----
    t = contract('input x : SEK per period\nclause "1" {\n  let a = previous(a, 0 SEK) + x\n  pay kommun -> fonden amount a\n}\n')
    R.append(Row("control: a definition referring to itself through previous", {"c.utfall": t, "d.csv": GOOD_CSV},
                 ["run", "c.utfall", "-d", "d.csv"], 0, None, None))
    # (name, the lets, code, where the error points, a part of the message)
    for name, lets, code, where, says in [
            ("a definition referring to itself inside an expression in previous", "let a = previous(a * 2, 0 SEK) + x", "E215",
             "a * 2", "write previous(a, fallback) with the definition's name alone"),
            ("a definition whose previous() fallback has another type than itself", "let a = previous(a, 0) * x", "E315",
             "0) * x", "the fallback of previous is number, but `a` is SEK"),
            ("a definition referring to itself in the same period", "let a = a + x", "E210", "a + x", "a -> a"),
            ("a definition that is its own previous() fallback", "let a = previous(a, a) + x", "E210", "a) + x", "a -> a"),
            ("a circle within the period beside one through previous",
             "let a = previous(b, 0 SEK) + x\n  let b = a + c\n  let c = b", "E210", "b\n  pay", "b -> c -> b")]:
        t = contract(f'input x : SEK per period\nclause "1" {{\n  {lets}\n  pay kommun -> fonden amount a\n}}\n')
        check(name, t, code, at("c.utfall", t, where), says)

    # ---- declared ranges of inputs and fields (language.md §8.4) ----
    def ranged(decl):
        return contract(decl + '\nclause "1" {\n  pay kommun -> fonden amount 1 SEK\n}\n')
    t = ranged("input x : placements per period whole at least 0 placements at most 10 placements")
    R.append(Row("control: a series with a declared range runs", {"c.utfall": t, "d.csv": "period,x\n2025,0\n2026,10\n2027,3\n"},
                 ["run", "c.utfall", "-d", "d.csv"], 0, None, None))
    for name, decl, code, where, says in [
            ("a range on a boolean series", "input x : boolean per period at least 0", "E321", "x :",
             "`x` is boolean: only a number can have a range"),
            ("a range on a text field", "input p : participants { id : text whole }", "E321", "id :",
             "`id` is text: only a number can have a range"),
            ("a range whose lower bound is above the upper", "input x : placements per period between 5 placements and 2 placements",
             "E427", "2 placements", "its lower bound 5 is above its upper bound 2"),
            ("a range bound without the input's unit", "input x : placements per period at least 0", "E303", "0\n",
             "a bound of the range of `x` must be placements, but this is number"),
            ("a range bound that is not written out", "term grans = 3\ninput x : number per period at most grans", "E409", "grans\n",
             "must be a number written out"),
            ("a bare number as a bound of a percent input", "input x : percent per period at most 100", "E319", "100",
             "write it with %"),
            ("a range bound given twice", "input x : number per period at least 1 at least 2", "E101", "2\n",
             "the lower bound (`at least`, `between`) is given twice"),
            ("`whole` given twice", "input x : number per period whole whole", "E101", "whole\n", "`whole` is given twice")]:
        t = ranged(decl)
        check(name, t, code, at("c.utfall", t, where), says)
    # ---- unlimited terms (language.md §9.2): only a bare limit may be unlimited ----
    def paying(modifiers, terms="term tak = unlimited SEK\n"):
        return contract(terms + f'clause "1" {{\n  pay kommun -> fonden amount 5 SEK {modifiers}\n}}\n')
    t = paying("capped at tak per period, tak in total")
    R.append(Row("control: an unlimited term as a cap runs", {"c.utfall": t}, ["run", "c.utfall"], 0, None, None))
    for name, t, code, where, says in [
            ("an unlimited term in arithmetic", paying("capped at tak", "term tak = unlimited SEK\nterm dubbel = tak * 2\n"),
             "E322", "tak * 2", "`tak` is declared unlimited"),
            ("an unlimited term as a floor", paying("at least tak"), "E322", "tak\n}", "used as a number"),
            ("an unlimited term inside min() in a cap", paying("capped at min(tak, 9 SEK)"), "E322", "tak, 9", "bare name"),
            ("an unlimited term in a comparison", paying("when tak > 1 SEK"), "E322", "tak >", "used as a number"),
            ("an unlimited term as a key of `at most`",
             contract('input p : records {\n  id : text\n}\nterm tak = unlimited SEK\nclause "1" {\n'
                      '  pay kommun -> fonden for each u in p\n    amount 5 SEK\n    at most once per tak\n}\n'),
             "E322", "tak\n}", "used as a number"),
            ("`unlimited` inside an expression", paying("capped at unlimited SEK", ""), "E323", "unlimited SEK",
             "only a term can have"),
            ("an example that sets a term used as a number to unlimited",
             contract('term tak = 9 SEK\nclause "1" {\n  pay kommun -> fonden amount tak\n}\n'
                      'example "e" {\n  set tak = unlimited SEK\n  expect kommun -> fonden in 2025 = 9 SEK\n}\n'),
             "E322", "tak\n}", "is set to unlimited by the example \"e\""),
            ("an example's unlimited of another unit", paying("capped at tak", "term tak = 9 SEK\n") +
             'example "e" {\n  set tak = unlimited placements\n  expect kommun -> fonden in 2025 = 5 SEK\n}\n',
             "E303", "unlimited placements", "`tak` is SEK, but the new value is placements")]:
        check(name, t, code, at("c.utfall", t, where), says)
    t = paying("capped at tak", "term tak = 9 SEK\nterm halva = tak / 2\n")
    R.append(Row("--set of a term used as a number to unlimited", {"c.utfall": t}, ["run", "c.utfall", "--set", "tak=unlimited"], 64,
                 "E322", "--set tak=unlimited", f"`tak` cannot be unlimited: line {t.count(chr(10), 0, t.index('tak / 2')) + 1}, column 14"))
    R.append(Row("--set unlimited of another unit", {"c.utfall": paying("capped at tak", "term tak = 9 SEK\n")},
                 ["run", "c.utfall", "--set", "tak=unlimited placements"], 64, "E214", "--set tak=unlimited placements",
                 "`tak` is SEK, but the new value is placements"))

    t = ranged("input x : placements per period whole between 0 placements and 10 placements")
    for name, csv, line, says in [
            ("a series value below its declared range", "period,x\n2025,-1\n2026,1\n2027,1\n", "2025",
             "`x` is -1, below its declared least value, 0 placements"),
            ("a series value above its declared range", "period,x\n2025,1\n2026,10.5\n2027,1\n", "2026",
             "`x` is 10.5, above its declared most value, 10 placements"),
            ("a series value that is not whole", "period,x\n2025,1\n2026,1\n2027,2.5\n", "2027",
             "`x` is 2.5, not a whole number, as declared")]:
        R.append(Row(name, {"c.utfall": t, "d.csv": csv}, ["run", "c.utfall", "-d", "d.csv"], 3, "E532",
                     csv_row("d.csv", csv, line, "x"), says))
    t = ranged("input p : participants { id : text, andel : percent between 0 % and 100 % }")
    csv = "id,andel\na,50\nb,100.5\n"
    R.append(Row("a participant's field above its declared range", {"c.utfall": t, "p.csv": csv}, ["run", "c.utfall", "-d", "p.csv"],
                 3, "E532", csv_row("p.csv", csv, "b,", "andel"), "`andel` is 100.5, above its declared most value, 100 %"))

    # ---- typing does not depend on the order of clauses and items (issue: a `let` after a
    # `for each` took the type of the per-participant definition; a sum of one in a later
    # clause was a false cycle) ----
    cohorts = ('unit event plural events\ninput cohorts : participants { id : text, n_events : events }\n'
               'term pris = 100 SEK per event\n'
               'clause "1" {\n  for each c in cohorts {\n    let fee = c.n_events * pris\n  }\n'
               '  let total_events = sum(c.n_events for c in cohorts)\n}\n')
    t = contract(cohorts + 'clause "2" {\n  pay kommun -> fonden amount total_events\n}\n')
    check("a count of events after a `for each` is not money", t, "E303", at("c.utfall", t, "total_events\n}"),
          "must be SEK, but this is events")
    t = contract(cohorts + 'clause "2" {\n  pay kommun -> fonden amount total_events\n}\n').replace(
        '  let total_events', '  # a comment line\n  let total_events')
    check("the same with a comment line more", t, "E303", at("c.utfall", t, "total_events\n}"), "but this is events")
    t = contract('input x : SEK per period\nclause "1" {\n  let a = b + x\n}\n'
                 'clause "2" {\n  let b = a * 2\n  pay kommun -> fonden amount a\n}\n')
    check("a cycle across clauses is reported once, in the clause of the reference that closes it", t, "E210",
          at("c.utfall", t, "a * 2"), "in clause 2")
    t = contract('input x : SEK per period\ntable t {\n  [0, 10) -> 1\n  [10, ) -> 2\n}\nclause "1" {\n'
                 '  let k = t(x / 1 SEK)\n  pay kommun -> fonden amount x * k\n}\n')
    R.append(Row("control: a table looked up in a let", {"c.utfall": t, "d.csv": GOOD_CSV}, ["run", "c.utfall", "-d", "d.csv"],
                 0, None, None))

    # ---- a payment modifier is written once (a second one silently replaced the first) ----
    pay = 'clause "1" {\n  pay kommun -> fonden amount 1 SEK %s\n}\n'
    t = contract(pay % "amount 2 SEK")
    check("a payment with two `amount`", t, "E101", at("c.utfall", t, "2 SEK"), "the amount (`amount`) is given twice")
    t = contract(pay % "when true when false")
    check("a payment with two `when`", t, "E101", at("c.utfall", t, "false"), "the condition (`when`) is given twice")
    t = contract(pay % "at least 1 SEK at least 2 SEK")
    check("a payment with two `at least`", t, "E101", at("c.utfall", t, "2 SEK"), "the floor (`at least`) is given twice")
    t = contract(pay % "rounded half_up to 0.01 rounded down to 1")
    check("a payment with two `rounded`", t, "E101", at("c.utfall", t, "down"), "the rounding (`rounded`) is given twice")
    t = contract(pay % "from 2025 from 2026")
    check("a payment with two `from`", t, "E101", at("c.utfall", t, "2026"), "the first period (`from` or `in`) is given twice")
    t = contract(pay % "from 2026 in 2027")
    check("a payment with `from` and `in`", t, "E101", at("c.utfall", t, "in 2027", delta=3), "the period range (`from`, `until` or `in`) is given twice")
    t = contract(pay % "capped at 5 SEK capped at 3 SEK")
    check("a payment with two `capped at` of one kind", t, "E421", at("c.utfall", t, "3 SEK"), "already has a cap of this kind")
    fall = 'input x : SEK per period\nclause "1" {\n  waterfall w: kommun pays x {\n    t: fonden 50 %% of rest, capped at 5 SEK %s\n    rest to kommun\n  }\n}\n'
    t = contract(fall % "in total")
    check("a tier cap with a scope word (`in total`)", t, "E101", at("c.utfall", t, "t: fonden"), "a tier's cap limits the tier in each period")
    t = contract(fall % "per period")
    check("control: a tier cap `per period` is its cap in each period", t, None, None, None, exit_code=0)
    t = contract('input x : SEK per period from 2025 from 2026\n')
    check("a series with two `from`", t, "E101", at("c.utfall", t, "2026"), "is given twice")

    # ---- periods ----
    t = contract('input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount x when period - 1 = @2025\n}\n')
    R.append(Row("control: `period - 1` is the period before", {"c.utfall": t, "d.csv": GOOD_CSV},
                 ["run", "c.utfall", "-d", "d.csv"], 0, None, None))
    t = contract('input x : SEK per period\nclause "1" {\n  let q = period + 60000 + 60000\n'
                 '  pay kommun -> fonden amount x when q > @2025\n}\n')
    R.append(Row("a period moved far outside the calendar", {"c.utfall": t, "d.csv": GOOD_CSV},
                 ["run", "c.utfall", "-d", "d.csv"], 4, "E605", at("c.utfall", t, "period + 60000 + 60000"),
                 "more than 100000 periods outside the calendar"))
    names = ", ".join(f"p{i}" for i in range(10001))
    t = contract("").replace("periods yearly 2025 .. 2027\n", "") + f"periods {names}\n"
    check("a listed calendar of 10001 periods", t, "E702", at("c.utfall", t, "periods p0"), "more than the limit of 10000",
          exit_code=5, fast=True)

    # ---- text the grammar never sees ----
    t = contract('term hälsa = 1\n').encode() + b'term \xc3\xa5r = "\xff"\n'
    check("invalid UTF-8", t, "E102", at("c.utfall", t, b"\xff"), "not valid UTF-8")
    t = contract('term år = 1\n').encode() + b"# \xc3\xa5\xc3\xa4 \xc0\xaf\n"
    check("invalid UTF-8 (overlong form)", t, "E102", at("c.utfall", t, b"\xc0"), "not valid UTF-8")
    t = contract('term år = 1 # åäö\n').encode() + "term b = 2 # å".encode() + b"\x00\n"
    check("NUL byte", t, "E103", at("c.utfall", t, b"\x00"), "NUL byte")

    # ---- limits: deep nesting ends with a limit error (exit 5), quickly, without a crash ----
    n = 100_000
    t = contract("term y = " + "(" * n + "1" + ")" * n + "\n")
    # The limit is 200 levels: the 201st parenthesis is the first one too deep.
    check("100000 nested parentheses", t, "E706", at("c.utfall", t, "(", delta=200), "nest", fast=True, exit_code=5)
    t = contract("term y = " + "-" * n + "1\n")
    check("100000 nested minus signs", t, "E706", at("c.utfall", t, "= -", delta=2 + 200), "nest", fast=True, exit_code=5)
    t = contract("term y = " + "max(" * n + "1" + ")" * n + "\n")
    # The 201st call, at its name.
    check("100000 nested calls", t, "E706", at("c.utfall", t, "max(", delta=200 * len("max(")), "nest", fast=True, exit_code=5)

    # ---- evaluation on data (exit 4) ----
    zero_csv = "period,x\n2025,1\n2026,0\n2027,3\n"
    t = contract('input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount 100 SEK * (1 SEK / x)\n}\n')
    R.append(Row("division by zero at run time", {"c.utfall": t, "d.csv": zero_csv},
                 ["run", "c.utfall", "-d", "d.csv"], 4, "E601", at("c.utfall", t, "x)"), "division by zero"))
    t = contract('input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount x / 3\n}\n')
    R.append(Row("payment not exact in öre", {"c.utfall": t, "d.csv": GOOD_CSV},
                 ["run", "c.utfall", "-d", "d.csv"], 4, "E602", at("c.utfall", t, "pay kommun"), "rounded half_up to 0.01"))

    # ---- data files (exit 3) ----
    def data(name, fname, text, code, where, contains=None, contract_text=SERIES, exit_code=3):
        files = {"c.utfall": contract_text}
        if text is not None:
            files[fname] = text
        R.append(Row(name, files, ["run", "c.utfall", "-d", fname], exit_code, code, where, contains))

    t = "period,x\n2025,1\n2026,\n2027,3\n"
    data("missing value in a column", "m.csv", t, "E524", csv_row("m.csv", t, "2026", "x"), "no value for period 2026")
    t = "period,x\r\n2025,1\r\n2026,\r\n2027,3\r\n"
    data("missing value, CRLF line ends", "crlf.csv", t, "E524", csv_row("crlf.csv", t, "2026", "x"), "period 2026")
    t = "period,x\n\n2025,1\n   \n2026,\n2027,3\n"
    data("missing value after blank lines", "blank.csv", t, "E524", csv_row("blank.csv", t, "2026", "x"), "period 2026")
    t = 'period,x\n2025,"1\n"\n2026,\n2027,3\n'
    data("missing value after a quoted line break", "ml.csv", t, "E524", csv_row("ml.csv", t, "2026", "x", row=2),
         "period 2026")
    t = "period,x\n2025,1\n2026,\xff\n2027,3\n".encode("latin-1")
    data("invalid UTF-8 in a CSV value", "bad8.csv", t, "E507",
         csv_row("bad8.csv", t.decode("latin-1"), "2026", "x"), "not valid UTF-8")
    t = '[{"period": "2025", "x": "åä'.encode() + b'\xff"}]'
    data("invalid UTF-8 in JSON", "bad8.json", t, "E507", at("bad8.json", t, b"\xff"), "not valid UTF-8")
    t = "period,x,y\n2025,1,1\n2026,2,2\n2027,3,3\n"
    data("unknown column", "uc.csv", t, "E521", "uc.csv: column `y`", "not a series input")
    t = "period,x\n2025,1\n2026,2\n2026,2\n2027,3\n"
    data("duplicate period row", "dup.csv", t, "E523",
         csv_row("dup.csv", t, "2026", "period", nth=1), "second row")
    t = "period,x\n2025,1\n2026,2\n2027,3\n2031,4\n"
    data("period outside the calendar", "out.csv", t, "E522", csv_row("out.csv", t, "2031", "period"), "(2025 .. 2027)")
    t = "period,x\n2025,1e5\n2026,2\n2027,3\n"
    data("number with an exponent", "e.csv", t, "E528", csv_row("e.csv", t, "2025", "x"), "`1e5` is not a number")
    # A decimal comma reads (`12,5` is 12.5: test_spreadsheet_numbers.py); one that could be a
    # thousands comma, in a file that shows no decimal mark elsewhere, is an error with both readings.
    t = 'period,x\n2025,1\n2026,"12,500"\n2027,3\n'
    data("decimal comma", "comma.csv", t, "E528", csv_row("comma.csv", t, "2026", "x"),
         "`12,500` reads two ways: 12.500 with a decimal comma, or 12500 with a thousands comma")
    t = "period;x\n2025;1\n2026;12,500\n2027;3\n"
    data("decimal comma in a semicolon-separated file", "semi.csv", t, "E528", csv_row("semi.csv", t, "2026", "x"),
         "`12,500` reads two ways")
    t = "period;x\n2025;1\n2026;12,5\n2027;3.25\n"
    data("a decimal point in a file of decimal commas", "mixed.csv", t, "E528", csv_row("mixed.csv", t, "2027", "x"),
         "`3.25` has a decimal point, but this file writes decimals with a comma (`12,5` in mixed.csv: row 2 (line 3), column `x`)")
    t = "period,x\n2025,1\n2026,2,7\n2027,3\n"
    data("ragged row: a field too many", "rag.csv", t, "E505", csv_row_only("rag.csv", t, "2026"), "the first extra field is `7`")
    t = "period,x\n2025,1\n2026\n2027,3\n"
    data("ragged row: a field too few", "rag2.csv", t, "E505", csv_row_only("rag2.csv", t, "2026"), "column `x`")
    data("empty file", "empty.csv", "", "E501", "empty.csv", "empty")
    data("blank file (JSON)", "blank.json", "  \n", "E501", "blank.json", "empty")
    data("non-existent data file", "nosuch.csv", None, "E801", "nosuch.csv", "No such file")
    data("unsupported extension", "plan.txt", GOOD_CSV, "E513", "plan.txt", ".csv and .json")
    t = '{"period": 2025, "x": 1}'
    # An object is read as tables by key; its first key, `period`, holds a number, not rows.
    data("JSON of the wrong shape: object of numbers", "shape.json", t, "E511", "shape.json, table `period`",
         "array of objects")
    t = "[1, 2, 3]"
    data("JSON of the wrong shape: array of numbers", "rows.json", t, "E511", "rows.json: row 1 (line 1)", "must be an object")
    t = '"hello"'
    data("JSON of the wrong shape: a string", "str.json", t, "E511", "str.json", "found a string")
    t = '[{"period": "2025", "x": {"a": 1}}]'
    data("JSON nested object as a value", "nest.json", t, "E512", "nest.json: row 1 (line 1), column `x`", "is an object")
    t = '[{"period": "2025", "x": 1}\n {"period": "2026", "x": 2}]'
    data("malformed JSON: missing comma", "bad.json", t, "E510", at("bad.json", t, "{", nth=1), "malformed JSON")
    t = '[{"period": "2025", "x": "åäö"} {]'
    data("malformed JSON after non-ASCII text", "mb.json", t, "E510", at("mb.json", t, "{", nth=1), "unexpected '{'")
    t = "inskriven,stabil\n2025,true\n,false\n"
    data("participant: missing field value", "ungdomar.csv", t, "E524", csv_row("ungdomar.csv", t, ",false", "inskriven"),
         "has no value", contract_text=PARTICIPANTS)
    t = "inskriven,stabil,zz\n2025,true,1\n"
    data("participant: unknown column", "ungdomar.csv", t, "E521", "ungdomar.csv: column `zz`", "not a field of `ungdomar`",
         contract_text=PARTICIPANTS)
    t = "inskriven,stabil\n2025,kanske\n"
    data("participant: not a boolean", "ungdomar.csv", t, "E528", csv_row("ungdomar.csv", t, "2025", "stabil"),
         "`kanske` is not a boolean", contract_text=PARTICIPANTS)
    t = "inskriven,stabil\n2031,true\n"
    data("participant: period outside the calendar", "ungdomar.csv", t, "E528",
         csv_row("ungdomar.csv", t, "2031", "inskriven"), "not a period of the calendar", contract_text=PARTICIPANTS)
    # ---- dates (language.md §13.15) ----
    def dated(lets):
        return (HEADER + "input boende : participants { id : text, inflyttad : date }\nterm start = date 2025-03-01\n"
                + 'clause "1" {\n  ' + lets + "\n  pay kommun -> fonden amount 1 SEK\n}\n")
    t = dated("let a = start - date 2025-01-01")
    R.append(Row("control: a contract with dates runs", {"c.utfall": t, "boende.csv": "id,inflyttad\na,2024-02-29\n"},
                 ["run", "c.utfall", "-d", "boende.csv"], 0, None, None))
    for name, lets, code, where, says in [
            ("a date added to a date", "let a = start + start", "E318", "start + start", "cannot add date and date"),
            ("a date plus a number", "let a = start + 1", "E318", "start + 1", "only `date - date` is defined"),
            ("a date compared with a number", "let a = start < 5", "E318", "start < 5", "cannot compare date with number"),
            ("a date literal of a day its month does not have", "let a = date 2025-02-29", "E428", "date 2025-02-29",
             "`2025-02-29` is not a date: 2025-02 has 28 days"),
            ("start_of of a date", "let a = start_of(start)", "E303", "start)", "start_of needs a period, but this is date"),
            ("period_of of a period", "let a = period_of(period)", "E303", "period)", "period_of needs a date, but this is period")]:
        t = dated(lets)
        check(name, t, code, at("c.utfall", t, where), says)
    t = HEADER.replace("periods yearly 2025 .. 2027", "periods H1_2026, H2_2026") + (
        'clause "1" {\n  let a = days_in(period)\n  pay kommun -> fonden amount 1 SEK\n}\n')
    check("days_in in a listed calendar", t, "E324", at("c.utfall", t, "days_in(period)"), "the periods of this calendar have no dates")
    # Listed periods with dates (language.md §7).
    def listed(periods, body="let a = 1"):
        return HEADER.replace("periods yearly 2025 .. 2027", "periods " + periods) + (
            'clause "1" {\n  ' + body + '\n  pay kommun -> fonden amount 1 SEK\n}\n')
    for name, periods, code, where, says in [
            ("a listed calendar with dates on some periods only", "A = 2026-01-01 .. 2026-03-31,\n  B,\n  C = 2026-07-01 .. 2026-09-30",
             "E433", "B,", "the period `B` gives no dates, but `A` does"),
            ("a listed period that ends before it starts", "A = 2026-01-01 .. 2026-03-31, B = 2026-06-30 .. 2026-04-01", "E434",
             "2026-06-30 ..", "the period `B` ends on 2026-04-01, before it starts on 2026-06-30"),
            ("listed periods that overlap", "A = 2026-01-01 .. 2026-03-31, B = 2026-03-31 .. 2026-06-30", "E435", "2026-03-31 .. 2026-06",
             "the period `B` starts on 2026-03-31, not after the period before it, `A`, ends on 2026-03-31"),
            ("listed periods out of order", "A = 2026-07-01 .. 2026-09-30, B = 2026-01-01 .. 2026-03-31", "E435", "2026-01-01",
             "the period `B` starts on 2026-01-01"),
            ("a listed period ending on a day its month does not have", "A = 2026-01-01 .. 2026-02-29", "E428", "2026-01-01",
             "`2026-02-29` is not a date: 2026-02 has 28 days")]:
        t = listed(periods)
        check(name, t, code, at("c.utfall", t, where), says)
    t = listed("A = 2026-01-01, B")
    check("a listed period with one day only", t, "E101", at("c.utfall", t, ", B"), "expected `..` between the period's first and last day")
    t = listed("A = 2026-01-01 .. 2026-06-30, B = 2026-07-01 .. 2026-12-31", "let a = days_in(period)")
    R.append(Row("control: a listed calendar with dates runs", {"c.utfall": t}, ["run", "c.utfall"], 0, None, None))
    # add_days, add_months (language.md §13.15).
    for name, lets, code, where, says in [
            ("add_months with a rule that is none", "let a = add_months(start, 1, avrunda)", "E330", "avrunda",
             "the third argument of add_months is a month-end rule"),
            ("add_days by an amount of money", "let a = add_days(start, 1 SEK)", "E303", "1 SEK",
             "add_days moves by a plain number of days, but this is SEK"),
            ("add_months of a number", "let a = add_months(5, 1, last_day)", "E303", "5,", "add_months moves a date, but this is number"),
            ("add_days with a month-end rule", "let a = add_days(start, 1, last_day)", "E312", "add_days(",
             "add_days(...) takes 2 arguments, not 3"),
            ("a month-end rule used as a value", "let a = last_day", "E208", "last_day", "unknown name `last_day`")]:
        t = dated(lets)
        check(name, t, code, at("c.utfall", t, where), says)
    half = "H1_2026 = 2026-01-01 .. 2026-06-30, H2_2026 = 2026-07-01 .. 2026-12-31"
    for name, test, born, code, where, says in [
            ("add_months to a day the month does not have", "period_of(add_months(u.inflyttad, 1)) = period", "2026-01-31", "E613",
             "add_months(u.inflyttad, 1)", "add_months(2026-01-31, 1): 2026-02 has no day 31"),
            ("add_days by a fraction", "add_days(u.inflyttad, 1 / 2) > u.inflyttad", "2026-01-31", "E605", "add_days(",
             "add_days moves a date by a whole number of days, not 0.5"),
            ("add_days beyond the year 9999", "add_days(u.inflyttad, 3000000) > u.inflyttad", "2026-01-31", "E605", "add_days(",
             "add_days(2026-01-31, 3000000) leaves the years 0001 .. 9999"),
            ("period_of a date after a listed calendar", "period_of(add_months(u.inflyttad, 12, last_day)) = period", "2026-03-15",
             "E614", "period_of(", "the date 2027-03-15 falls in no period of the calendar: it lies after the last period, H2_2026"),
            ("start_of a period after a listed calendar", "start_of(period + 1) > u.inflyttad", "2026-03-15", "E614",
             "start_of(", "the period H2_2026 + 1 lies outside the listed calendar")]:
        t = listed(half, "let a = 1").replace('  pay kommun -> fonden amount 1 SEK\n', "  pay kommun -> fonden for each u in boende where "
                                              + test + " amount 1 SEK\n")
        t = t.replace('clause "1"', "input boende : participants { id : text, inflyttad : date }\nclause \"1\"")
        R.append(Row(name, {"c.utfall": t, "boende.csv": f"id,inflyttad\na,{born}\n"}, ["run", "c.utfall", "-d", "boende.csv"], 4,
                     code, at("c.utfall", t, where), says))
    for name, value, says in [("participant: a date its month does not have", "2025-02-29", "`2025-02-29` is not a date: 2025-02 has 28 days"),
                              ("participant: a date without leading zeros", "2025-3-31", "a date is written YYYY-MM-DD"),
                              ("participant: a date written day first", "31/03/2025", "a date is written YYYY-MM-DD"),
                              ("participant: a date with a time", "2025-03-31T08:00", "a date is written YYYY-MM-DD"),
                              ("participant: a date in month 13", "2025-13-01", "13 is not a month")]:
        t = f"id,inflyttad\na,2025-01-01\nb,{value}\n"
        data(name, "boende.csv", t, "E528", csv_row("boende.csv", t, "b,", "inflyttad"), says,
             contract_text=dated("let a = start - start"))
    t = '{"ungdomar": [{"inskriven": "2025", "stabil": true}], "ungdomar": []}'
    data("JSON table given twice", "u.json", t, "E504", "u.json", "appears twice", contract_text=PARTICIPANTS)
    t = b"period,x\n2025,1\n2026,2\x00\n2027,3\n"
    data("NUL byte in a CSV value", "nul.csv", t, "E508", csv_row("nul.csv", t.decode(), "2026", "x"), "NUL byte")
    t = 'period,x\n2025,1\n2026,"2\n2027,3\n'
    data("a quote never closed in CSV", "q.csv", t, "E506", csv_row("q.csv", t, "2026", "x"), "never closed")
    t = "period,x,x\n2025,1,1\n2026,2,2\n2027,3,3\n"
    data("a column twice in the header", "dupcol.csv", t, "E504", "dupcol.csv: header (line 1), column 3", "appears twice")
    t = "period\n2025\n2026\n2027\n"
    data("a column the contract needs is missing", "nocol.csv", t, "E527", "data", "no data file has a column `x`")
    data("JSON: an empty array", "empty.json", "[]", "E529", "empty.json", "no `period` column")
    R.append(Row("empty contract file", {"c.utfall": ""}, ["check", "c.utfall"], 2, "E403", "c.utfall:1:1", "declares no periods"))
    R.append(Row("a directory as the contract", {"c.utfall": SERIES, "d.csv": GOOD_CSV}, ["run", ".", "-d", "d.csv"], 3, "E801", ".",
                 "it is a directory"))
    R.append(Row("a directory as a data file", {"c.utfall": SERIES, "dir.csv/x": ""}, ["run", "c.utfall", "-d", "dir.csv"], 3,
                 "E801", "dir.csv", "it is a directory"))
    # Found by fuzz_run: a file named "" gave an error that said nowhere.
    R.append(Row("a data file with an empty name", {"c.utfall": SERIES}, ["run", "c.utfall", "-d", ""], 3, "E513",
                 "(a data file with an empty name)"))
    R.append(Row("a contract file with an empty name", {}, ["run", "", "-d", "d.csv"], 3, "E801", "(a file with an empty name)"))
    R.append(Row("non-existent contract file", {}, ["run", "nosuch.utfall", "-d", "d.csv"], 3, "E801", "nosuch.utfall",
                 "No such file"))

    # ---- utfall eval ----
    def ev(name, text, exit_code, code, where, contains=None):
        R.append(Row(name, {}, ["eval", text], exit_code, code, where, contains))

    e = "5 SEK + 3 placements"
    ev("eval: SEK + placements", e, 2, "E318", at("<expression>", e, "5"), "cannot add SEK and placements")
    e = "1/(2-2)"
    ev("eval: division by zero", e, 4, "E601", at("<expression>", e, "(2-2)"), "division by zero")
    e = "(1 SEK) / (0 SEK)"
    ev("eval: division by zero SEK", e, 4, "E601", at("<expression>", e, "(0 SEK)"), "division by zero")
    e = "1 +"
    ev("eval: operator without operand", e, 2, "E101", at_end("<expression>", e), "after the operator")
    # ---- ledgers: record inputs, links and `at most N per KEY` (language.md §8.2, §8.5, §16.6) ----
    people = 'input deltagare : records { id : text, alder : number }\n'

    def ledger(claims_fields, pay='', more=''):
        return contract(people + more + 'input claims : records { ' + claims_fields + ' }\n'
                        'clause "1" {\n' + (pay or '  pay kommun -> fonden for each c in claims amount 5 SEK\n') + '}\n')
    claims_pay = '  pay kommun -> fonden for each c in claims where c.ar = period\n    amount 5 SEK\n    at most once per c.person\n'
    good = ledger('person : text key of deltagare, ar : period', claims_pay)
    R.append(Row("control: a ledger with a link and `at most once`", {"c.utfall": good, "deltagare.csv": "id,alder\nP1,20\n",
                 "claims.csv": "person,ar\nP1,2025\nP1,2026\n"}, ["run", "c.utfall", "-d", "deltagare.csv", "-d", "claims.csv"], 0, None, None))
    t = contract('input participant : records { participant : text }\nclause "1" {\n'
                 '  let n = count(p in participant where p.participant = "a")\n'
                 '  pay kommun -> fonden amount 1 SEK * n capped at 5 SEK per participant\n}\n')
    check("`participant` is a name, and after `per` the scope of a cap", t, "E420", at("c.utfall", t, "5 SEK per participant"))
    t = contract('unit participant\n')
    check("a unit called `participant`", t, "E101", "c.utfall:7:1", "`participant` cannot be the name of a unit")
    # (name, the fields of claims, its payment, code, where, what the message says)
    linked = 'person : text key of deltagare, ar : period'
    each = '  pay kommun -> fonden for each c in claims '
    for name, fields, pay, code, needle, says in [
            ("a link to a series", 'person : text key of kostnad', '', "E218", "kostnad }", "`kostnad` is not a record input"),
            ("a link to an undeclared name", 'person : text key of deltagarna', '', "E218", "deltagarna", "did you mean `deltagare`?"),
            ("a link to records without `id`", 'person : text key of claims, ar : period', '', "E219", "claims, ar",
             "has no field `id`"),
            ("a link field that is not text", 'person : number key of deltagare', '', "E325", "number key",
             "a link holds the text `id`"),
            ("a field read through a field that is no link", linked, each + 'where c.ar.alder > 1 amount 5 SEK', "E326", "alder > 1",
             "`c.ar` is not a link"),
            ("an unknown field of a linked record", linked, each + 'where c.person.alter > 1 amount 5 SEK', "E206", "alter > 1",
             "linked by `c.person`"),
            ("a link followed twice", linked, each + 'where c.person.id.x = "a" amount 5 SEK', "E101", '.x = "a"',
             "one link is followed at a time"),
            ("`at most` without `for each`", linked, '  pay kommun -> fonden amount 5 SEK at most once per 1', "E327", "at most once",
             "needs a payment `for each`"),
            ("`at most 0 times`", linked, each + 'amount 5 SEK at most 0 times per c.person', "E328", "at most 0",
             "from 1 to 1000000000"),
            ("`at most` given twice", linked, each + 'amount 5 SEK at most once per c.person at most 2 times per c.ar', "E101",
             "at most 2", "given twice"),
            ("`at most` without a count", linked, each + 'amount 5 SEK at most twice per c.person', "E101", "twice",
             "expected `once` or a whole number")]:
        t = ledger(fields, pay + '\n' if pay else '', more='input kostnad : SEK per period\n')
        check(name, t, code, at("c.utfall", t, needle), says)
    claims = "person,ar\nP1,2025\nP9,2026\n"
    R.append(Row("a link to an id that no record has", {"c.utfall": good, "deltagare.csv": "id,alder\nP1,20\n", "claims.csv": claims},
                 ["run", "c.utfall", "-d", "deltagare.csv", "-d", "claims.csv"], 3, "E533",
                 csv_row("claims.csv", claims, "P9,", "person"), "no record of `deltagare` has that id"))
    people_csv = "id,alder\nP1,20\nP2,30\nP1,40\n"
    R.append(Row("an id given twice in records that a link names", {"c.utfall": good, "deltagare.csv": people_csv,
                 "claims.csv": "person,ar\nP2,2025\n"}, ["run", "c.utfall", "-d", "deltagare.csv", "-d", "claims.csv"], 3, "E534",
                 csv_row("deltagare.csv", people_csv, "P1,40", "id"), "also at " + csv_row("deltagare.csv", people_csv, "P1,20", "id")))

    # ---- several currencies (language.md §4.1) ----
    def two(body):
        return (HEADER.replace("currency SEK\n", "currency SEK\ncurrency EUR\n")
                + "input kurs : SEK per EUR per period\nterm pris = 100 EUR\nterm tak = 50 SEK\n"
                + 'clause "1" {\n  ' + body + "\n}\n")
    for name, body, code, where, says in [
            ("a conversion without a stated rounding", "pay kommun -> fonden amount pris * kurs", "E335", "pris * kurs",
             "this converts EUR to SEK without a stated rounding"),
            ("a conversion inside a sum, rounded only around the sum", "let a = round(pris * kurs + 1 SEK, 1 SEK, half_up)",
             "E335", "pris * kurs", "this converts EUR to SEK"),
            ("a cap in another currency than the amount", "pay kommun -> fonden amount pris capped at tak per period",
             "E303", "tak per", "a cap must be EUR, but this is SEK"),
            ("two currencies added", "let a = pris + tak", "E318", "pris + tak", "cannot add EUR and SEK"),
            ("a payment in a rate, not a currency", "pay kommun -> fonden amount kurs", "E303", "kurs\n}",
             "the amount of a payment must be SEK or EUR, but this is SEK per EUR"),
            ("an expected amount in a rate", 'pay kommun -> fonden amount pris\n}\nexample "e" {\n  expect kommun -> fonden in 2025 = 1 SEK per EUR',
             "E303", "1 SEK per EUR", "an expected amount must be SEK or EUR")]:
        t = two(body)
        check(name, t, code, at("c.utfall", t, where), says)
    t = HEADER.replace("currency SEK\n", "currency SEK\ncurrency EUR\ncurrency SEK\n")
    check("a currency declared twice", t, "E201", at("c.utfall", t, "SEK", nth=1), "the currency `SEK` is declared twice")
    t = two("pay a: kommun -> fonden amount round(pris * kurs, 1 SEK, half_up)\n  pay b: kommun -> fonden amount pris")
    R.append(Row("control: a rounded conversion and two currencies run", {"c.utfall": t, "kurs.csv": "period,kurs\n2025,11\n2026,11\n2027,11\n"},
                 ["run", "c.utfall", "-d", "kurs.csv"], 0, None, None))
    e = "(1"
    ev("eval: unclosed parenthesis", e, 2, "E101", at_end("<expression>", e), "expected `)`")
    e = "1 < 2 < 3"
    ev("eval: comparisons do not chain", e, 2, "E101", at("<expression>", e, "<", nth=1), "unexpected text")
    e = "1 2"
    ev("eval: two numbers", e, 2, "E101", at("<expression>", e, "2"), "unexpected text")
    e = "if true then 1"
    ev("eval: if without else", e, 2, "E101", at_end("<expression>", e), "`else`")
    e = "pros"
    ev("eval: unknown name", e, 2, "E208", at("<expression>", e, "pros"), "unknown name `pros`")
    e = ""
    ev("eval: empty expression", e, 2, "E101", "<expression>:1:1", "expected an expression")
    return R


# ---- running ------------------------------------------------------------------------------

def run_row(binary, row):
    with tempfile.TemporaryDirectory(prefix="utfall-diag-") as tmp:
        for fname, content in row.files.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, fname)), exist_ok=True)
            with open(os.path.join(tmp, fname), "wb") as f:
                f.write(_bytes(content))
        try:
            p = run_measured([binary] + row.args, cwd=tmp)
        except OSError as e:
            return [f"cannot run {binary}: {e}"]
        if p.timed_out:
            return [f"did not end within {HANG_GUARD:.0f} s (a hang)"]
    stderr = p.stderr.decode("utf-8", "replace")
    problems = []
    if p.returncode < 0:
        problems.append(f"killed by signal {-p.returncode}")
    elif p.returncode != row.exit_code:
        problems.append(f"exit code {p.returncode}, expected {row.exit_code}")
    if row.fast and p.peak_bytes > SMALL:
        problems.append(f"peak memory {p.peak_bytes >> 20} MiB, more than {SMALL >> 20} MiB")
    tag = f"error[{row.code}]"
    lines = [ln for ln in stderr.splitlines() if tag in ln]
    if row.code is None:
        if "error[" in stderr:
            problems.append("an error in stderr, expected none")
    elif not lines:
        problems.append(f"no {tag} in stderr")
    elif row.where is not None and not any(ln.startswith(f"{row.where}: {tag}") for ln in lines):
        problems.append(f"no line `{row.where}: {tag}...`; got: " + " | ".join(lines[:3]))
    if row.contains is not None and row.contains not in stderr:
        problems.append(f"stderr lacks {row.contains!r}")
    if problems:
        problems.append("stderr was: " + (stderr.strip()[:600] or "(empty)"))
    return problems


def main():
    if len(sys.argv) < 2:
        print("usage: test_diagnostics.py <utfall binary> [source dir]", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        print(f"the utfall binary {binary} does not exist or is not executable", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for row in rows():
        problems = run_row(binary, row)
        if problems:
            failed += 1
            print(f"FAIL {row.name}")
            for pr in problems:
                print(f"     {pr}")
        else:
            passed += 1
            print(f"ok   {row.name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
