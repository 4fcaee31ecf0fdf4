#!/usr/bin/env python3
"""The same contract and data give byte-identical output: across runs, across locales
(LC_ALL=C and LC_ALL=sv_SE.UTF-8, whose decimal mark is a comma) and across processes running
at the same time.

Usage: test_determinism.py <utfall binary> <source dir>

Cases: every example contract against each of its data files in every output format, the
example runner (`utfall test`), and the diagnostics of failing runs (stderr and exit code).
The Swedish locale must be installed (.ci/build generates it): without it this test fails and
says so, it does not skip, since a locale that is missing proves nothing. Evaluation from
several threads of one process is shown by the unit test "evaluation from several threads".
"""
import glob
import locale
import os
import subprocess
import sys

from scriptlib import SANITIZED, Tally
from concurrent.futures import ThreadPoolExecutor

utfall, root = os.path.abspath(sys.argv[1]), sys.argv[2]
SWEDISH = "sv_SE.UTF-8"
TALLY = Tally()


check = TALLY.check


# The Swedish locale must exist and must differ from C where it matters, or the comparison
# below would compare C with C.
try:
    locale.setlocale(locale.LC_ALL, SWEDISH)
    mark = locale.localeconv()["decimal_point"]
    locale.setlocale(locale.LC_ALL, "C")
except locale.Error as e:
    print(f"FAIL the locale {SWEDISH} is not installed ({e}); .ci/build generates it "
          "(apt-get install locales; locale-gen sv_SE.UTF-8)")
    print("0 passed, 1 failed")
    sys.exit(1)
check(f"{SWEDISH} is installed and writes decimals with a comma", mark == ",", repr(mark))


def env_for(loc):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    env["LC_ALL"] = loc
    env["LANG"] = loc
    return env


def run(args, loc):
    p = subprocess.run([utfall, *args], capture_output=True, timeout=120, env=env_for(loc), cwd=root)
    return p.returncode, p.stdout, p.stderr


cases = []
for contract in sorted(glob.glob(os.path.join(root, "examples", "*", "contract.utfall"))):
    rel = os.path.relpath(contract, root)
    for data in sorted(glob.glob(os.path.join(os.path.dirname(contract), "*.csv"))):
        for fmt in ("table", "json", "csv"):
            cases.append([ "run", rel, "-d", os.path.relpath(data, root), "-f", fmt])
    cases.append(["test", rel])
    cases.append(["check", rel])
# Failing runs: their diagnostics are output too.
cases.append(["run", "examples/a-aldreomsorg/contract.utfall", "-d", "examples/b-placeringar/plan.csv"])
cases.append(["run", "examples/a-aldreomsorg/contract.utfall", "-d", "examples/a-aldreomsorg/nosuch.csv"])
cases.append(["eval", "(200_000_000 SEK - 170_000_000 SEK) * 30 % / 7"])
cases.append(["eval", "1 SEK + 2 placements"])

# Under the sanitizers (ten times slower, and what they look for does not need twelve runs)
# one run in each locale and two at once; the release build runs all twelve.
REPEAT, AT_ONCE = (1, 2) if SANITIZED else (2, 8)
for args in cases:
    label = " ".join(args)
    first = run(args, "C")
    again = [run(args, "C") for _ in range(REPEAT)]
    swedish = [run(args, SWEDISH) for _ in range(REPEAT)]
    # Processes at once, half of them Swedish.
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        together = list(pool.map(lambda k: run(args, SWEDISH if k % 2 else "C"), range(AT_ONCE)))
    everything = again + swedish + together
    same = all(r == first for r in everything)
    detail = ""
    if not same:
        other = next(r for r in everything if r != first)
        detail = f"exit {first[0]} vs {other[0]}; stdout {first[1][:200]!r} vs {other[1][:200]!r}; stderr {first[2][:200]!r} vs {other[2][:200]!r}"
    check(f"identical in {1 + 2 * REPEAT + AT_ONCE} runs, 2 locales, {AT_ONCE} at once: {label}", same and first[1] + first[2] != b"", detail)

TALLY.finish()
