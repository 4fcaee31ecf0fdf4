// The fixed-point path (see fast_eval.hpp), in three steps:
//   lower  checked contract -> Program: every value the contract computes, unrolled over the
//          periods, as a list of nodes in dependency order (each node's operands come before it);
//   plan   Program + the data's decimals per input column -> Plan: a scale per node and the code
//          (instructions on registers, with the rescalings the scales need spelled out);
//   exec   Plan + data of L sets -> registers of L lanes, one tight loop per instruction, or
//          for one set code that jumps from instruction to instruction (fast_exec.cpp).
//
// The nodes mirror the general evaluator (evaluate.cpp) rule by rule, with one difference: the
// general evaluator evaluates lazily (a definition when it is first used, a branch when it is
// taken), the program computes everything its lines depend on. Where the general evaluator
// would fail, this path computes a poison value (kPoison) instead; the poison spreads through
// every operation, and the selecting nodes (if, and, or, a payment's when) keep only the poison
// of the side they take, so that a line is poisoned exactly when the general evaluator, run on
// that data, would have met a failure on its way to the line. A set with a poisoned line (or a
// value the fixed point cannot hold) is given up, and the caller evaluates it in general.
#include "interpreter/fast_eval.hpp"
#include "interpreter/fast_code.hpp"
#include "interpreter/stack.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <map>
#include <memory_resource>
#include <unordered_map>
#include <utility>

#include "stdlib/builtins.hpp"

namespace utfall::fast {
using namespace code;
namespace {

// Bounds of a program: nodes, and the depth of the lowering's own recursion (also a bound on
// the general evaluator's, checked against EvalLimits::max_depth in `run`).
constexpr std::size_t kMaxNodes = 1u << 20;
constexpr int kMaxLowerDepth = 1000;
constexpr std::size_t kLowerStack = 2u << 20;  // what kMaxLowerDepth levels need, with room
// Registers of one lane times lanes: the memory a batch works in (words).
constexpr std::size_t kBatchWords = 1u << 15;

// Thrown by `lower` for a contract this path does not support.
struct Unsupported {
  std::string reason;
};

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

// The memos of lowering and planning are looked up by (thing, period) pairs, some million of
// them for a contract of 10 000 clauses: hashed, not a tree (they are never walked in order),
// their entries taken from one pool that is let go as a whole with the lowering (a malloc and
// a free per entry were a third of the lowering).
struct PairHash {
  template <typename A, typename B>
  std::size_t operator()(const std::pair<A, B>& k) const noexcept {
    return std::hash<A>{}(k.first) * 0x9E3779B97F4A7C15ull + std::hash<B>{}(k.second);
  }
};
template <typename K1, typename K2, typename V>
using PairMap = std::pmr::unordered_map<std::pair<K1, K2>, V, PairHash>;

// A truth value or a number as fixed point (true 1, false 0), where it has at most kMaxScale
// decimals and its digits fit in 63 bits; none otherwise (text, a period, a larger number).
// The one reading of a value into fixed point: constants, terms' own values, values given.
std::optional<Program::Own> fixed_point(const checked::Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return Program::Own{*b ? 1 : 0, 0};
  const auto* n = std::get_if<Number>(&v);
  auto d = n ? n->to_decimal64() : std::nullopt;
  if (!d || d->places > kMaxScale || d->digits == kPoison) return std::nullopt;
  return Program::Own{d->digits, static_cast<std::int8_t>(d->places)};
}

}  // namespace

namespace {

// ---------------------------------------------------------------- lower

class Lowerer {
 public:
  explicit Lowerer(const checked::Contract& c) : c_(c), P_(static_cast<int>(c.periods.size())), stack_(kLowerStack) {}

  std::unique_ptr<Program> run() {
    static std::atomic<std::uint64_t> lowered{0};  // only hands out serials
    auto p = std::make_unique<Program>();
    p_ = p.get();
    p->serial = ++lowered;
    auto minor = c_.minor_unit.to_decimal64();
    if (!minor || minor->digits <= 0 || minor->places > kMaxScale) throw Unsupported{"the minor unit is not a small decimal"};
    p->minor_digits = minor->digits, p->minor_places = minor->places;
    // Lines in several currencies, each with its own minor unit: the general evaluator takes them.
    if (c_.currencies.size() > 1) throw Unsupported{"several currencies"};
    p->periods = P_;
    column_of_input_.assign(c_.inputs.size(), -1);
    for (const auto& pay : c_.payments)
      if (pay.set >= 0 || pay.cap_participant || pay.filter || pay.at_most > 0) throw Unsupported{"a payment per participant"};
    // An unlimited term has no number (docs/language.md §9.2): the general evaluator takes it.
    for (const auto& term : c_.terms)
      if (term.unlimited) throw Unsupported{"an unlimited term"};
    p->lines = lines(c_);
    for (const auto& l : p->lines) {
      if (l.waterfall) {
        const auto& fall = c_.waterfalls[l.rule_index];
        auto k = std::find(fall.payees.begin(), fall.payees.end(), l.payee) - fall.payees.begin();
        p->line_nodes.push_back(waterfall(l.rule_index, l.period)[static_cast<std::size_t>(k)]);
      } else {
        p->line_nodes.push_back(paid(l.rule_index, l.period));
      }
    }
    p->steps = steps();
    std::size_t last = 0;
    for (std::size_t at : p->cell_at) last = std::max(last, at + 1);
    Columns probe;
    probe.resize(last);
    const auto* base = reinterpret_cast<const char*>(&probe);
    const auto* end = reinterpret_cast<const char*>(probe.cells() + last);
    p->prefetch_bytes = end > base && end - base < 4096 ? static_cast<std::size_t>(end - base) : sizeof(Columns);
    p->live.assign(p->nodes.size(), 0);
    for (int n : p->line_nodes) p->live[static_cast<std::size_t>(n)] = 1;
    for (std::size_t i = p->nodes.size(); i-- > 0;) {
      const Node& n = p->nodes[i];
      if (p->live[i] && n.op != N::konst)
        for (int o : {n.a, n.b, n.c})
          if (o >= 0) p->live[static_cast<std::size_t>(o)] = 1;
    }
    std::vector<std::size_t> depth(p->nodes.size(), 1);
    for (std::size_t i = 0; i < p->nodes.size(); ++i) {
      const Node& n = p->nodes[i];
      for (int o : {n.a, n.b, n.c})
        if (o >= 0 && n.op != N::konst) depth[i] = std::max(depth[i], depth[static_cast<std::size_t>(o)] + 1);
      p->depth = std::max(p->depth, depth[i]);
    }
    return p;
  }

