#!/usr/bin/env python3
"""`utfall lsp` (cli/lsp.hpp) spoken to as an editor speaks to it: over pipes, in LSP framing.

Usage: test_lsp.py <utfall binary> <source dir>

Every expected position is counted here by hand from the text it points into, in LSP's terms
(0-based lines, UTF-16 code units: `å`, `ä` and `ö` are one unit each, two bytes each in UTF-8),
and written down as a number with the counting beside it; none is taken from the server's
answers. The formatted text is compared with what `utfall fmt` prints for the same text. Every
read is bounded by a timeout, so a server that hangs fails the test instead of stopping it.
"""
from csv import DictReader
import json
import queue
import re
import subprocess
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

from scriptlib import Tally

utfall, src = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2]).resolve()
T = Tally()
TIMEOUT = 60.0


class Server:
    """A running `utfall lsp`: `send` a message, `receive` the next one (or None after TIMEOUT)."""

    def __init__(self, *args):
        self.p = subprocess.Popen([utfall, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.p.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.rstrip(b"\r\n")
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            self.messages.put(json.loads(out.read(length).decode("utf-8")))

    def send_bytes(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def receive(self):
        try:
            return self.messages.get(timeout=TIMEOUT)
        except queue.Empty:
            return None

    def request(self, method, params=None):
        """Sends a request; its response (the notifications before it set aside in `self.notes`)."""
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}})
        return self.response(self.next_id)

    def response(self, id):
        while True:
            m = self.receive()
            if m is None or m.get("id") == id and "method" not in m:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri):
        """The next diagnostics published for `uri` (None if none come)."""
        while True:
            m = self.receive()
            if m is None:
                return None
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]

    def open(self, path, text=None):
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "utfall", "version": 1,
                                                               "text": path.read_text(encoding="utf-8") if text is None else text}})
        return uri, self.diagnostics(uri)

    def wait(self):
        try:
            return self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()


def pos(line, character):
    return {"line": line, "character": character}


def rng(l1, c1, l2, c2):
    return {"start": pos(l1, c1), "end": pos(l2, c2)}


tmp = Path(tempfile.mkdtemp(prefix="utfall-lsp-"))
S = Server()

# ---- initialize: the capabilities are what is implemented ----------------------------------
r = S.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
caps = (r or {}).get("result", {}).get("capabilities", {})
T.check("initialize: full document sync", caps.get("textDocumentSync") == {"openClose": True, "change": 1}, r)
T.check("initialize: symbols, formatting, definition, hover, references", all(caps.get(k) is True for k in [
    "documentSymbolProvider", "documentFormattingProvider", "definitionProvider", "hoverProvider",
    "referencesProvider"]), r)
T.check("initialize: rename, with prepareRename", caps.get("renameProvider") == {"prepareProvider": True}, r)
T.check("initialize: completion, triggered by `.`", caps.get("completionProvider") == {"triggerCharacters": ["."]}, r)
T.check("initialize: nothing more is promised", set(caps) == {"textDocumentSync", "documentSymbolProvider",
                                                               "documentFormattingProvider", "definitionProvider",
                                                               "hoverProvider", "referencesProvider", "renameProvider",
                                                               "completionProvider"}, r)
S.notify("initialized", {})

# ---- the examples, English, Swedish and literate, have no diagnostics ------------------------
examples = sorted((src / "examples").glob("*/contract.utfall")) + sorted((src / "examples").glob("*/avtal.utfall")) \
    + sorted((src / "examples").glob("*/avtal.md"))
T.check("examples found", len(examples) >= 15, examples)
for path in examples:
    uri, diags = S.open(path)
    T.check(f"no diagnostics: {path.parent.name}/{path.name}", diags == [], diags)

# Every example's outline is well formed, as clients require: each symbol's selection lies in its
# range, and each child's range in its parent's.
def inside(inner, outer):
    key = lambda p: (p["line"], p["character"])
    return key(outer["start"]) <= key(inner["start"]) <= key(inner["end"]) <= key(outer["end"])


def well_formed(symbols, parent=None):
    for s in symbols:
        if not inside(s["selectionRange"], s["range"]) or (parent and not inside(s["range"], parent["range"])):
            return s
        bad = well_formed(s.get("children", []), s)
        if bad:
            return bad
    return None


for path in examples:
    r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": path.as_uri()}})
    symbols = (r or {}).get("result") or []
    T.check(f"outline well formed: {path.parent.name}/{path.name}", symbols and well_formed(symbols) is None,
            well_formed(symbols) if symbols else r)

# ---- a contract with errors on lines with å, ä and ö -----------------------------------------
BAD = """\
# Hand-written for the language server's test: errors on lines with å, ä and ö.
contract "Fel med flit"
currency SEK

party kommun "Kommunen"
party fonden "Fonden"

periods yearly 2025 .. 2026

term baslinje = 100 SEK
term årlig_ränta = 5 %
term årlig_ränta = 6 %

clause "1" "Återbetalning" {
  let årsbelopp_för_år = okänd + 1 SEK
  let överskott = baslinje - 5
  pay kommun -> fonden amount årsbelopp_för_år + överskott
}
"""
bad = tmp / "bad.utfall"
bad.write_text(BAD, encoding="utf-8")
uri, diags = S.open(bad)
by_code = {d["code"]: d for d in diags or []}
T.check("bad: three diagnostics, E202 E208 E318", sorted(by_code) == ["E202", "E208", "E318"], diags)
# Line 11 (0-based) `term årlig_ränta = 6 %`: "term " is 5 units; `årlig_ränta` 11 units (in bytes 13).
d = by_code.get("E202", {})
T.check("E202: the second `årlig_ränta`, in UTF-16", d.get("range") == rng(11, 5, 11, 16), d)
T.check("E202: severity error, source utfall", d.get("severity") == 1 and d.get("source") == "utfall", d)
T.check("E202: the first declaration is related", [x["location"] for x in d.get("relatedInformation", [])]
        == [{"uri": uri, "range": rng(10, 5, 10, 16)}], d)
