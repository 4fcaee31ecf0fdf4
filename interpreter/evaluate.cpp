// Evaluate: a tree-walking evaluator over the checked contract, with memoised definitions per
// period and the running totals that caps and netting need.
#include "interpreter/evaluate.hpp"

#include <fmt/format.h>

#include "stdlib/builtins.hpp"

namespace utfall {
namespace {

using checked::Expr;
using checked::Op;
using checked::Value;

class Evaluator {
 public:
  Evaluator(const checked::Contract& c, const Dataset& d, const EvalOptions& o)
      : c_(c), d_(d), o_(o), stack_base_(reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0))) {
    std::size_t periods = c.periods.size();
    defs_.assign(c.defs.size(), std::vector<std::optional<Value>>(periods));
    busy_.assign(c.defs.size(), std::vector<char>(periods, 0));
    terms_.assign(c.terms.size(), std::nullopt);
    paid_.assign(c.payments.size(), {});
    fall_paid_.assign(c.waterfalls.size(), {});
    slots_.assign(static_cast<std::size_t>(std::max(c.binder_count, 0)) + 8, -1);
  }

  Value eval(const Expr& e, int t);
  Number number(const Expr& e, int t) { return std::get<Number>(eval(e, t)); }
  bool boolean(const Expr& e, int t) { return std::get<bool>(eval(e, t)); }
  void run(Evaluation& out);

  [[noreturn]] void fail(DiagKind kind, const char* code, std::string message, const SourceRange& range, int clause = -1) {
    Diagnostic d;
    d.kind = kind;
    d.code = code;
    d.message = std::move(message);
    if (range.source) d.range = range;
    if (clause >= 0 && !c_.clauses[clause].number.empty()) d.clause = c_.clauses[clause].label();
    throw DiagnosticError{std::move(d)};
  }

 private:
  const checked::Contract& c_;
  const Dataset& d_;
  const EvalOptions& o_;
  std::vector<std::vector<std::optional<Value>>> defs_;
  std::vector<std::vector<char>> busy_;
  std::vector<std::optional<Value>> terms_;
  std::vector<int> slots_;  // participant index bound in each binder slot
  std::uint64_t steps_ = 0;
  std::size_t depth_ = 0;  // eval() calls under way
  std::uintptr_t stack_base_;  // the frame that made the evaluator, where its recursion starts
  int clause_ = -1;  // the clause being evaluated, for diagnostics

  // Payments: what each paid in each period computed so far, and per participant in total.
  struct PaymentState {
    std::vector<Number> paid;             // per period, for periods computed so far
    std::vector<char> applies;            // per period
    std::vector<Number> participant_paid;  // per participant, cumulative
    bool busy = false;
  };
  std::vector<PaymentState> paid_;
  struct WaterfallState {
    std::vector<std::vector<Number>> paid;  // [period][payee position]
    std::vector<char> applies;
    bool busy = false;
  };
  std::vector<WaterfallState> fall_paid_;

  Number checked_size(Number n, const Expr& e) {
    if (n.decimal_digits() > o_.limits.max_digits)
      fail(DiagKind::limit, "E704",
           fmt::format("a value has more than {} digits (the limit on the size of numbers)", o_.limits.max_digits), e.range,
           clause_);
    return n;
  }
  int& slot(int i) {
    if (static_cast<std::size_t>(i) >= slots_.size()) slots_.resize(i + 8, -1);
    return slots_[i];
  }
  Number payment_paid(int p, int t);
  Number waterfall_paid(int w, int t);
  void compute_payment(int p, int t);
  void compute_waterfall(int w, int t);
  Number round(const Number& x, const Expr& step_expr, RoundingMode mode, int t);
  void exact_in_minor_unit(const Number& amount, const SourceRange& range, int clause, int t);
  Value term(int i);
};

Value Evaluator::term(int i) {
  if (auto it = o_.term_overrides.find(i); it != o_.term_overrides.end()) return it->second;
  if (!terms_[i]) terms_[i] = eval(*c_.terms[i].value, -1);
  return *terms_[i];
}

