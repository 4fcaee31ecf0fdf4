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

// Every instruction, in the order of enum I (fast_code.hpp); X(name) for each.
#define UTFALL_INSTRUCTIONS(X)                                                                                   \
  X(konst) X(copy) X(up) X(add) X(sub) X(mul) X(div) X(neg) X(abs) X(min) X(max) X(max0) X(subpos) X(minpos) \
  X(clamp) X(lt) X(le) X(gt) X(ge) X(eq) X(ne) X(land) X(lor) X(lnot) X(branch) X(sel0) X(round)             \
  X(round_const) X(minor) X(pay) X(join)
#define UTFALL_ENUM(name) I::name,
constexpr I kInstructions[] = {UTFALL_INSTRUCTIONS(UTFALL_ENUM)};
#undef UTFALL_ENUM
constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < std::size(kInstructions); ++i)
    if (static_cast<std::size_t>(kInstructions[i]) != i) return false;
  return std::size(kInstructions) == static_cast<std::size_t>(I::join) + 1;
}
static_assert(in_enum_order(), "UTFALL_INSTRUCTIONS must list enum I, in its order");

// Instruction Op on registers of L lanes (register r of lane l at regs[r * L + l]): what each
// instruction computes, written once for many lanes (L a std::size_t) and for one (OneLane,
// where the loops vanish). The loops of the additive and selecting instructions have no
// branches, so that the compiler can run several lanes per machine instruction.
template <I Op, typename Lanes>
[[gnu::always_inline]] inline void run_op(const Instr& in, i64* regs, Lanes L) {
  i64* __restrict d = regs + static_cast<std::size_t>(in.dst) * L;
  const i64* a = regs + static_cast<std::size_t>(in.a) * L;
  const i64* b = regs + static_cast<std::size_t>(in.b) * L;
  // The third operand only where it is read: computed before, it cost every instruction two
  // machine instructions.
  const auto third = [&] { return regs + static_cast<std::size_t>(in.c) * L; };
  switch (Op) {
    case I::konst:
      for (std::size_t l = 0; l < L; ++l) d[l] = in.k;
      break;
    case I::copy:
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l];
      break;
    case I::up: {
      const i64 limit = in.m;  // |a| <= limit: a * k fits
      for (std::size_t l = 0; l < L; ++l) {
        bool bad = (a[l] > limit) | (a[l] < -limit);  // kPoison < -limit
        d[l] = bad ? kPoison : a[l] * in.k;
      }
      break;
    }
    case I::add:
      for (std::size_t l = 0; l < L; ++l) {
        i64 v = wrap_add(a[l], b[l]);
        bool bad = (((a[l] ^ v) & (b[l] ^ v)) < 0) | (a[l] == kPoison) | (b[l] == kPoison);
        d[l] = bad ? kPoison : v;
      }
      break;
    case I::sub:
      for (std::size_t l = 0; l < L; ++l) {
        i64 v = wrap_sub(a[l], b[l]);
        bool bad = (((a[l] ^ b[l]) & (a[l] ^ v)) < 0) | (a[l] == kPoison) | (b[l] == kPoison);
        d[l] = bad ? kPoison : v;
      }
      break;
    case I::mul:
      for (std::size_t l = 0; l < L; ++l) {
        i64 v;
        bool bad = __builtin_mul_overflow(a[l], b[l], &v);
        d[l] = poisoned_if(bad || a[l] == kPoison || b[l] == kPoison, v);
      }
      break;
    case I::div:
      for (std::size_t l = 0; l < L; ++l) {
        if (a[l] == kPoison || b[l] == kPoison || b[l] == 0) {  // E601
          d[l] = kPoison;
          continue;
        }
        i128 num = static_cast<i128>(a[l]) * in.k;
        i128 q = num / b[l];
        bool bad = num % b[l] != 0 || q > std::numeric_limits<i64>::max() || q <= std::numeric_limits<i64>::min();
        d[l] = poisoned_if(bad, static_cast<i64>(q));
      }
      break;
    case I::neg:  // -kPoison would overflow: poison stays poison
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] == kPoison ? kPoison : -a[l];
      break;
    case I::abs:
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] == kPoison ? kPoison : a[l] < 0 ? -a[l] : a[l];
      break;
    case I::min:  // kPoison is below every value: the min of a poison is the poison
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] < b[l] ? a[l] : b[l];
      break;
    case I::max:
      for (std::size_t l = 0; l < L; ++l) {
        bool bad = (a[l] == kPoison) | (b[l] == kPoison);
        i64 v = a[l] > b[l] ? a[l] : b[l];
        d[l] = bad ? kPoison : v;
      }
      break;
    case I::max0:  // max(kPoison, 0) would be 0: keep the poison
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] < 0 && a[l] != kPoison ? 0 : a[l];
      break;
    case I::subpos:
      for (std::size_t l = 0; l < L; ++l) {
        i64 v = wrap_sub(a[l], b[l]);
        bool bad = (((a[l] ^ b[l]) & (a[l] ^ v)) < 0) | (a[l] == kPoison) | (b[l] == kPoison);
        d[l] = bad ? kPoison : v < 0 ? 0 : v;
      }
      break;
    case I::minpos:
      for (std::size_t l = 0; l < L; ++l) {
        i64 v = a[l] < b[l] ? a[l] : b[l];
        d[l] = v < 0 && v != kPoison ? 0 : v;
      }
      break;
    case I::clamp: {
      const i64* c = third();
      for (std::size_t l = 0; l < L; ++l)
        d[l] = poisoned_if(a[l] == kPoison || b[l] == kPoison || c[l] == kPoison || c[l] < b[l], std::min(std::max(a[l], b[l]), c[l]));
      break;
    }
