// Exact numbers (interpreter/number.hpp). Every expected value below is worked out by hand
// (or, for the long expansions, with Python's decimal module), never captured from a run.
//
// Literal grammar decisions pinned here: ".5" and "1." are rejected (a digit is required on
// both sides of the point); '_' may separate digits in the fraction too ("0.000_001").
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "interpreter/number.hpp"
#include "tests/tools/splitmix.hpp"

using utfall::ArithmeticError;
using utfall::Number;
using utfall::RoundingMode;

namespace {

Number N(const char* text) {
  const auto n = Number::parse_exact(text);
  REQUIRE(n.has_value());
  return *n;
}

std::string frac(const Number& n) { return n.to_fraction_string(); }

std::string pow10_string(int n) { return "1" + std::string(static_cast<std::size_t>(n), '0'); }

}  // namespace

TEST_CASE("parse_decimal accepts the literal grammar", "[number][parse]") {
  struct Case {
    const char* text;
    const char* fraction;
  };
  const Case cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"+0.000", "0"},
      {"7", "7"},
      {"+5", "5"},
      {"007", "7"},
      {"09", "9"},  // not octal
      {"010", "10"},
      {"0.075", "3/40"},
      {"-0.075", "-3/40"},
      {"12.50", "25/2"},
      {"7_000_000", "7000000"},
      {"1_000.000_5", "2000001/2000"},
      {"4616666.685", "923333337/200"},
      {"9223372036854775807", "9223372036854775807"},
      {"-9223372036854775807", "-9223372036854775807"},
      {"9223372036854775808", "9223372036854775808"},  // first value past the fast path
      {"-9223372036854775808", "-9223372036854775808"},
      {"000000000000000000000000000000000000000000001", "1"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto n = Number::parse_decimal(c.text);
    REQUIRE(n.has_value());
    CHECK(frac(*n) == c.fraction);
  }
}

TEST_CASE("parse_decimal rejects everything else", "[number][parse]") {
  const char* bad[] = {"", "-", "+", "1__0", "_1", "1_", "1.", ".5", "-.5", "1e5", "1E5",
                       "1,5", " 1", "1 ", "--1", "+-1", "1._5", "1_.5", "0x10", "1.2.3",
                       "1/3", "inf", "NaN", "1.5_", "\xD9\xA1"};
  for (const char* text : bad) {
    INFO('"' << text << '"');
    CHECK_FALSE(Number::parse_decimal(text).has_value());
  }
}

TEST_CASE("parse_decimal of long and deep literals", "[number][parse][big]") {
  // 0.(40 zeros)1 = 1 / 10^41
  const auto tiny = Number::parse_decimal("0." + std::string(40, '0') + "1");
  REQUIRE(tiny);
  CHECK(tiny->numerator_string() == "1");
  CHECK(tiny->denominator_string() == pow10_string(41));

  const auto leading = Number::parse_decimal("0" + std::string(40, '1'));
  REQUIRE(leading);
  CHECK(leading->numerator_string() == std::string(40, '1'));

  const auto mixed = Number::parse_decimal("123456789012345678901234567890.123456789");
  REQUIRE(mixed);
  CHECK(*mixed == N("123456789012345678901234567890123456789/1000000000"));
}

TEST_CASE("parse_decimal with places divides by a power of ten exactly", "[number][parse]") {
  // A percent cell: "54.7" % is 547/1000. Expected fractions reduced by hand.
  struct Case {
    const char* text;
    int places;
    const char* fraction;
  };
  const Case cases[] = {
      {"54.7", 2, "547/1000"},
      {"80", 2, "4/5"},
      {"100", 2, "1"},
      {"-12.5", 2, "-1/8"},
      {"0", 2, "0"},
      {"250", 2, "5/2"},
      {"7", 0, "7"},
      {"1_000.000_5", 3, "2000001/2000000"},
  };
  for (const auto& c : cases) {
    INFO(c.text << " / 10^" << c.places);
    const auto n = Number::parse_decimal(c.text, c.places);
    REQUIRE(n.has_value());
    CHECK(frac(*n) == c.fraction);
  }
  // Past 38 places in all, the digits go the long way: 10^-37 / 100 = 10^-39.
  const auto deep = Number::parse_decimal("0." + std::string(36, '0') + "1", 2);
  REQUIRE(deep);
  CHECK(deep->numerator_string() == "1");
  CHECK(deep->denominator_string() == pow10_string(39));
  // 38 nines, then two places down: the numerator keeps every digit.
  const auto wide = Number::parse_decimal(std::string(38, '9'), 2);
  REQUIRE(wide);
  CHECK(wide->numerator_string() == std::string(38, '9'));
  CHECK(wide->denominator_string() == "100");
  CHECK_FALSE(Number::parse_decimal("1.5%", 2).has_value());
  CHECK_FALSE(Number::parse_decimal("1", -1).has_value());
}