# Line 14 `  let årsbelopp_för_år = okänd + 1 SEK`: "  let " 6, `årsbelopp_för_år` 16 units, " = " 3:
# `okänd` at 25..30 (in bytes 28..34).
d = by_code.get("E208", {})
T.check("E208: unknown `okänd`, in UTF-16", d.get("range") == rng(14, 25, 14, 30), d)
T.check("E208: the message names it", "okänd" in d.get("message", ""), d)
# Line 15 `  let överskott = baslinje - 5`: "  let " 6, `överskott` 9 units, " = " 3: the subtraction
# `baslinje - 5` (12 units) at 18..30 (in bytes 19..31).
d = by_code.get("E318", {})
T.check("E318: SEK minus a number, in UTF-16", d.get("range") == rng(15, 18, 15, 30), d)

# Fixed, in two changes: the whole text (Full sync), and the server publishes again each time.
FIXED = BAD.replace("term årlig_ränta = 6 %\n", "").replace("okänd + 1 SEK", "baslinje + 1 SEK") \
    .replace("baslinje - 5", "baslinje - 5 SEK")
S.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                    "contentChanges": [{"text": BAD.replace("okänd", "baslinje")}]})
diags = S.diagnostics(uri)
T.check("change: the unknown name fixed, two left", sorted(d["code"] for d in diags or []) == ["E202", "E318"], diags)
S.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": FIXED}]})
T.check("change: all fixed, diagnostics cleared", S.diagnostics(uri) == [], FIXED)
S.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
T.check("close: diagnostics cleared", S.diagnostics(uri) == [])
r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
T.check("a closed document is not known", r is not None and r.get("error", {}).get("code") == -32602, r)

# A character outside the Basic Multilingual Plane is two UTF-16 units: on line 4
# `clause "1" "Å😀" { let x = okänd + 1 SEK }`, "clause" 6, ` "1"` 4, ` "Å😀"` 6 (Å 1, 😀 2, quotes 2,
# a blank 1), " {" 2, " let" 4, " x" 2, " = " 3: `okänd` at 27..32 (26..31 in code points).
uri, diags = S.open(tmp / "emoji.utfall", 'contract "x"\ncurrency SEK\nperiods yearly 2025 .. 2026\n\n'
                                          'clause "1" "Å😀" { let x = okänd + 1 SEK }\n')
T.check("a character of 4 bytes counts 2 units", [(d["code"], d["range"]) for d in diags or []]
        == [("E208", rng(4, 27, 4, 32))], diags)

# A syntax error: E1xx where the parser stops. Line 1 `contract "x" currency` ... `term = 5`:
# line 3 (0-based) `term = 5`, the parser stops at `=` (character 5), where a name should be.
uri, diags = S.open(tmp / "syntax.utfall", 'contract "x"\ncurrency SEK\n\nterm = 5\n')
T.check("syntax error: one E1xx diagnostic", len(diags or []) == 1 and diags[0]["code"].startswith("E1"), diags)
T.check("syntax error: on line 3 at the `=`", bool(diags) and diags[0]["range"]["start"] == pos(3, 5), diags)

# ---- documentSymbol of scenario A, counted from examples/a-aldreomsorg/contract.utfall ---------
A = src / "examples" / "a-aldreomsorg"
uri_a = A.joinpath("contract.utfall").as_uri()
r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": uri_a}})
symbols = (r or {}).get("result") or []
named = {s["name"]: s for s in symbols}
T.check("symbols: the top level in order", [s["name"] for s in symbols] == [
    "kommun", "utfallsfonden", "hemtjanst_kostnad", "avropat", "baslinje", "premieandel", "takbelopp",
    "3.1 Frigjorda resurser", "3.2 Återbetalning", 'example "plan"', 'example "messy"', 'example "fail"'], symbols)


def check_symbol(name, full, selection, s=None):
    s = s if s is not None else named.get(name, {})
    T.check(f"symbol {name}: range", s.get("range") == full, s)
    T.check(f"symbol {name}: selection", s.get("selectionRange") == selection, s)


# Line 7 `party kommun        "Kommunen"`: "party " 6, `kommun` 6, 8 blanks, the display name 10.
check_symbol("kommun", rng(7, 0, 7, 30), rng(7, 6, 7, 12))
# Line 12 `input hemtjanst_kostnad : SEK per period`: "input " 6, the name 17, " : " 3, the type 14.
check_symbol("hemtjanst_kostnad", rng(12, 0, 12, 40), rng(12, 6, 12, 23))
# Line 15 `term baslinje    = 200_000_000 SEK`: "term " 5, `baslinje` 8, "    = " 6, the value 15.
check_symbol("baslinje", rng(15, 0, 15, 34), rng(15, 5, 15, 13))
T.check("symbol baslinje: a constant of type SEK", named.get("baslinje", {}).get("kind") == 14
        and named.get("baslinje", {}).get("detail") == "SEK", named.get("baslinje"))
# Line 16 `term premieandel = 30 %`: 5 + 11 + 3, the value 4.
check_symbol("premieandel", rng(16, 0, 16, 23), rng(16, 5, 16, 16))
# Clause 3.1, lines 19-21, from `clause` to its `}`; selection its first line (35 characters).
c31 = named.get("3.1 Frigjorda resurser", {})
check_symbol("3.1 Frigjorda resurser", rng(19, 0, 21, 1), rng(19, 0, 19, 35))
# Line 20 `  let frigjort = max(baslinje - hemtjanst_kostnad, 0 SEK)`: "  let " 6, `frigjort` 8,
# " = " 3, `max(...)` 40.
kids = c31.get("children") or [{}]
T.check("clause 3.1 holds `frigjort`", [k.get("name") for k in kids] == ["frigjort"], kids)
check_symbol("frigjort", rng(20, 2, 20, 57), rng(20, 6, 20, 14), kids[0])
# Clause 3.2, lines 23-30; the waterfall from `waterfall` (line 25, character 2) to its `}`
# (line 29, character 2); its name at 12..25.
c32 = named.get("3.2 Återbetalning", {})
check_symbol("3.2 Återbetalning", rng(23, 0, 30, 1), rng(23, 0, 23, 30))
w = (c32.get("children") or [{}])[0]
T.check("clause 3.2 holds the waterfall", w.get("name") == "aterbetalning", c32)
check_symbol("aterbetalning", rng(25, 2, 29, 3), rng(25, 12, 25, 25), w)
tiers = w.get("children") or []
T.check("the waterfall's tiers", [t.get("name") for t in tiers] == ["kapital", "premie", "kommun"], tiers)
# Line 26 `    kapital: utfallsfonden up to to_date(avropat)`: 4 + 45; line 28 `    rest to kommun`.
if len(tiers) == 3:
    check_symbol("kapital", rng(26, 4, 26, 49), rng(26, 4, 26, 11), tiers[0])
    check_symbol("rest to kommun", rng(28, 4, 28, 18), rng(28, 12, 28, 18), tiers[2])