 private:
  const checked::Contract& c_;
  const int P_;
  Program* p_ = nullptr;
  std::vector<int> column_of_input_;
  int nesting_ = 0;
  StackGuard stack_;
  // Memo of what has been lowered: (thing, period) -> node. A key with no node yet is being
  // lowered (a circle, which the checker lets through only when it looks back in time).
  // (Elements of an unordered_map stay where they are as it grows: `waterfall` returns one.)
  std::pmr::monotonic_buffer_resource pool_;
  PairMap<const void*, int, int> memo_{&pool_};
  PairMap<const void*, int, std::vector<int>> falls_{&pool_};
  PairMap<int, int, int> cells_{&pool_};  // (input, period) -> cell
  std::vector<char> nonnegative_;              // per node: never negative

  int add(Node n) {
    if (p_->nodes.size() >= kMaxNodes) throw Unsupported{"more than " + std::to_string(kMaxNodes) + " values"};
    nonnegative_.push_back(never_negative(n));
    p_->nodes.push_back(n);
    return static_cast<int>(p_->nodes.size()) - 1;
  }
  int konst(i64 digits, int places) { return add({N::konst, {}, places, -1, -1, digits}); }
  int zero() { return konst(0, 0); }
  int poison() { return add({N::poison}); }
  // A node, or an operand that already is its value: the identities below hold for poison too
  // (x + 0 is x, poisoned or not), so they never hide a failure.
  int op(N kind, int a, int b = -1, int c = -1) {
    switch (kind) {
      case N::add:
        if (is_zero(b)) return a;
        if (is_zero(a)) return b;
        break;
      case N::sub:
        if (is_zero(b)) return a;
        break;
      case N::max0: {
        if (nonnegative(a)) return a;
        const Node& x = p_->nodes[static_cast<std::size_t>(a)];
        if (x.op == N::sub) return add({N::subpos, {}, x.a, x.b});  // fused; the sub may end up unused
        if (x.op == N::min) return add({N::minpos, {}, x.a, x.b});
        break;
      }
      case N::max:
        if (a == b) return a;
        if (is_zero(b)) return op(N::max0, a);
        if (is_zero(a)) return op(N::max0, b);
        break;
      case N::min:
        if (a == b) return a;
        break;
      case N::join:  // a constant is never poisoned
        if (p_->nodes[static_cast<std::size_t>(b)].op == N::konst) return a;
        break;
      default: break;
    }
    return add({kind, {}, a, b, c});
  }
  bool is_zero(int n) const {
    const Node& x = p_->nodes[static_cast<std::size_t>(n)];
    return x.op == N::konst && x.k == 0;
  }
  // Whether node n is >= 0 whatever the data (or poisoned).
  // Whether a node is never negative, known when it is added (its operands come before it): a
  // running sum over 10 000 periods is a chain of 10 000 additions, not walked again per use.
  bool nonnegative(int n) const { return nonnegative_[static_cast<std::size_t>(n)] != 0; }
  bool never_negative(const Node& x) const {
    switch (x.op) {
      case N::konst: return x.k >= 0;
      case N::max0: case N::subpos: case N::minpos: case N::abs: return true;
      case N::add: case N::mul: case N::min: return nonnegative(x.a) && nonnegative(x.b);
      case N::max: return nonnegative(x.a) || nonnegative(x.b);
      case N::round: case N::minor: case N::pay: case N::join: return nonnegative(x.a);  // a step is > 0
      case N::sel0: return nonnegative(x.b);
      default: return false;
    }
  }
  bool in_calendar(int t) const { return t >= 0 && t < P_; }

  // Guards the lowering's recursion, and a key against being lowered inside itself.
  struct Enter {
    Lowerer& l;
    explicit Enter(Lowerer& l) : l(l) {
      if (++l.nesting_ > kMaxLowerDepth || l.stack_.exhausted()) throw Unsupported{"values nested deeper than the path's bound"};
    }
    ~Enter() { --l.nesting_; }
  };
  template <typename F>
  int memo(const void* key, int t, F&& make) {
    auto [it, fresh] = memo_.try_emplace({key, t}, -1);
    if (!fresh) {
      if (it->second < 0) throw Unsupported{"a circle of values"};
      return it->second;
    }
    int& slot = it->second;  // stays valid while `make` adds to the memo
    Enter enter(*this);
    return slot = make();
  }

  // ---- expressions

  int expr(const checked::Expr& e, int t) {
    return memo(&e, t, [&] { return std::visit([&](const auto& n) -> int { return node(n, e, t); }, e.node); });
  }
  static bool numeric_or_boolean(const checked::Expr& e) { return e.type.kind == TypeKind::number || e.type.kind == TypeKind::boolean; }

