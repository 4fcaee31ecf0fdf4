#!/usr/bin/env python3
"""Differential test of utfall::Number against Python's fractions.Fraction.

Usage: test_number_differential.py <utfall binary> <source dir>

The utfall binary is not used; the test drives tests/number_probe (found through the
UTFALL_NUMBER_PROBE environment variable, else next to the utfall binary under tests/).
With a fixed seed it generates several thousand cases mixing money values (up to 12 digits,
0-3 decimals), large values (30-60 digits, to exercise the Boost fallback), values around
2^63 and arbitrary fractions, and compares + - * / <=>, round (all seven modes, implemented
here independently over Fraction), parse_decimal, to_string and to_fixed.
"""
import os
import random
import re
import subprocess
import sys
from decimal import ROUND_DOWN, Context, Decimal, Inexact, localcontext
import decimal
from fractions import Fraction
from scriptlib import round_fraction

SEED = 20261122
MODES = ["half_up", "half_down", "half_even", "up", "down", "ceiling", "floor"]


def find_probe(utfall_binary):
    env = os.environ.get("UTFALL_NUMBER_PROBE")
    if env:
        return env
    base = os.path.dirname(os.path.abspath(utfall_binary))
    for candidate in (os.path.join(base, "tests", "number_probe"), os.path.join(base, "number_probe")):
        if os.path.exists(candidate):
            return candidate
    return None


# ----------------------------------------------------------------- expected values

def frac_text(f):
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


DECIMAL_MODES = {
    "half_up": decimal.ROUND_HALF_UP, "half_down": decimal.ROUND_HALF_DOWN,
    "half_even": decimal.ROUND_HALF_EVEN, "up": decimal.ROUND_UP, "down": decimal.ROUND_DOWN,
    "ceiling": decimal.ROUND_CEILING, "floor": decimal.ROUND_FLOOR,
}


def exact_decimal(f):
    """Decimal equal to f, or None when f has no finite decimal expansion."""
    d = f.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return None
    ctx = Context(prec=400, traps=[Inexact])
    return ctx.divide(Decimal(f.numerator), Decimal(f.denominator))


