#!/usr/bin/env python3
"""Swedish keywords (docs/svenska.md, grammar/keywords.hpp): a Swedish contract is the English one.

Usage: test_swedish.py <utfall binary> <source dir>

1. Every example folder with a Swedish twin (`avtal.utfall` beside `contract.utfall`): `utfall test`
   passes on the twin; `utfall run` on each data file of its examples prints the same bytes for
   both; both dump the same tree (`fmt --ast`); the twin is what `fmt --lang sv` writes, and
   `fmt --lang en` of the twin is `fmt` of the English contract, but for the text of the
   comments, which the twin has in Swedish: on the same lines, none but a title line left in
   English. The four reference scenarios have one.
2. Every spelling of the table (read from grammar/keywords.hpp here, not from the binary) stands
   in at least one contract this test parses, in each language.
3. Small contracts written by hand in Swedish, with payments worked out by hand; the same with an
   expectation one krona off fails.
4. A file that mixes the sets is refused at the foreign keyword, naming the set the file is in;
   a keyword of the other set is an ordinary name; a name that begins with a keyword is a name.
5. `fmt --lang sv` of a contract with a name that is a Swedish keyword is refused, naming it.
"""
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
tmp = Path(tempfile.mkdtemp(prefix="utfall-sv-test-"))


def run(*args, cwd=None):
    return subprocess.run([utfall, *map(str, args)], capture_output=True, cwd=cwd, timeout=60)


def code_words(text):
    """The words of a contract outside comments and strings."""
    text = re.sub(r'"(\\.|[^"\\\n])*"?', " ", text)
    text = re.sub(r"#[^\n]*", " ", text)
    return set(re.findall(r"[A-Za-z_\u00c0-\u024f][A-Za-z0-9_\u00c0-\u024f]*", text))


def split_comments(text):
    """The lines of a contract without their comments (and the blanks before them), and the
    comments with the number of the line each stands on. A comment is `#` outside a string to
    the end of the line; a string runs from `"` to the next `"` not escaped by `\\`."""
    code, comments = [], []
    for number, line in enumerate(text.split("\n"), 1):
        i, cut = 0, len(line)
        while i < len(line):
            if line[i] == '"':
                i += 1
                while i < len(line) and line[i] != '"':
                    i += 2 if line[i] == "\\" else 1
            elif line[i] == "#":
                cut = i
                break
            i += 1
        code.append(line[:cut].rstrip(" \t"))
        if cut < len(line):
            comments.append((number, line[cut:]))
    return code, comments


table = re.findall(r'X\((\w+), "([^"]+)", "([^"]+)"\)', (src / "grammar/keywords.hpp").read_text(encoding="utf-8"))
T.check("the table of spellings is read", len(table) >= 70, f"{len(table)}")
english_words, swedish_words = set(), set()

# ---- 1. the Swedish twins of the examples ----
twins = sorted(p.parent for p in (src / "examples").glob("*/avtal.utfall"))
T.check("the four reference scenarios have a Swedish twin",
        {p.name for p in twins} >= {"a-aldreomsorg", "b-placeringar", "c-tfco", "d-norrkoping"}, f"{[p.name for p in twins]}")
