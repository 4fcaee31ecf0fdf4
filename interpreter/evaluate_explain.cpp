// Explanations of a traced evaluation (EvalOptions::trace): the steps that show where each
// value of a payment came from, the limits that bound it, and the records `at most` left unpaid.
#include <fmt/format.h>

#include "interpreter/evaluator.hpp"

namespace utfall::evaluate_internal {

std::string show_value(const checked::Contract& c, const Value& v, const Type& type) {
  if (auto* n = std::get_if<Number>(&v); n && type.kind == TypeKind::number)
    if (auto cur = c.currency_index(type.unit)) return format_money(c, *n, true, *cur) + " " + c.currencies[*cur].code;
  return format_value(c, v, type);
}

// Values in a step: exact, without separators, the unit apart.
TraceValue Evaluator::val(const Value& v, const Type& type) const {
  if (auto* n = std::get_if<Number>(&v)) {
    auto cur = type.kind == TypeKind::number ? c_.currency_index(type.unit) : std::nullopt;
    return {cur ? format_money(c_, *n, false, *cur) : n->to_string(), type.unit.to_string()};
  }
  return {format_value(c_, v, type), ""};
}

void Evaluator::step(TraceStep s) {
  if (!trace_) return;
  if (trace_->size() < o_.max_trace_steps) {
    trace_->push_back(std::move(s));
  } else if (trace_->size() == o_.max_trace_steps) {
    trace_->push_back({TraceStep::Kind::amount, 0, "…", "", "", text("further steps omitted (more than {})", o_.max_trace_steps)});
  }
}

std::string Evaluator::written(const SourceRange& r) const { return written_text(r); }

// An explained sum over more periods lists only its last this many one by one.
constexpr int kListedPeriods = 24;

// Every value the expression used, each once per trace: data, terms, definitions (with their
// own formulas, one level deeper), aggregates, table rows, the branch an `if` took and which
// argument a min/max chose. Under a participant binder (`per_participant`) only what does not
// depend on the participant is shown; the participant's own values are summarised elsewhere.
void Evaluator::explain(const Expr& e, int t, int depth, bool per_participant) {
  if (!tracing() || trace_->size() > o_.max_trace_steps) return;
  using K = TraceStep::Kind;
  auto once = [&](const void* node, int period) { return explained_.insert({node, period}).second; };
  // Under a participant binder or speculatively, no choice is evaluated: parts are only listed.
  const bool summary = per_participant || speculative_;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, checked::InputRef>) {
          if (t < 0 || speculative_ || !once(&c_.inputs[n.input], t)) return;
          const auto& in = c_.inputs[n.input];
          step({K::input, depth, in.name, "", val(eval(e, t), e.type), text("data"), t, line_of(in.range)});
        } else if constexpr (std::is_same_v<T, checked::TermRef>) {
          if (!once(&c_.terms[n.term], -1)) return;
          const auto& term = c_.terms[n.term];
          bool overridden = o_.term_overrides.count(n.term) > 0;
          step({K::term, depth, term.name, written(term.value->range), val(this->term(n.term), term.type),
                overridden ? text("term, overridden for this evaluation") : text("term"), -1, line_of(term.range)});
          if (!overridden) explain_shown(*term.value, -1, depth + 1);
        } else if constexpr (std::is_same_v<T, checked::DefRef>) {
          if (t < 0 || speculative_ || !once(&c_.defs[n.def], t)) return;
          const auto& def = c_.defs[n.def];
          step({K::definition, depth, def.name, written(def.value->range), val(eval(e, t), def.type),
                text("clause {}", c_.clauses[def.clause].number), t, line_of(def.range)});
          explain_shown(*def.value, t, depth + 1);
        } else if constexpr (std::is_same_v<T, checked::PaymentRef>) {
          if (t < 0 || speculative_ || !once(&c_.payments[n.payment], t)) return;
          const auto& pay = c_.payments[n.payment];
          step({K::input, depth, pay.name.empty() ? text("payment") : Text(pay.name), "", amt(std::get<Number>(eval(e, t))),
                text("paid under clause {}", c_.clauses[pay.clause].number), t, line_of(pay.range)});
        } else if constexpr (std::is_same_v<T, checked::WaterfallRef>) {
          if (t < 0 || speculative_ || !once(&c_.waterfalls[n.waterfall], t)) return;
          const auto& fall = c_.waterfalls[n.waterfall];
          step({K::input, depth, fall.name.empty() ? text("waterfall") : Text(fall.name), "", amt(std::get<Number>(eval(e, t))),
                text("paid under clause {}", c_.clauses[fall.clause].number), t, line_of(fall.range)});
        } else if constexpr (std::is_same_v<T, checked::Unary>) {
          explain(*n.operand, t, depth, per_participant);
        } else if constexpr (std::is_same_v<T, checked::Binary>) {
          explain(*n.lhs, t, depth, per_participant);
          // `and` and `or` evaluate their right side only when the left does not decide: an
          // explanation shows no more than the evaluation used (it may not exist: E531, E601).
          bool lazy = n.op == checked::Op::logical_and || n.op == checked::Op::logical_or;
          if (!lazy) {
            explain(*n.rhs, t, depth, per_participant);
          } else if (summary) {
            speculatively([&] { explain(*n.rhs, t, depth, per_participant); });
          } else if (boolean(*n.lhs, t) == (n.op == checked::Op::logical_and)) {
            explain(*n.rhs, t, depth, per_participant);
          }
        } else if constexpr (std::is_same_v<T, checked::If>) {
          if (summary) {
            // Which branch each participant takes is theirs: only the constants of the branches.
            explain(*n.condition, t, depth, per_participant);
            speculatively([&] {
              explain(*n.then_branch, t, depth, per_participant);
              explain(*n.else_branch, t, depth, per_participant);
            });
            return;
          }
          bool yes = boolean(*n.condition, t);
          Text margin = threshold(*n.condition, t);
          Text branch = yes ? text("so the `then` branch") : text("so the `else` branch");
          step({K::condition, depth, text("if"), written(n.condition->range), yes ? "true" : "false",
                margin.empty() ? branch : text("{}; {}", margin, branch), t,
                line_of(n.condition->range)});
          explain(*n.condition, t, depth + 1, false);
          explain(yes ? *n.then_branch : *n.else_branch, t, depth, false);
        } else if constexpr (std::is_same_v<T, checked::Builtin>) {
          const auto& b = stdlib::builtins()[n.id];
          if (summary || (b.name != "min" && b.name != "max" && b.name != "clamp")) {
            for (const auto& a : n.args) explain(*a, t, depth, per_participant);
            return;
          }
          Number result = number(e, t);
          std::size_t chosen = 0;
          while (chosen < n.args.size() && number(*n.args[chosen], t) != result) ++chosen;
          Text note;
          if (b.name == "clamp")
            note = chosen == 0 ? text("within the bounds") : chosen == 1 ? text("the lower bound applied") : text("the upper bound applied");
          else if (chosen > 0 && chosen < n.args.size())
            note = text("{} chose `{}` over `{}` = {}", b.name, written(n.args[chosen]->range), written(n.args[0]->range),
                        Figure{show(eval(*n.args[0], t), n.args[0]->type)});
          else if (chosen < n.args.size())
            note = text("{} chose `{}`", b.name, written(n.args[chosen]->range));
          int inner = own_step(e, {K::choice, depth, std::string(b.name), written(e.range), val(result, e.type), note, t, line_of(e.range)});
          for (const auto& a : n.args) explain(*a, t, inner, false);
        } else if constexpr (std::is_same_v<T, checked::Round>) {
          explain(*n.operand, t, depth, per_participant);
          if (summary) return;
          Number before = number(*n.operand, t), after = number(e, t);
          step({K::rounding, depth, text("round to {} {}", Figure{number(*n.step, t).to_string()}, rounding_mode_name(n.mode)), written(e.range),
                val(after, e.type), text("{} -> {} (by {})", Figure{show(before, e.type)}, Figure{show(after, e.type)}, Figure{show(after - before, e.type)}),
                t, line_of(e.range)});
        } else if constexpr (std::is_same_v<T, checked::ToDate> || std::is_same_v<T, checked::OverPeriods>) {
          int first = 0, last = t;
          const Expr* body;
          if constexpr (std::is_same_v<T, checked::ToDate>) {
            if (t < 0) return;
            body = n.operand.get();
          } else {
            first = n.first, last = n.last, body = n.body.get();
          }
          // Over many periods, the last kListedPeriods one by one and the earlier ones as one step:
          // an explanation of every period then grows linearly with the periods, not with their square.
          const int listed = std::max(first, last - kListedPeriods + 1);
          auto earlier = [&](int at, std::optional<Number> sum) {
            if (listed == first) return;
            step({K::aggregate, at, text("earlier periods"), "", sum ? val(*sum, e.type) : TraceValue{},
                  text("{} .. {}: {} periods, not listed one by one", c_.periods[first], c_.periods[listed - 1], listed - first),
                  -1, line_of(e.range)});
          };
          if (summary) {
            earlier(depth, std::nullopt);
            for (int s = listed; s <= last; ++s) explain(*body, s, depth, true);
            return;
          }
          Number value = number(e, t);
          int inner = own_step(e, {K::aggregate, depth, text("sum"), written(e.range), val(value, e.type),
                                   text("the sum over {} .. {}", c_.periods[first], c_.periods[last]), t, line_of(e.range)});
          if (listed > first) {
            for (int s = listed; s <= last; ++s) value -= number(*body, s);
            earlier(inner, value);
          }
          for (int s = listed; s <= last; ++s) explain(*body, s, inner, false);
        } else if constexpr (std::is_same_v<T, checked::Previous>) {
          if (t < 0) return;
          // A definition's own earlier value is one step, the value it had: explaining it again
          // would explain every period before, back to the first.
          const auto* own = std::get_if<checked::DefRef>(&n.operand->node);
          if (own && c_.defs[own->def].looks_back && !summary) {
            const auto& def = c_.defs[own->def];
            if (t == 0) {
              int inner = own_step(e, {K::definition, depth, text("previous"), written(e.range), val(eval(e, t), e.type),
                                       text("{} is the first period: the fallback", c_.periods[t]), t, line_of(e.range)});
              explain(*n.fallback, t, inner, false);
            } else {
              own_step(e, {K::definition, depth, def.name, written(e.range), val(eval(e, t), e.type),
                           text("its value in the period before, {}", c_.periods[t - 1]), t - 1, line_of(def.range)});
            }
            return;
          }
          if (t == 0) explain(*n.fallback, t, depth, per_participant);
          else explain(*n.operand, t - 1, depth, per_participant);
        } else if constexpr (std::is_same_v<T, checked::At>) {
          explain(*n.operand, n.period, depth, per_participant);
        } else if constexpr (std::is_same_v<T, checked::OverParticipants>) {
          if (summary || t < 0) {
            if (n.body) explain(*n.body, t, depth, true);  // count(...) has none
            if (n.filter) explain(*n.filter, t, depth, true);
            return;
          }
          const auto& records = d_.participants.at(n.set);
          std::size_t matched = 0;
          int saved = slot(n.binder);
          for (std::size_t r = 0; r < records.size(); ++r) {
            slot(n.binder) = static_cast<int>(r);
            if (!n.filter || boolean(*n.filter, t)) ++matched;
          }
          slot(n.binder) = saved;
          int inner = own_step(e, {K::aggregate, depth, n.is_count ? text("count") : text("sum"), written(e.range), val(eval(e, t), e.type),
                records.size() == 1 ? text("over {} of {} participant of `{}`", matched, records.size(), c_.inputs[n.set].name)
                                    : text("over {} of {} participants of `{}`", matched, records.size(), c_.inputs[n.set].name),
                t, line_of(e.range)});
          // With no participant chosen (or none at all), the evaluation used neither the body nor
          // (with none) the filter: their values may not exist.
          auto parts = [&] {
            if (n.body) explain(*n.body, t, inner, true);
            if (n.filter) explain(*n.filter, t, inner, true);
          };
          if (matched == 0) speculatively(parts);
          else parts();
        } else if constexpr (std::is_same_v<T, checked::TableLookup>) {
          if (summary) {
            explain(*n.key, t, depth, true);
            return;
          }
          const auto& table = c_.tables[n.table];
          if (table.key_type.kind == TypeKind::text) {
            const auto& row = text_row(n, t);
            int inner = own_step(e, {K::table, depth, table.name, written(e.range), val(row.value, e.type),
                                     text("the row \"{}\"", excerpt(*row.key)), t,
                                     line_of(e.range)});
            explain(*n.key, t, inner, false);
            return;
          }
          Number key = number(*n.key, t);
          Text where;
          if (!table.scale) {
            for (const auto& row : table.rows) {
              bool above = !row.lower || (row.lower_closed ? *row.lower <= key : *row.lower < key);
              bool below = !row.upper || (row.upper_closed ? key <= *row.upper : key < *row.upper);
              if (above && below)
                where = text("{} falls in {}{}, {}{}", Figure{show(key, n.key->type)}, row.lower_closed ? "[" : "(",
                             Figure{row.lower ? show(*row.lower, n.key->type) : "-inf"},
                             Figure{row.upper ? show(*row.upper, n.key->type) : "inf"}, row.upper_closed ? "]" : ")");
            }
          } else {
            where = text("{} on the scale, between its points", Figure{show(key, n.key->type)});
          }
          int inner = own_step(e, {K::table, depth, table.name, written(e.range), val(eval(e, t), e.type), where, t, line_of(e.range)});
          explain(*n.key, t, inner, false);
        }
      },
      e.node);
}