def plain(dec):
    """Decimal in plain notation without trailing zeros after the point."""
    text = format(dec, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def expected_to_string(f):
    dec = exact_decimal(f)
    if dec is not None:
        return plain(dec)
    ctx = Context(prec=400)
    approx = ctx.divide(Decimal(abs(f.numerator)), Decimal(f.denominator))
    approx = approx.quantize(Decimal("1e-10"), rounding=ROUND_DOWN, context=ctx)
    sign = "-" if f < 0 else ""
    return f"{frac_text(f)} (\u2248 {sign}{format(approx, 'f')}\u2026)"


def expected_to_fixed(f, places):
    scaled = f * 10 ** places
    if scaled.denominator != 1:
        return "inexact"
    n = scaled.numerator
    digits = str(abs(n)).rjust(places + 1, "0")
    text = digits if places == 0 else digits[:-places] + "." + digits[-places:]
    return ("-" if n < 0 else "") + text


LITERAL = re.compile(r"[+-]?[0-9]+(_[0-9]+)*(\.[0-9]+(_[0-9]+)*)?\Z")


def expected_parse(text):
    if not LITERAL.match(text):
        return "invalid"
    return frac_text(Fraction(text.replace("_", "")))


# ----------------------------------------------------------------- generators

def digits(rng, n, leading_nonzero=True):
    if n <= 0:
        return "0"
    first = str(rng.randint(1, 9)) if leading_nonzero else str(rng.randint(0, 9))
    return first + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def decimal_text(rng, int_digits, decimals, negative):
    text = digits(rng, int_digits)
    if decimals:
        text += "." + digits(rng, decimals, leading_nonzero=False)
    return ("-" if negative else "") + text


def money(rng):
    return decimal_text(rng, rng.randint(0, 12), rng.randint(0, 3), rng.random() < 0.3)


def large(rng):
    return decimal_text(rng, rng.randint(30, 60), rng.choice([0, 0, 2, 5, 20]), rng.random() < 0.4)


def boundary(rng):
    base = rng.choice([2 ** 63, 2 ** 62, 2 ** 64, 2 ** 32, 10 ** 18, 10 ** 19])
    n = base + rng.randint(-3, 3)
    if rng.random() < 0.5:
        n = -n
    kind = rng.random()
    if kind < 0.4:
        return str(n)
    if kind < 0.7:
        return f"{n}/{rng.choice([2, 3, 7, 10, 2 ** 63 - 1, 2 ** 63, 10 ** 18 + 9])}"
    return f"{rng.choice([1, -1, 3, -5])}/{abs(n)}"


def fraction(rng):
    n = rng.randint(-10 ** rng.randint(1, 19), 10 ** rng.randint(1, 19))
    d = rng.randint(1, 10 ** rng.randint(1, 19))
    return f"{n}/{d}"


def zero(rng):
    return rng.choice(["0", "-0", "0.00", "0/5"])


def value(rng):
    r = rng.random()
    if r < 0.45:
        return money(rng)
    if r < 0.65:
        return large(rng)
    if r < 0.80:
        return boundary(rng)
    if r < 0.97:
        return fraction(rng)
    return zero(rng)


def decorate(rng, text):
    """Same value, other spelling: leading zeros or '_' separators in a decimal literal."""
    if "/" in text or rng.random() < 0.7:
        return text
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("-")
    if rng.random() < 0.5:
        return sign + "0" * rng.randint(1, 3) + body
    out = []
    for i, c in enumerate(body):
        out.append(c)
        if c.isdigit() and i + 1 < len(body) and body[i + 1].isdigit() and rng.random() < 0.2:
            out.append("_")
    return sign + "".join(out)


STEPS = ["0.01", "1", "1000", "0.05", "0.001", "100", "1/3", "0.25", "7/100",
         "0.0000000000000000000000001", "100000000000000000000000", "9223372036854775807",
         "1/9223372036854775807"]


def mutate(rng, text):
    """A literal that is usually malformed."""
    pos = rng.randint(0, len(text))
    junk = rng.choice(["_", "__", ".", "e5", ",", " ", "-", "+", "x", ""])
    return text[:pos] + junk + text[pos:]


def generate(rng):
    cases = []  # (request line, expected answer)
    for _ in range(6000):
        op = rng.choice(["add", "sub", "mul", "div", "cmp"])
        a, b = value(rng), value(rng)
        fa, fb = Fraction(a), Fraction(b)
        if op == "add":
            want = frac_text(fa + fb)
        elif op == "sub":
            want = frac_text(fa - fb)
        elif op == "mul":
            want = frac_text(fa * fb)
        elif op == "div":
            want = "error" if fb == 0 else frac_text(fa / fb)
        else:
            want = str((fa > fb) - (fa < fb))
        cases.append((f"{op} {decorate(rng, a)} {decorate(rng, b)}", want))
    for _ in range(3000):
        a = rng.choice([money, money, large, boundary, fraction, zero])(rng)
        step = rng.choice(STEPS)
        mode = rng.choice(MODES)
        # Make ties common: snap half the money values to an odd number of half steps.
        if rng.random() < 0.3 and "/" not in a:
            fa = (Fraction(2 * rng.randint(-10 ** 6, 10 ** 6) + 1, 2)) * Fraction(step)
        else:
            fa = Fraction(a)
        text = frac_text(fa) if fa != Fraction(a) else a
        cases.append((f"round {text} {step} {mode}", frac_text(round_fraction(fa, Fraction(step), mode))))
    cases.append(("round 1 0 half_up", "error"))
    cases.append(("round 1 -1/100 floor", "error"))
    for _ in range(1500):
        text = decorate(rng, rng.choice([money, money, large])(rng))
        if rng.random() < 0.5:
            text = mutate(rng, text)
        cases.append((f"parse {text}", expected_parse(text)) if " " not in text else
                     (f"parse {text.replace(' ', '')}", expected_parse(text.replace(" ", ""))))
    for _ in range(1000):
        a = value(rng)
        cases.append((f"str {a}", expected_to_string(Fraction(a))))
    for _ in range(1000):
        a = rng.choice([money, large, fraction, zero])(rng)
        places = rng.randint(0, 6)
        cases.append((f"fixed {a} {places}", expected_to_fixed(Fraction(a), places)))
    return cases


def self_check_rounding(rng):
    """Our Python rounding agrees with decimal.quantize where both apply (power-of-ten steps)."""
    bad = 0
    with localcontext(Context(prec=200)):
        for _ in range(2000):
            x = Fraction(money(rng))
            exp = rng.randint(-2, 3)
            mode = rng.choice(MODES)
            got = round_fraction(x, Fraction(10) ** exp, mode)
            want = Decimal(str(exact_decimal(x))).quantize(Decimal(1).scaleb(exp), rounding=DECIMAL_MODES[mode])
            if Fraction(want) != got:
                bad += 1
    return bad


def main():
    if len(sys.argv) < 3:
        print("usage: test_number_differential.py <utfall binary> <source dir>")
        return 2
    probe = find_probe(sys.argv[1])
    if not probe or not os.path.exists(probe):
        print("number_probe not found: set UTFALL_NUMBER_PROBE or build the number_probe target")
        return 1
    rng = random.Random(SEED)
    bad_self = self_check_rounding(rng)
    if bad_self:
        print(f"reference rounding disagrees with decimal.quantize in {bad_self} cases")
        return 1
    cases = generate(rng)
    request = "".join(line + "\n" for line, _ in cases)
    result = subprocess.run([probe], input=request, capture_output=True, text=True, encoding="utf-8")
    if result.returncode != 0:
        print(f"number_probe exited with {result.returncode}: {result.stderr}")
        return 1
    answers = result.stdout.split("\n")
    passed = failed = 0
    for i, (line, want) in enumerate(cases):
        got = answers[i] if i < len(answers) else "<missing>"
        if got == want:
            passed += 1
        else:
            failed += 1
            if failed <= 20:
                print(f"FAIL: {line}\n  expected {want}\n  got      {got}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
