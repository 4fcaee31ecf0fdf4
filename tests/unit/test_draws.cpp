// Deterministic draws (interpreter/draws.hpp). Every expected value is computed independently in
// Python, never captured from a run:
//   log, exp: float(Decimal(x).ln()), float(Decimal(x).exp()) with getcontext().prec = 40.
//   Φ: 50-digit Decimal, Φ(z) = 1/2 + φ(z) Σ z^(2n+1)/(2n+1)!! for |z| < 4, else φ(|z|) over
//     Laplace's continued fraction to 3000 levels; cross-checked with 0.5 * math.erfc(-z / √2)
//     (which agrees to 1e-16 absolute; its far tail is 1e-13 off relatively).
//   Φ^-1: four Newton steps on that 50-digit Φ from statistics.NormalDist().inv_cdf(u), which
//     agrees to 1 ulp.
//   bits: the Python below.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "interpreter/draws.hpp"

namespace draws = utfall::draws;

namespace {

struct Pair {
  double x, expected;
};

double relative_error(double got, double expected) { return std::fabs(got - expected) / std::fabs(expected); }

}  // namespace

TEST_CASE("log has relative error below 1e-15 from the smallest to the largest double", "[draws]") {
  const Pair cases[] = {
      {5e-324, -744.4400719213812},  // the smallest subnormal
      {1e-300, -690.7755278982137},
      {1e-10, -23.025850929940457},
      {0.1, -2.3025850929940455},
      {0.5, -0.6931471805599453},
      {0.7071067811865476, -0.3465735902799726},
      {0.999999, -1.000000500029089e-06},
      {1.0000001, 9.999999505838704e-08},
      {2.0, 0.6931471805599453},
      {10.0, 2.302585092994046},
      {12345.678, 9.421061321291832},
      {1e+100, 230.25850929940458},
      {1.7976931348623157e+308, 709.782712893384},
  };
  for (const auto& c : cases) {
    INFO(c.x);
    CHECK(relative_error(draws::log(c.x), c.expected) < 1e-15);
  }
  CHECK(draws::log(1.0) == 0.0);
  CHECK(draws::log(0.0) == -INFINITY);
  CHECK(std::isnan(draws::log(-1.0)));
}

TEST_CASE("exp has relative error below 1e-15 over |x| < 709", "[draws]") {
  const Pair cases[] = {
      {-708.0, 3.307553003638408e-308},
      {-300.0, 5.148200222412013e-131},
      {-20.0, 2.061153622438558e-09},
      {-1.0, 0.36787944117144233},
      {-1e-10, 0.9999999999},
      {0.0, 1.0},
      {1e-10, 1.0000000001},
      {0.5, 1.6487212707001282},
      {1.0, 2.718281828459045},
      {2.302585092994046, 10.000000000000002},
      {10.0, 22026.465794806718},
      {100.0, 2.6881171418161356e+43},
      {700.0, 1.0142320547350045e+304},
  };
  for (const auto& c : cases) {
    INFO(c.x);
    CHECK(relative_error(draws::exp(c.x), c.expected) < 1e-15);
  }
  CHECK(draws::exp(0.0) == 1.0);
  CHECK(draws::exp(710.0) == INFINITY);
  CHECK(draws::exp(-746.0) == 0.0);
  for (double x = 1e-6; x < 1e300; x *= 7.3) {
    INFO(x);
    CHECK(relative_error(draws::exp(draws::log(x)), x) < 1e-12);  // exp amplifies log's error by |log x|
  }
}

TEST_CASE("normal_cdf is within 1e-15, and its lower tail within 1e-15 relatively", "[draws]") {
  const Pair cases[] = {
      {-37.0, 5.725571222524577e-300},  // math.erfc: 5.725571222525139e-300
      {-20.0, 2.7536241186062337e-89},  // math.erfc: 2.7536241186063314e-89
      {-10.0, 7.619853024160525e-24},
      {-5.0, 2.866515718791939e-07},
      {-3.0, 0.0013498980316300946},
      {-2.0, 0.02275013194817921},  // where the series gives way to the continued fraction
      {-1.0, 0.15865525393145705},
      {-0.5, 0.3085375387259869},
      {0.0, 0.5},
      {0.5, 0.6914624612740131},
      {1.0, 0.8413447460685429},
      {1.959963984540054, 0.975},
      {2.0, 0.9772498680518208},
      {3.0, 0.9986501019683699},
      {5.0, 0.9999997133484281},
      {8.0, 0.9999999999999993},
  };
  for (const auto& c : cases) {
    INFO(c.x);
    const double got = draws::normal_cdf(c.x);
    CHECK(std::fabs(got - c.expected) < 1e-15);
    if (c.x <= -2) CHECK(relative_error(got, c.expected) < 1e-15);
  }
  CHECK(draws::normal_cdf(-INFINITY) == 0.0);
  CHECK(draws::normal_cdf(INFINITY) == 1.0);
  CHECK(draws::normal_cdf(-1e300) == 0.0);
}

TEST_CASE("normal_quantile is within 1e-13 from u = 1e-300 to 1 - 2^-53", "[draws]") {
  const Pair cases[] = {
      {1e-300, -37.0470962993612},
      {1e-100, -21.273453560965326},
      {1e-10, -6.361340902404057},
      {1.1102230246251565e-16, -8.209536151601387},  // 2^-53, the smallest uniform01
      {0.001, -3.0902323061678136},
      {0.025, -1.9599639845400543},
      {0.3, -0.5244005127080408},
      {0.5, 0.0},
      {0.975, 1.9599639845400538},
      {0.999, 3.090232306167813},
      {0.999999999999, 7.0344869100478356},              // 1 - 1e-12
      {0.9999999999999999, 8.209536151601387},            // 1 - 2^-53, the largest uniform01
  };
  for (const auto& c : cases) {
    INFO(c.x);
    CHECK(std::fabs(draws::normal_quantile(c.x) - c.expected) < 1e-13);
  }
  CHECK(draws::normal_quantile(0.0) == -INFINITY);
  CHECK(draws::normal_quantile(1.0) == INFINITY);
  CHECK(std::isfinite(draws::normal_quantile(5e-324)));  // below 1e-300 only Acklam's 1e-9
}