Number Evaluator::round(const Number& x, const Expr& step_expr, RoundingMode mode, int t) {
  Number step = number(step_expr, t);
  if (step.sign() <= 0) fail(DiagKind::runtime, "E603", fmt::format("the rounding step is {}, not positive", step.to_string()), step_expr.range, clause_);
  return x.round(step, mode);
}

static bool less(const Value& a, const Value& b) {
  if (auto* n = std::get_if<Number>(&a)) return *n < std::get<Number>(b);
  return std::get<checked::PeriodValue>(a).index < std::get<checked::PeriodValue>(b).index;
}

Value Evaluator::eval(const Expr& e, int t) {
  if (++steps_ > o_.limits.max_steps)
    fail(DiagKind::limit, "E705", fmt::format("evaluation took more than {} steps (the limit)", o_.limits.max_steps), e.range, clause_);
  auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (depth_ >= o_.limits.max_depth || (here < stack_base_ ? stack_base_ - here : here - stack_base_) > o_.limits.max_stack_bytes)
    fail(DiagKind::limit, "E703",
         fmt::format("values depend on each other too deep: more than {} levels, or {} MiB of stack (expressions, "
                     "definitions, payments and periods they reach)", o_.limits.max_depth, o_.limits.max_stack_bytes >> 20),
         e.range, clause_);
  ++depth_;
  struct Leave {
    std::size_t& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  return std::visit(
      [&](const auto& n) -> Value {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, checked::Const>) {
          return n.value;
        } else if constexpr (std::is_same_v<T, checked::InputRef>) {
          const auto& in = c_.inputs[n.input];
          if (t < 0) fail(DiagKind::runtime, "E604", fmt::format("`{}` depends on the period; give one (x @ PERIOD)", in.name), e.range, clause_);
          if (t < in.first || t > in.last || static_cast<std::size_t>(n.input) >= d_.series.size() || !d_.series[n.input][t])
            fail(DiagKind::data, "E531", fmt::format("there is no value of `{}` for period {}", in.name, c_.periods[t]), e.range, clause_);
          return *d_.series[n.input][t];
        } else if constexpr (std::is_same_v<T, checked::TermRef>) {
          return term(n.term);
        } else if constexpr (std::is_same_v<T, checked::DefRef>) {
          if (t < 0) fail(DiagKind::runtime, "E604", fmt::format("`{}` depends on the period; give one (x @ PERIOD)", c_.defs[n.def].name), e.range, clause_);
          auto& memo = defs_[n.def][t];
          if (!memo) {
            if (busy_[n.def][t]) fail(DiagKind::internal, "E901", "a definition was re-entered (a cycle the checker missed)", e.range);
            busy_[n.def][t] = 1;
            int saved = std::exchange(clause_, c_.defs[n.def].clause);
            memo = eval(*c_.defs[n.def].value, t);
            clause_ = saved;
            busy_[n.def][t] = 0;
          }
          return *memo;
        } else if constexpr (std::is_same_v<T, checked::PaymentRef>) {
          if (t < 0) fail(DiagKind::runtime, "E604", "a payment depends on the period; give one (x @ PERIOD)", e.range, clause_);
          return payment_paid(n.payment, t);
        } else if constexpr (std::is_same_v<T, checked::WaterfallRef>) {
          if (t < 0) fail(DiagKind::runtime, "E604", "a payment depends on the period; give one (x @ PERIOD)", e.range, clause_);
          return waterfall_paid(n.waterfall, t);
        } else if constexpr (std::is_same_v<T, checked::FieldRef>) {
          return d_.participants[n.set][slot(n.binder)][n.field];
        } else if constexpr (std::is_same_v<T, checked::ParticipantDefRef>) {
          const auto& def = c_.participant_defs[n.def];
          // Bind the definition's own participant slot to the same record, then evaluate.
          int record = slot(n.binder);
          int own = def.binder;
          int saved = std::exchange(slot(own), record);
          auto v = eval(*def.value, t);
          slot(own) = saved;
          return v;
        } else if constexpr (std::is_same_v<T, checked::CurrentPeriod>) {
          if (t < 0) fail(DiagKind::runtime, "E604", "`period` needs a period; give one (x @ PERIOD)", e.range, clause_);
          return checked::PeriodValue{t};
        } else if constexpr (std::is_same_v<T, checked::Unary>) {
          auto v = eval(*n.operand, t);
          if (n.op == Op::negate) return -std::get<Number>(v);
          return !std::get<bool>(v);
        } else if constexpr (std::is_same_v<T, checked::Binary>) {
          if (n.op == Op::logical_and) return boolean(*n.lhs, t) && boolean(*n.rhs, t);
          if (n.op == Op::logical_or) return boolean(*n.lhs, t) || boolean(*n.rhs, t);
          auto a = eval(*n.lhs, t);
          auto b = eval(*n.rhs, t);
          switch (n.op) {
            case Op::add: return checked_size(std::get<Number>(a) + std::get<Number>(b), e);
            case Op::subtract: return checked_size(std::get<Number>(a) - std::get<Number>(b), e);
            case Op::multiply: return checked_size(std::get<Number>(a) * std::get<Number>(b), e);
            case Op::divide:
              if (std::get<Number>(b).is_zero())
                fail(DiagKind::runtime, "E601", "division by zero", n.rhs->range, clause_);
              return checked_size(std::get<Number>(a) / std::get<Number>(b), e);
            case Op::period_add: {
              const auto& k = std::get<Number>(b);
              auto i = k.to_int64();
              if (!i || *i > 100000 || *i < -100000)
                fail(DiagKind::runtime, "E605", fmt::format("a period can only move by a whole number of periods, not {}", k.to_string()), n.rhs->range, clause_);
              // Moves add up (previous(p, ...) + 1 in every period): keep the result within
              // 100 000 periods of the calendar, so that the index can never overflow.
              long long moved = static_cast<long long>(std::get<checked::PeriodValue>(a).index) + *i;
              if (moved < -100000 || moved >= static_cast<long long>(c_.periods.size()) + 100000)
                fail(DiagKind::runtime, "E605", "a period moved more than 100000 periods outside the calendar", e.range, clause_);
              return checked::PeriodValue{static_cast<int>(moved)};
            }
            case Op::equal: return a == b;
            case Op::not_equal: return a != b;
            case Op::less: return less(a, b);
            case Op::less_equal: return !less(b, a);
            case Op::greater: return less(b, a);
            case Op::greater_equal: return !less(a, b);
            default: break;
          }
          fail(DiagKind::internal, "E902", "unknown operator", e.range);
        } else if constexpr (std::is_same_v<T, checked::If>) {
          return boolean(*n.condition, t) ? eval(*n.then_branch, t) : eval(*n.else_branch, t);
        } else if constexpr (std::is_same_v<T, checked::Builtin>) {
          std::vector<Number> args;
          for (const auto& a : n.args) args.push_back(number(*a, t));
          const auto& b = stdlib::builtins()[n.id];
          if (b.signature == stdlib::Signature::same_unit_3 && args[2] < args[1])
            fail(DiagKind::runtime, "E606", fmt::format("clamp: the lower bound {} is above the upper bound {}", args[1].to_string(), args[2].to_string()), e.range, clause_);
          return b.apply(args);
        } else if constexpr (std::is_same_v<T, checked::Round>) {
          return round(number(*n.operand, t), *n.step, n.mode, t);
        } else if constexpr (std::is_same_v<T, checked::ToDate>) {
          if (t < 0) fail(DiagKind::runtime, "E604", "to_date needs a period; give one (x @ PERIOD)", e.range, clause_);
          Number sum;
          for (int s = 0; s <= t; ++s) sum = checked_size(sum + number(*n.operand, s), e);
          return sum;
        } else if constexpr (std::is_same_v<T, checked::Previous>) {
          if (t < 0) fail(DiagKind::runtime, "E604", "previous needs a period; give one (x @ PERIOD)", e.range, clause_);
          return t == 0 ? eval(*n.fallback, t) : eval(*n.operand, t - 1);
        } else if constexpr (std::is_same_v<T, checked::At>) {
          return eval(*n.operand, n.period);
        } else if constexpr (std::is_same_v<T, checked::OverPeriods>) {
          Number sum;
          for (int s = n.first; s <= n.last; ++s) sum = checked_size(sum + number(*n.body, s), e);
          return sum;
        } else if constexpr (std::is_same_v<T, checked::OverParticipants>) {
          const auto& records = d_.participants.at(n.set);
          Number sum;
          int saved = slot(n.binder);
          for (std::size_t r = 0; r < records.size(); ++r) {
            slot(n.binder) = static_cast<int>(r);
            if (n.filter && !boolean(*n.filter, t)) continue;
            sum = n.is_count ? sum + Number::from_int(1) : checked_size(sum + number(*n.body, t), e);
          }
          slot(n.binder) = saved;
          return sum;
        } else if constexpr (std::is_same_v<T, checked::TableLookup>) {
          const auto& table = c_.tables[n.table];
          Number x = number(*n.key, t);
          if (table.scale) {
            const auto& rows = table.rows;
            if (x <= *rows.front().lower) return rows.front().value;
            if (x >= *rows.back().lower) return rows.back().value;
            for (std::size_t i = 1; i < rows.size(); ++i) {
              if (x <= *rows[i].lower) {
                const Number &x0 = *rows[i - 1].lower, &x1 = *rows[i].lower;
                const Number &y0 = std::get<Number>(rows[i - 1].value), &y1 = std::get<Number>(rows[i].value);
                return checked_size(y0 + (y1 - y0) * (x - x0) / (x1 - x0), e);
              }
            }
          }
          for (const auto& row : table.rows) {
            bool above = !row.lower || (row.lower_closed ? *row.lower <= x : *row.lower < x);
            bool below = !row.upper || (row.upper_closed ? x <= *row.upper : x < *row.upper);
            if (above && below) return row.value;
          }
          fail(DiagKind::runtime, "E607", fmt::format("{} is outside every interval of the table `{}`", x.to_string(), table.name), e.range, clause_);
        }
      },
      e.node);
}

