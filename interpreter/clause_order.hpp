// The order of a result's lines within a period: by clause, and within a clause its payments
// before its waterfalls, each in the order written. The evaluator (evaluate.cpp) and the
// fixed-point path (fast_data.cpp) both emit lines in this order.
#pragma once

#include <algorithm>
#include <cstddef>

#include "interpreter/checked.hpp"

namespace utfall {

// Calls `pay(p)` for each payment and `fall(w)` for each waterfall, in that order; a rule of no
// clause of the contract is skipped. The checker adds rules clause by clause, so both lists are
// sorted by clause and one pass over each suffices (linear in the rules: a contract of 10 000
// clauses would otherwise cost clauses × rules); a contract built some other way is read clause
// by clause.
template <class Pay, class Fall>
void in_clause_order(const checked::Contract& c, Pay&& pay, Fall&& fall) {
  const int clauses = static_cast<int>(c.clauses.size());
  auto by_clause = [](const auto& a, const auto& b) { return a.clause < b.clause; };
  if (std::is_sorted(c.payments.begin(), c.payments.end(), by_clause) &&
      std::is_sorted(c.waterfalls.begin(), c.waterfalls.end(), by_clause)) {
    std::size_t p = 0, w = 0;
    while (p < c.payments.size() && c.payments[p].clause < 0) ++p;
    while (w < c.waterfalls.size() && c.waterfalls[w].clause < 0) ++w;
    for (int ci = 0; ci < clauses; ++ci) {
      for (; p < c.payments.size() && c.payments[p].clause == ci; ++p) pay(static_cast<int>(p));
      for (; w < c.waterfalls.size() && c.waterfalls[w].clause == ci; ++w) fall(static_cast<int>(w));
    }
    return;
  }
  for (int ci = 0; ci < clauses; ++ci) {
    for (std::size_t p = 0; p < c.payments.size(); ++p)
      if (c.payments[p].clause == ci) pay(static_cast<int>(p));
    for (std::size_t w = 0; w < c.waterfalls.size(); ++w)
      if (c.waterfalls[w].clause == ci) fall(static_cast<int>(w));
  }
}

}  // namespace utfall
