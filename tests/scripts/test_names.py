#!/usr/bin/env python3
"""One name, one meaning: NFC spellings, Swedish names, and text escaped on its way to a terminal.

Usage: test_names.py <utfall binary> <source dir>

The position rows (an invisible character in a name, confusable names: E104, E216) live in
test_diagnostics.py; this script checks what needs more than one line of stderr:
  - a name written precomposed (`ä`, U+00E4) and decomposed (`a` + U+0308) is one name, in the
    contract, in a CSV header or JSON key, and in `--set`; the payments are computed here by
    hand from the values the rows write;
  - Swedish names beside their ASCII look-alikes (`ärende` and `arende`) are different names
    and not confusable; every contract under examples/ still checks;
  - control characters, bidi controls and invisible characters in a title, a clause title, a
    display name, an example name, a data cell, a comment or a file name reach stdout and
    stderr only escaped (`\\x1b`, `\\u{202e}`): no raw ESC, BEL, C1 or bidi byte is written, by
    `check`, `run`, `explain`, `test`, the REPL and the diagnostics; JSON output stays JSON.
Each run is bounded by scriptlib's memory limit and hang guard.
"""
import json
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from scriptlib import HANG_GUARD, Tally, run_measured

utfall = os.path.abspath(sys.argv[1])
src = Path(sys.argv[2])
T = Tally()

NFC_A = "\u00e4"         # ä precomposed
NFD_A = "a\u0308"        # a + COMBINING DIAERESIS
NFC_AA = "\u00e5"        # å
NFD_AA = "a\u030a"       # a + COMBINING RING ABOVE


def run(files, args, stdin=None):
    """Writes the files into a fresh directory and runs utfall there: (exit, stdout, stderr) as bytes."""
    with tempfile.TemporaryDirectory(prefix="utfall-names-") as tmp:
        for name, content in files.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        p = run_measured([utfall, *args], cwd=tmp, stdin_bytes=stdin)
    if p.timed_out:
        return None, b"", f"did not end within {HANG_GUARD:.0f} s".encode()
    return p.returncode, p.stdout, p.stderr


def amounts(stdout):
    """(period, from, to) -> Decimal amount, from `run --format json`."""
    return {(p["period"], p["from"], p["to"]): Decimal(p["amount"]) for p in json.loads(stdout)["payments"]}


# ---- one name in two spellings ----
HEAD = 'contract "Namn"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2026\n'
# Declared precomposed, used decomposed (and the other way round).
text = (HEAD + f"input {NFC_AA}lder_summa : SEK per period\n"
        f"term {NFD_A}rendeavgift = 100 SEK\n"
        f'clause "1" {{\n  pay kommun -> fonden amount {NFC_A}rendeavgift + {NFD_AA}lder_summa\n}}\n')
# The CSV header spells the input decomposed: 2025 gives 5, 2026 gives 7.
data = f"period,{NFD_AA}lder_summa\n2025,5\n2026,7\n"
code, out, err = run({"c.utfall": text}, ["check", "c.utfall"])
T.check("NFC and NFD spellings of one name are one name: check", code == 0 and b"1 inputs, 1 terms" in out,
        f"exit {code}: {out!r} {err!r}")
code, out, err = run({"c.utfall": text, "d.csv": data}, ["run", "c.utfall", "-d", "d.csv", "--format", "json"])
want = {("2025", "kommun", "fonden"): Decimal(105), ("2026", "kommun", "fonden"): Decimal(107)}
T.check("NFC and NFD spellings of one name are one name: run with an NFD CSV header",
        code == 0 and amounts(out) == want, f"exit {code}: {out[:300]!r} {err[:300]!r}")
# --set with the name spelt the other way: 200 SEK instead of 100.
code, out, err = run({"c.utfall": text, "d.csv": data},
                     ["run", "c.utfall", "-d", "d.csv", "--format", "json", "--set", f"{NFD_A}rendeavgift=200 SEK"])
want = {("2025", "kommun", "fonden"): Decimal(205), ("2026", "kommun", "fonden"): Decimal(207)}
T.check("NFC and NFD spellings of one name are one name: --set", code == 0 and amounts(out) == want,
        f"exit {code}: {out[:300]!r} {err[:300]!r}")

# Participants: the field declared precomposed, the JSON key decomposed. Two participants with
# `närvaro` 2 and 3, each paid närvaro * 10 SEK in every period: 50 SEK a period.
text = (HEAD + f"input elever : participants {{\n  n{NFC_A}rvaro : number\n}}\n"
        f'clause "1" {{\n  pay kommun -> fonden for each u in elever amount u.n{NFC_A}rvaro * 10 SEK\n}}\n')
data = json.dumps([{f"n{NFD_A}rvaro": 2}, {f"n{NFD_A}rvaro": 3}], ensure_ascii=False)
code, out, err = run({"c.utfall": text, "elever.json": data}, ["run", "c.utfall", "-d", "elever.json", "--format", "json"])
want = {("2025", "kommun", "fonden"): Decimal(50), ("2026", "kommun", "fonden"): Decimal(50)}
T.check("a JSON key in NFD names the NFC field", code == 0 and amounts(out) == want, f"exit {code}: {out[:300]!r} {err[:300]!r}")

