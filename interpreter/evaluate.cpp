// Evaluate: a tree-walking evaluator over the checked contract, with memoised definitions per
// period and the running totals that caps and netting need.
#include "interpreter/evaluate.hpp"
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
#include "interpreter/stack.hpp"
#include "interpreter/text_keys.hpp"
#include "interpreter/unicode.hpp"
#include "stdlib/builtins.hpp"

namespace utfall {
namespace {

using checked::Expr;
using checked::Op;
using checked::Value;

std::string show_value(const checked::Contract& c, const Value& v, const Type& type);

}  // namespace

// What an evaluation computes as it goes: memoised definitions and terms, what each payment and
// waterfall paid so far, participant slots. Kept in a Workspace so that its memory is reused.
struct Workspace::State {
  std::vector<std::optional<Value>> defs;  // [def * periods + period]
  std::vector<char> busy;                  // the same shape: being computed (a cycle guard)
  std::vector<std::optional<Value>> terms;
  // Per-participant definitions that use their own earlier values (ParticipantDef::looks_back),
  // by (definition, participant, period): each is evaluated once, so that the chain of periods
  // is linear. Others are evaluated where they are used.
  std::map<std::array<int, 3>, Value> looking_back;
  std::vector<int> slots;  // participant index bound in each binder slot
  // Payments: what each paid in each period computed so far, and per participant in total.
  struct PaymentState {
    std::vector<Number> paid;             // per period, for periods computed so far
    Number total;                         // the sum of `paid`: what netting and a total cap take off
    std::vector<char> applies;            // per period
    std::vector<Number> participant_paid;  // per participant, cumulative
    // `at most N per KEY`: the records paid so far per key (key_text), and the records the
    // filter chose but the limit did not let through, as (period, record).
    std::map<std::string, int> paid_per_key;
    std::vector<std::pair<int, int>> not_paid;
    bool busy = false;
  };
  std::vector<PaymentState> payments;
  struct WaterfallState {
    std::vector<std::vector<Number>> paid;  // [period][payee position]; the first `computed` are valid
    std::vector<Number> total;              // [payee position]: the sum over the computed periods
    std::vector<char> applies;
    std::vector<Number> entitled;  // scratch of compute_waterfall
    int computed = 0;
    bool busy = false;
  };
  std::vector<WaterfallState> waterfalls;
  // Sums over periods (`to_date`, `sum(... over P .. Q)`) whose value depends on the period only,
  // not on a participant bound around them: each period's part is evaluated once, so that an
  // evaluation is linear in the number of periods.
  struct Sums {
    enum class Kind : char { unknown, period_only, per_participant } kind = Kind::unknown;
    std::vector<Number> to_date;  // to_date: [t] the sum over the periods up to t, for t computed so far
    std::optional<Number> over;   // sum over periods: its value once computed
    bool filling = false;         // to_date: its periods are being added
    // per_participant: the binders of the participants it reads, and (to_date) the running sum
    // for each combination of them: the furthest period summed and the sum up to it.
    std::vector<int> binders;
    struct Running {
      int period = -1;
      Number sum;
    };
    std::map<std::vector<int>, Running> running;
  };
  std::unordered_map<const Expr*, Sums> sums;  // by node of the last contract evaluated, `sums_of`
  const checked::Contract* sums_of = nullptr;
  fast::Cache fast;  // the fixed-point program of the last contract, and its scratch memory
  fast::ParticipantLanes lanes;  // participants as lanes: the data's fields in fixed point, and scratch