for folder in twins:
    name = folder.name
    en, sv = folder / "contract.utfall", folder / "avtal.utfall"
    english_words |= code_words(en.read_text(encoding="utf-8"))
    swedish_words |= code_words(sv.read_text(encoding="utf-8"))
    t = run("test", "avtal.utfall", cwd=folder)
    T.check(f"{name}: utfall test passes on the Swedish twin", t.returncode == 0, (t.stdout + t.stderr).decode())
    t_en = run("test", "contract.utfall", cwd=folder)
    T.check(f"{name}: the same examples pass as in English",
            t.stdout.replace(b"avtal.utfall", b"contract.utfall") == t_en.stdout, f"{t.stdout.decode()}\n---\n{t_en.stdout.decode()}")
    data = sorted({f for group in re.findall(r'data ((?:"[^"]+"(?:\s*,\s*)?)+)', en.read_text(encoding="utf-8"))
                   for f in re.findall(r'"([^"]+)"', group)})
    T.check(f"{name}: has data files", bool(data))
    for f in data:
        for fmt in ("table", "json", "csv"):
            a, b = run("run", en, "--data", folder / f, "--format", fmt), run("run", sv, "--data", folder / f, "--format", fmt)
            T.check(f"{name}: run --data {f} --format {fmt} prints the same in both languages",
                    a.returncode == 0 and (a.returncode, a.stdout.replace(b"contract.utfall", b"avtal.utfall")) == (b.returncode, b.stdout),
                    f"{a.stderr.decode()}{b.stderr.decode()}")
    a, b = run("fmt", "--ast", en), run("fmt", "--ast", sv)
    T.check(f"{name}: the same tree", a.returncode == 0 and a.stdout == b.stdout, f"{a.stdout.decode()[:1500]}\n---\n{b.stdout.decode()[:1500]}")
    # The twin's comments are its own (Swedish): the code is compared without them, and they
    # must stand where the English ones stand.
    twin_code, twin_comments = split_comments(sv.read_text(encoding="utf-8"))
    to_sv = run("fmt", "--lang", "sv", en)
    to_sv_code, english_comments = split_comments(to_sv.stdout.decode())
    T.check(f"{name}: the twin is `fmt --lang sv` of the contract, comments aside", to_sv.returncode == 0 and to_sv_code == twin_code,
            to_sv.stderr.decode())
    T.check(f"{name}: the twin's comments stand on the lines of the English ones",
            [n for n, _ in twin_comments] == [n for n, _ in english_comments], f"{twin_comments}\n{english_comments}")
    shared = [c for (_, c), (_, e) in zip(twin_comments, english_comments) if c == e]
    T.check(f"{name}: the twin's comments are translated (at most the title line is shared)", len(shared) <= 1, f"{shared}")
    back, plain = run("fmt", "--lang", "en", sv), run("fmt", en)
    T.check(f"{name}: `fmt --lang en` of the twin is `fmt` of the contract, comments aside",
            back.returncode == 0 and split_comments(back.stdout.decode())[0] == split_comments(plain.stdout.decode())[0])
    T.check(f"{name}: the twin is formatted (fmt --check keeps Swedish)", run("fmt", "--check", sv).returncode == 0)

# ---- every example and corpus file, written in Swedish, for the coverage of the spellings ----
corpus = sorted(p for d in ("fuzz_parse", "fuzz_check") for p in (src / "tests/fuzz/corpus" / d).iterdir() if p.is_file())
for path in sorted((src / "examples").glob("*/contract.utfall")) + corpus:
    r = run("fmt", "--lang", "sv", path)
    if r.returncode == 0:
        english_words |= code_words(path.read_text(encoding="utf-8", errors="replace"))
        swedish_words |= code_words(r.stdout.decode())

