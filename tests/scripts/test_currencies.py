"""Several currencies (docs/language.md §4.1) against a model in Python's fractions, never a run.

Random contracts in kronor (minor unit 1) and euro (0.01): a payment in euro with a cap, a
conversion to kronor rounded by `round`, a conversion back to euro rounded by the payment's
`rounded`, and a definition that names a payment written after it (the checker's second pass).
The model reads the same data and rounds by the reference's rules (§15); the run's JSON must
name each payment's currency, give its amount with that currency's decimals, and total per
payer, payee and currency; CSV gets a currency column, and `sweep` totals per currency. One
contract whose expectation is off by one öre must fail, so the comparison can fail.
"""
import csv
import io
import json
import random
import subprocess
import sys
import tempfile
from fractions import Fraction as F
from pathlib import Path

from scriptlib import Tally, bounded_memory, round_fraction

utfall = str(Path(sys.argv[1]).resolve())
T = Tally()
MODES = ["half_up", "half_down", "half_even", "up", "down", "ceiling", "floor"]


def text_of(x, places):
    """An exact amount with `places` decimals, as the run prints it."""
    scaled = x * 10 ** places
    assert scaled.denominator == 1, x
    n = scaled.numerator
    sign = "-" if n < 0 else ""
    digits = str(abs(n)).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def run(args, cwd):
    return subprocess.run([utfall, *args], capture_output=True, text=True, timeout=300, cwd=cwd, preexec_fn=bounded_memory)


def contract(m):
    return f"""contract "Valutor"
currency SEK minor 1
currency EUR
party kommun
party eufond
party utforare
party fonden
periods yearly 2026 .. {2025 + m['periods']}
input eur_belopp : EUR per period
input kurs : SEK per EUR per period
term eu_tak = {m['cap']} EUR
term andel = {m['share']} %
clause "1" {{
  let tidigt = round(to_date(sent) * kurs, 1 SEK, {m['mode_early']})
  pay medfinansiering: eufond -> utforare amount eur_belopp capped at eu_tak per period
  pay i_kronor: kommun -> utforare amount round(medfinansiering * kurs, 1 SEK, {m['mode_sek']})
  pay tillbaka: utforare -> fonden amount andel * i_kronor / kurs rounded {m['mode_eur']} to 0.01 EUR
  pay efter: kommun -> fonden amount tidigt
  pay sent: eufond -> fonden amount eur_belopp / 10 rounded down to 0.01 EUR
}}
"""


def model(m):
    """Each period's payments, in the contract's order, as (from, to, currency, amount)."""
    lines, sent_to_date = [], F(0)
    for eur, kurs in zip(m["eur"], m["kurs"]):
        med = min(eur, m["cap"])
        sek = round_fraction(med * kurs, F(1), m["mode_sek"])
        back = round_fraction(m["share"] / 100 * sek / kurs, F(1, 100), m["mode_eur"])
        sent = round_fraction(eur / 10, F(1, 100), "down")
        sent_to_date += sent
        early = round_fraction(sent_to_date * kurs, F(1), m["mode_early"])
        lines.append([("eufond", "utforare", "EUR", med), ("kommun", "utforare", "SEK", sek),
                      ("utforare", "fonden", "EUR", back), ("kommun", "fonden", "SEK", early),
                      ("eufond", "fonden", "EUR", sent)])
    return lines