void Evaluator::exact_in_minor_unit(const Number& amount, const SourceRange& range, int clause, int t) {
  if (!amount.is_multiple_of(c_.minor_unit))
    fail(DiagKind::runtime, "E602",
         fmt::format("the payment in {} is {} {}, which is not a whole number of {} {}; state how to round it (`rounded half_up to {}`)",
                     c_.periods[t], amount.to_string(), c_.currency, c_.minor_unit.to_string(), c_.currency, c_.minor_unit.to_string()),
         range, clause);
}

Number Evaluator::payment_paid(int p, int t) {
  auto& st = paid_[p];
  if (static_cast<int>(st.paid.size()) <= t) {
    if (st.busy) fail(DiagKind::internal, "E901", "a payment was re-entered (a cycle the checker missed)", c_.payments[p].range);
    st.busy = true;
    for (int s = static_cast<int>(st.paid.size()); s <= t; ++s) compute_payment(p, s);
    st.busy = false;
  }
  return st.paid[t];
}

Number Evaluator::waterfall_paid(int w, int t) {
  auto& st = fall_paid_[w];
  if (static_cast<int>(st.paid.size()) <= t) {
    if (st.busy) fail(DiagKind::internal, "E901", "a waterfall was re-entered (a cycle the checker missed)", c_.waterfalls[w].range);
    st.busy = true;
    for (int s = static_cast<int>(st.paid.size()); s <= t; ++s) compute_waterfall(w, s);
    st.busy = false;
  }
  Number sum;
  for (const auto& x : st.paid[t]) sum += x;
  return sum;
}