  int node(const checked::Const& n, const checked::Expr&, int) {
    auto v = fixed_point(n.value);
    if (!v) throw Unsupported{"a constant that is not a small decimal or a truth value"};
    return konst(v->digits, v->places);
  }
  int node(const checked::InputRef& n, const checked::Expr& e, int t) {
    const auto& in = c_.inputs[static_cast<std::size_t>(n.input)];
    if (in.participants || e.type.kind != TypeKind::number) throw Unsupported{"an input that is not a series of numbers"};
    if (!in_calendar(t) || t < in.first || t > in.last) return poison();  // E604, E531
    int& column = column_of_input_[static_cast<std::size_t>(n.input)];
    if (column < 0) column = p_->column_count++;
    auto [it, fresh] = cells_.try_emplace({n.input, t}, static_cast<int>(p_->cell_at.size()));
    if (fresh) {
      p_->cell_at.push_back(static_cast<std::size_t>(n.input) * static_cast<std::size_t>(P_) + static_cast<std::size_t>(t));
      p_->columns.push_back(column);
    }
    int node = add({N::input, {}, -1, -1, -1, it->second});
    p_->inputs.emplace_back(static_cast<std::size_t>(node), static_cast<std::size_t>(it->second));
    return node;
  }
  int node(const checked::TermRef& n, const checked::Expr& e, int) {
    if (!numeric_or_boolean(e)) throw Unsupported{"a term that is not a number"};
    const auto& term = c_.terms[static_cast<std::size_t>(n.term)];
    return memo(&term, -1, [&] {
      int value = expr(*term.value, -1);
      int node = add({N::term, {}, value, -1, -1, static_cast<i64>(p_->terms.size())});
      p_->terms.emplace_back(static_cast<std::size_t>(node), n.term);
      Program::Own& own = p_->term_own.emplace_back();
      if (const auto* k = std::get_if<checked::Const>(&term.value->node)) own = fixed_point(k->value).value_or(Program::Own{});
      return node;
    });
  }
  int node(const checked::DefRef& n, const checked::Expr& e, int t) {
    if (!numeric_or_boolean(e)) throw Unsupported{"a definition that is not a number"};
    if (!in_calendar(t)) return poison();  // E604
    const auto& def = c_.defs[static_cast<std::size_t>(n.def)];
    return memo(&def, t, [&] { return expr(*def.value, t); });
  }
  int node(const checked::PaymentRef& n, const checked::Expr&, int t) { return in_calendar(t) ? paid(n.payment, t) : poison(); }
  int node(const checked::WaterfallRef& n, const checked::Expr&, int t) {
    if (!in_calendar(t)) return poison();
    int sum = -1;
    for (int v : waterfall(n.waterfall, t)) sum = sum < 0 ? v : op(N::add, sum, v);
    return sum < 0 ? zero() : sum;
  }
  int node(const checked::FieldRef&, const checked::Expr&, int) { throw Unsupported{"participants"}; }
  int node(const checked::ParticipantDefRef&, const checked::Expr&, int) { throw Unsupported{"participants"}; }
  int node(const checked::OverParticipants&, const checked::Expr&, int) { throw Unsupported{"participants"}; }
  int node(const checked::TableLookup&, const checked::Expr&, int) { throw Unsupported{"a table"}; }
  int node(const checked::CalendarDate&, const checked::Expr&, int) { throw Unsupported{"dates"}; }
  int node(const checked::DateShift&, const checked::Expr&, int) { throw Unsupported{"dates"}; }
  int node(const checked::CurrentPeriod&, const checked::Expr&, int) { throw Unsupported{"a period as a value"}; }
  int node(const checked::Unary& n, const checked::Expr&, int t) {
    int a = expr(*n.operand, t);
    return op(n.op == checked::Op::negate ? N::neg : N::lnot, a);
  }
  int node(const checked::Binary& n, const checked::Expr&, int t) {
    if (!numeric_or_boolean(*n.lhs) || !numeric_or_boolean(*n.rhs)) throw Unsupported{"an operation on periods or text"};
    auto kind = binary_node(n.op);
    if (!kind) throw Unsupported{"an operation on periods"};
    int a = expr(*n.lhs, t), b = expr(*n.rhs, t);
    return op(*kind, a, b);
  }
  int node(const checked::If& n, const checked::Expr& e, int t) {
    if (!numeric_or_boolean(e)) throw Unsupported{"an `if` of periods or text"};
    int a = expr(*n.condition, t), b = expr(*n.then_branch, t), c = expr(*n.else_branch, t);
    return op(N::branch, a, b, c);
  }
  int node(const checked::Builtin& n, const checked::Expr&, int t) {
    std::string_view name = stdlib::builtins()[n.id].name;
    std::vector<int> args;
    for (const auto& a : n.args) args.push_back(expr(*a, t));
    if (name == "abs" && args.size() == 1) return op(N::abs, args[0]);
    if (name == "clamp" && args.size() == 3) return op(N::clamp, args[0], args[1], args[2]);
    if ((name == "min" || name == "max") && !args.empty()) {
      int best = args[0];
      for (std::size_t i = 1; i < args.size(); ++i) best = op(name == "min" ? N::min : N::max, best, args[i]);
      return best;
    }
    throw Unsupported{"the builtin " + std::string(name)};
  }
  int node(const checked::Round& n, const checked::Expr&, int t) {
    int a = expr(*n.operand, t), b = expr(*n.step, t);
    return add({N::round, n.mode, a, b});
  }
  int node(const checked::ToDate& n, const checked::Expr& e, int t) {
    if (!in_calendar(t)) return poison();
    int here = expr(*n.operand, t);
    return t == 0 ? here : op(N::add, expr(e, t - 1), here);  // the running sum
  }
  int node(const checked::Previous& n, const checked::Expr&, int t) {
    if (!in_calendar(t)) return poison();
    return t == 0 ? expr(*n.fallback, t) : expr(*n.operand, t - 1);
  }
  int node(const checked::At& n, const checked::Expr&, int) { return expr(*n.operand, n.period); }
  int node(const checked::OverPeriods& n, const checked::Expr&, int) {
    int sum = -1;
    for (int s = n.first; s <= n.last; ++s) {
      int v = expr(*n.body, s);
      sum = sum < 0 ? v : op(N::add, sum, v);
    }
    return sum < 0 ? zero() : sum;
  }
  int opt(const checked::ExprPtr& e, int t) { return e ? expr(*e, t) : -1; }

  // ---- rules, as Evaluator::compute_payment and compute_waterfall

  // What payment p pays in period t.
  int paid(int p, int t) {
    const auto& pay = c_.payments[static_cast<std::size_t>(p)];
    return memo(&pay, t, [&] {
      if (t < pay.periods.first || t > pay.periods.last) return zero();
      int before = paid_before(p, t);
      int amount = expr(*pay.amount, t);
      if (pay.rounding) amount = add({N::round, pay.rounding->mode, amount, expr(*pay.rounding->step, t)});
      if (pay.netted) amount = op(N::max0, op(N::sub, amount, before));
      if (pay.floor) amount = op(N::max, amount, expr(*pay.floor, t));
      if (pay.cap_period) amount = op(N::min, amount, expr(*pay.cap_period, t));
      if (pay.cap_total) amount = op(N::min, amount, op(N::max0, op(N::sub, expr(*pay.cap_total, t), before)));
      amount = op(N::pay, amount);
      return pay.condition ? op(N::sel0, expr(*pay.condition, t), amount) : amount;
    });
  }
  // What payment p paid in the periods before t.
  int paid_before(int p, int t) {
    if (t == 0) return zero();
    const auto& pay = c_.payments[static_cast<std::size_t>(p)];
    return memo(&pay.periods, t, [&] { return op(N::add, paid_before(p, t - 1), paid(p, t - 1)); });
  }

