// STUB for the batch-api branch; replaced by the real engine at merge: the previous engine, fitted
// to the new header (see the STUB notes below).
//
// The fixed-point path (see fast_eval.hpp): lower (checked contract -> Program), plan (the data's
// scales -> a scale per node), run (Program + plan + data -> payments, or give up).
//
// The run mirrors the general evaluator (evaluate.cpp) rule by rule: the same memoised
// definitions and payments, evaluated lazily in the same order, so that it meets every value
// and every error the general evaluator would meet; where the general evaluator would report
// an error, this path gives up and lets it. `to_date` is a running sum kept per period.
#include "interpreter/fast_eval.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "stdlib/builtins.hpp"

namespace utfall::fast {
namespace {

using i64 = std::int64_t;
__extension__ typedef __int128 i128;

constexpr int kMaxScale = 18;   // decimals of any value; 10^18 < 2^63
constexpr int kDivPlaces = 6;   // a quotient has 6 decimals more than its dividend

constexpr std::array<i64, kMaxScale + 1> kPow10 = [] {
  std::array<i64, kMaxScale + 1> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

enum class K : std::uint8_t {
  konst, input, term, def, to_date, at, previous, over_periods,
  add, sub, mul, div, neg, min, max, abs, clamp,
  less, less_equal, greater, greater_equal, equal, not_equal, logical_and, logical_or, logical_not,
  branch, round, payment, waterfall,
};

// One expression node. Operands are node indices (a, b, c); what each field means per kind is
// written where `lower` builds it.
struct Node {
  K kind;
  RoundingMode mode = RoundingMode::half_even;
  int a = -1, b = -1, c = -1;
  i64 k = 0;
};

struct Rounding {
  int step = -1;  // node; -1: none
  RoundingMode mode = RoundingMode::half_even;
};

struct PaymentRule {
  int amount = -1, condition = -1, floor = -1, cap_period = -1, cap_total = -1;
  Rounding rounding;
  bool netted = false;
  int first = 0, last = 0;
};

struct TierRule {
  checked::Tier::Kind kind;
  int amount = -1, cap = -1;
  Rounding rounding;
  int payee = 0;  // position among the waterfall's payees
};

struct WaterfallRule {
  int pool = -1;
  int first = 0, last = 0;
  bool netted = false;
  std::vector<TierRule> tiers;
  int payees = 0;
  int offset = 0;  // of its payees in the per-payee arrays of Scratch
};

// Thrown to give up a run; caught in `run`.
struct GiveUp {};
// Thrown by `lower` for a contract this path does not support.
struct Unsupported {
  std::string reason;
};

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

}  // namespace

struct Program {
  std::vector<Node> nodes;
  std::vector<int> args;   // arguments of min/max: node.a is the first, node.b the count
  std::vector<int> terms;  // root node of each term
  std::vector<int> defs;   // root node of each definition
  std::vector<PaymentRule> payments;
  std::vector<WaterfallRule> waterfalls;
  std::vector<int> inputs;  // the series inputs read, by position; Node::a of an input is the position
  int to_dates = 0;         // memo slots of to_date nodes
  int payee_slots = 0;
  int periods = 0;
  i64 minor_digits = 1;  // the minor unit as digits * 10^-minor_places
  int minor_places = 0;
  std::uint64_t steps = 0;  // step_bound
};

namespace {

// ---------------------------------------------------------------- lower

class Lowerer {
 public:
  explicit Lowerer(const checked::Contract& c) : c_(c) {}

  std::unique_ptr<Program> run() {
    auto p = std::make_unique<Program>();
    p_ = p.get();
    p->periods = static_cast<int>(c_.periods.size());
    auto minor = c_.minor_unit.to_decimal64();
    if (!minor || minor->digits <= 0) throw Unsupported{"the minor unit is not a small decimal"};
    p->minor_digits = minor->digits, p->minor_places = minor->places;
    input_pos_.assign(c_.inputs.size(), -1);
    std::uint64_t once = 0, per_period = 0;  // the general evaluator's steps: once, and per period
    for (const auto& t : c_.terms) p->terms.push_back(expr(*t.value)), once = sat_add(once, cost(*t.value));
    for (const auto& d : c_.defs) p->defs.push_back(expr(*d.value)), per_period = sat_add(per_period, cost(*d.value));
    for (const auto& pay : c_.payments) {
      if (pay.set >= 0) throw Unsupported{"a payment per participant"};
      PaymentRule r;
      r.amount = expr(*pay.amount);
      r.condition = opt(pay.condition);
      r.floor = opt(pay.floor);
      r.cap_period = opt(pay.cap_period);
      r.cap_total = opt(pay.cap_total);
      if (pay.cap_participant || pay.filter) throw Unsupported{"a cap or filter per participant"};
      if (pay.rounding) r.rounding = {expr(*pay.rounding->step), pay.rounding->mode};
      r.netted = pay.netted;
      r.first = pay.periods.first, r.last = pay.periods.last;
      p->payments.push_back(r);
      for (const checked::Expr* e : {pay.amount.get(), pay.condition.get(), pay.floor.get(), pay.cap_period.get(), pay.cap_total.get(),
                                     pay.rounding ? pay.rounding->step.get() : nullptr})
        if (e) per_period = sat_add(per_period, cost(*e));
    }
    for (const auto& fall : c_.waterfalls) {
      WaterfallRule r;
      r.pool = expr(*fall.pool);
      per_period = sat_add(per_period, cost(*fall.pool));
      r.first = fall.periods.first, r.last = fall.periods.last;
      r.netted = fall.netted;
      r.payees = static_cast<int>(fall.payees.size());
      r.offset = p->payee_slots;
      p->payee_slots += r.payees;
      for (const auto& tier : fall.tiers) {
        TierRule tr;
        tr.kind = tier.kind;
        tr.amount = opt(tier.amount);
        tr.cap = opt(tier.cap);
        if (tier.rounding) tr.rounding = {expr(*tier.rounding->step), tier.rounding->mode};
        auto pos = std::find(fall.payees.begin(), fall.payees.end(), tier.payee);
        tr.payee = static_cast<int>(pos - fall.payees.begin());  // a tier to the payer itself has no position
        r.tiers.push_back(tr);
        for (const checked::Expr* e : {tier.amount.get(), tier.cap.get(), tier.rounding ? tier.rounding->step.get() : nullptr})
          if (e) per_period = sat_add(per_period, cost(*e));
      }
      p->waterfalls.push_back(std::move(r));
    }
    p->steps = sat_add(once, sat_mul(per_period, static_cast<std::uint64_t>(p->periods)));
    return p;
  }