// For a comparison of two numbers (a threshold), both sides and the margin between them:
// "0.28 against 0.1, a margin of 0.18".
Text Evaluator::threshold(const Expr& condition, int t) {
  const auto* b = std::get_if<checked::Binary>(&condition.node);
  if (!b || b->lhs->type.kind != TypeKind::number) return {};
  switch (b->op) {
    case Op::less: case Op::less_equal: case Op::greater: case Op::greater_equal: case Op::equal: case Op::not_equal: break;
    default: return {};
  }
  Number l = number(*b->lhs, t), r = number(*b->rhs, t);
  return text("{} against {}, a margin of {}", Figure{show(l, b->lhs->type)}, Figure{show(r, b->rhs->type)},
              Figure{show((l - r).abs(), b->lhs->type)});
}

int Evaluator::own_step(const Expr& e, TraceStep s) {
  if (&e == shown_ && trace_ && !trace_->empty()) {
    auto& last = trace_->back();
    last.note = last.note.empty() ? s.note : text("{}; {}", s.note, last.note);
    return s.depth;
  }
  step(std::move(s));
  return s.depth + 1;
}

// A tier's rule as the contract writes it, in the contract's own keywords: `up to takbelopp`,
// `30 % of rest`, `rest` (`upp till takbelopp`, `30 % av resten`, `resten` in a Swedish one).
std::string Evaluator::tier_formula(const checked::Tier& tier) const {
  namespace g = grammar;
  const auto language = tier.range.source ? g::language_of(tier.range.source->text) : g::Language::english;
  const auto word = [&](g::Keyword k) { return std::string(g::spelling(k, language)); };
  switch (tier.kind) {
    case checked::Tier::Kind::up_to: return fmt::format("{} {} {}", word(g::Keyword::up_), word(g::Keyword::to_), written(tier.amount->range));
    case checked::Tier::Kind::share_of_rest: return fmt::format("{} {} {}", written(tier.amount->range), word(g::Keyword::of_), word(g::Keyword::rest_));
    case checked::Tier::Kind::rest: break;
  }
  return word(g::Keyword::rest_);
}

