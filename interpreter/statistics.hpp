// Statistics of many exact amounts (`utfall simulate`): computed exactly from integer counts of
// a unit, and rounded once, at the end, half-even to the unit.
//
// - mean: the sum over the count (and that exactly, unrounded);
// - sd: the sample standard deviation (n - 1 in the denominator; 0 for one value): the square
//   root of an exact rational, rounded to the nearest unit (ties to even) by integer comparison;
// - percentile P (nearest rank): the smallest value with at least P % of the values at or below
//   it, the value at rank ceil(P / 100 * n), at least 1; min and max: the extreme values;
// - positive: how many values are above zero.
// No floating point: the same values give the same statistics on every machine, in any order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/number.hpp"

namespace utfall {

struct Summary {
  std::uint64_t count = 0;
  std::int64_t mean = 0;  // rounded half-even to the unit
  Number exact_mean;      // the sum over the count, exactly (a fraction where it must be)
  Number sd;              // rounded half-even to the unit (it may pass 2^63 where the values span all of int64)
  std::vector<std::int64_t> percentiles;  // one per percentile asked for
  std::int64_t min = 0, max = 0;
  std::uint64_t positive = 0;
};

// `values` is sorted in place. `percentiles` lie in [0, 100]. An empty `values` gives a
// Summary of count 0 (and zeros).
Summary summarize(std::vector<std::int64_t>& values, const std::vector<Number>& percentiles);

// A percentile as written (`--percentiles`, Simulation::flow_statistics): digits and a point, a
// number from 0 to 100; none otherwise.
std::optional<Number> read_percentile(const std::string& text);

// count / n as a decimal with `places` places, rounded half-even: "0.437000".
std::string share_text(std::uint64_t count, std::uint64_t n, int places = 6);

}  // namespace utfall