# Line 32 `example "plan" data "plan.csv" {` (32 characters) to line 39's `}`.
check_symbol('example "plan"', rng(32, 0, 39, 1), rng(32, 0, 32, 32))

# Swedish: line 20 of avtal.utfall `  låt frigjort = ...`: `låt` is 3 units (4 bytes), so
# `frigjort` is at 6..14 as in English.
uri_sv = A.joinpath("avtal.utfall").as_uri()
r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": uri_sv}})
sv = {s["name"]: s for s in (r or {}).get("result") or []}
let_sv = ((sv.get("3.1 Frigjorda resurser") or {}).get("children") or [{}])[0]
check_symbol("frigjort (Swedish)", rng(20, 2, 20, 57), rng(20, 6, 20, 14), let_sv)
# There `baslinje` is at characters 21..29 too, but at bytes 22..30.
r = S.request("textDocument/definition", {"textDocument": {"uri": uri_sv}, "position": pos(20, 21)})
T.check("definition in Swedish: baslinje, line 15 `villkor baslinje`", (r or {}).get("result") == {
    "uri": uri_sv, "range": rng(15, 8, 15, 16)}, r)

# ---- definition and hover ---------------------------------------------------------------
def at(uri, method, line, character):
    r = S.request(method, {"textDocument": {"uri": uri}, "position": pos(line, character)})
    return (r or {}).get("result", "no result")


# Line 27 `    premie:  utfallsfonden premieandel of rest, rounded half_even to 0.01, capped at takbelopp`
# ends at 94: `takbelopp` at 85..94; declared on line 17 `term takbelopp   = ...` at 5..14.
T.check("definition: takbelopp", at(uri_a, "textDocument/definition", 27, 87) == {"uri": uri_a, "range": rng(17, 5, 17, 14)})
# Line 25 `  waterfall aterbetalning: kommun pays to_date(frigjort) ...`: 12 + 14 + 7 + 6 + 8 = 47,
# `frigjort` at 47..55; declared on line 20 at 6..14 (in another clause).
T.check("definition: frigjort", at(uri_a, "textDocument/definition", 25, 55) == {"uri": uri_a, "range": rng(20, 6, 20, 14)})
T.check("definition: a keyword has none", at(uri_a, "textDocument/definition", 15, 1) is None)
# Line 20 `  let frigjort = max(baslinje - hemtjanst_kostnad, 0 SEK)`: `baslinje` at 21..29,
# `hemtjanst_kostnad` at 32..49.
h = at(uri_a, "textDocument/hover", 20, 21) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a term, its type, as written", value.startswith("**term** `baslinje`: SEK\n")
        and "term baslinje    = 200_000_000 SEK\n" in value, h)
h = at(uri_a, "textDocument/hover", 20, 40) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: an input, as written", value.startswith("**input** `hemtjanst_kostnad`")
        and "input hemtjanst_kostnad : SEK per period\n" in value, h)
h = at(uri_a, "textDocument/hover", 20, 8) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a definition on its own name", value.startswith("**definition** `frigjort`: SEK"), h)
# The values in the first example, "plan" (plan.csv): hemtjanst_kostnad 200, 190, 170, 150 and 140 million
# in 2025..2029, so frigjort = max(200 million - cost, 0) is 0, 10, 30, 50 and 60 million.
T.check("hover: a definition's value per period in the example", value.endswith(
    'In the example "plan":\n\n| period | value |\n|---|---|\n| 2025 | `0.00 SEK` |\n| 2026 | `10000000.00 SEK` |\n'
    '| 2027 | `30000000.00 SEK` |\n| 2028 | `50000000.00 SEK` |\n| 2029 | `60000000.00 SEK` |\n'), value)
h = at(uri_a, "textDocument/hover", 20, 40) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: an input's data per period in the example", "| 2026 | `190000000.00 SEK` |\n" in value
        and "| 2029 | `140000000.00 SEK` |\n" in value, value)
h = at(uri_a, "textDocument/hover", 15, 6) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a term's one value in the example", value.endswith('In the example "plan": `200000000.00 SEK`'), value)
h = at(uri_a, "textDocument/hover", 16, 6) or {}  # line 16 `term premieandel = 30 %`
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a percentage shown as one", value.endswith('In the example "plan": `30 %`'), value)
T.check("hover: a comment has none", at(uri_a, "textDocument/hover", 0, 4) is None)
# Line 25 `  waterfall aterbetalning: kommun pays ...`: the payer `kommun` at 27..33, a party declared
# on line 7 `party kommun ...` at 6..12.
T.check("definition: a party", at(uri_a, "textDocument/definition", 25, 30) == {"uri": uri_a, "range": rng(7, 6, 7, 12)})
# examples/e-rate-card: line 30 `    amount rates(u.outcome)`: the table `rates` at 11..16, declared on
# line 20 `table rates {` at 6..11 and closed on line 26; the binder `u` at 17 is not resolved.
uri_e = (src / "examples" / "e-rate-card" / "contract.utfall").as_uri()
T.check("definition: a table called", at(uri_e, "textDocument/definition", 30, 12) == {"uri": uri_e, "range": rng(20, 6, 20, 11)})
h = at(uri_e, "textDocument/hover", 30, 12) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a table, its rows as written", value.startswith("**table** `rates`\n") and "```utfall\ntable rates {\n" in value
        and value.endswith("}\n```"), h)
T.check("hover: a binder has none", at(uri_e, "textDocument/hover", 30, 17) is None)