// The label of a cap or floor: what it is and its limit as written.
static Text bound_label(LimitKind what, const std::string& limit) {
  switch (what) {
    case LimitKind::floor: return text("at least `{}`", limit);
    case LimitKind::cap_per_period: return text("capped per period at `{}`", limit);
    case LimitKind::cap_total: return text("capped in total at `{}`", limit);
    case LimitKind::cap_per_participant: return text("capped per participant at `{}`", limit);
    case LimitKind::cap: break;
  }
  return text("capped at `{}`", limit);
}

// A cap or floor: its limit, whether it bound, and by how much.
void Evaluator::explain_bound(int depth, LimitKind what, const Expr* limit, const Number& before, const Number& after, int t,
                              Text room) {
  if (hits_ && limit && before != after) hits_->push_back({t, clause_, limit, what});
  if (!tracing() || !limit) return;
  Text note = before == after ? text("did not bind")
              : after < before ? text("bound: cut by {}", Figure{money((after - before).abs())})
                               : text("bound: raised by {}", Figure{money((after - before).abs())});
  if (!room.empty()) note = text("{}; {}", room, note);
  step({TraceStep::Kind::bound, depth, bound_label(what, written(limit->range)), "", amt(after),
        text("{} -> {}: {}", Figure{money(before)}, Figure{money(after)}, note), t, line_of(limit->range)});
  explain(*limit, t, depth + 1, false);
}

