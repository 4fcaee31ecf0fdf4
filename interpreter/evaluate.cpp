// Evaluate: a tree-walking evaluator over the checked contract, with memoised definitions per
// period and the running totals that caps and netting need (the class is in evaluator.hpp, its
// explanations of a traced evaluation in evaluate_explain.cpp).
#include "interpreter/evaluate.hpp"
#include "interpreter/evaluator.hpp"
#include "interpreter/limit_hits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>

#include "grammar/keywords.hpp"
#include "interpreter/clause_order.hpp"
#include "interpreter/date_eval.hpp"
#include "interpreter/fast_eval.hpp"
#include "interpreter/fast_participants.hpp"
#include "interpreter/huge_pages.hpp"
#include "interpreter/stack.hpp"
#include "interpreter/text_keys.hpp"
#include "interpreter/unicode.hpp"
#include "stdlib/builtins.hpp"

namespace utfall {

Workspace::Workspace() : state_(std::make_unique<State>()) {}
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

namespace evaluate_internal {

Value Evaluator::term(int i) {
  if (auto it = o_.term_overrides.find(i); it != o_.term_overrides.end()) return it->second;
  if (!terms_[i]) terms_[i] = eval(*c_.terms[i].value, -1);
  return *terms_[i];
}

Number Evaluator::round(const Number& x, const Expr& step_expr, RoundingMode mode, int t) {
  Number step = number(step_expr, t);
  if (step.sign() <= 0) fail(DiagKind::runtime, "E603", text("the rounding step is {}, not positive", step.to_string()), step_expr.range, clause_);
  charge(x, step, step_expr.range);
  return x.round(step, mode);
}

// The binders that a `sum` or `count` over participants binds between a node and its part.
struct Bound {
  int binder;
  const Bound* outer;
};

// The binders of participants bound outside `e` (by a `for each` payment, a `sum` or `count`
// over participants around it) that `e` reads, each once: when there are any, its value is not
// the period's alone.
static void outer_binders(const Expr& e, const Bound* bound, std::vector<int>& out) {
  auto outer = [&](int binder) {
    for (const Bound* b = bound; b; b = b->outer)
      if (b->binder == binder) return;
    if (std::find(out.begin(), out.end(), binder) == out.end()) out.push_back(binder);
  };
  auto all = [&](std::initializer_list<const Expr*> parts, const Bound* within) {
    for (const Expr* part : parts)
      if (part) outer_binders(*part, within, out);
  };
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, checked::FieldRef> || std::is_same_v<T, checked::ParticipantDefRef>) {
          outer(n.binder);
        } else if constexpr (std::is_same_v<T, checked::Unary>) {
          all({n.operand.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::Binary>) {
          all({n.lhs.get(), n.rhs.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::If>) {
          all({n.condition.get(), n.then_branch.get(), n.else_branch.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::Builtin>) {
          for (const auto& a : n.args) outer_binders(*a, bound, out);
        } else if constexpr (std::is_same_v<T, checked::Round>) {
          all({n.operand.get(), n.step.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::ToDate> || std::is_same_v<T, checked::At> ||
                             std::is_same_v<T, checked::CalendarDate>) {
          all({n.operand.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::DateShift>) {
          all({n.operand.get(), n.step.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::Previous>) {
          all({n.operand.get(), n.fallback.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::OverPeriods>) {
          all({n.body.get()}, bound);
        } else if constexpr (std::is_same_v<T, checked::OverParticipants>) {
          const Bound within{n.binder, bound};
          all({n.body.get(), n.filter.get()}, &within);
        } else if constexpr (std::is_same_v<T, checked::TableLookup>) {
          all({n.key.get()}, bound);
        }
        // Constants, data series, terms, definitions (which bind their own participants), payments,
        // the period: no participant bound outside.
      },
      e.node);
}

// The memo of a sum over periods, or null when its value depends on a participant bound around it.
Workspace::State::Sums* Evaluator::period_only_sums(const Expr& e, const Expr& body) {
  using Kind = Workspace::State::Sums::Kind;
  auto& memo = sums_[&e];
  if (memo.kind == Kind::unknown) {
    memo.binders.clear();
    outer_binders(body, nullptr, memo.binders);
    memo.kind = memo.binders.empty() ? Kind::period_only : Kind::per_participant;
  }
  return memo.kind == Kind::period_only ? &memo : nullptr;
}

// to_date(operand) in period t: the running sum, each period's operand evaluated once. The sums
// are added in the order of the periods, as a loop from the first period would add them.
Number Evaluator::to_date(const Expr& e, const Expr& operand, int t) {
  auto* memo = period_only_sums(e, operand);
  if (!memo) return participant_to_date(e, operand, t);
  if (memo->filling && static_cast<std::size_t>(t) >= memo->to_date.size()) {
    // The sum reached from its own operand in a period not yet added (a circle the checker did
    // not see: it recurses until the depth limit, as it always did).
    Number sum;
    for (int s = 0; s <= t; ++s) sum = checked_size(sum + charged(number(operand, s), sum, e), e);
    return sum;
  }
  auto& sums = memo->to_date;
  if (static_cast<std::size_t>(t) < sums.size()) return sums[t];
  bool filling = std::exchange(memo->filling, true);
  while (sums.size() <= static_cast<std::size_t>(t)) {
    Number part = number(operand, static_cast<int>(sums.size()));
    Number before = sums.empty() ? Number{} : sums.back();
    sums.push_back(checked_size(before + charged(part, before, e), e));
  }
  memo->filling = filling;
  return sums[t];
}

// to_date(operand) where the operand reads participants bound around it: one running sum for
// each of their combinations, holding the furthest period summed. The evaluation asks period
// after period, so each asks one more period of the operand: linear in the periods, and one
// sum held per participant. A period before the furthest is summed again from the first.
Number Evaluator::participant_to_date(const Expr& e, const Expr& operand, int t) {
  auto& memo = sums_[&e];
  std::vector<int> key;
  key.reserve(memo.binders.size());
  for (int binder : memo.binders) key.push_back(slot(binder));
  Number sum;
  int from = 0;
  if (auto it = memo.running.find(key); it != memo.running.end() && it->second.period <= t) {
    if (it->second.period == t) return it->second.sum;
    sum = it->second.sum;
    from = it->second.period + 1;
  }
  for (int s = from; s <= t; ++s) sum = checked_size(sum + charged(number(operand, s), sum, e), e);
  auto& held = memo.running[std::move(key)];  // looked up again: the operand may have added sums
  if (held.period < t) held = {t, sum};
  return sum;
}

// sum(body over first .. last): the same in every period, so computed once.
Number Evaluator::over_periods(const Expr& e, const checked::OverPeriods& n) {
  auto* memo = period_only_sums(e, *n.body);
  if (memo && memo->over) return *memo->over;
  Number sum;
  for (int s = n.first; s <= n.last; ++s) sum = checked_size(sum + charged(number(*n.body, s), sum, e), e);
  if (memo) memo->over = sum;
  return sum;
}

static bool less(const Value& a, const Value& b) {
  if (auto* n = std::get_if<Number>(&a)) return *n < std::get<Number>(b);
  if (auto* d = std::get_if<checked::DateValue>(&a)) return d->day < std::get<checked::DateValue>(b).day;
  return std::get<checked::PeriodValue>(a).index < std::get<checked::PeriodValue>(b).index;
}

Value Evaluator::eval(const Expr& e, int t) {
  if (++steps_ > o_.limits.max_steps)
    fail(DiagKind::limit, "E705", text("evaluation took more than {} steps (the limit)", o_.limits.max_steps), e.range, clause_);
  if ((steps_ & 4095) == 0) interrupted(e.range);
  if (depth_ >= o_.limits.max_depth || stack_.exhausted())
    fail(DiagKind::limit, "E703",
         text("values depend on each other too deep: more than {} levels, or {} of stack (expressions, "
              "definitions, payments and periods they reach)", o_.limits.max_depth, byte_size_text(stack_.allowed())),
         e.range, clause_);
  ++depth_;
  struct Leave {
    std::size_t& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  Value v = std::visit(
      [&](const auto& n) -> Value {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, checked::Const>) {
          return n.value;
        } else if constexpr (std::is_same_v<T, checked::InputRef>) {
          const auto& in = c_.inputs[n.input];
          if (t < 0) fail(DiagKind::runtime, "E604", text("`{}` depends on the period; give one (x @ PERIOD)", in.name), e.range, clause_);
          if (t < in.first || t > in.last || static_cast<std::size_t>(n.input) >= d_.series.size() || !d_.series[n.input][t])
            fail(DiagKind::data, "E531", text("there is no value of `{}` for period {}", in.name, c_.periods[t]), e.range, clause_);
          return *d_.series[n.input][t];
        } else if constexpr (std::is_same_v<T, checked::TermRef>) {
          // The checker lets an unlimited term stand only as a limit (no_limit); an expression
          // given later (`--set`, the REPL) may still name one.
          if (term_unlimited(c_, o_, n.term))
            fail(DiagKind::type, "E322", text("`{}` is unlimited: it has no number to compute with", c_.terms[n.term].name),
                 e.range, clause_);
          return term(n.term);
        } else if constexpr (std::is_same_v<T, checked::DefRef>) {
          if (t < 0) fail(DiagKind::runtime, "E604", text("`{}` depends on the period; give one (x @ PERIOD)", c_.defs[n.def].name), e.range, clause_);
          std::size_t cell = static_cast<std::size_t>(n.def) * periods_ + static_cast<std::size_t>(t);
          auto& memo = defs_[cell];
          if (!memo) {
            if (busy_[cell]) fail(DiagKind::internal, "E901", text("a definition was re-entered (a cycle the checker missed)"), e.range);
            busy_[cell] = 1;
            int saved = std::exchange(clause_, c_.defs[n.def].clause);
            memo = eval(*c_.defs[n.def].value, t);
            clause_ = saved;
            busy_[cell] = 0;
          }
          return *memo;
        } else if constexpr (std::is_same_v<T, checked::PaymentRef>) {
          if (t < 0) fail(DiagKind::runtime, "E604", text("a payment depends on the period; give one (x @ PERIOD)"), e.range, clause_);
          return payment_paid(n.payment, t);
        } else if constexpr (std::is_same_v<T, checked::WaterfallRef>) {
          if (t < 0) fail(DiagKind::runtime, "E604", text("a payment depends on the period; give one (x @ PERIOD)"), e.range, clause_);
          return waterfall_paid(n.waterfall, t);
        } else if constexpr (std::is_same_v<T, checked::FieldRef>) {
          const int record = slot(n.binder);
          if (n.linked < 0) return d_.participants[n.set][record][n.field];
          const int link = c_.inputs[n.set].fields[n.field].link;
          return d_.participants[link][linked_record(n.set, n.field, record, e.range)][n.linked];
        } else if constexpr (std::is_same_v<T, checked::ParticipantDefRef>) {
          const auto& def = c_.participant_defs[n.def];
          // Bind the definition's own participant slot to the same record (or, through a link,
          // to the record it names), then evaluate.
          int record = slot(n.binder);
          if (n.link_field >= 0) record = linked_record(n.set, n.link_field, record, e.range);
          if (def.looks_back)
            if (auto it = looking_back_.find({n.def, record, t}); it != looking_back_.end()) return it->second;
          int own = def.binder;
          int saved = std::exchange(slot(own), record);
          auto v = eval(*def.value, t);
          slot(own) = saved;
          if (def.looks_back) looking_back_.emplace(std::array<int, 3>{n.def, record, t}, v);
          return v;
        } else if constexpr (std::is_same_v<T, checked::CurrentPeriod>) {
          if (t < 0) fail(DiagKind::runtime, "E604", text("`period` needs a period; give one (x @ PERIOD)"), e.range, clause_);
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
          if (auto* x = std::get_if<Number>(&a)) charge(*x, std::get<Number>(b), e.range);
          switch (n.op) {
            case Op::add: return checked_size(std::get<Number>(a) + std::get<Number>(b), e);
            case Op::subtract: return checked_size(std::get<Number>(a) - std::get<Number>(b), e);
            case Op::multiply: return checked_size(std::get<Number>(a) * std::get<Number>(b), e);
            case Op::divide:
              if (std::get<Number>(b).is_zero())
                fail(DiagKind::runtime, "E601", text("division by zero"), n.rhs->range, clause_);
              return checked_size(std::get<Number>(a) / std::get<Number>(b), e);
            case Op::period_add: {
              const auto& k = std::get<Number>(b);
              auto i = k.to_int64();
              if (!i || *i > 100000 || *i < -100000)
                fail(DiagKind::runtime, "E605", text("a period can only move by a whole number of periods, not {}", k.to_string()), n.rhs->range, clause_);
              // Moves add up (previous(p, ...) + 1 in every period): keep the result within
              // 100 000 periods of the calendar, so that the index can never overflow.
              long long moved = static_cast<long long>(std::get<checked::PeriodValue>(a).index) + *i;
              if (moved < -100000 || moved >= static_cast<long long>(c_.periods.size()) + 100000)
                fail(DiagKind::runtime, "E605", text("a period moved more than 100000 periods outside the calendar"), e.range, clause_);
              return checked::PeriodValue{static_cast<int>(moved)};
            }
            case Op::date_subtract:
              return Number::from_int(std::get<checked::DateValue>(a).day - std::get<checked::DateValue>(b).day);
            case Op::equal: return a == b;
            case Op::not_equal: return a != b;
            case Op::less: return less(a, b);
            case Op::less_equal: return !less(b, a);
            case Op::greater: return less(b, a);
            case Op::greater_equal: return !less(a, b);
            default: break;
          }
          fail(DiagKind::internal, "E902", text("unknown operator"), e.range);
        } else if constexpr (std::is_same_v<T, checked::If>) {
          return boolean(*n.condition, t) ? eval(*n.then_branch, t) : eval(*n.else_branch, t);
        } else if constexpr (std::is_same_v<T, checked::CalendarDate>) {
          Value x = eval(*n.operand, t);
          return dated(e, [&] { return dates::calendar_date(c_, n.part, x); });
        } else if constexpr (std::is_same_v<T, checked::DateShift>) {
          Value x = eval(*n.operand, t);
          Number k = number(*n.step, t);
          return dated(e, [&] { return Value{dates::shift(n, std::get<checked::DateValue>(x), k)}; });
        } else if constexpr (std::is_same_v<T, checked::Builtin>) {
          // Arguments on the stack when there are few (every builtin but a long min/max).
          std::array<Number, 4> few;
          std::vector<Number> many;
          if (n.args.size() > few.size()) many.resize(n.args.size());
          std::span<Number> args = n.args.size() > few.size() ? std::span<Number>(many) : std::span<Number>(few.data(), n.args.size());
          for (std::size_t i = 0; i < n.args.size(); ++i) args[i] = number(*n.args[i], t);
          for (std::size_t i = 1; i < args.size(); ++i) charge(args[0], args[i], e.range);
          const auto& b = stdlib::builtins()[n.id];
          if (b.signature == stdlib::Signature::same_unit_3 && args[2] < args[1])
            fail(DiagKind::runtime, "E606", text("clamp: the lower bound {} is above the upper bound {}", args[1].to_string(), args[2].to_string()), e.range, clause_);
          return b.apply(args);
        } else if constexpr (std::is_same_v<T, checked::Round>) {
          return round(number(*n.operand, t), *n.step, n.mode, t);
        } else if constexpr (std::is_same_v<T, checked::ToDate>) {
          if (t < 0) fail(DiagKind::runtime, "E604", text("to_date needs a period; give one (x @ PERIOD)"), e.range, clause_);
          return to_date(e, *n.operand, t);
        } else if constexpr (std::is_same_v<T, checked::Previous>) {
          if (t < 0) fail(DiagKind::runtime, "E604", text("previous needs a period; give one (x @ PERIOD)"), e.range, clause_);
          return t == 0 ? eval(*n.fallback, t) : eval(*n.operand, t - 1);
        } else if constexpr (std::is_same_v<T, checked::At>) {
          return eval(*n.operand, n.period);
        } else if constexpr (std::is_same_v<T, checked::OverPeriods>) {
          return over_periods(e, n);
        } else if constexpr (std::is_same_v<T, checked::OverParticipants>) {
          const auto& records = d_.participants.at(n.set);
          if (auto sum = on_lanes({n.set, n.binder, n.filter.get(), n.is_count ? nullptr : n.body.get(), nullptr, !n.is_count, t}, e.range))
            return *sum;
          Number sum;
          int saved = slot(n.binder);
          for (std::size_t r = 0; r < records.size(); ++r) {
            slot(n.binder) = static_cast<int>(r);
            if (n.filter && !boolean(*n.filter, t)) continue;
            sum = n.is_count ? sum + Number::from_int(1) : checked_size(sum + charged(number(*n.body, t), sum, e), e);
          }
          slot(n.binder) = saved;
          return sum;
        } else if constexpr (std::is_same_v<T, checked::TableLookup>) {
          const auto& table = c_.tables[n.table];
          if (table.key_type.kind == TypeKind::text) return text_row(n, t).value;
          Number x = number(*n.key, t);
          if (x.words() > 1)
            for (std::size_t i = 0; i < table.rows.size(); ++i) charge(x, x, e.range);
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
          fail(DiagKind::runtime, "E607", text("{} is outside every interval of the table `{}`", x.to_string(), table.name), e.range, clause_);
        }
      },
      e.node);
#ifndef NDEBUG
  // Debug and sanitizer builds: every value has the kind the checker gave its expression (the
  // unit was verified statically, verify.hpp); a disagreement stops at its source.
  if (checked::kind_of(v) != e.type.kind)
    fail(DiagKind::internal, "E904", text("internal error: a value of kind {} where the checker said {}",
                                                 Type{checked::kind_of(v), {}}.to_string(), e.type.to_string()), e.range, clause_);
#endif
  return v;
}

void Evaluator::exact_in_minor_unit(const Number& amount, const SourceRange& range, int clause, int t) {
  charge(amount, amount, range);  // the settlement's few operations: netting, floor, caps
  const auto& cur = c_.currencies[currency_];
  if (!o_.any_amount && !amount.is_multiple_of(cur.minor_unit))
    fail(DiagKind::runtime, "E602",
         text("the payment in {} is {} {}, which is not a whole number of {} {}; state how to round it (`rounded half_up to {}`)",
                     c_.periods[t], amount.to_string(), cur.code, cur.minor_unit.to_string(), cur.code, cur.minor_unit.to_string()),
         range, clause);
}

// The record of the linked input that the link field `field` of `record` (of `set`) names
// (docs/language.md §8.5): from the links bind_data made, or looked up here in data made
// otherwise; a key no record has is E533.
int Evaluator::linked_record(int set, int field, int record, const SourceRange& at) {
  if (static_cast<std::size_t>(set) < d_.links.size() && static_cast<std::size_t>(field) < d_.links[set].size() &&
      static_cast<std::size_t>(record) < d_.links[set][field].size())
    return d_.links[set][field][record];
  const auto& link = c_.inputs[set].fields[field];
  const auto key = d_.participants[set].value(static_cast<std::size_t>(record), static_cast<std::size_t>(field));
  const auto* id = std::get_if<std::string>(&key);
  const auto& targets = d_.participants[link.link];
  const auto k = static_cast<std::size_t>(link.link_key);
  for (std::size_t r = 0; r < targets.size(); ++r)  // an id read in place, not made into a Value
    if ((id && targets.cell(r, k).tag == ParticipantRecords::kText) ? targets.text(r, k) == *id : targets.value(r, k) == key)
      return static_cast<int>(r);
  fail(DiagKind::runtime, "E533",
       text("no record of `{}` has the id `{}` that `{}` of record {} of `{}` names", c_.inputs[link.link].name,
                   std::get<std::string>(key), link.name, record + 1, c_.inputs[set].name),
       at, clause_);
}

// A key of `at most N per KEY, ...` as one text: each value with its kind and length, so that
// no two lists of values read the same.
static std::string key_text(const std::vector<Value>& values) {
  std::string out;
  for (const auto& v : values) {
    std::string body = std::visit(
        [](const auto& x) -> std::string {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, Number>) return x.to_string();
          else if constexpr (std::is_same_v<T, bool>) return x ? "1" : "0";
          else if constexpr (std::is_same_v<T, checked::PeriodValue>) return std::to_string(x.index);
          else if constexpr (std::is_same_v<T, std::string>) return x;
          else return std::to_string(x.day);
        },
        v);
    out += fmt::format("{}{}:{}", v.index(), body.size(), body);
  }
  return out;
}

// Whether the record bound to payment p's binder may be paid in t under `at most N per KEY`
// (docs/language.md §16.6): its key has had fewer than N records paid, in this period and
// earlier ones. It then counts as paid; otherwise it is set aside as not paid.
bool Evaluator::within_limit(int p, int record, int t) {
  const auto& pay = c_.payments[p];
  auto& st = paid_[p];
  std::vector<Value> values;
  values.reserve(pay.per_keys.size());
  for (const auto& k : pay.per_keys) values.push_back(eval(*k, t));
  int& used = st.paid_per_key[key_text(values)];
  if (used >= pay.at_most) {
    st.not_paid.emplace_back(t, record);
    return false;
  }
  ++used;
  return true;
}

Number Evaluator::payment_paid(int p, int t) {
  auto& st = paid_[p];
  if (static_cast<int>(st.paid.size()) <= t) {
    if (st.busy) fail(DiagKind::internal, "E901", text("a payment was re-entered (a cycle the checker missed)"), c_.payments[p].range);
    st.busy = true;
    for (int s = static_cast<int>(st.paid.size()); s <= t; ++s) compute_payment(p, s);
    st.busy = false;
  }
  return st.paid[t];
}

Number Evaluator::waterfall_paid(int w, int t) {
  auto& st = fall_paid_[w];
  if (st.computed <= t) {
    if (st.busy) fail(DiagKind::internal, "E901", text("a waterfall was re-entered (a cycle the checker missed)"), c_.waterfalls[w].range);
    st.busy = true;
    for (int s = st.computed; s <= t; ++s) compute_waterfall(w, s);
    st.busy = false;
  }
  Number sum;
  for (const auto& x : st.paid[t]) sum += x;
  return sum;
}

// The payment of rule p in period t, from its amount through rounding, netting, floor and caps.
void Evaluator::compute_payment(int p, int t) {
  using K = TraceStep::Kind;
  const auto& pay = c_.payments[p];
  auto& st = paid_[p];
  int saved_clause = std::exchange(clause_, pay.clause);
  int saved_currency = std::exchange(currency_, pay.currency);
  bool in_range = t >= pay.periods.first && t <= pay.periods.last;
  // A payment computed while tracing another gets its own trace.
  std::vector<TraceStep>* saved_trace = trace_;
  std::set<std::pair<const void*, int>> saved_explained;  // another rule's trace under way
  if (o_.trace) saved_explained = std::exchange(explained_, {});
  trace_ = traced(t) && in_range ? &traces_[{false, p, t}].steps : nullptr;
  const Number before = st.total;  // what it paid in the periods before t
  bool applies = in_range && (!pay.condition || boolean(*pay.condition, t));
  if (in_range && pay.condition) {
    if (tracing()) {
      Text margin = threshold(*pay.condition, t);
      Text outcome = applies ? text("so the payment applies") : text("so nothing is paid");
      step({K::condition, 0, text("when"), written(pay.condition->range), applies ? "true" : "false",
            margin.empty() ? outcome : text("{}; {}", margin, outcome), t,
            line_of(pay.condition->range)});
    }
    explain_shown(*pay.condition, t, 1);
  }
  Number amount;
  if (applies) {
    auto rounded = [&](const Number& a) {
      if (!pay.rounding) return a;
      Number r = round(a, *pay.rounding->step, pay.rounding->mode, t);
      return r;
    };
    std::optional<Number> on_lanes_amount;
    if (pay.set >= 0 && !tracing() && pay.at_most == 0 && !pay.cap_participant)
      on_lanes_amount = on_lanes({pay.set, pay.binder, pay.filter.get(), pay.amount.get(), pay.rounding ? &*pay.rounding : nullptr, false, t},
                                 pay.range);
    if (on_lanes_amount) {
      amount = std::move(*on_lanes_amount);
    } else if (pay.set >= 0) {
      const auto& records = d_.participants[pay.set];
      if (st.participant_paid.size() != records.size()) st.participant_paid.assign(records.size(), Number{});
      int saved = slot(pay.binder);
      std::size_t matched = 0, capped = 0;
      Number cut, unrounded;
      std::vector<std::pair<std::size_t, Number>> each;
      const std::size_t not_paid_before = st.not_paid.size();
      for (std::size_t r = 0; r < records.size(); ++r) {
        slot(pay.binder) = static_cast<int>(r);
        if (pay.filter && !boolean(*pay.filter, t)) continue;
        ++matched;
        if (pay.at_most > 0 && !within_limit(p, static_cast<int>(r), t)) continue;
        Number raw = number(*pay.amount, t);
        Number a = rounded(raw);
        if (tracing()) unrounded += raw;
        if (pay.cap_participant && !no_limit(pay.cap_participant)) {
          Number left = number(*pay.cap_participant, t) - st.participant_paid[r];
          if (a > left) {
            Number capped_a = left.sign() > 0 ? left : Number{};
            cut += a - capped_a, ++capped, a = capped_a;
          }
        }
        st.participant_paid[r] += a;
        amount += a;
        if (tracing() && each.size() < 25) each.emplace_back(r, a);
      }
      if (hits_ && capped > 0) hits_->push_back({t, clause_, pay.cap_participant.get(), LimitKind::cap_per_participant});
      if (tracing()) {
        step({K::participants, 0,
              pay.filter ? text("for each of `{}` where {}", c_.inputs[pay.set].name, written(pay.filter->range))
                         : text("for each of `{}`", c_.inputs[pay.set].name),
              "", std::to_string(matched),
              pay.filter ? text("{} of {} participants matched", matched, records.size())
                         : text("{} of {} participants in all", matched, records.size()),
              t, line_of(pay.range)});
        step({K::amount, 0, text("amount per participant"), written(pay.amount->range), amt(unrounded), text("summed over the participants"), t,
              line_of(pay.amount->range)});
        explain(*pay.amount, t, 1, true);
        if (pay.filter) explain(*pay.filter, t, 1, true);
        if (pay.at_most > 0) explain_not_paid(p, t);
        if (pay.rounding && unrounded != amount + cut)
          step({K::rounding, 1, text("each rounded to {} {}", written(pay.rounding->step->range), rounding_mode_name(pay.rounding->mode)), "",
                amt(amount + cut), text("{} -> {} (by {})", Figure{money(unrounded)}, Figure{money(amount + cut)}, Figure{money(amount + cut - unrounded)}), t,
                line_of(pay.rounding->range)});
        if (no_limit(pay.cap_participant))
          explain_no_limit(1, LimitKind::cap_per_participant, *pay.cap_participant, amount, t);
        else if (pay.cap_participant)
          step({K::bound, 1, text("capped at `{}` per participant", written(pay.cap_participant->range)), "", amt(amount),
                capped ? text("bound for {} participants, cutting {} in all", capped, Figure{money(cut)}) : text("did not bind"), t,
                line_of(pay.cap_participant->range)});
        const std::size_t paid = matched - (st.not_paid.size() - not_paid_before);  // `at most` set the rest aside
        if (paid <= each.size() && paid > 0) {
          for (const auto& [r, a] : each) {
            Text who = text("participant {}", r + 1);
            const auto& fields = c_.inputs[pay.set].fields;
            for (std::size_t f = 0; f < fields.size(); ++f)
              if (fields[f].type.kind == TypeKind::text) {
                who = text("participant {} ({})", r + 1, std::get<std::string>(records[r][f]));
                break;
              }
            slot(pay.binder) = static_cast<int>(r);
            std::string keys;
            text_lookups(*pay.amount, t, keys);
            step({K::participants, 1, who, "", amt(a), keys, t, 0});
          }
        }
      }
      slot(pay.binder) = saved;
    } else {
      Number raw = number(*pay.amount, t);
      if (tracing()) step({K::amount, 0, text("amount"), written(pay.amount->range), amt(raw), "", t, line_of(pay.amount->range)});
      explain_shown(*pay.amount, t, 1);
      amount = rounded(raw);
      if (tracing() && pay.rounding)
        step({K::rounding, 0, text("rounded {} to {}", rounding_mode_name(pay.rounding->mode), written(pay.rounding->step->range)), "",
              amt(amount), text("{} -> {} (by {})", Figure{money(raw)}, Figure{money(amount)}, Figure{money(amount - raw)}), t, line_of(pay.rounding->range)});
    }
    if (pay.netted) {
      Number entitled = amount;
      amount = amount - before;
      if (amount.sign() < 0) amount = Number{};
      if (tracing()) step({K::netting, 0, text("netted"), "", amt(amount), netting_note(entitled, before, amount),
            t, line_of(pay.range)});
    }
    if (pay.floor) {
      Number a = std::max(amount, number(*pay.floor, t));
      explain_bound(0, LimitKind::floor, pay.floor.get(), amount, a, t);
      amount = a;
    }
    if (no_limit(pay.cap_period)) {
      explain_no_limit(0, LimitKind::cap_per_period, *pay.cap_period, amount, t);
    } else if (pay.cap_period) {
      Number a = std::min(amount, number(*pay.cap_period, t));
      explain_bound(0, LimitKind::cap_per_period, pay.cap_period.get(), amount, a, t);
      amount = a;
    }
    if (no_limit(pay.cap_total)) {
      explain_no_limit(0, LimitKind::cap_total, *pay.cap_total, amount, t);
    } else if (pay.cap_total) {
      Number left = number(*pay.cap_total, t) - before;
      Number a = std::min(amount, left.sign() > 0 ? left : Number{});
      explain_bound(0, LimitKind::cap_total, pay.cap_total.get(), amount, a, t,
                    tracing() ? text("{} paid in earlier periods, so {} left", Figure{money(before)}, Figure{money(left.sign() > 0 ? left : Number{})})
                              : Text());
      amount = a;
    }
    if (amount.sign() < 0)
      fail(DiagKind::runtime, "E608",
           text("the payment in {} is negative ({} {}); a payment goes from payer to payee only", c_.periods[t],
                       amount.to_string(), c_.currencies[currency_].code),
           pay.range, pay.clause);
    exact_in_minor_unit(amount, pay.range, pay.clause, t);
  }
  if (in_range && tracing()) step({K::result, 0, text("pays"), "", amt(amount), "", t, line_of(pay.range)});
  st.paid.push_back(amount);
  st.total += amount;
  st.applies.push_back(applies || in_range);
  clause_ = saved_clause;
  currency_ = saved_currency;
  trace_ = saved_trace;
  if (o_.trace) explained_ = std::move(saved_explained);
}

// The waterfall w in period t: each tier takes its part of what is left of the pool.
void Evaluator::compute_waterfall(int w, int t) {
  using K = TraceStep::Kind;
  const auto& fall = c_.waterfalls[w];
  auto& st = fall_paid_[w];
  int saved_clause = std::exchange(clause_, fall.clause);
  int saved_currency = std::exchange(currency_, fall.currency);
  if (static_cast<int>(st.paid.size()) <= t) st.paid.resize(t + 1);
  std::vector<Number>& pay = st.paid[t];
  pay.assign(fall.payees.size(), Number{});
  if (st.total.size() != fall.payees.size()) st.total.assign(fall.payees.size(), Number{});
  bool applies = t >= fall.periods.first && t <= fall.periods.last;
  std::vector<TraceStep>* saved_trace = trace_;
  std::set<std::pair<const void*, int>> saved_explained;  // another rule's trace under way
  if (o_.trace) saved_explained = std::exchange(explained_, {});
  trace_ = traced(t) && applies ? &traces_[{true, w, t}].steps : nullptr;
  if (applies) {
    Number pool = number(*fall.pool, t);
    Number remaining = pool.sign() > 0 ? pool : Number{};
    if (tracing()) step({K::amount, 0, text("pool"), written(fall.pool->range), amt(pool), pool.sign() < 0 ? text("negative, so nothing to share") : Text(),
          t, line_of(fall.pool->range)});
    explain_shown(*fall.pool, t, 1);
    std::vector<Number>& entitled = st.entitled;
    entitled.assign(fall.payees.size(), Number{});
    for (const auto& tier : fall.tiers) {
      using TK = checked::Tier::Kind;
      Number a, limit, share;
      const bool unlimited = tier.kind == TK::up_to && no_limit(tier.amount);
      if (unlimited) {
        a = remaining;
      } else if (tier.kind == TK::up_to) {
        limit = number(*tier.amount, t);
        a = std::min(remaining, limit.sign() > 0 ? limit : Number{});
      } else if (tier.kind == TK::share_of_rest) {
        share = number(*tier.amount, t);
        a = checked_size(share * remaining, *tier.amount);
      } else {
        a = remaining;
      }
      if (tracing()) {
        std::string who = c_.parties[tier.payee].id;
        std::string label = tier.name.empty() ? who : fmt::format("{}: {}", tier.name, who);
        const Figure left{money(remaining)};
        Text how = unlimited ? text("no limit (`{}` is unlimited); {} was left", written(tier.amount->range), left)
                   : tier.kind == TK::up_to
                       ? (a < limit ? text("the pool ran short: {} left, under the limit of {}", left, Figure{money(limit)})
                                    : text("the limit bound; {} was left", left))
                   : tier.kind == TK::share_of_rest ? text("{} of the {} left", Figure{show(share, tier.amount->type)}, left)
                                                    : text("the rest");
        std::string formula = tier_formula(tier);
        step({K::tier, 0, label, formula, amt(a), how, t, line_of(tier.range)});
      }
      if (tier.amount && !unlimited) explain_shown(*tier.amount, t, 1);
      if (tier.rounding) {
        Number r = round(a, *tier.rounding->step, tier.rounding->mode, t);
        if (tracing()) step({K::rounding, 1, text("rounded {} to {}", rounding_mode_name(tier.rounding->mode), written(tier.rounding->step->range)), "",
              amt(r), text("{} -> {} (by {})", Figure{money(a)}, Figure{money(r)}, Figure{money(r - a)}), t, line_of(tier.rounding->range)});
        a = r;
      }
      if (no_limit(tier.cap)) {
        explain_no_limit(1, LimitKind::cap, *tier.cap, a, t);
      } else if (tier.cap) {
        Number capped = std::min(a, number(*tier.cap, t));
        explain_bound(1, LimitKind::cap, tier.cap.get(), a, capped, t);
        a = capped;
      }
      a = std::min(a, remaining);
      if (a.sign() < 0) a = Number{};
      remaining -= a;
      for (std::size_t k = 0; k < fall.payees.size(); ++k)
        if (fall.payees[k] == tier.payee) entitled[k] += a;
    }
    for (std::size_t k = 0; k < fall.payees.size(); ++k) {
      Number a = entitled[k];
      if (fall.netted) {
        const Number& earlier = st.total[k];  // what it paid the payee in the periods before t
        a -= earlier;
        if (a.sign() < 0) a = Number{};
        if (tracing()) step({K::netting, 0, text("netted: {}", c_.parties[fall.payees[k]].id), "", amt(a),
              netting_note(entitled[k], earlier, a),
              t, line_of(fall.range)});
      }
      exact_in_minor_unit(a, fall.range, fall.clause, t);
      pay[k] = a;
      if (tracing()) step({K::result, 0, text("pays {}", c_.parties[fall.payees[k]].id), "", amt(a), "", t, line_of(fall.range)});
    }
  }
  for (std::size_t k = 0; k < fall.payees.size(); ++k) st.total[k] += pay[k];
  st.computed = t + 1;
  st.applies.push_back(applies);
  clause_ = saved_clause;
  currency_ = saved_currency;
  trace_ = saved_trace;
  if (o_.trace) explained_ = std::move(saved_explained);
}

// Moves the trace of a rule in a period into the evaluation; its index, or -1 without one.
int Evaluator::attach_trace(Evaluation& out, bool waterfall, int rule, int t, int clause) {
  auto it = traces_.find({waterfall, rule, t});
  if (it == traces_.end()) return -1;
  it->second.period = t, it->second.clause = clause, it->second.waterfall = waterfall, it->second.rule_index = rule;
  out.traces.push_back(std::move(it->second));
  traces_.erase(it);
  return static_cast<int>(out.traces.size()) - 1;
}

// Writes line `n` of `out` (reusing an existing line's memory) and advances n.
static void emit(Evaluation& out, std::size_t& n, int t, int payer, int payee, const Number& amount, int clause, const std::string& rule,
                 bool waterfall, int rule_index, int trace) {
  PaymentLine& l = n < out.lines.size() ? out.lines[n] : out.lines.emplace_back();
  ++n;
  l.period = t, l.payer = payer, l.payee = payee, l.amount = amount, l.clause = clause;
  l.rule = rule;
  l.waterfall = waterfall, l.rule_index = rule_index, l.trace = trace;
}

void Evaluator::run(Evaluation& out) {
  int periods = static_cast<int>(c_.periods.size());
  for (int t = 0; t < periods; ++t) {
    for (std::size_t p = 0; p < c_.payments.size(); ++p) payment_paid(static_cast<int>(p), t);
    for (std::size_t w = 0; w < c_.waterfalls.size(); ++w) waterfall_paid(static_cast<int>(w), t);
  }
  // Lines by period, then by clause, payments before waterfalls within a clause. The lines of
  // a reused Evaluation are overwritten in place, keeping their memory; a new one is given room
  // for exactly its lines, counted first, at once (not moved as it grows: 50 000 lines for
  // 10 000 rules; a bound of every rule in every period could be a thousand times too many).
  std::size_t count = 0;
  for (int t = 0; t < periods; ++t) {
    for (std::size_t p = 0; p < c_.payments.size(); ++p) count += paid_[p].applies[t] ? 1 : 0;
    for (std::size_t w = 0; w < c_.waterfalls.size(); ++w) count += fall_paid_[w].applies[t] ? c_.waterfalls[w].payees.size() : 0;
  }
  reserve_offering_huge_pages(out.lines, count, Growth::exact);  // bench/README.md
  std::size_t lines = 0;
  for (int t = 0; t < periods; ++t)
    in_clause_order(
        c_,
        [&](int p) {
          const auto& pay = c_.payments[static_cast<std::size_t>(p)];
          if (!paid_[p].applies[t]) return;
          emit(out, lines, t, pay.payer, pay.payee, paid_[p].paid[t], pay.clause, pay.name, false, p, attach_trace(out, false, p, t, pay.clause));
        },
        [&](int w) {
          const auto& fall = c_.waterfalls[static_cast<std::size_t>(w)];
          if (!fall_paid_[w].applies[t]) return;
          int trace = attach_trace(out, true, w, t, fall.clause);
          for (std::size_t k = 0; k < fall.payees.size(); ++k)
            emit(out, lines, t, fall.payer, fall.payees[k], fall_paid_[w].paid[t][k], fall.clause, fall.name, true, w, trace);
        });
  out.lines.resize(lines);
  out.not_paid.clear();
  for (std::size_t p = 0; p < c_.payments.size(); ++p)
    for (const auto& [t, r] : paid_[p].not_paid) out.not_paid.push_back({static_cast<int>(p), t, r});
}

}  // namespace evaluate_internal

using evaluate_internal::Evaluator;

std::optional<Text> stop_requested(const EvalOptions& options) {
  if (options.cancel && options.cancel->load(std::memory_order_relaxed)) return text("the evaluation was cancelled by its host");
  if (options.deadline && std::chrono::steady_clock::now() > *options.deadline)
    return text("the evaluation ran past the deadline its host set");
  return std::nullopt;
}

// The data with every value of each scaled input multiplied by its factor (EvalOptions::input_scales).
static Dataset scaled(const Dataset& data, const std::map<int, Number>& scales) {
  Dataset out = data;
  for (const auto& [input, factor] : scales)
    if (input >= 0 && static_cast<std::size_t>(input) < out.series.size())
      for (auto& value : out.series[input])
        if (auto* n = value ? std::get_if<Number>(&*value) : nullptr) *n = *n * factor;
  return out;
}

// evaluate(), and with `hits` evaluate_with_limits() (limit_hits.hpp).
static void evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options, Workspace& workspace,
                     Evaluation& out, std::vector<LimitHit>* hits) {
  if (hits) hits->clear();
  if (!options.input_scales.empty()) {  // evaluate the scaled data, with no series read ahead for the unscaled
    EvalOptions plain = options;
    plain.input_scales.clear();
    plain.columns = nullptr;
    evaluate(contract, scaled(data, options.input_scales), plain, workspace, out, hits);
    return;
  }
  out.ok = false;
  out.fast = false;
  out.steps = 0;
  out.work = 0;
  out.lane_records = 0;
  out.lane_loops = 0;
  out.traces.clear();
  out.not_paid.clear();
  out.diagnostics.clear();
  // A stop already requested stops either path (the fixed-point path, microseconds long, does
  // not look again).
  if (auto why = stop_requested(options)) {
    Diagnostic d;
    d.kind = DiagKind::limit;
    d.code = "E712";
    set_message(d, std::move(*why));
    out.diagnostics.push_back(std::move(d));
    return;
  }
  if (options.fast && !options.trace && !hits) {
    auto& cache = workspace.state().fast;
    const fast::Program* program = options.program ? options.program : options.lower ? cache.program(contract) : nullptr;
    if (program && fast::run(*program, contract, data, options.columns, options, cache.scratch_for(program), out)) {
      out.ok = out.fast = true;
      return;
    }
  }
  auto failed = [&](Diagnostic d) {
    out.lines.clear();
    out.traces.clear();
    out.diagnostics.push_back(std::move(d));
  };
  std::optional<Evaluator> ev;
  try {
    with_stack(options.limits.max_stack_bytes, [&] {
      ev.emplace(contract, data, options, workspace.state());
      ev->record_limits(hits);
      ev->run(out);
    });
    out.ok = true;
  } catch (DiagnosticError& e) {
    failed(std::move(e.diagnostic));
  } catch (const ArithmeticError& e) {
    Diagnostic d;
    d.kind = DiagKind::runtime;
    d.code = "E609";
    d.message = e.what();
    failed(std::move(d));
  }
  if (ev) out.steps = ev->steps(), out.work = ev->work(), out.lane_records = ev->lane_records(), out.lane_loops = ev->lane_loops();
}

void evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options, Workspace& workspace,
              Evaluation& out) {
  evaluate(contract, data, options, workspace, out, nullptr);
}

void evaluate_with_limits(const checked::Contract& contract, const Dataset& data, const EvalOptions& options, Workspace& workspace,
                          Evaluation& out, std::vector<LimitHit>& hits) {
  evaluate(contract, data, options, workspace, out, &hits);
}

Evaluation evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options) {
  Workspace workspace;
  Evaluation out;
  evaluate(contract, data, options, workspace, out);
  return out;
}

// Whether the lanes may run `o` together with `first`: evaluate() would offer both to the
// fixed-point path, with the same limits, program and stop.
static bool same_lanes(const EvalOptions& first, const EvalOptions& o) {
  return o.fast && !o.trace && o.input_scales.empty() && o.limits == first.limits && o.program == first.program &&
         o.lower == first.lower && o.cancel == first.cancel && o.deadline == first.deadline;
}

void evaluate_each(const checked::Contract& contract, const Dataset* const* data, const EvalOptions* const* options,
                   std::size_t count, Workspace& workspace, Evaluation* out) {
  auto& state = workspace.state();
  auto& each = state.each;
  each.cases.clear();
  each.terms.clear();
  const EvalOptions* first = nullptr;
  for (std::size_t i = 0; i < count; ++i) {
    const EvalOptions& o = *options[i];
    if (!first && o.fast && !o.trace && o.input_scales.empty()) first = &o;
    if (first && same_lanes(*first, o)) each.cases.push_back(i), each.terms.push_back(&o);
  }
  const fast::Program* program = !first ? nullptr : first->program ? first->program : first->lower ? state.fast.program(contract) : nullptr;
  std::size_t lanes = program && !each.cases.empty() ? each.cases.size() : 0;
  if (lanes > 0) {
    // Each case's series in fixed point: its options', or read from its data (once for a run
    // of cases on the same data).
    each.sets.resize(lanes);
    const Dataset* read_from = nullptr;
    std::size_t read = 0;  // columns read so far
    for (std::size_t k = 0; k < lanes; ++k) {
      const std::size_t i = each.cases[k];
      if (options[i]->columns) {
        each.sets[k] = options[i]->columns;
        continue;
      }
      if (data[i] != read_from) {
        if (read == each.columns.size()) each.columns.emplace_back();  // a deque: those read stay where they are
        fast::read_columns(contract, *data[i], each.columns[read++]);
        read_from = data[i];
      }
      each.sets[k] = &each.columns[read - 1];
    }
    const std::size_t lines = fast::line_count(*program);
    each.amounts.resize(lanes * lines);
    each.ok.resize(lanes);
    fast::run_batch(*program, each.sets.data(), each.terms.data(), lanes, *first, state.fast.scratch_for(program),
                    each.amounts.data(), each.ok.data());
    for (std::size_t k = 0; k < lanes; ++k) {
      if (!each.ok[k]) continue;
      Evaluation& e = out[each.cases[k]];
      fast::write_lines(*program, contract, each.amounts.data() + k * lines, e);
      e.ok = e.fast = true;
      e.steps = 0, e.work = 0, e.lane_records = 0, e.lane_loops = 0;
      e.traces.clear(), e.not_paid.clear(), e.diagnostics.clear();
    }
  }
  // The rest one at a time, in order: those not taken to the lanes, and those the lanes gave up.
  std::size_t k = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const bool on_lanes = k < lanes && each.cases[k] == i;
    if (on_lanes && each.ok[k++]) continue;
    evaluate(contract, *data[i], *options[i], workspace, out[i], nullptr);
  }
}

void evaluate_each(const checked::Contract& contract, const Dataset& data, const EvalOptions* const* options,
                   std::size_t count, Workspace& workspace, Evaluation* out) {
  auto& same = workspace.state().each.data;
  same.assign(count, &data);
  evaluate_each(contract, same.data(), options, count, workspace, out);
}

ValueResult evaluate_expression(const checked::Contract& contract, const Dataset& data, const checked::Expr& expr,
                                int period, const EvalOptions& options) {
  if (!options.input_scales.empty()) {
    EvalOptions plain = options;
    plain.input_scales.clear();
    plain.columns = nullptr;
    return evaluate_expression(contract, scaled(data, options.input_scales), expr, period, plain);
  }
  ValueResult out;
  Workspace workspace;
  try {
    out.value = with_stack(options.limits.max_stack_bytes, [&] {
      Evaluator ev(contract, data, options, workspace.state());
      return ev.eval(expr, period);
    });
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

}  // namespace utfall