# ---- references: every site of a name, in the order of the text ---------------------------
def refs(uri, line, character, declaration):
    r = S.request("textDocument/references", {"textDocument": {"uri": uri}, "position": pos(line, character),
                                              "context": {"includeDeclaration": declaration}})
    return [x["range"] for x in ((r or {}).get("result") or [])] if isinstance((r or {}).get("result"), list) else r


# The party `kommun` of contract.utfall, asked on line 28 `    rest to kommun` (4 + 4 + 1 + 2 + 1 = 12:
# 12..18): declared on line 7 `party kommun` (6..12); the payer on line 25
# `  waterfall aterbetalning: kommun pays` (2 + 9 + 1 + 14 + 1 = 27: 27..33); and in each `expect`
# line of the three examples (lines 33-38, 42-47, 51-56) `  expect kommun -> ...` (2 + 6 + 1 = 9: 9..15).
EXPECT_LINES_EN = list(range(33, 39)) + list(range(42, 48)) + list(range(51, 57))
T.check("references: the party kommun, 21 sites", refs(uri_a, 28, 14, True) == [rng(7, 6, 7, 12), rng(25, 27, 25, 33),
        rng(28, 12, 28, 18)] + [rng(n, 9, n, 15) for n in EXPECT_LINES_EN], refs(uri_a, 28, 14, True))
T.check("references: without the declaration, 20 sites", refs(uri_a, 28, 14, False) == [rng(25, 27, 25, 33),
        rng(28, 12, 28, 18)] + [rng(n, 9, n, 15) for n in EXPECT_LINES_EN])
# The term `baslinje`, asked on its declaration (line 15 `term baslinje`, 5..13): used once, on line 20
# `  let frigjort = max(baslinje - ...` at 21..29.
T.check("references: a term, with its declaration", refs(uri_a, 15, 6, True) == [rng(15, 5, 15, 13), rng(20, 21, 20, 29)],
        refs(uri_a, 15, 6, True))
T.check("references: a term, without it", refs(uri_a, 15, 6, False) == [rng(20, 21, 20, 29)])
r = S.request("textDocument/references", {"textDocument": {"uri": uri_a}, "position": pos(15, 1),
                                          "context": {"includeDeclaration": True}})
T.check("references: a keyword has none", r is not None and "result" in r and r["result"] is None, r)
# Swedish, avtal.utfall: line 7 `part kommun` (5..11); line 25 `  betalningsordning aterbetalning: kommun`
# (2 + 17 + 1 + 14 + 1 = 35: 35..41); line 30 `    resten till kommun` (4 + 6 + 1 + 4 + 1 = 16: 16..22); the
# examples' lines 35-40, 44-49, 53-58 `  förvänta kommun` (2 + 8 units + 1 = 11: 11..17; in bytes 13..19).
EXPECT_LINES_SV = list(range(35, 41)) + list(range(44, 50)) + list(range(53, 59))
T.check("references in Swedish: kommun, 21 sites", refs(uri_sv, 30, 18, True) == [rng(7, 5, 7, 11), rng(25, 35, 25, 41),
        rng(30, 16, 30, 22)] + [rng(n, 11, n, 17) for n in EXPECT_LINES_SV], refs(uri_sv, 30, 18, True))


# ---- rename ------------------------------------------------------------------------------
def utf16_index(line_text, units):
    """The index in a Python string of a position counted in UTF-16 units."""
    count = 0
    for i, ch in enumerate(line_text):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text)


def apply_edits(text, edits):
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    at = lambda p: starts[p["line"]] + utf16_index(lines[p["line"]], p["character"])
    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True):
        text = text[:at(e["range"]["start"])] + e["newText"] + text[at(e["range"]["end"]):]
    return text


def rename(uri, line, character, new_name):
    return S.request("textDocument/rename", {"textDocument": {"uri": uri}, "position": pos(line, character), "newName": new_name})


def refused(r, code=-32602):
    return (r or {}).get("error", {}).get("code") == code


for csv in A.glob("*.csv"):
    (tmp / csv.name).write_bytes(csv.read_bytes())
text_a = A.joinpath("contract.utfall").read_text(encoding="utf-8")
text_sv = A.joinpath("avtal.utfall").read_text(encoding="utf-8")
r = S.request("textDocument/prepareRename", {"textDocument": {"uri": uri_a}, "position": pos(15, 6)})
T.check("prepareRename: baslinje, its range and text", (r or {}).get("result") == {"range": rng(15, 5, 15, 13),
                                                                                   "placeholder": "baslinje"}, r)
# Line 20 `  let frigjort = max(...`: the built-in `max` at 17..20 is not renamed.
r = S.request("textDocument/prepareRename", {"textDocument": {"uri": uri_a}, "position": pos(20, 18)})
T.check("prepareRename: a built-in function, null", r is not None and "result" in r and r["result"] is None, r)
T.check("rename: a built-in function is refused", refused(rename(uri_a, 20, 18, "störst")))

def check_rename(label, uri, line, character, new_name, text, sites, by_hand):
    """Renames at a position: the edits stand at `sites`, the text they make is `by_hand`, and it checks."""
    r = rename(uri, line, character, new_name)
    edits = (((r or {}).get("result") or {}).get("changes") or {}).get(uri, [])
    T.check(f"{label}: the edits at the sites", [e["range"] for e in edits] == sites
            and all(e["newText"] == new_name for e in edits), r)
    renamed = apply_edits(text, edits)
    T.check(f"{label}: the text as renamed by hand", renamed == by_hand, renamed)
    renamed_file = tmp / ("renamed" + Path(uri).suffix)  # a literate contract stays Markdown
    renamed_file.write_text(renamed, encoding="utf-8")
    run = subprocess.run([utfall, "check", str(renamed_file)], capture_output=True, timeout=TIMEOUT)
    T.check(f"{label}: utfall check passes on the renamed text", run.returncode == 0, run.stderr)


check_rename("rename baslinje", uri_a, 15, 6, "grundnivå", text_a, [rng(15, 5, 15, 13), rng(20, 21, 20, 29)],
             text_a.replace("term baslinje    =", "term grundnivå    =").replace("max(baslinje - ", "max(grundnivå - "))
