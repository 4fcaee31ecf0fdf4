#!/usr/bin/env python3
"""Large and hostile inputs end in a clear error (or a correct run) within bounded time and memory.

Usage: test_bad_input.py <utfall binary> <source dir>

Each row writes its files into a fresh temporary directory, runs one command under a time
guard and an address-space limit (RLIMIT_AS), and checks the exit code, its peak memory, the `WHERE: error[CODE]`
line of stderr, and that stderr stays bounded (at most 100 diagnostics are printed, each with at
most a 240-byte window of its line: a 1 MB line is not echoed whole). Under the
sanitizer build (UTFALL_SANITIZED=1 in the environment, set by tests/CMakeLists.txt) ASan
reserves terabytes of address space, so the memory limit is not set there and the 50 MB
contract shrinks to 5 MB. Bounds are work (bytes of memory), never wall-clock time. The rows of docs/bad-input.md name these rows.
Positions are computed here from the text each row writes.
"""
import os
import sys
import tempfile

from scriptlib import HANG_GUARD, SANITIZED, Tally, run_measured

utfall = os.path.abspath(sys.argv[1])
T = Tally()

HEADER = 'contract "Stor"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2027\n'
SERIES = HEADER + 'input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount x\n}\n'


# Peak resident memory a row may use (bytes): the work bound of these rows. Time is not a
# test's bound (a busy machine or a Debug build is slower, not wrong); a run that does not end
# within scriptlib.HANG_GUARD is a hang. ASan's shadow memory and quarantine multiply what a
# run holds, so the budget is larger there.
MEMORY_BUDGET = (2048 if SANITIZED else 768) << 20


def row(name, files, args, exit_code, where_code=None, seconds=None, contains=None, stdout=None, memory=None, stdin_file=None):
    """where_code: `WHERE: error[CODE]` that a line of stderr must begin with. `seconds` is the
    time the row is expected to take on a quiet machine (docs/bad-input.md), for the reader;
    it is not asserted. `memory`: a budget in bytes other than MEMORY_BUDGET."""
    with tempfile.TemporaryDirectory(prefix="utfall-bad-") as tmp:
        for fname, content in files.items():
            path = os.path.join(tmp, fname)
            if isinstance(content, int):  # a sparse file of that many bytes
                with open(path, "wb") as f:
                    f.truncate(content)
            else:
                with open(path, "wb") as f:
                    f.write(content if isinstance(content, bytes) else content.encode())
        stdin = open(os.path.join(tmp, stdin_file), "rb").read() if stdin_file else None
        p = run_measured([utfall, *args], cwd=tmp, stdin_bytes=stdin)
    if p.timed_out:
        T.check(name, False, f"did not end within {HANG_GUARD:.0f} s (a hang)")
        return
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    if p.returncode != exit_code:
        problems.append(f"exit {p.returncode}, expected {exit_code}")
    budget = memory or MEMORY_BUDGET
    if p.peak_bytes > budget:
        problems.append(f"peak memory {p.peak_bytes >> 20} MiB, more than {budget >> 20} MiB")
    if where_code and not any(ln.startswith(where_code) for ln in err.splitlines()):
        problems.append(f"no line beginning {where_code!r}")
    if contains and contains not in err:
        problems.append(f"stderr lacks {contains!r}")
    if len(p.stderr) > 100_000:  # 100 diagnostics, each with at most a 240-byte window of its line
        problems.append(f"stderr is {len(p.stderr)} bytes: the input is echoed")
    if stdout is not None and stdout not in p.stdout.decode("utf-8", "replace"):
        problems.append(f"stdout lacks {stdout!r}")
    T.check(f"{name} ({p.peak_bytes >> 20} MiB)", not problems, "; ".join(problems) + " | stderr: " + err[:400])


MB = 1 << 20
lines = HEADER.count("\n")

# ---- long lines, large contracts ----
row("a 1 MB comment line", {"c.utfall": HEADER + "# " + "x" * MB + "\nterm t = 1\n"}, ["check", "c.utfall"], 0,
    stdout="c.utfall: ok")
