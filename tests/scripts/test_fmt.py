#!/usr/bin/env python3
"""`utfall fmt` (docs/cli.md): the canonical layout keeps the tree, is a fixed point, and keeps
every comment.

Usage: test_fmt.py <utfall binary> <source dir>

For every example, every contract of the fuzz corpora fuzz_parse and fuzz_check that parses, and
a sample of generated contracts (tests/generator/gen.py, fixed seeds):
  1. the tree is kept: the original and the formatted text, each read by the parser, dump the
     same tree (`utfall fmt --ast`, written apart from the printer), and `utfall check` says the
     same of both; the examples with data also give the same `utfall test` output;
  2. the layout is a fixed point: `fmt --check` of the formatted text exits 0;
  3. the comments are kept: the comments of the formatted text, read by the lexer below (written
     here from the grammar's rules), are those of the original, in order;
  4. `fmt --lang sv` gives the same tree, and `fmt --lang en` of it gives the formatted text
     byte for byte (a contract whose names include a Swedish keyword is refused, saying so).
Then `--check` and `--write` on a small contract whose formatted text is written out by hand
below, and hostile input (unterminated strings, `#` in strings, long lines, deep nesting).
UTFALL_FMT_GENERATED overrides the number of generated contracts.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scriptlib import SANITIZED, Tally

utfall, src = os.path.abspath(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(src / "tests" / "generator"))
import gen  # noqa: E402
import syntax  # noqa: E402

T = Tally()
GENERATED = int(os.environ.get("UTFALL_FMT_GENERATED", "40" if SANITIZED else "200"))
tmp = Path(tempfile.mkdtemp(prefix="utfall-fmt-test-"))


def run(*args, cwd=None):
    return subprocess.run([utfall, *map(str, args)], capture_output=True, cwd=cwd, timeout=60)


def comments(text):
    """The comments of a contract: `#` outside a string to the end of its line, without the
    blanks that end it. A string runs from `"` to the next `"` not escaped by `\\`, or to the
    end of its line."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j].rstrip(" \t\r"))
            i = j
        elif c == '"':
            i += 1
            while i < n and text[i] not in '"\n\r':
                i += 2 if text[i] == "\\" else 1
            i += 1
        else:
            i += 1
    return out


def same_check(a, b, name_a, name_b):
    """`utfall check` on two files: the same exit code and the same messages, file names aside."""
    ra, rb = run("check", a), run("check", b)
    oa = (ra.stdout + ra.stderr).decode("utf-8", "replace").replace(str(a), "FILE").replace(name_a, "FILE")
    ob = (rb.stdout + rb.stderr).decode("utf-8", "replace").replace(str(b), "FILE").replace(name_b, "FILE")
    # Positions differ between the layouts: compare the codes and messages, not the lines.
    strip = lambda s: sorted(re.sub(r"FILE:\d+:\d+", "FILE", ln) for ln in s.splitlines() if "error[" in ln or "warning[" in ln or ": ok" in ln)  # noqa: E731
    return ra.returncode == rb.returncode and strip(oa) == strip(ob), f"{ra.returncode} vs {rb.returncode}\n{oa}\n---\n{ob}"


def round_trip(label, path, work):
    """Checks 1-3 for one contract file; returns the formatted text, or None when it does not parse."""
    original = path.read_bytes()
    r = run("fmt", path)
    if r.returncode != 0:
        return None
    formatted = r.stdout
    work.mkdir(parents=True, exist_ok=True)
    out = work / path.name
    out.write_bytes(formatted)
    dump_a, dump_b = run("fmt", "--ast", path), run("fmt", "--ast", out)
    T.check(f"{label}: the same tree", dump_a.returncode == 0 and dump_a.stdout == dump_b.stdout,
            f"\n{formatted.decode('utf-8', 'replace')[:3000]}\n{dump_a.stdout.decode()[:2000]}\n{dump_b.stdout.decode()[:2000]}")
    ok, detail = same_check(path, out, path.name, out.name)
    T.check(f"{label}: check says the same", ok, detail)
    again = run("fmt", "--check", out)
    T.check(f"{label}: a fixed point", again.returncode == 0, again.stdout.decode("utf-8", "replace")[:3000])
    # 4. Swedish and back (docs/svenska.md): the same tree, and back to this text exactly; or
    # refused, where a name of the contract is a Swedish keyword.
    sv = run("fmt", "--lang", "sv", path)
    if sv.returncode == 0:
        sv_path = work / f"sv-{path.name}"
        sv_path.write_bytes(sv.stdout)
        T.check(f"{label}: the same tree in Swedish", run("fmt", "--ast", sv_path).stdout == dump_a.stdout, sv.stdout.decode()[:3000])
        back = run("fmt", "--lang", "en", sv_path)
        T.check(f"{label}: to Swedish and back is exact", back.stdout == formatted, back.stdout.decode()[:3000])
        T.check(f"{label}: Swedish is a fixed point", run("fmt", "--check", sv_path).returncode == 0)
    else:
        T.check(f"{label}: refused in Swedish only for a name that is a Swedish keyword",
                label.startswith(("corpus", "generated")) and b"is a Swedish keyword" in sv.stderr, sv.stderr.decode()[:500])
    ca = comments(original.decode("utf-8", "replace"))
    cb = comments(formatted.decode("utf-8", "replace"))
    T.check(f"{label}: the comments kept in order", ca == cb, f"{ca}\n{cb}")
    return formatted


