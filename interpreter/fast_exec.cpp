// The fixed-point path's executor (see fast_eval.cpp for the path, fast_code.hpp for the
// instructions): a plan's code run on registers of L lanes, one tight loop per instruction, or
// of one lane for one data set.
#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>
#include <utility>

#include "interpreter/fast_code.hpp"
#include "interpreter/number.hpp"

namespace utfall::fast {
using namespace code;
namespace {

inline i64 poisoned_if(bool bad, i64 v) { return bad ? kPoison : v; }

// x rounded to a multiple of k (both at the same scale, k > 0): the multiple q.
inline i64 round_to(i64 x, i64 k, RoundingMode mode) {
  i64 q = x / k, r = x % k;
  if (r < 0) --q, r += k;
  i128 twice = static_cast<i128>(r) * 2;
  int half = twice < k ? -1 : twice > k ? 1 : 0;
  if (rounds_to_next(mode, r == 0, half, q < 0, (q & 1) != 0)) ++q;  // q < 2^63 - 1 as r >= 0
  return q;
}

// The loops over lanes are compiled for AVX-512 and AVX2 as well, and the loader picks the
// best the machine has (GCC's function multiversioning); elsewhere, one plain version. Not
// under ThreadSanitizer, whose runtime is not ready when the loader runs the clones' resolvers.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define UTFALL_LANE_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define UTFALL_LANE_CLONES
#endif

// round_const: a * 10^sa rounded to a multiple of the divisor, times the step's digits. The
// mode is a template constant, and so is the divisor when it is a power of ten (the compiler
// then divides by multiplying); the loop has no data-dependent branch. L, the lanes, is a
// std::size_t, or std::integral_constant 1 for one data set (no loop).
template <RoundingMode Mode, typename Divisor, typename Lanes>
void round_lanes(const Instr& in, Divisor divisor, i64* d, const i64* a, Lanes L) {
  const auto up = static_cast<std::size_t>(in.sa);
  const i64 fits = kFits[up];
  const i64 k = divisor();
  for (std::size_t l = 0; l < L; ++l) {
    bool bad = (a[l] > fits) | (a[l] < -fits);  // kPoison too
    const i64 x = bad ? 0 : a[l] * kPow10[up];
    i64 q = x / k, r = x % k;
    const i64 below = r >> 63;  // -1 when r < 0: floor, not truncation
    q += below, r += k & below;
    const auto twice = static_cast<std::uint64_t>(r) * 2, kk = static_cast<std::uint64_t>(k);  // r < k < 2^63
    const int half = (twice > kk) - (twice < kk);
    q += rounds_to_next(Mode, r == 0, half, q < 0, (q & 1) != 0);
    i64 v;
    bad = __builtin_mul_overflow(q, in.m, &v) | bad;
    d[l] = bad ? kPoison : v;
  }
}
template <typename Divisor, typename Lanes>
void round_lanes(const Instr& in, Divisor divisor, i64* d, const i64* a, Lanes L) {
  using M = RoundingMode;
  switch (in.mode) {
    case M::floor: return round_lanes<M::floor>(in, divisor, d, a, L);
    case M::ceiling: return round_lanes<M::ceiling>(in, divisor, d, a, L);
    case M::down: return round_lanes<M::down>(in, divisor, d, a, L);
    case M::up: return round_lanes<M::up>(in, divisor, d, a, L);
    case M::half_up: return round_lanes<M::half_up>(in, divisor, d, a, L);
    case M::half_down: return round_lanes<M::half_down>(in, divisor, d, a, L);
    case M::half_even: return round_lanes<M::half_even>(in, divisor, d, a, L);
  }
}
template <int J>
struct Ten {
  i64 operator()() const { return kPow10[J]; }
};
template <typename Lanes, int... J>
void round_const_ten(const Instr& in, i64* d, const i64* a, Lanes L, std::integer_sequence<int, J...>) {
  ((in.sb == J ? round_lanes(in, Ten<J>{}, d, a, L) : void()), ...);
}
template <typename Lanes>
void round_const_lanes(const Instr& in, i64* d, const i64* a, Lanes L) {
  if (in.sb >= 0) return round_const_ten(in, d, a, L, std::make_integer_sequence<int, kMaxScale + 1>{});
  const i64 k = in.k;
  round_lanes(in, [k] { return k; }, d, a, L);
}
UTFALL_LANE_CLONES
void round_const(const Instr& in, i64* d, const i64* a, std::size_t L) { round_const_lanes(in, d, a, L); }
// One data set: no loop, and no call through the loader's choice of clone. A power of ten and
// the mode pick the rounding from a table, in one indirect call: round_const_ten's chain of
// tests on sb is 40 instructions, which many lanes share but one pays alone.
using OneLane = std::integral_constant<std::size_t, 1>;
using RoundOne = void (*)(const Instr&, i64*, const i64*);
template <int J, int Mode>
void round_ten_one(const Instr& in, i64* d, const i64* a) {
  round_lanes<static_cast<RoundingMode>(Mode)>(in, Ten<J>{}, d, a, OneLane{});
}
constexpr int kRoundingModes = static_cast<int>(RoundingMode::floor) + 1;  // the last of the enum
template <int J, int... Mode>
constexpr std::array<RoundOne, kRoundingModes> round_one_row(std::integer_sequence<int, Mode...>) {
  return {&round_ten_one<J, Mode>...};
}
template <int... J>
constexpr std::array<std::array<RoundOne, kRoundingModes>, kMaxScale + 1> round_one_table(std::integer_sequence<int, J...>) {
  return {round_one_row<J>(std::make_integer_sequence<int, kRoundingModes>{})...};
}
constexpr auto kRoundOne = round_one_table(std::make_integer_sequence<int, kMaxScale + 1>{});
[[gnu::noinline]] void round_const_one(const Instr& in, i64* d, const i64* a) {
  const auto mode = static_cast<std::size_t>(in.mode);
  // Outside the table (no power of ten; a mode added after floor, which -Wswitch makes
  // round_lanes name): round_const_lanes.
  if (in.sb >= 0 && in.sb <= kMaxScale && mode < static_cast<std::size_t>(kRoundingModes))
    return kRoundOne[static_cast<std::size_t>(in.sb)][mode](in, d, a);
  round_const_lanes(in, d, a, OneLane{});
}

// Wrapping arithmetic, and its overflow read from the signs (no branch, so loops vectorise).
inline i64 wrap_add(i64 a, i64 b) { return static_cast<i64>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b)); }
inline i64 wrap_sub(i64 a, i64 b) { return static_cast<i64>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)); }