 private:
  const checked::Contract& c_;
  Program* p_ = nullptr;
  std::vector<int> input_pos_;

  int add(Node n) {
    p_->nodes.push_back(n);
    return static_cast<int>(p_->nodes.size()) - 1;
  }
  int opt(const checked::ExprPtr& e) { return e ? expr(*e) : -1; }
  static bool numeric_or_boolean(const checked::Expr& e) { return e.type.kind == TypeKind::number || e.type.kind == TypeKind::boolean; }

  int expr(const checked::Expr& e) {
    return std::visit([&](const auto& n) -> int { return node(n, e); }, e.node);
  }

  int node(const checked::Const& n, const checked::Expr&) {
    if (const auto* b = std::get_if<bool>(&n.value)) return add({K::konst, {}, 0, -1, -1, *b ? 1 : 0});
    const auto* num = std::get_if<Number>(&n.value);
    if (!num) throw Unsupported{"a constant that is not a number"};
    auto d = num->to_decimal64();
    if (!d) throw Unsupported{"a constant that is not a small decimal"};
    return add({K::konst, {}, d->places, -1, -1, d->digits});  // a: its scale
  }
  int node(const checked::InputRef& n, const checked::Expr& e) {
    const auto& in = c_.inputs[n.input];
    if (in.participants || e.type.kind != TypeKind::number) throw Unsupported{"an input that is not a series of numbers"};
    int& pos = input_pos_[n.input];
    if (pos < 0) pos = static_cast<int>(p_->inputs.size()), p_->inputs.push_back(n.input);
    return add({K::input, {}, pos, n.input});
  }
  int node(const checked::TermRef& n, const checked::Expr& e) {
    if (!numeric_or_boolean(e)) throw Unsupported{"a term that is not a number"};
    return add({K::term, {}, n.term});
  }
  int node(const checked::DefRef& n, const checked::Expr& e) {
    if (!numeric_or_boolean(e)) throw Unsupported{"a definition that is not a number"};
    return add({K::def, {}, n.def});
  }
  int node(const checked::PaymentRef& n, const checked::Expr&) { return add({K::payment, {}, n.payment}); }
  int node(const checked::WaterfallRef& n, const checked::Expr&) { return add({K::waterfall, {}, n.waterfall}); }
  int node(const checked::FieldRef&, const checked::Expr&) { throw Unsupported{"participants"}; }
  int node(const checked::ParticipantDefRef&, const checked::Expr&) { throw Unsupported{"participants"}; }
  int node(const checked::OverParticipants&, const checked::Expr&) { throw Unsupported{"participants"}; }
  int node(const checked::TableLookup&, const checked::Expr&) { throw Unsupported{"a table"}; }
  int node(const checked::CurrentPeriod&, const checked::Expr&) { throw Unsupported{"a period as a value"}; }
  int node(const checked::Unary& n, const checked::Expr&) {
    int a = expr(*n.operand);
    return add({n.op == checked::Op::negate ? K::neg : K::logical_not, {}, a});
  }
  int node(const checked::Binary& n, const checked::Expr&) {
    using checked::Op;
    if (!numeric_or_boolean(*n.lhs) || !numeric_or_boolean(*n.rhs)) throw Unsupported{"an operation on periods or text"};
    K kind;
    switch (n.op) {
      case Op::add: kind = K::add; break;
      case Op::subtract: kind = K::sub; break;
      case Op::multiply: kind = K::mul; break;
      case Op::divide: kind = K::div; break;
      case Op::less: kind = K::less; break;
      case Op::less_equal: kind = K::less_equal; break;
      case Op::greater: kind = K::greater; break;
      case Op::greater_equal: kind = K::greater_equal; break;
      case Op::equal: kind = K::equal; break;
      case Op::not_equal: kind = K::not_equal; break;
      case Op::logical_and: kind = K::logical_and; break;
      case Op::logical_or: kind = K::logical_or; break;
      default: throw Unsupported{"an operation on periods"};
    }
    int a = expr(*n.lhs), b = expr(*n.rhs);
    return add({kind, {}, a, b});
  }
  int node(const checked::If& n, const checked::Expr& e) {
    if (!numeric_or_boolean(e)) throw Unsupported{"an `if` of periods or text"};
    int a = expr(*n.condition), b = expr(*n.then_branch), c = expr(*n.else_branch);
    return add({K::branch, {}, a, b, c});
  }
  int node(const checked::Builtin& n, const checked::Expr&) {
    std::string_view name = stdlib::builtins()[n.id].name;
    std::vector<int> args;
    for (const auto& a : n.args) args.push_back(expr(*a));
    if (name == "abs" && args.size() == 1) return add({K::abs, {}, args[0]});
    if (name == "clamp" && args.size() == 3) return add({K::clamp, {}, args[0], args[1], args[2]});
    if ((name == "min" || name == "max") && !args.empty()) {
      int first = static_cast<int>(p_->args.size());
      p_->args.insert(p_->args.end(), args.begin(), args.end());
      return add({name == "min" ? K::min : K::max, {}, first, static_cast<int>(args.size())});
    }
    throw Unsupported{"the builtin " + std::string(name)};
  }
  int node(const checked::Round& n, const checked::Expr&) {
    int a = expr(*n.operand), b = expr(*n.step);
    Node r{K::round, n.mode, a, b};
    return add(r);
  }
  int node(const checked::ToDate& n, const checked::Expr&) {
    int a = expr(*n.operand);
    return add({K::to_date, {}, a, p_->to_dates++});  // b: its memo slot
  }
  int node(const checked::Previous& n, const checked::Expr&) {
    int a = expr(*n.operand), b = expr(*n.fallback);
    return add({K::previous, {}, a, b});
  }
  int node(const checked::At& n, const checked::Expr&) {
    int a = expr(*n.operand);
    return add({K::at, {}, a, n.period});
  }
  int node(const checked::OverPeriods& n, const checked::Expr&) {
    int a = expr(*n.body);
    return add({K::over_periods, {}, a, n.first, n.last});
  }

