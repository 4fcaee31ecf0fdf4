// The checker's part for declared ranges of inputs and fields (docs/language.md §8.4): a range
// only on a number, each bound a number written out in the input's unit, lower not above upper.
#include "interpreter/checker.hpp"

namespace utfall::check_internal {

std::optional<Number> Checker::range_bound(const ast::Expr& e, const std::string& name, const Type& want, bool percent) {
  bool negated = false;
  const auto* lit = ast::number_literal(e, &negated);
  if (!lit || lit->unlimited) {
    error(DiagKind::structure, "E409", text("a bound of the range of `{}` must be a number written out (with its unit)", name),
          e.range);
    return std::nullopt;
  }
  Number v = negated ? -lit->value : lit->value;
  if (percent && !lit->percent) {
    error(DiagKind::type, "E319",
          text("`{}` is a percentage, and the bare bound `{}` reads two ways: write it with %, as in `{} %`", name,
               v.to_string(), v.to_string()),
          e.range);
    return std::nullopt;
  }
  Type got = Type::number();
  if (!lit->unit.empty()) {
    auto u = unit(lit->unit);
    if (!u) return std::nullopt;
    got = Type::number(*u);
  }
  if (!(got == want)) {
    error(DiagKind::type, "E303",
          want.unit.dimensionless()
              ? text("a bound of the range of `{}` must be {}, but this is {}", name, want.describe(), got.describe())
              : text("a bound of the range of `{}` must be {}, but this is {} (write it with the unit, as in `{} {}`)", name,
                     want.describe(), got.describe(), v.to_string(), want.to_string()),
          e.range);
    return std::nullopt;
  }
  return v;
}

checked::DeclaredRange Checker::declared_range(const ast::RangeDecl& r, const std::string& name, const Type& type, bool percent,
                                               const SourceRange& at) {
  checked::DeclaredRange out;
  if (r.empty()) return out;
  if (type.kind != TypeKind::number) {
    error(DiagKind::type, "E321", text("`{}` is {}: only a number can have a range (`whole`, `at least`, `at most`, `between`)",
                                       name, type.describe()),
          at);
    return out;
  }
  out.whole = r.whole;
  if (r.lower) out.lower = range_bound(*r.lower, name, type, percent);
  if (r.upper) out.upper = range_bound(*r.upper, name, type, percent);
  if (out.lower && out.upper && *out.upper < *out.lower) {
    error(DiagKind::structure, "E427",
          text("the range of `{}` is empty: its lower bound {} is above its upper bound {}", name, out.lower->to_string(),
               out.upper->to_string()),
          r.upper->range);
    out = {};
  }
  return out;
}

}  // namespace utfall::check_internal
