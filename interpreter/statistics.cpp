// Exact statistics of integer amounts (statistics.hpp), with Boost's integers for the sums of
// squares.
#include "interpreter/statistics.hpp"

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>

namespace utfall {
namespace {

using boost::multiprecision::cpp_int;
__extension__ using i128 = __int128;
__extension__ using u128 = unsigned __int128;

// An unsigned 128-bit integer as an unbounded one.
cpp_int big(u128 a) { return cpp_int(static_cast<std::uint64_t>(a >> 64)) << 64 | cpp_int(static_cast<std::uint64_t>(a)); }

// num / den rounded half-even to an integer; den > 0.
cpp_int divide_half_even(const cpp_int& num, const cpp_int& den) {
  cpp_int q = num / den, r = num % den;  // truncating
  if (r < 0) q -= 1, r += den;           // floor
  const cpp_int twice = 2 * r;
  if (twice > den || (twice == den && q % 2 != 0)) q += 1;
  return q;
}

// sqrt(a / b) rounded half-even to an integer; a >= 0, b > 0.
cpp_int sqrt_half_even(const cpp_int& a, const cpp_int& b) {
  cpp_int k = boost::multiprecision::sqrt(cpp_int(a / b));  // floor(sqrt(floor(a/b))) = floor(sqrt(a/b))
  // Round up when sqrt(a/b) >= k + 1/2, i.e. 4a >= (2k+1)^2 b; at equality, to the even one.
  const cpp_int lhs = 4 * a, rhs = (2 * k + 1) * (2 * k + 1) * b;
  if (lhs > rhs || (lhs == rhs && k % 2 != 0)) k += 1;
  return k;
}

}  // namespace

Summary summarize(std::vector<std::int64_t>& values, const std::vector<Number>& percentiles) {
  Summary s;
  s.count = values.size();
  s.percentiles.assign(percentiles.size(), 0);
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::uint64_t n = values.size();
  s.min = values.front();
  s.max = values.back();
  s.positive = static_cast<std::uint64_t>(values.end() - std::upper_bound(values.begin(), values.end(), std::int64_t{0}));
  // Sums of the deviations from the median, whose squares fit 128 bits and whose sums are kept
  // in 128 bits until they might not, then added to an unbounded integer.
  const i128 center = values[n / 2];
  i128 sum = 0;
  u128 squares = 0;
  cpp_int big_squares = 0;
  for (std::int64_t v : values) {
    const i128 d = static_cast<i128>(v) - center;  // |d| < 2^64
    sum += d;
    const u128 a = static_cast<u128>(d < 0 ? -d : d);
    if (a >> 63) {  // its square may not fit: add it as an unbounded integer
      const cpp_int x = big(a);
      big_squares += x * x;
      continue;
    }
    const u128 sq = a * a;  // < 2^126
    if (squares > ~static_cast<u128>(0) - sq) {
      big_squares += big(squares);
      squares = 0;
    }
    squares += sq;
  }
  big_squares += big(squares);
  auto to_big = [](i128 x) {
    const bool negative = x < 0;
    const u128 a = static_cast<u128>(negative ? -x : x);
    cpp_int r = big(a);
    return negative ? cpp_int(-r) : r;
  };
  const cpp_int big_sum = to_big(sum), big_n = n;
  const cpp_int total = big_sum + to_big(center) * big_n;
  s.mean = static_cast<std::int64_t>(divide_half_even(total, big_n));
  s.exact_mean = *Number::parse_decimal(total.str()) / *Number::parse_decimal(big_n.str());
  if (n > 1) {
    // Var = (n * sum d^2 - (sum d)^2) / (n (n - 1)).
    const cpp_int a = big_n * big_squares - big_sum * big_sum;
    s.sd = *Number::parse_decimal(sqrt_half_even(a, big_n * (big_n - 1)).str());
  }
  for (std::size_t k = 0; k < percentiles.size(); ++k) {
    // rank = ceil(P n / 100), at least 1 and at most n.
    Number rank = (percentiles[k] * Number::from_int(static_cast<std::int64_t>(n)) / Number::from_int(100))
                      .round(Number::from_int(1), RoundingMode::ceiling);
    auto r = rank.to_decimal64();
    std::int64_t at = r && r->places == 0 ? r->digits : 1;
    at = std::clamp<std::int64_t>(at, 1, static_cast<std::int64_t>(n));
    s.percentiles[k] = values[static_cast<std::size_t>(at - 1)];
  }
  return s;
}

std::optional<Number> read_percentile(const std::string& text) {
  auto n = text.find_first_not_of("0123456789.") == std::string::npos ? Number::parse_decimal(text) : std::nullopt;
  if (!n || *n > Number::from_int(100)) return std::nullopt;
  return n;
}

std::string share_text(std::uint64_t count, std::uint64_t n, int places) {
  if (n == 0) return "";
  cpp_int scale = 1;
  for (int k = 0; k < places; ++k) scale *= 10;
  const cpp_int units = divide_half_even(cpp_int(count) * scale, cpp_int(n));
  std::string digits = units.str();
  if (places == 0) return digits;
  if (digits.size() <= static_cast<std::size_t>(places)) digits.insert(0, static_cast<std::size_t>(places) + 1 - digits.size(), '0');
  digits.insert(digits.size() - static_cast<std::size_t>(places), ".");
  return digits;
}

}  // namespace utfall