def parallel(jobs):
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda job: job(), jobs))


# ---- examples: also the same `utfall test` output ----
def example_job(folder):
    def job():
        copy = tmp / "examples" / folder.name
        shutil.copytree(folder, copy)
        formatted = round_trip(f"examples/{folder.name}", folder / "contract.utfall", tmp / "examples-formatted" / folder.name)
        T.check(f"examples/{folder.name}: parses", formatted is not None)
        if formatted is None:
            return
        before = run("test", "contract.utfall", cwd=copy)
        (copy / "contract.utfall").write_bytes(formatted)
        after = run("test", "contract.utfall", cwd=copy)
        T.check(f"examples/{folder.name}: test says the same", (before.returncode, before.stdout) == (after.returncode, after.stdout),
                f"{before.stdout.decode()}\n---\n{after.stdout.decode()}")
    return job


examples = sorted(p for p in (src / "examples").iterdir() if (p / "contract.utfall").is_file())
parallel([example_job(p) for p in examples])
T.check("all examples seen", len(examples) >= 10, f"{len(examples)}")

# ---- the fuzz corpora ----
corpus = sorted(p for d in ("fuzz_parse", "fuzz_check") for p in (src / "tests/fuzz/corpus" / d).iterdir() if p.is_file())
results = parallel([lambda p=p, k=k: round_trip(f"corpus {p.parent.name}/{p.name}", p, tmp / "corpus" / str(k))
                    for k, p in enumerate(corpus)])
T.check("corpus: most seeds parse and format", sum(r is not None for r in results) >= len(corpus) // 3,
        f"{sum(r is not None for r in results)} of {len(corpus)}")

# ---- generated contracts (random layout, comments, `_` in numbers, modifier order) ----
def generated_job(seed):
    def job():
        c = gen.generate(seed)
        folder = tmp / "gen" / str(seed)
        folder.mkdir(parents=True)
        path = folder / "contract.utfall"
        path.write_text(syntax.to_text(c, random.Random(seed)), encoding="utf-8")
        T.check(f"generated {seed}: formats", round_trip(f"generated {seed}", path, folder / "formatted") is not None)
    return job


parallel([generated_job(seed) for seed in range(7000, 7000 + GENERATED)])

# ---- a small contract and its canonical layout, written out by hand ----
SMALL = '''# Header comment.
contract   "Liten" # the title
currency SEK
party a
party bb  "B och B"

periods yearly 2025..2026
input x:SEK per period   # cost
input längd : number per period from 2026 between 0 and 10
term p=30%
term långt_namn = 1_000_000 SEK # "not a string" # still the comment
term s="a # not a comment"
clause "1" "T" {


  let v = (x+p*x)   -  (2 SEK)
  let w = -(x - x) * 2
  let summa = (if x > 0 SEK then x else 0 SEK) # first
     + (if x > 1 SEK then x else 0 SEK) - (if x > 2 SEK then x else 0 SEK)
  pay betalning: a -> bb amount v when v > 0 SEK and not (v = 1 SEK) capped at 5 SEK per period, 9 SEK in total
      rounded half_up to 0.01
  # before the waterfall
  waterfall a pays v netted {
    first: bb up to 3 SEK
    andra_nivan: bb 50 % of rest, rounded half_even to 0.01
    rest to a # the rest
  }
}
'''
EXPECTED = '''# Header comment.
contract "Liten"  # the title
currency SEK
party a
party bb "B och B"

periods yearly 2025 .. 2026
input x     : SEK per period  # cost
input längd : number per period from 2026 between 0 and 10
term p          = 30 %
term långt_namn = 1_000_000 SEK  # "not a string" # still the comment
term s          = "a # not a comment"
clause "1" "T" {
  let v     = x + p * x - 2 SEK
  let w     = -(x - x) * 2
  let summa = (if x > 0 SEK then x else 0 SEK)  # first
            + (if x > 1 SEK then x else 0 SEK)
            - (if x > 2 SEK then x else 0 SEK)
  pay betalning: a -> bb
    amount v
    when v > 0 SEK and not v = 1 SEK
    capped at 5 SEK per period, 9 SEK in total
    rounded half_up to 0.01
  # before the waterfall
  waterfall a pays v netted {
    first:       bb up to 3 SEK
    andra_nivan: bb 50 % of rest, rounded half_even to 0.01
    rest to a  # the rest
  }
}
'''
hand = tmp / "hand"
hand.mkdir()
small = hand / "small.utfall"
small.write_text(SMALL, encoding="utf-8")
r = run("fmt", small)
T.check("hand: exits 0", r.returncode == 0, r.stderr.decode())
T.check("hand: the layout written out by hand", r.stdout.decode() == EXPECTED, "\n" + r.stdout.decode())
fixed = hand / "fixed.utfall"
fixed.write_text(EXPECTED, encoding="utf-8")
T.check("hand: the expected text is formatted (--check exits 0, prints nothing)",
        (run("fmt", "--check", fixed).returncode, run("fmt", "--check", fixed).stdout) == (0, b""))
