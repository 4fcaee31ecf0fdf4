"""`utfall repl` and `utfall eval` read Swedish keywords (docs/cli.md).

Usage: test_repl_swedish.py <utfall binary> <source dir>

1. A session on a Swedish contract (examples/a-aldreomsorg/avtal.utfall) reads its input in
   Swedish: expressions, `låt` and `villkor` definitions (appended to the contract in Swedish),
   a `punkt` declaration; an English keyword there is refused, saying which set to write.
2. A session on an English contract reads English only.
3. A session without a contract reads each expression in the set its first word says (or the
   other, when only that one reads it); its first definition or declaration chooses the set.
4. `utfall eval`: the same rule as 3 for the one expression.
5. `utfall repl --lang sv`: the REPL's own messages and its :help are in Swedish (written here by
   hand, with the keywords of the contract's set in :help); without --lang they are the English
   ones, :help word for word as before.

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


def session(script, *contract, lang=None):
    args = [utfall, "repl", *map(str, contract)] + (["--data", str(A / "plan.csv")] if contract else []) + (["--lang", lang] if lang else [])
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
# Kinds of value in the reader's language; a unit as written.
p = session(":type 1 > 0\n:type 1 SEK\n:set avropat@2027 = 5\n", A / "contract.utfall", lang="sv")
T.check("--lang sv: :type names a kind in Swedish", p.stdout.splitlines()[-2:] == ["sanningsvärde", "SEK"], p.stdout + p.stderr)
T.check("--lang sv: a :set of the wrong kind, in Swedish", "`avropat` anges i SEK, men värdet är i tal" in p.stderr, p.stderr)
p = session(":type 1 > 0\n:set avropat@2027 = 5\n", A / "contract.utfall")
T.check("English: :type and :set name the kind in English",
        p.stdout.splitlines()[-1:] == ["boolean"] and "`avropat` is in SEK, but the value is in number" in p.stderr, p.stdout + p.stderr)
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

# 5. The REPL's own words.
HELP_EN = """Enter an expression to evaluate it, or a command:
  EXPRESSION                  evaluate in the current period: frigjort, frigjort @ 2027
  term NAME = EXPRESSION      define a term, or redefine one of the contract's
  let NAME = EXPRESSION       define a definition, or redefine one of the contract's
  clause ... { ... }          add a declaration (clause, term, input, party, unit) to the contract
  :period [PERIOD]            show or set the current period (:period none to clear it)
  :set NAME@PERIOD = VALUE    override a datum, e.g. :set hemtjanst_kostnad@2028 = 150_000_000 SEK
  :set TERM = VALUE           override a term's value
  :unset [NAME[@PERIOD]]      drop overrides (all, or of one name)
  :data [FILE...]             load data files (CSV or JSON), or show the data and overrides
  :load FILE                  load a contract (the session's definitions are dropped)
  :reload                     read the contract and data files again, keeping the session's changes
  :payments                   evaluate the contract: the payment schedule
  :explain [PERIOD] [A->B]    explain the payments (in the current period by default)
  :type EXPRESSION            the type and unit of an expression
  :names                      the names in scope
  :help                       this text
  :quit                       leave (or Ctrl-D); Ctrl-C cancels the line being typed
Input continues on the next line while brackets are open or a line ends with an operator.
"""
p = session(":help\n")
T.check("English: :help word for word", (p.returncode, p.stdout) == (0, HELP_EN), p.stdout + p.stderr)
p = session(":help\n", A / "avtal.utfall", lang="sv")
help_sv = p.stdout.splitlines()[2:]  # after `läste in ...` and `datafiler: ...`
T.check("--lang sv: :help opens in Swedish", help_sv[:1] == ["Skriv ett uttryck för att beräkna det, eller ett kommando:"], p.stdout)
for line in ["  UTTRYCK                     beräkna för den aktuella perioden: frigjort, frigjort @ 2027",
             "  villkor NAMN = UTTRYCK      definiera ett villkor, eller definiera om ett av avtalets",
             "  låt NAMN = UTTRYCK          definiera en definition, eller definiera om en av avtalets",
             "  punkt ... { ... }           lägg till en deklaration (punkt, villkor, uppgift, part, enhet) i avtalet",
             "  :set NAMN@PERIOD = VÄRDE    skriv över en uppgift för en period, t.ex. :set hemtjanst_kostnad@2028 = 150_000_000 SEK",
             "  :payments                   beräkna avtalet: betalningsplanen",
             "  :help                       den här texten",
             "Inmatningen fortsätter på nästa rad så länge en parentes är öppen eller raden slutar med en operator."]:
    T.check(f"--lang sv: :help has {line.split()[0]!r} ...", line in help_sv, p.stdout)
T.check("--lang sv: :help has its 19 lines", len(help_sv) == 19, p.stdout)
p = session(":help\n", A / "contract.utfall", lang="sv")
T.check("--lang sv, an English contract: :help shows its keywords", "  term NAMN = UTTRYCK         definiera ett villkor, eller definiera om ett av avtalets"
        in p.stdout.splitlines(), p.stdout)

# Each command with its answer in English and in Swedish, and whether it goes to stderr.
script = [(":frobnicate", "unknown command :frobnicate; :help lists the commands", "okänt kommando :frobnicate; :help visar kommandona", True),
          (":set nosuch = 5", "`nosuch` is not a term; to set a datum give its period: :set nosuch@PERIOD = VALUE",
           "`nosuch` är inte ett villkor; ange perioden för att skriva över en uppgift: :set nosuch@PERIOD = VÄRDE", True),
          (":set", ":set NAME@PERIOD = VALUE (a datum) or :set TERM = VALUE (a term)",
           ":set NAMN@PERIOD = VÄRDE (en uppgift) eller :set VILLKOR = VÄRDE (ett villkor)", True),
          (":load", ":load takes one contract file", ":load tar en avtalsfil", True),
          (":period 1999", "1999 is not a period of the contract (2025 .. 2029)", "1999 är inte en period i avtalet (2025 .. 2029)", True),
          (":period", "no current period (expressions that depend on one need :period or @)",
           "ingen aktuell period (uttryck som beror på en period behöver :period eller @)", False),
          (":set avropat@2030 = 1 SEK", "2030 is not a period of the contract (2025 .. 2029)", "2030 är inte en period i avtalet (2025 .. 2029)", True),
          (":set premieandel = 25 %", "premieandel = 25 %", "premieandel = 25 %", False),
          (":unset", "1 overrides dropped", "1 överskrivna värden togs bort", False),
          ("let dubbel = frigjort * 2", "defined dubbel = frigjort * 2", "definierade dubbel = frigjort * 2", False),
          ("let dubbel = frigjort * 3", "redefined dubbel = frigjort * 3", "definierade om dubbel = frigjort * 3", False),
          (":explain 1999", "`1999` is neither a period nor PAYER->PAYEE", "`1999` är varken en period eller BETALARE->MOTTAGARE", True),
          (":names", "parties: kommun, utfallsfonden", "parter: kommun, utfallsfonden", False),
          (":names", "terms: baslinje, premieandel, takbelopp", "villkor: baslinje, premieandel, takbelopp", False),
          (":names", "periods: 2025 .. 2029 (5)", "perioder: 2025 .. 2029 (5)", False),
          (":data", f"data files: {A / 'plan.csv'}", f"datafiler: {A / 'plan.csv'}", False)]
for lang in (None, "sv"):
    # The Swedish contract for --lang sv: `låt`, not `let`; the messages do not depend on it.
    lines = [cmd.replace("let ", "låt ") if lang else cmd for cmd, *_ in script]
    p = session("\n".join(lines) + "\n", A / ("avtal.utfall" if lang else "contract.utfall"), lang=lang)
    for (cmd, en, sv, to_err), line in zip(script, lines):
        want = sv if lang else en
        T.check(f"{lang or 'en'}: {line} says {want!r}", want in (p.stderr if to_err else p.stdout).splitlines(), p.stdout + p.stderr)
p = session(":reload\n", lang="sv")
T.check("--lang sv, no contract: :reload", p.stderr == "ingen avtalsfil att läsa om (sessionen började med ett tomt avtal)\n", p.stderr)
p = session(":reload\n")
T.check("English, no contract: :reload", p.stderr == "no contract file to reload (the session started from an empty contract)\n", p.stderr)
p = session("(1 +\n", lang="sv")
T.check("--lang sv: input that ends unfinished",
        p.returncode == 1 and "utfall repl: inmatningen tog slut mitt i ett ofullständigt uttryck eller en ofullständig deklaration" in p.stderr,
        p.stderr)
p = session(":load " + str(A / "avtal.utfall") + "\n", lang="sv")
T.check("--lang sv: :load says what it loaded",
        "läste in " + str(A / "avtal.utfall") + ": Starkare, friskare och självständigare äldre (5 perioder, 2 parter, 3 villkor, 0 betalningar, "
        "1 betalningsordningar)" in p.stdout.splitlines(), p.stdout + p.stderr)
T.finish()
