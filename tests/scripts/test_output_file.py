#!/usr/bin/env python3
"""`utfall run -o FILE` writes the schedule whole or not at all.

Usage: test_output_file.py <utfall binary> <source dir>

Checks: the file holds exactly what stdout would have held; a run that fails (on the data,
on the contract, on a missing data file) leaves an existing file byte for byte as it was and
no temporary file beside it; a file that cannot be written is an E801 error (exit 3) naming
it; the new file gets the permissions of an ordinary new file (umask applies).
"""
import os
import stat
import subprocess
import sys

from scriptlib import Tally
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
    check("a directory that does not exist: E801 naming the file, exit 3",
          p.returncode == 3 and f"{target}: error[E801]: cannot write `{target}`" in err and not os.path.exists(target),
          f"exit {p.returncode}: {err[:300]}")
    p = run("run", contract, "-d", plan, "-o", tmp)
    check("a directory as the target: exit 3, E801", p.returncode == 3 and "error[E801]" in p.stderr.decode(),
          f"exit {p.returncode}: {p.stderr.decode()[:300]}")

    # A target that is not a regular file is refused, not replaced (a rename over /dev/full
    # would put a file in its place); a link to a file stays a link.
    fifo = os.path.join(tmp, "pipe.json")
    os.mkfifo(fifo)
    p = run("run", contract, "-d", plan, "-o", fifo)
    check("a FIFO as the target: E801, exit 3, still a FIFO",
          p.returncode == 3 and "not a regular file" in p.stderr.decode() and stat.S_ISFIFO(os.lstat(fifo).st_mode),
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
    check("no temporary file left behind anywhere", not [n for n in os.listdir(tmp) if ".tmp-" in n], os.listdir(tmp))

# The standard output that cannot be written (a full device) is an error, not a silent exit 0.
if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
    check("/dev/full is a character device (needed for the next check)", False, "it is not")
else:
    with open("/dev/full", "wb") as full:
        p = subprocess.run([utfall, "run", contract, "-d", plan], stdout=full, stderr=subprocess.PIPE, timeout=60)
    err = p.stderr.decode()
    check("a full standard output: E801, exit 3", p.returncode == 3 and "(standard output): error[E801]" in err,
          f"exit {p.returncode}: {err[:300]}")

TALLY.finish()