# Swedish: `frigjort` on line 20 `  låt frigjort` (2 + 3 units + 1 = 6: 6..14) and on line 25
# `  betalningsordning aterbetalning: kommun betalar to_date(frigjort)` (35 + 6 + 1 + 7 + 1 + 8 = 58: 58..66).
check_rename("rename in Swedish", uri_sv, 20, 8, "frigjorda_medel", text_sv, [rng(20, 6, 20, 14), rng(25, 58, 25, 66)],
             text_sv.replace("låt frigjort =", "låt frigjorda_medel =").replace("to_date(frigjort)", "to_date(frigjorda_medel)"))

# The party `kommun` at its 21 sites, counted above under references: every line but the display name
# "Kommunen" (a string) and the comments changes.
check_rename("rename a party", uri_a, 7, 8, "kommunen", text_a, [rng(7, 6, 7, 12), rng(25, 27, 25, 33), rng(28, 12, 28, 18)]
             + [rng(n, 9, n, 15) for n in EXPECT_LINES_EN], text_a.replace("party kommun ", "party kommunen ")
             .replace(": kommun pays", ": kommunen pays").replace("rest to kommun", "rest to kommunen")
             .replace("expect kommun ->", "expect kommunen ->"))
# A literate contract, avtal.md: the code lines are the Markdown's own. Line 37 `villkor baslinje` (8..16) and
# line 48 `låt frigjort = max(baslinje` (3 units + 1 + 8 + 3 + 4 = 19: 19..27); the prose of line 44,
# "skillnaden mellan baslinjen och ...", is not code and stays.
uri_md = (A / "avtal.md").as_uri()
text_md = (A / "avtal.md").read_text(encoding="utf-8")
check_rename("rename in a literate contract", uri_md, 37, 10, "grundnivå", text_md, [rng(37, 8, 37, 16), rng(48, 19, 48, 27)],
             text_md.replace("villkor baslinje    =", "villkor grundnivå    =").replace("max(baslinje -", "max(grundnivå -"))

# The keywords are the file's: `total` is English, `allt` its Swedish spelling.
T.check("rename: an English keyword is refused in English", refused(rename(uri_a, 15, 6, "total")))
T.check("rename: a keyword that is not reserved is refused", refused(rename(uri_a, 15, 6, "yearly")))
T.check("rename: a Swedish keyword is refused in Swedish", refused(rename(uri_sv, 15, 10, "allt")))
r = rename(uri_sv, 15, 10, "total")
T.check("rename: an English keyword is a name in Swedish", len((((r or {}).get("result") or {}).get("changes") or {})
                                                              .get(uri_sv, [])) == 2, r)
r = rename(uri_a, 15, 6, "takbelopp")
T.check("rename: a name declared already is refused", refused(r) and "declared already" in r["error"]["message"], r)
for bad_name in ["2x", "a-b", "", "bas linje"]:
    T.check(f"rename: `{bad_name}` is not a name", refused(rename(uri_a, 15, 6, bad_name)))
T.check("rename: a built-in function's name is refused", refused(rename(uri_a, 15, 6, "max")))
# `takbеlopp` with a Cyrillic е (U+0435) looks like the term `takbelopp`: the renamed contract would
# not check (E216), so the rename is refused.
r = rename(uri_a, 15, 6, "takb\u0435lopp")
T.check("rename: a name confusable with another is refused", refused(r) and "E216" in r["error"]["message"], r)
uri_syntax = (tmp / "syntax.utfall").as_uri()
T.check("rename: a text that does not parse is refused", refused(rename(uri_syntax, 3, 0, "x"), -32803))


# ---- completion ----------------------------------------------------------------------------
def complete(uri, line, character):
    r = S.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": pos(line, character)})
    result = (r or {}).get("result") or {}
    return {x["label"]: x for x in result.get("items", [])} if isinstance(result, dict) else {}


def keyword_table(column):
    rows = re.findall(r'^  X\(\w+, "([^"]+)", "([^"]+)"\)', (src / "grammar" / "keywords.hpp").read_text(encoding="utf-8"), re.M)
    return {row[column] for row in rows}


items = complete(uri_a, 20, 21)
NAMES_A = {"kommun": 7, "utfallsfonden": 7, "hemtjanst_kostnad": 5, "avropat": 5, "baslinje": 21, "premieandel": 21,
           "takbelopp": 21, "frigjort": 6}
T.check("completion: every declared name, with its kind", all(items.get(n, {}).get("kind") == k for n, k in NAMES_A.items()), items)
T.check("completion: the checker's types", [items.get(n, {}).get("detail") for n in ["baslinje", "hemtjanst_kostnad", "frigjort"]]
        == ["SEK", "SEK per period", "SEK"], items)
T.check("completion: built-in functions", all(items.get(n, {}).get("kind") == 3 for n in ["max", "to_date", "round"]), items)
keywords = {label for label, x in items.items() if x.get("kind") == 14}
T.check("completion: the English keywords, exactly", keywords == keyword_table(0), keywords ^ keyword_table(0))
items = complete(uri_sv, 20, 21)
keywords = {label for label, x in items.items() if x.get("kind") == 14}
T.check("completion in Swedish: the Swedish keywords, exactly", keywords == keyword_table(1), keywords ^ keyword_table(1))
T.check("completion in Swedish: names too", all(n in items for n in NAMES_A), items)

# Mid-typing: line 20 cut to `  let frigjort = max(bas` (2 + 3 + 1 + 8 + 3 + 4 + 3 = 24 units): the text
# no longer parses, and the names and types come from the last text that did.
mid = tmp / "mid.utfall"
uri_mid, diags = S.open(mid, text_a)
T.check("mid-typing: the whole contract first checks", diags == [], diags)
S.notify("textDocument/didChange", {"textDocument": {"uri": uri_mid, "version": 2}, "contentChanges": [
    {"text": text_a.replace("max(baslinje - hemtjanst_kostnad, 0 SEK)", "max(bas")}]})