  // What waterfall w pays each of its payees in period t.
  const std::vector<int>& waterfall(int w, int t) {
    using TK = checked::Tier::Kind;
    const auto& fall = c_.waterfalls[static_cast<std::size_t>(w)];
    auto [it, fresh] = falls_.try_emplace({&fall, t});
    if (!fresh) {
      if (it->second.empty() && !fall.payees.empty()) throw Unsupported{"a circle of values"};
      return it->second;
    }
    Enter enter(*this);
    std::vector<int> out;
    if (t < fall.periods.first || t > fall.periods.last) {
      out.assign(fall.payees.size(), zero());
    } else {
      std::vector<int> entitled(fall.payees.size(), -1);
      int remaining = op(N::max0, expr(*fall.pool, t));
      int carrier = -1;  // what carries the poison of every tier to the lines (see below)
      for (std::size_t i = 0; i < fall.tiers.size(); ++i) {
        const auto& tier = fall.tiers[i];
        const bool plain = !tier.rounding && !tier.cap;
        int a = tier.kind == TK::up_to           ? op(N::min, remaining, op(N::max0, expr(*tier.amount, t)))
                : tier.kind == TK::share_of_rest ? op(N::mul, expr(*tier.amount, t), remaining)
                                                 : remaining;
        if (tier.rounding) a = add({N::round, tier.rounding->mode, a, expr(*tier.rounding->step, t)});
        if (tier.cap) a = op(N::min, a, expr(*tier.cap, t));
        // min(a, remaining) clipped at 0; a plain `up to` or `rest` already is (remaining >= 0).
        if (!(plain && tier.kind != TK::share_of_rest)) a = op(N::max0, op(N::min, a, remaining));
        if (plain && tier.kind == TK::rest && i + 1 == fall.tiers.size()) {
          carrier = remaining;  // nothing is left, and `remaining` carries the poison of all
          remaining = zero();
        } else {
          remaining = op(N::sub, remaining, a);
        }
        for (std::size_t k = 0; k < fall.payees.size(); ++k)
          if (fall.payees[k] == tier.payee) entitled[k] = entitled[k] < 0 ? a : op(N::add, entitled[k], a);
      }
      if (carrier < 0) carrier = remaining;
      for (std::size_t k = 0; k < fall.payees.size(); ++k) {
        int a = entitled[k] < 0 ? zero() : entitled[k];
        if (fall.netted) a = op(N::max0, op(N::sub, a, earlier(w, static_cast<int>(k), t)));
        out.push_back(op(N::join, op(N::minor, a), carrier));
      }
    }
    auto& slot = falls_[{&fall, t}];
    slot = std::move(out);
    return slot;
  }
  // What waterfall w paid payee k in the periods before t.
  int earlier(int w, int k, int t) {
    if (t == 0) return zero();
    const auto& fall = c_.waterfalls[static_cast<std::size_t>(w)];
    return memo(&fall.payees[static_cast<std::size_t>(k)], t,
                [&] { return op(N::add, earlier(w, k, t - 1), waterfall(w, t - 1)[static_cast<std::size_t>(k)]); });
  }

  // ---- the general evaluator's steps

  // The most steps (expression nodes evaluated) the general evaluator takes on the contract.
  std::uint64_t steps() const {
    std::uint64_t once = 0, per_period = 0;
    for (const auto& term : c_.terms) once = sat_add(once, cost(*term.value));
    for (const auto& d : c_.defs) per_period = sat_add(per_period, cost(*d.value));
    for (const auto& pay : c_.payments)
      for (const checked::Expr* e : {pay.amount.get(), pay.condition.get(), pay.floor.get(), pay.cap_period.get(), pay.cap_total.get(),
                                     pay.rounding ? pay.rounding->step.get() : nullptr})
        if (e) per_period = sat_add(per_period, cost(*e));
    for (const auto& fall : c_.waterfalls) {
      per_period = sat_add(per_period, cost(*fall.pool));
      for (const auto& tier : fall.tiers)
        for (const checked::Expr* e : {tier.amount.get(), tier.cap.get(), tier.rounding ? tier.rounding->step.get() : nullptr})
          if (e) per_period = sat_add(per_period, cost(*e));
    }
    return sat_add(once, sat_mul(per_period, static_cast<std::uint64_t>(P_)));
  }

  // The most steps the general evaluator takes on `e` in one period, not counting the
  // definitions, terms and payments it refers to (each of those is evaluated once per period,
  // or once, and counted as such by `steps`).
  std::uint64_t cost(const checked::Expr& e) const {
    auto P = static_cast<std::uint64_t>(P_);
    return std::visit(
        [&](const auto& n) -> std::uint64_t {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, checked::Unary>) return sat_add(1, cost(*n.operand));
          else if constexpr (std::is_same_v<T, checked::Binary>) return sat_add(1, sat_add(cost(*n.lhs), cost(*n.rhs)));
          else if constexpr (std::is_same_v<T, checked::If>)
            return sat_add(1, sat_add(cost(*n.condition), sat_add(cost(*n.then_branch), cost(*n.else_branch))));
          else if constexpr (std::is_same_v<T, checked::Builtin>) {
            std::uint64_t s = 1;
            for (const auto& a : n.args) s = sat_add(s, cost(*a));
            return s;
          } else if constexpr (std::is_same_v<T, checked::Round>) return sat_add(1, sat_add(cost(*n.operand), cost(*n.step)));
          else if constexpr (std::is_same_v<T, checked::ToDate>) return sat_add(1, sat_mul(P, cost(*n.operand)));
          else if constexpr (std::is_same_v<T, checked::Previous>) return sat_add(1, sat_add(cost(*n.operand), cost(*n.fallback)));
          else if constexpr (std::is_same_v<T, checked::At>) return sat_add(1, cost(*n.operand));
          else if constexpr (std::is_same_v<T, checked::OverPeriods>)
            return sat_add(1, sat_mul(static_cast<std::uint64_t>(std::max(n.last - n.first + 1, 0)), cost(*n.body)));
          else return 1;  // leaves and references
        },
        e.node);
  }
};

// ---------------------------------------------------------------- plan


struct Unfit {};  // a value the plan cannot give a scale or a register

// The registers an instruction reads: a; a and b; or a, b and c (exec_code, fast_exec.cpp).
constexpr int operand_count(I op) {
  switch (op) {
    case I::konst: return 0;
    case I::copy: case I::up: case I::neg: case I::abs: case I::max0: case I::lnot: case I::round_const: case I::minor: case I::pay:
      return 1;
    case I::add: case I::sub: case I::mul: case I::div: case I::min: case I::max: case I::subpos: case I::minpos:
    case I::lt: case I::le: case I::gt: case I::ge: case I::eq: case I::ne: case I::land: case I::lor:
    case I::sel0: case I::round: case I::join:
      return 2;
    case I::clamp: case I::branch: return 3;
  }
  return 4;  // not known: never taken for a constant
}

class Planner {
 public:
  Planner(const Program& p, Plan& plan) : p_(p), plan_(plan) {}

  void run() {
    plan_.ok = false;
    plan_.scale.assign(p_.nodes.size(), 0);
    plan_.consts.clear(), plan_.code.clear();
    plan_.registers = static_cast<int>(p_.nodes.size());
    fixed_.assign(p_.nodes.size(), 0);
    plan_.cell_scale.clear();
    for (int col : p_.columns) plan_.cell_scale.push_back(plan_.key[static_cast<std::size_t>(col)]);
    try {
      for (std::size_t i = 0; i < p_.nodes.size(); ++i)
        if (p_.live[i]) node(static_cast<int>(i));
      plan_.ok = true;
    } catch (const Unfit&) {
    }
  }

 private:
  const Program& p_;
  Plan& plan_;
  std::pmr::monotonic_buffer_resource pool_;
  PairMap<int, int, int> rescaled_{&pool_};  // (node, scale) -> register

