#!/usr/bin/env python3
"""utfall::Number::round against the IBM General Decimal Arithmetic test cases.

Usage: test_decimal_rounding.py <utfall binary> <source dir>

Reads quantize.decTest and rounding.decTest from CPython's Lib/test/decimaltestdata (not
copied into this repository; if the Python install lacks them the test passes vacuously)
and replays, through tests/number_probe (UTFALL_NUMBER_PROBE, else <dir of utfall>/tests/),
every case that our exact numbers can express:

  quantize a b -> r     becomes  round a 10^exponent(b) MODE, expecting r.
  add / multiply / divide a b -> r at precision p (rounding.decTest)
                        becomes  round (a op b, exact) 10^(adjexp - p + 1) MODE, where adjexp
                        is floor(log10 |a op b|): rounding the exact result to p significant
                        digits is rounding it to a multiple of the unit of its p-th digit.

Operands in exponent notation are turned into plain decimals here. Skipped: NaN, infinities,
operands in the '#' encodings, the 05up mode, power, and every case whose result carries a
flag other than Inexact or Rounded (Invalid_operation, Overflow, Underflow, Subnormal,
Clamped, ...), since those depend on exponent limits that exact numbers do not have.
Results are compared as values (0.10 equals 0.1; -0 equals 0).
"""
import os
import re
import subprocess
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction

MODES = {"half_up", "half_down", "half_even", "up", "down", "ceiling", "floor"}
OK_FLAGS = {"inexact", "rounded"}
MAX_PLAIN = 400  # longest plain-decimal operand we bother to feed (exponents like 1E+999999999)


def find_probe(utfall_binary):
    env = os.environ.get("UTFALL_NUMBER_PROBE")
    if env:
        return env
    base = os.path.dirname(os.path.abspath(utfall_binary))
    for candidate in (os.path.join(base, "tests", "number_probe"), os.path.join(base, "number_probe")):
        if os.path.exists(candidate):
            return candidate
    return None


def find_data():
    try:
        import test  # CPython's own test package; Debian ships it separately
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(test.__file__), "decimaltestdata")
    return path if os.path.isdir(path) else None


TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|\S+")


def tokens(line):
    out = []
    for tok in TOKEN.findall(line):
        if tok.startswith("--"):
            break
        if tok[0] in "'\"":
            tok = tok[1:-1]
        out.append(tok)
    return out


def finite(text):
    """Decimal for a finite plain operand, else None."""
    if "#" in text:
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    if abs(d.adjusted()) > MAX_PLAIN or abs(d.as_tuple().exponent) > MAX_PLAIN:
        return None
    return d


def plain(d):
    return format(d, "f")


def pow10_text(k):
    return "1" + "0" * k if k >= 0 else "0." + "0" * (-k - 1) + "1"


def adjusted(f):
    """floor(log10 |f|) for a nonzero Fraction."""
    n, d = abs(f.numerator), f.denominator
    a = len(str(n)) - len(str(d))
    return a if Fraction(n, d) >= Fraction(10) ** a else a - 1


def frac_text(f):
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def read_cases(path, counts):
    """(request, expected Fraction, case id) for each usable case in one decTest file."""
    cases = []
    precision, mode = 9, "half_up"
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            toks = tokens(raw)
            if not toks:
                continue
            if toks[0].endswith(":"):
                key, value = toks[0][:-1].lower(), (toks[1].lower() if len(toks) > 1 else "")
                if key == "precision":
                    precision = int(value)
                elif key == "rounding":
                    mode = value
                continue
            if "->" not in toks:
                continue
            arrow = toks.index("->")
            case_id, op, operands = toks[0], toks[1].lower(), toks[2:arrow]
            result, flags = toks[arrow + 1], {f.lower() for f in toks[arrow + 2:]}
            if op not in ("quantize", "add", "multiply", "divide") or len(operands) != 2:
                counts["skipped"] += 1
                continue
            a, b, r = finite(operands[0]), finite(operands[1]), finite(result)
            if mode not in MODES or a is None or b is None or r is None or not flags <= OK_FLAGS:
                counts["skipped"] += 1
                continue
            expected = Fraction(r)
            if op == "quantize":
                request = f"round {plain(a)} {pow10_text(b.as_tuple().exponent)} {mode}"
            else:
                fa, fb = Fraction(a), Fraction(b)
                if op == "divide" and fb == 0:
                    counts["skipped"] += 1
                    continue
                exact = fa + fb if op == "add" else (fa * fb if op == "multiply" else fa / fb)
                step = pow10_text(adjusted(exact) - precision + 1) if exact != 0 else "1"
                request = f"round {frac_text(exact)} {step} {mode}"
            counts[op] = counts.get(op, 0) + 1
            cases.append((request, expected, f"{os.path.basename(path)}:{case_id}"))
    return cases


def main():
    if len(sys.argv) < 3:
        print("usage: test_decimal_rounding.py <utfall binary> <source dir>")
        return 2
    data = find_data()
    if data is None:
        print("CPython's Lib/test/decimaltestdata is not installed (on Debian: the "
              "libpython3-testsuite package); nothing to check")
        print("0 passed, 0 failed")
        return 0
    probe = find_probe(sys.argv[1])
    if not probe or not os.path.exists(probe):
        print("number_probe not found: set UTFALL_NUMBER_PROBE or build the number_probe target")
        return 1
    counts = {"skipped": 0}
    cases = []
    for name in ("quantize.decTest", "rounding.decTest"):
        path = os.path.join(data, name)
        if os.path.exists(path):
            cases += read_cases(path, counts)
        else:
            print(f"{name} not found in {data}")
    request = "".join(line + "\n" for line, _, _ in cases)
    result = subprocess.run([probe], input=request, capture_output=True, text=True, encoding="utf-8")
    if result.returncode != 0:
        print(f"number_probe exited with {result.returncode}: {result.stderr}")
        return 1
    answers = result.stdout.split("\n")
    passed = failed = 0
    for i, (line, want, case_id) in enumerate(cases):
        got = answers[i] if i < len(answers) else "<missing>"
        try:
            ok = Fraction(got) == want
        except ValueError:
            ok = False
        if ok:
            passed += 1
        else:
            failed += 1
            if failed <= 20:
                print(f"FAIL {case_id}: {line}\n  expected {frac_text(want)}\n  got      {got}")
    used = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "skipped")
    print(f"cases used: {used}; skipped (special values, flags, 05up, power): {counts['skipped']}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
