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
Literate contracts (.md): generated contracts and the examples written as Markdown (clauses under
numbered headings, prose, other fences) keep their tree, prose and comments, are a fixed point,
go to Swedish and back exactly, and each block comes out as fmt writes the same text in a .utfall
file; the small contract above, as Markdown, gives the hand-written layout.
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
# Under the sanitizers (ten processes a file, each ten times slower) every fourth file: what they
# look for is in the code paths, which a quarter of the corpus reaches; the release build reads all.
if SANITIZED:
    corpus = corpus[::4]
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

# ---- literate contracts: each ```utfall block formatted in place, the prose as it was ----
def outside_blocks(text):
    """The lines of a Markdown text outside its ```utfall / ~~~utfall blocks, fences included,
    read here the CommonMark way for the fences these tests write (not indented)."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"(`{3,}|~{3,})\s*(\S*)", line)
        if fence is None:
            out.append(line)
            if m and m.group(2) == "utfall":
                fence = m.group(1)
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and m.group(2) == "":
            out.append(line)
            fence = None
    return out


def blocks_of(text):
    """The text of each ```utfall / ~~~utfall block (as above), in order."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"(`{3,}|~{3,})\s*(\S*)", line)
        if fence is None:
            if m and m.group(2) == "utfall":
                fence, lines = m.group(1), []
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and m.group(2) == "":
            out.append("".join(x + "\n" for x in lines))
            fence = None
        else:
            lines.append(line)
    return out


def as_plain(block, clause, folder):
    """What `fmt` makes of a block's text in a .utfall file (in `folder`): the block itself, or,
    for a clause's body, the clause written out around it, its first and last lines and
    indentation then taken off again."""
    if clause is None:
        path = folder / "block.utfall"
        path.write_text(block, encoding="utf-8")
        return run("fmt", path).stdout.decode()
    number, title = clause
    path = folder / "clause.utfall"
    path.write_text(f'clause "{number}"' + (f' "{title}"' if title else "") + " {\n" + block + "}\n", encoding="utf-8")
    lines = run("fmt", path).stdout.decode().split("\n")[1:-2]
    return "".join((x[2:] if x.startswith("  ") else x) + "\n" for x in lines)


ITEM = re.compile(r"  (let|pay|waterfall|for|table|scale)\b")


def literate(text, rng):
    """A Markdown contract made of a contract's text, its declarations in their order: each
    clause under a numbered heading with its items (as indented as they were) in one or two
    blocks, the declarations between the clauses in blocks under unnumbered headings, prose, a
    csv block holding a numbered heading, ``` and ~~~ fences. Also the block texts with the
    clause each belongs to, for `as_plain`."""
    lines = text.rstrip("\n").split("\n")
    out = ["# An agreement", "", "Prose with `code` and a ```` ``` ```` in it.", "", "```csv", "## 9 not a heading", "a,b", "```", ""]
    blocks, rest, parts = [], [], 0

    def block(text_lines, clause):
        fence = rng.choice(["```", "~~~", "````"])
        out.extend([fence + "utfall"] + text_lines + [fence, ""])
        blocks.append(("".join(x + "\n" for x in text_lines), clause))

    def declarations():
        """The declarations read since the last clause, cut where one begins at the left edge."""
        nonlocal rest, parts
        if not rest:
            return
        starts = [k for k, x in enumerate(rest) if re.match(r"(contract|currency|party|unit|periods|input|term|let|table|scale|example|clause)\b", x)]
        cuts = sorted(set([0] + rng.sample(starts, min(len(starts), 2)) + [len(rest)]))
        for a, b in zip(cuts, cuts[1:]):
            parts += 1
            out.extend([f"## Definitions, part {parts}", "", "What these declarations say.", ""])
            block(rest[a:b], None)
        rest = []

    i = 0
    while i < len(lines):
        m = re.fullmatch(r'clause "([0-9.]+)"(?: "([^"\\#]*)")? \{', lines[i])
        if not m:
            rest.append(lines[i])
            i += 1
            continue
        j = lines.index("}", i + 1)
        body = lines[i + 1:j]
        if not any(x.strip() for x in body):  # an empty clause has no item to stand under a heading: written out
            rest += lines[i:j + 1]
            i = j + 1
            continue
        declarations()
        number, title = m.group(1), m.group(2)
        level = rng.choice(["##", "###"])
        out.extend([f"{level} {number}" + (f" {title}" if title else ""), "", f"Clause {number} in words.", ""])
        items = [k for k, x in enumerate(body) if ITEM.match(x)]
        split = rng.choice(items[1:]) if len(items) > 1 and rng.random() < 0.5 else None
        if split is None:
            block(body, (number, title))
        else:  # a deeper heading without a number does not end the clause
            block(body[:split], (number, title))
            out.extend(["#### A note", "", "More about the clause.", ""])
            block(body[split:], (number, title))
        i = j + 1
    declarations()
    out += ["## Signatures", "", "Signed by the parties."]
    return "\n".join(out) + "\n", blocks