  int sc(int n) const { return plan_.scale[static_cast<std::size_t>(n)]; }
  static int fit(int scale) {
    if (scale > kMaxScale) throw Unfit{};
    return scale;
  }
  void set(int n, int scale) { plan_.scale[static_cast<std::size_t>(n)] = static_cast<std::int8_t>(fit(scale)); }

  // Per register: whether it holds the same value in every evaluation under this plan (a
  // constant, or computed from constants alone). An instruction that reads only such registers
  // goes to plan.consts, which run once for a scratch's registers, not once per evaluation (or
  // per block of records): a term's value rescaled, a cap times a constant share.
  std::vector<char> fixed_;
  bool fixed(int r) const { return static_cast<std::size_t>(r) < fixed_.size() && fixed_[static_cast<std::size_t>(r)] != 0; }
  void constant(Instr in) {
    const auto r = static_cast<std::size_t>(in.dst);
    if (r >= fixed_.size()) fixed_.resize(r + 1, 0);
    fixed_[r] = 1;
    plan_.consts.push_back(in);
  }
  void emit(Instr in) {
    const int used = operand_count(in.op), read[3] = {in.a, in.b, in.c};
    bool all = used <= 3;
    for (int j = 0; all && j < used; ++j) all = fixed(read[j]);
    if (all) return constant(in);
    plan_.code.push_back(in);
  }

  // The register holding node n at `scale` (>= its own): n's own, or a rescaled copy.
  int at(int n, int scale) {
    int own = sc(n);
    if (scale == own) return n;
    auto [it, fresh] = rescaled_.try_emplace({n, scale}, plan_.registers);
    if (!fresh) return it->second;
    ++plan_.registers;
    const Node& node = p_.nodes[static_cast<std::size_t>(n)];
    if (node.op == N::konst) {
      i64 v;
      if (__builtin_mul_overflow(node.k, kPow10[static_cast<std::size_t>(scale - own)], &v)) throw Unfit{};
      constant({I::konst, {}, 0, 0, it->second, 0, 0, 0, v});
    } else {
      const auto up = static_cast<std::size_t>(scale - own);
      emit({I::up, {}, 0, 0, it->second, n, 0, 0, kPow10[up], std::numeric_limits<i64>::max() / kPow10[up]});
    }
    return it->second;
  }

  void node(int i) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    auto same = [&](I op, std::initializer_list<int> operands) {
      int s = 0;
      for (int o : operands) s = std::max(s, sc(o));
      set(i, s);
      int r[3] = {0, 0, 0}, j = 0;
      for (int o : operands) r[j++] = at(o, s);
      emit({op, {}, 0, 0, i, r[0], r[1], r[2], 0});
    };
    auto compare = [&](I op) {
      int s = std::max(sc(n.a), sc(n.b));
      set(i, 0);
      emit({op, {}, 0, 0, i, at(n.a, s), at(n.b, s), 0, 0});
    };
    switch (n.op) {
      case N::konst:
        set(i, n.a);
        constant({I::konst, {}, 0, 0, i, 0, 0, 0, n.k});
        return;
      case N::poison:
        constant({I::konst, {}, 0, 0, i, 0, 0, 0, kPoison});
        return;
      case N::input: set(i, plan_.cell_scale[static_cast<std::size_t>(n.k)]); return;
      case N::term: {
        std::int8_t given = plan_.key[static_cast<std::size_t>(p_.column_count + n.k)];
        if (given >= 0) return set(i, given);  // the run writes the given value into its register
        set(i, sc(n.a));
        emit({I::copy, {}, 0, 0, i, n.a, 0, 0, 0});
        return;
      }
      case N::add: return same(I::add, {n.a, n.b});
      case N::sub: return same(I::sub, {n.a, n.b});
      case N::min: return same(I::min, {n.a, n.b});
      case N::max: return same(I::max, {n.a, n.b});
      case N::max0: return same(I::max0, {n.a});
      case N::subpos: return same(I::subpos, {n.a, n.b});
      case N::minpos: return same(I::minpos, {n.a, n.b});
      case N::neg: return same(I::neg, {n.a});
      case N::abs: return same(I::abs, {n.a});
      case N::clamp: return same(I::clamp, {n.a, n.b, n.c});
      case N::mul:
        set(i, sc(n.a) + sc(n.b));
        emit({I::mul, {}, 0, 0, i, n.a, n.b, 0, 0});
        return;
      case N::div:
        // a / b at scale sa + kDivPlaces: a * 10^(kDivPlaces + sb) / b, when exact.
        set(i, sc(n.a) + kDivPlaces);
        emit({I::div, {}, 0, 0, i, n.a, n.b, 0, kPow10[static_cast<std::size_t>(fit(kDivPlaces + sc(n.b)))]});
        return;
      case N::lt: return compare(I::lt);
      case N::le: return compare(I::le);
      case N::gt: return compare(I::gt);
      case N::ge: return compare(I::ge);
      case N::eq: return compare(I::eq);
      case N::ne: return compare(I::ne);
      case N::land: set(i, 0), emit({I::land, {}, 0, 0, i, n.a, n.b, 0, 0}); return;
      case N::lor: set(i, 0), emit({I::lor, {}, 0, 0, i, n.a, n.b, 0, 0}); return;
      case N::lnot: set(i, 0), emit({I::lnot, {}, 0, 0, i, n.a, 0, 0, 0}); return;
      case N::branch: {
        int s = std::max(sc(n.b), sc(n.c));
        set(i, s);
        emit({I::branch, {}, 0, 0, i, n.a, at(n.b, s), at(n.c, s), 0});
        return;
      }
      case N::sel0: set(i, sc(n.b)), emit({I::sel0, {}, 0, 0, i, n.a, n.b, 0, 0}); return;
      case N::round: {
        // q * step at the step's scale, q from both at their common scale.
        int common = std::max(sc(n.a), sc(n.b));
        auto sa = static_cast<std::int8_t>(common - sc(n.a)), sb = static_cast<std::int8_t>(common - sc(n.b));
        set(i, sc(n.b));
        const Node& step = p_.nodes[static_cast<std::size_t>(n.b)];
        i64 divisor;
        if (step.op == N::konst && step.k > 0 && !__builtin_mul_overflow(step.k, kPow10[static_cast<std::size_t>(sb)], &divisor)) {
          // A constant step: the divisor is known, and a power of ten (sb) divides by a constant.
          int ten = -1;
          for (int j = 0; j <= kMaxScale; ++j)
            if (kPow10[static_cast<std::size_t>(j)] == divisor) ten = j;
          emit({I::round_const, n.mode, sa, static_cast<std::int8_t>(ten), i, n.a, 0, 0, divisor, step.k});
        } else {
          emit({I::round, n.mode, sa, sb, i, n.a, n.b, 0, 0});
        }
        return;
      }
      case N::minor: case N::pay: {
        // A whole number of minor units: a * 10^(common - sa) divisible by digits * 10^(common - places).
        int s = sc(n.a), common = std::max(s, p_.minor_places);
        set(i, s);
        i64 unit;
        if (__builtin_mul_overflow(p_.minor_digits, kPow10[static_cast<std::size_t>(common - p_.minor_places)], &unit)) throw Unfit{};
        emit({n.op == N::pay ? I::pay : I::minor, {}, static_cast<std::int8_t>(common - s), 0, i, n.a, 0, 0, unit});
        return;
      }
      case N::join: set(i, sc(n.a)), emit({I::join, {}, 0, 0, i, n.a, n.b, 0, 0}); return;
    }
  }
};

}  // namespace

