"""`utfall repl` and `utfall eval` read Swedish keywords (docs/cli.md).

Usage: test_repl_swedish.py <utfall binary> <source dir>

1. A session on a Swedish contract (examples/a-aldreomsorg/avtal.utfall) reads its input in
   Swedish: expressions, `låt` and `villkor` definitions (appended to the contract in Swedish),
   a `punkt` declaration; an English keyword there is refused, saying which set to write.
2. A session on an English contract reads English only.
3. A session without a contract reads each expression in the set its first word says (or the
   other, when only that one reads it); its first definition or declaration chooses the set.
4. `utfall eval`: the same rule as 3 for the one expression.

The expected values are worked out by hand from scenario A's data (plan.csv: home-care cost
200, 190, 170, 150, 140 million SEK in 2025-2029, baseline 200 million), not taken from a run.
"""
import subprocess
import sys
from pathlib import Path

from scriptlib import HANG_GUARD, Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
A = src / "examples" / "a-aldreomsorg"
T = Tally()


def session(script, *contract):
    args = [utfall, "repl", *map(str, contract)] + (["--data", str(A / "plan.csv")] if contract else [])
    return subprocess.run(args, input=script, capture_output=True, text=True, timeout=HANG_GUARD)


# 1. A Swedish contract: Swedish lines.
p = session("frigjort @ 2027\n"                                  # 200M - 170M
            "om frigjort @ 2027 > 0 SEK så 1 annars 2\n"
            "summa(frigjort över 2025 .. 2027)\n"                # 0 + 10M + 30M
            "låt dubbel = frigjort * 2\n"
            "dubbel @ 2026\n"                                    # 2 * (200M - 190M)
            "villkor extra = 5 SEK\n"
            "extra * 3\n"
            'punkt "9" "Prov" { låt nio = 9 }\n'
            "nio @ 2025 + 1\n"
            ":type summa(frigjort över 2025 .. 2026)\n"
            "inte sant eller falskt\n", A / "avtal.utfall")
lines = p.stdout.splitlines()
T.check("Swedish contract: an expression", "30000000 SEK" in lines, p.stdout + p.stderr)
T.check("Swedish contract: om ... så ... annars", lines.count("1") == 1, p.stdout)
T.check("Swedish contract: summa(... över ...)", "40000000 SEK" in lines, p.stdout)
T.check("Swedish contract: låt defines, in a clause written in Swedish", "defined dubbel = frigjort * 2" in lines and "20000000 SEK" in lines,
        p.stdout + p.stderr)
T.check("Swedish contract: villkor defines a term", "defined extra = 5 SEK" in lines and "15 SEK" in lines, p.stdout + p.stderr)
T.check("Swedish contract: a punkt is added", "added" in lines and "10" in lines, p.stdout + p.stderr)
T.check("Swedish contract: :type reads Swedish", "SEK" in lines, p.stdout)
T.check("Swedish contract: inte, eller, sant, falskt", "false" in lines, p.stdout)
T.check("Swedish contract: no error, exit 0", (p.returncode, p.stderr) == (0, ""), p.stderr)

p = session("frigjort @ 2027 > 0 SEK and sant\n", A / "avtal.utfall")
T.check("Swedish contract: an English keyword is refused (exit 1)", p.returncode == 1, p.stderr)
T.check("Swedish contract: the message names the set and the word to write",
        "`and` is an English keyword, but this is read in Swedish, the set the contract is written in: write `och`" in p.stderr, p.stderr)

# 2. An English contract: English lines; a Swedish keyword is a name there.
p = session("if frigjort @ 2027 > 0 SEK then 1 else 2\nom frigjort @ 2027 > 0 SEK så 1 annars 2\n", A / "contract.utfall")
T.check("English contract: English reads", p.stdout.splitlines()[-1:] == ["1"], p.stdout + p.stderr)
T.check("English contract: Swedish is refused (exit 1), saying that it reads in Swedish",
        p.returncode == 1 and "help: this reads in Swedish, but the session reads English" in p.stderr, p.stderr)

# 3. No contract.
p = session("om 2 > 1 så 3 annars 4\nif 2 > 1 then 5 else 6\nmax(1, 2) = 2 och inte falskt\n")
T.check("no contract: each expression in the set of its first word, or the other",
        (p.returncode, p.stdout.splitlines()) == (0, ["3", "5", "true"]), p.stdout + p.stderr)
p = session("villkor t = 5 SEK\nt * 2\nom t > 1 SEK så 1 annars 0\nif t > 1 SEK then 1 else 0\n")
lines = p.stdout.splitlines()
T.check("no contract: villkor chooses Swedish; the term is defined", lines[:3] == ["defined t = 5 SEK", "10 SEK", "1"], p.stdout + p.stderr)
T.check("no contract: after villkor, English is refused (exit 1, no answer)", p.returncode == 1 and len(lines) == 3 and "error[E" in p.stderr,
        p.stdout + p.stderr)
p = session("låt a = 2\na @ 2026 + 1\n:type om sant så a annars 0\n")
T.check("no contract: låt chooses Swedish, in a clause of the session",
        (p.returncode, p.stdout.splitlines()) == (0, ["defined a = 2", "3", "number"]), p.stdout + p.stderr)
p = session("term t = 5 SEK\nif t > 1 SEK then 1 else 0\nom t > 1 SEK så 1 annars 0\n")
T.check("no contract: term chooses English; then Swedish is refused, saying the line reads as Swedish",
        p.returncode == 1 and p.stdout.splitlines() == ["defined t = 5 SEK", "1"]
        and "help: this reads in Swedish, but the session reads English, the set of its contract" in p.stderr, p.stdout + p.stderr)


# 4. eval.
def evaluate(expression):
    return subprocess.run([utfall, "eval", expression], capture_output=True, text=True, timeout=HANG_GUARD)


for expression, want in [("om 2 > 1 så 3 annars 4", "3"), ("if 2 > 1 then 3 else 4", "3"), ("inte sant", "false"),
                         ("max(1, 2) = 2 och inte falskt", "true"), ("max(1, 2) = 2 and not false", "true"),
                         ("om 1 = 1 och sant så 10 SEK * 3 annars 0 SEK", "30 SEK")]:
    r = evaluate(expression)
    T.check(f"eval {expression!r} = {want}", (r.returncode, r.stdout) == (0, want + "\n"), r.stdout + r.stderr)
r = evaluate("om sant then 2 else 3")
T.check("eval: a mix of the sets is refused (exit 2), naming the word to write",
        r.returncode == 2 and "`then` is an English keyword" in r.stderr and "write `så`" in r.stderr, r.stderr)
T.finish()
