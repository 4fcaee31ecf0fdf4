#!/usr/bin/env python3
"""With `ulimit -s 256` every command gives what it gives on the usual 8 MiB: the answer inside the
limits, the documented limit message past them, never a crash (docs/language.md §25.1).

Usage: test_small_stack.py <utfall binary> <source dir>

Each row runs one command with a main-thread stack of 256 KiB (RLIMIT_STACK) and checks its
exit code and a line of its output. Expected values come from the scenario tables (scenario A
pays 26 700 000.00 in 2027 on its plan) or are worked out here from the text each row writes;
exit codes and limit messages are those of docs/bad-input.md for the same inputs.
"""
import os
import sys
import tempfile

from scriptlib import SANITIZED, Tally, run_measured

utfall = os.path.abspath(sys.argv[1])
root = os.path.abspath(sys.argv[2])
T = Tally()
STACK = 256 << 10
# Sanitizer builds (a Debug build with ASan) have frames several times larger: their chain of
# definitions inside the 6 MiB budget is shorter.
DEFS = 100 if SANITIZED else 300
A = os.path.join(root, "examples/a-aldreomsorg")

HEAD = ('contract "Djup"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2026\n'
        'input x : SEK per period\nclause "1" {\n')


def chain(defs, ops):
    """a0 = a1 + 1 SEK + ... down to a<defs> = x: a0 = x + defs * ops SEK."""
    lets = "".join(f"  let a{k} = a{k + 1}{' + 1 SEK' * ops}\n" for k in range(defs))
    return HEAD + lets + f"  let a{defs} = x\n  pay kommun -> fonden amount a0\n}}\n"


def row(name, args, exit_code, expect, files=None, stdin=None):
    """`expect`: a string (or a list of them) that stdout or stderr must contain."""
    with tempfile.TemporaryDirectory(prefix="utfall-stack-") as tmp:
        for fname, content in (files or {}).items():
            with open(os.path.join(tmp, fname), "w", encoding="utf-8") as f:
                f.write(content)
        p = run_measured([utfall, *args], cwd=tmp, stack=STACK, stdin_bytes=stdin)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    problems = []
    if p.timed_out:
        problems.append("a hang")
    if p.returncode != exit_code:
        problems.append(f"exit {p.returncode}, expected {exit_code}")
    for e in [expect] if isinstance(expect, str) else expect:
        if e not in out:
            problems.append(f"output lacks {e!r}")
    T.check(name, not problems, "; ".join(problems) + " | " + out[:400])


DATA = {"d.csv": "period,x\n2025,1\n2026,2\n"}
plan = ["-d", os.path.join(A, "plan.csv")]
row("run scenario A", ["run", os.path.join(A, "contract.utfall"), *plan], 0, "26,700,000.00")
row("explain scenario A in 2027", ["explain", os.path.join(A, "contract.utfall"), *plan, "--period", "2027"], 0, "26,700,000.00")
row("test scenario A's examples", ["test", os.path.join(A, "contract.utfall")], 0, " 0 failed")
# DEFS definitions of 5 additions: 6 levels each, 1800 in all (under 2000; 600 under ASan).
# a0 = x + 5 * DEFS: 1 + 1500 = 1,501.00 in 2025 (501.00 under ASan).
row("1800 levels of definitions: run", ["run", "c.utfall", "-d", "d.csv"], 0, f"{1 + 5 * DEFS:,}.00",
    files={"c.utfall": chain(DEFS, 5), **DATA})
flat = HEAD + "  pay kommun -> fonden amount x" + " + 1 SEK" * 999 + "\n}\n"
row("999 additions in one expression: run", ["run", "c.utfall", "-d", "d.csv"], 0, "1,001.00", files={"c.utfall": flat, **DATA})
row("390 definitions of 990 operators each", ["check", "c.utfall"], 5, "more than 2000 levels, or 6 MiB of stack",
    files={"c.utfall": chain(390, 990)})
row("a chain of 100000 definitions", ["check", "c.utfall"], 5, "more than 400 deep", files={"c.utfall": chain(100000, 0)})
row("nesting past the limit in eval", ["eval", "(" * 50000 + "1" + ")" * 50000], 5, "error[E706]")
row("`not` 20000 deep in eval", ["eval", "not " * 20000 + "true"], 5, "nest deeper")
# 1 + 2 + ... + 999 = 999 * 1000 / 2.
row("999 additions in eval", ["eval", "+".join(str(k) for k in range(1, 1000))], 0, "499500")
# The REPL goes on after an error, and exits 1 for it.
row("a deep line in the REPL", ["repl", "c.utfall", "-d", "d.csv"], 1,
    [f"{1 + 5 * DEFS} SEK", "error[E706]", f"{2 + 5 * DEFS + 1} SEK"], files={"c.utfall": chain(DEFS, 5), **DATA}, stdin=b"a0 @ 2025\n" + b"(" * 50000 + b"1" + b")" * 50000 + b"\na0 @ 2026 + 1 SEK\n:quit\n")
T.finish()
