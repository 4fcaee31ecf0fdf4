#include "cli/varied.hpp"

#include <fmt/format.h>

#include "cli/output.hpp"
#include "cli/scan.hpp"
#include "interpreter/pipeline.hpp"

namespace utfall::cli {
namespace {

// LO..HI: the two numbers as written (with their unit) and the unit, or an error.
struct Range {
  std::string low, high, unit;
};
std::optional<Range> parse_range(const std::string& text, std::string& error) {
  auto dots = text.find("..");
  if (dots == std::string::npos) return error = "expected LO..HI, such as `190_000_000 SEK..210_000_000 SEK` or `0.8..1.2`", std::nullopt;
  std::string sides[2] = {text.substr(0, dots), text.substr(dots + 2)};
  std::string units[2];
  for (int i = 0; i < 2; ++i) {
    auto n = scan::number_and_unit(sides[i]);
    if (!n || !Number::parse_decimal(n->first))
      return error = fmt::format("`{}` is not a number with an optional unit", scan::trim(sides[i])), std::nullopt;
    units[i] = n->second;
    sides[i] = std::string(scan::trim(sides[i]));
  }
  if (units[0] != units[1]) return error = fmt::format("`{}` and `{}` have different units", sides[0], sides[1]), std::nullopt;
  return Range{sides[0], sides[1], units[0]};
}

}  // namespace

void Varied::set(EvalOptions& options, const Number& x) const {
  if (input) {
    options.input_scales[*input] = x;
  } else {
    options.term_overrides[*term] = x;
    options.unlimited_terms.erase(*term);
  }
}

Number Varied::in_unit(const Number& x) const { return unit == "%" ? x * Number::from_int(100) : x; }

std::string Varied::shown(const Number& x) const {
  std::string text = in_unit(x).to_string();
  return unit.empty() ? text : text + " " + unit;
}

VariedResult read_varied_name(const checked::Contract& c, const std::string& text, std::string_view command, std::string_view option) {
  Varied v;
  v.name = std::string(scan::trim(text));
  v.term = c.term_index(v.name);
  if (!v.term) {
    auto scaled = scaled_input(v.name);
    if (!scaled)
      return {std::nullopt, usage(command, fmt::format("{} `{}`: not a term of the contract; NAME is a term or scale(INPUT)", option, v.name))};
    v.input = c.input_index(*scaled);
    if (!v.input) return {std::nullopt, usage(command, fmt::format("{} `{}`: `{}` is not an input of the contract", option, v.name, *scaled))};
  }
  return {std::move(v), 0};
}

VariedResult read_varied_range(const checked::Contract& c, Varied v, const std::string& text, std::string_view command,
                               std::string_view option) {
  std::string error;
  auto range = parse_range(text, error);
  if (!range) return {std::nullopt, usage(command, fmt::format("{} '{}': {}", option, text, error))};
  // A bound as --set reads it: the same units, the same reading of percentages.
  auto bound = [&](const std::string& side, Number& out) {
    EvalOptions o;
    auto d = apply_overrides(c, {v.name + "=" + side}, o);
    for (auto& x : d) x.location = fmt::format("{} {}", option, text);
    if (has_errors(d)) return std::max(report(d), 64);
    if (v.input) out = o.input_scales.at(*v.input);
    else if (auto it = o.term_overrides.find(*v.term); it != o.term_overrides.end() && std::holds_alternative<Number>(it->second))
      out = std::get<Number>(it->second);
    else return usage(command, fmt::format("{} '{}': `{}` is not a number", option, text, side));
    return 0;
  };
  if (int code = bound(range->low, v.low)) return {std::nullopt, code};
  if (int code = bound(range->high, v.high)) return {std::nullopt, code};
  if (!(v.low < v.high)) return {std::nullopt, usage(command, fmt::format("{} '{}': LO must be below HI", option, text))};
  v.unit = range->unit;
  return {std::move(v), 0};
}

}  // namespace utfall::cli