# ---- 3. by hand ----
HEAD_SV = '''# Skrivet för hand.
avtal "Litet"
valuta SEK minsta 0.01
part kommun "Kommunen"
part fonden
enhet plats pluralis platser
perioder årsvis 2025 .. 2026
uppgift kostnad : SEK per period från 2025 heltal till minst 0 SEK
uppgift andelen : andel per period intill 2026 mellan 0 och 1
uppgift ungdomar : deltagare {
  id : text
  start : period
  klar : sanningsvärde
  poäng : tal
  del : procent
  dag : datum
}
uppgift fall : poster {
  id : text
  person : text nyckel av ungdomar
}
villkor pris = 100 SEK per plats
villkor tak = obegränsat SEK
villkor förändring = 2 plats          # begins with `för`
villkor betalar_x = 3 SEK             # begins with `betalar`
villkor avgift = 5 SEK
'''
SMALL_SV = HEAD_SV + '''punkt "1" "Ersättning" {
  låt grund = pris * förändring + betalar_x + avgift
  låt flagga = om sant och inte falskt eller 1 > 2 så 1 annars 0
  betalning grundbelopp: kommun -> fonden
    belopp grund * flagga
    när period >= @2025
    i 2025 .. 2026
    maximerat till 1_000 SEK per period, tak i allt
    avrundat half_up till 1
  betalning per_ungdom: kommun -> fonden för varje u i ungdomar där u.klar
    belopp 10 SEK
    till högst en per u.id
  betalning per_fall: kommun -> fonden för varje c i fall
    belopp 1 SEK
    till högst 2 gånger per c.person
    till minst 0 SEK
    avräknat
}
punkt "2" {
  för varje u i ungdomar {
    låt v = u.poäng
  }
  tabell steg {
    [0, 5) -> 1
    [5, ) -> 2
  }
  skala linje {
    0 -> 0
    10 -> 1
  }
  låt s = summa(u.poäng för u i ungdomar där u.klar) + antal(u i ungdomar) + summa(kostnad över 2025 .. 2026) / 1 SEK
  betalningsordning fördelning: fonden betalar 50 SEK från 2025 {
    första: kommun upp till 20 SEK
    andra: kommun 50 % av resten, avrundat half_even till 0.01
    resten till fonden
  }
  låt dagen = datum 2025-03-31
}
exempel "för hand" uppgifter "data.json" {
  sätt pris = 100 SEK per plats
  förvänta kommun -> fonden i 2025 = 508 SEK
  förvänta grundbelopp i allt = 656 SEK
  förvänta netto kommun i 2025 = -478 SEK
}
'''
# Only checked, not run: it is here to use every spelling, and its tree is compared with its
# English twin's. The payments worked out by hand are in PAY_SV below.
DATA = '''{"kostnad": {"2025": "10", "2026": "20"}, "andelen": {"2025": "0.5", "2026": "0.5"},
"ungdomar": [{"id": "a", "start": "2025", "klar": true, "poäng": 3, "del": "50", "dag": "2025-01-01"},
             {"id": "b", "start": "2025", "klar": false, "poäng": 1, "del": "10", "dag": "2025-01-02"}],
"fall": [{"id": "1", "person": "a"}, {"id": "2", "person": "a"}, {"id": "3", "person": "b"}]}
'''
hand = tmp / "hand"
hand.mkdir()
(hand / "data.json").write_text(DATA, encoding="utf-8")
small = hand / "avtal.utfall"
small.write_text(SMALL_SV, encoding="utf-8")
r = run("check", small)
T.check("hand: the Swedish contract checks", r.returncode == 0, (r.stdout + r.stderr).decode())
swedish_words |= code_words(SMALL_SV)
# The English twin, written by hand: the same tree.
en_twin = run("fmt", "--lang", "en", small)
T.check("hand: fmt --lang en works", en_twin.returncode == 0, en_twin.stderr.decode())
english_words |= code_words(en_twin.stdout.decode())

# A monthly calendar and a cap per participant: the spellings the contract above has no place for.
MONTHLY_SV = '''avtal "Månadsvis"
valuta SEK
part kommun
part fonden
perioder månadsvis 2025-11 .. 2026-02
uppgift ungdomar : deltagare {
  id : text
}
punkt "1" {
  betalning p: kommun -> fonden för varje u i ungdomar
    belopp 10 SEK
    maximerat till 25 SEK per deltagare
}
'''
monthly = hand / "manadsvis.utfall"
monthly.write_text(MONTHLY_SV, encoding="utf-8")
r = run("check", monthly)
T.check("monthly: the Swedish contract checks", r.returncode == 0, (r.stdout + r.stderr).decode())
swedish_words |= code_words(MONTHLY_SV)
monthly_en = run("fmt", "--lang", "en", monthly)
T.check("monthly: the English twin reads `periods monthly` and `per participant`",
        "periods monthly 2025-11 .. 2026-02" in monthly_en.stdout.decode() and "capped at 25 SEK per participant" in monthly_en.stdout.decode(),
        monthly_en.stdout.decode() + monthly_en.stderr.decode())
