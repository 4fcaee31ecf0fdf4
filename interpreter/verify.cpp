#include "interpreter/verify.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "stdlib/builtins.hpp"

namespace utfall {
namespace {

using checked::Expr;
using checked::Op;

// What a node's parts make it when they do not fit together: a type no expression is given (no
// unit is spelled with parentheses), so that it differs from every recorded type, text included.
// Made once: a verify asks for it at every operator.
const Type& ill_typed() {
  static const Type ill = Type::number(Unit::of("(ill-typed)"));
  return ill;
}

class Verifier {
 public:
  explicit Verifier(const checked::Contract& c) : c_(c) {}

  Diagnostics run() {
    // A part's name for a report: ROLE followed by what `whole` names, made only when called.
    auto part = [](const char* role, auto whole) { return [role, whole] { return role + whole(); }; };
    for (const auto& t : c_.terms) top(t.value.get(), t.type, [&] { return "the term `" + t.name + "`"; });
    for (const auto& d : c_.defs) top(d.value.get(), d.type, [&] { return "the definition `" + d.name + "`"; });
    for (const auto& d : c_.participant_defs) {
      in_scope_.push_back({d.binder, d.set});
      top(d.value.get(), d.type, [&] { return "the per-participant definition `" + d.name + "`"; });
      in_scope_.clear();
    }
    auto in_currency = [&](int currency) {
      if (currency < 0 || std::size_t(currency) >= c_.currencies.size()) return Type::number(c_.money);
      return Type::number(c_.currencies[currency].unit);
    };
    for (const auto& p : c_.payments) {
      const Type money = in_currency(p.currency);
      auto what = [&] { return p.name.empty() ? std::string("a payment") : "the payment `" + p.name + "`"; };
      if (p.set >= 0) in_scope_.push_back({p.binder, p.set});
      top(p.amount.get(), money, part("the amount of ", what));
      optional(p.filter.get(), Type::boolean(), part("the filter of ", what));
      optional(p.cap_participant.get(), money, part("the cap per participant of ", what));
      for (const auto& key : p.per_keys) type_of(*key);  // any type: records are counted per value
      if (p.at_most > 0 && p.set < 0) wrong(p.range, what() + " counts records (`at most`) but has none");
      if (p.rounding) rounding_step(*p.rounding, money, what);  // per participant: may use `u`
      in_scope_.clear();
      optional(p.condition.get(), Type::boolean(), part("the condition of ", what));
      optional(p.cap_period.get(), money, part("a cap of ", what));
      optional(p.cap_total.get(), money, part("a cap of ", what));
      optional(p.floor.get(), money, part("the floor of ", what));
    }
    for (const auto& t : c_.tables) table(t);
    for (const auto& w : c_.waterfalls) {
      const Type money = in_currency(w.currency);
      auto what = [&] { return w.name.empty() ? std::string("a waterfall") : "the waterfall `" + w.name + "`"; };
      top(w.pool.get(), money, part("the pool of ", what));
      for (const auto& tier : w.tiers) {
        if (tier.kind == checked::Tier::Kind::up_to) top(tier.amount.get(), money, part("a tier of ", what));
        if (tier.kind == checked::Tier::Kind::share_of_rest) top(tier.amount.get(), Type::number(), part("a share of ", what));
        optional(tier.cap.get(), money, part("the cap of a tier of ", what));
        if (tier.rounding) rounding_step(*tier.rounding, money, what);
      }
    }
    for (const auto& ex : c_.examples) {
      for (const auto& [term, value] : ex.overrides)
        top(value.get(), c_.terms[term].type, [&] { return "a `set` of the example \"" + ex.name + "\""; });
      for (const auto& x : ex.expectations) {
        auto what = [&] { return "an expectation of the example \"" + ex.name + "\""; };
        if (x.kind == checked::Expectation::Kind::value) top(x.actual.get(), x.type, [&] { return "what " + what() + " reads"; });
        else if (!(x.type == in_currency(x.currency))) wrong(x.range, what() + " is not in its currency");
        optional(x.expected.get(), x.type, part("the value of ", what));
      }
    }
    return std::move(diags_);
  }

 private:
  struct Bound {
    int slot, set;
  };
  const checked::Contract& c_;
  std::vector<Bound> in_scope_;
  Diagnostics diags_;

