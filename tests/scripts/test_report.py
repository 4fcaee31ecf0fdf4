"""`utfall report` (docs/cli.md): the HTML page read back with Python's html.parser, its numbers
compared with values computed here, independently of utfall: the reference scenarios' payments
(scenario_payments.py, transcribed from ../shared/scenarios), their sums, cumulative sums and each
party's net; scenario A's payoff curve from scriptlib.scenario_a (docs/language.md §17); the
returns' money multiple. Then what the page must not do: load anything from elsewhere, or let
text from the contract become markup. The page drawn in a browser is test_report_browser.py.
"""
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

from scenario_payments import CASES
from scriptlib import Tally, round_fraction, scenario_a

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
A = src / "examples/a-aldreomsorg"
work = Path(tempfile.mkdtemp(prefix="utfall-report-"))


class Page(HTMLParser):
    """The parts of a report a reader relies on: the tables' amounts by row and table, the
    chart specifications, the external references, and the text of the page."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tables = {}  # class -> rows: (row attributes, [cell texts], [data-amount])
        self.table = None
        self.row = None
        self.cell = None
        self.script_id = None
        self.specs = None
        self.references = []  # src= and href= values, <link>, <iframe>, <img>
        self.text = []
        self.scripts = 0
        self.details = []
        self.html_lang = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        for key in ("src", "href", "action", "srcset"):
            if key in a:
                self.references.append((tag, a[key]))
        if tag in ("link", "iframe", "img", "object", "embed"):
            self.references.append((tag, str(a)))
        if tag == "table":
            self.table = a.get("class", "")
            self.tables[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.row = (a, [], [])
            self.tables[self.table].append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row[2].append(a.get("data-amount"))
        elif tag == "script":
            self.scripts += 1
            self.script_id = a.get("id")
            self.script_text = []
        elif tag == "details":
            self.details.append(dict(a))

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row[1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "script":
            if self.script_id == "utfall-chart-specs":
                self.specs = json.loads("".join(self.script_text))
            self.script_id = None

    def handle_data(self, data):
        if self.script_id is not None:
            self.script_text.append(data)
            return
        if self.cell is not None:
            self.cell.append(data)
        self.text.append(data)


def report(*args, output=None):
    output = output or work / "report.html"
    if output.exists():
        output.unlink()
    r = subprocess.run([utfall, "report", *map(str, args), "-o", str(output)], capture_output=True, text=True)
    html = output.read_text(encoding="utf-8") if output.exists() else None
    return r, html


def flow_key(name):
    payer, payee = name.split(" → ")
    return payer, payee.split(" (")[0]


# 1. The four scenarios, every data set: the schedule, the totals, each party's net, the
#    cumulative chart's data, one <details> per explained payment.
for (folder, dataset), expected in CASES.items():
    ex = src / "examples" / folder
    label = f"{folder}/{dataset}"
    r, html = report(ex / "contract.utfall", "--data", ex / f"{dataset}.csv")
    T.check(f"{label}: exit 0", r.returncode == 0 and html is not None, r.stderr)
    if html is None:
        continue
    page = Page(html)
    schedule = page.tables.get("schedule", [])
    header = schedule[0][1] if schedule else []
    flows = [flow_key(h.split("clause")[0].strip()) for h in header[1:]]
    got = {}
    for attrs, cells, amounts in schedule[1:]:
        if "data-period" in attrs:
            for flow, amount in zip(flows, amounts[1:]):
                got[(attrs["data-period"], *flow)] = Decimal(amount)
    nonzero = {k: v for k, v in got.items() if v != 0}
    T.check(f"{label}: the schedule is the scenario's payments", nonzero == {k: v for k, v in expected.items() if v != 0},
            (nonzero, expected))
    totals_row = [row for row in schedule if row[1] and row[1][0] == "Total"]
    want_totals = [sum((v for k, v in expected.items() if k[1:] == f), Decimal(0)) for f in flows]
    T.check(f"{label}: the schedule's total row", bool(totals_row) and [Decimal(x) for x in totals_row[0][2][1:]] == want_totals,
            (totals_row, want_totals))
    summary = {flow_key(attrs["data-flow"]): Decimal(amounts[1]) for attrs, cells, amounts in page.tables.get("flows", []) if "data-flow" in attrs}
    T.check(f"{label}: the summary's flow totals", summary == dict(zip(flows, want_totals)), (summary, want_totals))
    parties = {attrs["data-party"]: [Decimal(x) for x in amounts[1:]] for attrs, _, amounts in page.tables.get("parties", [])
               if "data-party" in attrs}
    ok = True
    for party, (pays, receives, net) in parties.items():
        want_pays = sum((v for k, v in expected.items() if k[1] == party), Decimal(0))
        want_receives = sum((v for k, v in expected.items() if k[2] == party), Decimal(0))
        ok &= (pays, receives, net) == (want_pays, want_receives, want_receives - want_pays)
    T.check(f"{label}: each party pays, receives and nets what the scenario says", ok and parties, parties)
    periods = [attrs["data-period"] for attrs, _, _ in schedule[1:] if "data-period" in attrs]
    cumulative = {}
    for chart in page.specs or []:
        if chart["id"].startswith("chart-cumulative"):
            for v in chart["spec"]["data"]["values"]:
                cumulative[(v["period"], *flow_key(v["flow"]))] = Decimal(v["amount"])
    want = {}
    for f in flows:
        running = Decimal(0)
        for p in periods:
            running += expected.get((p, *f), Decimal(0))
            want[(p, *f)] = running
    T.check(f"{label}: the cumulative chart's data are the running sums", cumulative == want, (cumulative, want))
    T.check(f"{label}: an explanation for each period with a payment line", {d.get("data-period") for d in page.details} >= {
        k[0] for k, v in expected.items() if v != 0}, page.details)
    T.check(f"{label}: nothing is loaded from elsewhere", page.references == [], page.references)
    T.check(f"{label}: the page is English", page.html_lang == "en", page.html_lang)

# 2. Swedish: headings, and amounts with no-break spaces and a decimal comma; the exact decimal
#    stays in data-amount.
r, html = report(A / "contract.utfall", "--data", A / "plan.csv", "--lang", "sv")
page = Page(html or "")
T.check("sv: exit 0", r.returncode == 0, r.stderr)
T.check("sv: <html lang=sv>", page.html_lang == "sv", page.html_lang)
text = "".join(page.text)
T.check("sv: Swedish headings", all(h in text for h in ["Sammanfattning", "Betalningsplan", "Förklaring av varje betalning"]), text[:400])
cells = {attrs.get("data-period"): (c[1], a[1]) for attrs, c, a in page.tables.get("schedule", []) if attrs.get("data-period")}
T.check("sv: 2027 is shown 26 700 000,00 with no-break spaces", cells.get("2027") == ("26\u00a0700\u00a0000,00", "26700000.00"), cells)

# 3. The payoff curve of scenario A against its baseline, from the model: seven points from
#    140 to 200 million (step 10 million); and the rule at the contract's own value, 200 million.
rows = [line.split(",") for line in (A / "plan.csv").read_text().split("\n")[1:] if line]
cost, drawn = [Fraction(r[1]) for r in rows], [Fraction(r[2]) for r in rows]
r, html = report(A / "contract.utfall", "--data", A / "plan.csv", "--payoff", "baslinje=140_000_000 SEK..200_000_000 SEK",
                 "--payoff-points", "7")
T.check("payoff: exit 0", r.returncode == 0, r.stderr)
page = Page(html or "")
payoff = [c for c in page.specs or [] if c["id"].startswith("chart-payoff")]
T.check("payoff: one payoff chart", len(payoff) == 1, [c["id"] for c in page.specs or []])
if payoff:
    spec = payoff[0]["spec"]
    points = {Fraction(v["x"]): Fraction(v["amount"]) for v in spec["data"]["values"]}
    want = {Fraction(b): sum(scenario_a(cost, drawn, b, Fraction(3, 10), 7_000_000), Fraction(0))
            for b in range(140_000_000, 200_000_001, 10_000_000)}
    T.check("payoff: the totals are the model's at each baseline", points == want, (points, want))
    T.check("payoff: the curve is not flat here (the test can tell points apart)", len(set(want.values())) > 3, want)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    T.check("payoff: a rule at the contract's baseline, 200 000 000", len(rules) == 1 and rules[0]["data"]["values"][0]["x"] == "200000000",
            rules)

# A percentage term: x in percent; 0 % .. 50 % in 5 points (12.5 % apart), the model at each.
r, html = report(A / "contract.utfall", "--data", A / "messy.csv", "--payoff", "premieandel=0 %..50 %", "--payoff-points", "5")
page = Page(html or "")
T.check("payoff in %: exit 0", r.returncode == 0, r.stderr)
rows_m = [line.split(",") for line in (A / "messy.csv").read_text().split("\n")[1:] if line]
cost_m, drawn_m = [Fraction(r[1]) for r in rows_m], [Fraction(r[2]) for r in rows_m]
payoff = [c for c in page.specs or [] if c["id"].startswith("chart-payoff")]
if payoff:
    points = {Fraction(v["x"]): Fraction(v["amount"]) for v in payoff[0]["spec"]["data"]["values"]}
    want = {Fraction(p) * 25 / 2: sum(scenario_a(cost_m, drawn_m, 200_000_000, Fraction(p, 8), 7_000_000), Fraction(0)) for p in range(5)}
    T.check("payoff in %: x in percent, totals the model's", points == want, (points, want))
else:
    T.check("payoff in %: a payoff chart", False, html and html[:200])

# 4. --party: the returns of the fund, with its capital as outlays; the money multiple is
#    what the fund received over what it paid out.
r, html = report(A / "contract.utfall", "--data", A / "plan.csv", "--party", "utfallsfonden", *sum((["--outlay", f"{y}=7_000_000"] for y in (2025, 2026, 2027, 2028, 2029)), []))
T.check("party: exit 0", r.returncode == 0, r.stderr)
received = sum(scenario_a(cost, drawn, 200_000_000, Fraction(3, 10), 7_000_000), Fraction(0))
multiple = received / 35_000_000
text = "".join(Page(html or "").text)
T.check(f"party: the money multiple {multiple}", f"money multiple (in / out): {Decimal(multiple.numerator) / Decimal(multiple.denominator)}" in text,
        text[text.find("money multiple"):][:80])

# 4b. --draw: a simulation's distribution. baslinje drawn from the grid 150, 155, ... 170 million
#     (uniform, step 5 million): each run's total is the model's at one of five baselines; the
#     histogram's bins hold them apart, so its counts give the mean and the percentiles here.
runs = 2000
DRAW = "baslinje ~ uniform(150_000_000 SEK, 170_000_000 SEK) step 5_000_000 SEK"
r, html = report(A / "contract.utfall", "--data", A / "plan.csv", "--draw", DRAW, "--runs", str(runs), "--seed", "7")
T.check("draw: exit 0", r.returncode == 0, r.stderr)
page = Page(html or "")
model = {b: sum(scenario_a(cost, drawn, b, Fraction(3, 10), 7_000_000), Fraction(0)) for b in range(150_000_000, 170_000_001, 5_000_000)}
totals = sorted(set(model.values()))
histogram = [c for c in page.specs or [] if c["id"].startswith("chart-distribution")]
T.check("draw: one distribution chart (one flow)", len(histogram) == 1, [c["id"] for c in page.specs or []])
if histogram:
    bins = [(Fraction(v["from"]), Fraction(v["to"]), v["runs"]) for v in histogram[0]["spec"]["data"]["values"]]
    T.check("draw: the bins count every run", sum(n for _, _, n in bins) == runs, bins)
    counts = {}
    ok = True
    for lo, hi, n in bins:
        inside = [t for t in totals if lo <= t < hi]
        ok &= len(inside) <= 1 and (n == 0 or len(inside) == 1)
        if n:
            counts[inside[0] if inside else None] = n
    T.check("draw: every run's total is one of the model's, one to a bin", ok and None not in counts, (bins, totals))
    T.check("draw: more than two baselines were drawn, with different totals", len(counts) > 2, counts)
    values = sorted(t for t, n in counts.items() for _ in range(n))
    mean = round_fraction(sum(values, Fraction(0)) / len(values), Fraction(1, 100), "half_even")
    rank = lambda p: values[max(1, -(-p * len(values) // 100)) - 1]  # noqa: E731  nearest rank
    row = [a for attrs, _, a in page.tables.get("distribution", []) if attrs.get("data-flow")]
    want = [mean, None, rank(5), rank(50), rank(95), values[0], values[-1]]
    got = [Fraction(x) for x in row[0][1:]] if row else []
    T.check("draw: mean, p5, p50, p95, min and max from the bins' counts",
            len(got) == 7 and all(w is None or g == w for g, w in zip(got, want)), (got, want))
    sim = subprocess.run([utfall, "simulate", str(A / "contract.utfall"), "--data", str(A / "plan.csv"), "--draw",
                          DRAW, "--runs", str(runs), "--seed", "7", "--format", "json"],
                         capture_output=True, text=True)
    total = [f for f in json.loads(sim.stdout)["flows"] if f["period"] == "total"] if sim.returncode == 0 else []
    T.check("draw: the same runs as `utfall simulate` with the seed (mean and sd)",
            bool(total) and bool(got) and (Fraction(total[0]["mean"]), Fraction(total[0]["sd"])) == (got[0], got[1]), (total, got))
for label, args, message in [
    ("--runs without --draw", ["--runs", "10"], "--runs"),
    ("a draw of an unknown term", ["--draw", "nosuch ~ uniform(1, 2)"], "--draw"),
    ("--runs 0", ["--draw", "premieandel ~ uniform(20 %, 40 %)", "--runs", "0"], "--runs 0"),
]:
    r, html = report(A / "contract.utfall", "--data", A / "plan.csv", *args)
    T.check(f"refused: {label}: exit 64, says so, no file", r.returncode == 64 and message in r.stderr and html is None, (r.returncode, r.stderr))

# 5. Text from the contract is text, never markup; the page has exactly its own scripts.
hostile = work / "hostile.utfall"
hostile.write_text((A / "contract.utfall").read_text(encoding="utf-8")
                   .replace('contract "Starkare, friskare och självständigare äldre"', 'contract "</script><script>alert(1)</script> & <b>bold</b>"')
                   .replace('party kommun        "Kommunen"', 'party kommun        "Kommun\\"en\' <img src=x onerror=alert(2)>"')
                   .replace('"Återbetalning"', '"<!-- </script> --> Återbetalning"'), encoding="utf-8")
r, html = report(hostile, "--data", A / "plan.csv")
T.check("hostile: exit 0", r.returncode == 0, r.stderr)
page = Page(html or "")
T.check("hostile: the title is text", "</script><script>alert(1)</script> & <b>bold</b>" in "".join(page.text), "".join(page.text)[:300])
T.check("hostile: no <img> or reference made of a name", page.references == [], page.references)
plain = Page(report(A / "contract.utfall", "--data", A / "plan.csv")[1] or "")
T.check("hostile: as many scripts as a plain report", page.scripts == plain.scripts and page.scripts >= 3, (page.scripts, plain.scripts))
T.check("hostile: the chart specifications still parse", page.specs is not None and len(page.specs) == len(plain.specs or []), page.specs)

# 6. What is refused: each with its exit code and no file written.
contract, plan = A / "contract.utfall", A / "plan.csv"
for label, args, code, message in [
    ("--outlay without --party", [contract, "--data", plan, "--outlay", "2025=1"], 64, "--outlay belongs to --party"),
    ("--payoff-points without --payoff", [contract, "--data", plan, "--payoff-points", "5"], 64, "--payoff-points belongs to --payoff"),
    ("--payoff without =", [contract, "--data", plan, "--payoff", "baslinje"], 64, "expected NAME=LO..HI"),
    ("--payoff of an unknown term", [contract, "--data", plan, "--payoff", "nosuch=1..2"], 64, "--payoff `nosuch`: not a term"),
    ("--payoff backwards", [contract, "--data", plan, "--payoff", "baslinje=2 SEK..1 SEK"], 64, "LO must be below HI"),
    ("--payoff in the wrong unit", [contract, "--data", plan, "--payoff", "baslinje=1 EUR..2 EUR"], 64, "E"),
    ("--payoff-points 1", [contract, "--data", plan, "--payoff", "baslinje=1 SEK..2 SEK", "--payoff-points", "1"], 64, "payoff-points"),
    ("an unknown party", [contract, "--data", plan, "--party", "nobody"], 64, "--party nobody is not a party"),
    ("--lang de", [contract, "--data", plan, "--lang", "de"], 64, "lang"),
    ("missing data", [contract], 3, "error"),
    ("a data file that is not there", [contract, "--data", work / "nothere.csv"], 3, "nothere.csv"),
]:
    r, html = report(*args)
    T.check(f"refused: {label}: exit {code}", r.returncode == code, (r.returncode, r.stderr))
    T.check(f"refused: {label}: says so", message in r.stderr, r.stderr)
    T.check(f"refused: {label}: no file", html is None)

# A payoff point that fails to evaluate (a division by the varied term at 0): the value is
# named, exit 4 (evaluation), no file.
divide = work / "divide.utfall"
divide.write_text('contract "d"\ncurrency SEK\nparty a "A"\nparty b "B"\nperiods yearly 2025 .. 2025\n'
                  'term n = 2\nclause "1" "x" {\n  pay p: a -> b amount 100 SEK / n\n}\n', encoding="utf-8")
r, html = report(divide, "--payoff", "n=0..2", "--payoff-points", "3")
T.check("a failing payoff point: exit 4", r.returncode == 4, (r.returncode, r.stderr))
T.check("a failing payoff point: names the value", "n = 0" in r.stderr, r.stderr)
T.check("a failing payoff point: no file", html is None)

# An output that cannot be written: 74, and the old file untouched.
old = work / "old.html"
old.write_text("old", encoding="utf-8")
r = subprocess.run([utfall, "report", str(contract), "--data", str(plan), "-o", str(work / "no-such-dir" / "x.html")], capture_output=True, text=True)
T.check("an unwritable output: exit 74", r.returncode == 74, (r.returncode, r.stderr))
r = subprocess.run([utfall, "report", str(contract), "--data", str(plan), "--payoff", "nosuch=1..2", "-o", str(old)], capture_output=True)
T.check("a refused report leaves an old file as it was", r.returncode == 64 and old.read_text(encoding="utf-8") == "old", r.stderr)
T.finish()
