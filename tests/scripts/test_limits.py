"""Limits end in a clear error with its exit code: the size of numbers, the length of literals,
the nesting depth. Expected exit codes and codes are those documented in the README. The work
is bounded by the limits themselves (digits, operators, levels); a run that does not end within
scriptlib.HANG_GUARD is a hang, and its peak memory stays under 256 MiB (1 GiB under ASan)."""
import sys

from scriptlib import SANITIZED, run_measured

BUDGET = (1024 if SANITIZED else 256) << 20

utfall = sys.argv[1]
passed = failed = 0


def check(label, args, want_exit, want_text):
    global passed, failed
    out = run_measured([utfall, *args])
    stderr = out.stderr.decode("utf-8", "replace")
    ok = not out.timed_out and out.returncode == want_exit and want_text in stderr and out.peak_bytes <= BUDGET
    if ok:
        passed += 1
        print(f"pass {label}")
    else:
        failed += 1
        print(f"FAIL {label}: exit {out.returncode} (want {want_exit}), {out.peak_bytes >> 20} MiB, "
              f"timed out: {out.timed_out}\n{stderr[:500]}")


big = "9" * 6000
# 6000 digits times 6000 digits has 12000 digits: past the limit of 10000.
check("product over 10000 digits", ["eval", f"{big} * {big}"], 5, "error[E704]")
check("a literal over 10000 characters", ["eval", "1" * 10001], 5, "error[E704]")
check("nesting past the limit", ["eval", "(" * 50000 + "1" + ")" * 50000], 5, "error[E706]")
# A flat chain of operators is as deep as nesting: 15 000 `+` once crashed the checker.
check("a chain of 15000 operators", ["eval", "+".join(["1"] * 15000)], 5, "limit of 1000 operators")
check("a chain of `and` past the limit", ["eval", " and ".join(["true"] * 5000)], 5, "limit of 1000 operators")
check("`not` nests like parentheses", ["eval", "not " * 20000 + "true"], 5, "nest deeper")
check("a malformed number is not a number with a unit", ["eval", "7__0"], 2, "error[E101]")
check("one value under the limit is fine", ["eval", f"{big} + 1"], 0, "")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
