#!/usr/bin/env python3
"""Work and memory grow linearly with the input: ten times the input, at most about ten times the work.

Usage: test_linear.py <utfall binary> <source dir>

Each class of input that once cost the square of its size (issue 13) is run here at ten times
the largest size seen then, or at two sizes N and 10N. The bounds are counters, never wall-clock
time: the evaluator's steps (`--stats`, the count that EvalLimits::max_steps limits), the bytes
of output, and the peak resident memory of the run (scriptlib.run_measured). A run that does not
end within scriptlib.HANG_GUARD is a hang: a quadratic reader of a million tables would take
hours. Expected payments are computed here from the text each check writes (or, for scenario A
over 10 000 months, by a model of the contract in Python's decimal), never from a run. The rows
of docs/bad-input.md name these checks (`linear:`).
"""
import ctypes
import json
import os
import re
import sys
import tempfile
from decimal import ROUND_HALF_EVEN, Decimal

from scriptlib import HANG_GUARD, SANITIZED, Tally, run_measured

utfall = os.path.abspath(sys.argv[1])
source = os.path.abspath(sys.argv[2])
T = Tally()
MB = 1 << 20
# ASan's shadow memory and quarantine multiply what a run holds.
SCALE = 3 if SANITIZED else 1
# The memory of the program at rest (`utfall --version`): its own pages, which under ASan are
# most of 200 MiB of an unoptimised binary. A bound is on what a run holds beyond that.
AT_REST = run_measured([utfall, "--version"]).peak_bytes
# Periods; 10N = 10 000 is the longest calendar (CheckOptions::max_periods). Under the sanitizers
# the sizes here are a third to a fifth: the counters are as linear at 300 as at 1000, and the
# pass is for memory errors, not for scale.
N = 300 if SANITIZED else 1000
# Ten times the input, at most this many times the work: linear with room for fixed costs.
RATIO = 12


def months(n):
    return [f"{2025 + k // 12}-{k % 12 + 1:02d}" for k in range(n)]


def run(name, files, args):
    """Runs utfall in a fresh directory holding `files`; a Measured, or None after a hang."""
    with tempfile.TemporaryDirectory(prefix="utfall-linear-") as tmp:
        for fname, content in files.items():
            with open(os.path.join(tmp, fname), "w", encoding="utf-8") as f:
                f.write(content)
        p = run_measured([utfall, *args], cwd=tmp)
    if p.timed_out:
        T.check(name, False, f"did not end within {HANG_GUARD:.0f} s (a hang)")
        return None
    return p


def steps(p):
    """The tree walk's steps from `--stats`; None when the fixed-point path ran or no line."""
    m = re.search(r"utfall: stats: (\d+) steps(.*)", p.stderr.decode())
    return int(m.group(1)) if m and "fixed-point" not in m.group(2) else None


def bounded(name, p, exit_code, memory, problems=()):
    problems = list(problems)
    if p.returncode != exit_code:
        problems.append(f"exit {p.returncode}, expected {exit_code}")
    if p.peak_bytes - AT_REST > memory * SCALE:
        problems.append(f"peak memory {p.peak_bytes >> 20} MiB, {(p.peak_bytes - AT_REST) >> 20} MiB beyond the {AT_REST >> 20} MiB "
                        f"at rest: more than {memory * SCALE >> 20} MiB")
    T.check(f"{name} ({p.peak_bytes >> 20} MiB)", not problems,
            "; ".join(problems) + " | stderr: " + p.stderr.decode("utf-8", "replace")[:400])


def totals(csv_text):
    out = {}
    for line in csv_text.splitlines()[1:]:
        period, payer, payee, amount = line.split(",")[:4]
        out[(payer, payee)] = out.get((payer, payee), Decimal(0)) + Decimal(amount)
    return out