// The payment of rule p in period t, from its amount through rounding, netting, floor and caps.
void Evaluator::compute_payment(int p, int t) {
  const auto& pay = c_.payments[p];
  auto& st = paid_[p];
  int saved_clause = std::exchange(clause_, pay.clause);
  Number before;
  for (const auto& x : st.paid) before += x;
  bool applies = t >= pay.periods.first && t <= pay.periods.last && (!pay.condition || boolean(*pay.condition, t));
  Number amount;
  if (applies) {
    auto one = [&](void) {
      Number a = number(*pay.amount, t);
      if (pay.rounding) a = round(a, *pay.rounding->step, pay.rounding->mode, t);
      return a;
    };
    if (pay.set >= 0) {
      const auto& records = d_.participants[pay.set];
      if (st.participant_paid.size() != records.size()) st.participant_paid.assign(records.size(), Number{});
      int saved = slot(pay.binder);
      for (std::size_t r = 0; r < records.size(); ++r) {
        slot(pay.binder) = static_cast<int>(r);
        if (pay.filter && !boolean(*pay.filter, t)) continue;
        Number a = one();
        if (pay.cap_participant) {
          Number left = number(*pay.cap_participant, t) - st.participant_paid[r];
          if (a > left) a = left.sign() > 0 ? left : Number{};
        }
        st.participant_paid[r] += a;
        amount += a;
      }
      slot(pay.binder) = saved;
    } else {
      amount = one();
    }
    if (pay.netted) {
      amount = amount - before;
      if (amount.sign() < 0) amount = Number{};
    }
    if (pay.floor) amount = std::max(amount, number(*pay.floor, t));
    if (pay.cap_period) amount = std::min(amount, number(*pay.cap_period, t));
    if (pay.cap_total) {
      Number left = number(*pay.cap_total, t) - before;
      amount = std::min(amount, left.sign() > 0 ? left : Number{});
    }
    if (amount.sign() < 0)
      fail(DiagKind::runtime, "E608",
           fmt::format("the payment in {} is negative ({} {}); a payment goes from payer to payee only", c_.periods[t],
                       amount.to_string(), c_.currency),
           pay.range, pay.clause);
    exact_in_minor_unit(amount, pay.range, pay.clause, t);
  }
  st.paid.push_back(amount);
  st.applies.push_back(applies || (t >= pay.periods.first && t <= pay.periods.last));
  clause_ = saved_clause;
}

