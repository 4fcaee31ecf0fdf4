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
5. A Markdown file with no utfall block is E105; `fmt` refuses a Markdown file (64).
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally

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
r = run("fmt", A / "avtal.md")
T.check("fmt refuses a Markdown file (64)", r.returncode == 64 and b"literate contract" in r.stderr, r.stderr)
T.check("fmt leaves avtal.md as it was", (A / "avtal.md").read_text(encoding="utf-8") == prose)
T.finish()