// What each instruction computes from its operands' values, in one lane (fast_code.hpp says
// it in words): the loops over many lanes (exec_code) and the code of one lane (exec_threaded)
// both compute through these, but for round_const, whose two versions are round_const's and
// round_const_one's above. The additive and selecting ones have no branches, so that the
// compiler can run several lanes per machine instruction.
namespace value {
inline i64 up(const Instr& in, i64 a) {  // |a| <= in.m: a * in.k fits
  const bool bad = (a > in.m) | (a < -in.m);  // kPoison < -m
  return bad ? kPoison : a * in.k;
}
inline i64 add(i64 a, i64 b) {
  const i64 v = wrap_add(a, b);
  const bool bad = (((a ^ v) & (b ^ v)) < 0) | (a == kPoison) | (b == kPoison);
  return bad ? kPoison : v;
}
inline i64 sub(i64 a, i64 b) {
  const i64 v = wrap_sub(a, b);
  const bool bad = (((a ^ b) & (a ^ v)) < 0) | (a == kPoison) | (b == kPoison);
  return bad ? kPoison : v;
}
inline i64 mul(i64 a, i64 b) {
  i64 v;
  const bool bad = __builtin_mul_overflow(a, b, &v);
  return poisoned_if(bad || a == kPoison || b == kPoison, v);
}
inline i64 div(const Instr& in, i64 a, i64 b) {
  if (a == kPoison || b == kPoison || b == 0) return kPoison;  // E601
  const i128 num = static_cast<i128>(a) * in.k;
  const i128 q = num / b;
  const bool bad = num % b != 0 || q > std::numeric_limits<i64>::max() || q <= std::numeric_limits<i64>::min();
  return poisoned_if(bad, static_cast<i64>(q));
}
inline i64 neg(i64 a) { return a == kPoison ? kPoison : -a; }  // -kPoison would overflow: poison stays poison
inline i64 abs(i64 a) { return a == kPoison ? kPoison : a < 0 ? -a : a; }
inline i64 min(i64 a, i64 b) { return a < b ? a : b; }  // kPoison is below every value: the min of a poison is the poison
inline i64 max(i64 a, i64 b) {
  const bool bad = (a == kPoison) | (b == kPoison);
  const i64 v = a > b ? a : b;
  return bad ? kPoison : v;
}
inline i64 max0(i64 a) { return a < 0 && a != kPoison ? 0 : a; }  // max(kPoison, 0) would be 0: keep the poison
inline i64 subpos(i64 a, i64 b) {
  const i64 v = wrap_sub(a, b);
  const bool bad = (((a ^ b) & (a ^ v)) < 0) | (a == kPoison) | (b == kPoison);
  return bad ? kPoison : v < 0 ? 0 : v;
}
inline i64 minpos(i64 a, i64 b) {
  const i64 v = a < b ? a : b;
  return v < 0 && v != kPoison ? 0 : v;
}
inline i64 clamp(i64 a, i64 b, i64 c) {
  return poisoned_if(a == kPoison || b == kPoison || c == kPoison || c < b, std::min(std::max(a, b), c));
}
template <typename Compare>
inline i64 compare(i64 a, i64 b, Compare holds) {
  const bool bad = (a == kPoison) | (b == kPoison);
  const i64 v = holds(a, b);
  return bad ? kPoison : v;
}
// `and` and `or`: a decides when false (true), and b is not evaluated; else b.
inline i64 land(i64 a, i64 b) { return a == kPoison ? kPoison : a == 0 ? 0 : b == kPoison ? kPoison : b != 0; }
inline i64 lor(i64 a, i64 b) { return a == kPoison ? kPoison : a != 0 ? 1 : b == kPoison ? kPoison : b != 0; }
inline i64 lnot(i64 a) { return a == kPoison ? kPoison : a == 0; }
inline i64 branch(i64 a, i64 b, i64 c) {
  const i64 v = a != 0 ? b : c;
  return a == kPoison ? kPoison : v;
}
inline i64 sel0(i64 a, i64 b) {
  const i64 v = a != 0 ? b : 0;
  return a == kPoison ? kPoison : v;
}
inline i64 round(const Instr& in, i64 a, i64 b) {
  i64 x, k;
  bool bad = a == kPoison || b == kPoison || b <= 0;  // E603
  bad = __builtin_mul_overflow(a, kPow10[static_cast<std::size_t>(in.sa)], &x) || bad;
  bad = __builtin_mul_overflow(b, kPow10[static_cast<std::size_t>(in.sb)], &k) || bad;
  const i64 q = bad ? 0 : round_to(x, k, in.mode);
  i64 v;
  bad = __builtin_mul_overflow(q, b, &v) || bad;
  return poisoned_if(bad, v);
}
inline i64 minor(const Instr& in, i64 a) {  // and pay
  bool bad = a == kPoison || (in.op == I::pay && a < 0);  // E608
  if (!bad && in.k != 1) bad = (static_cast<i128>(a) * kPow10[static_cast<std::size_t>(in.sa)]) % in.k != 0;  // E602
  return poisoned_if(bad, a);
}
inline i64 join(i64 a, i64 b) { return b == kPoison ? kPoison : a; }
}  // namespace value

