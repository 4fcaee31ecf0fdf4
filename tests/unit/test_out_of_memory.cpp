// What running out of memory leaves in the evaluator's own state, beyond what the API's test of
// it reaches (tests/api/test_batch.cpp): a Workspace's cache of the last contract's fixed-point
// program, which the API's sessions do not use but the evaluator's other callers may, with
// one Workspace for several contracts. Each allocation is made to fail in turn with
// tests/tools/allocation_counter.hpp, which this file brings into the unit tests' program.
#include <catch2/catch.hpp>

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "interpreter/evaluate.hpp"
#include "tests/tools/compiled.hpp"

// Allocation counting, except under AddressSanitizer, which owns operator new.
#if !defined(__SANITIZE_ADDRESS__)
#define UTFALL_COUNT_ALLOCATIONS 1
#include "tests/tools/allocation_counter.hpp"
#endif

namespace utfall {
namespace {

// A contract of one input and two payments; `price` sets what they pay for each placement.
std::shared_ptr<const checked::Contract> priced(const std::string& price) {
  return test_support::compiled_text(R"(contract "Pris"
currency SEK
party kommun "Kommunen"
party utforare "Utföraren"
unit placement plural placements
periods yearly 2025 .. 2027
input nya : placements per period
term baslinje = 50 placements
term pris = )" + price + R"( SEK per placement
clause "1" "Ersättning" {
  pay ersattning: kommun -> utforare
    amount pris * max(baslinje - nya, 0 placements)
}
)");
}

Dataset placements(const checked::Contract& c) {
  Dataset d;
  d.series.resize(c.inputs.size());
  d.participants.resize(c.inputs.size());
  for (std::int64_t n : {40, 30, 45}) d.series[0].push_back(checked::Value{Number::from_int(n)});
  return d;
}

std::vector<std::string> amounts(const Evaluation& e) {
  std::vector<std::string> out{e.ok ? "ok" : "failed"};
  for (const auto& l : e.lines) out.push_back(l.amount.to_string());
  return out;
}

}  // namespace

// A Workspace evaluates one contract (lowered, its program kept), then another, each of whose
// allocations fails in turn. After each failure the second contract's evaluations pay its own
// amounts, by its own program: before, a failure while lowering it left the cache naming it
// with the first contract's program, whose amounts it then paid.
TEST_CASE("a Workspace that ran out of memory lowering a contract runs that contract's program after", "[fast][oom]") {
#if defined(UTFALL_COUNT_ALLOCATIONS)
  const auto first = priced("500_000"), second = priced("400_000");
  const Dataset first_data = placements(*first), second_data = placements(*second);
  // By hand: 10, 20 and 5 placements avoided at 400 000 SEK.
  const std::vector<std::string> expected{"ok", "4000000", "8000000", "2000000"};
  std::int64_t failures = 0;
  for (std::int64_t k = 0;; ++k) {  // until the evaluation makes no k-th allocation
    INFO("allocation " << k << " fails");
    Workspace workspace;
    Evaluation out;
    for (int i = 0; i < 2; ++i) {
      evaluate(*first, first_data, EvalOptions{}, workspace, out);
      REQUIRE(out.fast);  // lowered, and its program kept
    }
    const auto [thrown, failed] = allocation_counter::failing(k, [&] { evaluate(*second, second_data, EvalOptions{}, workspace, out); });
    REQUIRE(thrown == failed);
    for (int i = 0; i < 2; ++i) {
      evaluate(*second, second_data, EvalOptions{}, workspace, out);
      REQUIRE(amounts(out) == expected);
      REQUIRE(out.fast);
    }
    if (!failed) break;
    ++failures;
  }
  CHECK(failures > 20);
#else
  WARN("not counted under AddressSanitizer, which replaces operator new itself");
#endif
}

}  // namespace utfall