// The waterfall w in period t: each tier takes its part of what is left of the pool.
void Evaluator::compute_waterfall(int w, int t) {
  const auto& fall = c_.waterfalls[w];
  auto& st = fall_paid_[w];
  int saved_clause = std::exchange(clause_, fall.clause);
  std::vector<Number> pay(fall.payees.size());
  bool applies = t >= fall.periods.first && t <= fall.periods.last;
  if (applies) {
    Number pool = number(*fall.pool, t);
    Number remaining = pool.sign() > 0 ? pool : Number{};
    std::vector<Number> entitled(fall.payees.size());
    for (const auto& tier : fall.tiers) {
      Number a;
      using K = checked::Tier::Kind;
      if (tier.kind == K::up_to) {
        Number limit = number(*tier.amount, t);
        a = std::min(remaining, limit.sign() > 0 ? limit : Number{});
      } else if (tier.kind == K::share_of_rest) {
        a = checked_size(number(*tier.amount, t) * remaining, *tier.amount);
      } else {
        a = remaining;
      }
      if (tier.rounding) a = round(a, *tier.rounding->step, tier.rounding->mode, t);
      if (tier.cap) a = std::min(a, number(*tier.cap, t));
      a = std::min(a, remaining);
      if (a.sign() < 0) a = Number{};
      remaining -= a;
      for (std::size_t k = 0; k < fall.payees.size(); ++k)
        if (fall.payees[k] == tier.payee) entitled[k] += a;
    }
    for (std::size_t k = 0; k < fall.payees.size(); ++k) {
      Number a = entitled[k];
      if (fall.netted) {
        for (const auto& earlier : st.paid) a -= earlier[k];
        if (a.sign() < 0) a = Number{};
      }
      exact_in_minor_unit(a, fall.range, fall.clause, t);
      pay[k] = a;
    }
  }
  st.paid.push_back(std::move(pay));
  st.applies.push_back(applies);
  clause_ = saved_clause;
}