def literate_job(label, plain_text, seed):
    def job():
        rng = random.Random(seed)
        md_text, block_texts = literate(plain_text, rng)
        folder = tmp / "literate" / label.replace(" ", "_")
        folder.mkdir(parents=True)
        plain, md = folder / "contract.utfall", folder / "contract.md"
        plain.write_text(plain_text, encoding="utf-8")
        md.write_text(md_text, encoding="utf-8")
        if run("fmt", "--ast", plain).returncode != 0:
            return
        tree = run("fmt", "--ast", md)
        T.check(f"{label}: the Markdown reads as the contract (its numbered headings as the clauses)",
                tree.returncode == 0 and tree.stdout == run("fmt", "--ast", plain).stdout, tree.stderr.decode()[:2000] + md_text[:3000])
        r = run("fmt", md)
        T.check(f"{label}: formats", r.returncode == 0, r.stderr.decode()[:2000])
        if r.returncode != 0:
            return
        formatted = r.stdout.decode()
        T.check(f"{label}: the prose, headings and fences byte for byte", outside_blocks(formatted) == outside_blocks(md_text))
        got = blocks_of(formatted)
        want = [as_plain(b, c, folder) for b, c in block_texts]
        T.check(f"{label}: each block as fmt writes the same text in a .utfall file", got == want,
                "\n".join(f"{g!r}\n{w!r}" for g, w in zip(got, want) if g != w)[:3000])
        out = folder / "formatted.md"
        out.write_text(formatted, encoding="utf-8")
        T.check(f"{label}: the same tree", run("fmt", "--ast", out).stdout == tree.stdout)
        again = run("fmt", "--check", out)
        T.check(f"{label}: a fixed point", (again.returncode, again.stdout) == (0, b""), again.stdout.decode()[:2000])
        T.check(f"{label}: the comments kept in order", comments("".join(got)) == comments("".join(b for b, _ in block_texts)))
        sv = run("fmt", "--lang", "sv", out)
        if sv.returncode == 0:
            sv_path = folder / "sv.md"
            sv_path.write_bytes(sv.stdout)
            T.check(f"{label}: the same tree in Swedish", run("fmt", "--ast", sv_path).stdout == tree.stdout)
            T.check(f"{label}: the prose untouched in Swedish", outside_blocks(sv.stdout.decode()) == outside_blocks(md_text))
            back = run("fmt", "--lang", "en", sv_path)
            T.check(f"{label}: to Swedish and back is exact", back.stdout.decode() == formatted, back.stdout.decode()[:2000])
        else:
            T.check(f"{label}: refused in Swedish only for a name that is a Swedish keyword", b"is a Swedish keyword" in sv.stderr,
                    sv.stderr.decode()[:500])
    return job


