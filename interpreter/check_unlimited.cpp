// Unlimited terms (docs/language.md §9.2): a term whose value is `unlimited UNIT` is no limit.
// It can stand only where a limit is accepted, as the bare name: a payment's `capped at NAME`
// (any scope) and a waterfall tier's `up to NAME` or `capped at NAME`. Any other use — in
// arithmetic, a comparison, a floor, a function, another term — would need a number it does
// not have, so a term used so can never be unlimited (E322): not declared so, not set so by an
// example, not given `unlimited` by `--set` (pipeline.cpp).
#include "interpreter/checker.hpp"

namespace utfall::check_internal {

// `unlimited SEK`: a constant of the unit's type whose number (0) is never read.
ExprPtr Checker::unlimited_value(const ast::Expr& e) {
  const auto& lit = std::get<ast::NumberLit>(e.node);
  auto u = unit(lit.unit);
  if (!u) return nullptr;
  return make(checked::Const{Number::from_int(0)}, Type::number(*u), e.range);
}

std::vector<bool> Checker::find_uses() {
  // The first use of each term other than a bare limit, in the order of the contract's parts;
  // on the way, the inputs that the rules read (a term, a rounding step or an example reading
  // one does not count: W201 is about the rules).
  std::vector<bool> inputs_used(c_.inputs.size());
  auto walk = [&](const checked::Expr& top, bool rule) {
    each_node(top, [&](const checked::Expr& x) {
      if (auto* ref = std::get_if<checked::TermRef>(&x.node); ref && !c_.terms[ref->term].other_use)
        c_.terms[ref->term].other_use = x.range;
      if (!rule) return;
      if (auto* in = std::get_if<checked::InputRef>(&x.node)) inputs_used[in->input] = true;
      if (auto* over = std::get_if<checked::OverParticipants>(&x.node)) inputs_used[over->set] = true;
    });
  };
  auto any = [&](const ExprPtr& x, bool rule = true) { if (x) walk(*x, rule); };
  // A limit: the bare name of a term is no use of its number (and reads no input); anything
  // else is.
  auto limit = [&](const ExprPtr& x) { if (x && !std::holds_alternative<checked::TermRef>(x->node)) walk(*x, true); };
  auto rounding = [&](const std::optional<checked::Rounding>& r) { if (r) any(r->step, false); };
  for (const auto& t : c_.terms) any(t.value, false);
  for (const auto& d : c_.defs) any(d.value);
  for (const auto& d : c_.participant_defs) any(d.value);
  for (const auto& p : c_.payments) {
    for (const auto* x : {&p.amount, &p.condition, &p.filter, &p.floor}) any(*x);
    for (const auto* x : {&p.cap_period, &p.cap_total, &p.cap_participant}) limit(*x);
    rounding(p.rounding);
    for (const auto& key : p.per_keys) any(key);  // `at most N per KEY`: a key is a value, not a limit
  }
  for (const auto& w : c_.waterfalls) {
    any(w.pool);
    for (const auto& t : w.tiers) {
      if (t.kind == checked::Tier::Kind::up_to) limit(t.amount); else any(t.amount);
      limit(t.cap);
      rounding(t.rounding);
    }
  }
  for (const auto& ex : c_.examples) {
    for (const auto& [term, value] : ex.overrides) any(value, false);
    for (const auto& e : ex.expectations) { any(e.actual, false); any(e.expected, false); }
  }

  // `example`: the example that sets the term unlimited, or null when it is declared so.
  auto refuse = [&](int term, const checked::Example* example) {
    const auto& t = c_.terms[term];
    error(DiagKind::type, "E322",
          example ? text("`{}` is set to unlimited by the example \"{}\", so it can stand only as a limit written as its bare "
                         "name (`capped at {}`, `up to {}`); here it is used as a number",
                         t.name, example->name, t.name, t.name)
                  : text("`{}` is declared unlimited, so it can stand only as a limit written as its bare name (`capped at {}`, "
                         "`up to {}`); here it is used as a number",
                         t.name, t.name, t.name),
          *t.other_use, text("a term that may be unlimited has no number to compute with: give the limit its own term"));
  };
  for (std::size_t i = 0; i < c_.terms.size(); ++i)
    if (c_.terms[i].unlimited && c_.terms[i].other_use) refuse(int(i), nullptr);
  for (const auto& ex : c_.examples)
    for (int term : ex.unlimited)
      if (c_.terms[term].other_use && !c_.terms[term].unlimited) refuse(term, &ex);
  return inputs_used;
}

}  // namespace utfall::check_internal
