"""Literate contracts (docs/language.md §2.10): a Markdown file whose ```utfall blocks are the
contract. Checked against the plain contracts, which are independent of the Markdown reading:

1. examples/a-aldreomsorg/avtal.md (scenario A in Swedish, with its prose): `utfall test`
   passes all its expectations, and `run` prints for every data file what the English
   contract.utfall prints.
2. Every example contract wrapped in prose, headings and blocks of other languages, split into
   several blocks: the same `run` and `check` output as the plain file.
3. A mistake in a block: the diagnostic names the Markdown file's own line and column (computed
   here from where the mistake was put) and a note names the heading above it.
4. Fences as CommonMark has them: ~~~, longer fences, up to three spaces of indentation; four
   spaces is not a fence; `utfallx` and `csv` blocks are prose; a block left open runs to the end.
5. A Markdown file with no utfall block is E105.
6. Numbered headings: the blocks under `## 3.1 Title` that hold clause items only are clause 3.1
   "Title". Each case is a Markdown file and the plain contract written by hand that it must read
   as (the same `fmt --ast` tree): heading levels, unnumbered headings, a heading over
   declarations or over both kinds, an explicit clause, no block, empty blocks, numbers that are
   not clause numbers, quotes and backslashes in titles, a block left open. In avtal.md, `explain`
   cites clauses 3.1 and 3.2 at the Markdown's lines; a mistake in such a block is reported at
   its Markdown line and column, in its clause; a clause number given twice is reported at the
   heading's line.
7. `fmt` of avtal.md: the prose as it was, a fixed point, the same tree; English and back.
8. Markdown of random pieces: never a crash; what fmt writes is a fixed point with the same tree.
"""
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import SANITIZED, Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
work = Path(tempfile.mkdtemp(prefix="utfall-literate-"))
A = src / "examples/a-aldreomsorg"


def run(*args, cwd=None):
    return subprocess.run([utfall, *map(str, args)], capture_output=True, cwd=cwd, timeout=120)


# 1. The Swedish literate scenario.
t = run("test", A / "avtal.md")
T.check("avtal.md: utfall test passes every expectation", t.returncode == 0 and b"7 passed, 0 failed" in t.stdout, t.stdout + t.stderr)
for data in ("plan", "messy", "fail"):
    for fmt in ("table", "json"):
        a = run("run", A / "contract.utfall", "--data", A / f"{data}.csv", "--format", fmt)
        b = run("run", A / "avtal.md", "--data", A / f"{data}.csv", "--format", fmt)
        T.check(f"avtal.md: run {data} ({fmt}) as contract.utfall", a.returncode == 0 and (b.returncode, b.stdout) == (0, a.stdout), b.stderr)
prose = (A / "avtal.md").read_text(encoding="utf-8")
outside = re.sub(r"```utfall\n.*?```", "", prose, flags=re.S)
T.check("avtal.md: it is mostly prose (25 lines or more outside its blocks)", len([x for x in outside.split("\n") if x.strip()]) >= 25,
        outside[:300])


# 2. Every example wrapped: prose, headings, a csv block, the contract split into blocks at its
#    blank lines (each top-level declaration group in its own block).
def wrap(text, fence="```"):
    groups = re.split(r"\n\s*\n(?=\S)", text.strip("\n"))
    out = ["# An agreement", "", "Prose before the rules, with `code` and a ```` ``` ```` in it.", "",
           "```csv", "period,amount", "2025,not a contract", "```", ""]
    for k, g in enumerate(groups):
        out += [f"## Section {k + 1}", "", f"Paragraph {k + 1} says what the block below does.", "", fence + "utfall"]
        out += g.split("\n")
        out += [fence, ""]
    out += ["Closing words."]
    return "\n".join(out) + "\n"


