"""Every contract example in docs/language.md checks as the reference says it does.

The reference's own rule (its introduction): an example whose comment says `error EXXX` fails
with exactly that diagnostic, on the comment's line, every other one passes `utfall check`; a fragment (an example
without a `currency` line) is checked after the preamble the introduction gives. The expected
codes are read from the examples' comments, never from a run.
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scriptlib import Tally

utfall = str(Path(sys.argv[1]).resolve())
doc = (Path(sys.argv[2]) / "docs" / "language.md").read_text(encoding="utf-8")
T = Tally()

intro, _, _ = doc.partition("\n## 1. ")
preamble = re.search(r"whose names the fragments use:\n\n```text\n(.*?)```", intro, re.S)
T.check("the introduction gives the preamble of fragments", preamble is not None)
preamble = preamble.group(1) if preamble else ""

blocks = [(doc.count("\n", 0, m.start()) + 2, m.group(1)) for m in re.finditer(r"```utfall\n(.*?)```", doc, re.S)]
T.check("the reference has contract examples", len(blocks) >= 30, f"{len(blocks)} found")

with tempfile.TemporaryDirectory(prefix="utfall-doc-") as tmp:
    for line, text in blocks:
        whole = re.search(r"^currency ", text, re.M) is not None
        source = text if whole else preamble + text
        offset = 0 if whole else preamble.count("\n")
        # (code, line in the file checked) of each `# error EXXX` comment
        expected = {(m.group(1), offset + text.count("\n", 0, m.start()) + 1)
                    for m in re.finditer(r"#[^\n]*?\berror (E\d{3})", text)}
        path = Path(tmp) / "example.utfall"
        path.write_text(source, encoding="utf-8")
        p = subprocess.run([utfall, "check", str(path)], capture_output=True, text=True, timeout=120, cwd=tmp)
        got = {(code, int(at)) for at, code in re.findall(r"example\.utfall:(\d+):\d+: error\[(E\d{3})\]", p.stderr)}
        label = f"language.md line {line}" + (" (a fragment)" if not whole else "")
        if expected:
            T.check(f"{label}: fails with {', '.join(f'{c} at line {n}' for c, n in sorted(expected))}",
                    p.returncode == 2 and got == expected,
                    f"exit {p.returncode}, codes {sorted(got)}\n{p.stderr[-800:]}")
        else:
            T.check(f"{label}: checks", p.returncode == 0 and not got, f"exit {p.returncode}\n{p.stderr[-800:]}")

T.finish()
