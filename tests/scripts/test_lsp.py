#!/usr/bin/env python3
"""`utfall lsp` (cli/lsp.hpp) spoken to as an editor speaks to it: over pipes, in LSP framing.

Usage: test_lsp.py <utfall binary> <source dir>

Every expected position is counted here by hand from the text it points into, in LSP's terms
(0-based lines, UTF-16 code units: `å`, `ä` and `ö` are one unit each, two bytes each in UTF-8),
and written down as a number with the counting beside it; none is taken from the server's
answers. The formatted text is compared with what `utfall fmt` prints for the same text. Every
read is bounded by a timeout, so a server that hangs fails the test instead of stopping it.
"""
import json
import queue
import subprocess
import sys
import tempfile
import threading
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
T.check("initialize: symbols, formatting, definition, hover", all(caps.get(k) is True for k in [
    "documentSymbolProvider", "documentFormattingProvider", "definitionProvider", "hoverProvider"]), r)
T.check("initialize: nothing more is promised", set(caps) == {"textDocumentSync", "documentSymbolProvider",
                                                               "documentFormattingProvider", "definitionProvider",
                                                               "hoverProvider"}, r)
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
r = S.request("textDocument/completion", {"textDocument": {"uri": uri_a}, "position": pos(0, 0)})
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
SV.kill()

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