void Evaluator::run(Evaluation& out) {
  int periods = static_cast<int>(c_.periods.size());
  for (int t = 0; t < periods; ++t) {
    for (std::size_t p = 0; p < c_.payments.size(); ++p) payment_paid(static_cast<int>(p), t);
    for (std::size_t w = 0; w < c_.waterfalls.size(); ++w) waterfall_paid(static_cast<int>(w), t);
  }
  // Lines by period, then by clause, payments before waterfalls within a clause.
  for (int t = 0; t < periods; ++t) {
    for (std::size_t ci = 0; ci < c_.clauses.size(); ++ci) {
      for (std::size_t p = 0; p < c_.payments.size(); ++p) {
        const auto& pay = c_.payments[p];
        if (pay.clause != static_cast<int>(ci) || !paid_[p].applies[t]) continue;
        out.lines.push_back({t, pay.payer, pay.payee, paid_[p].paid[t], pay.clause, pay.name, false, static_cast<int>(p)});
      }
      for (std::size_t w = 0; w < c_.waterfalls.size(); ++w) {
        const auto& fall = c_.waterfalls[w];
        if (fall.clause != static_cast<int>(ci) || !fall_paid_[w].applies[t]) continue;
        for (std::size_t k = 0; k < fall.payees.size(); ++k)
          out.lines.push_back({t, fall.payer, fall.payees[k], fall_paid_[w].paid[t][k], fall.clause, fall.name, true, static_cast<int>(w)});
      }
    }
  }
}

}  // namespace

Evaluation evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options) {
  Evaluation out;
  try {
    Evaluator ev(contract, data, options);
    ev.run(out);
    out.ok = true;
  } catch (DiagnosticError& e) {
    out.lines.clear();
    out.diagnostics.push_back(std::move(e.diagnostic));
  } catch (const ArithmeticError& e) {
    Diagnostic d;
    d.kind = DiagKind::runtime;
    d.code = "E609";
    d.message = e.what();
    out.lines.clear();
    out.diagnostics.push_back(std::move(d));
  }
  return out;
}

ValueResult evaluate_expression(const checked::Contract& contract, const Dataset& data, const checked::Expr& expr,
                                int period, const EvalOptions& options) {
  ValueResult out;
  try {
    Evaluator ev(contract, data, options);
    out.value = ev.eval(expr, period);
  } catch (DiagnosticError& e) {
    out.diagnostics.push_back(std::move(e.diagnostic));
  } catch (const ArithmeticError& e) {
    Diagnostic d;
    d.kind = DiagKind::runtime;
    d.code = "E609";
    d.message = e.what();
    d.range = expr.range;
    out.diagnostics.push_back(std::move(d));
  }
  return out;
}

std::string format_value(const checked::Contract& contract, const checked::Value& value, const Type& type) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Number>) {
          std::string u = type.unit.dimensionless() ? "" : " " + type.unit.to_string();
          return v.to_string() + u;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, checked::PeriodValue>) {
          if (v.index >= 0 && static_cast<std::size_t>(v.index) < contract.periods.size()) return contract.periods[v.index];
          if (contract.periods.empty()) return fmt::format("period #{}", v.index);
          return v.index < 0 ? fmt::format("{} - {}", contract.periods.front(), -v.index)
                             : fmt::format("{} + {}", contract.periods.back(), v.index + 1 - static_cast<int>(contract.periods.size()));
        } else {
          return v;
        }
      },
      value);
}

}  // namespace utfall