  // The most steps the general evaluator takes on `e` in one period, not counting the
  // definitions, terms and payments it refers to (each of those is evaluated once per period,
  // or once, and counted as such by `run`).
  std::uint64_t cost(const checked::Expr& e) const {
    auto P = static_cast<std::uint64_t>(c_.periods.size());
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

// The scale of every node for one set of data scales (one per input column). Derived as the
// least fixed point of the rules below (definitions may refer to themselves in earlier
// periods); `ok` is false when some value would need more than kMaxScale decimals.
struct Plan {
  std::vector<std::int8_t> key;  // the data scales it was made for
  bool ok = false;
  std::vector<std::int8_t> node, term, def, payment, waterfall;
};

void make_plan(const Program& p, Plan& plan) {
  plan.ok = false;
  plan.node.assign(p.nodes.size(), 0);
  plan.term.assign(p.terms.size(), 0);
  plan.def.assign(p.defs.size(), 0);
  plan.payment.assign(p.payments.size(), 0);
  plan.waterfall.assign(p.waterfalls.size(), 0);
  auto& s = plan.node;
  auto sc = [&](int n) { return n < 0 ? 0 : static_cast<int>(s[n]); };
  bool changed = true;
  auto raise = [&](std::int8_t& slot, int v) {
    if (v > slot) slot = static_cast<std::int8_t>(std::min(v, kMaxScale + 1)), changed = true;
  };
  auto rounded = [&](int value_scale, const Rounding& r) { return r.step >= 0 ? sc(r.step) : value_scale; };
  for (int pass = 0; changed; ++pass) {
    if (pass > 64 * (kMaxScale + 1)) return;
    changed = false;
    for (std::size_t i = 0; i < p.nodes.size(); ++i) {
      const Node& n = p.nodes[i];
      int v = 0;
      switch (n.kind) {
        case K::konst: v = n.a; break;
        case K::input: v = plan.key[n.a]; break;
        case K::term: v = plan.term[n.a]; break;
        case K::def: v = plan.def[n.a]; break;
        case K::to_date: case K::at: case K::over_periods: case K::neg: case K::abs: v = sc(n.a); break;
        case K::previous: case K::add: case K::sub: v = std::max(sc(n.a), sc(n.b)); break;
        case K::clamp: v = std::max({sc(n.a), sc(n.b), sc(n.c)}); break;
        case K::branch: v = std::max(sc(n.b), sc(n.c)); break;
        case K::min: case K::max:
          for (int j = 0; j < n.b; ++j) v = std::max(v, sc(p.args[n.a + j]));
          break;
        case K::mul: v = sc(n.a) + sc(n.b); break;
        case K::div: v = sc(n.a) + kDivPlaces; break;
        case K::round: v = sc(n.b); break;
        case K::payment: v = plan.payment[n.a]; break;
        case K::waterfall: v = plan.waterfall[n.a]; break;
        default: v = 0; break;  // comparisons and logic: 0 or 1
      }
      raise(s[i], v);
    }
    for (std::size_t i = 0; i < p.terms.size(); ++i) raise(plan.term[i], sc(p.terms[i]));
    for (std::size_t i = 0; i < p.defs.size(); ++i) raise(plan.def[i], sc(p.defs[i]));
    for (std::size_t i = 0; i < p.payments.size(); ++i) {
      const auto& r = p.payments[i];
      raise(plan.payment[i], std::max({rounded(sc(r.amount), r.rounding), sc(r.floor), sc(r.cap_period), sc(r.cap_total)}));
    }
    // A waterfall's amounts share one scale: that of the pool, limits, caps and rounding
    // steps, plus the decimals of each share that is not rounded (each such share adds its
    // decimals to what is left; the run checks that they come back out exactly).
    for (std::size_t i = 0; i < p.waterfalls.size(); ++i) {
      const auto& r = p.waterfalls[i];
      int base = sc(r.pool), extra = 0;
      for (const auto& t : r.tiers) {
        if (t.kind == checked::Tier::Kind::up_to) base = std::max(base, sc(t.amount));
        if (t.rounding.step >= 0) base = std::max(base, sc(t.rounding.step));
        else if (t.kind == checked::Tier::Kind::share_of_rest) extra += sc(t.amount);
        base = std::max(base, sc(t.cap));
      }
      raise(plan.waterfall[i], base + extra);
    }
  }
  auto within = [](const std::vector<std::int8_t>& v) { return std::all_of(v.begin(), v.end(), [](std::int8_t x) { return x <= kMaxScale; }); };
  // A share of the rest is computed at its own scale plus the waterfall's before rounding.
  for (std::size_t i = 0; i < p.waterfalls.size(); ++i)
    for (const auto& t : p.waterfalls[i].tiers)
      if (t.kind == checked::Tier::Kind::share_of_rest && sc(t.amount) + plan.waterfall[i] > kMaxScale) return;
  for (const auto& n : p.nodes)
    if (n.kind == K::div && kDivPlaces + sc(n.b) > kMaxScale) return;
  plan.ok = within(plan.node) && within(plan.term) && within(plan.def) && within(plan.payment) && within(plan.waterfall);
}

}  // namespace

// ---------------------------------------------------------------- run

struct Scratch {
  std::vector<Plan> plans;  // a few, for the shapes of data seen last
  std::size_t next_plan = 0;
  std::vector<std::int8_t> key;
  std::vector<Number::Decimal64> raw;  // [position * periods + t]
  std::vector<i64> input;              // the same, at the column's scale
  std::vector<char> present;
  // The memory of a run, in two arenas (values and flags) that `reset` zeroes in one stroke
  // each; the pointers below are slices of them.
  std::vector<i64> words;
  std::vector<char> flags;
  i64* term;
  char* term_state;  // 0 not computed, 1 computing, 2 computed
  i64* def;          // [def * periods + t]
  char* def_state;
  i64* to_date;  // [slot * periods + t]: the running sum
  i64* to_date_done;
  char* to_date_busy;
  i64* paid;  // [payment * periods + t]
  char* paid_applies;
  i64* paid_sum;  // what each payment paid in the periods computed so far
  i64* paid_count;
  char* paid_busy;
  i64* fall_paid;     // [(offset + payee) * periods + t]
  char* fall_applies;  // [waterfall * periods + t]
  i64 *entitled, *earlier;  // [offset + payee]
  i64* fall_count;
  char* fall_busy;
};

namespace {

i64 checked_add(i64 a, i64 b) {
  i64 r;
  if (__builtin_add_overflow(a, b, &r)) throw GiveUp{};
  return r;
}
i64 checked_sub(i64 a, i64 b) {
  i64 r;
  if (__builtin_sub_overflow(a, b, &r)) throw GiveUp{};
  return r;
}
i64 checked_mul(i64 a, i64 b) {
  i64 r;
  if (__builtin_mul_overflow(a, b, &r)) throw GiveUp{};
  return r;
}
// v at a scale `up` decimals finer.
i64 rescale(i64 v, int up) {
  if (up == 0) return v;
  if (up < 0 || up > kMaxScale) throw GiveUp{};  // the plan never asks for this
  return checked_mul(v, kPow10[up]);
}

class Runner {
 public:
  Runner(const Program& p, const Plan& plan, const checked::Contract& c, Scratch& s)
      : p_(p), s_(plan.node), plan_(plan), c_(c), m_(s), P_(p.periods) {}

