// Draws (draws.hpp). Every function is a fixed sequence of IEEE operations; the series and
// continued fractions are cut where their terms fall below half an ulp. The error bounds in
// draws.hpp were measured on some 10^5 points against 40-digit Decimal references in Python; a
// sample of those is in tests/unit/test_draws.cpp.
#include "interpreter/draws.hpp"

#include <cmath>
#include <limits>

namespace utfall::draws {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// ln 2 = kLn2Hi + kLn2Lo, kLn2Hi with 32 significant bits, so k * kLn2Hi is exact for |k| < 2^21
// (fdlibm's split).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;
constexpr double kSqrt2Pi = 2.50662827463100050242;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kPi = 3.14159265358979323846;
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15;
// Acklam's rational approximation of Φ^-1, highest power first: q P(q²) / Q(q²) around 1/2,
// P(q) / Q(q) with q = √(-2 ln u) in the lower tail.
constexpr double kCentralNumerator[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                        1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
constexpr double kCentralDenominator[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                          6.680131188771972e+01,  -1.328068155288572e+01, 1};
constexpr double kTailNumerator[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                     -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
constexpr double kTailDenominator[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1};

std::uint64_t finalise(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

template <std::size_t N>
double horner(const double (&coefficients)[N], double x) {
  double p = coefficients[0];
  for (std::size_t i = 1; i < N; ++i) p = p * x + coefficients[i];
  return p;
}

// The standard normal density at a >= 0. a*a is rounded; its error `err` (Dekker's exact product,
// with Veltkamp's split of a) corrects exp(-a*a/2) to first order, which keeps the far tail of
// Φ accurate relative to its size. Beyond 40 the density is below the smallest double.
double density(double a) {
  if (a > 40) return 0;
  const double c = 134217729.0 * a;  // 2^27 + 1
  const double hi = c - (c - a), lo = a - hi;
  const double square = a * a;
  const double err = ((hi * hi - square) + 2 * hi * lo) + lo * lo;
  return exp(-square / 2) * (1 - err / 2) * kInvSqrt2Pi;
}

// sin x for |x| <= π/6, by its Taylor series to x^17.
double sin_small(double x) {
  const double x2 = x * x;
  double t = 0;
  for (int k = 8; k >= 1; --k) t = (1 - t) * x2 / ((2 * k) * (2 * k + 1));
  return x * (1 - t);
}

}  // namespace

std::uint64_t bits(std::uint64_t seed, std::uint64_t run, std::uint64_t stream) {
  std::uint64_t h = finalise(seed + kGolden);
  h = finalise(h ^ (run + kGolden));
  return finalise(h ^ (stream + kGolden));
}

double uniform01(std::uint64_t bits) { return (static_cast<double>(bits >> 12) + 0.5) / 4503599627370496.0; }

// x = m 2^e with m in [√½, √2); ln m = 2 atanh s with s = (m-1)/(m+1), |s| < 0.172, whose odd
// series needs 13 terms.
double log(double x) {
  if (x == 0) return -kInf;
  if (!(x > 0 && x < kInf)) return x > 0 ? x : kNaN;
  int e = 0;
  double m = std::frexp(x, &e);
  if (m < kSqrtHalf) {
    m *= 2;
    --e;
  }
  const double f = m - 1;
  const double s = f / (2 + f), s2 = s * s;
  double t = 0;
  for (int k = 12; k >= 1; --k) t = (t + 1.0 / (2 * k + 1)) * s2;
  return e * kLn2Hi + (e * kLn2Lo + (2 * s + 2 * s * t));
}

// e^x = 2^k e^r with k the nearest integer to x / ln 2, |r| <= ln 2 / 2; e^r by its Taylor series
// to r^14, in Horner's form.
double exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.8) return kInf;
  if (x < -745.2) return 0;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = 1;
  for (int i = 14; i >= 1; --i) p = 1 + r / i * p;
  return std::ldexp(p, static_cast<int>(k));
}

// Below |z| = 2: Φ(z) = 1/2 ± φ(z) (|z| + |z|^3/3 + |z|^5/(3·5) + ...), all terms positive.
// From 2 on: the upper tail φ(a) / (a + 1/(a + 2/(a + 3/(a + ...)))) (Laplace's continued
// fraction), evaluated from the 8 + 400/a² th level, which the measured convergence needs.
double normal_cdf(double z) {
  if (std::isnan(z)) return z;
  const double a = std::fabs(z);
  if (a < 2) {
    const double a2 = a * a;
    double sum = 0, term = a, n = 1;
    do {
      sum += term;
      n += 2;
      term = term * a2 / n;
    } while (term > sum * 1e-17);
    const double half = density(a) * sum;
    return z >= 0 ? 0.5 + half : 0.5 - half;
  }
  double f = a;
  for (int k = 8 + static_cast<int>(400 / (a * a)); k >= 1; --k) f = a + k / f;
  const double tail = density(a) / f;
  return z > 0 ? 1 - tail : tail;
}

// Acklam's rational approximation (relative error 1.15e-9) for u <= 1/2, then one Halley step
// on Φ(x) - u, which leaves only the error of Φ. Above 1/2, -Φ^-1(1 - u), 1 - u being exact there.
double normal_quantile(double u) {
  if (!(u > 0 && u < 1)) return u == 0 ? -kInf : u == 1 ? kInf : kNaN;
  if (u > 0.5) return -normal_quantile(1 - u);
  double x = 0;
  if (u < 0.02425) {
    const double q = std::sqrt(-2 * log(u));
    x = horner(kTailNumerator, q) / horner(kTailDenominator, q);
  } else {
    const double q = u - 0.5, r = q * q;
    x = horner(kCentralNumerator, r) * q / horner(kCentralDenominator, r);
  }
  // Below u ≈ 1e-312 the step's factors leave the range of doubles: Acklam's value stands.
  const double h = (normal_cdf(x) - u) * kSqrt2Pi * exp(x * x / 2);
  return std::isfinite(h) ? x - h / (1 + x * h / 2) : x;
}

double copula_pearson(double spearman) { return 2 * sin_small(kPi / 6 * spearman); }

std::optional<std::vector<double>> cholesky(const std::vector<double>& matrix, std::size_t n) {
  std::vector<double> l(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = matrix[i * n + j];
      for (std::size_t k = 0; k < j; ++k) sum -= l[i * n + k] * l[j * n + k];
      if (i > j) {
        l[i * n + j] = sum / l[j * n + j];
      } else if (sum > 0) {
        l[i * n + i] = std::sqrt(sum);
      } else {
        return std::nullopt;
      }
    }
  }
  return l;
}

}  // namespace utfall::draws