void code::make_plan(const Program& program, Plan& plan) { Planner(program, plan).run(); }

// ---------------------------------------------------------------- run

struct Scratch {
  std::vector<Plan> plans;  // a few, for the shapes of data seen last
  std::size_t next_plan = 0;
  std::vector<std::int8_t> key;  // the plan's key: decimals per column among the lanes, then per term
  // The lanes' data, staged cell by cell ([cell * L + lane]): digits (kPoison for a datum that
  // is missing or not a small decimal) and places.
  std::vector<i64> digits;
  std::vector<std::int8_t> places;
  // The values given to terms, lane by lane ([term * L + lane]), at the scale of the term's key;
  // and per lane whether a value given it leaves the lanes (the general evaluator runs it).
  std::vector<i64> term_digits;
  std::vector<std::int8_t> term_places;  // per lane, of the term being staged; -1: given none
  std::vector<std::uint8_t> given_up;
  std::vector<i64> regs;
  std::vector<std::uint8_t> bad;     // per lane, while reading the lines
  struct LaneData {
    const Columns::Cell* cells;
    std::size_t size;
  };
  std::vector<LaneData> lane_data;  // per lane: its set's cells
  Columns columns;                  // one set's, read from its Dataset when it has none
  const Plan* consts_for = nullptr;  // the plan whose constants the registers hold, for `lanes`
  std::size_t lanes = 0;
};