english_words |= code_words(monthly_en.stdout.decode())
for needle in ("contract \"Litet\"", "currency SEK minor 0.01", "unit plats plural platser", "periods yearly 2025 .. 2026",
               "input kostnad : SEK per period from 2025 whole at least 0 SEK", "ratio per period until 2026 between 0 and 1",
               ": participants {", "text key of ungdomar", "term tak", "= unlimited SEK", "term avgift",
               "let flagga = if true and not false or 1 > 2 then 1 else 0", "capped at 1_000 SEK per period, tak in total",
               "rounded half_up to 1", "for each u in ungdomar where u.klar", "at most once per u.id",
               "at most 2 times per c.person", "at least 0 SEK", "netted", "sum(u.poäng for u in ungdomar where u.klar)",
               "count(u in ungdomar)", "sum(kostnad over 2025 .. 2026)", "waterfall fördelning: fonden pays 50 SEK from 2025 {",
               "kommun up to 20 SEK", "kommun 50 % of rest", "rest to fonden", "date 2025-03-31", "example \"för hand\" data \"data.json\"",
               "set pris", "expect kommun -> fonden in 2025", "expect grundbelopp in total", "expect net kommun in 2025",
               ": boolean", ": number", ": percent", ": date", "table steg", "scale linje", "when period >= @2025", "in 2025 .. 2026"):
    T.check(f"hand: the English twin reads `{needle}`", needle in en_twin.stdout.decode(), en_twin.stdout.decode())
en_path = hand / "contract.utfall"
en_path.write_bytes(en_twin.stdout)
a, b = run("fmt", "--ast", small), run("fmt", "--ast", en_path)
T.check("hand: the same tree in both languages", a.returncode == 0 and a.stdout == b.stdout)

# Payments by hand for one period, the same in both languages (`utfall test` against expectations
# written here; one off by one krona must fail).
PAY_SV = '''avtal "Betalningar"
valuta SEK
part kommun
part fonden
perioder årsvis 2025 .. 2026
villkor pris = 1_250 SEK
villkor andel_ = 20 %
punkt "1" {
  betalning kommun -> fonden
    belopp pris * 3
    när period = @2026
  betalningsordning kommun betalar 1_000 SEK {
    fonden upp till 300 SEK
    fonden andel_ av resten
    resten till kommun
  }
}
exempel "a" {
  förvänta kommun -> fonden i 2025 = EXPECTED_2025
  förvänta kommun -> fonden i 2026 = EXPECTED_2026
  förvänta kommun -> fonden i allt = EXPECTED_TOTAL
}
'''
# 2025: waterfall only: 300 + 20 % of 700 = 440 SEK. 2026: 440 + 3 * 1 250 = 4 190 SEK.
def pay_case(label, e2025, e2026, total, ok):
    path = hand / f"pay_{label}.utfall"
    path.write_text(PAY_SV.replace("EXPECTED_2025", e2025).replace("EXPECTED_2026", e2026).replace("EXPECTED_TOTAL", total), encoding="utf-8")
    r = run("test", path, cwd=hand)
    T.check(f"hand payments {label}: utfall test {'passes' if ok else 'fails'}", (r.returncode == 0) == ok, (r.stdout + r.stderr).decode())
    en = hand / f"pay_{label}_en.utfall"
    en.write_bytes(run("fmt", "--lang", "en", path).stdout)
    r_en = run("test", en, cwd=hand)
    T.check(f"hand payments {label}: the same in English", (r_en.returncode == 0) == ok, (r_en.stdout + r_en.stderr).decode())


pay_case("right", "440 SEK", "4_190 SEK", "4_630 SEK", True)
pay_case("off by one", "440 SEK", "4_191 SEK", "4_631 SEK", False)

# ---- 2. every spelling in a contract of each language ----
T.check("every English spelling stands in a contract this test parses",
        not [en for _, en, _ in table if en not in english_words], f"{[en for _, en, _ in table if en not in english_words]}")
T.check("every Swedish spelling stands in a contract this test parses",
        not [sv for _, _, sv in table if sv not in swedish_words], f"{[sv for _, _, sv in table if sv not in swedish_words]}")

