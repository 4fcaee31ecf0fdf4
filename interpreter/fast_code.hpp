// The fixed-point code shared by the whole-contract path (fast_eval.cpp) and participants as
// lanes (fast_participants.cpp): nodes (what a value is computed from), instructions on
// registers of many lanes, and the plan that gives every node a scale. Internal to the
// interpreter.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "interpreter/fast_eval.hpp"

namespace utfall::fast {
namespace code {

using i64 = std::int64_t;
__extension__ typedef __int128 i128;

constexpr int kMaxScale = 18;  // decimals of any value; 10^18 < 2^63
constexpr int kDivPlaces = 6;  // a quotient has 6 decimals more than its dividend
constexpr i64 kPoison = std::numeric_limits<i64>::min();  // a failed value; never a computed one
constexpr std::size_t kMaxLanes = 256;

constexpr std::array<i64, kMaxScale + 1> kPow10 = [] {
  std::array<i64, kMaxScale + 1> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();
// |x| <= kFits[s]: x * 10^s fits in int64.
constexpr std::array<i64, kMaxScale + 1> kFits = [] {
  std::array<i64, kMaxScale + 1> f{};
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = std::numeric_limits<i64>::max() / kPow10[i];
  return f;
}();

// What a node computes. Operands a, b, c are nodes; `k` and `mode` as noted.
enum class N : std::uint8_t {
  konst,   // k digits at scale a
  poison,  // a value the general evaluator fails on, whatever the data (E604 and the like)
  input,   // data cell k (Program::cell_at)
  term,    // the k-th of Program::terms: its value a, or the value it is given for the evaluation
  add, sub, mul, div, neg, abs, min, max,
  max0,    // max(a, 0)
  subpos,  // max(a - b, 0)
  minpos,  // max(min(a, b), 0)
  clamp,   // clamp(a, b, c); poison when c < b (E606)
  lt, le, gt, ge, eq, ne,
  land, lor, lnot,  // as the general evaluator: `and`/`or` take b only when a does not decide
  branch,  // a ? b : c
  sel0,    // a ? b : 0 (a payment's `when`)
  round,   // a rounded to a multiple of b (b > 0, else poison: E603) with `mode`
  minor,   // a, poisoned unless a whole number of minor units (E602)
  pay,     // a, poisoned unless >= 0 (E608) and a whole number of minor units (E602)
  join,    // a, poisoned when b is (a waterfall's lines carry the poison of every tier)
};

struct Node {
  N op;
  RoundingMode mode = RoundingMode::half_even;
  int a = -1, b = -1, c = -1;
  i64 k = 0;
};

}  // namespace code

struct Program {
  using Node = code::Node;
  using i64 = code::i64;
  std::vector<Node> nodes;  // operands before the nodes that use them
  // The data cells read, each once: its place among a Columns' cells (input * periods +
  // period). Filled by `lower`; empty in the programs of participants as lanes, whose cells are
  // not read from a Columns.
  std::vector<std::size_t> cell_at;
  std::vector<int> columns;  // per cell: its column (position among the inputs read)
  int periods = 0;           // the contract's
  std::size_t prefetch_bytes = 0;  // of a Columns, up to the last cell read (when kept inside it)
  std::vector<std::pair<std::size_t, std::size_t>> inputs;  // (node, cell) of each input node
  std::vector<std::pair<std::size_t, int>> terms;           // (node, term) of each term node
  // Per term node: the term's own value when the contract writes it as a number (places -1:
  // it is computed), for lanes of a batch that give it no value of their own.
  struct Own {
    i64 digits = 0;
    std::int8_t places = -1;
  };
  std::vector<Own> term_own;
  int column_count = 0;
  std::vector<Line> lines;      // fast::lines(contract)
  std::vector<int> line_nodes;  // the node of each line's amount
  i64 minor_digits = 1;         // the minor unit as digits * 10^-minor_places
  int minor_places = 0;
  std::uint64_t steps = 0;  // step_bound
  std::size_t depth = 0;    // longest chain of nodes
  std::vector<char> live;   // per node: a line depends on it
  std::uint64_t serial = 0;  // unique per lowering (Cache tells programs apart by it)
};

namespace code {

// An instruction: it writes register dst from registers a, b, c (each L words, one per lane).
// Every value is an int64 at its node's scale; kPoison is a failed value. What each computes:
//   konst        k
//   copy         a
//   up           a * k (k a power of ten), poisoned unless |a| <= m (then it fits)
//   add sub mul  a + b, a - b, a * b, poisoned when the result leaves int64
//   div          a * k / b (k a power of ten), poisoned unless exact and within int64 (and for b = 0)
//   neg abs min max  as named; max0 max(a, 0); subpos max(a - b, 0); minpos max(min(a, b), 0)
//   clamp        min(max(a, b), c), poisoned when c < b
//   lt .. ne     1 or 0; land, lor, lnot as `and`, `or`, `not` (b read only when a does not decide)
//   branch       a ? b : c; sel0 a ? b : 0
//   round        a * 10^sa rounded by `mode` to a multiple of b * 10^sb (b > 0), that multiple of b
//   round_const  a * 10^sa rounded by `mode` to a multiple of k (sb: k = 10^sb; -1: k is not a
//                power of ten), that multiple of m
//   minor, pay   a, poisoned unless a * 10^sa is a multiple of k (a whole number of minor
//                units); pay also when a < 0
//   join         a, poisoned when b is
// Any operand poisoned poisons the result, except where a selecting instruction (land, lor,
// branch, sel0) does not take it. fast_exec.cpp lists the enum again, in its order
// (UTFALL_INSTRUCTIONS, checked at compile time), for its table of one lane's code.
enum class I : std::uint8_t {
  konst, copy, up, add, sub, mul, div, neg, abs, min, max, max0, subpos, minpos, clamp, lt, le, gt, ge, eq, ne,
  land, lor, lnot, branch, sel0, round, round_const, minor, pay, join,
};
struct Instr {
  I op;
  RoundingMode mode = RoundingMode::half_even;
  std::int8_t sa = 0, sb = 0;
  int dst = 0, a = 0, b = 0, c = 0;
  i64 k = 0, m = 0;
};

// The scale of every node and the code, for one shape of data (the decimals of each column).
struct Plan {
  // The data's decimals per column, then per term node the decimals of the value it is given
  // for the evaluation, or -1 when it keeps its own.
  std::vector<std::int8_t> key;
  bool ok = false;               // false: some value would need more than kMaxScale decimals
  bool made = false;             // planned to the end (not a slot unused, or a planning an exception stopped)
  std::vector<std::int8_t> scale;  // per node
  // The instructions on constants alone (run once for a scratch's registers, or once per
  // participant loop before its blocks of records), then the rest (run in every evaluation).
  std::vector<Instr> consts, code;
  int registers = 0;                // nodes first (register i holds node i), then rescaled copies
  std::vector<int> cell_scale;      // per data cell: the scale its register holds it at
};

// The node of a binary operation on numbers or truth values; none for one on periods or dates.
inline std::optional<N> binary_node(checked::Op op) {
  using checked::Op;
  switch (op) {
    case Op::add: return N::add;
    case Op::subtract: return N::sub;
    case Op::multiply: return N::mul;
    case Op::divide: return N::div;
    case Op::less: return N::lt;
    case Op::less_equal: return N::le;
    case Op::greater: return N::gt;
    case Op::greater_equal: return N::ge;
    case Op::equal: return N::eq;
    case Op::not_equal: return N::ne;
    case Op::logical_and: return N::land;
    case Op::logical_or: return N::lor;
    default: return std::nullopt;
  }
}

// Fills in `plan` for `program` (its key set): plan.ok is false when some value would need more
// than kMaxScale decimals.
void make_plan(const Program& program, Plan& plan);

// Runs `code` on registers of `lanes` lanes (register r of lane l at regs[r * lanes + l])
// (fast_exec.cpp).
void exec(const std::vector<Instr>& code, i64* regs, std::size_t lanes);
// The same for one lane (one data set): no loops over lanes.
void exec_one(const std::vector<Instr>& code, i64* regs);

}  // namespace code
}  // namespace utfall::fast