namespace {

const Plan& plan_for(const Program& p, Scratch& s) {
  for (const auto& plan : s.plans)
    if (plan.made && plan.key == s.key) return plan;
  s.plans.reserve(4);  // plans stay where they are: consts_for points at one
  if (s.plans.size() < 4) s.plans.emplace_back();
  Plan& plan = s.plans[s.next_plan++ % s.plans.size()];
  // Made anew: were planning to throw (out of memory), the slot is no plan for any key.
  plan.made = false;
  if (s.consts_for == &plan) s.consts_for = nullptr;
  plan.key = s.key;
  Planner(p, plan).run();
  plan.made = true;
  return plan;
}

// Whether the limits let the path run: they must not tell the two paths apart.
bool admitted(const Program& p, const EvalOptions& options) {
  // Every int64 has at most 20 digits by Number::decimal_digits' measure (19, and 20 for -2^63).
  // The general evaluator nests at most about two frames per node of the longest chain.
  return !options.trace && p.steps <= options.limits.max_steps && options.limits.max_digits >= 20 &&
         2 * p.depth + 2 <= options.limits.max_depth;
}

// Stages the values given to terms (EvalOptions::term_overrides) in L lanes: lane l's are those
// of lane_terms[l], or with no lane_terms those of `options` for every lane. Each term given a
// value is read at the most places any lane gives it (its key; -1 where no lane gives it, so the
// plan keeps the term's own value); a lane that gives it none has the term's own value there,
// when the contract writes it as a number. A lane given `unlimited`, a value that is not a
// small decimal, or none for a computed term that another lane gives one, is given up
// (`given_up`): the general evaluator runs it. With no lane_terms, false instead when any is.
bool stage_terms(const Program& p, const EvalOptions& options, const EvalOptions* const* lane_terms, std::size_t L,
                 Scratch& s) {
  auto terms_of = [&](std::size_t l) -> const EvalOptions& { return lane_terms ? *lane_terms[l] : options; };
  const std::size_t T = p.terms.size();
  s.key.resize(static_cast<std::size_t>(p.column_count) + T);
  s.given_up.assign(L, 0);
  if (!lane_terms && options.term_overrides.empty() && options.unlimited_terms.empty()) {  // the contract's own values
    std::fill_n(s.key.begin() + p.column_count, T, std::int8_t{-1});
    return true;
  }
  s.term_digits.assign(T * L, 0);
  s.term_places.resize(L);
  for (std::size_t l = 0; l < L; ++l)
    if (!terms_of(l).unlimited_terms.empty()) {  // a term without a number: the general evaluator
      if (!lane_terms) return false;
      s.given_up[l] = 1;
    }
  for (std::size_t j = 0; j < T; ++j) {
    auto& key = s.key[static_cast<std::size_t>(p.column_count) + j];
    key = -1;
    i64* digits = s.term_digits.data() + j * L;
    bool any = false;
    for (std::size_t l = 0; l < L; ++l) {
      auto& places = s.term_places[l];
      places = -1;
      const auto& given = terms_of(l).term_overrides;
      auto value = given.find(p.terms[j].second);
      if (value == given.end()) {  // the term's own value, when the contract writes it as a number
        if (p.term_own[j].places >= 0)
          digits[l] = p.term_own[j].digits, places = p.term_own[j].places, key = std::max(key, places);
        continue;
      }
      any = true;
      auto v = fixed_point(value->second);
      if (!v) {
        if (!lane_terms) return false;
        s.given_up[l] = 1;
        continue;
      }
      digits[l] = v->digits, places = v->places;
      key = std::max(key, places);
    }
    if (!any) {  // no lane gives it a value: the plan keeps the term's own
      key = -1;
      continue;
    }
    // Every lane at the key's scale; a lane whose value is not given, or does not fit, is given up.
    for (std::size_t l = 0; l < L; ++l) {
      const int places = s.term_places[l];
      if (places < 0) {
        s.given_up[l] = 1;
        continue;
      }
      const auto shift = static_cast<std::size_t>(key - places);
      if (digits[l] > kFits[shift] || digits[l] < -kFits[shift]) {
        digits[l] = kPoison, s.given_up[l] = 1;
        continue;
      }
      digits[l] *= kPow10[shift];
    }
  }
  return true;
}

// Stages the data of L sets, one per lane: each program cell's digits and places, lane by lane
// ([cell * L + lane]), and per column the most places among them (the plan's key). The data
// sets lie wherever their hosts put them, so their memory is asked for ahead (prefetched) for
// all lanes before it is read. (One set takes run_one.) Not inlined: inlined into run_batch,
// its loops over many lanes compile to slower code.
[[gnu::noinline]] void stage_lanes(const Program& p, Scratch& s, const Columns* const* sets, std::size_t L) {
  std::fill_n(s.key.begin(), p.column_count, std::int8_t{0});
  s.digits.resize(p.cell_at.size() * L);
  s.places.resize(p.cell_at.size() * L);
  s.lane_data.resize(L);
  for (std::size_t l = 0; l < L; ++l) {
    const auto* bytes = reinterpret_cast<const char*>(sets[l]);
    for (std::size_t at = 0; at < p.prefetch_bytes; at += 64) __builtin_prefetch(bytes + at);
  }
  for (std::size_t l = 0; l < L; ++l) {
    const Columns& columns = *sets[l];
    const bool same_shape = columns.periods == static_cast<std::size_t>(p.periods);
    s.lane_data[l] = {same_shape ? columns.cells() : nullptr, same_shape ? columns.size() : 0};
    const auto* cells = reinterpret_cast<const char*>(s.lane_data[l].cells);
    const auto* object = reinterpret_cast<const char*>(&columns);
    if (cells < object || cells >= object + sizeof(Columns))  // many cells, kept apart: ask for them too
      for (std::size_t at = 0; at < s.lane_data[l].size; at += 4) __builtin_prefetch(s.lane_data[l].cells + at);
  }
  for (std::size_t i = 0; i < p.cell_at.size(); ++i) {
    // A cell's period is within its input's periods: the lowering made a poison of the others.
    static const Columns::Cell absent{};
    const std::size_t at = p.cell_at[i];
    i64* digits = s.digits.data() + i * L;
    std::int8_t* places = s.places.data() + i * L;
    std::int8_t key = 0;
    for (std::size_t l = 0; l < L; ++l) {
      const Columns::Cell& c = at < s.lane_data[l].size ? s.lane_data[l].cells[at] : absent;
      const bool fixed = c.state == Columns::State::fixed;
      digits[l] = fixed ? c.digits : kPoison;
      places[l] = fixed ? c.places : std::int8_t{0};
      key = std::max(key, places[l]);
    }
    auto& column_key = s.key[static_cast<std::size_t>(p.columns[i])];
    column_key = std::max(column_key, key);
  }
}

// The registers for `plan` in L lanes: the plan's constants (computed once for a scratch's
// registers), and the values given to terms (staged by stage_terms).
i64* plan_registers(const Program& p, Scratch& s, const Plan& plan, std::size_t L) {
  std::size_t words = static_cast<std::size_t>(plan.registers) * L;
  if (s.regs.size() < words) s.regs.resize(words);
  if (s.consts_for != &plan || s.lanes != L) {
    L == 1 ? exec_one(plan.consts, s.regs.data()) : exec(plan.consts, s.regs.data(), L);
    s.consts_for = &plan, s.lanes = L;
  }
  i64* regs = s.regs.data();
  for (std::size_t j = 0; j < p.terms.size(); ++j)
    if (plan.key[static_cast<std::size_t>(p.column_count) + j] >= 0)
      std::copy_n(s.term_digits.data() + j * L, L, regs + p.terms[j].first * L);
  return regs;
}

// A datum at `scale` decimals: poisoned when it is one (a missing datum, or not a small
// decimal) or does not fit.
inline i64 scaled(i64 digits, int places, int scale) {
  const auto shift = static_cast<std::size_t>(scale - places);
  const i64 fits = kFits[shift];
  const bool bad = (digits > fits) | (digits < -fits);  // kPoison < -fits
  return bad ? kPoison : digits * kPow10[shift];
}

// Runs the L lanes staged in s; then lane l's line k is in register line_nodes[k]. Null when
// no plan fits the data's decimals.
[[gnu::noinline]] const Plan* run_lanes(const Program& p, Scratch& s, std::size_t L) {
  const Plan& plan = plan_for(p, s);
  if (!plan.ok) return nullptr;
  i64* regs = plan_registers(p, s, plan, L);
  // The data, at each column's scale.
  for (const auto& [n, i] : p.inputs) {
    const int scale = plan.cell_scale[i];
    i64* d = regs + n * L;
    const i64* digits = s.digits.data() + i * L;
    const std::int8_t* places = s.places.data() + i * L;
    for (std::size_t l = 0; l < L; ++l) d[l] = scaled(digits[l], places[l], scale);
  }
  exec(plan.code, regs, L);
  return &plan;
}

// One data set: stage_lanes and run_lanes for one lane, without staging the set's digits and
// places for lanes there are not. The key is read straight from the set's cells, and after the
// plan each input's register from its cell. Then line k is in register line_nodes[k]. Null
// when no plan fits the data's decimals.
[[gnu::noinline]] const Plan* run_one(const Program& p, Scratch& s, const Columns& columns) {
  // A cell's period is within its input's periods: the lowering made a poison of the others.
  static const Columns::Cell absent{};
  const bool same_shape = columns.periods == static_cast<std::size_t>(p.periods);
  const Columns::Cell* cells = same_shape ? columns.cells() : nullptr;
  const std::size_t size = same_shape ? columns.size() : 0;
  // Pointers held here: a store to the key (bytes) could alias any vector's own pointers, which
  // the compiler would then load again for every cell.
  const std::size_t* const cell_at = p.cell_at.data();
  const int* const column = p.columns.data();
  std::int8_t* const key = s.key.data();
  auto cell = [&](std::size_t i) -> const Columns::Cell& { return cell_at[i] < size ? cells[cell_at[i]] : absent; };
  std::fill_n(key, p.column_count, std::int8_t{0});
  for (std::size_t i = 0, n = p.cell_at.size(); i < n; ++i) {
    const Columns::Cell& c = cell(i);
    std::int8_t& k = key[column[i]];
    if (c.state == Columns::State::fixed) k = std::max(k, c.places);
  }
  const Plan& plan = plan_for(p, s);
  if (!plan.ok) return nullptr;
  i64* const regs = plan_registers(p, s, plan, 1);
  const int* const cell_scale = plan.cell_scale.data();
  for (const auto& [n, i] : p.inputs) {
    const Columns::Cell& c = cell(i);
    regs[n] = c.state == Columns::State::fixed ? scaled(c.digits, c.places, cell_scale[i]) : kPoison;
  }
  exec_one(plan.code, regs);
  return &plan;
}

}  // namespace

Lowered lower(const checked::Contract& contract) {
  return with_stack(kLowerStack, [&]() -> Lowered {
    try {
      return {Lowerer(contract).run(), {}};
    } catch (const Unsupported& u) {
      return {nullptr, u.reason};
    }
  });
}