for contract in sorted(src.glob("examples/*/contract.utfall")):
    folder = contract.parent
    literate = folder / "literate-test.md"  # beside the contract: its examples' data files are named from there
    try:
        literate.write_text(wrap(contract.read_text(encoding="utf-8")), encoding="utf-8")
        a, b = run("check", contract), run("check", literate)
        T.check(f"{folder.name}: check as the plain file", (a.returncode, a.stdout.replace(b"contract.utfall", b"X")) ==
                (b.returncode, b.stdout.replace(b"literate-test.md", b"X")), (a.stdout, b.stdout, b.stderr))
        a, b = run("test", contract), run("test", literate)
        T.check(f"{folder.name}: test as the plain file", (a.returncode, a.stdout.replace(b"contract.utfall", b"X")) ==
                (b.returncode, b.stdout.replace(b"literate-test.md", b"X")), (a.stdout, b.stdout))
    finally:
        literate.unlink(missing_ok=True)

# 3. A mistake, at a line and column known here, and the heading above it.
text = wrap((A / "contract.utfall").read_text(encoding="utf-8").replace("max(baslinje", "maxx(baslinje"))
bad = work / "bad.md"
bad.write_text(text, encoding="utf-8")
lines = text.split("\n")
line = next(i for i, s in enumerate(lines, 1) if "maxx(" in s)
column = lines[line - 1].index("maxx(") + 1
heading = next(s for s in reversed(lines[:line]) if s.startswith("## "))
heading_line = max(i for i, s in enumerate(lines[:line], 1) if s == heading)
r = run("check", bad)
err = r.stderr.decode()
T.check("a mistake: exit 2", r.returncode == 2, err)
T.check(f"a mistake: at bad.md:{line}:{column}", f"bad.md:{line}:{column}: error[E209]" in err, err)
T.check(f"a mistake: the note names the heading “{heading[3:]}” at its line", f"bad.md:{heading_line}:1: note: under the heading “{heading[3:]}”" in err,
        err)

# 4. Fences.
body = (A / "contract.utfall").read_text(encoding="utf-8")
plain_run = run("run", A / "contract.utfall", "--data", A / "plan.csv").stdout
for label, doc, ok in [
    ("~~~ fences", "Text.\n\n~~~utfall\n" + body + "~~~\n", True),
    ("a fence of five backticks, closed by six", "`````utfall\n" + body + "``````\n", True),
    ("a fence indented three spaces", "   ```utfall\n" + body + "   ```\n", True),
    ("an info string with more words", "```utfall title=\"A\"\n" + body + "```\n", True),
    ("a block left open runs to the end", "Text.\n```utfall\n" + body, True),
    ("a block of another language with the contract in it is prose", "```utfallx\n" + body + "```\n", False),
    ("four spaces: an indented code block, not a fence", "    ```utfall\n" + body + "    ```\n", False),
    ("a fence closed by the other character does not close", "```utfall\n" + body + "~~~\nprose that is code\n", None),
]:
    path = work / "fence.md"
    path.write_text(doc, encoding="utf-8")
    r = run("run", path, "--data", A / "plan.csv")
    if ok is True:
        T.check(f"fences: {label}: the contract's schedule", (r.returncode, r.stdout) == (0, plain_run), r.stderr)
    elif ok is False:
        T.check(f"fences: {label}: no block, E105", r.returncode == 2 and b"E105" in r.stderr, r.stderr)
    else:
        T.check(f"fences: {label}: the prose after it is read as code (a syntax error)", r.returncode == 2 and b"E101" in r.stderr, r.stderr)

# 5. No block; fmt.
none = work / "none.md"
none.write_text("# Only prose\n\nNo rules here.\n\n```csv\na,b\n```\n", encoding="utf-8")
r = run("check", none)
T.check("no utfall block: E105, exit 2, naming the file", r.returncode == 2 and b"E105" in r.stderr and b"none.md" in r.stderr, r.stderr)

# 6. Numbered headings.
HEAD_MD = '# An agreement\n\n```utfall\ncontract "N"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2026\n```\n\n'
HEAD_PLAIN = 'contract "N"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2026\n'