  void run() {
    for (int t = 0; t < P_; ++t) {
      for (std::size_t i = 0; i < p_.payments.size(); ++i) payment(static_cast<int>(i), t);
      for (std::size_t i = 0; i < p_.waterfalls.size(); ++i) waterfall(static_cast<int>(i), t);
    }
  }

  // Leaves (constants, data, terms already computed) inline; the rest in `node`.
  i64 eval(int i, int t) {
    const Node& n = p_.nodes[static_cast<std::size_t>(i)];
    if (n.kind == K::konst) return n.k;
    if (n.kind == K::input && t >= 0 && t < P_) {
      std::size_t c = cell(n.a, t);
      if (m_.present[c]) return m_.input[c];
    }
    if (n.kind == K::term && m_.term_state[n.a] == 2) return m_.term[n.a];
    // Nesting through definitions, payments and periods is bounded here as the general
    // evaluator bounds it (E703); past the bound, the general evaluator runs and reports it.
    if (depth_ >= kMaxDepth) throw GiveUp{};
    ++depth_;
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    return node(n, i, t);
  }
  i64 node(const Node& n, int i, int t);

  // Node i's value at `scale` (>= its own).
  i64 at(int i, int t, int scale) { return rescale(eval(i, t), scale - s_[i]); }
  int sc(int i) const { return s_[i]; }