literate_jobs = [literate_job(f"literate generated {seed}", syntax.to_text(gen.generate(seed), random.Random(seed)), seed)
                 for seed in range(8000, 8000 + max(10, GENERATED // 5))]
literate_jobs += [literate_job(f"literate examples/{p.name}", (p / "contract.utfall").read_text(encoding="utf-8"), k)
                  for k, p in enumerate(examples)]
parallel(literate_jobs)

# The hand-written contract above, as Markdown: its clause under the heading "1 T", every line
# as badly laid out as above; fmt makes of each block what EXPECTED has, the prose untouched.
top, _, rest = SMALL.partition('clause "1" "T" {\n')
body = rest.rstrip("\n")[:-1]  # without the clause's `}`
PROSE = "# Liten\n\nThe contract's prose.\n\n"
small_md = hand / "small.md"
small_md.write_text(PROSE + "```utfall\n" + top + "```\n\n## 1 T\n\nThe clause in words.\n\n~~~~utfall\n" + body + "~~~~\n\nSigned.\n",
                    encoding="utf-8")
e_top, _, e_rest = EXPECTED.partition('clause "1" "T" {\n')
e_body = "".join((x[2:] if x.startswith("  ") else x) + "\n" for x in e_rest.rstrip("\n").split("\n")[:-1])
SMALL_MD = PROSE + "```utfall\n" + e_top + "```\n\n## 1 T\n\nThe clause in words.\n\n~~~~utfall\n" + e_body + "~~~~\n\nSigned.\n"
r = run("fmt", small_md)
T.check("hand, Markdown: the blocks as EXPECTED has them, the prose as it was", (r.returncode, r.stdout.decode()) == (0, SMALL_MD),
        r.stdout.decode() + r.stderr.decode())
d = run("fmt", "--check", small_md)
changed = [x[1:] for x in d.stdout.decode().split("\n")[2:] if x.startswith(("-", "+"))]
T.check("hand, Markdown: --check exits 1 with a diff of the blocks' lines only",
        d.returncode == 1 and d.stdout.decode().startswith(f"--- {small_md}\n") and "\n-contract   \"Liten\" # the title\n" in d.stdout.decode()
        and not set(changed) & {"# Liten", "The contract's prose.", "```utfall", "```", "## 1 T", "The clause in words.", "~~~~utfall", "~~~~", "Signed."},
        d.stdout.decode())
T.check("hand, Markdown: --check writes nothing", small_md.read_text(encoding="utf-8").startswith(PROSE + "```utfall\n" + top))
w = run("fmt", "--write", small_md)
T.check("hand, Markdown: --write rewrites it", w.returncode == 0 and small_md.read_text(encoding="utf-8") == SMALL_MD, w.stderr.decode())
T.check("hand, Markdown: then --check exits 0", run("fmt", "--check", small_md).returncode == 0)
summa_line = SMALL_MD.split("\n").index("let summa = (if x > 0 SEK then x else 0 SEK)  # first") + 1
r = run("fmt", "--lang", "sv", "--write", small_md)
T.check(f"hand, Markdown: --lang sv refuses it (exit 2) at `summa`, a Swedish keyword, small.md:{summa_line}:5; writes nothing",
        r.returncode == 2 and f"small.md:{summa_line}:5: error[E101]: the name `summa` is a Swedish keyword" in r.stderr.decode()
        and small_md.read_text(encoding="utf-8") == SMALL_MD, r.stderr.decode())
# --lang: the keywords of the blocks only, the heading's clause in the other set too; written out by hand.
EN_MD = ('# Avtal\n\nProse: let, pay and amount stay.\n\n```utfall\ncontract "L"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2026\n```\n\n'
         "## 1 Betalning\n\n```utfall\nlet x = 2 SEK\npay a -> b amount x when x > 1 SEK\n```\n")
EN_FORMATTED = EN_MD.replace("pay a -> b amount x when x > 1 SEK", "pay a -> b\n  amount x\n  when x > 1 SEK")
SV_MD = ('# Avtal\n\nProse: let, pay and amount stay.\n\n```utfall\navtal "L"\nvaluta SEK\npart a\npart b\nperioder årsvis 2025 .. 2026\n```\n\n'
         "## 1 Betalning\n\n```utfall\nlåt x = 2 SEK\nbetalning a -> b\n  belopp x\n  när x > 1 SEK\n```\n")
en_md = hand / "en.md"
en_md.write_text(EN_MD, encoding="utf-8")
sv = run("fmt", "--lang", "sv", en_md)
T.check("hand, Markdown: --lang sv, the text written out by hand", (sv.returncode, sv.stdout.decode()) == (0, SV_MD), sv.stdout.decode() + sv.stderr.decode())
sv_md = hand / "sv.md"
sv_md.write_text(SV_MD, encoding="utf-8")
en = run("fmt", "--lang", "en", sv_md)
T.check("hand, Markdown: --lang en of that, back to the English formatted by hand", (en.returncode, en.stdout.decode()) == (0, EN_FORMATTED),
        en.stdout.decode() + en.stderr.decode())
T.check("hand, Markdown: the Swedish file reads as the English one", run("fmt", "--ast", sv_md).stdout == run("fmt", "--ast", en_md).stdout)
CRLF = "Prose.\r\n\r\n## 2 Two\r\n\r\n```utfall\r\nlet   x=1\r\n```\r\nEnd.\r\n"
crlf = hand / "crlf.md"
crlf.write_bytes(CRLF.encode())
r = run("fmt", crlf)
T.check("a Markdown file with CRLF line ends: the block's lines end in CRLF too", r.stdout == CRLF.replace("let   x=1", "let x = 1").encode(),
        r.stdout)
split_md = hand / "split.md"
split_md.write_text('```utfall\ncontract "S"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2026\nclause "1" {\n```\n\nProse.\n\n'
                    "```utfall\n  let x = 1\n}\n```\n", encoding="utf-8")
r = run("fmt", split_md)
# The first block ends at line 8, its closing fence, with the clause it opened still open.
T.check("a clause split over two blocks: fmt refuses (2), where the block ends, saying why; the file as it was",
        r.returncode == 2 and f"{split_md}:8:1: error[E101]" in r.stderr.decode() and "each ```utfall block on its own" in r.stderr.decode()
        and run("check", split_md).returncode == 0, r.stderr.decode())

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
