// in_clause_order (interpreter/clause_order.hpp): the order of a period's lines, by clause, a
// clause's payments before its waterfalls. Expected orders written by hand.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "interpreter/clause_order.hpp"

namespace {

using namespace utfall;

checked::Contract with_rules(int clauses, const std::vector<int>& payment_clauses, const std::vector<int>& waterfall_clauses) {
  checked::Contract c;
  c.clauses.resize(static_cast<std::size_t>(clauses));
  for (int clause : payment_clauses) {
    checked::Payment p;
    p.clause = clause;
    c.payments.push_back(std::move(p));
  }
  for (int clause : waterfall_clauses) {
    checked::Waterfall w;
    w.clause = clause;
    c.waterfalls.push_back(std::move(w));
  }
  return c;
}

// "p0 w1 ...": each rule visited, in order.
std::string order(const checked::Contract& c) {
  std::string out;
  in_clause_order(
      c, [&](int p) { out += (out.empty() ? "p" : " p") + std::to_string(p); },
      [&](int w) { out += (out.empty() ? "w" : " w") + std::to_string(w); });
  return out;
}

}  // namespace

TEST_CASE("rules in clause order, as the checker adds them (sorted by clause)", "[clause_order]") {
  // Clause 0: p0 p1, w0; clause 1: nothing; clause 2: p2, w1 w2.
  CHECK(order(with_rules(3, {0, 0, 2}, {0, 2, 2})) == "p0 p1 w0 p2 w1 w2");
  CHECK(order(with_rules(2, {}, {1})) == "w0");
  CHECK(order(with_rules(2, {1}, {})) == "p0");
  CHECK(order(with_rules(0, {}, {})).empty());
  // A rule of no clause (-1, or past the last) is skipped.
  CHECK(order(with_rules(2, {-1, 0, 1, 2}, {-1, 1, 5})) == "p1 p2 w1");
}

TEST_CASE("rules in clause order when the lists are not sorted by clause", "[clause_order]") {
  // Payments of clauses 2, 0, 1, 0; waterfalls of clauses 1, 0, -1.
  CHECK(order(with_rules(3, {2, 0, 1, 0}, {1, 0, -1})) == "p1 p3 w1 p2 w0 p0");
  // Sorted payments with unsorted waterfalls take the same path, with the same answer.
  CHECK(order(with_rules(3, {0, 1, 2}, {2, 0})) == "p0 w1 p1 p2 w0");
}
