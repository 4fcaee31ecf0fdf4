#!/usr/bin/env python3
"""Files utfall reads: only regular files, bounded while read, and an example's data only from
inside its contract's folder; data cells quoted in messages only escaped and cut short.

Usage: test_files.py <utfall binary> <source dir>

Reading: a FIFO, a device (/dev/zero, also behind a link named like a data file), a socket and
a directory, given as a contract (check, run, test, explain, sweep, repl and its :load) or as a
data file, each end at once in E801 naming the path (exit 3; 1 for `test` and a scripted
REPL, which report and go on). Before, a FIFO blocked for ever and /dev/zero was read until
memory ran out: each run here has the memory bound of scriptlib.run_measured and its hang guard.

Containment: `example ... data "NAME"` names a file relative to the contract's folder. An
absolute name, a `..` component or a link that leads out of the folder is E424 at the name's
line and column (computed here from the text written), from `utfall test` and from `utfall
check` alike, and the file outside is never read: none of its numbers appears in the output. Names that stay inside (a subfolder, a link to a
file beside the contract) are read as before.

Cells: a value, column name or JSON key with control characters or U+202E is quoted with
`\\xNN` / `\\u{...}`, cut after 40 code points with "…"; the expected text is written out here
by hand.
"""
import os
import socket
import sys
import tempfile

from scriptlib import HANG_GUARD, Tally, run_measured

utfall = os.path.abspath(sys.argv[1])
T = Tally()
MEMORY = 256 << 20  # every row here reads at most a few bytes

CONTRACT = ('contract "Filer"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2027\n'
            'input x : SEK per period\nclause "1" {\n  pay kommun -> fonden amount x\n}\n')
CSV = "period,x\n2025,1\n2026,2\n2027,3\n"  # 6 SEK in total


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def row(name, args, exit_code, stderr_has=(), cwd=None, stdin=None, stdout_lacks=()):
    p = run_measured([utfall, *args], cwd=cwd, stdin_bytes=stdin)
    if p.timed_out:
        T.check(name, False, f"did not end within {HANG_GUARD:.0f} s (a hang)")
        return
    err = p.stderr.decode("utf-8", "replace")
    out = p.stdout.decode("utf-8", "replace")
    problems = []
    if p.returncode != exit_code:
        problems.append(f"exit {p.returncode}, expected {exit_code}")
    if p.peak_bytes > MEMORY:
        problems.append(f"peak memory {p.peak_bytes >> 20} MiB")
    problems += [f"stderr lacks {s!r}" for s in stderr_has if s not in err]
    problems += [f"stdout has {s!r}" for s in stdout_lacks if s in out]
    problems += [f"stderr has the raw byte {c!r}" for c in "\x1b\x07" if c in err]  # never drive the terminal
    T.check(name, not problems, "; ".join(problems) + f" | stdout: {out[:300]} | stderr: {err[:500]}")


