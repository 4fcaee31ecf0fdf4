"""`utfall doc -o FILE.pdf` (docs/cli.md): the document printed to PDF by a headless browser.

1. With stand-in browsers (small shell scripts given with --browser), no Chromium needed: the
   browser gets the page as a file: URL in a private temporary directory, a fresh empty profile
   there and the PDF's path, and what it prints becomes the file, byte for byte. A browser that
   is missing, exits non-zero, writes nothing, or writes something that is not a PDF gives exit 1
   and one line naming the .pdf and what to do; the browser's own output is shown then and only
   then; the file is not written (one that was there is left as it was). The temporary directory
   ($TMPDIR, a fresh one per run here) is empty again after every run, and after a SIGTERM, which
   stops the browser too and then ends utfall.
2. With Debian's chromium and poppler-utils' pdftotext (skipped, exit 77, where either is
   missing): the Swedish literate scenario (examples/a-aldreomsorg/avtal.md, --lang sv) and
   scenario A (contract.utfall, English) with plan.csv. The PDF's text holds the contract's
   title, a clause heading and the 2027 payment kommun -> utfallsfonden of 26,700,000.00 SEK
   (../shared/scenarios/a-aldreomsorg.md; scenario_payments.py), written in the page's language.
"""
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scriptlib import Tally

utfall, src = sys.argv[1], Path(sys.argv[2])
T = Tally()
work = Path(tempfile.mkdtemp(prefix="utfall-doc-pdf-"))
A = src / "examples/a-aldreomsorg"


def doc(out, *args, browser=None):
    """Runs `utfall doc` with a TMPDIR of its own; the result and what that TMPDIR holds after."""
    tmp = Path(tempfile.mkdtemp(dir=work, prefix="tmp-"))
    env = dict(os.environ, TMPDIR=str(tmp))
    argv = [utfall, "doc", *map(str, args), "-o", str(out)] + (["--browser", str(browser)] if browser else [])
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=200)
    return r, sorted(p.name for p in tmp.iterdir())


def fake_browser(name, body):
    """A shell script standing in for the browser; `$pdf` is the path it is asked to print to."""
    path = work / name
    path.write_text('#!/bin/sh\nfor a in "$@"; do case "$a" in --print-to-pdf=*) pdf="${a#--print-to-pdf=}";; esac; done\n' + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# 1. Stand-in browsers.
argv_log = work / "argv.txt"
recorder = fake_browser("recorder", f'printf "%s\\n" "$@" > "{argv_log}"\n'
                                    'for a in "$@"; do case "$a" in --user-data-dir=*) d="${a#--user-data-dir=}"; if [ -d "$d" ]; then ls -A "$d"; else echo no profile; fi >> "' + str(argv_log) + '";; '
                                    'file://*) page="${a#file://}";; esac; done\n'
                                    'cp "$page" "' + str(work / "seen.html") + '"\n'
                                    'echo "noise that is not shown" >&2\nprintf "%%PDF-1.4 stand-in" > "$pdf"\n')
out = work / "recorded.pdf"
r, left = doc(out, A / "contract.utfall", browser=recorder)
T.check("stand-in: exit 0, nothing said", (r.returncode, r.stdout, r.stderr) == (0, "", ""), (r.returncode, r.stderr))
T.check("stand-in: the file is what the browser printed", out.exists() and out.read_bytes() == b"%PDF-1.4 stand-in",
        out.read_bytes() if out.exists() else None)
T.check("stand-in: the temporary directory is removed", left == [], left)
args = argv_log.read_text().splitlines() if argv_log.exists() else []
flags = [a for a in args if a.startswith("--")]
T.check("stand-in: headless, no sandbox, no GPU, no header or footer",
        all(f in flags for f in ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]), args)
profile = next((a.split("=", 1)[1] for a in flags if a.startswith("--user-data-dir=")), "")
pdf = next((a.split("=", 1)[1] for a in flags if a.startswith("--print-to-pdf=")), "")
page = next((a for a in args if a.startswith("file://")), "")
# The lines after the arguments are `ls -A` of the profile: none, it is empty.
T.check("stand-in: a fresh, empty profile, the page and the PDF in one private directory",
        profile and Path(profile).parent == Path(pdf).parent == Path(page[len("file://"):]).parent
        and args[-1] == page and Path(profile).parent.name.startswith("utfall-pdf-"), args)
seen = (work / "seen.html").read_text(encoding="utf-8") if (work / "seen.html").exists() else ""
r_html, _ = doc(work / "same.html", A / "contract.utfall")
T.check("stand-in: the browser is given the page that -o FILE.html writes", seen and seen == (work / "same.html").read_text(encoding="utf-8"),
        seen[:200])
