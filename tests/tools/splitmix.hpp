// Deterministic generated data for tests and benchmarks: splitmix64, the same numbers on every
// run and every machine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace utfall::test_support {

struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in lo .. hi (inclusive) for test data.
  std::int64_t range(std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  // An index below n (0 when n is 0), and true num times in den.
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool chance(unsigned num, unsigned den) { return next() % den < num; }
};

}  // namespace utfall::test_support
