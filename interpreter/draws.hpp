// Draws: the random numbers of `utfall simulate` (Monte Carlo), the same bits everywhere.
//
// A run's draws are a pure function of (seed, run, stream): a counter-based generator, so run i
// draws the same numbers whichever thread evaluates it and however many runs there are. Turning
// bits into a normal variate or a copula correlation uses only IEEE basic operations (+ - * /
// sqrt, each correctly rounded) and frexp/ldexp/floor, which are exact: never libm's log, exp,
// erf or sin, whose last bits differ between libm versions. draws.cpp is built with
// -ffp-contract=off, so no compiler fuses a multiply and an add either. Hence one seed gives the
// same simulation on every x86-64 machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace utfall::draws {

// The 64 random bits of stream `stream` of run `run` under `seed`: SplitMix64's finaliser
// applied to each counter in turn, h = f(seed + G), h = f(h ^ (run + G)), bits = f(h ^ (stream +
// G)) with G = 0x9E3779B97F4A7C15. Each step is a bijection, so two draws that differ in one
// counter only never have the same bits.
std::uint64_t bits(std::uint64_t seed, std::uint64_t run, std::uint64_t stream);

// A uniform in the open interval (0, 1) from the top 52 of the bits: (k + 0.5) / 2^52, exact, so
// u and 1 - u are both representable and the smallest value is 2^-53. (With 53 bits the top value
// would round to 1.)
double uniform01(std::uint64_t bits);

// The natural logarithm, relative error < 1e-15; -inf at 0, NaN below.
double log(double x);
// e^x, relative error < 1e-15 where the result is a normal number; inf above 709.8, 0 below
// -745.2.
double exp(double x);

// The standard normal distribution function Φ(z): absolute error < 1e-15, and for z <= -2 a
// relative error < 1e-15 down to the smallest normal result (z ≈ -37.5).
double normal_cdf(double z);
// Φ^-1(u) for u in (0, 1), absolute error < 1e-13 for u in [1e-300, 1 - 2^-53]; -inf at 0, inf at
// 1. Odd about 1/2: normal_quantile(1 - u) == -normal_quantile(u) when 1 - u is exact.
double normal_quantile(double u);

// The Pearson correlation of a Gaussian copula with Spearman rank correlation `spearman` in
// [-1, 1]: 2 sin(π ρ / 6). Odd, 0 at 0, within 1e-15 of ±1 at ±1 (and never beyond).
double copula_pearson(double spearman);

// The Cholesky factor L (lower triangular, row-major n*n, L L^T = matrix) of a symmetric
// correlation matrix (row-major n*n; only its lower triangle is read). std::nullopt when the
// matrix is not positive definite (a pivot <= 0): the correlations asked for are impossible
// together, or leave some variable no noise of its own (a correlation of exactly ±1).
std::optional<std::vector<double>> cholesky(const std::vector<double>& matrix, std::size_t n);

}  // namespace utfall::draws