# ---- only regular files are read ----
with tempfile.TemporaryDirectory(prefix="utfall-files-") as tmp:
    write(os.path.join(tmp, "c.utfall"), CONTRACT)
    write(os.path.join(tmp, "d.csv"), CSV)
    os.mkfifo(os.path.join(tmp, "pipe.utfall"))
    os.mkfifo(os.path.join(tmp, "pipe.csv"))
    os.symlink("/dev/zero", os.path.join(tmp, "zero.csv"))
    os.mkdir(os.path.join(tmp, "folder.utfall"))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.path.join(tmp, "sock.utfall"))
    FIFO = "pipe.utfall: error[E801]: cannot read `pipe.utfall`: it is a FIFO (a named pipe), not a regular file"
    vary = ["--vary", "x=1 SEK,2 SEK"]  # never reached: the contract is refused first

    for name, command, extra in [("a FIFO as the contract: check", "check", []),
                                 ("a FIFO as the contract: run", "run", ["-d", "d.csv"]),
                                 ("a FIFO as the contract: test", "test", []),
                                 ("a FIFO as the contract: explain", "explain", ["-d", "d.csv"]),
                                 ("a FIFO as the contract: sweep", "sweep", ["-d", "d.csv", *vary])]:
        row(name, [command, "pipe.utfall", *extra], 1 if command == "test" else 3, [FIFO], tmp)
    row("a FIFO as the contract: repl", ["repl", "pipe.utfall"], 1, [FIFO], tmp, stdin=b"")
    row("a FIFO as the contract: repl :load", ["repl"], 1, [FIFO], tmp, stdin=b":load pipe.utfall\n")
    row("a directory as the contract: repl :load", ["repl"], 1,
        ["folder.utfall: error[E801]: cannot read `folder.utfall`: it is a directory"], tmp, stdin=b":load folder.utfall\n")
    row("a FIFO as a data file", ["run", "c.utfall", "-d", "pipe.csv"], 3,
        ["pipe.csv: error[E801]: cannot read data file `pipe.csv`: it is a FIFO (a named pipe), not a regular file"], tmp)
    row("a FIFO as a data file: repl :data", ["repl", "c.utfall"], 1, ["pipe.csv: error[E801]"], tmp,
        stdin=b":data pipe.csv\n")
    row("/dev/zero as the contract", ["check", "/dev/zero"], 3,
        ["/dev/zero: error[E801]: cannot read `/dev/zero`: it is a device, not a regular file"], tmp)
    row("/dev/zero as a data file (a link zero.csv to it)", ["run", "c.utfall", "-d", "zero.csv"], 3,
        ["zero.csv: error[E801]: cannot read data file `zero.csv`: it is a device, not a regular file"], tmp)
    row("a socket as the contract", ["run", "sock.utfall", "-d", "d.csv"], 3,
        ["sock.utfall: error[E801]: cannot read `sock.utfall`: it is a socket, not a regular file"], tmp)
    example = CONTRACT + 'example "e" data "pipe.csv" {\n  expect kommun -> fonden in total = 6 SEK\n}\n'
    write(os.path.join(tmp, "ex.utfall"), example)
    row("a FIFO as an example's data file", ["test", "ex.utfall"], 1,
        ["pipe.csv: error[E801]: cannot read data file `pipe.csv`: it is a FIFO"], tmp)
    # `check` looks where an example's data file leads but opens nothing: no wait on the FIFO.
    row("a FIFO as an example's data file: check opens nothing", ["check", "ex.utfall"], 0, (), tmp)
    sock.close()