# ---- evaluation: every rule that looks back over the periods ----
# x is 1 SEK in every period, one participant with belopp 1 SEK. Each period: `a` pays
# to_date(x) netted against what it paid before, 1 SEK; `b` pays to_date(x) = t + 1 until its
# total cap of n SEK, so n in all; `c` 1 SEK for the participant; `d` the sum over all periods,
# n, less the same a period before: n in the first period, 0 after; the waterfall pays
# to_date(a) = t + 1 netted, 1 SEK; `e` pays the participant's own running sum of x, t + 1, capped
# at 1 SEK a period; `f` pays the increase of `saldo`, a definition that uses its own value of
# the period before (saldo = t + 1), 1 SEK; `g` the same of the participant's own running
# `egen` (twice its previous value less itself, so that a chain recomputed on every use would
# be quadratic, and one not remembered per participant exponential), 1 SEK. In all kommun ->
# fonden 7n, fonden -> kommun n. The participant input keeps this contract on the tree walk
# (the fixed-point path takes none).
def features(n):
    p = months(n)
    contract = f'''contract "Linear"
currency SEK
party kommun
party fonden
periods monthly {p[0]} .. {p[-1]}
input x : SEK per period
input u : participants {{
  namn : text
  belopp : SEK
}}
clause "1" {{
  let upp = to_date(x)
  let alla = sum(x over {p[0]} .. {p[-1]})
  pay a: kommun -> fonden amount upp netted
  pay b: kommun -> fonden amount upp capped at {n} SEK in total
  pay c: kommun -> fonden for each p in u amount p.belopp
  pay d: kommun -> fonden amount alla - previous(alla, 0 SEK)
  pay e: kommun -> fonden for each p in u amount to_date(if p.belopp > 0 SEK then x else 0 SEK) capped at 1 SEK per period
  let saldo = previous(saldo, 0 SEK) + x
  pay f: kommun -> fonden amount saldo - previous(saldo, 0 SEK)
  for each q in u {{
    let egen = previous(q.egen, 0 SEK) * 2 - previous(q.egen, 0 SEK) + q.belopp
  }}
  pay g: kommun -> fonden for each p in u amount p.egen - previous(p.egen, 0 SEK)
  waterfall w: fonden pays to_date(a) netted {{
    k: kommun up to 1_000_000_000 SEK
  }}
}}
'''
    return {"c.utfall": contract, "x.csv": "period,x\n" + "".join(f"{q},1\n" for q in p), "u.csv": "namn,belopp\nEva,1\n"}, p[-1]


measured = {}
for n in (N, 10 * N):
    files, last = features(n)
    data = ["-d", "x.csv", "-d", "u.csv"]
    measured[n] = {
        "run": run(f"run over {n} periods", files, ["run", "c.utfall", *data, "-f", "csv", "--stats"]),
        "period": run(f"explain --period over {n} periods", files, ["explain", "c.utfall", *data, "--period", last, "--stats"]),
        "all": run(f"explain over {n} periods", files, ["explain", "c.utfall", *data, "--stats"]),
    }


def linear(name, key, memory, count):
    small, large = measured[N][key], measured[10 * N][key]
    if small is None or large is None:
        return
    problems = []
    a, b = count(small), count(large)
    if a is None or b is None or a == 0:
        problems.append(f"no count to compare ({a}, {b})")
    elif b > RATIO * a:
        problems.append(f"{b} against {a} at a tenth of the periods: {b / a:.1f} times, more than {RATIO}")
    bounded(f"{name}: {a} -> {b}", large, 0, memory, problems)


linear("run over N and 10N periods: steps", "run", 128 * MB, steps)
linear("explain over N and 10N periods: steps", "all", 768 * MB, steps)
linear("explain over N and 10N periods: bytes of output", "all", 768 * MB, lambda p: len(p.stdout))
linear("explain --period of the last of N and 10N periods: steps", "period", 128 * MB, steps)
small, large = measured[N]["period"], measured[10 * N]["period"]
if small and large:
    # One period's explanation lists the last 24 periods of a sum and the earlier ones as one.
    T.check("explain --period: one period's explanation does not grow with the periods",
            len(large.stdout) < 1.5 * len(small.stdout) and b"earlier periods" in large.stdout,
            f"{len(small.stdout)} -> {len(large.stdout)} bytes")
