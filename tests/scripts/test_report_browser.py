"""`utfall report` in a browser: each page is opened in headless Chromium (Debian's `chromium`,
which .ci/build installs), left to run its scripts, and its DOM read back. A page must load
without an error from any script (the page writes each into <pre id="utfall-errors">), set
<body data-charts="drawn">, and draw every chart as an SVG with its marks (lines and points, or
the bars of a histogram); a page made by a utfall
built without the chart libraries must say so and draw nothing. Text from a contract that
looks like markup must stay text in the live page too. Skipped (exit 77) where there is no
Chromium; test_report.py checks the pages' numbers without one.
"""
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if not browser:
    print("skipped: no chromium on PATH (Debian's package chromium; .ci/build installs it)")
    sys.exit(77)
T = Tally()
work = Path(tempfile.mkdtemp(prefix="utfall-report-browser-"))
A = src / "examples/a-aldreomsorg"


class Dom(HTMLParser):
    """What the live page holds: <body>'s attributes, the error list, each chart's marks, <img>s."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.body = {}
        self.errors = None
        self.in_errors = False
        self.charts = {}  # id -> {"svg": n, "marks": set of mark classes}
        self.chart = None
        self.depth = 0
        self.images = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "img":
            self.images += 1
        if tag == "pre" and a.get("id") == "utfall-errors":
            self.in_errors, self.errors = True, ""
        if self.chart is not None:
            self.depth += 1
            if tag == "svg":
                self.charts[self.chart]["svg"] += 1
            for c in (a.get("class") or "").split():
                if c.startswith("mark-"):
                    self.charts[self.chart]["marks"].add(c)
        elif tag == "div" and "chart" in (a.get("class") or "").split():
            self.chart, self.depth = a.get("id"), 1
            self.charts[self.chart] = {"svg": 0, "marks": set()}

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "pre":
            self.in_errors = False
        if self.chart is not None:
            self.depth -= 1
            if self.depth == 0:
                self.chart = None

    def handle_data(self, data):
        if self.in_errors:
            self.errors += data


def live(page, label):
    """The page's DOM after its scripts ran (virtual time: the browser runs until idle)."""
    profile = tempfile.mkdtemp(dir=work)
    r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                        f"--user-data-dir={profile}", "--virtual-time-budget=30000", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=300)
    T.check(f"{label}: the browser ran", r.returncode == 0 and "<body" in r.stdout, r.stderr[-2000:])
    return Dom(r.stdout)


pages = [
    ("scenario A with payoff and returns", [A / "contract.utfall", "--data", A / "plan.csv", "--payoff",
                                            "scale(hemtjanst_kostnad)=0.8..1.2", "--party", "utfallsfonden"], 2),
    ("scenario A in Swedish", [A / "contract.utfall", "--data", A / "messy.csv", "--lang", "sv", "--payoff", "premieandel=0 %..50 %"], 2),
    ("scenario B", [src / "examples/b-placeringar/contract.utfall", "--data", src / "examples/b-placeringar/plan.csv"], 1),
    ("scenario C", [src / "examples/c-tfco/contract.utfall", "--data", src / "examples/c-tfco/data.csv"], 1),
    ("scenario D", [src / "examples/d-norrkoping/contract.utfall", "--data", src / "examples/d-norrkoping/data.csv"], 1),
    ("a simulation in Swedish", [A / "contract.utfall", "--data", A / "plan.csv", "--lang", "sv", "--runs", "3000", "--draw",
                                 "baslinje ~ uniform(150_000_000 SEK, 170_000_000 SEK)", "--draw", "scale(avropat) ~ normal(1, 0.1)"], 2),
    ("two currencies", [src / "examples/l-currencies/contract.utfall", "--data", src / "examples/l-currencies/plan.csv"], 2),
]
hostile = work / "hostile.utfall"
hostile.write_text((A / "contract.utfall").read_text(encoding="utf-8")
                   .replace('contract "Starkare, friskare och självständigare äldre"', 'contract "</script><script>alert(1)</script>"')
                   .replace('party kommun        "Kommunen"', 'party kommun        "<img src=x onerror=alert(2)>"')
                   .replace('"Återbetalning"', '"<!-- </script> -->"'), encoding="utf-8")
pages.append(("text that looks like markup", [hostile, "--data", A / "plan.csv"], 1))

for n, (label, args, charts) in enumerate(pages):
    page = work / f"page{n}.html"
    r = subprocess.run([utfall, "report", *map(str, args), "-o", str(page)], capture_output=True, text=True)
    T.check(f"{label}: utfall report exits 0", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        continue
    bundled = 'id="no-charts"' not in page.read_text(encoding="utf-8")
    dom = live(page, label)
    T.check(f"{label}: no script error", dom.errors == "", dom.errors)
    T.check(f"{label}: {charts} chart(s) on the page", len(dom.charts) == charts, dom.charts)
    if bundled:
        T.check(f"{label}: the charts are drawn", dom.body.get("data-charts") == "drawn", dom.body)
        for chart, drawn in dom.charts.items():
            marks = {"mark-rect"} if chart.startswith("chart-distribution") else {"mark-line", "mark-symbol"}
            T.check(f"{label}: {chart} is an SVG with its marks ({', '.join(sorted(marks))})", drawn["svg"] >= 1 and marks <= drawn["marks"],
                    drawn)
    else:
        print(f"note: this utfall was built without the chart libraries; {label} is checked without them")
        T.check(f"{label}: without the libraries, nothing is drawn", dom.body.get("data-charts") == "none"
                and all(d["svg"] == 0 for d in dom.charts.values()), (dom.body, dom.charts))
    T.check(f"{label}: no image made of a name", dom.images == 0, dom.images)

# `utfall doc` pages: no script of their own; the browser shows the title and the schedule.
for label, args in [("doc of avtal.md", [A / "avtal.md", "--data", A / "plan.csv", "--lang", "sv"]),
                    ("doc of scenario C", [src / "examples/c-tfco/contract.utfall", "--data", src / "examples/c-tfco/data.csv"])]:
    page = work / f"doc{len(label)}.html"
    r = subprocess.run([utfall, "doc", *map(str, args), "-o", str(page)], capture_output=True, text=True)
    T.check(f"{label}: utfall doc exits 0", r.returncode == 0, r.stderr)
    if r.returncode == 0:
        profile = tempfile.mkdtemp(dir=work)
        b = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
                            "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=300)
        T.check(f"{label}: the browser shows its title and schedule", b.returncode == 0 and "<h1>" in b.stdout
                and 'class="schedule"' in b.stdout, b.stderr[-1000:])
T.finish()
