"""Regression contracts: every tests/regressions/*/*/contract.utfall passes `utfall test`.

Each contract holds a defect once seen (the comment at its top says which) and `expect` lines
computed by hand or by the generator's model (tests/generator/), never captured from a run.
The number of expectations is counted from the files, so a contract whose examples stop
running fails here rather than passing with nothing checked.
"""
import re
import subprocess
import sys
from pathlib import Path

from scriptlib import Tally, bounded_memory

utfall, src = sys.argv[1], Path(sys.argv[2])
t = Tally()
contracts = sorted((src / "tests" / "regressions").glob("*/*/contract.utfall"))
t.check("there are regression contracts", len(contracts) >= 3, f"found {len(contracts)}")
for c in contracts:
    expects = len(re.findall(r"^\s*expect\b", c.read_text(encoding="utf-8"), re.M))
    p = subprocess.run([utfall, "test", str(c)], capture_output=True, text=True, timeout=120, preexec_fn=bounded_memory)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    name = f"{c.parent.parent.name}/{c.parent.name}"
    t.check(name, p.returncode == 0 and expects > 0 and last == f"{expects} passed, 0 failed",
            f"exit {p.returncode}, last line {last!r}, {expects} expectations\n{p.stdout}{p.stderr}")
t.finish()
