// Formatting of evaluation results: amounts in the minor unit's places, thousands separators,
// values with their units, and the names of trace steps (docs/language.md §22: the output).
// Kept apart from the evaluator, which only computes.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "interpreter/dates.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

std::string_view to_string(TraceStep::Kind kind) {
  using K = TraceStep::Kind;
  switch (kind) {
    case K::condition: return "condition";
    case K::amount: return "amount";
    case K::input: return "input";
    case K::term: return "term";
    case K::definition: return "definition";
    case K::aggregate: return "aggregate";
    case K::table: return "table";
    case K::choice: return "choice";
    case K::participants: return "participants";
    case K::tier: return "tier";
    case K::rounding: return "rounding";
    case K::netting: return "netting";
    case K::bound: return "bound";
    case K::result: return "result";
  }
  return "step";
}

bool term_unlimited(const checked::Contract& contract, const EvalOptions& options, int term) {
  if (options.unlimited_terms.count(term)) return true;
  return contract.terms[term].unlimited && !options.term_overrides.count(term);
}

int minor_unit_places(const checked::Contract& contract, int currency) {
  const Number& minor = currency == 0 ? contract.minor_unit : contract.currencies[currency].minor_unit;
  if (auto d = minor.to_decimal64()) return d->places;
  std::string s = minor.to_string();
  auto dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

namespace {
constexpr auto kDigitPairs = [] {
  std::array<char, 200> pairs{};
  for (int k = 0; k < 100; ++k) pairs[2 * k] = static_cast<char>('0' + k / 10), pairs[2 * k + 1] = static_cast<char>('0' + k % 10);
  return pairs;
}();
}  // namespace

void write_decimal(std::string& out, std::int64_t digits, int places) {
  std::uint64_t magnitude = digits < 0 ? 0 - static_cast<std::uint64_t>(digits) : static_cast<std::uint64_t>(digits);
  char buf[48];  // 20 digits, a point, a sign, and zeros before the point up to 18 places
  char* end = buf + sizeof buf;
  char* p = end;
  // Two digits at a time from a table of the pairs "00" to "99": half the divisions.
  auto pair = [&p](std::uint64_t two) { p -= 2, std::memcpy(p, kDigitPairs.data() + 2 * two, 2); };
  int i = 0;
  for (; i + 2 <= places; i += 2, magnitude /= 100) pair(magnitude % 100);
  if (i < places) *--p = static_cast<char>('0' + magnitude % 10), magnitude /= 10;
  if (places > 0) *--p = '.';
  for (; magnitude >= 100; magnitude /= 100) pair(magnitude % 100);
  if (magnitude >= 10) pair(magnitude);
  else *--p = static_cast<char>('0' + magnitude);
  if (digits < 0) *--p = '-';
  // Resized, then copied: no allocation (the string keeps its memory) and none of assign's
  // checks for a text that overlaps the string's own.
  const auto length = static_cast<std::size_t>(end - p);
  out.resize(length);
  std::memcpy(out.data(), p, length);
}

std::optional<std::int64_t> write_money(std::string& out, const Number& amount, int places) {
  // A value whose digits at `places` fit in a machine word (every amount on the fast path),
  // without the string work of Number::to_fixed: a Session formats every amount of every
  // evaluation, into strings that keep their memory.
  auto digits = amount.scaled_to(places);
  if (digits) {
    write_decimal(out, *digits, places);
    return digits;
  }
  auto fixed = amount.to_fixed(places);
  out = fixed ? std::move(*fixed) : amount.to_string();  // never round for display
  return std::nullopt;
}

std::string format_money(const checked::Contract& contract, const Number& amount, bool separators, int currency) {
  std::string s;
  write_money(s, amount, minor_unit_places(contract, currency));
  return separators ? with_thousands_separators(s) : s;
}

std::string currency_list(const checked::Contract& contract) {
  if (contract.currencies.empty()) return contract.currency;
  return contract.currency_codes("and");
}

std::string with_thousands_separators(const std::string& value) {
  std::size_t start = !value.empty() && value[0] == '-' ? 1 : 0;
  std::size_t end = start;
  while (end < value.size() && value[end] >= '0' && value[end] <= '9') ++end;
  if (end == start || (end < value.size() && value[end] != '.')) return value;
  for (std::size_t i = end + (end < value.size()); i < value.size(); ++i)
    if (value[i] < '0' || value[i] > '9') return value;
  std::string out = value.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    if (i > start && (end - i) % 3 == 0) out += ',';
    out += value[i];
  }
  return out + value.substr(end);
}

std::string format_value(const checked::Contract& contract, const checked::Value& value, const Type& type) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Number>) {
          std::string u = type.unit.dimensionless() ? "" : " " + type.unit.to_string();
          return v.to_string() + u;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, checked::DateValue>) {
          return dates::format(v.day);
        } else if constexpr (std::is_same_v<T, checked::PeriodValue>) {
          if (v.index >= 0 && static_cast<std::size_t>(v.index) < contract.periods.size()) return contract.periods[v.index];
          if (contract.periods.empty()) return fmt::format("period #{}", v.index);
          return v.index < 0 ? fmt::format("{} - {}", contract.periods.front(), -v.index)
                             : fmt::format("{} + {}", contract.periods.back(), v.index + 1 - static_cast<int>(contract.periods.size()));
        } else {
          return v;
        }
      },
      value);
}

}  // namespace utfall