d = run("fmt", "--check", small, fixed)
diff = d.stdout.decode()
T.check("--check: exits 1 when a file is not formatted", d.returncode == 1, d.stderr.decode())
T.check("--check: a unified diff headed by the file name", diff.startswith(f"--- {small}\n+++ {small}") and "\n@@ -" in diff, diff)
T.check("--check: the diff names only the file not formatted", str(fixed) not in diff, diff)
T.check("--check: the diff removes the old line and adds the new", '\n-contract   "Liten" # the title\n' in diff
        and '\n+contract "Liten"  # the title\n' in diff, diff)
T.check("--check: writes nothing", small.read_text(encoding="utf-8") == SMALL)
# The diff, applied by patch(1) where it is installed, gives the formatted text.
if shutil.which("patch"):
    p = subprocess.run(["patch", "-s", "-o", str(hand / "patched"), str(small)], input=d.stdout, capture_output=True)
    T.check("--check: the diff applies with patch", p.returncode == 0 and (hand / "patched").read_text(encoding="utf-8") == EXPECTED,
            p.stderr.decode())
w = run("fmt", "--write", small, fixed)
T.check("--write: exits 0", w.returncode == 0, w.stderr.decode())
T.check("--write: rewrites the file", small.read_text(encoding="utf-8") == EXPECTED)
T.check("--write: leaves a formatted file as it was", fixed.read_text(encoding="utf-8") == EXPECTED)
T.check("--check and --write together: usage (64)", run("fmt", "--check", "--write", small).returncode == 64)
T.check("two files without --check or --write: usage (64)", run("fmt", small, fixed).returncode == 64)

# ---- hostile input ----
def hostile(label, text, code, where=None):
    path = hand / f"{label.replace(' ', '_')}.utfall"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    r = run("fmt", path)
    err = r.stderr.decode("utf-8", "replace")
    T.check(f"hostile {label}: exit {code}", r.returncode == code, f"{r.returncode}\n{err[:500]}")
    if where:
        T.check(f"hostile {label}: the diagnostic names {where}", f"{path}:{where}" in err, err[:500])
    return r


HEAD = 'contract "H"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2026\n'
hostile("unterminated string", HEAD + 'term t = "abc\n', 2, "6:")
hostile("unterminated title", 'contract "H\n', 2, "1:")
r = hostile("hash in strings", HEAD + 'party c "# not a comment"\nterm t = "x#y" # real\n', 0)
T.check("hostile hash in strings: kept", r.stdout.decode().count("#") == 3 and "# real" in r.stdout.decode(), r.stdout.decode())
long_sum = " + ".join(f"{k}_000 SEK" for k in range(900))
r = hostile("long line", HEAD + f"term t = {long_sum}\n", 0)
# `term t = ` puts the `=` at column 7: each further operand on a line of its own under it.
T.check("hostile long line: one operand a line under the `=`",
        r.stdout.decode().endswith("term t = 0_000 SEK\n" + "".join(f"       + {k}_000 SEK\n" for k in range(1, 900))),
        r.stdout.decode()[-300:])
deep = HEAD + "term t = " + "(" * 150 + "1" + ")" * 150 + "\n"
r = hostile("deep brackets", deep, 0)
T.check("hostile deep brackets: the brackets go", "term t = 1\n" in r.stdout.decode(), r.stdout.decode()[-300:])
hostile("too deep", HEAD + "term t = " + "(" * 5000 + "1" + ")" * 5000 + "\n", 5)
r = hostile("deep negation", HEAD + "term t = " + "-" * 150 + "1\n", 0)
T.check("hostile deep negation: kept", "-" * 150 + "1" in r.stdout.decode())
hostile("not utf-8", HEAD.encode() + b"term t = \xff\n", 2)
r = hostile("empty file", "", 0)
T.check("hostile empty file: empty output", r.stdout == b"", r.stdout)
T.check("hostile missing file: exit 3", run("fmt", hand / "no-such.utfall").returncode == 3)
# A name is read in NFC; α + U+0313 composes to U+1F00, which a name cannot hold: the name is
# printed as written.
nfc = hand / "nfc.utfall"
nfc.write_text(HEAD + "term xα\u0313 = 1\nterm a\u0308 = 2\nterm b = xα\u0313 + a\u0308\n", encoding="utf-8")
T.check("names not in NFC: formatted", round_trip("names not in NFC", nfc, hand / "nfc") is not None)
r = hostile("comment at end without line end", HEAD + "term t = 1 # end", 0)
T.check("hostile comment at end: kept", r.stdout.decode().endswith("# end\n"), r.stdout.decode())

shutil.rmtree(tmp, ignore_errors=True)
T.finish()