  // Empties every memo for a new evaluation of `c`, keeping the memory.
  void reset(const checked::Contract& c) {
    std::size_t cells = c.defs.size() * c.periods.size();
    defs.assign(cells, std::nullopt);
    busy.assign(cells, 0);
    terms.assign(c.terms.size(), std::nullopt);
    looking_back.clear();
    lanes.reset();
    slots.assign(static_cast<std::size_t>(std::max(c.binder_count, 0)) + 8, -1);
    payments.resize(c.payments.size());
    for (auto& p : payments) p.paid.clear(), p.total = Number{}, p.applies.clear(), p.participant_paid.clear(), p.paid_per_key.clear(), p.not_paid.clear(),
        p.busy = false;
    waterfalls.resize(c.waterfalls.size());
    for (auto& w : waterfalls) w.total.clear(), w.applies.clear(), w.computed = 0, w.busy = false;
    // Another contract's nodes are forgotten; every node is classified again in each evaluation,
    // since another contract may since have been built at the same addresses.
    if (sums_of != &c) sums.clear(), sums_of = &c;
    for (auto& [node, memo] : sums)
      memo.kind = Sums::Kind::unknown, memo.to_date.clear(), memo.over.reset(), memo.filling = false, memo.running.clear();
  }
};

Workspace::Workspace() : state_(std::make_unique<State>()) {}
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

namespace {

class Evaluator {
 public:
  Evaluator(const checked::Contract& c, const Dataset& d, const EvalOptions& o, Workspace::State& ws)
      : c_(c), d_(d), o_(o), periods_(c.periods.size()), defs_(ws.defs), busy_(ws.busy), terms_(ws.terms), slots_(ws.slots),
        looking_back_(ws.looking_back), paid_(ws.payments), fall_paid_(ws.waterfalls), sums_(ws.sums), lanes_(ws.lanes),
        stack_(o.limits.max_stack_bytes) {
    ws.reset(c);
  }

  Value eval(const Expr& e, int t);
  Number number(const Expr& e, int t) { return std::get<Number>(eval(e, t)); }
  bool boolean(const Expr& e, int t) { return std::get<bool>(eval(e, t)); }
  void run(Evaluation& out);
  std::uint64_t steps() const { return steps_; }
  std::uint64_t lane_records() const { return lane_records_; }
  std::uint64_t lane_loops() const { return lanes_.lowered(); }
  // Lists the limits that bind (limit_hits.hpp) in `hits`, from now on.
  void record_limits(std::vector<LimitHit>* hits) { hits_ = hits; }

  [[noreturn]] void fail(DiagKind kind, const char* code, Text message, const SourceRange& range, int clause = -1) {
    Diagnostic d;
    d.kind = kind;
    d.code = code;
    set_message(d, std::move(message));
    if (range.source) d.range = range;
    if (clause >= 0 && !c_.clauses[clause].number.empty()) d.clause = c_.clauses[clause].label();
    throw DiagnosticError{std::move(d)};
  }

 private:
  const checked::Contract& c_;
  const Dataset& d_;
  const EvalOptions& o_;
  std::size_t periods_;
  std::vector<std::optional<Value>>& defs_;
  std::vector<char>& busy_;
  std::vector<std::optional<Value>>& terms_;
  std::vector<int>& slots_;  // participant index bound in each binder slot
  std::map<std::array<int, 3>, Value>& looking_back_;
  std::uint64_t steps_ = 0;
  std::uint64_t work_ = 0;  // of exact arithmetic, in word products (charge)
  std::size_t depth_ = 0;  // eval() calls under way
  int clause_ = -1;  // the clause being evaluated, for diagnostics
  std::vector<LimitHit>* hits_ = nullptr;  // evaluate_with_limits: the limits that bound
  std::vector<Workspace::State::PaymentState>& paid_;
  std::vector<Workspace::State::WaterfallState>& fall_paid_;
  std::unordered_map<const Expr*, Workspace::State::Sums>& sums_;
  fast::ParticipantLanes& lanes_;
  std::uint64_t lane_records_ = 0;  // records run on fixed-point lanes (Evaluation::lane_records)
  StackGuard stack_;  // from the frame that made the evaluator, where its recursion starts

  // Exact arithmetic on a and b does about (words(a) + words(b))^2 word operations (products,
  // and the greatest common divisor that keeps a fraction reduced): bounded by max_work (E711),
  // so that time is bounded, not only steps. Also where a long evaluation looks at its
  // deadline and at its host's cancel flag.
  void charge(const Number& a, const Number& b, const SourceRange& where) {
    std::uint64_t w = a.words() + b.words();
    work_ += w * w;
    if (work_ > o_.limits.max_work)
      fail(DiagKind::limit, "E711", text("evaluation did more than {} units of exact arithmetic (the limit on work): "
                                                "values grow too large, too often", o_.limits.max_work), where, clause_);
    if (w > 16) interrupted(where);
  }
  void interrupted(const SourceRange& where) {
    if (auto why = stop_requested(o_)) fail(DiagKind::limit, "E712", std::move(*why), where, clause_);
  }
  // A loop over the records of a participant input, run on fixed-point lanes
  // (fast_participants.hpp) when they can take it and the limits allow the steps and the work
  // it would have counted here; nothing: the caller loops.
  std::optional<Number> on_lanes(const fast::RecordLoop& loop, const SourceRange& at) {
    if (!o_.fast || o_.trace || stack_.exhausted()) return std::nullopt;
    const std::size_t room = o_.limits.max_depth > depth_ ? o_.limits.max_depth - depth_ : 0;
    auto r = lanes_.run(c_, d_, loop, fast::LoopContext{&o_, &terms_, &defs_, room});
    if (!r || r->steps > o_.limits.max_steps - steps_ || r->work > o_.limits.max_work - work_) return std::nullopt;
    steps_ += r->steps, work_ += r->work, lane_records_ += r->records;
    for (auto& [term, value] : r->terms_computed) terms_[static_cast<std::size_t>(term)] = std::move(value);
    interrupted(at);
    return std::move(r->sum);
  }
  const Number& charged(const Number& a, const Number& b, const Expr& e) {
    charge(a, b, e.range);
    return a;
  }

