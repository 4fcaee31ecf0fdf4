// Returns: the party's flows and the measures on them (returns.hpp). The present value of the
// flows at a discount factor w per time unit is f(w) = sum of c_i w^k_i, the flow c_i of the
// period ending k_i units after the start. With w = a / 2^b, f(w) 2^(b K) D is an integer (K the
// largest k_i, D a common denominator of the flows), so its sign, and its value as an exact
// rational, come from integer arithmetic alone (Boost's cpp_int): no rounding anywhere but the
// one stated for the result.
#include "interpreter/returns.hpp"

#include <boost/multiprecision/cpp_int.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "interpreter/dates.hpp"

namespace utfall {

namespace mp = boost::multiprecision;

Number returns_precision() { return Number::fraction(1, 10'000'000'000); }

namespace {

mp::cpp_int big(const std::string& digits) { return mp::cpp_int(digits); }

Number ratio(const mp::cpp_int& num, const mp::cpp_int& den) { return *Number::parse_exact(num.str() + "/" + den.str()); }

Number power(const Number& x, std::int64_t k) {
  Number out = Number::from_int(1), base = x;
  for (; k > 0; k >>= 1) {
    if (k & 1) out = out * base;
    if (k > 1) base = base * base;
  }
  return out;
}

// The calendar as time: period i ends k[i] units after the start of the first period, `per_year`
// units a year.
struct Clock {
  std::int64_t per_year = 0;  // 0: no dates
  std::vector<std::int64_t> k;
  std::int64_t origin = 0;  // the first period's first day
};

Clock clock_of(const checked::Contract& c) {
  Clock clock;
  const auto count = static_cast<std::int64_t>(c.periods.size());
  if (c.months_per_period > 0) {
    const std::int64_t m = c.months_per_period, g = std::gcd(m, std::int64_t{12});
    clock.per_year = 12 / g;  // whole years for a yearly calendar; quarters; months
    for (std::int64_t i = 0; i < count; ++i) clock.k.push_back((i + 1) * m / g);
    clock.origin = dates::span_start(c.span_base, c.months_per_period);
  } else if (!c.listed_dates.empty() && static_cast<std::int64_t>(c.listed_dates.size()) == count) {
    clock.per_year = 365;  // days, Actual/365
    clock.origin = c.listed_dates.front().first;
    for (const auto& span : c.listed_dates) clock.k.push_back(span.last + 1 - clock.origin);
  }
  return clock;
}

// The net flows of one currency as integers over a common denominator, in time order, with
// their times; periods of no net flow left out.
struct Series {
  std::vector<mp::cpp_int> c;
  std::vector<std::int64_t> k;
  mp::cpp_int denominator = 1;
  std::int64_t last() const { return k.back(); }
};

Series series_of(const std::vector<Number>& net, const Clock& clock) {
  std::map<std::int64_t, Number> by_time;
  for (std::size_t i = 0; i < net.size(); ++i) by_time[clock.k[i]] += net[i];
  Series s;
  for (const auto& [k, v] : by_time) {
    if (v.is_zero()) continue;
    const mp::cpp_int d = big(v.denominator_string());
    s.denominator = s.denominator / mp::gcd(s.denominator, d) * d;
  }
  for (const auto& [k, v] : by_time) {
    if (v.is_zero()) continue;
    s.c.push_back(big(v.numerator_string()) * (s.denominator / big(v.denominator_string())));
    s.k.push_back(k);
  }
  return s;
}

// f(a / 2^b) 2^(b K) D, split into the sum of its positive terms and of its negative ones.
std::pair<mp::cpp_int, mp::cpp_int> scaled_value(const Series& s, const mp::cpp_int& a, unsigned b) {
  mp::cpp_int positive = 0, negative = 0, a_power = 1;
  std::int64_t at = 0;
  const std::int64_t top = s.last();
  for (std::size_t i = 0; i < s.c.size(); ++i) {
    a_power *= mp::pow(a, static_cast<unsigned>(s.k[i] - at));
    at = s.k[i];
    mp::cpp_int term = s.c[i] * a_power;
    term <<= static_cast<unsigned>(b * (top - s.k[i]));
    (term.sign() > 0 ? positive : negative) += term;
  }
  return {positive, negative};
}

int sign_at(const Series& s, const mp::cpp_int& a, unsigned b) {
  auto [p, n] = scaled_value(s, a, b);
  const mp::cpp_int sum = p + n;
  return sum.sign();
}

// A dyadic bracket lo = a_lo / 2^b <= hi = a_hi / 2^b.
struct Bracket {
  mp::cpp_int lo, hi;
  unsigned b = 0;
  void refine(const mp::cpp_int& mid_twice, bool keep_low) {  // mid_twice = a_lo + a_hi
    ++b;
    if (keep_low) {
      lo <<= 1;
      hi = mid_twice;
    } else {
      lo = mid_twice;
      hi <<= 1;
    }
  }
};

// x^n for x = a / 2^b compared with the rational q = qn / qd (> 0): -1, 0, 1.
int compare_power(const mp::cpp_int& a, unsigned b, std::int64_t n, const mp::cpp_int& qn, const mp::cpp_int& qd) {
  mp::cpp_int left = mp::pow(a, static_cast<unsigned>(n)) * qd;
  mp::cpp_int right = qn;
  right <<= static_cast<unsigned>(b * n);
  return left < right ? -1 : left > right ? 1 : 0;
}

constexpr int kMaxDoublings = 256;

Measure npv_at(const std::vector<Number>& net, const Clock& clock, const Number& rate) {
  Measure m;
  const Number one = Number::from_int(1);
  if (clock.per_year == 1) {  // whole years: exact
    Number sum, factor = one + rate;
    for (std::size_t i = 0; i < net.size(); ++i)
      if (!net[i].is_zero()) sum += net[i] / power(factor, clock.k[i]);
    m.value = sum;
    return m;
  }
  const Series s = series_of(net, clock);
  if (s.c.empty()) {
    m.value = Number{};
    return m;
  }
  // w = q^(1/n), q = 1 / (1 + r), lies between 1 and q.
  const Number q = one / (one + rate);
  const mp::cpp_int qn = big(q.numerator_string()), qd = big(q.denominator_string());
  const std::int64_t n = clock.per_year;
  Bracket w{1, 1, 0};
  if (q > one) {
    for (int j = 0; compare_power(w.hi, 0, n, qn, qd) < 0 && j < kMaxDoublings; ++j) w.hi <<= 1;
  } else {
    while (compare_power(w.lo, w.b, n, qn, qd) > 0) {
      w.hi <<= 1;  // keep hi = 1 as the scale grows
      ++w.b;
    }
  }
  const Number precision = returns_precision();
  for (;;) {
    const mp::cpp_int scale = s.denominator << static_cast<unsigned>(w.b * s.last());
    auto [p_lo, n_lo] = scaled_value(s, w.lo, w.b);
    auto [p_hi, n_hi] = scaled_value(s, w.hi, w.b);
    const Number low = ratio(p_lo + n_hi, scale), high = ratio(p_hi + n_lo, scale);
    if (high - low <= precision) {
      m.value = (low + high) / Number::from_int(2);
      m.exact = low == high;
      return m;
    }
    for (int step = 0; step < 8; ++step) {
      const mp::cpp_int mid = w.lo + w.hi;
      w.refine(mid, compare_power(mid, w.b + 1, n, qn, qd) >= 0);
    }
  }
}

Measure irr_of(const std::vector<Number>& net, const Clock& clock) {
  Measure m;
  m.exact = false;
  const Series s = series_of(net, clock);
  if (s.c.empty()) {
    m.reason = "there are no flows";
    return m;
  }
  int changes = 0;
  for (std::size_t i = 1; i < s.c.size(); ++i) changes += s.c[i].sign() != s.c[i - 1].sign();
  if (changes == 0) {
    m.reason = s.c.front().sign() > 0 ? "the net flows are all paid to the party: no rate makes their present value zero"
                                       : "the net flows are all paid by the party: no rate makes their present value zero";
    return m;
  }
  if (changes > 1) {
    m.reason = fmt::format("the net flows change sign {} times; an IRR is given only where they change sign once "
                           "(then there is exactly one)",
                           changes);
    return m;
  }
  const int first = s.c.front().sign(), last = s.c.back().sign();
  const std::int64_t n = clock.per_year;
  // f(w) has the sign of the first flow for small w (a high rate) and of the last for large w.
  Bracket w{1, 1, 0};
  const int at_one = sign_at(s, 1, 0);
  if (at_one == 0) {
    m.value = Number{};
    return m;
  }
  int j = 0;
  if (at_one == first) {
    while (sign_at(s, w.hi, 0) == first && ++j <= kMaxDoublings) w.hi <<= 1;
  } else {
    while (sign_at(s, w.lo, w.b) == last && ++j <= kMaxDoublings) {
      w.hi <<= 1;
      ++w.b;
    }
  }
  if (j > kMaxDoublings) {
    m.reason = "the rate lies outside the range searched (a discount factor between 2^-256 and 2^256 a time unit)";
    return m;
  }
  // r = w^-n - 1; the bracket [hi^-n - 1, lo^-n - 1] narrowed to kPrecision / 10.
  const mp::cpp_int tenth = mp::pow(mp::cpp_int(10), 11);
  auto rate = [&](const mp::cpp_int& a, unsigned b) {
    mp::cpp_int num = 1;
    num <<= static_cast<unsigned>(b * n);
    const mp::cpp_int den = mp::pow(a, static_cast<unsigned>(n));
    return ratio(num - den, den);
  };
  for (;;) {
    const mp::cpp_int lo_n = mp::pow(w.lo, static_cast<unsigned>(n)), hi_n = mp::pow(w.hi, static_cast<unsigned>(n));
    mp::cpp_int gap = hi_n - lo_n;
    gap <<= static_cast<unsigned>(w.b * n);
    if (gap * tenth < lo_n * hi_n) break;
    const mp::cpp_int mid = w.lo + w.hi;
    const int at_mid = sign_at(s, mid, w.b + 1);
    if (at_mid == 0) {
      m.value = rate(mid, w.b + 1);
      return m;
    }
    w.refine(mid, at_mid == last);
  }
  m.value = ((rate(w.lo, w.b) + rate(w.hi, w.b)) / Number::from_int(2)).round(returns_precision(), RoundingMode::half_even);
  return m;
}

}  // namespace

Returns compute_returns(const checked::Contract& c, const Evaluation& ev, int party, const std::vector<Outlay>& outlays,
                        const std::optional<Number>& discount) {
  Returns out;
  out.party = party;
  out.discount = discount;
  const Clock clock = clock_of(c);
  out.timed = clock.per_year > 0;
  if (out.timed) {
    out.origin = dates::format(clock.origin);
    for (auto k : clock.k) out.years.push_back(Number::fraction(k, clock.per_year));
  } else {
    out.time_reason = "the periods have no dates (a listed calendar without dates): NPV and IRR need dated periods";
  }

  std::map<int, CurrencyReturns> by_currency;
  auto of = [&](int currency) -> CurrencyReturns& {
    auto& r = by_currency[currency];
    r.currency = currency;
    r.periods.resize(c.periods.size());
    return r;
  };
  for (const auto& l : ev.lines) {
    if (l.payer != party && l.payee != party) continue;
    auto& r = of(c.line_currency(l.waterfall, l.rule_index));
    if (l.payee == party) r.periods[l.period].in += l.amount;
    if (l.payer == party) r.periods[l.period].out += l.amount;
  }
  for (const auto& o : outlays) {
    auto& p = of(o.currency).periods[o.period];
    p.out += o.amount;
    p.outlay += o.amount;
  }
  if (by_currency.empty()) of(0);

  for (auto& [currency, r] : by_currency) {
    std::vector<Number> net;
    Number cumulative;
    bool was_negative = false;
    // Payback: the period from whose end on the cumulative net stays 0 or more, after the last
    // period at whose end it was negative (a dip back below zero undoes an earlier payback).
    std::optional<std::size_t> last_negative;
    for (std::size_t i = 0; i < r.periods.size(); ++i) {
      const auto& p = r.periods[i];
      r.in += p.in;
      r.out += p.out;
      net.push_back(p.net());
      cumulative += p.net();
      if (cumulative.sign() < 0) was_negative = true, last_negative = i;
    }
    if (last_negative && *last_negative + 1 < r.periods.size()) r.payback = static_cast<int>(*last_negative + 1);
    r.net = r.in - r.out;
    if (r.payback && out.timed) r.payback_years = out.years[*r.payback];
    if (!r.payback)
      r.payback_reason = !was_negative ? "the cumulative net is never negative"
                                       : "the cumulative net is still negative at the end of the last period";
    if (r.out.is_zero()) r.multiple.reason = "the party pays nothing";
    else r.multiple.value = r.in / r.out;
    if (!out.timed) {
      r.irr.reason = r.npv.reason = out.time_reason;
      continue;
    }
    if (discount) r.npv = npv_at(net, clock, *discount);
    r.irr = irr_of(net, clock);
  }
  for (auto& [currency, r] : by_currency) out.currencies.push_back(std::move(r));
  return out;
}

}  // namespace utfall