# ---- an example's data stays inside the contract's folder ----
with tempfile.TemporaryDirectory(prefix="utfall-inside-") as tmp:
    project = os.path.join(tmp, "project")
    write(os.path.join(project, "d.csv"), CSV)
    write(os.path.join(project, "inner", "d.csv"), CSV)
    # Outside the folder: numbers that appear nowhere else (a sum of 777 777 SEK).
    secret = "period,x\n2025,111111\n2026,222222\n2027,444444\n"
    write(os.path.join(tmp, "outside.csv"), secret)
    write(os.path.join(tmp, "outdir", "d.csv"), secret)
    os.symlink(os.path.join(tmp, "outside.csv"), os.path.join(project, "link.csv"))
    os.symlink(os.path.join(tmp, "outdir"), os.path.join(project, "sub"))
    os.symlink("d.csv", os.path.join(project, "alias.csv"))
    os.symlink("../../outside.csv", os.path.join(project, "inner", "up.csv"))
    os.symlink(os.path.join(project, "d.csv"), os.path.join(project, "absolute.csv"))

    def contained(name, check_name, data, reason):
        """An example naming `data`, under `utfall test` (`name`) and `utfall check` (`check_name`);
        `reason` None: it passes; else E424 at the name."""
        head = CONTRACT + 'term t = 1\n'
        line = head.count("\n") + 1
        text = head + f'example "e" data "{data}" {{\n  expect kommun -> fonden in total = 6 SEK\n}}\n'
        write(os.path.join(project, "c.utfall"), text)
        column = text.splitlines()[line - 1].index('"' + data.replace("\\", "\\\\")) + 1
        if reason is None:
            row(name, ["test", "c.utfall"], 0, (), project)
            row(check_name, ["check", "c.utfall"], 0, (), project)
            return
        where = f"c.utfall:{line}:{column}: error[E424]: the data file `{data}` of the example \"e\" is outside the contract's folder: "
        row(name, ["test", "c.utfall"], 1, [where + reason], project, stdout_lacks=["777", "111", "222", "444"])
        # `check` says the same at the same place (a structure error: exit 2), reading nothing.
        row(check_name, ["check", "c.utfall"], 2, [where + reason], project, stdout_lacks=["ok ("])

    outside = os.path.join(tmp, "outside.csv")
    DOTS, ABSOLUTE, LINK = "it has a `..` component", "it is an absolute path", "it leads through a link to outside the folder"
    contained("example data: `..` in the name", "check: `..` in an example's data name", "../outside.csv", DOTS)
    contained("example data: `..` inside the name", "check: `..` inside an example's data name", "inner/../../outside.csv", DOTS)
    contained("example data: an absolute path", "check: an absolute path as an example's data", outside, ABSOLUTE)
    contained("example data: /proc/self/status", "check: /proc/self/status as an example's data", "/proc/self/status", ABSOLUTE)
    contained("example data: a link to a file outside", "check: an example's data through a link to a file outside",
              "link.csv", LINK)
    contained("example data: a link to a folder outside", "check: an example's data through a link to a folder outside",
              "sub/d.csv", LINK)
    contained("example data: a link in a subfolder that leads up and out",
              "check: an example's data through a link in a subfolder that leads out", "inner/up.csv", LINK)
    contained("example data: a file in a subfolder is read", "check: an example's data in a subfolder is fine", "inner/d.csv", None)
    contained("example data: a link to a file beside the contract is read",
              "check: an example's data through a link to a file beside the contract is fine", "alias.csv", None)
    # The folder is the contract's, wherever the command runs from.
    row("example data: from another working directory", ["test", os.path.join("project", "c.utfall")], 0, (), tmp)
    # A long name is cut short in the message (its first 80 characters, then …).
    long_name = "../" + "x" * 300 + ".csv"
    write(os.path.join(project, "c.utfall"),
          CONTRACT + f'example "e" data "{long_name}" {{\n  expect kommun -> fonden in total = 6 SEK\n}}\n')
    row("example data: a long name outside, cut short", ["check", "c.utfall"], 2,
        [f"error[E424]: the data file `{long_name[:80]}…` of the example \"e\" is outside the contract's folder: " + DOTS],
        project)
    # A link that names its target by an absolute path is not followed when the file is opened
    # (it is opened beneath the folder, openat2 RESOLVE_BENEATH), even when the target lies inside.
    write(os.path.join(project, "c.utfall"),
          CONTRACT + 'example "e" data "absolute.csv" {\n  expect kommun -> fonden in total = 6 SEK\n}\n')
    row("example data: an absolute link to a file inside", ["test", "c.utfall"], 1,
        ["absolute.csv: error[E801]: cannot read data file `absolute.csv`: it leads through a link to outside the folder, "
         "or through an absolute link (name the file by a relative link)"], project)