rng = random.Random(41)
for case in range(12):
    periods = rng.randint(1, 5)
    m = {"periods": periods, "cap": F(rng.randint(1_000, 40_000)), "share": F(rng.randint(1, 100)),
         "mode_sek": rng.choice(MODES), "mode_eur": rng.choice(MODES), "mode_early": rng.choice(MODES),
         "eur": [F(rng.randint(0, 5_000_000), 100) for _ in range(periods)],
         "kurs": [F(rng.randint(90_000, 130_000), 10_000) for _ in range(periods)]}
    if case == 0:  # a tie for the half modes: 1 000.04 EUR × 12.5 = 12 500.5 SEK
        m["eur"][0], m["kurs"][0], m["cap"] = F(100_004, 100), F(125, 10), F(40_000)
    expected = model(m)
    with tempfile.TemporaryDirectory(prefix="utfall-currencies-") as tmp:
        Path(tmp, "c.utfall").write_text(contract(m), encoding="utf-8")
        rows = "".join(f"{2026 + i},{text_of(e, 2)},{text_of(k, 4)}\n" for i, (e, k) in enumerate(zip(m["eur"], m["kurs"])))
        Path(tmp, "d.csv").write_text("period,eur_belopp,kurs\n" + rows, encoding="utf-8")
        p = run(["run", "c.utfall", "-d", "d.csv", "-f", "json"], tmp)
        T.check(f"case {case}: runs", p.returncode == 0, p.stderr[-2000:])
        if p.returncode != 0:
            continue
        out = json.loads(p.stdout)
        want = [(str(2026 + t), a, b, cur, text_of(x, 0 if cur == "SEK" else 2))
                for t, period in enumerate(expected) for (a, b, cur, x) in period if x != 0]
        got = [(q["period"], q["from"], q["to"], q["currency"], q["amount"]) for q in out["payments"] if F(q["amount"]) != 0]
        T.check(f"case {case}: every payment, its currency and amount", sorted(got) == sorted(want),
                f"\nwant {sorted(want)}\ngot  {sorted(got)}")
        totals = {}
        for period in expected:
            for a, b, cur, x in period:
                totals[(a, b, cur)] = totals.get((a, b, cur), F(0)) + x
        want_totals = sorted((a, b, cur, text_of(x, 0 if cur == "SEK" else 2)) for (a, b, cur), x in totals.items() if x != 0)
        got_totals = sorted((q["from"], q["to"], q["currency"], q["amount"]) for q in out["totals"] if F(q["amount"]) != 0)
        T.check(f"case {case}: totals per payer, payee and currency", got_totals == want_totals,
                f"\nwant {want_totals}\ngot  {got_totals}")
        if case == 0:
            p = run(["run", "c.utfall", "-d", "d.csv", "-f", "csv"], tmp)
            table = list(csv.reader(io.StringIO(p.stdout)))
            T.check("CSV has a currency column after amount", table and table[0] == ["period", "from", "to", "amount", "currency", "clause", "rule"],
                    p.stdout[:300])
            T.check("CSV names each line's currency",
                    sorted((r[0], r[1], r[2], r[4], r[3]) for r in table[1:] if F(r[3]) != 0) == sorted(want), p.stdout[:600])
            p = run(["sweep", "c.utfall", "-d", "d.csv", "--vary", "andel=10 %,20 %", "-f", "json"], tmp)
            sw = json.loads(p.stdout)["variations"] if p.returncode == 0 else []
            T.check("sweep totals name their currency",
                    len(sw) == 2 and all(t["currency"] in ("SEK", "EUR") for v in sw for t in v["totals"]) and
                    {(t["from"], t["to"], t["currency"]) for t in sw[0]["totals"]} >= {("kommun", "utforare", "SEK"), ("eufond", "utforare", "EUR")},
                    p.stdout[:600] + p.stderr[:600])
            # The comparison can fail: an expectation one öre off.
            first = expected[0][2][3]
            wrong = contract(m) + f'example "fel" data "d.csv" {{\n  expect utforare -> fonden in 2026 = {text_of(first + F(1, 100), 2)} EUR\n}}\n'
            Path(tmp, "c.utfall").write_text(wrong, encoding="utf-8")
            p = run(["test", "c.utfall"], tmp)
            T.check("an expectation one cent off fails", p.returncode != 0, p.stdout[-500:])
            right = contract(m) + f'example "rätt" data "d.csv" {{\n  expect utforare -> fonden in 2026 = {text_of(first, 2)} EUR\n  expect utforare -> fonden in 2026 = 0 SEK\n}}\n'
            Path(tmp, "c.utfall").write_text(right, encoding="utf-8")
            p = run(["test", "c.utfall"], tmp)
            T.check("an expectation sums only its own currency", p.returncode == 0, p.stdout[-800:] + p.stderr[-800:])