diags = S.diagnostics(uri_mid)
T.check("mid-typing: a syntax error", bool(diags) and diags[0]["code"].startswith("E1"), diags)
items = complete(uri_mid, 20, 24)
T.check("mid-typing: the names are still offered", all(items.get(n, {}).get("kind") == k for n, k in NAMES_A.items()), items)
T.check("mid-typing: with the types of the last check", items.get("baslinje", {}).get("detail") == "SEK", items.get("baslinje"))
T.check("mid-typing: the word being typed is not offered", "bas" not in items, sorted(items))
# A text that never parsed: the names are read from it.
NEVER = 'contract "x"\ncurrency SEK\nparty kommun "K"\nparty fonden "F"\nperiods yearly 2025 .. 2026\n' \
        'term grund = 5 SEK\nclause "1" "a" {\n  let y = gr'
uri_never, diags = S.open(tmp / "never.utfall", NEVER)
items = complete(uri_never, 7, 12)  # line 7 `  let y = gr`: 2 + 3 + 1 + 1 + 3 + 2 = 12
T.check("never parsed: the names declared in the text", {n: items.get(n, {}).get("kind") for n in ["kommun", "fonden", "grund", "y"]}
        == {"kommun": 7, "fonden": 7, "grund": 21, "y": 6} and "gr" not in items, sorted(items))

# `u.` in examples/e-rate-card: line 30 `    amount rates(u.outcome)`; `u` is bound on line 29 by
# `for each u in outcomes`, whose fields are id, outcome and achieved. After `u.` is 4 + 6 + 1 + 6 + 2 = 19.
text_e = (src / "examples" / "e-rate-card" / "contract.utfall").read_text(encoding="utf-8")
items = complete(uri_e, 30, 19)
T.check("completion after `u.`: exactly the fields", sorted(items) == ["achieved", "id", "outcome"]
        and all(x.get("kind") == 5 for x in items.values()), items)
uri_rate, _ = S.open(tmp / "rate.utfall", text_e)
S.notify("textDocument/didChange", {"textDocument": {"uri": uri_rate, "version": 2}, "contentChanges": [
    {"text": text_e.replace("    amount rates(u.outcome)\n", "    amount rates(u.\n")}]})
S.diagnostics(uri_rate)
items = complete(uri_rate, 30, 19)
T.check("completion after `u.` while typing: exactly the fields", sorted(items) == ["achieved", "id", "outcome"], items)
# examples/c-tfco: line 44 `    amount utfallspris * u.poang` (4 + 6 + 1 + 11 + 3 + 2 = 27 after `u.`): the five
# fields of `ungdomar` (lines 15-19) and `poang`, its definition per participant (line 35), `narvaro` a percentage.
tfco = src / "examples" / "c-tfco" / "contract.utfall"
uri_tfco, _ = S.open(tfco)
items = complete(uri_tfco, 44, 27)
T.check("completion after `u.`: fields and definitions per participant", {n: x.get("kind") for n, x in items.items()} == {
    "id": 5, "inskriven": 5, "stabil": 5, "narvaro": 5, "nytt_brott": 5, "poang": 6}, items)
T.check("completion after `u.`: a percentage field's type", items.get("narvaro", {}).get("detail") == "%", items.get("narvaro"))
# Line 29 `  pay per_outcome: kommun -> utforare ...`: after `->` (2 + 3 + 1 + 12 + 1 + 6 + 1 + 2 + 1 = 29) a payee.
items = complete(uri_e, 29, 29)
T.check("completion after `->`: the parties only", sorted(items) == ["kommun", "utforare"], sorted(items))

# ---- named payments and waterfalls: declared names like the others ---------------------
# examples/h-expect: line 23 `  pay utbetalning: kommun -> fonden amount ersattning` (2 + 3 + 1 = 6: 6..17);
# line 29 `  waterfall fordelning: fonden pays utbetalning {` (2 + 9 + 1 = 12: `fordelning` 12..22; 12 + 10 + 1
# + 1 + 6 + 1 + 4 + 1 = 36: `utbetalning` 36..47); line 34 `  let skuld = 40_000 SEK - to_date(utbetalning)`
# (2 + 3 + 1 + 5 + 3 + 6 + 1 + 3 + 3 + 7 + 1 = 35: 35..46); line 36 `  let avkastning = to_date(fordelning) /
# to_date(utbetalning)` (2 + 3 + 1 + 10 + 3 + 7 + 1 = 27: `fordelning` 27..37; 37 + 4 + 7 + 1 = 49: `utbetalning`
# 49..60); `  expect NAME` (2 + 6 + 1 = 9) on lines 41, 42 (utbetalning, 9..20) and 43, 44, 69 (fordelning, 9..19).
HX = src / "examples" / "h-expect" / "contract.utfall"
uri_hx, text_hx = HX.as_uri(), HX.read_text(encoding="utf-8")
UTBETALNING = [rng(23, 6, 23, 17), rng(29, 36, 29, 47), rng(34, 35, 34, 46), rng(36, 49, 36, 60), rng(41, 9, 41, 20),
               rng(42, 9, 42, 20)]
FORDELNING = [rng(29, 12, 29, 22), rng(36, 27, 36, 37), rng(43, 9, 43, 19), rng(44, 9, 44, 19), rng(69, 9, 69, 19)]
T.check("references: a named payment, from a use in a definition", refs(uri_hx, 34, 40, True) == UTBETALNING,
        refs(uri_hx, 34, 40, True))
T.check("references: a named payment, from an `expect` line", refs(uri_hx, 41, 12, False) == UTBETALNING[1:])
T.check("references: a named waterfall", refs(uri_hx, 36, 30, True) == FORDELNING, refs(uri_hx, 36, 30, True))
T.check("definition: a named payment", at(uri_hx, "textDocument/definition", 29, 40) == {"uri": uri_hx, "range": UTBETALNING[0]})
T.check("definition: a named waterfall, from an example", at(uri_hx, "textDocument/definition", 69, 12)
        == {"uri": uri_hx, "range": FORDELNING[0]})
# What they paid in the example "plan" (plan.csv: barn 8, 12, 10 at 1 000 SEK per child): utbetalning 8 000,
# 12 000, 10 000; the waterfall 5 000 to investerare and half of the rest to kommun: 6 500, 8 500, 7 500.
h = at(uri_hx, "textDocument/hover", 34, 40) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a named payment, its currency, as written, what it paid", value.startswith("**payment** `utbetalning`: SEK\n")
        and "\npay utbetalning: kommun -> fonden amount ersattning\n" in value and value.endswith(
            '| 2025 | `8000.00 SEK` |\n| 2026 | `12000.00 SEK` |\n| 2027 | `10000.00 SEK` |\n'), value)