  Number checked_size(Number n, const Expr& e) {
    if (n.decimal_digits() > o_.limits.max_digits)
      fail(DiagKind::limit, "E704",
           text("a value has more than {} digits (the limit on the size of numbers)", o_.limits.max_digits), e.range,
           clause_);
    return n;
  }
  int& slot(int i) {
    if (static_cast<std::size_t>(i) >= slots_.size()) slots_.resize(i + 8, -1);
    return slots_[i];
  }
  // The row of a text table that the lookup's key names; a key with no row is E610.
  const checked::TableRow& text_row(const checked::TableLookup& n, int t) {
    const auto& table = c_.tables[n.table];
    const Value v = eval(*n.key, t);
    const auto& key = std::get<std::string>(v);
    if (const auto* row = find_text_row(table, key)) return *row;
    fail(DiagKind::runtime, "E610",
         text("the table `{}` has no row for the key \"{}\"; the key is {}", table.name, excerpt(key),
                     text_key_origin(c_, d_, *n.key, slots_, t)),
         n.key->range, clause_);
  }
  // For an explanation: the text-table lookups in `e` with their keys and values, as
  // `rates("m01") = 1,200.00 SEK`, joined by "; " into `out`.
  void text_lookups(const Expr& e, int t, std::string& out) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, checked::TableLookup>) {
            const auto& table = c_.tables[n.table];
            if (table.key_type.kind != TypeKind::text) return text_lookups(*n.key, t, out);
            const Value key = eval(*n.key, t);
            const auto* row = find_text_row(table, std::get<std::string>(key));
            if (!row) return;
            if (!out.empty()) out += "; ";
            out += fmt::format("{}(\"{}\") = {}", table.name, excerpt(*row->key), show(row->value, table.value_type));
          } else if constexpr (std::is_same_v<T, checked::Unary>) {
            text_lookups(*n.operand, t, out);
          } else if constexpr (std::is_same_v<T, checked::Binary>) {
            text_lookups(*n.lhs, t, out), text_lookups(*n.rhs, t, out);
          } else if constexpr (std::is_same_v<T, checked::If>) {
            text_lookups(boolean(*n.condition, t) ? *n.then_branch : *n.else_branch, t, out);
          } else if constexpr (std::is_same_v<T, checked::Builtin>) {
            for (const auto& a : n.args) text_lookups(*a, t, out);
          } else if constexpr (std::is_same_v<T, checked::Round>) {
            text_lookups(*n.operand, t, out);
          }
        },
        e.node);
  }
  // The dates of a period, the period of a date, a date moved (date_eval.hpp), failing at `e`.
  template <typename F>
  Value dated(const Expr& e, F&& compute) {
    try {
      return compute();
    } catch (const dates::DateError& d) {
      fail(DiagKind::runtime, d.code, d.text, e.range, clause_);
    }
  }
  Number payment_paid(int p, int t);
  Number waterfall_paid(int w, int t);
  Workspace::State::Sums* period_only_sums(const Expr& e, const Expr& body);
  Number participant_to_date(const Expr& e, const Expr& operand, int t);
  Number to_date(const Expr& e, const Expr& operand, int t);
  Number over_periods(const Expr& e, const checked::OverPeriods& n);
  void compute_payment(int p, int t);
  void explain_not_paid(int p, int t);
  int linked_record(int set, int field, int record, const SourceRange& at);
  bool within_limit(int p, int record, int t);
  void compute_waterfall(int w, int t);
  Number round(const Number& x, const Expr& step_expr, RoundingMode mode, int t);
  void exact_in_minor_unit(const Number& amount, const SourceRange& range, int clause, int t);
  Value term(int i);

  // Tracing (EvalOptions::trace). `trace_` is the step list of the rule being computed, or
  // null; each rule and period gets its own list, kept in `traces_` until `run` orders them.
  std::vector<TraceStep>* trace_ = nullptr;
  std::set<std::pair<const void*, int>> explained_;  // (node, period) already in this trace
  // Explaining what the evaluation may not have evaluated (a branch a participant may not take,
  // the right side of `and`/`or`, the body of a sum that chose nobody): only constants (terms)
  // are shown, and nothing is evaluated that could fail.
  bool speculative_ = false;
  template <class F>
  void speculatively(F&& f) {
    bool saved = std::exchange(speculative_, true);
    f();
    speculative_ = saved;
  }
  std::map<std::tuple<bool, int, int>, PaymentTrace> traces_;  // (waterfall?, rule, period)
  bool tracing() const { return trace_ != nullptr; }
  // Whether the rules of period t are traced (EvalOptions::trace_period).
  bool traced(int t) const { return o_.trace && (o_.trace_period < 0 || o_.trace_period == t); }
  void step(TraceStep s);
  std::string written(const SourceRange& r) const;  // the source text of a range, as written
  std::string tier_formula(const checked::Tier& tier) const;
  // "1,000.00 SEK less 400.00 SEK paid in earlier periods", and ", not below zero" when it was.
  Text netting_note(const Number& entitled, const Number& earlier, const Number& paid) const {
    if (paid.is_zero() && entitled < earlier)
      return text("{} less {} paid in earlier periods, not below zero", Figure{money(entitled)}, Figure{money(earlier)});
    return text("{} less {} paid in earlier periods", Figure{money(entitled)}, Figure{money(earlier)});
  }
  std::string show(const Value& v, const Type& type) const { return show_value(c_, v, type); }
  // The currency of the rule being computed (compute_payment, compute_waterfall).
  int currency_ = 0;
  Type money_type() const { return Type::number(c_.currencies.empty() ? c_.money : c_.currencies[currency_].unit); }
  std::string money(const Number& n) const { return show_value(c_, n, money_type()); }
  TraceValue val(const Value& v, const Type& type) const;
  TraceValue amt(const Number& n) const { return val(n, money_type()); }
  void explain(const Expr& e, int t, int depth, bool per_participant);
  // Explains the expression whose formula the last step showed, one level under that step.
  void explain_shown(const Expr& e, int t, int depth) {
    const Expr* saved = std::exchange(shown_, &e);
    explain(e, t, depth, false);
    shown_ = saved;
  }
  const Expr* shown_ = nullptr;
  // A step about `e` itself: when the last step already showed e's formula, its note joins
  // that step instead of repeating the formula; returns the depth for e's parts.
  int own_step(const Expr& e, TraceStep s);
  Text threshold(const Expr& condition, int t);
  int attach_trace(Evaluation& out, bool waterfall, int rule, int t, int clause);
  void explain_bound(int depth, LimitKind what, const Expr* limit, const Number& before, const Number& after, int t,
                     Text room = {});
  // A limit written as the bare name of a term that has the value `unlimited` is no limit
  // (docs/language.md §9.2): it is not evaluated, and `explain` says so.
  bool no_limit(const checked::ExprPtr& limit) const {
    const auto* ref = limit ? std::get_if<checked::TermRef>(&limit->node) : nullptr;
    return ref && term_unlimited(c_, o_, ref->term);
  }
  void explain_no_limit(int depth, LimitKind what, const Expr& limit, const Number& amount, int t);
};

// Values in a trace: money with the minor unit's places and separators, the rest exactly.
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

static int line_of(const SourceRange& r) { return r.source ? static_cast<int>(r.begin.line) : 0; }

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
  const auto& key = d_.participants[set][record][field];
  const auto& targets = d_.participants[link.link];
  for (std::size_t r = 0; r < targets.size(); ++r)
    if (targets[r][link.link_key] == key) return static_cast<int>(r);
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
  // a reused Evaluation are overwritten in place, keeping their memory.
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

}  // namespace

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
  if (ev) out.steps = ev->steps(), out.lane_records = ev->lane_records(), out.lane_loops = ev->lane_loops();
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