text = HEADER + "term t = 1 SEK" + " " * MB + "$\n"
row("a 1 MB line with an error at its end", {"c.utfall": text}, ["check", "c.utfall"], 2,
    f"c.utfall:{lines + 1}:{len('term t = 1 SEK') + MB + 1}: error[E101]", seconds=5)
size = (5 if SANITIZED else 50) * MB
parts, total, i = [HEADER], len(HEADER), 0
while total < size:
    s = f"term t{i} = {i} SEK # a term of a large contract\n"
    parts.append(s)
    total += len(s)
    i += 1
# The checker holds about 33 bytes per byte of such a contract (measured: 1.6 GiB for 50 MB of
# terms); the budget is 40, and a baseline for ASan's own.
row("a 50 MB contract (5 MB under ASan)", {"c.utfall": "".join(parts)}, ["check", "c.utfall"], 0,
    seconds=60, stdout=f"{i} terms", memory=40 * size * (3 if SANITIZED else 1) + MEMORY_BUDGET)
row("a 70 MB contract (over the 64 MiB limit)", {"c.utfall": 70 * MB}, ["check", "c.utfall"], 5,
    "c.utfall: error[E701]", seconds=5, contains="more than the limit")

# ---- definitions 100 000 deep (20 000 under the sanitizers, still fifty times the limit): the
# checker stops at 400 levels (the first error is at the reference that goes one level too deep) ----
n = 20_000 if SANITIZED else 100_000
head = HEADER + 'input x : SEK per period\nclause "1" {\n'
text = head + "".join(f"  let a{k} = a{k + 1} + x\n" for k in range(n)) + f"  let a{n} = x\n  pay kommun -> fonden amount a0\n}}\n"
row("a chain of 100000 definitions (20000 under the sanitizers)", {"c.utfall": text}, ["check", "c.utfall"], 5,
    f"c.utfall:{head.count(chr(10)) + 401}:{len('  let a400 = ') + 1}: error[E703]", seconds=20)

# Each limit alone (1000 operators, 400 definitions) let through their product, which
# overflowed the stack of the checker and the evaluator; a chain of n payments overflowed
# the cycle search. Now the depth counted through definitions is bounded (E703, 2000 levels).
text = head + "".join(f"  let a{k} = a{k + 1}{' + 1 SEK' * 990}\n" for k in range(390)) + \
    "  let a390 = x\n  pay kommun -> fonden amount a0\n}\n"
row("390 definitions of 990 operators each", {"c.utfall": text}, ["check", "c.utfall"], 5, None, seconds=10,
    contains="nest too deep: more than 2000 levels, or 6 MiB of stack")
text = head + "".join(f"  pay p{k}: kommun -> fonden amount p{k + 1}\n" for k in range(n)) + \
    f"  pay p{n}: kommun -> fonden amount x\n}}\n"
row("a chain of 100000 payments (20000 under the sanitizers): checked", {"c.utfall": text}, ["check", "c.utfall"], 0, seconds=20, stdout=f"{n + 1} payments")
row("a chain of 100000 payments (20000 under the sanitizers): evaluated", {"c.utfall": text, "d.csv": "period,x\n2025,1\n2026,2\n2027,3\n"},
    ["run", "c.utfall", "-d", "d.csv"], 5, None, seconds=20, contains="depend on each other too deep")