h = at(uri_hx, "textDocument/hover", 29, 14) or {}
value = h.get("contents", {}).get("value", "") if isinstance(h, dict) else ""
T.check("hover: a named waterfall, its block, what it paid", value.startswith("**waterfall** `fordelning`: SEK\n")
        and "\nwaterfall fordelning: fonden pays utbetalning {\n" in value and "  }\n```" in value and value.endswith(
            '| 2025 | `6500.00 SEK` |\n| 2026 | `8500.00 SEK` |\n| 2027 | `7500.00 SEK` |\n'), value)
items = complete(uri_hx, 34, 35)
T.check("completion: named payments and waterfalls, as events, with their currency",
        [(items.get(n, {}).get("kind"), items.get(n, {}).get("detail")) for n in ["utbetalning", "fordelning"]]
        == [(23, "SEK"), (23, "SEK")], items)
check_rename("rename a named payment", uri_hx, 23, 8, "inbetalning", text_hx, UTBETALNING,
             text_hx.replace("pay utbetalning:", "pay inbetalning:").replace("pays utbetalning", "pays inbetalning")
             .replace("(utbetalning)", "(inbetalning)").replace("expect utbetalning", "expect inbetalning"))
check_rename("rename a named waterfall", uri_hx, 43, 10, "fordelningen", text_hx, FORDELNING,
             text_hx.replace("waterfall fordelning:", "waterfall fordelningen:").replace("(fordelning)", "(fordelningen)")
             .replace("expect fordelning", "expect fordelningen"))
T.check("rename: a payment's new name declared already is refused", refused(rename(uri_hx, 23, 8, "fordelning")))


# ---- formatting: as `utfall fmt` prints it ------------------------------------------------
UGLY = """contract   "Formatering"
currency SEK
party kommun "Kommunen"
party fonden   "Fonden"
periods yearly 2025 .. 2026
term a = 1 SEK
term bb =   (2 SEK)
clause "1" "Å" {
      let   ö = a+bb
pay kommun -> fonden amount ö
  }
"""
ugly = tmp / "ugly.utfall"
ugly.write_text(UGLY, encoding="utf-8")
fmt = subprocess.run([utfall, "fmt", str(ugly)], capture_output=True, timeout=TIMEOUT)
T.check("utfall fmt formats the ugly contract", fmt.returncode == 0 and fmt.stdout.decode() != UGLY, fmt.stderr)
uri, _ = S.open(ugly)
r = S.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
edits = (r or {}).get("result")
# The whole text: 11 lines, each ending with a line end, so the end is line 11, character 0.
T.check("formatting: one edit over the whole text", isinstance(edits, list) and len(edits) == 1
        and edits[0]["range"] == rng(0, 0, 11, 0), r)
T.check("formatting: the text of utfall fmt", bool(edits) and edits[0]["newText"] == fmt.stdout.decode(), r)
S.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                    "contentChanges": [{"text": fmt.stdout.decode()}]})
S.diagnostics(uri)
r = S.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
T.check("formatting: none when already formatted", (r or {}).get("result") == [], r)
uri, _ = S.open(tmp / "broken.utfall", 'contract "x"\ncurrency SEK\n\nterm = 5\n')
r = S.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
T.check("formatting: a file that does not parse is an error", (r or {}).get("error", {}).get("code") == -32803, r)

# ---- errors of the protocol: the server answers and reads on ------------------------------
body = b'{"jsonrpc": "2.0", "id": 99, "method": '
S.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
m = S.receive()
T.check("malformed JSON: -32700 with a null id", (m or {}).get("error", {}).get("code") == -32700
        and m.get("id") is None, m)
r = S.request("textDocument/signatureHelp", {"textDocument": {"uri": uri_a}, "position": pos(0, 0)})
T.check("unknown method: -32601", (r or {}).get("error", {}).get("code") == -32601, r)
r = S.request("workspace/noSuchThing")
T.check("unknown method: -32601 again", (r or {}).get("error", {}).get("code") == -32601, r)
S.send([{"jsonrpc": "2.0", "id": 100, "method": "shutdown"}])  # a batch: not a request
m = S.receive()
T.check("a batch: -32600", (m or {}).get("error", {}).get("code") == -32600 and m.get("id") is None, m)
r = S.request("textDocument/documentSymbol", [])
T.check("params that are not an object: -32602", (r or {}).get("error", {}).get("code") == -32602, r)
S.notify("$/noSuchNotification", {})  # a notification it does not know is dropped
r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": uri_a}})
T.check("still serving after the errors", isinstance((r or {}).get("result"), list), r)

# ---- --lang sv: the messages in Swedish, from the message table ----------------------------
SV = Server("--lang", "sv")
SV.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
uri, diags = SV.open(bad)
e208 = [d for d in diags or [] if d["code"] == "E208"]
T.check("--lang sv: E208 in Swedish", bool(e208) and e208[0]["message"].startswith("okänt namn `okänd`"), diags)
sv_uri, _ = SV.open(A / "avtal.utfall")
r = SV.request("textDocument/hover", {"textDocument": {"uri": sv_uri}, "position": pos(20, 21)})
value = (((r or {}).get("result") or {}).get("contents") or {}).get("value", "")
T.check("--lang sv: hover names a term `villkor`", value.startswith("**villkor** `baslinje`: SEK\n")
        and "villkor baslinje    = 200_000_000 SEK\n" in value, r)
T.check("--lang sv: the value in the example, in Swedish", value.endswith('I exemplet "plan": `200000000.00 SEK`'), value)
SV.kill()

# ---- values under a data file the workspace names (`utfall.data`) ---------------------------
# examples/a-aldreomsorg: line 15 `term baslinje = 200_000_000 SEK`, line 20 `let frigjort = max(baslinje -
# hemtjanst_kostnad, 0 SEK)`; the expected values are computed here from the CSV files.
def csv_column(path, column):
    with open(path, encoding="utf-8") as f:
        return [(row["period"], Decimal(row[column])) for row in DictReader(f)]