T.check("the page's print style: A4, headings kept with what follows, rows not broken",
        "@page { size: A4;" in seen and "h3, h4, h5, h6 { break-after: avoid; }" in seen and "tr, pre.example, details { break-inside: avoid; }" in seen,
        seen[:1500])

failing = [("a missing browser", work / "nonexistent", "the browser `" + str(work / "nonexistent") + "` was not found", None),
           ("/nonexistent", "/nonexistent", "the browser `/nonexistent` was not found", None),
           ("a browser that fails", fake_browser("fails", 'echo "chromium says: boom" >&2\nexit 3\n'), "exited with status 3",
            "chromium says: boom"),
           ("a browser that writes nothing", fake_browser("silent", "exit 0\n"), "exited 0 but wrote no PDF", None),
           ("a browser that writes no PDF", fake_browser("html", 'echo "<html>" > "$pdf"\n'), "is not a PDF", None)]
for label, browser, why, shown in failing:
    out = work / "refused.pdf"
    r, left = doc(out, A / "contract.utfall", browser=browser)
    last = r.stderr.splitlines()[-1] if r.stderr else ""
    T.check(f"{label}: exit 1, one line naming the file, why, and what to do",
            r.returncode == 1 and last.startswith(f"utfall doc: cannot write {out}: ") and why in last
            and "install Debian's chromium" in last and "or write .html instead" in last, (r.returncode, r.stderr))
    T.check(f"{label}: no file, the temporary directory removed", not out.exists() and left == [], left)
    T.check(f"{label}: the browser's own output only when it ran and failed", (shown in r.stderr) if shown else len(r.stderr.splitlines()) == 1,
            r.stderr)
old = work / "old.pdf"
old.write_bytes(b"%PDF-old")
r, left = doc(old, A / "contract.utfall", browser=work / "fails")
T.check("a failed print leaves the file that was there as it was", r.returncode == 1 and old.read_bytes() == b"%PDF-old" and left == [],
        r.stderr)

# SIGTERM while the browser runs: the browser is stopped, the directory removed, and utfall ends by
# the signal.
slow_pid = work / "slow.pid"
slow = fake_browser("slow", f'echo $$ > "{slow_pid}"\nexec sleep 60\n')
tmp = Path(tempfile.mkdtemp(dir=work, prefix="tmp-"))
child = subprocess.Popen([utfall, "doc", str(A / "contract.utfall"), "-o", str(work / "stopped.pdf"), "--browser", str(slow)],
                         env=dict(os.environ, TMPDIR=str(tmp)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(200):
    if slow_pid.exists() and slow_pid.read_text().strip():
        break
    time.sleep(0.05)
child.terminate()
child.wait(timeout=30)
browser_pid = int(slow_pid.read_text()) if slow_pid.exists() and slow_pid.read_text().strip() else None
try:
    os.kill(browser_pid, 0) if browser_pid else None
    browser_alive = browser_pid is not None
except ProcessLookupError:
    browser_alive = False
T.check("SIGTERM: utfall ends by it, the browser is stopped, no file, the directory removed",
        child.returncode == -signal.SIGTERM and browser_pid and not browser_alive and not (work / "stopped.pdf").exists()
        and list(tmp.iterdir()) == [], (child.returncode, browser_pid, browser_alive, list(tmp.iterdir())))

# 2. Debian's chromium, read back with pdftotext.
chromium, pdftotext = shutil.which("chromium"), shutil.which("pdftotext")
if not chromium or not pdftotext:
    print("skipped: printing with chromium and reading back needs chromium and pdftotext (poppler-utils); .ci/build installs both")
    if T.failed:
        T.finish()
    sys.exit(77)


def text_of(pdf):
    r = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True)
    return " ".join(r.stdout.replace("\u00a0", " ").replace("\u202f", " ").split()) if r.returncode == 0 else ""


for label, args, want in [
        ("avtal.md, Swedish", [A / "avtal.md", "--data", A / "plan.csv", "--lang", "sv"],
         ["Starkare, friskare och självständigare äldre", "3.2 Återbetalning", "26 700 000,00"]),
        ("contract.utfall, English", [A / "contract.utfall", "--data", A / "plan.csv"],
         ["Starkare, friskare och självständigare äldre", "3.2 Återbetalning", "26,700,000.00"])]:
    out = work / "printed.pdf"
    out.unlink(missing_ok=True)
    r, left = doc(out, *args)
    T.check(f"{label}: exit 0, the browser's noise not shown", (r.returncode, r.stderr) == (0, ""), r.stderr[-2000:])
    T.check(f"{label}: a PDF", out.exists() and out.read_bytes()[:5] == b"%PDF-", out.read_bytes()[:20] if out.exists() else None)
    T.check(f"{label}: the temporary directory is removed", left == [], left)
    text = text_of(out) if out.exists() else ""
    for w in want:
        T.check(f"{label}: the text holds {w!r}", w in text, text[:3000])
T.finish()
