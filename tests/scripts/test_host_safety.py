"""Contract code reaches no file, network, environment or clock: the stages that run a contract
(parse, check, evaluate, the builtins, the grammar) call no such function. One place opens
files, and only paths a host names: interpreter/files.cpp (regular files only, bounded while
read; data_files.cpp looks only at a data file's name, for its extension); only the monotonic
clock of a host's time limit is read, and only where the evaluation looks at it (MAY_TIME). This scans the sources, so a builtin that reads the clock or
the environment fails here before it ships."""
import glob
import os
import re
import sys

source = sys.argv[2]
FORBIDDEN = {
    "files": r"\bfopen\b|\bifstream\b|\bofstream\b|\bfstream\b|\bopen\s*\(|\bstd::filesystem\b|\bfs::",
    "environment": r"\bgetenv\b|\bsecure_getenv\b|\benviron\b|\bsetenv\b",
    "clock": r"\bstd::chrono\b|\btime\s*\(|\bclock\s*\(|\bgettimeofday\b|\blocaltime\b|\bgmtime\b",
    "network": r"\bsocket\s*\(|\bconnect\s*\(|\bgetaddrinfo\b|\bcurl_",
    "processes": r"\bsystem\s*\(|\bpopen\b|\bexec[lv]p?e?\s*\(|\bfork\s*\(",
}
# Places that read a file the host named, and only for that.
MAY_READ_FILES = {"interpreter/files.cpp", "interpreter/data_files.cpp"}
# Places that hold a host's time limit for an evaluation (E712): the monotonic clock and a
# duration only, never the date or wall time, and nothing of it reaches a value.
MAY_TIME = {"interpreter/evaluate.cpp", "interpreter/evaluate.hpp", "api/engine.cpp", "api/c_api.cpp"}
HOST_TIME = re.compile(r"std::chrono::(steady_clock|milliseconds)\b")

files = []
for pattern in ["interpreter/*.cpp", "interpreter/*.hpp", "stdlib/*", "grammar/*", "api/*.cpp", "api/*.hpp"]:
    files += glob.glob(os.path.join(source, pattern))
failed = 0
for path in sorted(files):
    rel = os.path.relpath(path, source)
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)  # comments may name what is forbidden
    for what, pattern in FORBIDDEN.items():
        if what == "files" and rel in MAY_READ_FILES:
            continue
        for m in re.finditer(pattern, text):
            if what == "clock" and rel in MAY_TIME and HOST_TIME.match(text, m.start()):
                continue
            line = text.count("\n", 0, m.start()) + 1
            print(f"FAIL {rel}:{line}: reaches {what}: `{m.group(0)}`")
            failed += 1
print(f"{len(files)} files scanned, {failed} problems")
sys.exit(1 if failed or len(files) < 10 else 0)
