"""A pass/fail tally for the script tests: `check(label, ok, detail)` prints one line per
check; `finish()` prints `N passed, N failed` and exits 1 if anything failed."""
import sys


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
