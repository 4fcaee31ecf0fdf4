#!/bin/sh
# Runs bench/number_bench (already built) and bench/number_bench_decimal.py, and prints a
# side-by-side table of ns per operation with the ratio Python decimal / utfall.
# Usage: bench/run_number_bench.sh [build dir]   (default: build). Builds nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
bench="$build/bench/number_bench"
if [ ! -x "$bench" ]; then
  echo "not found: $bench (build the number_bench target first)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" --benchmark_format=csv --benchmark_min_time=0.5 >"$tmp/cpp.csv" 2>/dev/null
python3 "$here/number_bench_decimal.py" >"$tmp/py.txt"
python3 - "$tmp/cpp.csv" "$tmp/py.txt" <<'EOF'
import csv, sys
cpp = {}
with open(sys.argv[1]) as fh:
    lines = [l for l in fh if l.startswith(("name,", '"BM_'))]
for row in csv.DictReader(lines):
    unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[row["time_unit"]]
    cpp[row["name"]] = float(row["cpu_time"]) * unit
py = dict((n, float(v)) for n, v in (l.split() for l in open(sys.argv[2]) if l.strip()))
print(f"{'operation':<16}{'utfall ns':>11}{'decimal ns':>12}{'decimal/utfall':>16}")
for name, ns in cpp.items():
    label = name[3:]
    other = py.get(name)
    ratio = f"{other / ns:.1f}x" if other else "-"
    print(f"{label:<16}{ns:>11.1f}{(other or 0):>12.1f}{ratio:>16}")
EOF