 private:
  const Program& p_;
  const std::vector<std::int8_t>& s_;
  const Plan& plan_;
  const checked::Contract& c_;
  Scratch& m_;
  int P_;
  int depth_ = 0;
  static constexpr int kMaxDepth = 1000;  // frames of `node`, well inside any thread's stack

  std::size_t cell(int row, int t) const { return static_cast<std::size_t>(row) * static_cast<std::size_t>(P_) + static_cast<std::size_t>(t); }
  void need_period(int t) const {
    if (t < 0 || t >= P_) throw GiveUp{};  // the general evaluator reports it (E604)
  }

  // x (at scale sx) rounded to a multiple of the step node's value; at the step's scale.
  i64 round(i64 x, int sx, int step, RoundingMode mode, int t) {
    i64 k = eval(step, t);
    int ss = s_[step];
    if (k <= 0) throw GiveUp{};  // E603
    int S = std::max(sx, ss);
    i64 X = rescale(x, S - sx), KS = rescale(k, S - ss);
    i64 q = X / KS, r = X % KS;
    if (r < 0) --q, r += KS;
    i128 twice = static_cast<i128>(r) * 2;
    int half = twice < KS ? -1 : twice > KS ? 1 : 0;
    if (rounds_to_next(mode, r == 0, half, q < 0, (q & 1) != 0)) q = checked_add(q, 1);
    return checked_mul(q, k);
  }

  // The general evaluator's E602: an amount (at scale `scale`) that is not a whole number of
  // minor units.
  void exact_in_minor_unit(i64 amount, int scale) const {
    // A minor unit of 10^-places divides every amount with no more decimals than that.
    if (p_.minor_digits == 1 && scale <= p_.minor_places) return;
    int common = std::max(scale, p_.minor_places);
    i128 a = static_cast<i128>(amount) * kPow10[common - scale];
    i128 m = static_cast<i128>(p_.minor_digits) * kPow10[common - p_.minor_places];
    if (a % m != 0) throw GiveUp{};
  }

