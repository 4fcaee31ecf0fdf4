// The fixed-point path's executor (interpreter/fast_exec.cpp) against a model of every
// instruction, written here from fast_code.hpp's description of the instructions (above enum I)
// and from language.md §15 (rounding), in 128-bit arithmetic: short programs of random instructions on
// edge values (the poison, the ends of int64, products and sums just past them), run as one
// data set (exec_one: a Session, a Batch of one) and as many lanes at once (exec: a Batch),
// each lane with its own values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "interpreter/fast_code.hpp"
#include "tests/tools/splitmix.hpp"

using namespace utfall;
using namespace utfall::fast::code;

namespace {

using test_support::Random;

constexpr i64 P = kPoison;
constexpr i128 kMin = std::numeric_limits<i64>::min(), kMax = std::numeric_limits<i64>::max();

// A result in int64, or the poison where it leaves int64. (A result of exactly -2^63 has the
// poison's bits: it is the poison.)
i64 fit(i128 r) { return r < kMin || r > kMax ? P : static_cast<i64>(r); }

i128 ten_to(int n) {
  i128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// §15: x / k (k > 0) rounded to a whole number by `mode`.
i128 rounded(i128 x, i128 k, RoundingMode mode) {
  i128 below = x / k, rest = x % k;
  if (rest < 0) below -= 1, rest += k;  // below <= x / k < below + 1
  if (rest == 0) return below;
  const i128 above = below + 1, toward_zero = x < 0 ? above : below, away = x < 0 ? below : above;
  const i128 twice = 2 * rest;
  if (mode == RoundingMode::floor) return below;
  if (mode == RoundingMode::ceiling) return above;
  if (mode == RoundingMode::down) return toward_zero;
  if (mode == RoundingMode::up) return away;
  if (twice < k) return below;  // nearest
  if (twice > k) return above;
  if (mode == RoundingMode::half_up) return away;  // a tie
  if (mode == RoundingMode::half_down) return toward_zero;
  return below % 2 == 0 ? below : above;  // half_even
}

// What instruction `in` gives for operand values a, b and c.
i64 model(const Instr& in, i64 a, i64 b, i64 c) {
  const bool pa = a == P, pb = b == P, pc = c == P;
  switch (in.op) {
    case I::konst: return in.k;
    case I::copy: return a;
    case I::up: return pa ? P : fit(static_cast<i128>(a) * in.k);
    case I::add: return pa || pb ? P : fit(static_cast<i128>(a) + b);
    case I::sub: return pa || pb ? P : fit(static_cast<i128>(a) - b);
    case I::mul: return pa || pb ? P : fit(static_cast<i128>(a) * b);
    case I::div: {
      if (pa || pb || b == 0) return P;
      const i128 num = static_cast<i128>(a) * in.k;
      return num % b != 0 ? P : fit(num / b);
    }
    case I::neg: return pa ? P : fit(-static_cast<i128>(a));
    case I::abs: return pa ? P : fit(a < 0 ? -static_cast<i128>(a) : a);
    case I::min: return pa || pb ? P : std::min(a, b);
    case I::max: return pa || pb ? P : std::max(a, b);
    case I::max0: return pa ? P : std::max<i64>(a, 0);
    case I::subpos: {  // -2^63 itself is a difference in range: its max with 0 is 0
      const i128 d = static_cast<i128>(a) - b;
      return pa || pb || d < kMin || d > kMax ? P : d < 0 ? 0 : static_cast<i64>(d);
    }
    case I::minpos: return pa || pb ? P : std::max<i64>(std::min(a, b), 0);
    case I::clamp: return pa || pb || pc || c < b ? P : std::min(std::max(a, b), c);
    case I::lt: return pa || pb ? P : a < b;
    case I::le: return pa || pb ? P : a <= b;
    case I::gt: return pa || pb ? P : a > b;
    case I::ge: return pa || pb ? P : a >= b;
    case I::eq: return pa || pb ? P : a == b;
    case I::ne: return pa || pb ? P : a != b;
    case I::land: return pa ? P : a == 0 ? 0 : pb ? P : b != 0;
    case I::lor: return pa ? P : a != 0 ? 1 : pb ? P : b != 0;
    case I::lnot: return pa ? P : a == 0;
    case I::branch: return pa ? P : a != 0 ? b : c;
    case I::sel0: return pa ? P : a != 0 ? b : 0;
    case I::round: {  // a * 10^sa rounded to a multiple of b * 10^sb, in steps of b
      if (pa || pb || b <= 0) return P;
      const i128 x = static_cast<i128>(a) * ten_to(in.sa), k = static_cast<i128>(b) * ten_to(in.sb);
      if (fit(x) == P || fit(k) == P) return P;
      return fit(rounded(x, k, in.mode) * b);
    }
    case I::round_const: {  // a * 10^sa rounded to a multiple of k, in steps of m
      if (pa) return P;
      const i128 x = static_cast<i128>(a) * ten_to(in.sa);
      if (fit(x) == P) return P;
      return fit(rounded(x, in.k, in.mode) * in.m);
    }
    case I::minor: case I::pay:  // a, unless negative (pay) or not a whole number of units
      if (pa || (in.op == I::pay && a < 0)) return P;
      return static_cast<i128>(a) * ten_to(in.sa) % in.k != 0 ? P : a;
    case I::join: return pb ? P : a;
  }
  FAIL("an instruction the model does not know");
  return P;
}

// Values where the instructions' edges are: zero and small values, ties of a rounding, the
// poison, the ends of int64 and values whose sums, products or rescalings just leave it.
i64 edge_value(Random& rng) {
  static const std::array<i64, 26> edges = {
      0, 1, -1, 2, -2, 5, -5, 15, -25, 100, -100, 12'345, 3'037'000'499, -3'037'000'500, 4'611'686'018'427'387'904,
      -4'611'686'018'427'387'904, 922'337'203'685'477'580, -922'337'203'685'477'581, 1'000'000'000'000'000'000,
      static_cast<i64>(kMax), static_cast<i64>(kMax) - 1, -static_cast<i64>(kMax), static_cast<i64>(kMin) + 2, P, P, P};
  switch (rng.below(4)) {
    case 0: return edges[rng.below(edges.size())];
    case 1: return rng.range(-1000, 1000);
    case 2: return rng.range(-1'000'000'000, 1'000'000'000) * 1000 + rng.range(0, 999);
    default: return static_cast<i64>(rng.next());
  }
}

const std::array<RoundingMode, 7> kModes = {RoundingMode::half_up, RoundingMode::half_down, RoundingMode::half_even, RoundingMode::up,
                                            RoundingMode::down,    RoundingMode::ceiling,   RoundingMode::floor};

// A random instruction writing register dst from registers below it, as the planner makes
// them: k and m of `up` a power of ten and its limit, sb of round_const the power of ten its
// divisor is (-1: none), a unit of `minor` and `pay` positive.
Instr random_instr(Random& rng, int dst) {
  Instr in;
  in.op = static_cast<I>(rng.below(static_cast<std::size_t>(I::join) + 1));
  in.mode = kModes[rng.below(kModes.size())];
  in.dst = dst;
  in.a = static_cast<int>(rng.below(static_cast<std::size_t>(dst)));
  in.b = static_cast<int>(rng.below(static_cast<std::size_t>(dst)));
  in.c = static_cast<int>(rng.below(static_cast<std::size_t>(dst)));
  const int small = static_cast<int>(rng.range(0, 3)), any = static_cast<int>(rng.range(0, kMaxScale));
  switch (in.op) {
    case I::konst: in.k = edge_value(rng); break;
    case I::up: {
      const int j = rng.chance(1, 2) ? small : any;
      in.k = kPow10[static_cast<std::size_t>(j)], in.m = kFits[static_cast<std::size_t>(j)];
      break;
    }
    case I::div: in.k = kPow10[static_cast<std::size_t>(rng.chance(1, 2) ? small : any)]; break;
    case I::round: in.sa = static_cast<std::int8_t>(small), in.sb = static_cast<std::int8_t>(rng.range(0, 2)); break;
    case I::round_const: {
      in.sa = static_cast<std::int8_t>(rng.chance(3, 4) ? small : any);
      in.m = rng.chance(1, 2) ? 1 : rng.range(1, 50);
      if (rng.chance(1, 2)) {  // a power of ten
        const int j = rng.chance(3, 4) ? small : any;
        in.sb = static_cast<std::int8_t>(j), in.k = kPow10[static_cast<std::size_t>(j)];
      } else {
        in.sb = -1, in.k = rng.chance(1, 2) ? rng.range(2, 99) : rng.range(1, 1'000'000'000'000);
        if (in.k % 10 == 0) ++in.k;  // a multiple of ten that is a power of ten would need sb
      }
      break;
    }
    case I::minor: case I::pay:
      in.sa = static_cast<std::int8_t>(small);
      in.k = rng.chance(1, 3) ? 1 : rng.chance(1, 2) ? kPow10[static_cast<std::size_t>(rng.range(1, 3))] : rng.range(2, 50);
      break;
    default: break;
  }
  return in;
}

}  // namespace

TEST_CASE("fast exec: every instruction as the model computes it, in one lane and in many", "[fast][exec]") {
  Random rng{20261206};
  constexpr int kInputs = 4;  // registers 0..3 hold values; instruction j writes register kInputs + j
  const std::array<std::size_t, 5> lane_counts = {1, 2, 3, 8, 37};
  std::array<std::size_t, static_cast<std::size_t>(I::join) + 1> seen{};
  std::size_t poisoned = 0, values = 0;
  for (int program = 0; program < 4000; ++program) {
    const int length = static_cast<int>(rng.range(1, 8));
    std::vector<Instr> code;
    for (int j = 0; j < length; ++j) code.push_back(random_instr(rng, kInputs + j));
    const std::size_t R = static_cast<std::size_t>(kInputs + length);
    const std::size_t L = lane_counts[rng.below(lane_counts.size())];
    // Lane l's registers by the model, and as the executor keeps many lanes (regs[r * L + l]).
    std::vector<std::vector<i64>> expected(L, std::vector<i64>(R, 0));
    std::vector<i64> lanes(R * L, 0);
    for (std::size_t l = 0; l < L; ++l) {
      for (std::size_t r = 0; r < kInputs; ++r) lanes[r * L + l] = expected[l][r] = edge_value(rng);
      for (const Instr& in : code)
        expected[l][static_cast<std::size_t>(in.dst)] = model(in, expected[l][static_cast<std::size_t>(in.a)],
                                                               expected[l][static_cast<std::size_t>(in.b)], expected[l][static_cast<std::size_t>(in.c)]);
    }
    for (const Instr& in : code) ++seen[static_cast<std::size_t>(in.op)];
    for (std::size_t l = 0; l < L; ++l) {
      std::vector<i64> one(R, 0);
      for (std::size_t r = 0; r < kInputs; ++r) one[r] = expected[l][r];
      exec_one(code, one.data());
      for (std::size_t r = kInputs; r < R; ++r) {
        INFO("program " << program << ", one lane, instruction " << (r - kInputs) << " (op " << static_cast<int>(code[r - kInputs].op) << ")");
        REQUIRE(one[r] == expected[l][r]);
        (expected[l][r] == P ? poisoned : values) += 1;
      }
    }
    exec(code, lanes.data(), L);
    for (std::size_t l = 0; l < L; ++l)
      for (std::size_t r = kInputs; r < R; ++r) {
        INFO("program " << program << ", lane " << l << " of " << L << ", instruction " << (r - kInputs) << " (op "
                        << static_cast<int>(code[r - kInputs].op) << ")");
        REQUIRE(lanes[r * L + l] == expected[l][r]);
      }
  }
  // Every instruction was run, often; the values were not all poison.
  for (std::size_t op = 0; op < seen.size(); ++op) {
    INFO("op " << op);
    CHECK(seen[op] > 300);
  }
  CHECK(values > poisoned / 2);
}

TEST_CASE("fast exec: §15's table of roundings, by round and by round_const", "[fast][exec]") {
  // language.md §15: 2.345, -2.345, 2.355, 2.341, -2.341, 2.349, -2.349 to a step of 0.01, held
  // at 3 decimals (a = 2345 ...); the results in hundredths.
  const std::array<i64, 7> x = {2345, -2345, 2355, 2341, -2341, 2349, -2349};
  const std::array<std::array<i64, 7>, 7> want = {{
      {235, -235, 236, 234, -234, 235, -235},  // half_up
      {234, -234, 235, 234, -234, 235, -235},  // half_down
      {234, -234, 236, 234, -234, 235, -235},  // half_even
      {235, -235, 236, 235, -235, 235, -235},  // up
      {234, -234, 235, 234, -234, 234, -234},  // down
      {235, -234, 236, 235, -234, 235, -234},  // ceiling
      {234, -235, 235, 234, -235, 234, -235},  // floor
  }};
  for (std::size_t m = 0; m < kModes.size(); ++m)
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO("mode " << m << ", x " << x[i]);
      // round_const: a at scale 3 rounded to a multiple of 10 (0.01 at scale 3), in steps of 1
      // (the result at scale 2).
      const Instr by_const{I::round_const, kModes[m], 0, 1, 1, 0, 0, 0, 10, 1};
      std::array<i64, 2> one = {x[i], 0};
      exec_one({by_const}, one.data());
      CHECK(one[1] == want[m][i]);
      // round: a at scale 3, the step b = 1 hundredth at scale 2 made scale 3 (sb = 1); the
      // multiple times b, at the step's scale.
      const Instr by_step{I::round, kModes[m], 0, 1, 2, 0, 1, 0, 0, 0};
      std::array<i64, 3> two = {x[i], 1, 0};
      exec_one({by_step}, two.data());
      CHECK(two[2] == want[m][i]);
      CHECK(model(by_const, x[i], 0, 0) == want[m][i]);
      CHECK(model(by_step, x[i], 1, 0) == want[m][i]);
    }
}

