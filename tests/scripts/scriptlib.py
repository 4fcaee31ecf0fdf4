"""Shared by the script tests.

`Tally`: `check(label, ok, detail)` prints one line per check; `finish()` prints
`N passed, N failed` and exits 1 if anything failed.

`round_fraction(x, step, mode)`: a Fraction rounded to a multiple of step by a rounding mode
of docs/language.md §15, written from the mode definitions alone.

`scenario_a(cost, drawn, baslinje, andel, tak)`: scenario A's payments kommun -> utfallsfonden in
2027..2029, written from docs/language.md §17 alone.

`command_json(T, argv, label)`: runs a command that prints JSON; a check that it exits 0, and the
JSON, or None when it does not.

`doc_examples(path, command)`: the examples of a command in a Markdown file (a fenced block
that starts `$ build/utfall COMMAND`): each as (argv after `build/utfall`, the lines it shows).

`bounded_memory`: a `preexec_fn` for subprocess that limits the child's address space
(RLIMIT_AS) to `MEMORY_LIMIT` bytes, so a run that would blow up fails instead. Under the
sanitizer build (UTFALL_SANITIZED=1, set by tests/CMakeLists.txt) it does nothing: ASan
reserves terabytes of address space up front.
"""
import json
import os
from fractions import Fraction
import resource
import shlex
import subprocess
import sys

MEMORY_LIMIT = 3 << 30
SANITIZED = os.environ.get("UTFALL_SANITIZED") == "1"


def command_json(tally, argv, label):
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True)
    tally.check(f"{label}: exits 0", r.returncode == 0, r.stderr)
    return json.loads(r.stdout) if r.returncode == 0 else None


def bounded_memory():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, label, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"pass {label}")
        else:
            self.failed += 1
            print(f"FAIL {label}: {detail}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


# A run that never ends is a hang, whatever the machine: this guard is not a speed target
# (those live in bench/), only the point at which a test stops waiting. It is generous enough
# for a Debug + ASan build on a busy 2-core machine.
HANG_GUARD = 900.0 if SANITIZED else 300.0


class Measured:
    """A finished child: exit code, output, and the work it did that tests bound (its peak
    resident memory in bytes, from the kernel's accounting of that one child)."""

    def __init__(self, returncode, stdout, stderr, peak_bytes, timed_out):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.peak_bytes, self.timed_out = peak_bytes, timed_out


# The child is started by a small Python process, not by the test itself: the kernel counts
# the memory a process held before exec (a fork of the test, with its large strings) into the
# peak of the program it execs, so only a grandchild's peak is the program's own.
_LAUNCHER = (
    "import os, sys\n"
    "pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "os.write(int(sys.argv[1]), f'{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}'.encode())\n")


def run_measured(args, cwd=None, stdin_bytes=None, guard=None, stack=None):
    """Runs `args` under bounded_memory and HANG_GUARD; returns a Measured (bytes out).
    `stack`: the main thread's stack in bytes (RLIMIT_STACK, as `ulimit -s` sets it)."""
    import signal
    import subprocess
    args = list(args)
    args[0] = os.path.abspath(args[0]) if os.sep in args[0] else args[0]
    report_r, report_w = os.pipe()
    try:
        p = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER, str(report_w), *args], cwd=cwd,
                             stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=(lambda: (bounded_memory(), resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))))
                             if stack else bounded_memory,
                             start_new_session=True, pass_fds=(report_w,))
    finally:
        os.close(report_w)
    timed_out = False
    try:
        out, err = p.communicate(stdin_bytes, timeout=guard or HANG_GUARD)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
    with os.fdopen(report_r, "rb") as f:
        report = f.read().split()
    code, peak = (int(report[0]), int(report[1]) * 1024) if len(report) == 2 else (p.returncode, 0)
    return Measured(code, out, err, peak, timed_out)


def round_fraction(x, step, mode):
    """The multiple of step chosen by mode; written from the mode definitions alone."""
    q = x / step
    fl = q.numerator // q.denominator  # floor
    rem = q - fl
    if rem == 0:
        return fl * step
    positive = q > 0
    if mode == "floor":
        n = fl
    elif mode == "ceiling":
        n = fl + 1
    elif mode == "down":
        n = fl if positive else fl + 1
    elif mode == "up":
        n = fl + 1 if positive else fl
    else:
        half = Fraction(1, 2)
        if rem < half:
            n = fl
        elif rem > half:
            n = fl + 1
        elif mode == "half_up":  # ties away from zero
            n = fl + 1 if positive else fl
        elif mode == "half_down":  # ties toward zero
            n = fl if positive else fl + 1
        else:  # half_even
            n = fl if fl % 2 == 0 else fl + 1
    return n * step


def scenario_a(cost, drawn, baslinje, andel, tak):
    """Scenario A (examples/a-aldreomsorg) from docs/language.md §17, as Fractions: the payments
    kommun -> utfallsfonden in 2027, 2028 and 2029 (the waterfall applies from 2027; none before).
    Each period: the pool is to_date(max(baslinje - cost, 0)); the capital tier takes up to
    to_date(drawn); the premium takes andel of the rest, rounded half_even to 0.01, capped at
    tak, at most the rest; the payee is paid the increase of its entitlement (netted)."""
    cost, drawn = [Fraction(x) for x in cost], [Fraction(x) for x in drawn]
    baslinje, andel, tak = Fraction(baslinje), Fraction(andel), Fraction(tak)
    pool = drawn_to_date = paid = Fraction(0)
    out = []
    for t in range(5):
        pool += max(baslinje - cost[t], Fraction(0))
        drawn_to_date += drawn[t]
        if t < 2:
            continue
        left = max(pool, Fraction(0))
        kapital = min(left, max(drawn_to_date, Fraction(0)))
        left -= kapital
        premie = min(round_fraction(andel * left, Fraction(1, 100), "half_even"), tak)
        premie = max(min(premie, left), Fraction(0))
        pay = max(kapital + premie - paid, Fraction(0))
        paid += pay
        out.append(pay)
    return out


def doc_examples(path, command):
    """The examples of `command` in a Markdown file: (argv after the program, the output lines shown)."""
    text = path.read_text(encoding="utf-8")
    out = []
    for block in text.split("```"):
        if not block.lstrip().startswith(f"$ build/utfall {command}"):
            continue
        lines = block.strip("\n").split("\n")
        line = ""
        while lines and (not line or line.endswith("\\")):
            line = line.rstrip("\\") + lines.pop(0).lstrip("$ ")
        out.append((shlex.split(line)[1:], lines))
    return out