std::uint64_t step_bound(const Program& program) { return program.steps; }

int amount_places(const Program& program) { return program.minor_places; }

namespace {

// The program's lines into out.lines, line k paying amount(k), in place: the lines keep their
// memory (a rule's name is copied only where it differs) from one evaluation to the next.
template <typename Amount>
void put_lines(const Program& p, const checked::Contract& c, Evaluation& out, Amount amount) {
  out.lines.reserve(p.lines.size());
  for (std::size_t k = 0; k < p.lines.size(); ++k) {
    const Line& line = p.lines[k];
    PaymentLine& l = k < out.lines.size() ? out.lines[k] : out.lines.emplace_back();
    l.period = line.period, l.payer = line.payer, l.payee = line.payee, l.clause = line.clause;
    l.amount = amount(k);
    const std::string& rule = line.waterfall ? c.waterfalls[static_cast<std::size_t>(line.rule_index)].name
                                             : c.payments[static_cast<std::size_t>(line.rule_index)].name;
    if (l.rule != rule) l.rule = rule;
    l.waterfall = line.waterfall, l.rule_index = line.rule_index, l.trace = -1;
  }
  out.lines.resize(p.lines.size());
}

}  // namespace

bool run(const Program& p, const checked::Contract& c, const Dataset& data, const Columns* columns, const EvalOptions& options,
         ScratchPtr& scratch, Evaluation& out) {
  if (!admitted(p, options)) return false;
  if (!scratch) scratch.reset(new Scratch());
  Scratch& s = *scratch;
  if (!stage_terms(p, options, nullptr, 1, s)) return false;
  if (!columns) read_columns(c, data, s.columns), columns = &s.columns;
  const Plan* plan = run_one(p, s, *columns);
  if (!plan) return false;
  for (int node : p.line_nodes)
    if (s.regs[static_cast<std::size_t>(node)] == kPoison) return false;
  put_lines(p, c, out, [&](std::size_t k) {
    const auto node = static_cast<std::size_t>(p.line_nodes[k]);
    return Number::decimal(s.regs[node], plan->scale[node]);
  });
  return true;
}

std::size_t run_batch(const Program& p, const Columns* const* sets, std::size_t count, const EvalOptions& options,
                      ScratchPtr& scratch, std::int64_t* amounts, std::uint8_t* ok) {
  return run_batch(p, sets, nullptr, count, options, scratch, amounts, ok);
}

std::size_t run_batch(const Program& p, const Columns* const* sets, const EvalOptions* const* terms, std::size_t count,
                      const EvalOptions& options, ScratchPtr& scratch, std::int64_t* amounts, std::uint8_t* ok) {
  std::fill(ok, ok + count, std::uint8_t{0});
  if (!admitted(p, options)) return count;
  if (!scratch) scratch.reset(new Scratch());
  Scratch& s = *scratch;
  const std::size_t lines = p.lines.size();
  // Lanes per chunk: as many as keep the registers within kBatchWords (the plan's registers are
  // not known before its key; the nodes are a lower bound and rescaled copies are few).
  const std::size_t per_lane = std::max<std::size_t>(p.nodes.size() + p.nodes.size() / 4, 1);
  const std::size_t chunk = std::clamp<std::size_t>(kBatchWords / per_lane, 1, kMaxLanes);
  for (std::size_t first = 0; first < count; first += chunk) {
    // A group takes microseconds: looking once per group is soon enough, and costs nothing.
    if (stop_requested(options)) return first;
    const std::size_t L = std::min(chunk, count - first);
    if (!stage_terms(p, options, terms ? terms + first : nullptr, L, s)) return count;
    // One set (a host's Batch of one, the last of a count): the code without loops over lanes.
    const Plan* plan = nullptr;
    if (L == 1) {
      plan = run_one(p, s, *sets[first]);
    } else {
      stage_lanes(p, s, sets + first, L);
      plan = run_lanes(p, s, L);
    }
    if (!plan) continue;
    // Each line in units of 10^-minor_places: exact, as a line is a whole number of minor units.
    s.bad.assign(L, 0);
    for (std::size_t k = 0; k < lines; ++k) {
      const auto node = static_cast<std::size_t>(p.line_nodes[k]);
      const i64* v = s.regs.data() + node * L;
      const int scale = plan->scale[node];
      std::int64_t* out = amounts + first * lines + k;
      if (scale == p.minor_places) {
        for (std::size_t l = 0; l < L; ++l) s.bad[l] |= v[l] == kPoison, out[l * lines] = v[l];
      } else if (scale > p.minor_places) {
        const i64 unit = kPow10[static_cast<std::size_t>(scale - p.minor_places)];
        for (std::size_t l = 0; l < L; ++l) s.bad[l] |= v[l] == kPoison, out[l * lines] = v[l] / unit;
      } else {
        const auto shift = static_cast<std::size_t>(p.minor_places - scale);
        for (std::size_t l = 0; l < L; ++l) {
          const bool over = v[l] > kFits[shift] || v[l] < -kFits[shift];  // kPoison too
          s.bad[l] |= over, out[l * lines] = over ? 0 : v[l] * kPow10[shift];
        }
      }
    }
    for (std::size_t l = 0; l < L; ++l) ok[first + l] = !s.bad[l] && !s.given_up[l];
  }
  return count;
}

std::size_t line_count(const Program& program) { return program.lines.size(); }

void write_lines(const Program& p, const checked::Contract& c, const std::int64_t* amounts, Evaluation& out) {
  put_lines(p, c, out, [&](std::size_t k) { return Number::decimal(amounts[k], p.minor_places); });
}

void ScratchDelete::operator()(Scratch* s) const noexcept { delete s; }

Cache::Cache() = default;
Cache::~Cache() = default;
Cache::Cache(Cache&&) noexcept = default;
Cache& Cache::operator=(Cache&&) noexcept = default;

const Program* Cache::program(const checked::Contract& contract) {
  if (!contract.source) return nullptr;
  bool same = contract_ == &contract && !source_.expired() && !source_.owner_before(contract.source) && !contract.source.owner_before(source_);
  if (!same) {
    // The contract is named only once its program is made: were lowering to throw (out of
    // memory), a cache naming it would give the last contract's program for it.
    contract_ = nullptr, source_.reset(), program_.reset();
    program_ = lower(contract).program;
    contract_ = &contract, source_ = contract.source;
  }
  return program_.get();
}

ScratchPtr& Cache::scratch_for(const Program* program) {
  // By serial, not address: a program freed and another lowered at its address is another.
  std::uint64_t serial = program ? program->serial : 0;
  if (serial != scratch_owner_) scratch_.reset(), scratch_owner_ = serial;
  return scratch_;
}

}  // namespace utfall::fast