def money(x):
    return f"`{x.quantize(Decimal('0.01'))} SEK`"


def frigjort_rows(path):
    return "".join(f"| {p} | {money(max(Decimal(200_000_000) - cost, Decimal(0)))} |\n"
                   for p, cost in csv_column(path, "hemtjanst_kostnad"))


def hover_value(server, uri, line, character):
    r = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos(line, character)})
    return (((r or {}).get("result") or {}).get("contents") or {}).get("value", "")


D = Server()
D.request("initialize", {"processId": None, "rootUri": src.as_uri(), "capabilities": {},
                         "initializationOptions": {"data": {"examples/a-aldreomsorg/contract.utfall":
                                                            "examples/a-aldreomsorg/messy.csv"}}})
uri_d, _ = D.open(A / "contract.utfall")
value = hover_value(D, uri_d, 20, 8)
T.check("named data: a definition's values per period, from initializationOptions", value.endswith(
    "With the data file `examples/a-aldreomsorg/messy.csv`:\n\n| period | value |\n|---|---|\n"
    + frigjort_rows(A / "messy.csv")), value)
T.check("named data: it takes precedence over the example", "In the example" not in value, value)
value = hover_value(D, uri_d, 20, 40)
T.check("named data: an input's data per period", value.endswith("".join(
    f"| {p} | {money(cost)} |\n" for p, cost in csv_column(A / "messy.csv", "hemtjanst_kostnad"))), value)
value = hover_value(D, uri_d, 15, 6)
T.check("named data: a term's one value", value.endswith(
    "With the data file `examples/a-aldreomsorg/messy.csv`: `200000000.00 SEK`"), value)


def check_fail_csv_values(name, glob, uri):
    """Names fail.csv for the contracts that `glob` matches; the hover of `frigjort` at `uri` then
    shows its values per period under that file."""
    D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": {glob: "examples/a-aldreomsorg/fail.csv"}}}})
    value = hover_value(D, uri, 20, 8)
    T.check(name, value.endswith("With the data file `examples/a-aldreomsorg/fail.csv`:\n\n| period | value |\n|---|---|\n"
                                 + frigjort_rows(A / "fail.csv")), value)


check_fail_csv_values("named data: a glob, from the settings as they change", "**/a-aldreomsorg/*.utfall", uri_d)
D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": {
    "**/contract.utfall": str(A / "plan.csv")}}}})
value = hover_value(D, uri_d, 20, 8)
T.check("named data: an absolute path", value.endswith(frigjort_rows(A / "plan.csv")) and "With the data file `/" in value, value)
D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": {"**/contract.utfall": "no/such.csv"}}}})
value = hover_value(D, uri_d, 20, 8)
T.check("named data: a file that cannot be read gives a note and no values",
        "The data file `no/such.csv` cannot be read (E801: " in value and "| period |" not in value and "In the example" not in value, value)
D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": {"**/contract.utfall": "examples/a-aldreomsorg/avtal.md"}}}})
value = hover_value(D, uri_d, 20, 8)
T.check("named data: a file that is not data gives a note", "The data file `examples/a-aldreomsorg/avtal.md` cannot be read (E513: " in value,
        value)
# A pattern that a backtracking match takes exponential time over (each `*` tried at every
# place of a name of 60 `a`s): answered at once, matching nothing, so the example's values are
# shown. Then one with `?` and `*` that matches the same file.
long_name = A / ("a" * 60 + ".utfall")
uri_long, _ = D.open(long_name, (A / "contract.utfall").read_text(encoding="utf-8"))
D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": {"**/" + "*a" * 30 + "*b.utfall": "no/such.csv"}}}})
value = hover_value(D, uri_long, 20, 8)
T.check("named data: a glob of 30 stars over a name of 60 letters matches nothing, at once", "In the example" in value
        and "no/such.csv" not in value, value)
check_fail_csv_values("named data: `?` and `*` in a glob", "**/a-?ldreomsorg/a*a.utfall", uri_long)
D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": {"other/contract.utfall": "no/such.csv"}}}})
value = hover_value(D, uri_d, 20, 8)
T.check("named data: none for this contract, the example again", 'In the example "plan":' in value, value)
D.notify("workspace/didChangeConfiguration", {"settings": {"utfall": {"data": "not an object"}}})
T.check("named data: a setting that is not an object names none", 'In the example "plan":' in hover_value(D, uri_d, 20, 8))
D.kill()

# ---- shutdown and exit -------------------------------------------------------------------
r = S.request("shutdown")
T.check("shutdown: a null result", r is not None and "result" in r and r["result"] is None, r)
r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": uri_a}})
T.check("after shutdown a request is refused", (r or {}).get("error", {}).get("code") == -32600, r)
S.notify("exit", None)
T.check("exit after shutdown: code 0", S.wait() == 0)

S = Server()
r = S.request("textDocument/documentSymbol", {"textDocument": {"uri": uri_a}})
T.check("before initialize: -32002", (r or {}).get("error", {}).get("code") == -32002, r)
S.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
S.notify("exit", None)
T.check("exit without shutdown: code 1", S.wait() == 1)

# ---- broken framing: the server stops (code 1) and says why, never hangs --------------------
for label, data in [("a length over 64 MiB", b"Content-Length: 99999999999\r\n\r\n{}"),
                    ("a length that is not a number", b"Content-Length: many\r\n\r\n{}"),
                    ("no Content-Length", b"Content-Type: x\r\n\r\n{}"),
                    ("a header line without end", b"X" * 20000),
                    ("the input ending inside a message", b"Content-Length: 100\r\n\r\n{}")]:
    S = Server()
    try:
        S.p.stdin.write(data)
        S.p.stdin.close()
    except BrokenPipeError:
        pass
    code = S.wait()
    err = S.p.stderr.read().decode()
    T.check(f"broken framing, {label}: exits 1", code == 1, code)
    T.check(f"broken framing, {label}: says why", "utfall lsp:" in err, err)
    S.kill()

# The input ends between messages, after shutdown: as `exit` (code 0).
S = Server()
S.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
S.request("shutdown")
S.p.stdin.close()
T.check("end of input after shutdown: code 0", S.wait() == 0)

T.finish()
