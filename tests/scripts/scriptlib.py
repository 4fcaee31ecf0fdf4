"""Shared by the script tests.

`Tally`: `check(label, ok, detail)` prints one line per check; `finish()` prints
`N passed, N failed` and exits 1 if anything failed.

`bounded_memory`: a `preexec_fn` for subprocess that limits the child's address space
(RLIMIT_AS) to `MEMORY_LIMIT` bytes, so a run that would blow up fails instead. Under the
sanitizer build (UTFALL_SANITIZED=1, set by tests/CMakeLists.txt) it does nothing: ASan
reserves terabytes of address space up front.
"""
import os
import resource
import sys

MEMORY_LIMIT = 3 << 30
SANITIZED = os.environ.get("UTFALL_SANITIZED") == "1"


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