  i64 payment_paid(int i, int t) {
    need_period(t);
    if (m_.paid_count[i] <= t) {
      if (m_.paid_busy[i]) throw GiveUp{};  // E901
      m_.paid_busy[i] = 1;
      for (int s = static_cast<int>(m_.paid_count[i]); s <= t; ++s) payment(i, s);
      m_.paid_busy[i] = 0;
    }
    return m_.paid[cell(i, t)];
  }
  i64 waterfall_paid(int w, int t) {
    need_period(t);
    if (m_.fall_count[w] <= t) {
      if (m_.fall_busy[w]) throw GiveUp{};  // E901
      m_.fall_busy[w] = 1;
      for (int s = static_cast<int>(m_.fall_count[w]); s <= t; ++s) waterfall(w, s);
      m_.fall_busy[w] = 0;
    }
    const auto& r = p_.waterfalls[w];
    i64 sum = 0;
    for (int k = 0; k < r.payees; ++k) sum = checked_add(sum, m_.fall_paid[cell(r.offset + k, t)]);
    return sum;
  }
  void payment(int i, int t);
  void waterfall(int w, int t);
};

i64 Runner::node(const Node& n, int i, int t) {
  switch (n.kind) {
    case K::konst: return n.k;
    case K::input: {
      need_period(t);
      std::size_t c = cell(n.a, t);
      if (!m_.present[c]) throw GiveUp{};  // E531
      return m_.input[c];
    }
    case K::term: {
      char& st = m_.term_state[n.a];
      if (st == 2) return m_.term[n.a];
      if (st == 1) throw GiveUp{};
      st = 1;
      m_.term[n.a] = at(p_.terms[n.a], -1, plan_.term[n.a]);
      st = 2;
      return m_.term[n.a];
    }
    case K::def: {
      need_period(t);
      std::size_t c = cell(n.a, t);
      char& st = m_.def_state[c];
      if (st == 2) return m_.def[c];
      if (st == 1) throw GiveUp{};  // E901
      st = 1;
      i64 v = at(p_.defs[n.a], t, plan_.def[n.a]);
      m_.def[c] = v;
      m_.def_state[c] = 2;
      return v;
    }
    case K::to_date: {
      need_period(t);
      i64& done = m_.to_date_done[n.b];
      if (done <= t) {
        if (m_.to_date_busy[n.b]) throw GiveUp{};
        m_.to_date_busy[n.b] = 1;
        for (; done <= t; ++done) {
          int s = static_cast<int>(done);
          i64 prev = s == 0 ? 0 : m_.to_date[cell(n.b, s - 1)];
          m_.to_date[cell(n.b, s)] = checked_add(prev, eval(n.a, s));
        }
        m_.to_date_busy[n.b] = 0;
      }
      return m_.to_date[cell(n.b, t)];
    }
    case K::at: return eval(n.a, n.b);
    case K::previous:
      need_period(t);
      return t == 0 ? at(n.b, t, s_[i]) : at(n.a, t - 1, s_[i]);
    case K::over_periods: {
      i64 sum = 0;
      for (int s = n.b; s <= n.c; ++s) sum = checked_add(sum, eval(n.a, s));
      return sum;
    }
    case K::add: return checked_add(at(n.a, t, s_[i]), at(n.b, t, s_[i]));
    case K::sub: return checked_sub(at(n.a, t, s_[i]), at(n.b, t, s_[i]));
    case K::mul: return checked_mul(eval(n.a, t), eval(n.b, t));
    case K::div: {
      // a / b at scale sa + kDivPlaces: A * 10^(kDivPlaces + sb) / B, when exact.
      i64 a = eval(n.a, t), b = eval(n.b, t);
      if (b == 0) throw GiveUp{};  // E601
      i128 num = static_cast<i128>(a) * kPow10[kDivPlaces + s_[n.b]];
      if (num % b != 0) throw GiveUp{};
      i128 q = num / b;
      if (q > std::numeric_limits<i64>::max() || q < std::numeric_limits<i64>::min()) throw GiveUp{};
      return static_cast<i64>(q);
    }
    case K::neg: return checked_sub(0, eval(n.a, t));
    case K::abs: {
      i64 v = eval(n.a, t);
      return v < 0 ? checked_sub(0, v) : v;
    }
    case K::min: case K::max: {
      i64 best = at(p_.args[n.a], t, s_[i]);
      for (int j = 1; j < n.b; ++j) {
        i64 v = at(p_.args[n.a + j], t, s_[i]);
        best = n.kind == K::min ? std::min(best, v) : std::max(best, v);
      }
      return best;
    }
    case K::clamp: {
      i64 x = at(n.a, t, s_[i]), lo = at(n.b, t, s_[i]), hi = at(n.c, t, s_[i]);
      if (hi < lo) throw GiveUp{};  // E606
      return std::min(std::max(x, lo), hi);
    }
    case K::less: case K::less_equal: case K::greater: case K::greater_equal: case K::equal: case K::not_equal: {
      int common = std::max(s_[n.a], s_[n.b]);
      i64 a = at(n.a, t, common), b = at(n.b, t, common);
      switch (n.kind) {
        case K::less: return a < b;
        case K::less_equal: return a <= b;
        case K::greater: return a > b;
        case K::greater_equal: return a >= b;
        case K::equal: return a == b;
        default: return a != b;
      }
    }
    case K::logical_and: return eval(n.a, t) != 0 && eval(n.b, t) != 0;
    case K::logical_or: return eval(n.a, t) != 0 || eval(n.b, t) != 0;
    case K::logical_not: return eval(n.a, t) == 0;
    case K::branch: return eval(n.a, t) != 0 ? at(n.b, t, s_[i]) : at(n.c, t, s_[i]);
    case K::round: return round(eval(n.a, t), s_[n.a], n.b, n.mode, t);
    case K::payment: return payment_paid(n.a, t);
    case K::waterfall: return waterfall_paid(n.a, t);
  }
  throw GiveUp{};
}

// As Evaluator::compute_payment: rounding, netting, floor and caps, in that order.
void Runner::payment(int i, int t) {
  const auto& r = p_.payments[i];
  const int P = plan_.payment[i];
  bool in_range = t >= r.first && t <= r.last;
  i64 before = m_.paid_sum[i];
  bool applies = in_range && (r.condition < 0 || eval(r.condition, t) != 0);
  i64 amount = 0;
  if (applies) {
    if (r.rounding.step >= 0) amount = rescale(round(eval(r.amount, t), s_[r.amount], r.rounding.step, r.rounding.mode, t), P - s_[r.rounding.step]);
    else amount = at(r.amount, t, P);
    if (r.netted) amount = std::max<i64>(checked_sub(amount, before), 0);
    if (r.floor >= 0) amount = std::max(amount, at(r.floor, t, P));
    if (r.cap_period >= 0) amount = std::min(amount, at(r.cap_period, t, P));
    if (r.cap_total >= 0) amount = std::min(amount, std::max<i64>(checked_sub(at(r.cap_total, t, P), before), 0));
    if (amount < 0) throw GiveUp{};  // E608
    exact_in_minor_unit(amount, P);
  }
  m_.paid[cell(i, t)] = amount;
  m_.paid_applies[cell(i, t)] = applies || in_range;
  m_.paid_sum[i] = checked_add(before, amount);
  m_.paid_count[i] = t + 1;
}

// As Evaluator::compute_waterfall: each tier takes its part of what is left of the pool.
void Runner::waterfall(int w, int t) {
  using TK = checked::Tier::Kind;
  const auto& r = p_.waterfalls[w];
  const int W = plan_.waterfall[w];
  bool applies = t >= r.first && t <= r.last;
  for (int k = 0; k < r.payees; ++k) m_.fall_paid[cell(r.offset + k, t)] = 0;
  if (applies) {
    i64 remaining = std::max<i64>(at(r.pool, t, W), 0);
    for (int k = 0; k < r.payees; ++k) m_.entitled[r.offset + k] = 0;
    for (const auto& tier : r.tiers) {
      i64 a;
      int sa = W;
      if (tier.kind == TK::up_to) {
        a = std::min(remaining, std::max<i64>(at(tier.amount, t, W), 0));
      } else if (tier.kind == TK::share_of_rest) {
        a = checked_mul(eval(tier.amount, t), remaining);
        sa = s_[tier.amount] + W;
      } else {
        a = remaining;
      }
      if (tier.rounding.step >= 0) a = round(a, sa, tier.rounding.step, tier.rounding.mode, t), sa = s_[tier.rounding.step];
      if (sa > W) {  // an unrounded share: back to the waterfall's scale, when exact
        i64 unit = kPow10[sa - W];
        if (a % unit != 0) throw GiveUp{};
        a /= unit, sa = W;
      }
      a = rescale(a, W - sa);
      if (tier.cap >= 0) a = std::min(a, at(tier.cap, t, W));
      a = std::max<i64>(std::min(a, remaining), 0);
      remaining -= a;
      if (tier.payee < r.payees) m_.entitled[r.offset + tier.payee] = checked_add(m_.entitled[r.offset + tier.payee], a);
    }
    for (int k = 0; k < r.payees; ++k) {
      i64 a = m_.entitled[r.offset + k];
      if (r.netted) a = std::max<i64>(checked_sub(a, m_.earlier[r.offset + k]), 0);
      exact_in_minor_unit(a, W);
      m_.fall_paid[cell(r.offset + k, t)] = a;
    }
  }
  for (int k = 0; k < r.payees; ++k) m_.earlier[r.offset + k] = checked_add(m_.earlier[r.offset + k], m_.fall_paid[cell(r.offset + k, t)]);
  m_.fall_applies[cell(w, t)] = applies;
  m_.fall_count[w] = t + 1;
}

// Reads the data into int64 at each column's scale (the most decimals present in it) and
// gives the plan for those scales; null when the data does not fit or no plan does.
const Plan* load(const Program& p, const checked::Contract& c, const Dataset& data, Scratch& s) {
  const int P = p.periods;
  const std::size_t cells = p.inputs.size() * static_cast<std::size_t>(P);
  s.raw.resize(cells);
  s.input.resize(cells);
  s.present.assign(cells, 0);
  s.key.assign(p.inputs.size(), 0);
  for (std::size_t pos = 0; pos < p.inputs.size(); ++pos) {
    int idx = p.inputs[pos];
    const auto& in = c.inputs[static_cast<std::size_t>(idx)];
    if (static_cast<std::size_t>(idx) >= data.series.size()) continue;
    const auto& series = data.series[static_cast<std::size_t>(idx)];
    int places = 0;
    for (int t = std::max(in.first, 0); t <= in.last && t < P && static_cast<std::size_t>(t) < series.size(); ++t) {
      if (!series[t]) continue;
      const auto* n = std::get_if<Number>(&*series[t]);
      if (!n) return nullptr;
      auto d = n->to_decimal64();
      if (!d) return nullptr;
      std::size_t cell = pos * static_cast<std::size_t>(P) + static_cast<std::size_t>(t);
      s.raw[cell] = *d;
      s.present[cell] = 1;
      places = std::max(places, d->places);
    }
    s.key[pos] = static_cast<std::int8_t>(places);
    for (int t = 0; t < P; ++t) {
      std::size_t cell = pos * static_cast<std::size_t>(P) + static_cast<std::size_t>(t);
      if (s.present[cell]) s.input[cell] = rescale(s.raw[cell].digits, places - s.raw[cell].places);
    }
  }
  for (const auto& plan : s.plans)
    if (plan.key == s.key) return plan.ok ? &plan : nullptr;
  if (s.plans.size() < 4) s.plans.emplace_back();
  Plan& plan = s.plans[s.next_plan++ % s.plans.size()];
  plan.key = s.key;
  make_plan(p, plan);
  return plan.ok ? &plan : nullptr;
}

void reset(const Program& p, Scratch& s) {
  const auto P = static_cast<std::size_t>(p.periods);
  const std::size_t terms = p.terms.size(), defs = p.defs.size(), dates = static_cast<std::size_t>(p.to_dates),
                    pays = p.payments.size(), falls = p.waterfalls.size(), slots = static_cast<std::size_t>(p.payee_slots);
  s.words.assign(terms + defs * P + dates * (P + 1) + pays * (P + 2) + slots * (P + 2) + falls, 0);
  s.flags.assign(terms + defs * P + dates + pays * (P + 1) + falls * (P + 1), 0);
  i64* w = s.words.data();
  char* f = s.flags.data();
  auto words = [&w](std::size_t n) { return std::exchange(w, w + n); };
  auto flags = [&f](std::size_t n) { return std::exchange(f, f + n); };
  s.term = words(terms), s.term_state = flags(terms);
  s.def = words(defs * P), s.def_state = flags(defs * P);
  s.to_date = words(dates * P), s.to_date_done = words(dates), s.to_date_busy = flags(dates);
  s.paid = words(pays * P), s.paid_applies = flags(pays * P), s.paid_sum = words(pays), s.paid_count = words(pays), s.paid_busy = flags(pays);
  s.fall_paid = words(slots * P), s.fall_applies = flags(falls * P), s.entitled = words(slots), s.earlier = words(slots);
  s.fall_count = words(falls), s.fall_busy = flags(falls);
}

// As evaluate.cpp's emit: line n of `out`, its memory reused.
void emit(Evaluation& out, std::size_t& n, int t, int payer, int payee, i64 amount, int scale, int clause, const std::string& rule,
          bool waterfall, int rule_index) {
  PaymentLine& l = n < out.lines.size() ? out.lines[n] : out.lines.emplace_back();
  ++n;
  l.period = t, l.payer = payer, l.payee = payee, l.amount = Number::fraction(amount, kPow10[scale]), l.clause = clause;
  if (l.rule != rule) l.rule = rule;
  l.waterfall = waterfall, l.rule_index = rule_index, l.trace = -1;
}

}  // namespace

Lowered lower(const checked::Contract& contract) {
  try {
    return {Lowerer(contract).run(), {}};
  } catch (const Unsupported& u) {
    return {nullptr, u.reason};
  }
}

std::uint64_t step_bound(const Program& program) { return program.steps; }

// STUB for the batch-api branch; replaced by the real engine at merge. `columns` is ignored (the
// data is read from `data`, as before); run_batch gives every set to the general evaluator.
bool run(const Program& p, const checked::Contract& c, const Dataset& data, const Columns* /*columns*/, const EvalOptions& options,
         std::unique_ptr<Scratch>& scratch, Evaluation& out) {
  if (options.trace || !options.term_overrides.empty()) return false;
  // Every int64 has at most 20 digits by Number::decimal_digits' measure (19, and 20 for -2^63).
  if (p.steps > options.limits.max_steps || options.limits.max_digits < 20) return false;
  if (!scratch) scratch = std::make_unique<Scratch>();
  Scratch& s = *scratch;
  try {
    const Plan* plan = load(p, c, data, s);
    if (!plan) return false;
    reset(p, s);
    Runner(p, *plan, c, s).run();
    // Lines by period, then by clause, payments before waterfalls within a clause (as run() in
    // evaluate.cpp).
    std::size_t lines = 0;
    const int P = p.periods;
    for (int t = 0; t < P; ++t) {
      for (std::size_t ci = 0; ci < c.clauses.size(); ++ci) {
        for (std::size_t i = 0; i < c.payments.size(); ++i) {
          const auto& pay = c.payments[i];
          std::size_t cell = i * static_cast<std::size_t>(P) + static_cast<std::size_t>(t);
          if (pay.clause != static_cast<int>(ci) || !s.paid_applies[cell]) continue;
          emit(out, lines, t, pay.payer, pay.payee, s.paid[cell], plan->payment[i], pay.clause, pay.name, false, static_cast<int>(i));
        }
        for (std::size_t w = 0; w < c.waterfalls.size(); ++w) {
          const auto& fall = c.waterfalls[w];
          if (fall.clause != static_cast<int>(ci) || !s.fall_applies[w * static_cast<std::size_t>(P) + static_cast<std::size_t>(t)]) continue;
          const auto& r = p.waterfalls[w];
          for (int k = 0; k < r.payees; ++k)
            emit(out, lines, t, fall.payer, fall.payees[static_cast<std::size_t>(k)],
                 s.fall_paid[static_cast<std::size_t>(r.offset + k) * static_cast<std::size_t>(P) + static_cast<std::size_t>(t)],
                 plan->waterfall[w], fall.clause, fall.name, true, static_cast<int>(w));
        }
      }
    }
    out.lines.resize(lines);
  } catch (const GiveUp&) {
    return false;
  }
  return true;
}

// STUB for the batch-api branch; replaced by the real engine at merge.
void run_batch(const Program&, const checked::Contract&, const Columns* const*, std::size_t count, const EvalOptions&,
               std::unique_ptr<Scratch>&, std::int64_t*, std::uint8_t* ok) {
  for (std::size_t i = 0; i < count; ++i) ok[i] = 0;
}

// STUB for the batch-api branch; replaced by the real engine at merge.
int amount_places(const Program& program) { return program.minor_places; }

Cache::Cache() = default;
Cache::~Cache() = default;
Cache::Cache(Cache&&) noexcept = default;
Cache& Cache::operator=(Cache&&) noexcept = default;

const Program* Cache::program(const checked::Contract& contract) {
  if (!contract.source) return nullptr;
  bool same = contract_ == &contract && !source_.expired() && !source_.owner_before(contract.source) && !contract.source.owner_before(source_);
  if (!same) {
    contract_ = &contract;
    source_ = contract.source;
    program_ = lower(contract).program;
    scratch_.reset();  // its plans belong to the previous program
  }
  return program_.get();
}

}  // namespace utfall::fast