# ---- 4. mixing the sets; keywords of the other set as names ----
def refused(label, text, line, column, needles):
    path = hand / f"{label.replace(' ', '_')}.utfall"
    path.write_text(text, encoding="utf-8")
    r = run("check", path)
    err = r.stderr.decode()
    T.check(f"mixed {label}: exit 2 at {line}:{column}", r.returncode == 2 and f"{path}:{line}:{column}: error[E101]" in err, err)
    for n in needles:
        T.check(f"mixed {label}: the message says {n}", n in err, err)


MIX_SV = 'avtal "X"\nvaluta SEK\npart a\npart b\nperioder årsvis 2025 .. 2026\npunkt "1" {\n  pay a -> b belopp 1 SEK\n}\n'
refused("english pay in a swedish file", MIX_SV, 7, 3,
        ["`pay` is an English keyword", "written in Swedish", "`avtal` at line 1 column 1", "write `betalning`"])
MIX_EN = 'contract "X"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2026\nclause "1" {\n  pay a -> b amount 1 SEK när true\n}\n'
refused("swedish när in an english file", MIX_EN, 7, 27, ["`när` is a Swedish keyword", "written in English", "write `when`"])
refused("swedish till in an english file", MIX_EN.replace("amount 1 SEK när true", "amount 1 SEK maximerat till 2 SEK"), 7, 27,
        ["`maximerat` is a Swedish keyword", "write `capped`"])
refused("english then in a swedish file", 'avtal "X"\nvaluta SEK\nvillkor x = om sant then 1 annars 2\n', 3, 21,
        ["`then` is an English keyword", "write `så`"])
NAMES_EN = ('contract "X"\ncurrency SEK\nparty betalning\nparty b\nperiods yearly 2025 .. 2026\nterm och = 2 SEK\nterm villkor = 3 SEK\n'
            'clause "1" {\n  let när = och + villkor\n  pay betalning -> b amount när\n}\n'
            'example "e" {\n  expect betalning -> b in 2025 = 5 SEK\n}\n')
NAMES_SV = ('avtal "X"\nvaluta SEK\npart pay\npart b\nperioder årsvis 2025 .. 2026\nvillkor and = 2 SEK\nvillkor term = 3 SEK\n'
            'villkor betalningar = 1 SEK\npunkt "1" {\n  låt when = and + term + betalningar\n  betalning pay -> b belopp when\n}\n'
            'exempel "e" {\n  förvänta pay -> b i 2025 = 6 SEK\n}\n')


def names_case(label, file_name, text):
    path = hand / file_name
    path.write_text(text, encoding="utf-8")
    r = run("test", path, cwd=hand)
    T.check(label, r.returncode == 0, (r.stdout + r.stderr).decode())
    return path


names = names_case("Swedish keywords are names in an English file (and the payment is 2 + 3 SEK)", "names_en.utfall", NAMES_EN)
names_sv = names_case("English keywords are names in a Swedish file (and the payment is 2 + 3 + 1 SEK)", "names_sv.utfall", NAMES_SV)
reserved = hand / "reserved_sv.utfall"
reserved.write_text('avtal "X"\nvaluta SEK\nvillkor summa = 1 SEK\n', encoding="utf-8")
r = run("check", reserved)
T.check("a Swedish reserved word is not a name in a Swedish file", r.returncode == 2 and "`summa` is a reserved word" in r.stderr.decode(),
        r.stderr.decode())

# ---- 5. a contract that cannot be written in Swedish ----
r = run("fmt", "--lang", "sv", names)
err = r.stderr.decode()
T.check("fmt --lang sv of a contract with a Swedish keyword as a name: refused at the name",
        r.returncode == 2 and f"{names}:3:7:" in err and "the name `betalning` is a Swedish keyword" in err and r.stdout == b"", err)
r = run("fmt", "--lang", "en", names_sv)
err = r.stderr.decode()
T.check("fmt --lang en of a contract with an English keyword as a name: refused at the name",
        r.returncode == 2 and f"{names_sv}:3:6:" in err and "the name `pay` is an English keyword" in err, err)
T.check("fmt --lang xx: usage (64)", run("fmt", "--lang", "xx", small).returncode != 0)

shutil.rmtree(tmp, ignore_errors=True)
T.finish()