// The comparisons, for value::compare.
#define UTFALL_COMPARISONS(X) X(lt, <) X(le, <=) X(gt, >) X(ge, >=) X(eq, ==) X(ne, !=)

// Runs `code` on registers of L lanes (register r of lane l at regs[r * L + l]).
[[gnu::always_inline]] inline void exec_code(const std::vector<Instr>& code, i64* regs, std::size_t L) {
  for (const Instr& in : code) {
    i64* __restrict d = regs + static_cast<std::size_t>(in.dst) * L;
    const i64* a = regs + static_cast<std::size_t>(in.a) * L;
    const i64* b = regs + static_cast<std::size_t>(in.b) * L;
    // The third operand only where it is read: computed before the switch, it cost every
    // instruction two machine instructions.
    const auto third = [&] { return regs + static_cast<std::size_t>(in.c) * L; };
    switch (in.op) {
      case I::konst:
        for (std::size_t l = 0; l < L; ++l) d[l] = in.k;
        break;
      case I::copy:
        for (std::size_t l = 0; l < L; ++l) d[l] = a[l];
        break;
      case I::up:
        for (std::size_t l = 0; l < L; ++l) d[l] = value::up(in, a[l]);
        break;
#define UTFALL_UNARY(op)                                       \
  case I::op:                                                  \
    for (std::size_t l = 0; l < L; ++l) d[l] = value::op(a[l]); \
    break;
#define UTFALL_BINARY(op)                                            \
  case I::op:                                                        \
    for (std::size_t l = 0; l < L; ++l) d[l] = value::op(a[l], b[l]); \
    break;
        UTFALL_BINARY(add) UTFALL_BINARY(sub) UTFALL_BINARY(mul) UTFALL_UNARY(neg) UTFALL_UNARY(abs)
        UTFALL_BINARY(min) UTFALL_BINARY(max) UTFALL_UNARY(max0) UTFALL_BINARY(subpos) UTFALL_BINARY(minpos)
        UTFALL_BINARY(land) UTFALL_BINARY(lor) UTFALL_UNARY(lnot) UTFALL_BINARY(sel0) UTFALL_BINARY(join)
#undef UTFALL_UNARY
#undef UTFALL_BINARY
      case I::div:
        for (std::size_t l = 0; l < L; ++l) d[l] = value::div(in, a[l], b[l]);
        break;
      case I::clamp: {
        const i64* c = third();
        for (std::size_t l = 0; l < L; ++l) d[l] = value::clamp(a[l], b[l], c[l]);
        break;
      }
#define UTFALL_COMPARE(op, sign)                                                                                  \
  case I::op:                                                                                                     \
    for (std::size_t l = 0; l < L; ++l) d[l] = value::compare(a[l], b[l], [](i64 x, i64 y) { return x sign y; }); \
    break;
        UTFALL_COMPARISONS(UTFALL_COMPARE)
#undef UTFALL_COMPARE
      case I::branch: {
        const i64* c = third();
        for (std::size_t l = 0; l < L; ++l) d[l] = value::branch(a[l], b[l], c[l]);
        break;
      }
      case I::round:
        for (std::size_t l = 0; l < L; ++l) d[l] = value::round(in, a[l], b[l]);
        break;
      case I::round_const:
        round_const(in, d, a, L);
        break;
      case I::minor: case I::pay:
        for (std::size_t l = 0; l < L; ++l) d[l] = value::minor(in, a[l]);
        break;
    }
  }
}