def reads_as(label, markdown, plain, head_md=HEAD_MD, head_plain=HEAD_PLAIN):
    """The Markdown reads as the plain contract written by hand: the same tree, and both check."""
    md, ut = work / "case.md", work / "case.utfall"
    md.write_text(head_md + markdown, encoding="utf-8")
    ut.write_text(head_plain + plain, encoding="utf-8")
    a, b = run("fmt", "--ast", md), run("fmt", "--ast", ut)
    T.check(f"headings: {label}", a.returncode == 0 and b.returncode == 0 and a.stdout == b.stdout,
            (a.stdout + a.stderr + b"\n---\n" + b.stdout + b.stderr).decode())
    c = run("check", md)
    T.check(f"headings: {label}: checks", c.returncode == 0, c.stderr.decode())


reads_as("a numbered heading opens its clause for the blocks beneath it",
         "## 2.1 Fee\n\nThe fee.\n\n```utfall\nlet fee = 100 SEK\npay a -> b amount fee\n```\n\nMore prose.\n\n```utfall\nlet other = 1\n```\n",
         'clause "2.1" "Fee" {\n  let fee = 100 SEK\n  pay a -> b amount fee\n  let other = 1\n}\n')
reads_as("a deeper unnumbered heading stays in the clause; a numbered one of any level ends it; so does one as high",
         "## 3 Parent\n\n```utfall\nlet p = 1\n```\n\n### Note\n\n```utfall\nlet q = 2\n```\n\n### 3.1 Child\n\n```utfall\nlet r = 3\n```\n\n"
         "#### Still the child\n\n```utfall\nlet s = 4\n```\n\n## Other\n\n```utfall\nlet t = 5\n```\n",
         'clause "3" "Parent" {\n  let p = 1\n  let q = 2\n}\nclause "3.1" "Child" {\n  let r = 3\n  let s = 4\n}\nlet t = 5\n')
reads_as("a heading as high as a deeper numbered one ends its clause, even without a number",
         "#### 3.2 Deep\n\n```utfall\nlet d1 = 1\n```\n\n### Higher\n\n```utfall\nlet d2 = 2\n```\n",
         'clause "3.2" "Deep" {\n  let d1 = 1\n}\nlet d2 = 2\n')
reads_as("a level-1 numbered heading, and a level-6 one",
         "# 4 Top\n\n```utfall\nlet u = 1\n```\n\n###### 4.1.1.1 Deep\n\n```utfall\nlet v = 2\n```\n",
         'clause "4" "Top" {\n  let u = 1\n}\nclause "4.1.1.1" "Deep" {\n  let v = 2\n}\n')
reads_as("an unnumbered heading opens nothing",
         "## Fees\n\n```utfall\nlet w = 1\n```\n", "let w = 1\n")
reads_as("a heading over declarations keeps them declarations",
         "## 5 Terms\n\n```utfall\nterm x = 1\nlet y = 2\n```\n", "term x = 1\nlet y = 2\n")
reads_as("a heading over both kinds of block keeps the plain reading",
         "## 5 Mixed\n\n```utfall\nlet y = 2\n```\n\n```utfall\nterm x = 1\n```\n", "let y = 2\nterm x = 1\n")
reads_as("an explicit clause under a numbered heading is as written",
         '## 6 Explicit\n\n```utfall\nclause "6" "Written out" {\n  let z = 1\n}\n```\n', 'clause "6" "Written out" {\n  let z = 1\n}\n')
reads_as("a numbered heading with no block, or only empty ones, opens nothing",
         "## 7 Nothing\n\nProse.\n\n## 8 Empty\n\n```utfall\n```\n\n```utfall\n\n# only a comment\n\n```\n\n## Rest\n\n```utfall\nlet e = 1\n```\n",
         "let e = 1\n")
reads_as("numbers that are not clause numbers make ordinary headings",
         "## 9.a Lettered\n\n```utfall\nlet f = 1\n```\n\n## 2025-03 A month\n\n```utfall\nlet g = 2\n```\n\n"
         "## 10x Joined\n\n```utfall\nlet h = 3\n```\n\n## .5 Point\n\n```utfall\nlet i = 4\n```\n",
         "let f = 1\nlet g = 2\nlet h = 3\nlet i = 4\n")
reads_as("a number with a point after it, and one with no title",
         "## 11. Dotted\n\n```utfall\nlet j = 1\n```\n\n## 12\n\n```utfall\nlet k = 2\n```\n",
         'clause "11" "Dotted" {\n  let j = 1\n}\nclause "12" {\n  let k = 2\n}\n')