TEST_CASE("parse_decimal of short decimals agrees with the fraction digits / 10^places", "[number][parse]") {
  // Short decimals are read in one pass and reduced by their 2s and 5s; Number::fraction reduces
  // by a gcd. Every length from 1 to 19 digits, every position of the point, both signs, and
  // zeros at either end (what the 2s and 5s come from).
  std::uint64_t seed = 0x9E3779B97F4A7C15u;
  auto next = [&] { return seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17; };
  int checked = 0;
  for (int length = 1; length <= 19; ++length)
    for (int point = 0; point < length; ++point)
      for (int trial = 0; trial < 12; ++trial) {
        std::string digits;
        for (int i = 0; i < length; ++i) {
          const auto r = next();
          digits += static_cast<char>('0' + (trial % 3 == 0 && i >= length - 2 ? 0 : r % 10));
        }
        if (trial % 4 == 1) digits.front() = '0';
        std::string text = (trial % 2 ? "-" : "") + digits;
        if (point > 0) text.insert(text.size() - static_cast<std::size_t>(point), ".");
        for (int places : {0, 2}) {
          INFO(text << " places " << places);
          const auto n = Number::parse_decimal(text, places);
          REQUIRE(n.has_value());
          const int scale = point + places;
          if (length > 18 || scale > 18) continue;  // fraction() takes machine words
          std::int64_t whole = std::stoll(digits);
          if (trial % 2) whole = -whole;
          CHECK(*n == Number::fraction(whole, static_cast<std::int64_t>(std::stoull(pow10_string(scale)))));
          CHECK(frac(*n) == frac(Number::fraction(whole, static_cast<std::int64_t>(std::stoull(pow10_string(scale))))));
          ++checked;
        }
      }
  CHECK(checked > 3000);
}

