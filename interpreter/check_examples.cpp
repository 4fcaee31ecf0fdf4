// The checker's part for examples (docs/language.md §20): the terms an example sets, and what
// each expectation names — the lines between two parties, a payment, a waterfall or a
// definition, or a party's net position — with the expected value typed against it.
#include "interpreter/checker.hpp"

namespace utfall::check_internal {

checked::Example Checker::example(const ast::ExampleDecl& ex) {
  checked::Example out;
  out.name = ex.name;
  out.data_files = ex.data_files;
  out.range = ex.range;
  for (const auto& [name, value] : ex.overrides) {
    auto t = c_.term_index(name.text);
    if (!t) {
      error(DiagKind::name, "E213", text("`{}` is not a term", name.text), name.range, suggest(name.text));
      continue;
    }
    if (auto* lit = std::get_if<ast::NumberLit>(&value->node); lit && lit->unlimited) {
      if (auto v = unlimited_value(*value); v && !(v->type == c_.terms[*t].type))
        error(DiagKind::type, "E303", text("`{}` is {}, but the new value is {}", name.text, c_.terms[*t].type.describe(),
                                           v->type.describe()), value->range);
      else if (v)
        out.unlimited.push_back(*t);
      continue;
    }
    if (auto d = ambiguous_percent(c_.terms[*t], *value)) {
      diags_.push_back(std::move(*d));
      continue;
    }
    term_context_ = true;
    auto v = typed(value, c_.terms[*t].type, "the new value of the term must be {}, but this is {}");
    term_context_ = false;
    if (v) out.overrides.emplace_back(*t, std::move(v));
  }
  for (const auto& e : ex.expectations) out.expectations.push_back(expectation(e));
  return out;
}

checked::Expectation Checker::expectation(const ast::Expectation& e) {
  using Kind = ast::Expectation::Kind;
  checked::Expectation x;
  x.range = e.range;
  if (e.period) x.period = period(*e.period);
  auto known_party = [&](const ast::Name& n) -> int {
    if (auto i = party(n)) return *i;
    std::vector<std::string_view> ids;
    for (const auto& p : c_.parties) ids.push_back(p.id);
    error(DiagKind::name, "E212", text("`{}` is not a declared party", n.text), n.range, closest(n.text, ids));
    return -1;
  };
  if (e.kind == Kind::flow) {
    x.kind = checked::Expectation::Kind::flow;
    x.payer = known_party(e.name);
    x.payee = known_party(e.payee);
  } else if (e.kind == Kind::net) {
    x.kind = checked::Expectation::Kind::net;
    x.party = known_party(e.name);
  } else {
    x.kind = checked::Expectation::Kind::value;
    if (!expected_thing(e, x)) return x;
  }
  if (x.kind != checked::Expectation::Kind::value && c_.currencies.size() > 1 && e.value && !e.text) {
    // With several currencies, the expected amount's currency says which payments are summed.
    term_context_ = true;
    x.expected = amount(e.value, {"an expected amount must be {}, but this is {}", "an expected amount must be {} or {}, but this is {}"}, false, x.currency);
    term_context_ = false;
    x.type = Type::number(c_.currencies[x.currency].unit);
    return x;
  }
  if (x.kind != checked::Expectation::Kind::value) x.type = Type::number(c_.money);
  x.expected = expected_value(e, x.type, x.kind == checked::Expectation::Kind::value ? e.name.text : std::string());
  if (e.text && x.type.kind == TypeKind::text) x.text = e.text->text;
  return x;
}

// `expect NAME ...`: what NAME stands for, read in the period or summed over all of them.
bool Checker::expected_thing(const ast::Expectation& e, checked::Expectation& x) {
  const std::string& name = e.name.text;
  x.subject = name;
  if (!globals_.contains(name)) {
    // A definition for each participant, or a field, has one value per participant: the
    // expectation would have to say whose.
    for (const auto& d : c_.participant_defs)
      if (d.name == name && d.set >= 0) {
        error(DiagKind::name, "E217",
              text("`{}` is a definition for each participant of `{}`; an example cannot expect it without "
                   "saying which participant",
                   name, c_.inputs[d.set].name),
              e.name.range,
              text("expect a definition over them instead, such as `let total_{} = sum(u.{} for u in {})`", name, name,
                   c_.inputs[d.set].name));
        return false;
      }
    for (const auto& in : c_.inputs)
      for (const auto& f : in.fields)
        if (in.participants && f.name == name) {
          error(DiagKind::name, "E217",
                text("`{}` is a field of `{}`; an example cannot expect it without saying which participant", name, in.name),
                e.name.range, text("expect a definition over them instead, such as a sum or count over `{}`", in.name));
          return false;
        }
    if (party(e.name)) {
      error(DiagKind::name, "E208", text("`{}` is a party, not a payment, waterfall or definition", name), e.name.range,
            text("write `expect net {} in ...` for what it received less what it paid", name));
      return false;
    }
  }
  ast::Expr ref(ast::NameRef{e.name}, e.name.range);
  auto actual = expr(ref);
  if (!actual) return false;
  if (auto* d = std::get_if<checked::DefRef>(&actual->node)) x.clause = c_.defs[d->def].clause;
  if (auto* p = std::get_if<checked::PaymentRef>(&actual->node)) x.clause = c_.payments[p->payment].clause;
  if (auto* w = std::get_if<checked::WaterfallRef>(&actual->node)) x.clause = c_.waterfalls[w->waterfall].clause;
  x.type = actual->type;
  if (e.period) {
    if (!x.period) return false;
    x.actual = make(checked::At{std::move(actual), *x.period}, x.type, e.range);
  } else if (x.type.kind != TypeKind::number) {
    error(DiagKind::type, "E320",
          text("`{}` is {}: only a number can be added up over all periods; expect it in a period", name, x.type.describe()),
          e.range);
    return false;
  } else {
    auto last = static_cast<int>(c_.periods.size()) - 1;
    x.actual = make(checked::OverPeriods{std::move(actual), 0, last}, x.type, e.range);
  }
  return true;
}

// The expected value, a constant of type `want`; a text in quotes only for a text.
ExprPtr Checker::expected_value(const ast::Expectation& e, const Type& want, const std::string& name) {
  if (e.text) {
    if (want.kind != TypeKind::text)
      error(DiagKind::type, "E303",
            name.empty() ? text("an expected amount must be {}, but this is text", want.describe())
                         : text("the expected value of `{}` must be {}, but this is text", name, want.describe()),
            e.text->range);
    return nullptr;
  }
  if (want.kind == TypeKind::text) {
    error(DiagKind::type, "E303",
          name.empty() ? text("an expected amount must be a text in quotes, as in `= \"...\"`")
                       : text("the expected value of `{}` must be a text in quotes, as in `= \"...\"`", name),
          e.value->range);
    return nullptr;
  }
  term_context_ = true;
  auto v = name.empty() ? typed(e.value, want, "an expected amount must be {}, but this is {}")
                        : typed(e.value, want, "the expected value of `{}` must be {}, but this is {}", name);
  term_context_ = false;
  return v;
}

}  // namespace utfall::check_internal