reads_as("quotes, a backslash and a `#` in a title (closing #s of the heading are not)",
         '## 13 Say "hi" \\ and # more ##\n\n```utfall\nlet l = 1\n```\n',
         'clause "13" "Say \\"hi\\" \\\\ and # more" {\n  let l = 1\n}\n')
reads_as("a block left open runs to the end and closes its clause there",
         "## 14 Open\n\n```utfall\nlet m = 1\npay a -> b amount 2 SEK\n", 'clause "14" "Open" {\n  let m = 1\n  pay a -> b amount 2 SEK\n}\n')
reads_as("a block left open on the file's last line, without a line end",
         "## 15 Open\n\n```utfall\nlet n = 1", 'clause "15" "Open" {\n  let n = 1\n}\n')
reads_as("a numbered heading inside a block of another language is not a heading",
         "## 16 Real\n\n```text\n## 17 Not a heading\n```\n\n```utfall\nlet o = 1\n```\n", 'clause "16" "Real" {\n  let o = 1\n}\n')
reads_as("comments in the block, before and after its item",
         "## 18 Title\n\n```utfall\n# a comment first\n\nlet o2 = 1 # and after\n```\n", 'clause "18" "Title" {\n  let o2 = 1\n}\n')
reads_as("a Swedish file: its heading's clause is a `punkt` (the file's first word says Swedish)",
         "## 19 Avgift\n\n```utfall\nlåt avgift = 100 SEK\nbetalning a -> b belopp avgift\n```\n",
         'punkt "19" "Avgift" {\n  låt avgift = 100 SEK\n  betalning a -> b belopp avgift\n}\n',
         head_md=HEAD_MD.replace("contract", "avtal").replace("currency", "valuta").replace("party", "part").replace("periods yearly", "perioder årsvis"),
         head_plain=HEAD_PLAIN.replace("contract", "avtal").replace("currency", "valuta").replace("party", "part").replace("periods yearly", "perioder årsvis"))

# In avtal.md (Swedish), clauses 3.1 and 3.2 are written as headings only: explain cites them by
# number and title, at the Markdown's lines.
md_lines = prose.split("\n")
T.check("avtal.md: clauses 3.1 and 3.2 are headings, not written out", 'punkt "' not in prose and "## 3.1 Frigjorda resurser" in md_lines
        and "## 3.2 Återbetalning" in md_lines)
waterfall_line = next(i for i, x in enumerate(md_lines, 1) if x.startswith("betalningsordning aterbetalning:"))
let_line = next(i for i, x in enumerate(md_lines, 1) if x.startswith("låt frigjort"))
e = run("explain", A / "avtal.md", "--data", A / "plan.csv").stdout.decode()
T.check(f"avtal.md: explain cites clause 3.2 \"Återbetalning\" at avtal.md:{waterfall_line}",
        f'2027 · clause 3.2 "Återbetalning" · waterfall aterbetalning ({A / "avtal.md"}:{waterfall_line})' in e, e[:600])
T.check(f"avtal.md: explain cites the definition in clause 3.1 at line {let_line}", f"clause 3.1, line {let_line})" in e, e[:1500])

# A mistake in a block under a numbered heading: at its Markdown line and column, in its clause.
bad_text = prose.replace("max(baslinje", "maxx(baslinje")
bad = work / "avtal-bad.md"
bad.write_text(bad_text, encoding="utf-8")
bad_lines = bad_text.split("\n")
line = next(i for i, x in enumerate(bad_lines, 1) if "maxx(" in x)
column = bad_lines[line - 1].index("maxx(") + 1
heading_line = bad_lines.index("## 3.1 Frigjorda resurser") + 1
r = run("check", bad)
err = r.stderr.decode()
T.check(f"a mistake in a heading's clause: at avtal-bad.md:{line}:{column}", r.returncode == 2 and f"avtal-bad.md:{line}:{column}: error[E209]" in err, err)
T.check("a mistake in a heading's clause: in clause 3.1 Frigjorda resurser", "clause 3.1 Frigjorda resurser" in err, err)
T.check("a mistake in a heading's clause: the note at the heading's line",
        f"avtal-bad.md:{heading_line}:1: note: under the heading “3.1 Frigjorda resurser”" in err, err)
