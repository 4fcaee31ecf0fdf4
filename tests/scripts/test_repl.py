"""`utfall repl`, driven through a pipe (a script) and through a pseudo-terminal (a person).

The expected values come from scenario A's terms worked by hand in Python's Decimal below
(`scenario_a`), not from utfall.
"""
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from scriptlib import HANG_GUARD

utfall, src = sys.argv[1], Path(sys.argv[2])
A = src / "examples" / "a-aldreomsorg"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def scenario_a(cost, drawn, share=Decimal("0.30"), cap=Decimal(7_000_000), base=Decimal(200_000_000)):
    """Scenario A's waterfall from 2027 (index 2): cumulative, netted; the premium rounded half-even."""
    paid, out = Decimal(0), []
    for t in range(len(cost)):
        if t < 2:
            out.append(None)
            continue
        pool = sum(max(base - c, Decimal(0)) for c in cost[: t + 1])
        principal = min(pool, sum(drawn[: t + 1]))
        premium = min(((pool - principal) * share).quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN"), cap)
        pay = max(principal + premium - paid, Decimal(0))
        paid += pay
        out.append(pay)
    return out


plan_cost = [Decimal(x) for x in ["200000000", "190000000", "170000000", "150000000", "140000000"]]
drawn = [Decimal(7_000_000)] * 5


def money(d):
    return f"{d:,.2f}"


def session(script, code=0):
    p = subprocess.run([utfall, "repl", str(A / "contract.utfall"), "--data", str(A / "plan.csv")], input=script,
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == code, f"exit {p.returncode}, expected {code} for:\n{script}\n{p.stderr}")
    return p


# --- Through a pipe -------------------------------------------------------------------------
p = session("frigjort @ 2027\n"
            ":period 2028\n"
            "frigjort\n"
            ":set hemtjanst_kostnad@2028 = 160_000_000 SEK\n"
            "frigjort\n"
            "let dubbel = frigjort * 2\n"
            "dubbel @ 2026\n"
            "term premieandel = 25 %\n"
            ":payments\n"
            ":type frigjort / baslinje\n"
            "max(1,\n"
            "    2 + 3)\n"
            ":unset\n"
            "frigjort\n"
            ":quit\n"
            "frigjort\n")
lines = p.stdout.splitlines()
check("30000000 SEK" in lines, "frigjort @ 2027 = 200M - 170M")
check(lines.count("50000000 SEK") == 2, "frigjort in 2028 = 200M - 150M, before the :set and after :unset")
check("40000000 SEK" in lines, "frigjort in 2028 after :set = 200M - 160M")
check("20000000 SEK" in lines, "dubbel @ 2026 = 2 * (200M - 190M)")
check("number" in lines, ":type of SEK / SEK")
check("5" in lines, "multi-line max(1, 2 + 3)")
cost = list(plan_cost)
cost[3] = Decimal(160_000_000)
want = scenario_a(cost, drawn, share=Decimal("0.25"))
for year, amount in zip(["2027", "2028", "2029"], want[2:]):
    row = [l for l in lines if l.startswith(year + " ")]
    check(row and row[0].split()[-1] == money(amount), f":payments {year}: {row}, expected {money(amount)}")
check(p.stderr == "", f"no errors expected: {p.stderr}")
check(lines[-1] == "50000000 SEK", "nothing runs after :quit")

# Errors are shown as in the checker and the session goes on; a script sees exit 1.
p = session("nonsense + 1\n:period 2031\nfrigjort @ 2030\n:set avropat@2027 = 5\n:bogus\nfrigjort\n1 +\n", code=1)
check("<input>:1:1: error[E208]: unknown name `nonsense`" in p.stderr, p.stderr)
check("2031 is not a period of the contract (2025 .. 2029)" in p.stderr, p.stderr)
check("`avropat` is in SEK, but the value is in number" in p.stderr, p.stderr)
check("unknown command :bogus" in p.stderr, p.stderr)
check("E604" in p.stderr and ":period" in p.stderr, "frigjort without a period says how to give one")
check("the input ended inside an unfinished expression" in p.stderr, p.stderr)

# `:set INPUT@PERIOD` obeys the input's declared range (language.md §8.4): examples/h-ranges
# declares `anmalningar` whole and at least 0 events, and `andel` at most 100 %.
H = Path(src) / "examples" / "h-ranges"
ranged = subprocess.run([utfall, "repl", str(H / "contract.utfall"), "--data", str(H / "plan.csv"), str(H / "deltagare.csv")],
                   input=":set anmalningar@2025 = -1 events\n:set anmalningar@2026 = 2.5 events\n:set andel@2027 = 101 %\n"
                         ":set anmalningar@2027 = 3 events\n", capture_output=True, text=True, timeout=60)
check(ranged.returncode == 1, f"a refused :set makes a script exit 1, got {ranged.returncode}: {ranged.stderr}")
check("error[E532]: `anmalningar` is -1 events, below its declared least value, 0 events" in ranged.stderr, ranged.stderr)
check("error[E532]: `anmalningar` is 2.5 events, not a whole number" in ranged.stderr, ranged.stderr)
check("error[E532]: `andel` is 101 %, above its declared most value, 100 %" in ranged.stderr, ranged.stderr)
check(ranged.stderr.count("E532") == 3, f"the value inside the range is taken: {ranged.stderr}")
# `frigjort @ 2030` is outside the calendar: a checker error, not a crash
check("2030" in p.stderr, p.stderr)

# Redefining a definition of the contract changes the payments; a bad redefinition is refused
# and the old one stays.
p = session("let frigjort = max(baslinje - hemtjanst_kostnad, 0 SEK) / 2\nlet frigjort = frigjort + x\nfrigjort @ 2027\n", code=1)
check("15000000 SEK" in p.stdout.splitlines(), f"halved frigjort in 2027: {p.stdout}")
check("E208" in p.stderr or "E2" in p.stderr, p.stderr)

# :load another contract (baslinje 210 000 000: frigjort in 2027 is 210M - 170M), :reload keeps
# what the session appended, :data shows the data and the overrides.
with tempfile.TemporaryDirectory() as tmp:
    other = Path(tmp) / "other.utfall"
    other.write_text((A / "contract.utfall").read_text(encoding="utf-8").replace("200_000_000 SEK", "210_000_000 SEK", 1),
                     encoding="utf-8")
    p = session(f"let dubbel = frigjort * 2\n:reload\ndubbel @ 2027\n:set avropat@2026 = 1 SEK\n:data\n"
                f":load {other}\nfrigjort @ 2027\ndubbel @ 2027\n", code=1)
    lines = p.stdout.splitlines()
    check("60000000 SEK" in lines, f":reload keeps the session's definition: {p.stdout}")
    check("  overridden: avropat@2026 = 1 SEK" in lines, f":data shows overrides: {p.stdout}")
    check(any(l.startswith("  avropat: 2025 7000000 SEK, 2026 1 SEK") for l in lines), f":data shows values: {p.stdout}")
    check("40000000 SEK" in lines, f":load other contract: {p.stdout}")
    check("unknown name `dubbel`" in p.stderr, f":load drops the session's definitions: {p.stderr}")

# --- A contract that does not check, then fixed and reloaded; declared units --------------
with tempfile.TemporaryDirectory() as tmp:
    broken = Path(tmp) / "c.utfall"
    good = (A / "contract.utfall").read_text(encoding="utf-8")
    broken.write_text(good.replace("let frigjort = max(baslinje - hemtjanst_kostnad, 0 SEK)",
                                   "let frigjort = max(baslinje - hemtjanst_kostnad, 0 SEK) + to_date(frigjort)"), encoding="utf-8")
    # The file is fixed once the session has answered the four inputs before :reload (each
    # with a reminder that the contract does not check), then the rest is typed.
    p = subprocess.Popen([utfall, "repl", str(broken), "--data", str(A / "plan.csv")], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdin.write("1 + 1\n:payments\nlet x = 2\n:type 1 SEK\n")
    p.stdin.flush()
    err = ""
    while err.count("does not check") < 4:
        line = p.stderr.readline()
        if not line:
            break
        err += line
    broken.write_text(good, encoding="utf-8")
    out, rest = p.communicate(":reload\nfrigjort @ 2027\n", timeout=HANG_GUARD)
    err += rest
    check(p.returncode == 1, f"a session whose contract did not check ends with 1, got {p.returncode}: {err}")
    check("error[E210]" in err and err.count("does not check") == 4, f"the errors, then a reminder per input: {err}")
    check("reloaded" in out and "30000000 SEK" in out, f"after the fix, :reload works: {out} {err}")

B = src / "examples" / "b-placeringar"
p = subprocess.run([utfall, "repl", str(B / "contract.utfall"), "--data", str(B / "plan.csv")],
                   input="2 placements\n1 placement + 2 placements\n:type 3 placements * pris\n",
                   capture_output=True, text=True, timeout=HANG_GUARD)
check(p.returncode == 0 and "2 placements\n3 placements\n" in p.stdout, f"the contract's units: {p.stdout} {p.stderr}")

# --- Through a pseudo-terminal ---------------------------------------------------------------
def terminal(keys, home):
    """Runs the REPL on a pty, typing each chunk of `keys` after the output settles."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["HOME"] = home
        os.environ.pop("XDG_STATE_HOME", None)
        os.environ["TERM"] = "xterm"
        os.execv(utfall, [utfall, "repl", str(A / "contract.utfall"), "--data", str(A / "plan.csv")])
    out = b""

    def read_some(wait):
        """Reads what the terminal has within `wait` seconds; False at its end."""
        nonlocal out
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        out += chunk
        return bool(chunk)

    def prompts():
        return out.count(b"utfall> ") + out.count(b"... ")

    # Each chunk is typed once the REPL waits for it (one more prompt than lines entered),
    # not after a pause: on a busy machine or under ASan the answer may take seconds, and a
    # Ctrl-C typed before the line editor reads the terminal would be a signal instead.
    deadline = time.time() + HANG_GUARD
    entered = 0
    for k in keys:
        while prompts() <= entered and time.time() < deadline and read_some(0.2):
            pass
        time.sleep(0.05)
        os.write(fd, k.encode())
        entered += k.count("\r") + k.count("\x03")
    while time.time() < deadline and read_some(0.2):  # the rest, until the REPL ends
        pass
    if time.time() >= deadline:  # a hang: end it, so that the check fails instead of waiting
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)


with tempfile.TemporaryDirectory() as home:
    text, code = terminal(["frig\t", "@ 2027\r", "this is cancelled", "\x03", "max(1,\r", "7)\r", "\x04"], home)
    check(code == 0, f"Ctrl-D leaves with 0, got {code}")
    check("utfall> frig" in text and "jort @ 2027" in text, f"tab completes frig -> frigjort: {text!r}")
    check("30000000 SEK" in text, f"value through the terminal: {text!r}")
    check("^C" in text and "E208" not in text, f"Ctrl-C cancels the line: {text!r}")
    check("... " in text and "\r\n7\r\n" in text, f"multi-line input with a continuation prompt: {text!r}")
    history = Path(home) / ".utfall_history"
    check(history.exists() and "frigjort" in history.read_text(), "history kept in ~/.utfall_history")
    # A new session recalls the previous one's lines with the up arrow.
    text, code = terminal(["\x1b[A\x1b[A", "\r", "\x04"], home)
    check(text.count("30000000 SEK") == 1, f"history recalled across sessions: {text!r}")
    # A history file that is a FIFO is not waited on (libedit would block for ever): no history.
    history.unlink()
    os.mkfifo(history)
    text, code = terminal(["1 + 1\r", "\x04"], home)
    check(code == 0 and "not a regular file; no history is kept" in text and "\r\n2\r\n" in text,
          f"a FIFO as the history file: {code} {text!r}")

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