# ---- data cells in messages: escaped, cut short ----
with tempfile.TemporaryDirectory(prefix="utfall-cells-") as tmp:
    write(os.path.join(tmp, "c.utfall"), CONTRACT)
    # ESC ] 0 ; (set the window title) ... BEL, then 100 nines: 10 code points + 30 nines shown.
    hostile = "\x1b]0;pwned\x07" + "9" * 100
    write(os.path.join(tmp, "title.csv"), f"period,x\n2025,{hostile}\n2026,2\n2027,3\n")
    shown = "\\x1b]0;pwned\\x07" + "9" * 30 + "…"
    row("a value with control characters: escaped and cut", ["run", "c.utfall", "-d", "title.csv"], 3,
        [f"title.csv: row 1 (line 2), column `x`: error[E528]: `x`: `{shown}` is not a number"], tmp)
    # U+202E turns the text after it around on a terminal; a backslash is doubled.
    write(os.path.join(tmp, "column.csv"), "period,x,y\u202eevil\\\n2025,1,1\n2026,2,2\n2027,3,3\n")
    row("a column name with U+202E and a backslash: escaped", ["run", "c.utfall", "-d", "column.csv"], 3,
        ["error[E521]: the column `y\\u{202e}evil\\\\` is not a series input of the contract"], tmp)
    # The reader's own messages: a ragged row's extra field, a column name twice, bytes that are
    # not UTF-8 after 30 letters (the 20 before the byte shown).
    write(os.path.join(tmp, "ragged.csv"), "period,x\n2025,1,\x1b[2J" + "z" * 60 + "\n2026,2\n2027,3\n")
    row("a ragged row's extra field with ESC [2J: escaped and cut", ["run", "c.utfall", "-d", "ragged.csv"], 3,
        ["the first extra field is `\\x1b[2J" + "z" * 36 + "…`"], tmp)
    write(os.path.join(tmp, "twice.csv"), "period,x,\x07x,\x07x\n2025,1,1,1\n2026,2,2,2\n2027,3,3,3\n")
    row("a column name with BEL twice in the header: escaped", ["run", "c.utfall", "-d", "twice.csv"], 3,
        ["error[E504]: column name `\\x07x` appears twice in the header (columns 3 and 4)"], tmp)
    with open(os.path.join(tmp, "latin.csv"), "wb") as f:
        f.write(b"period,x\n2025," + b"a" * 10 + b"\x1b" + b"b" * 19 + b"\xff\n2026,2\n2027,3\n")
    row("invalid UTF-8 after an ESC: the 20 code points before it, escaped", ["run", "c.utfall", "-d", "latin.csv"], 3,
        ["the value is not valid UTF-8: byte 0xFF after `…\\x1b" + "b" * 19 + "`"], tmp)
    write(os.path.join(tmp, "period.csv"), "period,x\n" + "2025" + "x" * 200 + ",1\n2026,2\n2027,3\n")
    row("a period of 204 characters: cut after 40", ["run", "c.utfall", "-d", "period.csv"], 3,
        ["error[E522]: `2025" + "x" * 36 + "…` is not a period of the calendar (2025 .. 2027)"], tmp)

    # A JSON key is quoted the same way, in every message of the reader that names one: here
    # ESC [2J, BEL and a line feed (JSON escapes in the file), then 4 000 letters (under the
    # value limit): 7 code points + 33 letters shown.
    key = "\\u001b[2J\\u0007k\\n" + "k" * 4000
    shown_key = "\\x1b[2J\\x07k\\x0a" + "k" * 33 + "…"
    write(os.path.join(tmp, "nested.json"), f'[{{"period": 2025, "{key}": {{"x": 1}}}}]')
    row("a JSON key with ESC [2J, BEL and a line feed: escaped and cut", ["run", "c.utfall", "-d", "nested.json"], 3,
        [f"nested.json: row 1 (line 1), column `{shown_key}`: error[E512]: the value of `{shown_key}` in row 1 is an object"], tmp)
    write(os.path.join(tmp, "tables.json"), f'{{"{key}": [], "{key}": []}}')
    row("a JSON table name twice, with ESC [2J: escaped and cut", ["run", "c.utfall", "-d", "tables.json"], 3,
        [f"tables.json: error[E504]: table `{shown_key}` appears twice"], tmp)

T.finish()
