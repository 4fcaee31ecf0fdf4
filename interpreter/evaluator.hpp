// The evaluator of evaluate.cpp, shared with evaluate_explain.cpp (the explanations of a
// traced evaluation): what an evaluation keeps between calls (Workspace::State) and the
// tree-walking Evaluator. Internal to the interpreter; the public entry is evaluate.hpp.
#pragma once

#include "interpreter/evaluate.hpp"
#include "interpreter/limit_hits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
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

// What an evaluation computes as it goes: memoised definitions and terms, what each payment and
// waterfall paid so far, participant slots. Kept in a Workspace so that its memory is reused.
struct Workspace::State {
  std::vector<std::optional<checked::Value>> defs;  // [def * periods + period]
  std::vector<char> busy;                  // the same shape: being computed (a cycle guard)
  std::vector<std::optional<checked::Value>> terms;
  // Per-participant definitions that use their own earlier values (ParticipantDef::looks_back),
  // by (definition, participant, period): each is evaluated once, so that the chain of periods
  // is linear. Others are evaluated where they are used.
  std::map<std::array<int, 3>, checked::Value> looking_back;
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
  std::unordered_map<const checked::Expr*, Sums> sums;  // by node of the last contract evaluated, `sums_of`
  const checked::Contract* sums_of = nullptr;
  fast::Cache fast;  // the fixed-point program of the last contract, and its scratch memory
  fast::ParticipantLanes lanes;  // participants as lanes: the data's fields in fixed point, and scratch
  // evaluate_each's cases on lanes: which, their term values, their sets, and what the lanes
  // give back.
  struct Each {
    std::vector<const Dataset*> data;  // one data set for every case (the overload that takes one)
    std::vector<std::size_t> cases;
    std::vector<const EvalOptions*> terms;
    std::vector<const fast::Columns*> sets;
    std::vector<std::int64_t> amounts;
    std::vector<std::uint8_t> ok;
    std::deque<fast::Columns> columns;  // read from the data where the options bring none
  } each;

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

namespace evaluate_internal {

using checked::Expr;
using checked::Op;
using checked::Value;

// Values in a trace: money with the minor unit's places and separators, the rest exactly.
std::string show_value(const checked::Contract& c, const Value& v, const Type& type);
inline int line_of(const SourceRange& r) { return r.source ? static_cast<int>(r.begin.line) : 0; }

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
  std::uint64_t work() const { return work_; }
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

}  // namespace evaluate_internal
}  // namespace utfall
