// Bounds: the evaluator's walk over the checked contract, period by period, with intervals for
// values (bounds.hpp). Each case below follows the case of the same node in evaluate.cpp and
// gives an interval holding every value that case can give; a path on which the evaluator
// stops with an error (a missing datum, a division by exactly zero) pays nothing at all, so
// any interval is sound there and the point 0 is used.
#include "interpreter/bounds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "interpreter/date_eval.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/stack.hpp"
#include "stdlib/builtins.hpp"

namespace utfall {
namespace {

using checked::Expr;
using checked::Op;
using Value = checked::Value;

// An end of an interval: a number, or infinity with a sign (-1, +1).
struct End {
  int inf = 0;
  Number v;
};
bool operator<(const End& a, const End& b) {
  if (a.inf != b.inf) return a.inf < b.inf;
  return a.inf == 0 && a.v < b.v;
}
End lo_end(const Extent& x) { return x.lo ? End{0, *x.lo} : End{-1, {}}; }
End hi_end(const Extent& x) { return x.hi ? End{0, *x.hi} : End{1, {}}; }
End times(const End& a, const End& b) {
  const int sa = a.inf ? a.inf : a.v.sign(), sb = b.inf ? b.inf : b.v.sign();
  if (sa == 0 || sb == 0) return End{0, Number{}};  // 0 times anything the data can give is 0
  if (a.inf || b.inf) return End{sa * sb, {}};
  return End{0, a.v * b.v};
}

// A why for an end made absent by x or y: the first that has one.
std::string first_why(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

Extent add(const Extent& a, const Extent& b) {
  Extent r;
  if (a.lo && b.lo) r.lo = *a.lo + *b.lo;
  else r.why_lo = first_why(a.lo ? "" : a.why_lo, b.lo ? "" : b.why_lo);
  if (a.hi && b.hi) r.hi = *a.hi + *b.hi;
  else r.why_hi = first_why(a.hi ? "" : a.why_hi, b.hi ? "" : b.why_hi);
  return r;
}
Extent negate(const Extent& a) {
  Extent r;
  if (a.hi) r.lo = -*a.hi;
  if (a.lo) r.hi = -*a.lo;
  r.why_lo = a.why_hi, r.why_hi = a.why_lo;
  return r;
}
Extent from_ends(const End& lo, const End& hi, const std::string& why) {
  Extent r;
  if (lo.inf == 0) r.lo = lo.v;
  else r.why_lo = why;
  if (hi.inf == 0) r.hi = hi.v;
  else r.why_hi = why;
  return r;
}
Extent multiply(const Extent& a, const Extent& b) {
  const std::array<End, 4> p{times(lo_end(a), lo_end(b)), times(lo_end(a), hi_end(b)), times(hi_end(a), lo_end(b)),
                             times(hi_end(a), hi_end(b))};
  End lo = p[0], hi = p[0];
  for (const auto& x : p) lo = std::min(lo, x), hi = std::max(hi, x);
  const std::string why = first_why(first_why(a.lo ? "" : a.why_lo, a.hi ? "" : a.why_hi), first_why(b.lo ? "" : b.why_lo, b.hi ? "" : b.why_hi));
  return from_ends(lo, hi, why);
}
// The why of an end that is absent only because both a and b are: both, each in parentheses
// when it is a path; one alone when it holds the other.
std::string both_needed(const std::string& a, const std::string& b) {
  if (a.find(b) != std::string::npos) return a;
  if (b.find(a) != std::string::npos) return b;
  auto part = [](const std::string& x) { return x.find(" -> ") == std::string::npos ? x : "(" + x + ")"; };
  return part(a) + " and " + part(b);
}
Extent min_of(const Extent& a, const Extent& b) {
  Extent r;
  if (a.lo && b.lo) r.lo = std::min(*a.lo, *b.lo);
  else r.why_lo = first_why(a.lo ? "" : a.why_lo, b.lo ? "" : b.why_lo);
  if (a.hi || b.hi) r.hi = a.hi && b.hi ? std::min(*a.hi, *b.hi) : a.hi ? *a.hi : *b.hi;
  else r.why_hi = both_needed(a.why_hi, b.why_hi);
  return r;
}
Extent max_of(const Extent& a, const Extent& b) { return negate(min_of(negate(a), negate(b))); }
Extent join(const Extent& a, const Extent& b) {
  Extent r;
  if (a.lo && b.lo) r.lo = std::min(*a.lo, *b.lo);
  else r.why_lo = first_why(a.lo ? "" : a.why_lo, b.lo ? "" : b.why_lo);
  if (a.hi && b.hi) r.hi = std::max(*a.hi, *b.hi);
  else r.why_hi = first_why(a.hi ? "" : a.why_hi, b.hi ? "" : b.why_hi);
  return r;
}
Extent at_least_zero(Extent a) {  // max(a, 0)
  if (!a.lo || *a.lo < Number{}) a.lo = Number{};
  if (a.hi && *a.hi < Number{}) a.hi = Number{};
  return a;
}
const Extent kZero = Extent::point(Number{});

// What an expression can be: an interval for numbers (and dates, in days); whether a boolean
// can be true and can be false; the value itself where it is known (periods, texts, dates).
struct Abs {
  Extent n = kZero;
  bool may_true = true, may_false = true;
  std::optional<Value> known;
};
Abs of_number(Extent e) { return Abs{std::move(e), true, true, std::nullopt}; }
Abs of_bool(bool may_true, bool may_false) { return Abs{kZero, may_true, may_false, std::nullopt}; }
Abs of_value(const Value& v) {
  if (auto* n = std::get_if<Number>(&v)) return of_number(Extent::point(*n));
  if (auto* b = std::get_if<bool>(&v)) return of_bool(*b, !*b);
  // A period and a date also have their place as a number (the index, the day), so that a
  // comparison with one of several periods or dates (a join: `known` gone) still orders them.
  Abs a;
  a.known = v;
  if (auto* d = std::get_if<checked::DateValue>(&v)) a.n = Extent::point(Number::from_int(d->day));
  else if (auto* p = std::get_if<checked::PeriodValue>(&v)) a.n = Extent::point(Number::from_int(p->index));
  else a.n = Extent::any("a text");
  return a;
}
// A value the analysis does not follow (a text from data, a date computed from one): any.
Abs unknown() { return of_number(Extent::any("a value from data that the analysis does not follow")); }
Abs join(const Abs& a, const Abs& b) {
  Abs r;
  r.n = join(a.n, b.n);
  r.may_true = a.may_true || b.may_true, r.may_false = a.may_false || b.may_false;
  if (a.known && b.known && *a.known == *b.known) r.known = a.known;
  return r;
}

// Thrown when the analysis meets one of the evaluator's limits (docs/language.md §25), at the
// expression it was reading: values that depend on each other deeper than it follows (E703),
// more steps (E705) or more exact arithmetic (E711) than one evaluation may take, more values
// kept for later periods than BoundsOptions::max_kept_bytes (E713). So a hostile contract gets
// an answer in bounded time and memory, as `utfall run` does.
struct Stopped {
  const char* code;
  Text text;
  OwnedRange at;
};

class Analyzer {
 public:
  Analyzer(const checked::Contract& c, const BoundsOptions& o, const EvalLimits& limits)
      : c_(c), o_(o), limits_(limits), guard_(4u << 20) {
    periods_ = static_cast<int>(c.periods.size());
    pay_.resize(c.payments.size());
    fall_.resize(c.waterfalls.size());
  }

  Bounds run();

 private:
  const checked::Contract& c_;
  const BoundsOptions& o_;
  const EvalLimits& limits_;
  StackGuard guard_;
  int periods_ = 0;
  std::size_t depth_ = 0;
  std::uint64_t steps_ = 0;  // expressions read, over all periods (E705)
  std::uint64_t work_ = 0;   // exact arithmetic, counted as the evaluator counts it (E711)
  std::size_t kept_ = 0;     // bytes of the values kept for later periods, about (E713)
  std::vector<std::optional<Value>> terms_;  // none: unlimited
  // Definitions (and definitions for each participant) by index and period; none while one is
  // being computed (a circle through it is any value).
  using Memo = std::map<std::pair<int, int>, std::optional<Abs>>;
  Memo defs_, pdefs_;
  std::map<std::pair<const Expr*, int>, Extent> to_date_;
  std::map<const Expr*, Extent> over_periods_;

  struct PayState {
    std::vector<Extent> paid;  // [period]
    Extent total = kZero;      // over the periods in `paid`
    Extent participant_paid = kZero;  // per participant: what one record was paid so far
    bool busy = false;
    std::vector<std::string> limits;
  };
  struct FallState {
    std::vector<std::vector<Extent>> paid;  // [period][payee]
    std::vector<Extent> total;              // [payee]
    bool busy = false;
    std::vector<std::string> limits;
  };
  std::vector<PayState> pay_;
  std::vector<FallState> fall_;

  Abs eval(const Expr& e, int t);
  Abs visit(const Expr& e, int t);
  Abs sized(Abs v, const Expr& e);
  // Counts the memory of a value kept for later periods against BoundsOptions::max_kept_bytes.
  void keep(const Extent& x, const SourceRange& at) {
    kept_ += sizeof(Abs) + 64 + x.why_lo.capacity() + x.why_hi.capacity();  // 64: a map's node, about
    if (kept_ > o_.max_kept_bytes)
      throw Stopped{"E713", text("the values the bounds keep for later periods need more than {} MiB (the limit)", o_.max_kept_bytes >> 20), at};
  }
  Extent number(const Expr& e, int t) { return eval(e, t).n; }
  Abs definition(Memo& memo, int index, int t, const std::string& name, int clause, const Expr& value);
  Abs binary(const Expr& e, const checked::Binary& n, int t);
  Abs builtin(const checked::Builtin& n, int t);
  Abs lookup(const checked::TableLookup& n, int t);
  Abs participants(const checked::OverParticipants& n, int t);
  Extent to_date(const Expr& e, const Expr& operand, int t);
  Extent rounded(const Extent& x, const Expr& step, RoundingMode mode, int t);
  Extent records(int set) const;  // how many records `set` may have

  bool no_limit(const checked::ExprPtr& limit) const {
    const auto* ref = limit ? std::get_if<checked::TermRef>(&limit->node) : nullptr;
    return ref && !terms_[ref->term];
  }
  // `x` cut by `limit`; the cut is noted in `limits` when the limit lowers the upper end.
  Extent cut(const Extent& x, const Extent& limit, const std::string& what, std::vector<std::string>& limits);

  const Extent& payment_paid(int p, int t);
  Extent waterfall_paid(int w, int t);
  void compute_payment(int p, int t);
  void compute_waterfall(int w, int t);
  std::string where(const Expr& e) const { return written_text(e.range); }
  std::string clause_label(int clause) const {
    return clause >= 0 && static_cast<std::size_t>(clause) < c_.clauses.size() ? fmt::format(" (clause {})", c_.clauses[clause].number) : "";
  }
};

// Appends a step to the why of each absent end, once. A path names its first kPathSteps steps,
// then `…`: a chain of hundreds of definitions would otherwise make every value it reaches, in
// every period, carry a path as long as the chain.
constexpr std::size_t kPathSteps = 12;
Extent through(Extent x, const std::string& step) {
  static const std::string kMore = " -> …";
  for (auto* why : {&x.why_lo, &x.why_hi}) {
    if (why->empty() || why->find(step) != std::string::npos) continue;
    std::size_t steps = 0;
    for (std::size_t at = why->find(" -> "); at != std::string::npos; at = why->find(" -> ", at + 4)) ++steps;
    if (steps < kPathSteps) *why += " -> " + step;
    else if (!why->ends_with(kMore)) *why += kMore;
  }
  return x;
}

Abs Analyzer::eval(const Expr& e, int t) {
  if (++depth_ > 3000 || guard_.exhausted())
    throw Stopped{"E703", text("the values of the contract depend on each other too deep for the bounds to follow"), e.range};
  if (++steps_ > limits_.max_steps)
    throw Stopped{"E705", text("the bounds took more than {} steps (the limit of an evaluation)", limits_.max_steps), e.range};
  struct Leave {
    std::size_t& d;
    ~Leave() { --d; }
  } leave{depth_};
  return sized(visit(e, t), e);
}

// The ends of a value are charged as the evaluator charges the operation that made them (a
// value of a and b 64-bit words counts (a + b)^2), and an end of more digits than any value of
// an evaluation may have (E704 there) is given up: the interval stays sound, and a value that
// grows each period (`previous(s, 2) * previous(s, 2)`) stops growing the analysis's work.
Abs Analyzer::sized(Abs v, const Expr& e) {
  const std::uint64_t w = (v.n.lo ? v.n.lo->words() : 0) + (v.n.hi ? v.n.hi->words() : 0);
  work_ += w * w;
  if (work_ > limits_.max_work)
    throw Stopped{"E711", text("the bounds did more than {} units of exact arithmetic (the limit of an evaluation): values grow too large, too often",
                               limits_.max_work), e.range};
  const auto too_large = [&](const std::optional<Number>& end) { return end && end->decimal_digits() > limits_.max_digits; };
  if (too_large(v.n.lo) || too_large(v.n.hi)) {
    const std::string why = fmt::format("`{}` grows past {} digits", where(e), limits_.max_digits);
    if (too_large(v.n.lo)) v.n.lo.reset(), v.n.why_lo = why;
    if (too_large(v.n.hi)) v.n.hi.reset(), v.n.why_hi = why;
  }
  return v;
}

Abs Analyzer::visit(const Expr& e, int t) {
  return std::visit(
      [&](const auto& n) -> Abs {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, checked::Const>) {
          return of_value(n.value);
        } else if constexpr (std::is_same_v<T, checked::InputRef>) {
          const auto& in = c_.inputs[n.input];
          if (t < in.first || t > in.last) return of_number(kZero);  // E531: no payment at all
          if (in.type.kind == TypeKind::boolean) return of_bool(true, true);
          if (in.type.kind != TypeKind::number && in.type.kind != TypeKind::date) return unknown();
          return of_number(input_extent(c_, o_, n.input));
        } else if constexpr (std::is_same_v<T, checked::TermRef>) {
          if (!terms_[n.term]) return of_number(kZero);  // E322 at evaluation
          return of_value(*terms_[n.term]);
        } else if constexpr (std::is_same_v<T, checked::DefRef>) {
          const auto& def = c_.defs[n.def];
          return definition(defs_, n.def, t, def.name, def.clause, *def.value);
        } else if constexpr (std::is_same_v<T, checked::PaymentRef>) {
          return of_number(payment_paid(n.payment, t));
        } else if constexpr (std::is_same_v<T, checked::WaterfallRef>) {
          return of_number(waterfall_paid(n.waterfall, t));
        } else if constexpr (std::is_same_v<T, checked::FieldRef>) {
          const int set = n.linked < 0 ? n.set : c_.inputs[n.set].fields[n.field].link;
          const int field = n.linked < 0 ? n.field : n.linked;
          const auto& f = c_.inputs[set].fields[field];
          if (f.type.kind == TypeKind::boolean) return of_bool(true, true);
          if (f.type.kind != TypeKind::number && f.type.kind != TypeKind::date) return unknown();
          return of_number(input_extent(c_, o_, set, field));
        } else if constexpr (std::is_same_v<T, checked::ParticipantDefRef>) {
          // Every record is any record here: the definition's interval is the same for all.
          const auto& def = c_.participant_defs[n.def];
          return definition(pdefs_, n.def, t, def.name, def.clause, *def.value);
        } else if constexpr (std::is_same_v<T, checked::CurrentPeriod>) {
          return of_value(checked::PeriodValue{t});
        } else if constexpr (std::is_same_v<T, checked::Unary>) {
          Abs v = eval(*n.operand, t);
          if (n.op == Op::negate) return of_number(negate(v.n));
          return of_bool(v.may_false, v.may_true);
        } else if constexpr (std::is_same_v<T, checked::Binary>) {
          return binary(e, n, t);
        } else if constexpr (std::is_same_v<T, checked::If>) {
          Abs test = eval(*n.condition, t);
          if (!test.may_false) return eval(*n.then_branch, t);
          if (!test.may_true) return eval(*n.else_branch, t);
          return join(eval(*n.then_branch, t), eval(*n.else_branch, t));
        } else if constexpr (std::is_same_v<T, checked::CalendarDate>) {
          Abs x = eval(*n.operand, t);
          if (!x.known) return n.part == checked::CalendarDate::Part::days ? of_number(Extent{Number::from_int(1), std::nullopt, {}, "a period's length from data"}) : unknown();
          try {
            return of_value(dates::calendar_date(c_, n.part, *x.known));
          } catch (const dates::DateError&) {  // E605, E614 at evaluation
            return of_number(kZero);
          }
        } else if constexpr (std::is_same_v<T, checked::DateShift>) {
          Abs x = eval(*n.operand, t);
          Extent k = number(*n.step, t);
          if (!x.known || !k.lo || !k.hi || *k.lo != *k.hi) return unknown();
          try {
            return of_value(dates::shift(n, std::get<checked::DateValue>(*x.known), *k.lo));
          } catch (const dates::DateError&) {  // E605, E613 at evaluation
            return of_number(kZero);
          }
        } else if constexpr (std::is_same_v<T, checked::Builtin>) {
          return builtin(n, t);
        } else if constexpr (std::is_same_v<T, checked::Round>) {
          return of_number(rounded(number(*n.operand, t), *n.step, n.mode, t));
        } else if constexpr (std::is_same_v<T, checked::ToDate>) {
          return of_number(to_date(e, *n.operand, t));
        } else if constexpr (std::is_same_v<T, checked::Previous>) {
          return t == 0 ? eval(*n.fallback, t) : eval(*n.operand, t - 1);
        } else if constexpr (std::is_same_v<T, checked::At>) {
          return eval(*n.operand, n.period);
        } else if constexpr (std::is_same_v<T, checked::OverPeriods>) {
          if (auto it = over_periods_.find(&e); it != over_periods_.end()) return of_number(it->second);
          Extent sum = kZero;
          for (int s = n.first; s <= n.last; ++s) sum = add(sum, number(*n.body, s));
          keep(sum, e.range);
          return of_number(over_periods_.emplace(&e, sum).first->second);
        } else if constexpr (std::is_same_v<T, checked::OverParticipants>) {
          return participants(n, t);
        } else if constexpr (std::is_same_v<T, checked::TableLookup>) {
          return lookup(n, t);
        }
      },
      e.node);
}

Abs Analyzer::definition(Memo& memo, int index, int t, const std::string& name, int clause, const Expr& value) {
  auto [it, fresh] = memo.try_emplace({index, t});
  if (!fresh) return it->second ? *it->second : of_number(Extent::any(fmt::format("`{}` depends on itself", name)));
  Abs v = eval(value, t);
  v.n = through(std::move(v.n), fmt::format("`{}`{}", name, clause_label(clause)));
  keep(v.n, value.range);
  it->second = std::move(v);  // a map's entries stay where they are while others are added
  return *it->second;
}

// Whether a < b can be true, and can be false.
std::pair<bool, bool> less_than(const Abs& a, const Abs& b, bool or_equal) {
  if (a.known && b.known && a.known->index() == b.known->index()) {
    bool less = false, equal = *a.known == *b.known;
    if (auto* p = std::get_if<checked::PeriodValue>(&*a.known)) less = p->index < std::get<checked::PeriodValue>(*b.known).index;
    else if (auto* d = std::get_if<checked::DateValue>(&*a.known)) less = d->day < std::get<checked::DateValue>(*b.known).day;
    else if (auto* s = std::get_if<std::string>(&*a.known)) less = *s < std::get<std::string>(*b.known);
    bool r = less || (or_equal && equal);
    return {r, !r};
  }
  const End alo = lo_end(a.n), ahi = hi_end(a.n), blo = lo_end(b.n), bhi = hi_end(b.n);
  // Always: a.hi < b.lo (or <=); never: a.lo >= b.hi (or >).
  const bool always = or_equal ? !(blo < ahi) : ahi < blo;
  const bool never = or_equal ? bhi < alo : !(alo < bhi);
  return {!never, !always};
}

Abs Analyzer::binary(const Expr& e, const checked::Binary& n, int t) {
  if (n.op == Op::logical_and || n.op == Op::logical_or) {
    Abs a = eval(*n.lhs, t);
    const bool is_and = n.op == Op::logical_and;
    if (is_and && !a.may_true) return of_bool(false, true);
    if (!is_and && !a.may_false) return of_bool(true, false);
    Abs b = eval(*n.rhs, t);
    if (is_and) return of_bool(a.may_true && b.may_true, a.may_false || b.may_false);
    return of_bool(a.may_true || b.may_true, a.may_false && b.may_false);
  }
  Abs a = eval(*n.lhs, t), b = eval(*n.rhs, t);
  switch (n.op) {
    case Op::add: return of_number(add(a.n, b.n));
    case Op::subtract: return of_number(add(a.n, negate(b.n)));
    case Op::multiply: return of_number(multiply(a.n, b.n));
    case Op::divide: {
      const bool zero_lo = !b.n.lo || *b.n.lo <= Number{}, zero_hi = !b.n.hi || *b.n.hi >= Number{};
      if (b.n.lo && b.n.hi && b.n.lo->is_zero() && b.n.hi->is_zero()) return of_number(kZero);  // E601 always
      if (zero_lo && zero_hi)
        return of_number(Extent::any(fmt::format("`{}` divides by `{}`, which the data can bring near zero", where(e), where(*n.rhs))));
      Extent inverse;  // 1/b, b of one sign
      if (b.n.hi) inverse.lo = Number::from_int(1) / *b.n.hi;
      else inverse.lo = Number{};
      if (b.n.lo) inverse.hi = Number::from_int(1) / *b.n.lo;
      else inverse.hi = Number{};
      if (inverse.hi < inverse.lo) std::swap(inverse.lo, inverse.hi);
      return of_number(multiply(a.n, inverse));
    }
    case Op::period_add: {
      if (!b.n.lo || !b.n.hi || *b.n.lo != *b.n.hi) return of_number(add(a.n, b.n));  // some period: its place moved
      auto k = b.n.lo->to_int64();
      if (!k || *k > 100000 || *k < -100000) return of_number(kZero);  // E605
      if (!a.known) return of_number(add(a.n, b.n));
      return of_value(checked::PeriodValue{std::get<checked::PeriodValue>(*a.known).index + static_cast<int>(*k)});
    }
    case Op::date_subtract: return of_number(add(a.n, negate(b.n)));
    case Op::equal:
    case Op::not_equal: {
      bool may_equal = true, may_differ = true;
      if (a.known && b.known) may_equal = *a.known == *b.known, may_differ = !may_equal;
      else if (e.type.kind == TypeKind::boolean && n.lhs->type.kind == TypeKind::number) {
        auto [lt, nlt] = less_than(a, b, false);
        auto [gt, ngt] = less_than(b, a, false);
        may_equal = nlt && ngt;  // neither always less nor always greater
        may_differ = lt || gt;
      } else if (n.lhs->type.kind == TypeKind::boolean) {
        may_equal = (a.may_true && b.may_true) || (a.may_false && b.may_false);
        may_differ = (a.may_true && b.may_false) || (a.may_false && b.may_true);
      }
      return n.op == Op::equal ? of_bool(may_equal, may_differ) : of_bool(may_differ, may_equal);
    }
    case Op::less: { auto [y, no] = less_than(a, b, false); return of_bool(y, no); }
    case Op::less_equal: { auto [y, no] = less_than(a, b, true); return of_bool(y, no); }
    case Op::greater: { auto [y, no] = less_than(b, a, false); return of_bool(y, no); }
    case Op::greater_equal: { auto [y, no] = less_than(b, a, true); return of_bool(y, no); }
    default: break;
  }
  return of_number(Extent::any("an operation the analysis does not follow"));
}

Abs Analyzer::builtin(const checked::Builtin& n, int t) {
  const auto& name = stdlib::builtins()[n.id].name;
  std::vector<Extent> args;
  for (const auto& a : n.args) args.push_back(number(*a, t));
  if (name == "min" || name == "max") {
    Extent r = args[0];
    for (std::size_t i = 1; i < args.size(); ++i) r = name == "min" ? min_of(r, args[i]) : max_of(r, args[i]);
    return of_number(r);
  }
  if (name == "clamp") return of_number(min_of(max_of(args[0], args[1]), args[2]));
  if (name == "abs") {
    const Extent& x = args[0];
    if (x.lo && *x.lo >= Number{}) return of_number(x);
    if (x.hi && *x.hi <= Number{}) return of_number(negate(x));
    return of_number(max_of(x, negate(x)));
  }
  return of_number(Extent::any(fmt::format("the function `{}`, which the analysis does not follow", name)));
}

// Each rounding mode is monotone: the ends round to the ends.
Extent Analyzer::rounded(const Extent& x, const Expr& step_expr, RoundingMode mode, int t) {
  Extent step = number(step_expr, t);
  if (step.lo && step.hi && *step.lo == *step.hi && step.lo->sign() > 0) {
    Extent r = x;
    if (r.lo) r.lo = r.lo->round(*step.lo, mode);
    if (r.hi) r.hi = r.hi->round(*step.lo, mode);
    return r;
  }
  if (!step.hi) return Extent::any(fmt::format("a rounding step `{}` from data", where(step_expr)));
  Extent widen{-*step.hi, *step.hi, {}, {}};  // rounding moves a value by less than a step
  return add(x, widen);
}

Extent Analyzer::to_date(const Expr& e, const Expr& operand, int t) {
  Extent sum = kZero;
  int from = 0;
  for (int s = t; s >= 0; --s)
    if (auto it = to_date_.find({&e, s}); it != to_date_.end()) {
      if (s == t) return it->second;
      sum = it->second, from = s + 1;
      break;
    }
  for (int s = from; s <= t; ++s) {
    sum = add(sum, number(operand, s));
    keep(sum, e.range);
    to_date_[{&e, s}] = sum;
  }
  return through(sum, fmt::format("`{}`", where(e)));
}

Extent Analyzer::records(int set) const {
  Extent n{Number{}, std::nullopt, {}, fmt::format("the number of records of `{}` has no bound", c_.inputs[set].name)};
  for (const auto& a : o_.assumptions)
    if (a.kind == Assumption::Kind::count && a.input == set) {
      if (a.lo && *a.lo > *n.lo) n.lo = a.lo;
      if (a.hi) n.hi = a.hi, n.why_hi.clear();
    }
  return n;
}

// A sum of k values each within `each`, for k within `count` (k >= 0).
Extent sum_of_some(const Extent& each, const Extent& count) {
  // Each end is reached at an end of k: the largest sum takes the most records when each can
  // be positive, the fewest otherwise.
  Extent r;
  const End klo = lo_end(count), khi = hi_end(count);
  const End hi = std::max(times(hi_end(each), klo), times(hi_end(each), khi));
  const End lo = std::min(times(lo_end(each), klo), times(lo_end(each), khi));
  const std::string why = first_why(count.hi ? "" : count.why_hi, first_why(each.hi ? "" : each.why_hi, each.lo ? "" : each.why_lo));
  return from_ends(lo, hi, why);
}

Abs Analyzer::participants(const checked::OverParticipants& n, int t) {
  Extent count = records(n.set);
  if (n.filter) {
    Abs f = eval(*n.filter, t);
    if (!f.may_true) return of_number(kZero);
    if (f.may_false) count.lo = Number{};
  }
  if (n.is_count) return of_number(count);
  return of_number(sum_of_some(number(*n.body, t), count));
}

Abs Analyzer::lookup(const checked::TableLookup& n, int t) {
  const auto& table = c_.tables[n.table];
  Abs key = eval(*n.key, t);
  std::optional<Abs> out;
  auto take = [&](const Value& v) { out = out ? join(*out, of_value(v)) : of_value(v); };
  if (table.key_type.kind == TypeKind::text) {
    for (const auto& row : table.rows)
      if (!key.known || (row.key && *row.key == std::get<std::string>(*key.known))) take(row.value);
    return out ? *out : of_number(kZero);  // no row: E607
  }
  const End klo = lo_end(key.n), khi = hi_end(key.n);
  if (table.scale) {
    // Between two points the value lies between theirs; outside, it is the nearest point's.
    const auto& rows = table.rows;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const End x{0, *rows[i].lower};
      const bool before_next = i + 1 == rows.size() || !(End{0, *rows[i + 1].lower} < klo);  // segment i..i+1 starts below khi
      const bool after_previous = i == 0 || !(khi < End{0, *rows[i - 1].lower});
      if ((!(x < klo) && !(khi < x)) || (x < klo && before_next) || (khi < x && after_previous)) take(rows[i].value);
    }
    return out ? *out : of_number(kZero);
  }
  for (const auto& row : table.rows) {
    // The row's interval meets [klo, khi].
    const bool below_hi = !row.lower || (row.lower_closed ? !(khi < End{0, *row.lower}) : End{0, *row.lower} < khi);
    const bool above_lo = !row.upper || (row.upper_closed ? !(End{0, *row.upper} < klo) : klo < End{0, *row.upper});
    if (below_hi && above_lo) take(row.value);
  }
  return out ? *out : of_number(kZero);
}

Extent Analyzer::cut(const Extent& x, const Extent& limit, const std::string& what, std::vector<std::string>& limits) {
  Extent r = min_of(x, limit);
  if (limit.hi && (!x.hi || *limit.hi < *x.hi) && std::find(limits.begin(), limits.end(), what) == limits.end()) limits.push_back(what);
  return r;
}

const Extent& Analyzer::payment_paid(int p, int t) {
  auto& st = pay_[p];
  if (static_cast<int>(st.paid.size()) <= t) {
    if (st.busy) {
      static const Extent cycle = Extent::any("a payment that depends on itself");
      return cycle;
    }
    st.busy = true;
    for (int s = static_cast<int>(st.paid.size()); s <= t; ++s) compute_payment(p, s);
    st.busy = false;
  }
  return st.paid[t];
}

Extent Analyzer::waterfall_paid(int w, int t) {
  auto& st = fall_[w];
  if (static_cast<int>(st.paid.size()) <= t) {
    if (st.busy) return Extent::any("a waterfall that depends on itself");
    st.busy = true;
    for (int s = static_cast<int>(st.paid.size()); s <= t; ++s) compute_waterfall(w, s);
    st.busy = false;
  }
  Extent sum = kZero;
  for (const auto& x : st.paid[t]) sum = add(sum, x);
  return sum;
}

// As Evaluator::compute_payment: amount, rounding, netting, floor, caps; then what was paid so far.
void Analyzer::compute_payment(int p, int t) {
  const auto& pay = c_.payments[p];
  auto& st = pay_[p];
  const std::string name = pay.name.empty() ? fmt::format("the payment{}", clause_label(pay.clause)) : fmt::format("`{}`{}", pay.name, clause_label(pay.clause));
  const Extent before = st.total;
  Extent paid = kZero;
  bool may_skip = true, may_apply = false;
  if (t >= pay.periods.first && t <= pay.periods.last) {
    Abs test = pay.condition ? eval(*pay.condition, t) : of_bool(true, false);
    may_apply = test.may_true, may_skip = test.may_false;
  }
  Extent total_hi_limit = Extent::any("");  // what bounds `before + paid` beyond the sum
  if (may_apply) {
    Extent amount;
    auto round_it = [&](const Extent& a) { return pay.rounding ? rounded(a, *pay.rounding->step, pay.rounding->mode, t) : a; };
    if (pay.set >= 0) {
      Extent each = round_it(number(*pay.amount, t));
      if (pay.cap_participant && !no_limit(pay.cap_participant)) {
        // What is left of the cap: the cap less what the record was paid before, which may be
        // negative (an amount below zero in an earlier period) and so leave more than the cap.
        Extent left = at_least_zero(add(number(*pay.cap_participant, t), negate(st.participant_paid)));
        each = cut(each, left, fmt::format("capped per participant at {}", where(*pay.cap_participant)), st.limits);
      }
      st.participant_paid = join(st.participant_paid, add(st.participant_paid, each));  // a record paid or not
      Extent count = records(pay.set);
      if (pay.filter) {
        Abs f = eval(*pay.filter, t);
        if (!f.may_true) count = kZero;
        else if (f.may_false) count.lo = Number{};
      }
      if (pay.at_most > 0) count.lo = Number{};
      amount = sum_of_some(each, count);
    } else {
      amount = round_it(number(*pay.amount, t));
    }
    amount = through(std::move(amount), "the amount of " + name);
    if (pay.netted) {
      Extent netted = at_least_zero(add(amount, negate(before)));
      if (!pay.floor) total_hi_limit = max_of(before, amount);  // before + max(0, a - before)
      amount = netted;
    }
    if (pay.floor) amount = max_of(amount, number(*pay.floor, t));
    if (pay.cap_period && !no_limit(pay.cap_period))
      amount = cut(amount, number(*pay.cap_period, t), fmt::format("{} capped per period at {}", name, where(*pay.cap_period)), st.limits);
    if (pay.cap_total && !no_limit(pay.cap_total)) {
      Extent cap = number(*pay.cap_total, t);
      amount = cut(amount, at_least_zero(add(cap, negate(before))), fmt::format("{} capped in total at {}", name, where(*pay.cap_total)), st.limits);
      total_hi_limit = min_of(total_hi_limit, max_of(before, cap));
    }
    paid = at_least_zero(amount);  // a negative payment stops the evaluation (E608)
    if (may_skip) paid = join(paid, kZero);
  }
  keep(paid, pay.range);
  st.paid.push_back(paid);
  Extent total = add(before, paid);
  if (total_hi_limit.hi && (!total.hi || *total_hi_limit.hi < *total.hi)) total.hi = total_hi_limit.hi, total.why_hi.clear();
  st.total = total;
}

// As Evaluator::compute_waterfall: each tier takes its part of what is left of the pool.
void Analyzer::compute_waterfall(int w, int t) {
  using TK = checked::Tier::Kind;
  const auto& fall = c_.waterfalls[w];
  auto& st = fall_[w];
  const std::size_t payees = fall.payees.size();
  if (st.total.size() != payees) st.total.assign(payees, kZero);
  std::vector<Extent> paid(payees, kZero);
  const std::string name = fall.name.empty() ? fmt::format("the waterfall{}", clause_label(fall.clause)) : fmt::format("`{}`{}", fall.name, clause_label(fall.clause));
  if (t >= fall.periods.first && t <= fall.periods.last) {
    Extent remaining = at_least_zero(through(number(*fall.pool, t), "the pool of " + name));
    std::vector<Extent> entitled(payees, kZero);
    for (const auto& tier : fall.tiers) {
      const std::string tier_name = fmt::format("tier `{}` of {}", tier.name.empty() ? c_.parties[tier.payee].id : tier.name, name);
      Extent a, limit;
      if (tier.kind == TK::rest || (tier.kind == TK::up_to && no_limit(tier.amount))) {
        a = remaining;
      } else if (tier.kind == TK::up_to) {
        limit = at_least_zero(number(*tier.amount, t));
        a = cut(remaining, limit, fmt::format("{}: up to {}", tier_name, where(*tier.amount)), st.limits);
      } else {
        a = multiply(number(*tier.amount, t), remaining);
      }
      if (tier.rounding) a = rounded(a, *tier.rounding->step, tier.rounding->mode, t);
      if (tier.cap && !no_limit(tier.cap)) a = cut(a, number(*tier.cap, t), fmt::format("{}: capped at {}", tier_name, where(*tier.cap)), st.limits);
      a = at_least_zero(min_of(a, remaining));
      a = through(std::move(a), tier_name);
      // remaining - a, where 0 <= a <= remaining; a tier taking the rest as it is leaves nothing,
      // one taking up to L as it is leaves max(0, remaining - L).
      Extent left = add(remaining, negate(a));
      if (!left.lo || *left.lo < Number{}) left.lo = Number{};
      const bool as_is = !tier.rounding && !(tier.cap && !no_limit(tier.cap));
      if (as_is && (tier.kind == TK::rest || (tier.kind == TK::up_to && no_limit(tier.amount)))) left = kZero;
      else if (as_is && tier.kind == TK::up_to) left = at_least_zero(add(remaining, negate(limit)));
      remaining = left;
      for (std::size_t k = 0; k < payees; ++k)
        if (fall.payees[k] == tier.payee) entitled[k] = add(entitled[k], a);
    }
    for (std::size_t k = 0; k < payees; ++k) {
      const Extent& before = st.total[k];
      paid[k] = fall.netted ? at_least_zero(add(entitled[k], negate(before))) : entitled[k];
      Extent total = add(before, paid[k]);
      if (fall.netted) {  // before + max(0, e - before) = max(before, e)
        Extent most = max_of(before, entitled[k]);
        if (most.hi && (!total.hi || *most.hi < *total.hi)) total.hi = most.hi, total.why_hi.clear();
      }
      st.total[k] = total;
    }
  } else {
    // nothing paid; totals stay
  }
  for (const auto& x : paid) keep(x, fall.range);
  st.paid.push_back(std::move(paid));
}

Bounds Analyzer::run() {
  Bounds out;
  // Terms: their values, as the evaluator has them.
  EvalOptions eo;
  eo.term_overrides = o_.term_overrides;
  eo.unlimited_terms = o_.unlimited_terms;
  terms_.assign(c_.terms.size(), std::nullopt);
  for (std::size_t i = 0; i < c_.terms.size(); ++i) {
    if (term_unlimited(c_, eo, static_cast<int>(i))) continue;
    if (auto it = o_.term_overrides.find(static_cast<int>(i)); it != o_.term_overrides.end()) {
      terms_[i] = it->second;
      continue;
    }
    auto v = evaluate_expression(c_, Dataset{}, *c_.terms[i].value, -1, eo);
    if (!v.value) {
      out.diagnostics = std::move(v.diagnostics);
      return out;
    }
    terms_[i] = *v.value;
  }
  try {
    for (int t = 0; t < periods_; ++t) {
      for (std::size_t d = 0; d < c_.defs.size(); ++d) eval(checked::Expr{checked::DefRef{static_cast<int>(d)}, c_.defs[d].type, c_.defs[d].range}, t);
      for (std::size_t p = 0; p < c_.payments.size(); ++p) payment_paid(static_cast<int>(p), t);
      for (std::size_t w = 0; w < c_.waterfalls.size(); ++w) waterfall_paid(static_cast<int>(w), t);
    }
  } catch (Stopped& stop) {
    Diagnostic d;
    d.kind = DiagKind::limit;
    d.code = stop.code;
    set_message(d, std::move(stop.text));
    d.range = std::move(stop.at);
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  // Flows: the rules of each payer, payee and currency, summed.
  std::map<std::tuple<int, int, int>, FlowBounds> flows;
  auto flow = [&](int payer, int payee, int currency) -> FlowBounds& {
    auto [it, fresh] = flows.try_emplace({payer, payee, currency});
    if (fresh) it->second = FlowBounds{payer, payee, currency, kZero, std::vector<Extent>(periods_, kZero), {}};
    return it->second;
  };
  auto note = [](FlowBounds& f, const std::vector<std::string>& limits) {
    for (const auto& l : limits)
      if (std::find(f.limits.begin(), f.limits.end(), l) == f.limits.end()) f.limits.push_back(l);
  };
  for (std::size_t p = 0; p < c_.payments.size(); ++p) {
    const auto& pay = c_.payments[p];
    auto& f = flow(pay.payer, pay.payee, pay.currency);
    for (int t = 0; t < periods_; ++t) f.per_period[t] = add(f.per_period[t], pay_[p].paid[t]);
    f.total = add(f.total, pay_[p].total);
    note(f, pay_[p].limits);
  }
  for (std::size_t w = 0; w < c_.waterfalls.size(); ++w) {
    const auto& fall = c_.waterfalls[w];
    for (std::size_t k = 0; k < fall.payees.size(); ++k) {
      auto& f = flow(fall.payer, fall.payees[k], fall.currency);
      for (int t = 0; t < periods_; ++t) f.per_period[t] = add(f.per_period[t], fall_[w].paid[t][k]);
      f.total = add(f.total, fall_[w].total[k]);
      note(f, fall_[w].limits);
    }
  }
  for (auto& [key, f] : flows) out.flows.push_back(std::move(f));
  out.ok = true;
  return out;
}

}  // namespace

Extent input_extent(const checked::Contract& c, const BoundsOptions& o, int input, int field) {
  const auto& in = c.inputs[input];
  const checked::DeclaredRange& declared = field < 0 ? in.allowed : in.fields[field].allowed;
  const std::string name = field < 0 ? in.name : fmt::format("{}.{}", in.name, in.fields[field].name);
  Extent r{declared.lower, declared.upper, {}, {}};
  for (const auto& a : o.assumptions) {
    if (a.input != input || a.field != field || a.kind == Assumption::Kind::count) continue;
    if (a.lo && (!r.lo || *r.lo < *a.lo)) r.lo = a.lo;
    if (a.hi && (!r.hi || *a.hi < *r.hi)) r.hi = a.hi;
  }
  if (!r.lo) r.why_lo = fmt::format("`{}` has no lower bound", name);
  if (!r.hi) r.why_hi = fmt::format("`{}` has no upper bound", name);
  if (auto it = o.input_scales.find(input); field < 0 && it != o.input_scales.end()) return multiply(r, Extent::point(it->second));
  return r;
}

Bounds payment_bounds(const checked::Contract& contract, const BoundsOptions& options) {
  Bounds out;
  with_stack(8u << 20, [&] { out = Analyzer(contract, options, options.limits).run(); });
  return out;
}

}  // namespace utfall
