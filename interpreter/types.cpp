#include "interpreter/types.hpp"

#include <algorithm>

namespace utfall {

void Unit::set_spellings(std::shared_ptr<const std::vector<Spelling>> spellings) {
  if (!rep_ || rep_->spellings == spellings) return;
  rep_ = std::make_shared<const Rep>(Rep{rep_->dims, std::move(spellings)});
}

Unit Unit::combine(const Unit& a, const Unit& b, int sign) {
  Unit r;
  if (b.dimensionless()) {
    r.rep_ = a.rep_;
  } else if (a.dimensionless() && sign > 0) {
    r.rep_ = b.rep_;
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
    auto spellings = a.spellings() && !a.spellings()->empty() ? a.rep_->spellings : b.spelling_list();
    if (!dims.empty()) r.rep_ = std::make_shared<const Rep>(Rep{std::move(dims), std::move(spellings)});
  }
  return r;
}

std::string Unit::to_string() const {
  auto spell = [&](const std::string& dim, bool plural) {
    if (const auto* spellings = this->spellings())
      for (const auto& s : *spellings)
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