void Evaluator::explain_no_limit(int depth, LimitKind what, const Expr& limit, const Number& amount, int t) {
  if (tracing())
    step({TraceStep::Kind::bound, depth, bound_label(what, written(limit.range)), "", amt(amount),
          text("no cap (`{}` is unlimited)", written(limit.range)), t, line_of(limit.range)});
}

// The records of payment p that its filter chose in t but `at most` did not let through.
void Evaluator::explain_not_paid(int p, int t) {
  using K = TraceStep::Kind;
  const auto& pay = c_.payments[p];
  const auto& st = paid_[p];
  std::vector<int> rows;
  for (const auto& [period, record] : st.not_paid)
    if (period == t) rows.push_back(record);
  std::string keys;
  for (const auto& k : pay.per_keys) keys += (keys.empty() ? "" : ", ") + written(k->range);
  const Text times = pay.at_most == 1 ? text("once") : text("{} times", pay.at_most);
  const Text label = text("at most {} per {}", times, keys);
  if (rows.empty()) {
    step({K::participants, 1, label, "", "0", text("every record chosen was paid"), t, line_of(pay.range)});
    return;
  }
  step({K::participants, 1, label, "", std::to_string(rows.size()),
        rows.size() == 1 ? text("1 record not paid: its key had been paid {} already", times)
                         : text("{} records not paid: their key had been paid {} already", rows.size(), times),
        t, line_of(pay.range)});
  const auto* source = static_cast<std::size_t>(pay.set) < d_.sources.size() ? &d_.sources[pay.set] : nullptr;
  for (std::size_t i = 0; i < rows.size() && i < 25; ++i) {
    const int r = rows[i];
    Text where = text("record {}", r + 1);
    if (source && !source->file.empty() && static_cast<std::size_t>(r) < source->rows.size())
      where = text("{}: row {} (line {})", source->file, source->rows[r].row, source->rows[r].line);
    int saved = std::exchange(slot(pay.binder), r);
    std::string values;
    for (const auto& k : pay.per_keys) values += (values.empty() ? "" : ", ") + show_value(c_, eval(*k, t), k->type);
    slot(pay.binder) = saved;
    step({K::participants, 2, text("not paid"), "", where.in(Language::en), text("key {}", values), t, 0});
  }
  if (rows.size() > 25) step({K::participants, 2, text("not paid"), "", text("{} more", rows.size() - 25).in(Language::en), "", t, 0});
}

}  // namespace utfall::evaluate_internal