#define UTFALL_COMPARE(code, expr)                      \
  case I::code:                                         \
    for (std::size_t l = 0; l < L; ++l) {               \
      bool bad = (a[l] == kPoison) | (b[l] == kPoison); \
      i64 v = (expr);                                   \
      d[l] = bad ? kPoison : v;                         \
    }                                                   \
    break;
    UTFALL_COMPARE(lt, a[l] < b[l])
    UTFALL_COMPARE(le, a[l] <= b[l])
    UTFALL_COMPARE(gt, a[l] > b[l])
    UTFALL_COMPARE(ge, a[l] >= b[l])
    UTFALL_COMPARE(eq, a[l] == b[l])
    UTFALL_COMPARE(ne, a[l] != b[l])
#undef UTFALL_COMPARE
    case I::land:  // a false decides (b is not evaluated); else b
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] == kPoison ? kPoison : a[l] == 0 ? 0 : b[l] == kPoison ? kPoison : b[l] != 0;
      break;
    case I::lor:
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] == kPoison ? kPoison : a[l] != 0 ? 1 : b[l] == kPoison ? kPoison : b[l] != 0;
      break;
    case I::lnot:
      for (std::size_t l = 0; l < L; ++l) d[l] = a[l] == kPoison ? kPoison : a[l] == 0;
      break;
    case I::branch: {
      const i64* c = third();
      for (std::size_t l = 0; l < L; ++l) {
        i64 v = a[l] != 0 ? b[l] : c[l];
        d[l] = a[l] == kPoison ? kPoison : v;
      }
      break;
    }
    case I::sel0:
      for (std::size_t l = 0; l < L; ++l) {
        i64 v = a[l] != 0 ? b[l] : 0;
        d[l] = a[l] == kPoison ? kPoison : v;
      }
      break;
    case I::round:
      for (std::size_t l = 0; l < L; ++l) {
        i64 x, k;
        bool bad = a[l] == kPoison || b[l] == kPoison || b[l] <= 0;  // E603
        bad = __builtin_mul_overflow(a[l], kPow10[static_cast<std::size_t>(in.sa)], &x) || bad;
        bad = __builtin_mul_overflow(b[l], kPow10[static_cast<std::size_t>(in.sb)], &k) || bad;
        i64 q = bad ? 0 : round_to(x, k, in.mode);
        i64 v;
        bad = __builtin_mul_overflow(q, b[l], &v) || bad;
        d[l] = poisoned_if(bad, v);
      }
      break;
    case I::round_const:
      if constexpr (std::is_same_v<Lanes, OneLane>) round_const_one(in, d, a);
      else round_const(in, d, a, L);
      break;
    case I::minor: case I::pay:
      for (std::size_t l = 0; l < L; ++l) {
        bool bad = a[l] == kPoison || (Op == I::pay && a[l] < 0);  // E608
        if (!bad && in.k != 1) bad = (static_cast<i128>(a[l]) * kPow10[static_cast<std::size_t>(in.sa)]) % in.k != 0;  // E602
        d[l] = poisoned_if(bad, a[l]);
      }
      break;
    case I::join:
      for (std::size_t l = 0; l < L; ++l) d[l] = b[l] == kPoison ? kPoison : a[l];
      break;
  }
}

// Runs `code` on registers of L lanes.
[[gnu::always_inline]] inline void exec_code(const std::vector<Instr>& code, i64* regs, std::size_t L) {
  for (const Instr& in : code) {
    switch (in.op) {
#define UTFALL_CASE(name)             \
  case I::name:                       \
    run_op<I::name>(in, regs, L);     \
    break;
      UTFALL_INSTRUCTIONS(UTFALL_CASE)
#undef UTFALL_CASE
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
#define UTFALL_LABEL(name) &&op_##name,
  static const void* const kCode[] = {UTFALL_INSTRUCTIONS(UTFALL_LABEL)};  // in enum order, as checked above
#undef UTFALL_LABEL
  if (in == end) return;
  goto* kCode[static_cast<std::size_t>(in->op)];
#define UTFALL_RUN(name)                              \
  op_##name : run_op<I::name>(*in, regs, OneLane{});  \
  if (++in == end) return;                            \
  goto* kCode[static_cast<std::size_t>(in->op)];
  UTFALL_INSTRUCTIONS(UTFALL_RUN)
#undef UTFALL_RUN
}
#pragma GCC diagnostic pop

}  // namespace

UTFALL_LANE_CLONES
void code::exec(const std::vector<Instr>& code, i64* regs, std::size_t lanes) { exec_code(code, regs, lanes); }
void code::exec_one(const std::vector<Instr>& code, i64* regs) { exec_threaded(code.data(), code.data() + code.size(), regs); }

}  // namespace utfall::fast