TEST_CASE("normal_quantile inverts normal_cdf and is odd about 1/2", "[draws]") {
  // Above 0, Φ(z) rounds to the doubles near 1, whose spacing 2^-53 is worth 2^-53 / φ(z) in z.
  for (double z = -37; z <= 3; z += 0.125) {
    INFO(z);
    CHECK(std::fabs(draws::normal_quantile(draws::normal_cdf(z)) - z) < 1e-12);
  }
  for (std::uint64_t run = 0; run < 1000; ++run) {
    const double u = draws::uniform01(draws::bits(7, run, 0));
    INFO(u);
    CHECK(draws::normal_quantile(1 - u) == -draws::normal_quantile(u));
  }
}

TEST_CASE("copula_pearson is 2 sin(π ρ / 6)", "[draws]") {
  CHECK(draws::copula_pearson(0.0) == 0.0);
  CHECK(std::fabs(draws::copula_pearson(1.0) - 1) < 1e-15);
  CHECK(draws::copula_pearson(1.0) <= 1.0);
  CHECK(draws::copula_pearson(-1.0) == -draws::copula_pearson(1.0));
  // (√6 - √2) / 2 in 40-digit Decimal
  CHECK(std::fabs(draws::copula_pearson(0.5) - 0.5176380902050415) < 1e-15);
  // 2 * math.sin(math.pi * 0.3 / 6)
  CHECK(std::fabs(draws::copula_pearson(0.3) - 0.31286893008046174) < 1e-15);
}

TEST_CASE("cholesky factors a correlation matrix and refuses one that is not positive definite", "[draws]") {
  const std::vector<double> m = {1, 0.5, 0.3, 0.5, 1, 0.2, 0.3, 0.2, 1};
  const auto l = draws::cholesky(m, 3);
  REQUIRE(l.has_value());
  // By hand, then in 40-digit Decimal: L11 = √0.75, L21 = (0.2 - 0.15) / L11,
  // L22 = √(1 - 0.09 - L21²).
  const std::vector<double> expected = {1, 0, 0, 0.5, 0.8660254037844386, 0, 0.3, 0.057735026918962574, 0.9521904571390467};
  for (std::size_t i = 0; i < 9; ++i) CHECK(std::fabs((*l)[i] - expected[i]) < 1e-15);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      double product = 0;
      for (std::size_t k = 0; k < 3; ++k) product += (*l)[i * 3 + k] * (*l)[j * 3 + k];
      CHECK(std::fabs(product - m[i * 3 + j]) < 1e-15);
    }
  }
  // a ~ b and b ~ c at 0.9 leave no room for a ~ c at -0.9.
  CHECK_FALSE(draws::cholesky({1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1}, 3).has_value());
  CHECK_FALSE(draws::cholesky({1, 1, 1, 1}, 2).has_value());  // singular
  CHECK(draws::cholesky({}, 0) == std::vector<double>{});
}

// The same mixing in Python:
//   M, G = (1 << 64) - 1, 0x9E3779B97F4A7C15
//   def f(z):
//       z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//       z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
//       return z ^ (z >> 31)
//   def bits(seed, run, stream):
//       h = f((seed + G) & M)
//       h = f(h ^ ((run + G) & M))
//       return f(h ^ ((stream + G) & M))
// (f(G) == 0xE220A8397B1DCDAF, SplitMix64's published first output from state 0.)
TEST_CASE("bits are SplitMix64's finaliser over the three counters", "[draws]") {
  struct Case {
    std::uint64_t seed, run, stream, expected;
  };
  const Case cases[] = {
      {0, 0, 0, 0xFBE988335F36C931},
      {1, 0, 0, 0x6DF1421574B0D586},
      {0, 1, 0, 0x224C0BB5384ADAA0},
      {0, 0, 1, 0x78482DBE776F39D9},
      {42, 7, 3, 0x87FC05696D3ABC47},
      {UINT64_MAX, UINT64_MAX, UINT64_MAX, 0xFC5A804D0A8ADE77},
      {20240601, 9999, 12, 0x0C98108AF9454819},
  };
  for (const auto& c : cases) CHECK(draws::bits(c.seed, c.run, c.stream) == c.expected);

  std::set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 50; ++i) {
    seen.insert(draws::bits(i, 0, 0));
    seen.insert(draws::bits(0, i + 1, 0));
    seen.insert(draws::bits(0, 0, i + 1));
    seen.insert(draws::bits(0, i + 1, i + 1));
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("uniform01 lies strictly inside (0, 1)", "[draws]") {
  CHECK(draws::uniform01(0) == 0x1p-53);
  CHECK(draws::uniform01(UINT64_MAX) == 1 - 0x1p-53);
  CHECK(draws::uniform01(std::uint64_t{1} << 63) == 0.5 + 0x1p-53);
  double low = 1, high = 0;
  for (std::uint64_t run = 0; run < 10000; ++run) {
    const double u = draws::uniform01(draws::bits(1, run, 2));
    low = std::min(low, u);
    high = std::max(high, u);
  }
  CHECK(low > 0);
  CHECK(low < 0.001);
  CHECK(high < 1);
  CHECK(high > 0.999);
}
