#include "interpreter/examples.hpp"

#include <fmt/format.h>

namespace utfall {

ExpectationOutcome judge_expectation(const checked::Contract& c, const Dataset& data, const EvalOptions& options,
                                     const Evaluation& ev, const checked::Expectation& x) {
  using Kind = checked::Expectation::Kind;
  ExpectationOutcome out;
  // As the expectation is written, in the reader's keywords: "kommun -> fonden in 2027".
  auto when = [&](const Text& subject) {
    return x.period ? text("{} in {}", subject, c.periods[*x.period]) : text("{} in total", subject);
  };
  if (x.kind == Kind::value) {
    out.what = when(verbatim(x.subject));
    auto got = evaluate_expression(c, data, *x.actual, -1, options);
    out.actual = std::move(got.value);
    out.diagnostics = std::move(got.diagnostics);
    if (x.clause >= 0) out.clauses.insert(c.clauses[x.clause].label());
  } else {
    const bool net = x.kind == Kind::net;
    out.what = net ? when(text("net {}", c.parties[x.party].id))
                   : when(verbatim(fmt::format("{} -> {}", c.parties[x.payer].id, c.parties[x.payee].id)));
    Number sum;
    for (const auto& l : ev.lines) {
      if (x.period && l.period != *x.period) continue;
      if (c.line_currency(l.waterfall, l.rule_index) != x.currency) continue;
      int sign = 0;
      if (net) sign = (l.payee == x.party) - (l.payer == x.party);
      else sign = l.payer == x.payer && l.payee == x.payee;
      if (sign == 0) continue;
      sum = sign > 0 ? sum + l.amount : sum - l.amount;
      out.clauses.insert(c.clauses[l.clause].label());
    }
    out.actual = sum;
  }
  if (x.text) out.expected = *x.text;
  else if (x.expected) {
    auto want = evaluate_expression(c, Dataset{}, *x.expected, -1, options);
    out.expected = std::move(want.value);
    out.diagnostics.insert(out.diagnostics.end(), want.diagnostics.begin(), want.diagnostics.end());
  }
  out.passed = out.expected && out.actual && *out.expected == *out.actual;
  return out;
}

std::string shown_value(const checked::Contract& c, const checked::Value& value, const Type& type) {
  if (auto* n = std::get_if<Number>(&value); n && type.kind == TypeKind::number)
    if (auto cur = c.currency_index(type.unit)) return format_money(c, *n, false, *cur) + " " + c.currencies[*cur].code;
  if (auto* s = std::get_if<std::string>(&value)) return fmt::format("\"{}\"", *s);
  return format_value(c, value, type);
}

}  // namespace utfall
