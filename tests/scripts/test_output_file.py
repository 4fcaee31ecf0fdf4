#!/usr/bin/env python3
"""`utfall run -o FILE` writes the schedule whole or not at all.

Usage: test_output_file.py <utfall binary> <source dir>

Checks: the file holds exactly what stdout would have held; a run that fails (on the data,
on the contract, on a missing data file) leaves an existing file byte for byte as it was and
no temporary file beside it; a file that cannot be written (or may not be: read-only) is an
E802 error (exit 74) naming it, and is left as it was; a new file gets the permissions of an
ordinary new file (umask applies), a replaced one keeps its own (0600 stays 0600).

And the standard output of every command: when it cannot be written (/dev/full, a pipe closed
while SIGPIPE is ignored) the command says `utfall: cannot write the output: REASON` and exits
74, never 0 (the output lost) and never 70 (as if a bug); with SIGPIPE at its default it ends by
SIGPIPE, as a filter should. `sweep -j 100000` runs (on at most 256 threads) instead of failing to
start its threads (before: std::system_error, exit 70).
"""
import os
import signal
import stat
import subprocess
import sys

from scriptlib import Tally, run_measured
import tempfile

utfall, root = os.path.abspath(sys.argv[1]), sys.argv[2]
example = os.path.join(root, "examples", "a-aldreomsorg")
contract = os.path.join(example, "contract.utfall")
plan = os.path.join(example, "plan.csv")
TALLY = Tally()


check = TALLY.check


def run(*args, cwd=None):
    return subprocess.run([utfall, *args], capture_output=True, timeout=60, cwd=cwd)


OLD = b"the schedule of an earlier run\n"

with tempfile.TemporaryDirectory(prefix="utfall-out-") as tmp:
    os.umask(0o022)
    for fmt in ("table", "json", "csv"):
        target = os.path.join(tmp, f"schedule.{fmt}")
        expected = run("run", contract, "-d", plan, "-f", fmt).stdout
        p = run("run", contract, "-d", plan, "-f", fmt, "-o", target)
        with open(target, "rb") as f:
            got = f.read()
        check(f"-o writes what stdout shows ({fmt})", p.returncode == 0 and got == expected and p.stdout == b"",
              f"exit {p.returncode}, {len(got)} bytes vs {len(expected)}")
    mode = stat.S_IMODE(os.stat(os.path.join(tmp, "schedule.json")).st_mode)
    check("a new file gets 0666 less the umask", mode == 0o644, oct(mode))

    # A run that fails must not touch the target: a division by zero in the last period, after
    # the earlier periods have been evaluated (exit 4); a missing data file (exit 3); a broken
    # contract (exit 2).
    divides = os.path.join(tmp, "divides.utfall")
    with open(divides, "w") as f:
        f.write('contract "x"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2027\n'
                'input x : SEK per period\nclause "1" {\n  pay a -> b amount 100 SEK * (1 SEK / x)\n}\n')
    zero = os.path.join(tmp, "zero.csv")
    with open(zero, "w") as f:
        f.write("period,x\n2025,1\n2026,2\n2027,0\n")
    broken = os.path.join(tmp, "broken.utfall")
    with open(broken, "w") as f:
        f.write('contract "x"\ncurrency SEK\nterm = 1\n')
    failing = [
        ("evaluation fails", [divides, "-d", zero], 4),
        ("a data file is missing", [contract, "-d", os.path.join(tmp, "nosuch.csv")], 3),
        ("the contract is wrong", [broken, "-d", plan], 2),
    ]
    for label, args, code in failing:
        target = os.path.join(tmp, "kept.json")
        with open(target, "wb") as f:
            f.write(OLD)
        p = run("run", *args, "-f", "json", "-o", target)
        with open(target, "rb") as f:
            kept = f.read()
        leftovers = [n for n in os.listdir(tmp) if ".tmp-" in n]
        check(f"{label}: exit {code}, the old file is left whole", p.returncode == code and kept == OLD and not leftovers,
              f"exit {p.returncode}, file {kept[:40]!r}, leftovers {leftovers}")

    target = os.path.join(tmp, "no", "such", "dir", "out.json")
    p = run("run", contract, "-d", plan, "-o", target)
    err = p.stderr.decode()
    check("a directory that does not exist: E802 naming the file, exit 74",
          p.returncode == 74 and f"{target}: error[E802]: cannot write `{target}`" in err and not os.path.exists(target),
          f"exit {p.returncode}: {err[:300]}")
    p = run("run", contract, "-d", plan, "-o", tmp)
    check("a directory as the target: exit 74, E802", p.returncode == 74 and "error[E802]" in p.stderr.decode(),
          f"exit {p.returncode}: {p.stderr.decode()[:300]}")

    # A target that is not a regular file is refused, not replaced (a rename over /dev/full
    # would put a file in its place); a link to a file stays a link.
    fifo = os.path.join(tmp, "pipe.json")
    os.mkfifo(fifo)
    p = run("run", contract, "-d", plan, "-o", fifo)
    check("a FIFO as the target: E802, exit 74, still a FIFO",
          p.returncode == 74 and "not a regular file" in p.stderr.decode() and stat.S_ISFIFO(os.lstat(fifo).st_mode),
          f"exit {p.returncode}: {p.stderr.decode()[:300]}")
    real = os.path.join(tmp, "real.json")
    with open(real, "wb") as f:
        f.write(OLD)
    link = os.path.join(tmp, "link.json")
    os.symlink(real, link)
    expected = run("run", contract, "-d", plan, "-f", "json").stdout
    p = run("run", contract, "-d", plan, "-f", "json", "-o", link)
    with open(real, "rb") as f:
        got = f.read()
    check("a link as the target: the file it names is replaced, the link stays",
          p.returncode == 0 and os.path.islink(link) and got == expected, f"exit {p.returncode}, {got[:40]!r}")

    # The file replaced keeps its permission bits; a file the user may not write is not replaced
    # (a rename needs only the folder's permission, and root may write anything: the bits decide).
    private = os.path.join(tmp, "private.json")
    with open(private, "wb") as f:
        f.write(OLD)
    os.chmod(private, 0o600)
    p = run("run", contract, "-d", plan, "-f", "json", "-o", private)
    mode = stat.S_IMODE(os.stat(private).st_mode)
    check("a 0600 file replaced stays 0600", p.returncode == 0 and mode == 0o600 and open(private, "rb").read() == expected,
          f"exit {p.returncode}, mode {oct(mode)}")
    locked = os.path.join(tmp, "locked.json")
    with open(locked, "wb") as f:
        f.write(OLD)
    os.chmod(locked, 0o444)
    p = run("run", contract, "-d", plan, "-f", "json", "-o", locked)
    err = p.stderr.decode()
    check("a read-only file: E802, exit 74, left as it was",
          p.returncode == 74 and f"{locked}: error[E802]: cannot write `{locked}`" in err and open(locked, "rb").read() == OLD
          and stat.S_IMODE(os.stat(locked).st_mode) == 0o444, f"exit {p.returncode}: {err[:300]}")
    check("no temporary file left behind anywhere", not [n for n in os.listdir(tmp) if ".tmp-" in n], os.listdir(tmp))