for n in (N, 10 * N):
    p = measured[n]["run"]
    if p:
        got = totals(p.stdout.decode())
        want = {("kommun", "fonden"): Decimal(7 * n), ("fonden", "kommun"): Decimal(n)}
        T.check(f"run over {n} periods: the totals of the rules", got == want, f"{got} != {want}")


# ---- scenario A over 10N = 10 000 months (before: 20 s to run; explain needed more than 4 GB) ----
def scenario_a(n):
    p = months(n)
    contract = open(os.path.join(source, "examples", "a-aldreomsorg", "contract.utfall"), encoding="utf-8").read()
    contract = contract.replace("periods yearly 2025 .. 2029", f"periods monthly {p[0]} .. {p[-1]}")
    contract = contract.replace("from 2027 netted", "from 2027-01 netted")
    contract = contract[:contract.index('example "plan"')]
    cost = [200_000_000 - 10_000 * (k % 7) for k in range(n)]
    drawn = [7_000 + k % 3 for k in range(n)]
    data = "period,hemtjanst_kostnad,avropat\n" + "".join(f"{p[k]},{cost[k]},{drawn[k]}\n" for k in range(n))
    return {"c.utfall": contract, "d.csv": data}, cost, drawn, p[-1]


def scenario_a_total(cost, drawn):
    """kommun -> utfallsfonden over all periods, by the contract's text: from 2027-01 (the 25th
    month) the pool is the freed resources to date, principal up to the financing to date, the
    premium 30 % of the rest rounded half-even to the öre and capped at 7 000 000, netted."""
    freed = drawn_to_date = paid = Decimal(0)
    for k in range(len(cost)):
        freed += max(Decimal(200_000_000 - cost[k]), Decimal(0))
        drawn_to_date += drawn[k]
        if k < 24:
            continue
        principal = min(freed, drawn_to_date)
        premium = min((Decimal("0.3") * (freed - principal)).quantize(Decimal("0.01"), ROUND_HALF_EVEN), Decimal(7_000_000))
        paid += max(principal + premium - paid, Decimal(0))
    return paid


files, cost, drawn, last = scenario_a(10 * N)
p = run("scenario A over 10N months", files, ["run", "c.utfall", "-d", "d.csv", "-f", "csv"])
if p:
    got = totals(p.stdout.decode()).get(("kommun", "utfallsfonden"))
    want = scenario_a_total(cost, drawn)
    bounded("scenario A over 10N months: run", p, 0, 128 * MB, [] if got == want else [f"total {got}, expected {want}"])
p = run("scenario A over 10N months: explain --period", files, ["explain", "c.utfall", "-d", "d.csv", "--period", last])
if p:
    bounded(f"scenario A over 10N months: explain --period {last}", p, 0, 128 * MB,
            [] if f"{last} · clause 3.2" in p.stdout.decode() else ["the period is not explained"])

# ---- data files ----
HEADER = 'contract "Stor"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2027\n'
SERIES = HEADER + 'input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount x\n}\n'
PARTICIPANTS = HEADER + 'input u : participants {\n  namn : text\n  belopp : SEK\n}\nclause "1" {\n' \
    '  pay kommun -> fonden for each p in u amount p.belopp\n}\n'


def data_row(name, files, args, exit_code, memory, contains):
    p = run(name, files, args)
    if p:
        err = p.stderr.decode("utf-8", "replace")
        bounded(name, p, exit_code, memory, [f"stderr lacks {c!r}" for c in contains if c not in err])