  void wrong(const SourceRange& range, std::string message) {
    Diagnostic d;
    d.kind = DiagKind::internal;
    d.code = "E904";
    d.message = "internal error (a bug in utfall's checker): " + std::move(message);
    if (range.source) d.range = range;
    diags_.push_back(std::move(d));
  }
  // `what` names the part verified, for a report (a callable that makes the text): naming every
  // part of every payment before it was verified was six strings a payment, for reports a sound
  // checker never gives.
  template <typename What>
  void top(const Expr* e, const Type& want, const What& what) {
    if (!e) {
      wrong({}, what() + " has no expression");
      return;
    }
    expect(*e, want, what);
  }
  template <typename What>
  void optional(const Expr* e, const Type& want, const What& what) {
    if (e) expect(*e, want, what);
  }
  template <typename What>
  void rounding_step(const checked::Rounding& r, const Type& of, const What& what) {
    if (!r.step) return;
    Type t = type_of(*r.step);
    if (!(t == of) && !(t == Type::number())) wrong(r.range, fmt::format("the rounding step of {} is {}", what(), t.to_string()));
  }
  template <typename What>
  void expect(const Expr& e, const Type& want, const What& what) {
    Type t = type_of(e);
    if (!(t == want)) wrong(e.range, fmt::format("{} must be {}, but its expression is {}", what(), want.to_string(), t.to_string()));
  }
  // A table keyed by text: every row has a key, the keys strictly increase (sorted, none twice);
  // a table of intervals or a scale: no row has one.
  void table(const checked::Table& t) {
    const bool text = t.key_type.kind == TypeKind::text;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const auto& row = t.rows[i];
      if (row.key.has_value() != text || (text && (row.lower || row.upper)))
        wrong(t.range, fmt::format("a row of the table `{}` is not keyed as the table is ({})", t.name, t.key_type.to_string()));
      else if (text && i > 0 && !(*t.rows[i - 1].key < *row.key))
        wrong(t.range, fmt::format("the keys of the table `{}` are not sorted, or one is there twice", t.name));
      else
        continue;
      return;
    }
  }
  bool bound(int slot, int set) const {
    for (const auto& b : in_scope_)
      if (b.slot == slot && b.set == set) return true;
    return false;
  }