# ---- Swedish names are not confusable with their ASCII look-alikes ----
text = (HEAD + "term \u00e4rende = 1 SEK\nterm arende = 2 SEK\nterm \u00e5lder = 3 SEK\nterm alder = 4 SEK\n"
        "term \u00f6kning = 5 SEK\nterm okning = 6 SEK\nterm caf\u00e9 = 7 SEK\nterm cafe = 8 SEK\n"
        "term M\u00fcller = 9 SEK\nterm Muller = 10 SEK\nterm \u00c5tg\u00e4rd = 11 SEK\nterm \u00d6resund = 12 SEK\n"
        'clause "1" {\n  pay kommun -> fonden amount \u00e4rende + arende + \u00e5lder + alder + \u00f6kning + okning + '
        "caf\u00e9 + cafe + M\u00fcller + Muller + \u00c5tg\u00e4rd + \u00d6resund\n}\n")
code, out, err = run({"c.utfall": text}, ["check", "c.utfall"])
T.check("Swedish names beside their ASCII look-alikes check", code == 0 and b"12 terms" in out, f"exit {code}: {err[:400]!r}")
for contract in sorted((src / "examples").glob("*/contract.utfall")):
    p = run_measured([utfall, "check", str(contract)])
    T.check(f"example still checks: {contract.parent.name}", p.returncode == 0, p.stderr[:400].decode("utf-8", "replace"))

# ---- control characters reach a terminal only escaped ----
ESC, BEL = "\x1b", "\x07"
CLEAR = ESC + "[2J"                   # clear the screen
TITLE = ESC + "]0;owned" + BEL        # set the window title
RLO = "\u202e"                        # right-to-left override
C1 = "\u009b"                         # CSI as one C1 character
RAW = [ESC.encode(), BEL.encode(), RLO.encode(), C1.encode(), "\u200b".encode()]

HOSTILE = (f'contract "Avtal {CLEAR}{RLO}"\ncurrency SEK\nparty kommun "Kommun {TITLE}"\nparty fonden\n'
           "periods yearly 2025 .. 2026\ninput x : SEK per period\n"
           f'clause "1" "Ers\u00e4ttning {TITLE}{C1}" {{\n  pay kommun -> fonden amount x\n}}\n'
           f'example "exempel {CLEAR}" data "d.csv" {{\n  expect kommun -> fonden in 2025 = 1 SEK\n}}\n')
GOOD = "period,x\n2025,1\n2026,2\n"


def escaped(name, files, args, must_show, exit_code=0, stdin=None):
    code, out, err = run(files, args, stdin)
    both = out + err
    raw = [r for r in RAW if r in both]
    problems = []
    if code != exit_code:
        problems.append(f"exit {code}, expected {exit_code}")
    if raw:
        problems.append(f"raw {raw!r} written")
    if must_show.encode() not in both:
        problems.append(f"{must_show!r} not shown")
    T.check(name, not problems, "; ".join(problems) + f" | {both[:500]!r}")


escaped("a title with ESC and RLO: run (table)", {"c.utfall": HOSTILE, "d.csv": GOOD},
        ["run", "c.utfall", "-d", "d.csv"], "Avtal \\x1b[2J\\u{202e}")
escaped("a clause title with OSC and C1: explain", {"c.utfall": HOSTILE, "d.csv": GOOD},
        ["explain", "c.utfall", "-d", "d.csv"], "Ers\u00e4ttning \\x1b]0;owned\\x07\\u{9b}")
escaped("an example name with ESC: test", {"c.utfall": HOSTILE, "d.csv": GOOD}, ["test", "c.utfall"],
        "exempel \\x1b[2J")
escaped("a REPL session prints the title escaped", {"c.utfall": HOSTILE, "d.csv": GOOD},
        ["repl", "c.utfall", "-d", "d.csv"], "Avtal \\x1b[2J", stdin=b":payments\n")
bad_cell = f"period,x\n2025,1{ESC}[31m\n2026,2\n"
escaped("a data cell with ESC quoted in a message", {"c.utfall": HOSTILE, "d.csv": bad_cell},
        ["run", "c.utfall", "-d", "d.csv"], "1\\x1b[31m", exit_code=3)
# An error on a line whose comment holds controls: the drawn line is escaped and the caret
# stands under the error, counted in the escaped line (`term t = ` is 9, the comment's
# escapes widen nothing before it).
text = HEAD + f"term t = $ # {CLEAR}{RLO}\n"
code, out, err = run({"c.utfall": text}, ["check", "c.utfall"])
lines = err.decode("utf-8", "replace").splitlines()
drawn = [ln for ln in lines if ln.startswith("6 | ")]
caret = [ln for ln in lines if ln.strip().startswith("|") and "^" in ln]
T.check("a comment with controls on a line with an error is drawn escaped",
        code == 2 and not [r for r in RAW if r in err] and drawn == ["6 | term t = $ # \\x1b[2J\\u{202e}"]
        and caret and caret[0].index("^") == len("6 | term t = "), f"{err!r}")
escaped("a file name with ESC in check's output", {f"c{ESC}[2J.utfall": HEAD}, ["check", f"c{ESC}[2J.utfall"],
        "c\\x1b[2J.utfall: ok")
# JSON stays JSON: nlohmann escapes C0 controls as \u001b, and the title reads back whole.
code, out, err = run({"c.utfall": HOSTILE, "d.csv": GOOD}, ["run", "c.utfall", "-d", "d.csv", "--format", "json"])
T.check("JSON output escapes control characters as JSON",
        code == 0 and ESC.encode() not in out and BEL.encode() not in out and b"\\u001b" in out
        and json.loads(out)["contract"] == f"Avtal {CLEAR}{RLO}", f"exit {code}: {out[:300]!r}")

T.finish()