# ---- the standard output of every command ----
CANNOT = "utfall: cannot write the output: "
with tempfile.TemporaryDirectory(prefix="utfall-stdout-") as tmp:
    small = os.path.join(tmp, "c.utfall")
    data = os.path.join(tmp, "d.csv")
    with open(small, "w") as f:
        f.write('contract "x"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2027\n'
                'input x : SEK per period\nterm t = 1 SEK\nclause "1" {\n  pay kommun -> fonden amount x + t\n}\n'
                'example "e" data "d.csv" {\n  expect kommun -> fonden in total = 9 SEK\n}\n')
    with open(data, "w") as f:
        f.write("period,x\n2025,1\n2026,2\n2027,3\n")
    commands = {
        "check to a full standard output": ["check", small],
        "run to a full standard output": ["run", small, "-d", data],
        "test to a full standard output": ["test", small],
        "eval to a full standard output": ["eval", "1 + 1"],
        "explain to a full standard output": ["explain", small, "-d", data],
        "sweep to a full standard output": ["sweep", small, "-d", data, "--vary", "t=1 SEK,2 SEK"],
        "repl to a full standard output": ["repl", small],
        "--help to a full standard output": ["--help"],
    }
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        check("/dev/full is a character device (needed for the next checks)", False, "it is not")
    for name, args in commands.items():
        with open("/dev/full", "wb") as full:
            p = subprocess.run([utfall, *args], stdout=full, stderr=subprocess.PIPE, input=b"1 + 1\n" if args[0] == "repl" else None,
                               timeout=60)
        err = p.stderr.decode()
        check(f"{name}: exit 74, one line saying so",
              p.returncode == 74 and err.endswith(CANNOT + "No space left on device\n"), f"exit {p.returncode}: {err[-300:]}")

    # A pipe whose reader leaves after one line: the sweep writes 10001 rows (some 300 KB, more
    # than a pipe holds), so its writes go on after the reader has gone.
    many = [utfall, "sweep", small, "-d", data, "--vary", "t=0 SEK..10000 SEK step 1 SEK"]

    def first_line_then_close(ignore_sigpipe):
        p = subprocess.Popen(many, stdout=subprocess.PIPE, stderr=subprocess.PIPE, restore_signals=not ignore_sigpipe)
        first = p.stdout.readline()
        p.stdout.close()
        err = p.stderr.read().decode()
        return p.wait(timeout=120), first, err

    code, first, err = first_line_then_close(ignore_sigpipe=True)
    check("sweep piped to head -1, SIGPIPE ignored: exit 74, `Broken pipe`",
          code == 74 and first == b"x\n" and err.endswith(CANNOT + "Broken pipe\n"), f"exit {code}, {first!r}: {err[-300:]}")
    code, first, err = first_line_then_close(ignore_sigpipe=False)
    check("sweep piped to head -1: ended by SIGPIPE", code == -signal.SIGPIPE, f"exit {code}: {err[-300:]}")

    one = run(*many[1:], "-j", "1")
    p = run_measured([*many, "-j", "100000"])
    check("sweep -j 100000: runs, the output of -j 1",
          not p.timed_out and p.returncode == 0 and p.stdout == one.stdout and one.returncode == 0,
          f"exit {p.returncode}: {p.stderr.decode()[:300]}")

TALLY.finish()