# A clause number given twice: the heading's clause is reported at the heading's line.
twice = work / "twice.md"
twice.write_text(HEAD_MD + '```utfall\nclause "2" "Written" {\n  let a1 = 1\n}\n```\n\n## 2 Heading\n\n```utfall\nlet a2 = 2\n```\n',
                 encoding="utf-8")
twice_line = (HEAD_MD + '```utfall\nclause "2" "Written" {\n  let a1 = 1\n}\n```\n\n').count("\n") + 1
r = run("check", twice)
T.check(f"a clause number twice: E417 at the heading's line {twice_line}", r.returncode == 2 and f"twice.md:{twice_line}:" in r.stderr.decode()
        and "E417" in r.stderr.decode(), r.stderr.decode())

# 7. fmt of avtal.md: a fixed point (it is formatted), the same tree; English and back exactly.
r = run("fmt", "--check", A / "avtal.md")
T.check("fmt --check avtal.md: formatted (exit 0, no diff)", (r.returncode, r.stdout) == (0, b""), (r.stdout + r.stderr).decode())
en = run("fmt", "--lang", "en", A / "avtal.md")
T.check("fmt --lang en avtal.md: English keywords, the prose as it was", en.returncode == 0 and "\nwaterfall aterbetalning: kommun pays" in en.stdout.decode()
        and "\nlet frigjort = " in en.stdout.decode() and "## 3.2 Återbetalning\n\nNär resultaten" in en.stdout.decode(), en.stderr.decode())
en_path = work / "avtal-en.md"
en_path.write_bytes(en.stdout)
T.check("fmt --lang en avtal.md: the same tree", run("fmt", "--ast", en_path).stdout == run("fmt", "--ast", A / "avtal.md").stdout)
back = run("fmt", "--lang", "sv", en_path)
T.check("fmt --lang en then --lang sv of avtal.md: the file exactly", back.stdout.decode() == prose, back.stderr.decode())
T.check("fmt leaves avtal.md as it was", (A / "avtal.md").read_text(encoding="utf-8") == prose)

# 8. Markdown made of random pieces (headings numbered and not, fences open and shut, clause items,
#    declarations, stray braces, CR): check and fmt answer with a diagnostic or a result, never a
#    crash; what fmt writes is a fixed point with the same tree. 150 files, 50 under the
#    sanitizers (each of up to six runs there starts a Debug binary under ASan).
PIECES = ["# 1 A", '## 2.1 B "q" \\', "### 3. C", "#### Note", "## 2025-03 x", "```utfall", "~~~utfall", "```", "~~~", "````", "```csv",
          "let x = 1", "låt y = 2", "pay a -> b amount 1 SEK", "term t = 1", 'clause "9" {', "}", "{", "# comment", "", "prose",
          'contract "X"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2026', "waterfall a pays 1 SEK {", "rest to b",
          "   ```utfall", "\r"]
stray = work / "random.md"
again = work / "random-formatted.md"
wrong = []
for seed in range(50 if SANITIZED else 150):
    rng = random.Random(seed)
    stray.write_text("\n".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))), encoding="utf-8")
    for args in (["check"], ["fmt", "--lang", "sv"], ["fmt"]):
        r = run(*args, stray)
        if r.returncode not in (0, 1, 2) or b"internal" in r.stderr.lower():
            wrong.append((seed, args, r.returncode, r.stderr[:200]))
    if r.returncode == 0:
        again.write_bytes(r.stdout)
        if run("fmt", "--check", again).returncode != 0 or run("fmt", "--ast", again).stdout != run("fmt", "--ast", stray).stdout:
            wrong.append((seed, "fmt: not a fixed point, or another tree"))
T.check("random Markdown: a result or a diagnostic, never a crash; fmt a fixed point with the same tree", not wrong, wrong[:5])
T.finish()