# A million small tables (before: 100 000 took 138 s, a quadratic check of table names). Each
# table lacks a `period` column, and the contract has no participant input: E529 for each, then
# E527 for the series no table gave; 100 are shown.
tables = 200_000 if SANITIZED else 1_000_000
text = "{" + ",".join(f'"t{i}": [{{"a": 1}}]' for i in range(tables)) + "}"
data_row("a JSON file of 1000000 small tables (200000 under the sanitizers)", {"c.utfall": SERIES, "d.json": text}, ["run", "c.utfall", "-d", "d.json"],
         3, 768 * MB, ["d.json: error[E529]", f"utfall: {tables + 1 - 100} more diagnostics not shown"])

# Rows that each carry a key no other row has, 500 KB of them (before: 50 KB took 1.4 GB, kept
# as rows times keys). Every key is an unknown column (E521), and neither field has a column
# (E530 twice).
parts, size = [], 0
while size < 500 * 1024:
    parts.append(f'{{"k{len(parts)}": 1}}')
    size += len(parts[-1]) + 1
keys_json = "[" + ",".join(parts) + "]"
data_row(f"500 KB of JSON rows with {len(parts)} different keys", {"c.utfall": PARTICIPANTS, "u.json": keys_json},
         ["run", "c.utfall", "-d", "u.json"], 3, 64 * MB,
         ["u.json: column `k0`: error[E521]", f"utfall: {len(parts) + 2 - 100} more diagnostics not shown"])

# Two million rows for three periods (ten times the 200 000 of test_bad_input.py; before, ten
# million kept every error: 4.8 GB, exit 70). Errors are capped while they are found.
rows = 400_000 if SANITIZED else 2_000_000
data_row("2000000 CSV rows for three periods (400000 under the sanitizers)", {"c.utfall": SERIES, "d.csv": "period,x\n" + "".join(f"{2025 + k % 3},1\n" for k in range(rows))},
         ["run", "c.utfall", "-d", "d.csv"], 3, 512 * MB,
         ["d.csv: row 4 (line 5), column `period`: error[E523]", f"utfall: {rows - 3 - 100} more diagnostics not shown"])

# The same JSON rows through the C API (utfall_evaluate_json), in a host process of its own.
library = os.path.join(os.path.dirname(utfall), "libutfall.so")
if SANITIZED or not os.path.exists(library):
    print("skip the C API (a sanitized library needs its runtime preloaded; tested without)")
else:
    with tempfile.TemporaryDirectory(prefix="utfall-linear-") as tmp:
        paths = {name: os.path.join(tmp, name) for name in ("c.utfall", "u.json", "host.py")}
        open(paths["c.utfall"], "w").write(PARTICIPANTS)
        open(paths["u.json"], "w").write('{"u": ' + keys_json + "}")
        open(paths["host.py"], "w").write(f'''import ctypes, json, sys
sys.path.insert(0, {os.path.join(source, "examples", "embedding", "python")!r})
import example
lib, handle = example.load()
engine, contract, messages, out = handle(), handle(), ctypes.c_void_p(), ctypes.c_void_p()
lib.utfall_engine_new(None, ctypes.byref(engine), None)
assert lib.utfall_compile_file(engine, {paths["c.utfall"]!r}.encode(), ctypes.byref(contract), ctypes.byref(messages)) == 0
example.take_string(lib, messages)
status = lib.utfall_evaluate_json(engine, contract, open({paths["u.json"]!r}, "rb").read(), None, ctypes.byref(out))
result = json.loads(example.take_string(lib, out))
print(status, len(result["messages"]), result["messages"][0]["code"], result["messages"][-1]["rendered"].splitlines()[-1])
''')
        os.environ["UTFALL_LIBRARY"] = library
        p = run_measured([sys.executable, paths["host.py"]])
    if not p.timed_out:
        want = f"100 E521 utfall: {len(parts) + 2 - 100} more diagnostics not shown"
        bounded("the same JSON rows through utfall_evaluate_json", p, 0, 128 * MB,
                [] if want in p.stdout.decode() else [f"stdout {p.stdout.decode()[:200]!r} lacks {want!r}"])
    else:
        T.check("the same JSON rows through utfall_evaluate_json", False, "a hang")

T.finish()
