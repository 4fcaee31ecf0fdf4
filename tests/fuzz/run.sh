#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, clang 14, ASan + UBSan) and runs each one in turn
# for a bounded time, starting from the seed corpus in tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default: 45 s, every target
#
# New inputs the fuzzer finds go to build-fuzz/corpus/<target>/ (the committed seeds are only
# read); a crash, leak, timeout or out-of-memory input goes to build-fuzz/artifacts/. At the end
# it prints one line per target with the number of executions and the outcome, and exits 1 if any
# target found something. For a finding the log also shows, so that a run on a machine one cannot
# reach can be replayed from its log alone: the 30 lines before libFuzzer's first report and the
# 40 after (an uncaught exception's `terminate called ...`, the sanitizer's stack), and each new
# artifact under 16 KiB as base64 with the command that replays it. Each input is bounded:
# -timeout=10 s, -rss_limit_mb=2048, -max_len=1 MiB (the seeds stay under that). The mutations use
# the keywords and punctuation in tests/fuzz/utfall.dict; fuzz_check and fuzz_run also mutate the
# structure of the contract (tests/fuzz/contract_mutator.hpp). Those two also start from
# UTFALL_FUZZ_GENERATED (default 200, 0 for none) contracts of the random generator
# (tests/generator/), written into a temporary directory by tests/fuzz/seed_from_generator.py with
# a fixed seed and removed at the end. The long run is documented in docs/fuzzing.md.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-45}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_parse fuzz_check fuzz_run fuzz_data fuzz_repl fuzz_api)
build=${UTFALL_FUZZ_BUILD_DIR:-build-fuzz}

echo "==> configuring ${build}/ (clang 14, libFuzzer, ASan + UBSan)"
cmake -S . -B "$build" -G Ninja -DUTFALL_CHARTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DUTFALL_FUZZ=ON -DUTFALL_BUILD_TESTS=OFF -DUTFALL_BUILD_BENCH=OFF \
  > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
echo "==> building the fuzz targets"
cmake --build "$build" -j "${UTFALL_JOBS:-$(nproc)}" --target "${targets[@]}" || exit 1

mkdir -p "$build/artifacts" "$build/logs"
generated_dir=$(mktemp -d "${TMPDIR:-/tmp}/utfall-fuzz-generated.XXXXXX")
trap 'rm -rf "$generated_dir"' EXIT
summary=()
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  log="$build/logs/$t.log"
  seeds=("tests/fuzz/corpus/$t")
  if [ "$t" = fuzz_check ] || [ "$t" = fuzz_run ]; then
    python3 tests/fuzz/seed_from_generator.py "$generated_dir/$t" --target "$t" \
      --count "${UTFALL_FUZZ_GENERATED:-200}" --seed 20261201
    [ -d "$generated_dir/$t" ] && seeds+=("$generated_dir/$t")
  fi
  echo "==> $t for ${seconds} s (log: $log)"
  started=$SECONDS
  stamp="$build/logs/$t.started"
  touch "$stamp"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$t" "$build/corpus/$t" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=1048576 -len_control=100 -dict=tests/fuzz/utfall.dict -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" > "$log" 2>&1
  rc=$?
  took=$((SECONDS - started))  # less than asked when a finding stops the run
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    outcome="no findings"
  else
    status=1
    outcome="FINDING (exit $rc): $(grep -m1 -E 'ERROR: |SUMMARY: |utfall fuzz finding|deadly signal|Test unit written' "$log" | head -c 200)"
    grep -E 'Test unit written|ERROR: |SUMMARY: |utfall fuzz finding' "$log" | head -5
    # What a reader of a CI log needs to reproduce it: the lines before libFuzzer's report (an
    # uncaught exception's `terminate called ...`, a sanitizer's stack) and the input itself.
    grep -B 30 -A 40 -m1 -E 'ERROR: |utfall fuzz finding' "$log" | grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED)' | head -70
    find "$build/artifacts" -maxdepth 1 -type f -name "$t-*" -newer "$stamp" -size -16k | while read -r artifact; do
      echo "input $artifact, base64 (base64 -d > input; $build/tests/fuzz/$t input):"
      base64 -w 120 "$artifact"
    done
  fi
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)  # edges covered at the end
  line="$t: ${runs:-?} executions in ${took} s, ${cov:-cov: ?}, $(find "${seeds[@]}" -maxdepth 1 -type f | wc -l) seeds, corpus now $(ls "$build/corpus/$t" | wc -l) new inputs; $outcome"
  echo "$line"
  summary+=("$line")
done
echo "==> fuzz summary"
printf '  %s\n' "${summary[@]}"
exit $status