  // The type of `e` from its parts; a node whose recorded type differs is reported, and the
  // recorded type is what its parent sees (one report per defect).
  Type type_of(const Expr& e) {
    auto derived = std::visit([&](const auto& n) { return derive(e, n); }, e.node);
    if (derived && !(*derived == e.type))
      wrong(e.range, fmt::format("this expression is recorded as {}, but its parts make it {}", e.type.to_string(), derived->to_string()));
    return e.type;
  }
  using Derived = std::optional<Type>;
  Derived derive(const Expr& e, const checked::Const& n) {
    if (checked::kind_of(n.value) != e.type.kind) return Type{checked::kind_of(n.value), {}};
    return e.type;  // a literal's unit is its spelling's
  }
  Derived derive(const Expr&, const checked::InputRef& n) {
    if (n.input < 0 || n.input >= int(c_.inputs.size()) || c_.inputs[n.input].participants) return ill_typed();
    return c_.inputs[n.input].type;
  }
  Derived derive(const Expr&, const checked::TermRef& n) { return c_.terms.at(n.term).type; }
  Derived derive(const Expr&, const checked::DefRef& n) { return c_.defs.at(n.def).type; }
  Derived derive(const Expr&, const checked::PaymentRef& n) {
    return Type::number(c_.currencies.empty() ? c_.money : c_.currencies.at(c_.payments.at(n.payment).currency).unit);
  }
  Derived derive(const Expr&, const checked::WaterfallRef& n) {
    return Type::number(c_.currencies.empty() ? c_.money : c_.currencies.at(c_.waterfalls.at(n.waterfall).currency).unit);
  }
  Derived derive(const Expr& e, const checked::FieldRef& n) {
    if (!bound(n.binder, n.set)) wrong(e.range, "a field of a participant who is not bound here");
    const auto& field = c_.inputs.at(n.set).fields.at(n.field);
    if (n.linked < 0) return field.type;
    if (field.link < 0) wrong(e.range, "a field read through a field that is not a link");
    return field.link < 0 ? field.type : c_.inputs.at(field.link).fields.at(n.linked).type;
  }
  Derived derive(const Expr& e, const checked::ParticipantDefRef& n) {
    const auto& d = c_.participant_defs.at(n.def);
    if (n.link_field >= 0) {  // through a link: the bound record is of `n.set`, the definition of the linked set
      const auto& field = c_.inputs.at(n.set).fields.at(n.link_field);
      if (!bound(n.binder, n.set) || field.link != d.set)
        wrong(e.range, fmt::format("`{}` read through a link that does not name its records", d.name));
      return d.type;
    }
    if (!bound(n.binder, d.set)) wrong(e.range, fmt::format("`{}` of a participant who is not bound here", d.name));
    return d.type;
  }
  Derived derive(const Expr&, const checked::CurrentPeriod&) { return Type::period(); }
  Derived derive(const Expr&, const checked::Unary& n) {
    Type t = type_of(*n.operand);
    if (n.op == Op::logical_not) return t.kind == TypeKind::boolean ? t : ill_typed();
    return t.kind == TypeKind::number ? t : ill_typed();
  }
  Derived derive(const Expr&, const checked::Binary& n) {
    Type l = type_of(*n.lhs), r = type_of(*n.rhs);
    const Type& bad = ill_typed();
    switch (n.op) {
      case Op::add:
      case Op::subtract: return l.kind == TypeKind::number && l == r ? l : bad;
      case Op::multiply:
      case Op::divide:
        if (l.kind != TypeKind::number || r.kind != TypeKind::number) return bad;
        return Type::number(n.op == Op::multiply ? l.unit * r.unit : l.unit / r.unit);
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal:
        return l == r && (l.kind == TypeKind::number || l.kind == TypeKind::period || l.kind == TypeKind::date) ? Type::boolean() : bad;
      case Op::equal:
      case Op::not_equal: return l == r ? Type::boolean() : bad;
      case Op::logical_and:
      case Op::logical_or: return l.kind == TypeKind::boolean && r.kind == TypeKind::boolean ? Type::boolean() : bad;
      case Op::period_add: return l.kind == TypeKind::period && r == Type::number() ? Type::period() : bad;
      case Op::date_subtract: return l.kind == TypeKind::date && r.kind == TypeKind::date ? Type::number() : bad;
      default: return bad;
    }
  }
  Derived derive(const Expr&, const checked::If& n) {
    Type c = type_of(*n.condition), t = type_of(*n.then_branch), f = type_of(*n.else_branch);
    return c.kind == TypeKind::boolean && t == f ? t : ill_typed();
  }
  Derived derive(const Expr&, const checked::Builtin& n) {
    if (n.args.empty()) return ill_typed();
    Type first = type_of(*n.args.front());
    bool same = first.kind == TypeKind::number;
    for (std::size_t i = 1; i < n.args.size(); ++i) same = type_of(*n.args[i]) == first && same;
    return same ? first : ill_typed();
  }
  Derived derive(const Expr&, const checked::Round& n) {
    Type x = type_of(*n.operand), s = type_of(*n.step);
    return x.kind == TypeKind::number && (s == x || s == Type::number()) ? x : ill_typed();
  }
  Derived derive(const Expr&, const checked::ToDate& n) {
    Type x = type_of(*n.operand);
    return x.kind == TypeKind::number ? x : ill_typed();
  }
  Derived derive(const Expr&, const checked::Previous& n) {
    Type x = type_of(*n.operand), f = type_of(*n.fallback);
    return x == f ? x : ill_typed();
  }
  Derived derive(const Expr&, const checked::At& n) { return type_of(*n.operand); }
  Derived derive(const Expr&, const checked::OverPeriods& n) {
    Type x = type_of(*n.body);
    return x.kind == TypeKind::number ? x : ill_typed();
  }
  Derived derive(const Expr&, const checked::OverParticipants& n) {
    in_scope_.push_back({n.binder, n.set});
    bool filter_ok = !n.filter || type_of(*n.filter).kind == TypeKind::boolean;
    Derived body = n.body ? Derived{type_of(*n.body)} : std::nullopt;
    in_scope_.pop_back();
    if (!filter_ok) return ill_typed();
    if (n.is_count) return Type::number();
    return body && body->kind == TypeKind::number ? *body : ill_typed();
  }
  Derived derive(const Expr&, const checked::CalendarDate& n) {
    using Part = checked::CalendarDate::Part;
    Type x = type_of(*n.operand);
    if (!c_.dated()) return ill_typed();
    if (n.part == Part::period_of) return x.kind == TypeKind::date ? Derived{Type::period()} : ill_typed();
    if (x.kind != TypeKind::period) return ill_typed();
    return n.part == Part::days ? Type::number() : Type::date();
  }
  Derived derive(const Expr&, const checked::DateShift& n) {
    Type d = type_of(*n.operand), k = type_of(*n.step);
    bool rule_fits = n.unit == checked::DateShift::Unit::months || n.month_end == dates::MonthEnd::none;
    return d.kind == TypeKind::date && k == Type::number() && rule_fits ? Derived{Type::date()} : ill_typed();
  }
  Derived derive(const Expr&, const checked::TableLookup& n) {
    const auto& t = c_.tables.at(n.table);
    return type_of(*n.key) == t.key_type ? t.value_type : ill_typed();
  }
};

}  // namespace

Diagnostics verify(const checked::Contract& contract) { return Verifier(contract).run(); }

}  // namespace utfall
