// Exact statistics (interpreter/statistics.hpp) against values computed independently with
// Python's fractions and math.isqrt from the definitions in statistics.hpp:
//   mean = round_half_even(Fraction(sum(v), n)); sd = sqrt(sum((x - mean)^2) / (n - 1)) rounded
//   half-even by comparing 4 var with (2k+1)^2; percentile P = sorted(v)[max(1, ceil(P n/100)) - 1].
#include <catch2/catch.hpp>

#include "interpreter/statistics.hpp"

using utfall::Number;
using utfall::summarize;

namespace {
std::vector<Number> ps() { return {Number::from_int(5), Number::from_int(50), Number::from_int(95), *Number::parse_decimal("2.5")}; }
}  // namespace

TEST_CASE("summary of a few values: mean and sd rounded half-even, percentiles by nearest rank") {
  std::vector<std::int64_t> v = {4, 1, 3, 2};
  auto s = summarize(v, ps());
  CHECK(s.count == 4);
  CHECK(s.mean == 2);  // 2.5, to even
  CHECK(s.sd == Number::from_int(1));  // sqrt(5/3) = 1.29
  CHECK(s.percentiles == std::vector<std::int64_t>{1, 2, 4, 1});
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  CHECK(s.positive == 4);

  std::vector<std::int64_t> w = {-5, 10, 10, 10, 250, -7, 3};
  s = summarize(w, ps());
  CHECK(s.mean == 39);
  CHECK(s.sd == Number::from_int(93));
  CHECK(s.percentiles == std::vector<std::int64_t>{-7, 10, 250, -7});
  CHECK(s.positive == 5);
}

TEST_CASE("summary of values near the ends of int64: no overflow in the sums or in the sd") {
  const std::int64_t big = std::int64_t{1} << 62;
  std::vector<std::int64_t> v = {big, -big, big - 1, -big + 3, 12345};
  auto s = summarize(v, ps());
  CHECK(s.mean == 2469);
  CHECK(s.sd == *Number::parse_decimal("4611686018427387903"));
  CHECK(s.percentiles == std::vector<std::int64_t>{-big, 12345, big, -big});
  CHECK(s.positive == 3);

  std::vector<std::int64_t> w = {INT64_MAX, INT64_MIN, 0};
  s = summarize(w, ps());
  CHECK(s.mean == 0);
  CHECK(s.sd == *Number::parse_decimal("9223372036854775808"));  // 2^63: beyond int64
  CHECK(s.min == INT64_MIN);
  CHECK(s.max == INT64_MAX);
}

TEST_CASE("summary of one value and of none") {
  std::vector<std::int64_t> one = {-3};
  auto s = summarize(one, ps());
  CHECK(s.mean == -3);
  CHECK(s.sd == Number::from_int(0));
  CHECK(s.percentiles == std::vector<std::int64_t>{-3, -3, -3, -3});
  CHECK(s.positive == 0);
  std::vector<std::int64_t> none;
  CHECK(summarize(none, ps()).count == 0);
}

TEST_CASE("shares are rounded half-even") {
  CHECK(utfall::share_text(1, 8, 2) == "0.12");  // 0.125, to even
  CHECK(utfall::share_text(3, 8, 2) == "0.38");  // 0.375, to even
  CHECK(utfall::share_text(8801, 20000) == "0.440050");
  CHECK(utfall::share_text(0, 7) == "0.000000");
  CHECK(utfall::share_text(7, 7) == "1.000000");
}
