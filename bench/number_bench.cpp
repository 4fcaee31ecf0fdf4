// Nanoseconds per exact-number operation on typical money values, on the int64 fast path
// and on the same values pushed onto the Boost path (10^25 added to each operand).
// Compare with Python's decimal: bench/run_number_bench.sh (README.md, "Exact numbers").
#include <benchmark/benchmark.h>

#include <string>

#include "interpreter/number.hpp"

namespace {

using utfall::Number;
using utfall::RoundingMode;

struct Operands {
  Number a, b, c, d;  // 4616666.685, 200000000, 0.30, 7000000
};

Number parse(const std::string& text) { return *Number::parse_decimal(text); }

Operands operands(bool big) {
  const std::string lift = big ? "10000000000000000000000000" : "0";  // 10^25
  const Number up = parse(lift);
  return {parse("4616666.685") + up, parse("200000000") + up, parse("0.30") + up,
          parse("7000000") + up};
}

void BM_add(benchmark::State& state, bool big) {
  const Operands v = operands(big);
  for (auto _ : state) benchmark::DoNotOptimize(v.a + v.b);
}

void BM_multiply(benchmark::State& state, bool big) {
  const Operands v = operands(big);
  for (auto _ : state) benchmark::DoNotOptimize(v.a * v.c);
}

void BM_divide(benchmark::State& state, bool big) {
  const Operands v = operands(big);
  for (auto _ : state) benchmark::DoNotOptimize(v.b / v.d);
}

void BM_compare(benchmark::State& state, bool big) {
  const Operands v = operands(big);
  for (auto _ : state) benchmark::DoNotOptimize(v.a < v.b);
}

void BM_round(benchmark::State& state, bool big) {
  const Operands v = operands(big);
  const Number x = v.a * v.c;  // 1385000.0055 (or its big sibling): a real tie-free rounding
  const Number cent = parse("0.01");
  for (auto _ : state) benchmark::DoNotOptimize(x.round(cent, RoundingMode::half_even));
}

}  // namespace

BENCHMARK_CAPTURE(BM_add, fast, false);
BENCHMARK_CAPTURE(BM_multiply, fast, false);
BENCHMARK_CAPTURE(BM_divide, fast, false);
BENCHMARK_CAPTURE(BM_compare, fast, false);
BENCHMARK_CAPTURE(BM_round, fast, false);
BENCHMARK_CAPTURE(BM_add, big, true);
BENCHMARK_CAPTURE(BM_multiply, big, true);
BENCHMARK_CAPTURE(BM_divide, big, true);
BENCHMARK_CAPTURE(BM_compare, big, true);
BENCHMARK_CAPTURE(BM_round, big, true);

BENCHMARK_MAIN();
