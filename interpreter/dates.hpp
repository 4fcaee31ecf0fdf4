// Dates of the proleptic Gregorian calendar as whole days since 1970-01-01 (docs/language.md
// §13.15): exact integer arithmetic, no floating point, no time zones. The conversions are Howard
// Hinnant's `days_from_civil` and `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace utfall::dates {

struct Civil {
  std::int64_t year;
  int month, day;  // 1..12, 1..31
};

constexpr bool leap_year(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr int days_in_month(std::int64_t y, int m) {
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

// The day number of a valid civil date (month 1..12, day within the month).
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                                   // [0, 399]
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + doe - 719468;
}

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                  // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                // [0, 11]
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// The first day of span number `span` of `months` months each (12: years, 3: quarters, 1:
// months), counted from January of year 0.
constexpr std::int64_t span_start(std::int64_t span, int months) {
  const std::int64_t month = span * months;  // months since January of year 0
  const std::int64_t year = floor_div(month, 12);
  return days_from_civil(year, static_cast<int>(month - year * 12) + 1, 1);
}

// The span of `months` months that `day` falls in.
constexpr std::int64_t span_of(std::int64_t day, int months) {
  const Civil c = civil_from_days(day);
  return floor_div(c.year * 12 + (c.month - 1), months);
}

// The days of years 0001 through 9999, the dates that can be written and that arithmetic on
// dates may reach (add_days, add_months).
constexpr std::int64_t first_day = days_from_civil(1, 1, 1), last_day = days_from_civil(9999, 12, 31);

// What add_months does when the day of the date is missing from the month reached (31 January
// plus one month): `none`, nothing (an error); `last_day`, the last day of that month;
// `next_day`, the day after it, the first of the month after (docs/language.md §13.15).
enum class MonthEnd { none, last_day, next_day };

// The date `months` months after `day` (before it, when negative), on the same day of the
// month, or as `rule` says when that month is shorter; nothing when the rule is `none` and
// the day is missing, or when the months are so many that the year would leave int64.
constexpr std::optional<std::int64_t> add_months(std::int64_t day, std::int64_t months, MonthEnd rule) {
  if (months > 1'000'000'000 || months < -1'000'000'000) return std::nullopt;
  const Civil c = civil_from_days(day);
  const std::int64_t month = c.year * 12 + (c.month - 1) + months;
  const std::int64_t year = floor_div(month, 12);
  const int m = static_cast<int>(month - year * 12) + 1;
  const int length = days_in_month(year, m);
  if (c.day <= length) return days_from_civil(year, m, c.day);
  if (rule == MonthEnd::none) return std::nullopt;
  return days_from_civil(year, m, length) + (rule == MonthEnd::next_day ? 1 : 0);
}

// Why `text` is not a date, or nothing when it is one: exactly `YYYY-MM-DD`, year 0001..9999,
// the day within its month (2025-02-29 is not a date). A reason, not a sentence, so that each
// reader (the checker's message table, the data loader) words it in its own language.
struct NotADate {
  enum class Reason { form, year_zero, month, day } reason;
  int year = 0, month = 0, days = 0;  // month: the month written; day: the year, month and its days
};
inline std::optional<NotADate> why_not_a_date(std::string_view text) {
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  constexpr std::size_t digits[] = {0, 1, 2, 3, 5, 6, 8, 9};
  bool form = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (std::size_t i : digits) form = form && digit(i);
  if (!form) return NotADate{NotADate::Reason::form};
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y == 0) return NotADate{NotADate::Reason::year_zero};
  if (m < 1 || m > 12) return NotADate{NotADate::Reason::month, y, m};
  if (d < 1 || d > days_in_month(y, m)) return NotADate{NotADate::Reason::day, y, m, days_in_month(y, m)};
  return std::nullopt;
}
// The same reason in English.
inline std::optional<std::string> not_a_date(std::string_view text) {
  auto why = why_not_a_date(text);
  if (!why) return std::nullopt;
  switch (why->reason) {
    case NotADate::Reason::form: return "a date is written YYYY-MM-DD (ISO 8601), such as 2025-03-31";
    case NotADate::Reason::year_zero: return "the year 0000 is not a year of the calendar (the first is 0001)";
    case NotADate::Reason::month: return fmt::format("{:02} is not a month (01 .. 12)", why->month);
    case NotADate::Reason::day: return fmt::format("{:04}-{:02} has {} days", why->year, why->month, why->days);
  }
  return std::nullopt;
}

// The day number of `text`, which `not_a_date` accepts.
inline std::int64_t parse(std::string_view text) {
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  return days_from_civil(num(0, 4), num(5, 2), num(8, 2));
}

// YYYY-MM-DD (a year outside 0001..9999, reached only by period arithmetic, with its sign).
inline std::string format(std::int64_t day) {
  Civil c = civil_from_days(day);
  if (c.year >= 1 && c.year <= 9999) return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
  return fmt::format("{}-{:02}-{:02}", c.year, c.month, c.day);
}

}  // namespace utfall::dates
