"""Generated CSV files of spreadsheet numbers against a model of docs/language.md §21.3 written
here from the text alone: for every file, the cells utfall refuses (E528, by row) are the ones
the model refuses, and where none is refused every value read is the model's.

The value is observed through payments: `pos` pays max(x, 0) * 1000 SEK and `neg` max(-x, 0) *
1000 SEK, so x = (pos - neg) / 1000 exactly for the at most four decimals generated.
"""
import random
import re
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
SPACES = [" ", "\u00a0", "\u202f"]
PERIODS = [str(y) for y in range(2000, 2012)]
CONTRACT = '''contract "Modell"
currency SEK
party a "A"
party b "B"
periods yearly 2000 .. 2011
input x : number per period
clause "1" {
  pay pos: a -> b amount max(x, 0) * 1000 SEK
  pay neg: b -> a amount max(0 - x, 0) * 1000 SEK
}
'''


# ---- the model, from §8.3 and §21.3 ----
def plain_decimal(t):
    """§8.3: an optional + or -, digits (a single _ between two digits), optionally . and digits."""
    m = re.fullmatch(r"([+-]?)(\d+(?:_\d+)*)(?:\.(\d+))?", t)
    if not m:
        return None
    return Fraction((m.group(2) + "." + (m.group(3) or "0")).replace("_", "")) * (-1 if m.group(1) == "-" else 1)


def parts(t):
    """(sign, integer digits, mark or None, fraction digits, grouped) or None: spaces group the
    digits before the mark by three (the first group 1 to 3 digits)."""
    sign = 1
    if t.startswith("\u2212") or t.startswith("-"):
        sign, t = -1, t[1:]
    elif t.startswith("+"):
        t = t[1:]
    m = re.fullmatch(r"(\d+(?:[ \u00a0\u202f]\d+)*)(?:([,.])(\d+))?", t)
    if not m:
        return None
    groups = re.split(r"[ \u00a0\u202f]", m.group(1))
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    return sign, "".join(groups), m.group(2), m.group(3) or "", len(groups) > 1


def shown(t):
    p = parts(t)
    if not p or not p[2] or (len(p[3]) == 3 and not p[4]):
        return None
    return p[2]


def read(t, mark):
    """The value, or None for E528."""
    is_plain = not any(ch in t for ch in ", \u00a0\u202f\u2212")
    if is_plain and not (mark == "," and "." in t):
        return plain_decimal(t)
    p = parts(t)
    if not p:
        return None
    sign, whole, own, frac, grouped = p
    value = sign * Fraction(whole + "." + (frac or "0"))
    if not own:
        return value
    if len(frac) != 3 or grouped:
        return None if mark and own != mark else value
    return value if own == mark or (own == "." and mark is None) else None


# ---- generated cells ----
def cell(rng):
    r = rng.random()
    if r < 0.05:
        return rng.choice(["1.234,5", "1,234,567", "1e5", "1_000", "12_5.5", "+7", "1,", ",5", "--1", "1 2", "1234 567", "0,0,1"])
    sign = rng.choice(["", "", "", "-", "+", "\u2212"])
    whole = str(rng.randint(0, 10 ** rng.randint(1, 7)))
    if rng.random() < 0.3 and len(whole) > 3:  # grouped, mostly by three
        sep = rng.choice(SPACES)
        if rng.random() < 0.85:
            head = len(whole) % 3 or 3
            whole = whole[:head] + "".join(sep + whole[i:i + 3] for i in range(head, len(whole), 3))
        else:
            k = rng.randint(1, len(whole) - 1)
            whole = whole[:k] + sep + whole[k:]
    mark = rng.choice(["", "", ",", ",", ".", "."])
    frac = "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 2, 3, 3, 4]))) if mark else ""
    return sign + whole + mark + frac


rng = random.Random(20261201)
files = refused_files = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    contract = tmp / "c.utfall"
    contract.write_text(CONTRACT, encoding="utf-8")
    for n in range(160):
        style = rng.choice(["comma-file", "point-file", "mixed", "any"])
        cells = []
        for _ in PERIODS:
            c = cell(rng)
            if style == "comma-file" and "." in c and rng.random() < 0.8:
                c = c.replace(".", ",")
            if style == "point-file" and "," in c and rng.random() < 0.8:
                c = c.replace(",", ".")
            cells.append(c)
        mark = next((shown(c) for c in cells if shown(c)), None)
        expected = [read(c, mark) for c in cells]
        semicolon = rng.random() < 0.5
        f = tmp / f"d{n}.csv"
        if semicolon and not any(";" in c for c in cells):
            f.write_text("period;x\n" + "".join(f"{p};{c}\n" for p, c in zip(PERIODS, cells)), encoding="utf-8")
        else:
            f.write_text("period,x\n" + "".join(f'{p},"{c}"\n' for p, c in zip(PERIODS, cells)), encoding="utf-8")
        r = subprocess.run([utfall, "run", str(contract), "--data", str(f), "--format", "csv"], capture_output=True, text=True)
        files += 1
        want_refused = {i + 1 for i, v in enumerate(expected) if v is None}
        got_refused = {int(m) for m in re.findall(r"row (\d+) \(line \d+\), column `x`: error\[E528\]", r.stderr)}
        if want_refused:
            refused_files += 1
            T.check(f"file {n}: the refused cells are the model's", r.returncode == 3 and got_refused == want_refused,
                    f"cells {cells}; mark {mark}; model refuses rows {sorted(want_refused)}, utfall {sorted(got_refused)}: {r.stderr[:600]}")
            continue
        paid = {}
        for line in r.stdout.splitlines()[1:]:
            period, frm, to, amount = line.split(",")[:4]
            paid[period] = paid.get(period, Fraction(0)) + (Fraction(amount) if frm == "a" else -Fraction(amount))
        got = [paid.get(p, Fraction(0)) / 1000 for p in PERIODS]
        T.check(f"file {n}: every value is the model's", r.returncode == 0 and got == expected,
                f"cells {cells}; mark {mark}; model {[str(v) for v in expected]}, utfall {[str(v) for v in got]}: {r.stderr[:300]}")
T.check("some files are refused and some read", 20 <= refused_files <= files - 20, (refused_files, files))
T.finish()
