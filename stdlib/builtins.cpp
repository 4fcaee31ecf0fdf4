#include "stdlib/builtins.hpp"

#include <algorithm>

namespace utfall::stdlib {

static Number min_of(std::span<const Number> a) { return *std::min_element(a.begin(), a.end()); }
static Number max_of(std::span<const Number> a) { return *std::max_element(a.begin(), a.end()); }
static Number clamp_of(std::span<const Number> a) {
  // clamp(x, lo, hi); lo > hi is reported by the evaluator before this runs.
  return std::min(std::max(a[0], a[1]), a[2]);
}
static Number abs_of(std::span<const Number> a) { return a[0].abs(); }

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = {
      {"min", Signature::same_unit_variadic, min_of, "min(a, b, ...): the smallest of two or more values of one unit"},
      {"max", Signature::same_unit_variadic, max_of, "max(a, b, ...): the largest of two or more values of one unit"},
      {"clamp", Signature::same_unit_3, clamp_of, "clamp(x, lo, hi): x limited to [lo, hi]; lo > hi is an error"},
      {"abs", Signature::same_unit_1, abs_of, "abs(x): the absolute value"},
      {"round", Signature::special, nullptr,
       "round(x, step, mode): the multiple of step chosen by mode (half_up, half_down, half_even, up, down, ceiling, floor)"},
      {"to_date", Signature::special, nullptr,
       "to_date(x): the sum of x over the periods from the first through the current one"},
      {"previous", Signature::special, nullptr,
       "previous(x, fallback): x in the period before the current one; fallback in the first period"},
      {"start_of", Signature::special, nullptr, "start_of(p): the first day of the period p (a date)"},
      {"end_of", Signature::special, nullptr, "end_of(p): the last day of the period p (a date)"},
      {"days_in", Signature::special, nullptr, "days_in(p): the number of days of the period p, end_of(p) - start_of(p) + 1"},
      {"period_of", Signature::special, nullptr, "period_of(d): the period the date d falls in"},
      {"add_days", Signature::special, nullptr, "add_days(d, n): the date n days after d (before it when n is negative)"},
      {"add_months", Signature::special, nullptr,
       "add_months(d, n, rule): the date n months after d, on its day of the month; rule last_day or next_day for a month without "
       "that day (an error without one)"},
  };
  return table;
}

std::optional<int> find_builtin(std::string_view name) {
  const auto& t = builtins();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].name == name) return static_cast<int>(i);
  return std::nullopt;
}

}  // namespace utfall::stdlib