TEST_CASE("decimal: digits / 10^places in lowest terms, as the gcd of fraction gives", "[number]") {
  // By hand.
  CHECK(frac(Number::decimal(2'670'000'000, 2)) == "26700000");
  CHECK(frac(Number::decimal(-125, 3)) == "-1/8");
  CHECK(frac(Number::decimal(3, 18)) == "3/1000000000000000000");
  CHECK(frac(Number::decimal(0, 7)) == "0");
  CHECK_THROWS_AS(Number::decimal(1, -1), std::invalid_argument);
  CHECK_THROWS_AS(Number::decimal(1, 19), std::invalid_argument);
  // Against Number::fraction (a gcd): the ends of int64, powers of 2, 5 and 10 (whose factors
  // are the ones taken out), and generated digits with runs of zeros, at every places.
  std::vector<std::int64_t> digits{1, -1, 7, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::min() + 1, 1LL << 62, -(1LL << 62), 7'450'580'596'923'828'125LL /* 5^27 */,
                                   1'000'000'000'000'000'000LL, -500'000'000'000'000'000LL, 1'220'703'125LL * 1024 /* 5^13 2^10 */};
  utfall::test_support::Random rng{61};
  for (int i = 0; i < 3000; ++i) {
    auto d = static_cast<std::int64_t>(rng.next() >> rng.range(1, 63));  // at least 0, below 2^63
    for (int zeros = static_cast<int>(rng.next() % 8); zeros > 0 && d <= std::numeric_limits<std::int64_t>::max() / 10; --zeros) d *= 10;
    digits.push_back(rng.next() % 2 ? -d : d);
  }
  for (int places = 0; places <= 18; ++places) {
    std::int64_t ten = 1;
    for (int k = 0; k < places; ++k) ten *= 10;
    for (std::int64_t d : digits) {
      INFO(d << " / 10^" << places);
      const Number want = Number::fraction(d, ten);
      CHECK(Number::decimal(d, places) == want);
      CHECK(frac(Number::decimal(d, places)) == frac(want));
    }
  }
}

TEST_CASE("power_of_ten: 10^exponent exactly, for exponents within int64 and beyond", "[number]") {
  // By hand: the texts to_string and the fraction form print.
  CHECK(frac(Number::power_of_ten(0)) == "1");
  CHECK(frac(Number::power_of_ten(3)) == "1000");
  CHECK(frac(Number::power_of_ten(-2)) == "1/100");
  CHECK(frac(Number::power_of_ten(18)) == "1000000000000000000");
  CHECK(frac(Number::power_of_ten(19)) == "10000000000000000000");  // past int64
  CHECK(frac(Number::power_of_ten(-19)) == "1/10000000000000000000");
  CHECK(Number::power_of_ten(-31).to_string() == "0.0000000000000000000000000000001");
  CHECK(Number::power_of_ten(40).to_string() == "1" + std::string(40, '0'));
  // 10^a * 10^b = 10^(a + b), and 10^-k * 10^k = 1, across the int64 edge.
  for (int a = -25; a <= 25; ++a) {
    INFO("a = " << a);
    CHECK(Number::power_of_ten(a) * Number::power_of_ten(-a) == Number::from_int(1));
    CHECK(Number::power_of_ten(a) * Number::from_int(10) == Number::power_of_ten(a + 1));
  }
}

TEST_CASE("parse_exact reads fractions and what to_string prints", "[number][parse]") {
  CHECK(frac(N("1/3")) == "1/3");
  CHECK(frac(N("-1/3")) == "-1/3");
  CHECK(frac(N("2/4")) == "1/2");
  CHECK(frac(N("0.5")) == "1/2");
  CHECK(frac(N("1/3 (\xE2\x89\x88 0.3333333333\xE2\x80\xA6)")) == "1/3");
  CHECK_FALSE(Number::parse_exact("1/0"));
  CHECK_FALSE(Number::parse_exact("1/-3"));
  CHECK_FALSE(Number::parse_exact("1.5/2"));
  CHECK_FALSE(Number::parse_exact("1/"));
  CHECK_FALSE(Number::parse_exact("/3"));
  CHECK_FALSE(Number::parse_exact("1/3/4"));
}

TEST_CASE("arithmetic is exact", "[number][arith]") {
  CHECK(Number::fraction(1, 3) * Number::from_int(3) == Number::from_int(1));
  CHECK(N("1") / N("3") * N("3") == N("1"));
  CHECK((N("100") - N("80")) / N("100") >= N("0.2"));
  CHECK((N("100") - N("80")) / N("100") == N("0.2"));
  CHECK(N("0.1") + N("0.2") == N("0.3"));
  CHECK(frac(N("1/6") + N("1/3")) == "1/2");
  CHECK(frac(N("1/6") - N("1/3")) == "-1/6");
  CHECK(frac(N("4616666.685") * N("0.30")) == "2770000011/2000");  // 1385000.0055
  CHECK(frac(N("200000000") / N("7000000")) == "200/7");
  CHECK(frac(-N("3/4")) == "-3/4");
  CHECK(frac(N("-3/4").abs()) == "3/4");
  CHECK(frac(Number::fraction(6, -4)) == "-3/2");
  CHECK(Number() == Number::from_int(0));
  CHECK(frac(N("5") / N("-10")) == "-1/2");
  CHECK(frac(N("-5/7") / N("-10/21")) == "3/2");
}

TEST_CASE("products and sums of fractions against a model in 128-bit integers", "[number][arith]") {
  // The model: num/den multiplied or added out in __int128 and reduced by Euclid, printed as
  // to_fraction_string prints ("-7", "3/40"). Whole numbers (den 1), which Number reduces
  // without a gcd, come up a third of the time; products pass int64 into the Boost form.
  __extension__ using i128 = __int128;
  __extension__ using u128 = unsigned __int128;
  auto text = [](i128 v) {
    const bool negative = v < 0;
    u128 m = negative ? -static_cast<u128>(v) : static_cast<u128>(v);
    std::string out;
    do out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(m % 10))); while (m /= 10);
    return negative ? "-" + out : out;
  };
  auto reduced = [&](i128 num, i128 den) {
    i128 a = num < 0 ? -num : num, b = den;
    while (b != 0) a %= b, std::swap(a, b);
    if (a > 1) num /= a, den /= a;
    return den == 1 ? text(num) : text(num) + "/" + text(den);
  };
  utfall::test_support::Random rng{2026};
  for (int i = 0; i < 20000; ++i) {
    auto part = [&] { return static_cast<std::int64_t>(rng.next() >> rng.range(24, 63)) * (rng.chance(1, 2) ? 1 : -1); };
    auto den = [&] { return rng.chance(1, 3) ? std::int64_t{1} : rng.range(1, 1000); };
    const std::int64_t a = part(), b = part(), c = den(), d = den();
    INFO(a << "/" << c << " and " << b << "/" << d);
    REQUIRE(frac(Number::fraction(a, c)) == reduced(a, c));
    REQUIRE(frac(Number::fraction(a, c) * Number::fraction(b, d)) == reduced(i128{a} * b, i128{c} * d));
    REQUIRE(frac(Number::fraction(a, c) + Number::fraction(b, d)) == reduced(i128{a} * d + i128{b} * c, i128{c} * d));
    REQUIRE(frac(Number::from_int(a) - Number::from_int(b)) == text(i128{a} - b));
  }
}

TEST_CASE("division by zero throws ArithmeticError", "[number][arith]") {
  CHECK_THROWS_AS(N("1") / N("0"), ArithmeticError);
  CHECK_THROWS_AS(N("0") / Number(), ArithmeticError);
  CHECK_THROWS_AS(N(pow10_string(30).c_str()) / N("0"), ArithmeticError);
  CHECK_THROWS_AS(Number::fraction(1, 0), ArithmeticError);
}

TEST_CASE("comparison is exact and total", "[number][compare]") {
  CHECK(N("1/3") < N("0.3334"));
  CHECK(N("1/3") > N("0.3333"));
  CHECK(N("-1/2") < N("-1/3"));
  CHECK(N("2/4") == N("0.5"));
  CHECK(N("2/4") != N("0.50001"));
  CHECK((N("7") <=> N("7")) == std::strong_ordering::equal);
  const Number big = N(pow10_string(30).c_str());
  CHECK(big > N("9223372036854775807"));
  CHECK(-big < N("-9223372036854775807"));
  CHECK(big + N("1/3") > big);
  CHECK(N("1/3") < big);
}

TEST_CASE("int64 boundaries and the Boost fallback", "[number][big]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  const Number max = Number::from_int(kMax);
  CHECK(frac(max + Number::from_int(1)) == "9223372036854775808");
  CHECK(frac(max + max) == "18446744073709551614");
  CHECK((max + Number::from_int(1) - Number::from_int(1)).to_int64() == kMax);
  CHECK(Number::from_int(kMin).numerator_string() == "-9223372036854775808");
  CHECK_FALSE(Number::from_int(kMin).to_int64().has_value());
  CHECK(frac(-Number::from_int(kMin)) == "9223372036854775808");
  CHECK(frac(Number::fraction(kMin, -1)) == "9223372036854775808");
  CHECK(frac(Number::fraction(1, kMin)) == "-1/9223372036854775808");
  CHECK(frac(Number::fraction(kMin, 2)) == "-4611686018427387904");
  CHECK(frac(max * max) == "85070591730234615847396907784232501249");

  const Number e20 = N(pow10_string(20).c_str());
  const Number e30 = N(pow10_string(30).c_str());
  CHECK(frac(e30 * e30) == pow10_string(60));
  CHECK((e20 * e20) / N(pow10_string(38).c_str()) == Number::from_int(100));
  CHECK(((e20 * e20) / N(pow10_string(38).c_str())).to_int64() == 100);
  CHECK(frac(e30 + N("1/3")) == "3" + std::string(29, '0') + "1/3");
  CHECK((e30 + N("1/3") - e30) == N("1/3"));
  CHECK(N("1") / e30 * e30 == N("1"));
  CHECK((e30 / e30).to_int64() == 1);
}

TEST_CASE("predicates", "[number]") {
  CHECK(N("-2").sign() == -1);
  CHECK(N("0").sign() == 0);
  CHECK(N("1/3").sign() == 1);
  CHECK(N("0").is_zero());
  CHECK(N("12").is_integer());
  CHECK_FALSE(N("12.5").is_integer());
  CHECK(N(pow10_string(30).c_str()).is_integer());
  CHECK(N("3/40").is_terminating());
  CHECK(N("1/1024").is_terminating());
  CHECK_FALSE(N("1/3").is_terminating());
  CHECK_FALSE(N("1/6").is_terminating());
  CHECK(N("2.35").is_multiple_of(N("0.05")));
  CHECK_FALSE(N("2.34").is_multiple_of(N("0.05")));
  CHECK(N("-3000").is_multiple_of(N("1000")));
  CHECK(N("2/3").is_multiple_of(N("1/3")));
  CHECK_THROWS_AS(N("1").is_multiple_of(N("0")), ArithmeticError);
}

TEST_CASE("decimal_digits estimates size within one digit", "[number]") {
  auto near = [](std::size_t got, std::size_t want) { return got + 1 >= want && got <= want + 1; };
  CHECK(near(N("0").decimal_digits(), 1));
  CHECK(near(N("12345").decimal_digits(), 5));
  CHECK(near(N("1/1000000").decimal_digits(), 7));
  CHECK(near(N("9223372036854775807").decimal_digits(), 19));
  CHECK(near(N(pow10_string(60).c_str()).decimal_digits(), 61));
  CHECK(near(N(("1/" + pow10_string(45)).c_str()).decimal_digits(), 46));
}

TEST_CASE("rounding mode names", "[number][round]") {
  for (const char* name : {"half_up", "half_down", "half_even", "up", "down", "ceiling", "floor"}) {
    const auto mode = utfall::rounding_mode_from_name(name);
    REQUIRE(mode.has_value());
    CHECK(utfall::rounding_mode_name(*mode) == name);
  }
  CHECK_FALSE(utfall::rounding_mode_from_name("HALF_UP").has_value());
  CHECK_FALSE(utfall::rounding_mode_from_name("bankers").has_value());
}

TEST_CASE("round: every mode, ties positive and negative", "[number][round]") {
  struct Case {
    const char* value;
    const char* step;
    RoundingMode mode;
    const char* expected;
  };
  using M = RoundingMode;
  const Case cases[] = {
      // The header's worked examples, step 0.01.
      {"2.345", "0.01", M::half_up, "2.35"},
      {"-2.345", "0.01", M::half_up, "-2.35"},
      {"2.345", "0.01", M::half_down, "2.34"},
      {"-2.345", "0.01", M::half_down, "-2.34"},
      {"2.345", "0.01", M::half_even, "2.34"},
      {"2.355", "0.01", M::half_even, "2.36"},
      {"-2.345", "0.01", M::half_even, "-2.34"},
      {"-2.355", "0.01", M::half_even, "-2.36"},
      {"2.341", "0.01", M::up, "2.35"},
      {"-2.341", "0.01", M::up, "-2.35"},
      {"2.349", "0.01", M::down, "2.34"},
      {"-2.349", "0.01", M::down, "-2.34"},
      {"2.341", "0.01", M::ceiling, "2.35"},
      {"-2.349", "0.01", M::ceiling, "-2.34"},
      {"2.349", "0.01", M::floor, "2.34"},
      {"-2.341", "0.01", M::floor, "-2.35"},
      // Not ties: the half modes go to the nearer neighbour.
      {"2.3449", "0.01", M::half_up, "2.34"},
      {"2.3451", "0.01", M::half_down, "2.35"},
      {"-2.3451", "0.01", M::half_down, "-2.35"},
      {"2.3450001", "0.01", M::half_even, "2.35"},
      {"-2.3449", "0.01", M::half_even, "-2.34"},
      // Exact multiples never move, in any mode.
      {"2.34", "0.01", M::up, "2.34"},
      {"-2.34", "0.01", M::floor, "-2.34"},
      {"0", "0.01", M::ceiling, "0"},
      // Small values on either side of zero.
      {"0.001", "0.01", M::up, "0.01"},
      {"0.001", "0.01", M::floor, "0"},
      {"-0.001", "0.01", M::ceiling, "0"},
      {"-0.001", "0.01", M::down, "0"},
      {"-0.001", "0.01", M::up, "-0.01"},
      {"-0.005", "0.01", M::half_up, "-0.01"},
      {"-0.005", "0.01", M::half_down, "0"},
      {"-0.005", "0.01", M::half_even, "0"},
      {"-0.015", "0.01", M::half_even, "-0.02"},
      // Step 1: the classic integer ties.
      {"2.5", "1", M::half_even, "2"},
      {"3.5", "1", M::half_even, "4"},
      {"-2.5", "1", M::half_even, "-2"},
      {"-3.5", "1", M::half_even, "-4"},
      {"2.5", "1", M::half_up, "3"},
      {"-2.5", "1", M::half_up, "-3"},
      {"2.5", "1", M::half_down, "2"},
      {"-2.5", "1", M::half_down, "-2"},
      {"2.5", "1", M::ceiling, "3"},
      {"-2.5", "1", M::ceiling, "-2"},
      {"2.5", "1", M::floor, "2"},
      {"-2.5", "1", M::floor, "-3"},
      // Step 1000: a tie is 500 away; half_even looks at the parity of the multiple.
      {"1234567", "1000", M::half_up, "1235000"},
      {"1234500", "1000", M::half_even, "1234000"},
      {"1235500", "1000", M::half_even, "1236000"},
      {"-1234500", "1000", M::half_up, "-1235000"},
      {"-1234500", "1000", M::half_down, "-1234000"},
      {"1000001", "1000", M::up, "1001000"},
      {"1000999", "1000", M::down, "1000000"},
      // Step 0.05 (cash rounding): 1.025 = 20.5 steps, 1.075 = 21.5 steps.
      {"1.025", "0.05", M::half_up, "1.05"},
      {"1.025", "0.05", M::half_down, "1"},
      {"1.025", "0.05", M::half_even, "1"},
      {"1.075", "0.05", M::half_even, "1.1"},
      {"-1.025", "0.05", M::half_up, "-1.05"},
      {"-1.025", "0.05", M::half_even, "-1"},
      {"1.03", "0.05", M::ceiling, "1.05"},
      {"1.03", "0.05", M::floor, "1"},
      {"-1.03", "0.05", M::floor, "-1.05"},
      // Non-terminating values and steps.
      {"1/3", "0.01", M::half_up, "0.33"},
      {"2/3", "0.01", M::half_up, "0.67"},
      {"-2/3", "0.01", M::down, "-0.66"},
      {"-2/3", "0.01", M::floor, "-0.67"},
      {"1/2", "1/3", M::half_even, "2/3"},  // 1.5 steps -> 2
      {"1/2", "1/3", M::half_down, "1/3"},
      {"1/2", "1/3", M::half_up, "2/3"},
      // Large values (Boost path), ties to even on the integer part.
      {"1000000000000000000000000000000.5", "1", M::half_even, "1000000000000000000000000000000"},
      {"1000000000000000000000000000001.5", "1", M::half_even, "1000000000000000000000000000002"},
      {"-1000000000000000000000000000000.5", "1", M::half_up, "-1000000000000000000000000000001"},
      {"-1000000000000000000000000000000.5", "1", M::half_down, "-1000000000000000000000000000000"},
      {"-1000000000000000000000000000000.5", "1", M::floor, "-1000000000000000000000000000001"},
      {"123456789012345678901234567890.125", "0.01", M::half_even, "123456789012345678901234567890.12"},
      {"123456789012345678901234567890.125", "0.01", M::ceiling, "123456789012345678901234567890.13"},
      {"9223372036854775807.5", "1", M::half_up, "9223372036854775808"},
      {"9223372036854775807.5", "1", M::half_even, "9223372036854775808"},
      {"-9223372036854775807.5", "1", M::half_down, "-9223372036854775807"},
      {"2.5", "0.000000000000000000000000000001", M::up, "2.5"},  // a step on the Boost path
      {"1/3", "0.000000000000000000000000000001", M::down, "0.333333333333333333333333333333"},
  };
  for (const auto& c : cases) {
    INFO(c.value << " step " << c.step << " " << utfall::rounding_mode_name(c.mode));
    CHECK(N(c.value).round(N(c.step), c.mode) == N(c.expected));
  }
}

TEST_CASE("round rejects a step that is not positive", "[number][round]") {
  CHECK_THROWS_AS(N("1.5").round(N("0"), RoundingMode::half_up), ArithmeticError);
  CHECK_THROWS_AS(N("1.5").round(N("-0.01"), RoundingMode::half_up), ArithmeticError);
}

TEST_CASE("to_string", "[number][text]") {
  CHECK(N("9000000").to_string() == "9000000");
  CHECK(N("0.3").to_string() == "0.3");
  CHECK(N("0.30").to_string() == "0.3");
  CHECK(N("-4616666.685").to_string() == "-4616666.685");
  CHECK(N("12.50").to_string() == "12.5");
  CHECK(N("0").to_string() == "0");
  CHECK(N("-0.075").to_string() == "-0.075");
  CHECK(N("1/1024").to_string() == "0.0009765625");
  CHECK(N("1/1099511627776").to_string() ==  // 2^-40, from Python's decimal
        "0.0000000000009094947017729282379150390625");
  CHECK(N(pow10_string(60).c_str()).to_string() == pow10_string(60));
  CHECK(N("1000000000000000000000000000000.5").to_string() == "1000000000000000000000000000000.5");
  CHECK(N("1/3").to_string() == "1/3 (\xE2\x89\x88 0.3333333333\xE2\x80\xA6)");
  CHECK(N("2/3").to_string() == "2/3 (\xE2\x89\x88 0.6666666666\xE2\x80\xA6)");
  CHECK(N("-1/7").to_string() == "-1/7 (\xE2\x89\x88 -0.1428571428\xE2\x80\xA6)");
  CHECK(N("22/3").to_string() == "22/3 (\xE2\x89\x88 7.3333333333\xE2\x80\xA6)");
  // Non-terminating on the Boost path: 10^30 + 1/3.
  CHECK((N(pow10_string(30).c_str()) + N("1/3")).to_string() ==
        "3" + std::string(29, '0') + "1/3 (\xE2\x89\x88 " + pow10_string(30) + ".3333333333\xE2\x80\xA6)");
  // Reading back what to_string printed gives the same value.
  for (const char* text : {"1/3", "-4616666.685", "-1/7", "1/1099511627776"}) {
    INFO(text);
    CHECK(N(N(text).to_string().c_str()) == N(text));
  }
}

TEST_CASE("to_fixed never rounds", "[number][text]") {
  CHECK(N("26700000").to_fixed(2) == "26700000.00");
  CHECK(N("0.3").to_fixed(2) == "0.30");
  CHECK(N("0.3").to_fixed(1) == "0.3");
  CHECK(N("-0.5").to_fixed(1) == "-0.5");
  CHECK(N("-0.5").to_fixed(3) == "-0.500");
  CHECK(N("0").to_fixed(2) == "0.00");
  CHECK(N("7").to_fixed(0) == "7");
  CHECK(N("0.05").to_fixed(2) == "0.05");
  CHECK_FALSE(N("-0.5").to_fixed(0).has_value());
  CHECK_FALSE(N("2.345").to_fixed(2).has_value());
  CHECK_FALSE(N("1/3").to_fixed(10).has_value());
  CHECK_FALSE(N("7").to_fixed(-1).has_value());
  CHECK(N("1000000000000000000000000000000.5").to_fixed(2) == "1000000000000000000000000000000.50");
}

TEST_CASE("scaled_to: the digits at a number of places, only when exact and within int64", "[number][text]") {
  auto dec = [](const char* t) { return *Number::parse_decimal(t); };
  CHECK(dec("26700000.5").scaled_to(2) == 2670000050);
  CHECK(dec("-0.05").scaled_to(2) == -5);
  CHECK(dec("-0.05").scaled_to(3) == -50);
  CHECK(dec("7").scaled_to(0) == 7);
  CHECK(Number{}.scaled_to(18) == 0);
  CHECK(Number::fraction(1, 8).scaled_to(3) == 125);      // 0.125
  CHECK(Number::fraction(1, 8).scaled_to(2) == std::nullopt);  // 0.125 is not exact at 2 places
  CHECK(dec("0.005").scaled_to(2) == std::nullopt);
  CHECK(Number::fraction(1, 3).scaled_to(18) == std::nullopt);
  CHECK(dec("1").scaled_to(19) == std::nullopt);  // 10^19 is past int64
  CHECK(dec("1").scaled_to(-1) == std::nullopt);
  // int64's ends: 92233720368547758.07 is INT64_MAX hundredths, one more hundredth is not.
  CHECK(dec("92233720368547758.07").scaled_to(2) == std::numeric_limits<std::int64_t>::max());
  CHECK(dec("92233720368547758.08").scaled_to(2) == std::nullopt);
  CHECK(dec("-92233720368547758.08").scaled_to(2) == std::numeric_limits<std::int64_t>::min());
  CHECK(dec("-92233720368547758.09").scaled_to(2) == std::nullopt);
  CHECK(Number::from_int(std::numeric_limits<std::int64_t>::max()).scaled_to(1) == std::nullopt);
}

TEST_CASE("to_fraction_string and parts", "[number][text]") {
  CHECK(frac(N("0.075")) == "3/40");
  CHECK(frac(N("-7")) == "-7");
  CHECK(N("-3/40").numerator_string() == "-3");
  CHECK(N("-3/40").denominator_string() == "40");
  CHECK(N("5").denominator_string() == "1");
  CHECK(N("-12").to_int64() == -12);
  CHECK_FALSE(N("1/2").to_int64().has_value());
}

TEST_CASE("to_string of fractions whose digits pass 64 bits", "[number][format]") {
  // Expected texts from Python's decimal at 60 digits.
  CHECK(Number::fraction(9223372036854775807, 1024).to_string() == "9007199254740991.9990234375");
  CHECK(Number::fraction(-9223372036854775807, std::int64_t{1} << 40).to_string() ==
        "-8388607.9999999999990905052982270717620849609375");
  CHECK(Number::fraction(123456789012345678, 95367431640625).to_string() == "1294.53825995409381654528");  // 5^20
  CHECK(Number::fraction(-1, std::int64_t{1} << 62).to_string() == "-0.00000000000000000021684043449710088680149056017398834228515625");
}

TEST_CASE("short_decimal gives the digits and decimals as written or nothing", "[number][parse]") {
  // By hand, from its declaration in number.hpp.
  struct Case {
    const char* text;
    std::uint64_t digits;
    int fraction;
    bool negative;
  };
  for (const Case& c : {Case{"-4616666.685", 4616666685u, 3, true}, Case{"0.3", 3, 1, false}, Case{"7", 7, 0, false},
                        Case{"+7", 7, 0, false}, Case{"007", 7, 0, false}, Case{"0.000", 0, 3, false},
                        Case{"-0", 0, 0, true}, Case{"999999999999999999", 999999999999999999u, 0, false},
                        Case{"12345678.9012345678", 123456789012345678u, 10, false}}) {
    INFO(c.text);
    const auto s = utfall::short_decimal(c.text);
    REQUIRE(s);
    CHECK(s->digits == c.digits);
    CHECK(s->fraction == c.fraction);
    CHECK(s->negative == c.negative);
  }
  // Nothing: no digit, a point not between digits, two points, 19 digits, anything else.
  for (const char* text : {"", "-", "+", ".", ".5", "1.", "-.5", "1.2.3", "1000000000000000000", "1234567890.123456789",
                           "1_000", "1e3", "1,5", " 1", "1 ", "--1", "12%", "0x1"}) {
    INFO(text);
    CHECK_FALSE(utfall::short_decimal(text));
  }
}