// One lane: each instruction jumps straight to the next one's code (GCC's labels as values,
// an extension as the rest of this file's builtins and __int128 are), where a loop around a
// switch spent about 10 machine instructions an instruction on the loop, the switch's bounds
// check and its jump.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // labels as values
[[gnu::noinline]] void exec_threaded(const Instr* in, const Instr* end, i64* regs) {
  // In the order of enum I (its count checked below; its order by every test of the path).
  static const void* const kCode[] = {
      &&konst, &&copy, &&up, &&add, &&sub, &&mul, &&div, &&neg, &&abs, &&min, &&max, &&max0, &&subpos, &&minpos,
      &&clamp, &&lt, &&le, &&gt, &&ge, &&eq, &&ne, &&land, &&lor, &&lnot, &&branch, &&sel0, &&round, &&round_const,
      &&minor, &&pay, &&join};
  static_assert(sizeof kCode / sizeof kCode[0] == static_cast<std::size_t>(I::join) + 1);
  if (in == end) return;
#define UTFALL_NEXT                                        \
  if (++in == end) return;                                 \
  goto* kCode[static_cast<std::size_t>(in->op)]
#define UTFALL_SET(expr)                                   \
  regs[in->dst] = (expr);                                  \
  UTFALL_NEXT
#define UTFALL_A regs[in->a]
#define UTFALL_B regs[in->b]
#define UTFALL_C regs[in->c]
  goto* kCode[static_cast<std::size_t>(in->op)];
konst: UTFALL_SET(in->k);
copy: UTFALL_SET(UTFALL_A);
up: UTFALL_SET(value::up(*in, UTFALL_A));
#define UTFALL_UNARY(op) op: UTFALL_SET(value::op(UTFALL_A));
#define UTFALL_BINARY(op) op: UTFALL_SET(value::op(UTFALL_A, UTFALL_B));
  UTFALL_BINARY(add) UTFALL_BINARY(sub) UTFALL_BINARY(mul) UTFALL_UNARY(neg) UTFALL_UNARY(abs)
  UTFALL_BINARY(min) UTFALL_BINARY(max) UTFALL_UNARY(max0) UTFALL_BINARY(subpos) UTFALL_BINARY(minpos)
  UTFALL_BINARY(land) UTFALL_BINARY(lor) UTFALL_UNARY(lnot) UTFALL_BINARY(sel0) UTFALL_BINARY(join)
#undef UTFALL_UNARY
#undef UTFALL_BINARY
div: UTFALL_SET(value::div(*in, UTFALL_A, UTFALL_B));
clamp: UTFALL_SET(value::clamp(UTFALL_A, UTFALL_B, UTFALL_C));
#define UTFALL_COMPARE(op, sign) op: UTFALL_SET(value::compare(UTFALL_A, UTFALL_B, [](i64 x, i64 y) { return x sign y; }));
  UTFALL_COMPARISONS(UTFALL_COMPARE)
#undef UTFALL_COMPARE
branch: UTFALL_SET(value::branch(UTFALL_A, UTFALL_B, UTFALL_C));
round: UTFALL_SET(value::round(*in, UTFALL_A, UTFALL_B));
round_const:
  round_const_one(*in, &regs[in->dst], &UTFALL_A);
  UTFALL_NEXT;
minor:
pay: UTFALL_SET(value::minor(*in, UTFALL_A));
#undef UTFALL_A
#undef UTFALL_B
#undef UTFALL_C
#undef UTFALL_SET
#undef UTFALL_NEXT
}
#pragma GCC diagnostic pop

}  // namespace

UTFALL_LANE_CLONES
void code::exec(const std::vector<Instr>& code, i64* regs, std::size_t lanes) { exec_code(code, regs, lanes); }
void code::exec_one(const std::vector<Instr>& code, i64* regs) { exec_threaded(code.data(), code.data() + code.size(), regs); }

}  // namespace utfall::fast