# ---- work: exact arithmetic on values of thousands of digits is bounded by its work (E711),
# not only by steps. c13 = (1/3)^8192 has 3 909 digits; each d_k does about 780 000 units of
# work (tests/api/test_work.cpp works it out), so 1 500 of them pass the limit of 10^9 at about
# the 1 280th. Before, such a contract ran for an hour and more.
# Under ASan (a Debug build) this row takes minutes: the API test covers E711 there.
if not SANITIZED:
    text = 'contract "Tung"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2025\n' \
        'input x : SEK per period\nclause "1" {\n  let c0 = (x + 1 SEK) / (x + 7 SEK)\n' + \
        "".join(f"  let c{k + 1} = c{k} * c{k}\n" for k in range(13)) + \
        "".join(f"  let d{k} = c13 * (c13 + {k + 1}) / (c13 + {k + 2})\n"
                f"  pay p{k}: kommun -> fonden amount if d{k} > 1 then 1 SEK else 0 SEK\n" for k in range(1500)) + "}\n"
    row("1500 operations on values of 4000-8000 digits", {"c.utfall": text, "d.csv": "period,x\n2025,2\n"},
        ["run", "c.utfall", "-d", "d.csv"], 5, None, seconds=12, contains="units of exact arithmetic (the limit on work)")

# ---- numbers with 100 000 digits, exponent-like blow-ups ----
digits = "7" * 100_000
row("a 100000-digit literal in a contract", {"c.utfall": HEADER + f"term t = {digits} SEK\n"}, ["check", "c.utfall"], 5,
    f"c.utfall:{lines + 1}:10: error[E704]", seconds=5)
row("a 100000-digit literal in eval", {}, ["eval", digits], 5, "<expression>:1:1: error[E704]", seconds=5)
row("a 100000-digit value in CSV", {"c.utfall": SERIES, "d.csv": f"period,x\n2025,{digits}\n2026,1\n2027,1\n"},
    ["run", "c.utfall", "-d", "d.csv"], 3, "d.csv: row 1 (line 2), column `x`: error[E509]", seconds=5)
# nlohmann reads a number into a double first: past its range the number is refused, and the
# message quotes only its beginning.
text = f'[{{"period": 2025, "x": {digits}}}]'
row("a 100000-digit number in JSON", {"c.utfall": SERIES, "d.json": text},
    ["run", "c.utfall", "-d", "d.json"], 3, f"d.json:1:{text.index(digits) + len(digits)}: error[E510]", seconds=5,
    contains="write a larger one as a string")
text = f'[{{"period": 2025, "x": "{digits[:4000]}"}}, {{"period": 2026, "x": 1}}, {{"period": 2027, "x": 1}}]'
row("a 4000-digit number as a JSON string is read exactly", {"c.utfall": SERIES, "d.json": text},
    ["run", "c.utfall", "-d", "d.json", "-f", "csv"], 0, seconds=5, stdout=f"2025,kommun,fonden,{digits[:4000]}.00,1,")
squares = "".join(f"  let a{k} = a{k - 1} * a{k - 1}\n" for k in range(1, 40))
text = HEADER + 'input x : SEK per period\nclause "1" {\n  let a0 = x / 1 SEK\n' + squares + \
    "  pay kommun -> fonden amount a39 * 1 SEK\n}\n"
row("squaring 39 times (2^39 digits)", {"c.utfall": text, "d.csv": "period,x\n2025,99\n2026,99\n2027,99\n"},
    ["run", "c.utfall", "-d", "d.csv"], 5, None, seconds=5, contains="error[E704]")
row("a JSON exponent past double (1e400)", {"c.utfall": SERIES, "d.json": '[{"period": 2025, "x": 1e400}]'},
    ["run", "c.utfall", "-d", "d.json"], 3, "d.json:1:", seconds=5, contains="error[E510]")
row("a JSON exponent that writes out past the value limit (1e-5000)",
    {"c.utfall": SERIES, "d.json": '[{"period": 2025, "x": 1e-5000}]'},
    ["run", "c.utfall", "-d", "d.json"], 3, "d.json: row 1 (line 1), column `x`: error[E509]", seconds=5)
row("a JSON exponent written out exactly (25E-2, 1.5e3)",
    {"c.utfall": SERIES, "d.json": '[{"period": 2025, "x": 25E-2}, {"period": 2026, "x": 1.5e3}, {"period": 2027, "x": 0}]'},
    ["run", "c.utfall", "-d", "d.json", "-f", "csv"], 0, stdout="2025,kommun,fonden,0.25,1,\n2026,kommun,fonden,1500.00,1,")

