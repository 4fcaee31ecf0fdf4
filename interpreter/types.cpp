#include "interpreter/types.hpp"

#include <algorithm>

namespace utfall {

Unit Unit::combine(const Unit& a, const Unit& b, int sign) {
  Unit r;
  if (b.dimensionless()) {
    r.dims_ = a.dims_;
  } else if (a.dimensionless() && sign > 0) {
    r.dims_ = b.dims_;
  } else {
    Dimensions dims = a.dimensions();
    for (const auto& [name, exp] : b.dimensions()) {
      auto it = std::lower_bound(dims.begin(), dims.end(), name, [](const auto& d, const std::string& n) { return d.first < n; });
      if (it != dims.end() && it->first == name) {
        it->second += sign * exp;
        if (it->second == 0) dims.erase(it);
      } else {
        dims.insert(it, {name, sign * exp});
      }
    }
    if (!dims.empty()) r.dims_ = std::make_shared<const Dimensions>(std::move(dims));
  }
  r.spellings_ = a.spellings_ && !a.spellings_->empty() ? a.spellings_ : b.spellings_;
  return r;
}

std::string Unit::to_string() const {
  auto spell = [&](const std::string& dim, bool plural) {
    if (spellings_)
      for (const auto& s : *spellings_)
        if (s.singular == dim) return plural ? s.plural : s.singular;
    return dim;
  };
  auto power = [](std::string name, int exp) {
    return exp == 1 ? name : name + "^" + std::to_string(exp);
  };
  std::string top, bottom;
  for (const auto& [name, exp] : dimensions()) {
    if (exp > 0) top += (top.empty() ? "" : "·") + power(spell(name, true), exp);
  }
  for (const auto& [name, exp] : dimensions()) {
    if (exp < 0) bottom += " per " + power(spell(name, false), -exp);
  }
  if (top.empty() && !bottom.empty()) top = "1";
  return top + bottom;
}

std::string Type::to_string() const {
  switch (kind) {
    case TypeKind::number: return unit.dimensionless() ? "number" : unit.to_string();
    case TypeKind::boolean: return "boolean";
    case TypeKind::period: return "period";
    case TypeKind::text: return "text";
    case TypeKind::date: return "date";
  }
  return "?";
}

Text Type::describe() const {
  switch (kind) {
    case TypeKind::number: return unit.dimensionless() ? utfall::text("number") : verbatim(unit.to_string());
    case TypeKind::boolean: return utfall::text("boolean");
    case TypeKind::period: return utfall::text("period");
    case TypeKind::text: return utfall::text("text");
    case TypeKind::date: return utfall::text("date");
  }
  return verbatim("?");
}

}  // namespace utfall
