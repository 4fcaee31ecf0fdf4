// Evaluate, dates (date_eval.hpp; docs/language.md §7 and §13.15).
#include "interpreter/date_eval.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace utfall::dates {

namespace {

using Part = checked::CalendarDate::Part;

// A period outside the calendar, as the messages write it: `H2_2026 + 1`, `H1_2026 - 2`.
std::string outside(const checked::Contract& c, int index) {
  if (index < 0) return fmt::format("{} - {}", c.periods.front(), -index);
  return fmt::format("{} + {}", c.periods.back(), index + 1 - static_cast<int>(c.periods.size()));
}

// The period of a listed calendar with dates that `day` falls in. Outside every period (before
// the first, after the last, in a gap between two) there is none: an error that names the date.
int listed_period_of(const checked::Contract& c, std::int64_t day) {
  const auto& spans = c.listed_dates;
  auto after = std::upper_bound(spans.begin(), spans.end(), day, [](std::int64_t d, const auto& s) { return d < s.first; });
  if (after != spans.begin() && day <= std::prev(after)->last) return static_cast<int>(std::prev(after) - spans.begin());
  if (after == spans.begin())
    throw DateError{"E614", text("the date {} falls in no period of the calendar: it lies before the first period, {}, which "
                                 "starts on {}",
                                 format(day), c.periods.front(), format(spans.front().first))};
  if (after == spans.end())
    throw DateError{"E614", text("the date {} falls in no period of the calendar: it lies after the last period, {}, which "
                                 "ends on {}",
                                 format(day), c.periods.back(), format(spans.back().last))};
  const auto i = after - spans.begin();
  throw DateError{"E614", text("the date {} falls in no period of the calendar: it lies between the periods {} (ending {}) "
                               "and {} (starting {})",
                               format(day), c.periods[i - 1], format(spans[i - 1].last), c.periods[i], format(spans[i].first))};
}

}  // namespace

checked::Value calendar_date(const checked::Contract& c, Part part, const checked::Value& operand) {
  const int months = c.months_per_period;
  if (part == Part::period_of) {
    const std::int64_t day = std::get<checked::DateValue>(operand).day;
    if (months == 0) return checked::PeriodValue{listed_period_of(c, day)};
    const std::int64_t i = span_of(day, months) - c.span_base;
    if (i < -100000 || i >= static_cast<std::int64_t>(c.periods.size()) + 100000)
      throw DateError{"E605", text("the date falls more than 100000 periods outside the calendar")};
    return checked::PeriodValue{static_cast<int>(i)};
  }
  const int index = std::get<checked::PeriodValue>(operand).index;
  std::int64_t first, last;
  if (months > 0) {
    const std::int64_t span = c.span_base + index;
    first = span_start(span, months);
    last = span_start(span + 1, months) - 1;
  } else {
    if (index < 0 || index >= static_cast<int>(c.listed_dates.size()))
      throw DateError{"E614", text("the period {} lies outside the listed calendar ({} .. {}): only the periods listed have dates",
                                   outside(c, index), c.periods.front(), c.periods.back())};
    first = c.listed_dates[index].first;
    last = c.listed_dates[index].last;
  }
  if (part == Part::start) return checked::DateValue{first};
  if (part == Part::end) return checked::DateValue{last};
  return Number::from_int(last - first + 1);
}

checked::DateValue shift(const checked::DateShift& n, checked::DateValue d, const Number& step) {
  const bool by_days = n.unit == checked::DateShift::Unit::days;
  const char* what = by_days ? "add_days" : "add_months";
  if (!step.is_integer())
    throw DateError{"E605", by_days ? text("{} moves a date by a whole number of days, not {}", what, step.to_string())
                                    : text("{} moves a date by a whole number of months, not {}", what, step.to_string())};
  auto beyond = [&] {
    return DateError{"E605", text("{}({}, {}) leaves the years 0001 .. 9999", what, format(d.day), step.to_string())};
  };
  // Beyond these no result is a date of the years 0001 .. 9999; the bound keeps the sums exact.
  const std::int64_t most = by_days ? 4'000'000 : 120'000;
  const auto k = step.to_int64();
  if (!k || *k > most || *k < -most) throw beyond();
  std::int64_t day;
  if (by_days) {
    day = d.day + *k;
  } else {
    const Civil c = civil_from_days(d.day);
    const std::int64_t month = c.year * 12 + (c.month - 1) + *k, year = floor_div(month, 12);
    if (year < 1 || year > 9999) throw beyond();  // before asking whether that month has the day
    auto moved = add_months(d.day, *k, n.month_end);
    if (!moved) {
      const int m = static_cast<int>(month - year * 12) + 1;
      throw DateError{"E613", text("add_months({}, {}): {}-{} has no day {} (it has {} days); say which day is meant, "
                                   "add_months(d, n, last_day) for the last day of that month or add_months(d, n, next_day) "
                                   "for the day after it",
                                   format(d.day), *k, fmt::format("{:04}", year), fmt::format("{:02}", m), c.day,
                                   days_in_month(year, m))};
    }
    day = *moved;
  }
  if (day < first_day || day > last_day) throw beyond();
  return checked::DateValue{day};
}

}  // namespace utfall::dates
