// Scenario A's and C's terms written by hand in C++: once with utfall's exact Number (what
// interpretation costs on top of the same arithmetic) and once with int64 fixed point in öre
// (the machine's limit). Used by bench/scenario_bench.cpp, which checks that both agree with
// utfall and with the Python decimal versions (scenario_a.py, scenario_c.py) to the öre.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

#include "interpreter/number.hpp"

namespace utfall::reference {

// ---- Scenario A: 5 periods, cumulative waterfall from 2027, netted ----

inline constexpr int kPeriodsA = 5, kFirstA = 2;  // repayment from 2027

// The payments kommun -> utfallsfonden in 2027, 2028, 2029.
inline std::array<Number, 3> scenario_a(const std::array<Number, 5>& cost, const std::array<Number, 5>& drawn) {
  static const Number baslinje = Number::from_int(200'000'000), premieandel = Number::fraction(3, 10),
                      takbelopp = Number::from_int(7'000'000), cent = Number::fraction(1, 100);
  std::array<Number, 3> out;
  Number pool, drawn_to_date, paid;
  for (int t = 0; t < kPeriodsA; ++t) {
    pool += std::max(baslinje - cost[t], Number{});
    drawn_to_date += drawn[t];
    if (t < kFirstA) continue;
    Number remaining = std::max(pool, Number{});
    Number kapital = std::min(remaining, std::max(drawn_to_date, Number{}));
    remaining -= kapital;
    Number premie = (premieandel * remaining).round(cent, RoundingMode::half_even);
    premie = std::max(std::min({premie, takbelopp, remaining}), Number{});
    Number pay = std::max(kapital + premie - paid, Number{});
    paid += pay;
    out[t - kFirstA] = pay;
  }
  return out;
}

// The same in öre, int64.
inline std::array<std::int64_t, 3> scenario_a_int64(const std::array<std::int64_t, 5>& cost, const std::array<std::int64_t, 5>& drawn) {
  constexpr std::int64_t baslinje = 200'000'000'00, takbelopp = 7'000'000'00;
  std::array<std::int64_t, 3> out{};
  std::int64_t pool = 0, drawn_to_date = 0, paid = 0;
  for (int t = 0; t < kPeriodsA; ++t) {
    pool += std::max<std::int64_t>(baslinje - cost[t], 0);
    drawn_to_date += drawn[t];
    if (t < kFirstA) continue;
    std::int64_t remaining = std::max<std::int64_t>(pool, 0);
    std::int64_t kapital = std::min(remaining, std::max<std::int64_t>(drawn_to_date, 0));
    remaining -= kapital;
    // 30 % of the rest, half to even in öre (remaining >= 0).
    std::int64_t x = 3 * remaining, premie = x / 10, r = x % 10;
    if (r > 5 || (r == 5 && premie % 2 == 1)) ++premie;
    premie = std::max<std::int64_t>(std::min({premie, takbelopp, remaining}), 0);
    std::int64_t pay = std::max<std::int64_t>(kapital + premie - paid, 0);
    paid += pay;
    out[t - kFirstA] = pay;
  }
  return out;
}

// ---- Scenario C: the per-participant rate card, from CSV text ----

// Twelve lines, per period 2025..2027: base fee kommun -> humana, outcome kommun -> humana,
// prefinancing finansiar -> humana, repayment humana -> finansiar.
using LinesC = std::array<Number, 12>;
using LinesC64 = std::array<std::int64_t, 12>;

// The fields of one CSV line "id,inskriven,stabil,narvaro,nytt_brott" (no quoting: the
// generated files have none); false at the end of the text.
struct RowC {
  std::string_view id, inskriven, stabil, narvaro, nytt_brott;
};
inline bool next_row(std::string_view& text, RowC& row) {
  if (text.empty()) return false;
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view* fields[] = {&row.id, &row.inskriven, &row.stabil, &row.narvaro, &row.nytt_brott};
  for (auto* f : fields) {
    std::size_t comma = line.find(',');
    *f = line.substr(0, comma);
    line = comma == std::string_view::npos ? std::string_view{} : line.substr(comma + 1);
  }
  return true;
}
inline int period_c(std::string_view p) { return p == "2025" ? 0 : p == "2026" ? 1 : p == "2027" ? 2 : -1; }

// The waterfall of clause 7.2 and the lines, from enrolments and outcome payments per period.
template <typename N, typename Share, typename FromInt>
std::array<N, 12> lines_c(const std::array<std::int64_t, 3>& count, const std::array<N, 3>& outcome, N grund, N forfin, Share half,
                          FromInt from) {
  std::array<N, 12> out{};
  N outcome_to_date{}, forskott_to_date{}, paid{}, zero{};
  for (int t = 0; t < 3; ++t) {
    N forskott = forfin * from(count[t]);
    outcome_to_date += outcome[t];
    forskott_to_date += forskott;
    N remaining = std::max(outcome_to_date, zero);
    N kapital = std::min(remaining, std::max(forskott_to_date, zero));
    remaining -= kapital;
    N overskott = std::min(half(remaining), remaining);
    N repay = std::max(kapital + overskott - paid, zero);
    paid += repay;
    out[4 * t] = grund * from(count[t]), out[4 * t + 1] = outcome[t], out[4 * t + 2] = forskott, out[4 * t + 3] = repay;
  }
  return out;
}

// With Number; the text is the whole CSV file (header first).
inline LinesC scenario_c(std::string_view text) {
  const Number pris = Number::from_int(650'000), grans = Number::fraction(80, 100), hundred = Number::from_int(100),
               cent = Number::fraction(1, 100), w4 = Number::fraction(4, 10), w3 = Number::fraction(3, 10), half = Number::fraction(1, 2);
  std::array<std::int64_t, 3> count{};
  std::array<Number, 3> outcome{};
  RowC row;
  next_row(text, row);  // header
  while (next_row(text, row)) {
    int t = period_c(row.inskriven);
    if (t < 0) continue;
    ++count[t];
    Number score;
    if (row.stabil == "yes") score += w4;
    if (*Number::parse_decimal(row.narvaro) / hundred >= grans) score += w3;
    if (row.nytt_brott == "no") score += w3;
    if (t + 1 < 3) outcome[t + 1] += (pris * score).round(cent, RoundingMode::half_up);
  }
  return lines_c<Number>(count, outcome, Number::from_int(360'000), Number::from_int(480'000),
                         [&](const Number& x) { return (half * x).round(cent, RoundingMode::half_up); },
                         [](std::int64_t v) { return Number::from_int(v); });
}

// With int64 in öre; narvaro in tenths of a percent ("79.9" -> 799).
inline LinesC64 scenario_c_int64(std::string_view text) {
  std::array<std::int64_t, 3> count{};
  std::array<std::int64_t, 3> outcome{};
  RowC row;
  next_row(text, row);
  while (next_row(text, row)) {
    int t = period_c(row.inskriven);
    if (t < 0) continue;
    ++count[t];
    std::int64_t whole = 0, tenths = 0;
    std::string_view n = row.narvaro;
    std::size_t dot = n.find('.');
    std::from_chars(n.data(), n.data() + std::min(dot, n.size()), whole);
    if (dot != std::string_view::npos && dot + 1 < n.size()) tenths = n[dot + 1] - '0';  // one decimal at most
    std::int64_t score = (row.stabil == "yes" ? 4 : 0) + (whole * 10 + tenths >= 800 ? 3 : 0) + (row.nytt_brott == "no" ? 3 : 0);
    if (t + 1 < 3) outcome[t + 1] += 650'000'00 / 10 * score;  // exact: 65 000 SEK per tenth
  }
  return lines_c<std::int64_t>(count, outcome, 360'000'00, 480'000'00, [](std::int64_t x) { return x / 2 + (x % 2); },  // half up, x >= 0
                                [](std::int64_t v) { return v; });
}

}  // namespace utfall::reference
