"""`utfall doc` (docs/cli.md): the contract as a document. Read back with html.parser and compared
with what is read here from the contract's own text (parties, clause numbers and their lines),
with values written by hand (scenario A's terms, in English and in Swedish), and with the
scenarios' payments (scenario_payments.py). A literate contract's prose and headings are on the
page; raw HTML in its Markdown is not. The page loads nothing from elsewhere.
"""
import re
import subprocess
import sys
import tempfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from scenario_payments import CASES
from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
work = Path(tempfile.mkdtemp(prefix="utfall-doc-"))
A = src / "examples/a-aldreomsorg"


class Page(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.rows = {}  # table class -> [(attrs, [cell texts])]
        self.table = self.row = self.cell = None
        self.pre = None
        self.pres = []
        self.articles = []
        self.references = []
        self.headings = []
        self.heading = None
        self.scripts = 0
        self.text = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if key in a:
                self.references.append((tag, a[key]))
        if tag in ("script", "img", "iframe", "link"):
            self.scripts += tag == "script"
            self.references += [(tag, str(a))] if tag != "script" else []
        if tag == "table":
            self.table = a.get("class", "")
            self.rows[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.row = (a, [])
            self.rows[self.table].append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "pre":
            self.pre = []
        elif tag == "article":
            self.articles.append(a)
        elif tag in ("h1", "h2", "h3"):
            self.heading = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row[1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "pre" and self.pre is not None:
            self.pres.append("".join(self.pre))
            self.pre = None
        elif tag in ("h1", "h2", "h3") and self.heading is not None:
            self.headings.append("".join(self.heading).strip())
            self.heading = None

    def handle_data(self, data):
        for part in (self.cell, self.pre, self.heading):
            if part is not None:
                part.append(data)
        self.text.append(data)


def doc(*args):
    out = work / "doc.html"
    out.unlink(missing_ok=True)
    r = subprocess.run([utfall, "doc", *map(str, args), "-o", str(out)], capture_output=True, text=True)
    return r, Page(out.read_text(encoding="utf-8")) if out.exists() else None


# 1. Every example contract: its parties and clauses, each clause's text as written.
for contract in sorted(src.glob("examples/*/contract.utfall")):
    name = contract.parent.name
    text = contract.read_text(encoding="utf-8")
    r, page = doc(contract)
    T.check(f"{name}: exit 0", r.returncode == 0 and page is not None, r.stderr)
    if page is None:
        continue
    parties = re.findall(r"^party\s+(\w+)", text, re.M)
    T.check(f"{name}: the parties", [cells[0] for _, cells in page.rows.get("parties", [])[1:]] == parties, page.rows.get("parties"))
    numbers = re.findall(r'^clause\s+"([^"]*)"', text, re.M)
    T.check(f"{name}: one article per clause, in order", [a.get("data-clause") for a in page.articles] == numbers, page.articles)
    # Each clause's text: from `clause "N"` to the line of its closing brace, as in the file.
    for number in numbers:
        start = text.index(f'clause "{number}"')
        block = text[start:]
        depth, end = 0, None
        for m in re.finditer(r'"(?:\\.|[^"\\\n])*"|#[^\n]*|[{}]', block):
            if m.group() == "{":
                depth += 1
            elif m.group() == "}":
                depth -= 1
                if depth == 0:
                    end = m.end()
                    break
        T.check(f"{name}: clause {number} as written", block[:end] in page.pres, (block[:end], page.pres[:2]))
    T.check(f"{name}: nothing loaded from elsewhere, no script", page.references == [] and page.scripts == 0, page.references)

# 2. Scenario A's terms, by hand, in English and in Swedish.
for lang, want in [("en", {"baslinje": "200,000,000.00 SEK", "premieandel": "30 %", "takbelopp": "7,000,000.00 SEK"}),
                   ("sv", {"baslinje": "200\u00a0000\u00a0000,00 SEK", "premieandel": "30 %", "takbelopp": "7\u00a0000\u00a0000,00 SEK"})]:
    r, page = doc(A / "contract.utfall", "--lang", lang)
    got = {a["data-term"]: cells[1] for a, cells in (page.rows.get("terms", []) if page else []) if "data-term" in a}
    T.check(f"terms ({lang}): as written by hand", got == want, got)
r, page = doc(A / "contract.utfall", "--set", "premieandel=25 %")
got = {a["data-term"]: cells[1] for a, cells in (page.rows.get("terms", []) if page else []) if "data-term" in a}
T.check("terms: --set shows the value set", got.get("premieandel") == "25 %", got)

# 3. With data: the schedule is the scenario's payments.
for (folder, dataset), expected in CASES.items():
    ex = src / "examples" / folder
    r, page = doc(ex / "contract.utfall", "--data", ex / f"{dataset}.csv")
    T.check(f"{folder}/{dataset}: exit 0", r.returncode == 0 and page is not None, r.stderr)
    if page is None:
        continue
    rows = page.rows.get("schedule", [])
    flows = [tuple(h.split("clause")[0].strip().split(" → ")) for h in rows[0][1][1:]] if rows else []
    got = {(a["data-period"], *f): Decimal(v.replace(",", "")) for a, cells in rows[1:] if "data-period" in a
           for f, v in zip(flows, cells[1:])}
    T.check(f"{folder}/{dataset}: the schedule is the scenario's", {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v},
            (got, expected))

# 4. A literate contract: its headings and prose; raw HTML in it stays out of the page.
r, page = doc(A / "avtal.md", "--lang", "sv")
T.check("avtal.md: exit 0", r.returncode == 0 and page is not None, r.stderr)
md = (A / "avtal.md").read_text(encoding="utf-8")
if page:
    headings = re.findall(r"^#+ (.*)$", md, re.M)
    T.check("avtal.md: its headings, after the page's own", headings == page.headings[-len(headings):], page.headings)
    text = " ".join("".join(page.text).split())
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", re.sub(r"```utfall\n.*?```", "", md, flags=re.S))
                  if p.strip() and not p.startswith("#") and "`" not in p]
    T.check("avtal.md: every paragraph of prose", all(p in text for p in paragraphs) and len(paragraphs) > 5,
            [p for p in paragraphs if p not in text])
    # Clause 3.2 is its heading; the block beneath it holds the clause's waterfall as written.
    T.check("avtal.md: its rules as code", any(b.startswith("betalningsordning aterbetalning: kommun betalar") for b in page.pres),
            page.pres[:3])
hostile = work / "hostile.md"
hostile.write_text("Text <script>alert(1)</script> and <img src=x onerror=alert(2)>.\n\n<iframe src=\"http://example.org\"></iframe>\n\n"
                   "[a link](javascript:alert(3))\n\n```utfall\n" + (A / "contract.utfall").read_text(encoding="utf-8") + "```\n",
                   encoding="utf-8")
r, page = doc(hostile)
T.check("hostile Markdown: exit 0", r.returncode == 0 and page is not None, r.stderr)
if page:
    T.check("hostile Markdown: no script, image, frame or javascript: link", page.scripts == 0 and not any(
        "javascript:" in v or t in ("img", "iframe") for t, v in page.references), page.references)

# 5. Refusals.
for label, args, code in [("no -o", [A / "contract.utfall"], 64), ("--lang de", [A / "contract.utfall", "--lang", "de"], 64),
                          ("a contract that does not check", [work / "nothere.utfall"], 3)]:
    out = work / "refused.html"
    r = subprocess.run([utfall, "doc", *map(str, args)] + (["-o", str(out)] if label != "no -o" else []), capture_output=True, text=True)
    T.check(f"refused: {label}: exit {code}, no file", r.returncode == code and not out.exists(), (r.returncode, r.stderr))
T.finish()
