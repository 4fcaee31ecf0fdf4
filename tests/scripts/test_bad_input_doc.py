#!/usr/bin/env python3
"""Every row of docs/bad-input.md names tests that exist.

Usage: test_bad_input_doc.py <utfall binary> <source dir>

The last column of each table row names tests as `diag: "row name", …`, `bad: …`, `limits: …`,
`output: …`, `files: …`, `linear: …`, `names: …`, `unit: "TEST_CASE name"` (tests/unit), `api:
"text"` (in tests/api/), `python: "text"` (in tests/python/), or a script file. Each quoted name
must appear, as a string, in the script (or unit test sources) it is attributed to; a name may
end in `…`, and then its beginning must appear. A row with no test fails.
"""
import glob
import os
import re
import sys

from scriptlib import Tally

root = sys.argv[2]
T = Tally()
scripts = {
    "diag": "tests/scripts/test_diagnostics.py",
    "bad": "tests/scripts/test_bad_input.py",
    "limits": "tests/scripts/test_limits.py",
    "output": "tests/scripts/test_output_file.py",
    "files": "tests/scripts/test_files.py",
    "linear": "tests/scripts/test_linear.py",
    "names": "tests/scripts/test_names.py",
}
texts = {k: open(os.path.join(root, v), encoding="utf-8").read() for k, v in scripts.items()}
texts["unit"] = "".join(open(f, encoding="utf-8").read() for f in glob.glob(os.path.join(root, "tests/unit/*.cpp")))
texts["api"] = "".join(open(f, encoding="utf-8").read() for f in glob.glob(os.path.join(root, "tests/api/*.c*")))
texts["python"] = "".join(open(f, encoding="utf-8").read() for f in glob.glob(os.path.join(root, "tests/python/*.py")))

doc = open(os.path.join(root, "docs/bad-input.md"), encoding="utf-8").read()
rows = [ln for ln in doc.splitlines() if ln.startswith("| ") and not ln.startswith("| input") and not ln.startswith("|---")]
T.check("the table has rows", len(rows) > 40, f"{len(rows)} rows")
for ln in rows:
    cells = [c.strip() for c in ln.strip("|").split(" | ")]
    label, tests = cells[0], cells[-1]
    problems, found = [], 0
    for part in re.split(r";\s*", tests):
        m = re.match(r"(\w+): (.*)", part)
        if not m:
            if re.search(r"test_\w+\.py", part) and os.path.exists(os.path.join(root, "tests/scripts", re.search(r"test_\w+\.py", part).group(0))):
                found += 1
            else:
                problems.append(f"cannot read {part!r}")
            continue
        kind, names = m.group(1), re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
        if kind not in texts:
            problems.append(f"unknown kind {kind!r}")
            continue
        for name in names:
            probe = name.rstrip("…").rstrip()
            probe = re.sub(r"^… ?", "", probe)
            variants = {probe, probe.replace("`", "\\`")}
            if any(v and v in texts[kind] for v in variants):
                found += 1
            else:
                problems.append(f"{kind} has no test {name!r}")
    T.check(f"row has its tests: {label[:70]}", found > 0 and not problems, "; ".join(problems) or "no test named")
T.finish()