# ---- text conventions that must read correctly (the payments are the data's values) ----
row("a CSV with a BOM, CRLF line ends and quoted fields",
    {"c.utfall": SERIES, "d.csv": b'\xef\xbb\xbf"period","x"\r\n2025,"1.50"\r\n"2026", 2 \r\n2027,"3"\r\n'},
    ["run", "c.utfall", "-d", "d.csv", "-f", "csv"], 0,
    stdout="2025,kommun,fonden,1.50,1,\n2026,kommun,fonden,2.00,1,\n2027,kommun,fonden,3.00,1,\n")
row("a contract with a BOM and CRLF line ends",
    {"c.utfall": b"\xef\xbb\xbf" + SERIES.replace("\n", "\r\n").encode(), "d.csv": "period,x\n2025,1\n2026,2\n2027,3\n"},
    ["run", "c.utfall", "-d", "d.csv", "-f", "csv"], 0, stdout="2027,kommun,fonden,3.00,1,\n")
row("a semicolon-separated CSV with quoted separators and line breaks in text",
    {"c.utfall": HEADER + 'input u : participants {\n  namn : text\n  belopp : SEK\n}\nclause "1" {\n'
                 '  pay kommun -> fonden for each p in u amount p.belopp\n}\n',
     "u.csv": 'namn;belopp\n"Ek; Anna";10\n"Rad\nbrytning";5\n'},
    ["run", "c.utfall", "-d", "u.csv", "-f", "csv"], 0, stdout="2025,kommun,fonden,15.00,1,")

# ---- long lines at the REPL and in `sweep --vary` (std::regex once overflowed the stack on
# them: one frame per character) ----
long_value = "1" + "_000" * 10_000  # 40 001 characters: 10^30000
row("a REPL line of 40000 characters (let x = 10^30000)", {"c.utfall": SERIES, "d.csv": "period,x\n2025,1\n2026,2\n2027,3\n",
                                                          "in.txt": f"let x = {long_value}\n:set x = 1\n1 + 1\n"},
    ["repl", "c.utfall", "-d", "d.csv"], 1, "<input>:1:1: error[E704]", stdin_file="in.txt", stdout="2\n")
row("a REPL :set of 60000 characters", {"c.utfall": SERIES, "d.csv": "period,x\n2025,1\n2026,2\n2027,3\n",
                                          "in.txt": ":set x@2025 = " + "(" * 30_000 + "1 SEK" + ")" * 30_000 + "\n2 + 2\n"},
    ["repl", "c.utfall", "-d", "d.csv"], 1, None, stdin_file="in.txt", contains="error[E706]", stdout="4\n")
row("a sweep --vary value of 60000 characters", {"c.utfall": HEADER + "input x : SEK per period\nterm k = 1\nclause \"1\" {\n"
                                                 "  pay kommun -> fonden amount x * k\n}\n", "d.csv": "period,x\n2025,1\n2026,2\n2027,3\n"},
    ["sweep", "c.utfall", "-d", "d.csv", "--vary", "k=" + "2" * 60_000 + "..1 step 1"], 64, None,
    contains="the range is empty")

# ---- large data files ----
row("a 300 MB data file (over the 256 MiB limit)", {"c.utfall": SERIES, "d.csv": 300 * MB}, ["run", "c.utfall", "-d", "d.csv"],
    5, "d.csv: error[E702]", seconds=5)
rows = "".join(f"{2025 + k % 3},1\n" for k in range(200_000))
row("200000 rows for three periods: the first 100 errors shown", {"c.utfall": SERIES, "d.csv": "period,x\n" + rows},
    ["run", "c.utfall", "-d", "d.csv"], 3, "d.csv: row 4 (line 5), column `period`: error[E523]", seconds=10,
    contains="utfall: 199897 more diagnostics not shown")

T.finish()
