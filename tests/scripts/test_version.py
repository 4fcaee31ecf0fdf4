#!/usr/bin/env python3
"""utfall's version is written once (interpreter/version.hpp) and agrees with CMakeLists.txt.

Usage: test_version.py <utfall binary> <source dir>

The version is read here from CMakeLists.txt's project(VERSION), not from the code under test.
`utfall --version`, the C API's utfall_version(), the language server's serverInfo and the INDIGO
export's notes give it; and no source file but interpreter/version.hpp writes it as a literal,
so that changing the version is a change of two lines (CMakeLists.txt and version.hpp).
"""
import ctypes
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from scriptlib import SANITIZED, Tally

utfall, src = os.path.abspath(sys.argv[1]), Path(sys.argv[2])
T = Tally()

cmake = (src / "CMakeLists.txt").read_text(encoding="utf-8")
m = re.search(r"project\(utfall VERSION (\d+\.\d+\.\d+)", cmake)
T.check("CMakeLists.txt names the project's version", m is not None)
version = m.group(1) if m else "?"

r = subprocess.run([utfall, "--version"], capture_output=True, text=True, timeout=60)
T.check("utfall --version", r.returncode == 0 and r.stdout.strip() == f"utfall {version}", repr(r.stdout))

header = (src / "interpreter/version.hpp").read_text(encoding="utf-8")
T.check("interpreter/version.hpp holds the same version", f'version_text = "{version}";' in header)

# The language server's answer to initialize names the version.
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}).encode()
exit_ = json.dumps({"jsonrpc": "2.0", "method": "exit"}).encode()
stdin = b"".join(b"Content-Length: %d\r\n\r\n%s" % (len(x), x) for x in (body, exit_))
r = subprocess.run([utfall, "lsp"], input=stdin, capture_output=True, timeout=60)
try:
    head, rest = r.stdout.split(b"\r\n\r\n", 1)
    length = int(re.match(rb"Content-Length: (\d+)", head).group(1))
    info = json.loads(rest[:length])["result"]["serverInfo"]
except (ValueError, KeyError, AttributeError) as e:
    info = {"error": str(e), "stdout": r.stdout[:300].decode(errors="replace")}
T.check("utfall lsp: serverInfo names the version", info == {"name": "utfall", "version": version}, info)

# The C API (not under the sanitizers: a sanitized library needs its runtime preloaded).
library = os.path.join(os.path.dirname(utfall), "libutfall.so")
if not SANITIZED and os.path.exists(library):
    lib = ctypes.CDLL(library)
    lib.utfall_version.restype = ctypes.c_char_p
    T.check("utfall_version()", lib.utfall_version().decode() == version)
else:
    print("skip utfall_version(): no unsanitized libutfall.so beside the binary")

# No other source writes the version: a literal "X.Y.Z" equal to it in the C, C++ and Python
# sources of the program (tests may name it; the editor extension has a version of its own).
literal = re.compile(r'"' + re.escape(version) + r'"|\butfall ' + re.escape(version) + r"\b")
found = []
for folder in ("api", "cli", "interpreter", "stdlib", "grammar", "include", "python", "fuzz", "bench"):
    for path in (src / folder).rglob("*") if (src / folder).is_dir() else ():
        if path.suffix in (".cpp", ".hpp", ".h", ".c", ".py", ".inc") and path.is_file() and path.name != "version.hpp":
            text = path.read_text(encoding="utf-8", errors="replace")
            if literal.search(text):
                found.append(str(path.relative_to(src)))
T.check("no source but interpreter/version.hpp writes the version", not found, found)
T.finish()
