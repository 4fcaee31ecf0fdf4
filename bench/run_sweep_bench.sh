#!/bin/sh
# Times `utfall sweep` over variations of scenario A (baslinje from 150 000 000 SEK in steps of
# 100 SEK, STEPS of them, default 1 000 000, x three premieandel: 3 000 003 rows), CSV written to
# a file, on 1, 2, 4, ... threads and on every core, three runs each, alternating; checks that
# every run wrote the same bytes, and prints the best time of each with the speed-up against one
# thread (issue 20's targets: at least 1.8x on 2 threads, at least 10x on 16).
# Then what the machine itself gives this work: as many one-thread sweeps side by side as there
# are cores against one alone, three times each; cores x alone / side by side (best of each) is
# the most that many threads of one sweep could gain here.
# Usage: [STEPS=N] bench/run_sweep_bench.sh [build dir]   (default: build). Builds nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
utfall="$build/utfall"
[ -x "$utfall" ] || { echo "not found: $utfall (build the utfall target first)" >&2; exit 1; }
steps=${STEPS:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
a="$here/../examples/a-aldreomsorg"
cores=$(nproc)
threads=1
while [ $((${threads##* } * 2)) -lt "$cores" ]; do threads="$threads $((${threads##* } * 2))"; done
[ "$cores" -gt 1 ] && threads="$threads $cores"
now() { date +%s.%N; }  # no interpreter's start-up inside the times
sweep() {  # threads, output file
  "$utfall" sweep "$a/contract.utfall" --data "$a/plan.csv" -j "$1" --format csv \
    --vary "baslinje=150_000_000 SEK..$((150000000 + (steps - 1) * 100)) SEK step 100 SEK" --vary 'premieandel=20 %,25 %,30 %' >"$2"
}
for run in 1 2 3; do
  for j in $threads; do
    start=$(now)
    sweep "$j" "$tmp/out-$j.csv"
    echo "$j $start $(now)" >>"$tmp/times"
    cmp -s "$tmp/out-1.csv" "$tmp/out-$j.csv" || { echo "MISMATCH: the output on $j threads differs from 1 thread" >&2; exit 1; }
    [ "$j" = 1 ] || rm "$tmp/out-$j.csv"
  done
  start=$(now)
  sweep 1 "$tmp/alone.csv"
  echo "alone $start $(now)" >>"$tmp/times"
  rm "$tmp/alone.csv"
  start=$(now)
  pids=""
  for k in $(seq 2 "$cores"); do
    sweep 1 "$tmp/side-$k.csv" &
    pids="$pids $!"
  done
  sweep 1 "$tmp/side-1.csv"
  for p in $pids; do wait "$p"; done
  echo "side $start $(now)" >>"$tmp/times"
  for k in $(seq 1 "$cores"); do
    cmp -s "$tmp/out-1.csv" "$tmp/side-$k.csv" || { echo "MISMATCH: the sweep side by side ($k) differs" >&2; exit 1; }
    rm "$tmp/side-$k.csv"
  done
done
echo "variations: $(($(wc -l <"$tmp/out-1.csv") - 1)); the same output on $(echo $threads | sed 's/ /, /g') threads"
python3 - "$tmp/times" "$cores" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    j, start, end = line.split()
    best[j] = min(best.get(j, float("inf")), float(end) - float(start))
cores = int(sys.argv[2])
one = best["1"]
targets = {"2": 1.8, "16": 10.0}
for j in sorted((k for k in best if k.isdigit()), key=int):
    extra = ""
    if j in targets:
        extra = " (target >= {}x: {})".format(targets[j], "met" if one / best[j] >= targets[j] else "NOT met")
    print(f"{j:>3} threads: {best[j]:.2f} s, {one / best[j]:.2f}x{extra}")
print(f"{cores} one-thread sweeps side by side: {best['side']:.2f} s, one alone {best['alone']:.2f} s: "
      f"this machine gives {cores} threads of this work at most {cores * best['alone'] / best['side']:.2f}x")
PY