TEST_CASE("fast exec: §15's steps that are not powers of ten, and code of no instructions", "[fast][exec]") {
  // round(1234, 100, half_up) is 1200: a whole number, step 100 (k = 100 is 10^2: sb 2), in
  // steps of 100.
  std::array<i64, 2> one = {1234, 0};
  exec_one({Instr{I::round_const, RoundingMode::half_up, 0, 2, 1, 0, 0, 0, 100, 100}}, one.data());
  CHECK(one[1] == 1200);
  // round(0.125, 0.05, half_even) is 0.1: 0.125 at scale 3, the step 0.05 as 50 at scale 3 (not a
  // power of ten: sb -1), in steps of 5 hundredths: 2 steps, 10 at scale 2.
  one = {125, 0};
  exec_one({Instr{I::round_const, RoundingMode::half_even, 0, -1, 1, 0, 0, 0, 50, 5}}, one.data());
  CHECK(one[1] == 10);
  // The same by `round`, the step a register: 5 at scale 2 made scale 3 (sb 1); 2 steps of 5.
  std::array<i64, 3> two = {125, 5, 0};
  exec_one({Instr{I::round, RoundingMode::half_even, 0, 1, 2, 0, 1, 0, 0, 0}}, two.data());
  CHECK(two[2] == 10);
  // 0.175 is a tie too: half_even takes 0.2 (4 steps), half_down 0.15 (3 steps).
  two = {175, 5, 0};
  exec_one({Instr{I::round, RoundingMode::half_even, 0, 1, 2, 0, 1, 0, 0, 0}}, two.data());
  CHECK(two[2] == 20);
  two = {175, 5, 0};
  exec_one({Instr{I::round, RoundingMode::half_down, 0, 1, 2, 0, 1, 0, 0, 0}}, two.data());
  CHECK(two[2] == 15);
  // A plan whose constants are none runs code of no instructions: the registers stay.
  std::array<i64, 2> kept = {7, 8};
  exec_one({}, kept.data());
  exec({}, kept.data(), 2);
  CHECK(kept == std::array<i64, 2>{7, 8});
}