# A payment in the second currency that reads its own earlier value (§4.1: the checker tries each
# currency for it): 5 SEK a year plus what it paid the year before, so 5 SEK, then 10 SEK.
SELF = """contract "Egen historia"
currency EUR
currency SEK minor 1
party kommun
party fonden
periods yearly 2026 .. 2027
clause "1" { pay p: fonden -> kommun amount 5 SEK + previous(p, 0 SEK) }
example "e" {
  expect fonden -> kommun in 2026 = 5 SEK
  expect fonden -> kommun in 2027 = 10 SEK
  expect fonden -> kommun in total = 0 EUR
}
"""


def examples_pass(label, text, expectations):
    """`utfall test` on the contract `text`: every one of its `expectations` passes."""
    with tempfile.TemporaryDirectory(prefix="utfall-currencies-") as tmp:
        Path(tmp, "c.utfall").write_text(text, encoding="utf-8")
        p = run(["test", "c.utfall"], tmp)
        T.check(label, p.returncode == 0 and f"{expectations} passed" in p.stdout, p.stdout[-600:] + p.stderr[-600:])


examples_pass("a payment in the second currency that reads its own past", SELF, 3)

# A failure caused by another rule's wrong assumption is not the failing rule's own (generator
# seed 204): `self` reads `bas`, a definition of `conv`, which converts `eu`; the definition is
# checked before both payments, so `conv` is first assumed SEK and `eu` too, `conv` fails
# (SEK / (EUR per SEK)), and so does `self`. Only `eu`'s assumption was wrong: correcting it
# settles `conv` as SEK and `self` with it; trying EUR for `self` would refuse a right contract.
# By hand: eu 3 EUR a year; conv = 3 EUR / (0.1 EUR per SEK) = 30 SEK; self 1 SEK, then 2 SEK.
CHAIN = """contract "Kedja"
currency SEK
currency EUR minor 0.1
party a
party b
periods yearly 2025 .. 2026
term kurs = 0.1 EUR per SEK
clause "1" {
  pay conv: b -> a rounded half_up to 0.1 SEK amount eu / kurs
  pay self: a -> b amount min(previous(self, 0 SEK) + 1 SEK, bas)
}
clause "2" {
  let bas = abs(conv)
  pay eu: a -> b rounded floor to 0.1 EUR amount 3 EUR
}
example "e" {
  expect b -> a in 2025 = 30 SEK
  expect a -> b in 2025 = 1 SEK
  expect a -> b in 2026 = 2 SEK
  expect a -> b in total = 6 EUR
}
"""
examples_pass("a rule failing because another rule was assumed wrongly keeps its currency", CHAIN, 4)

# A rule that reads itself, moved to the next currency while another assumption was wrong, comes
# back to the currency it left (generator seed 1106). `d` names the waterfall `w` before it is
# written, so the first pass assumes `w` in SEK: `d` and `p` fail, `w` is found in EUR, and `p`
# (which reads itself) moves to EUR. The second pass has `w` right and `p` failing in EUR
# (`previous(p, 0 SEK)`) for a reason of its own; the third tries SEK again, which holds.
# By hand: w pays 2 EUR a year; d = 2 EUR * 10 SEK per EUR = 20 SEK; p 20 SEK, then 20 + 20 = 40 SEK.
BACK = """contract "Tillbaka"
currency SEK
currency EUR minor 0.01
party a
party b
periods yearly 2025 .. 2026
term kurs = 10 SEK per EUR
clause "1" {
  let d = round(w * kurs, 0.01 SEK, half_even)
  pay p: a -> b amount previous(p, 0 SEK) + d
}
clause "2" {
  waterfall w: b pays 2 EUR {
    rest to a
  }
}
example "e" {
  expect a -> b in 2025 = 20 SEK
  expect a -> b in 2026 = 40 SEK
  expect b -> a in total = 4 EUR
  expect a -> b in total = 0 EUR
}
"""
examples_pass("a rule that reads itself comes back to the currency it left while another was wrong", BACK, 4)

T.finish()
