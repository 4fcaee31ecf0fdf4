// The bounds analysis (interpreter/bounds.hpp) and the witness search (bounds_witness.hpp) keep
// to the evaluator's limits (docs/language.md §25), so that `utfall bounds` answers a hostile
// contract in bounded time and memory: an end past the digit limit is given up (the interval
// stays sound), more steps or arithmetic than one evaluation stops with E705 or E711 at an
// expression, and the searches of one command share the steps and work of one evaluation.
// Expected values come from the recurrences written out in each test, not from the analysis.
#include <catch2/catch.hpp>

#include <string>

#include "interpreter/bounds.hpp"
#include "interpreter/bounds_witness.hpp"
#include "tests/tools/compiled.hpp"

namespace utfall {
namespace {

std::string header(const std::string& periods) {
  return "contract \"t\"\ncurrency SEK\nparty a\nparty b\nperiods " + periods + "\n";
}

// s(t) = s(t-1)^2 * x with s before the first period 2 and x at most 3: its largest value is
// h(t) = h(t-1)^2 * 3, h(-1) = 2, which has about 2^t digits.
const char* kSquaring = R"(input x : number per period between 2 and 3
clause "1" {
  let s = previous(s, 2) * previous(s, 2) * x
  pay q: a -> b amount round(s * 1 SEK, 0.01 SEK, half_up)
}
)";

}  // namespace

TEST_CASE("an end of a bound past the digit limit is unbounded, and the ends before it are exact", "[bounds]") {
  auto c = test_support::compiled_text(header("yearly 2001 .. 2100") + kSquaring);
  BoundsOptions options;
  options.limits.max_digits = 60;
  const Bounds b = payment_bounds(*c, options);
  REQUIRE(b.ok);
  REQUIRE(b.flows.size() == 1);
  const auto& f = b.flows[0];
  REQUIRE(f.per_period.size() == 100);
  Number h = Number::from_int(2);
  bool past = false;  // h past the limit: it is not computed further (its digits double each period)
  int finite = 0;
  for (int t = 0; t < 100; ++t) {
    if (!past) h = h * h * Number::from_int(3), past = h.decimal_digits() > 60;
    const auto& hi = f.per_period[static_cast<std::size_t>(t)].hi;
    if (!past) {
      INFO("period " << t);
      REQUIRE(hi);
      CHECK(*hi == h);
      ++finite;
    } else {
      CHECK_FALSE(hi);
      CHECK(f.per_period[static_cast<std::size_t>(t)].why_hi.find("grows past 60 digits") != std::string::npos);
    }
  }
  CHECK(finite == 6);  // of 2, 3, 6, 12, 25 and 50 digits; the seventh has 100
  CHECK_FALSE(f.total.hi);
}

TEST_CASE("the bounds stop with E705 at an expression after as many steps as one evaluation may take", "[bounds]") {
  // 1 000 periods of a sum of 40 inputs: more than 40 000 expressions read in all.
  std::string sum = "x";
  for (int i = 1; i < 40; ++i) sum += " + x";
  auto c = test_support::compiled_text(header("yearly 2001 .. 3000") + "input x : SEK per period between 0 SEK and 10 SEK\n" +
                                       "clause \"1\" { pay q: a -> b amount " + sum + " }\n");
  BoundsOptions options;
  options.limits.max_steps = 40'000;
  Bounds b = payment_bounds(*c, options);
  REQUIRE_FALSE(b.ok);
  REQUIRE(b.diagnostics.size() == 1);
  CHECK(b.diagnostics[0].code == "E705");
  REQUIRE(b.diagnostics[0].range);
  CHECK(b.diagnostics[0].range->begin.line == 7);  // the payment's amount
  options.limits.max_steps = 200'000;               // 1 000 periods * (79 + a few) expressions
  b = payment_bounds(*c, options);
  REQUIRE(b.ok);
  CHECK(b.flows[0].total.hi == Number::from_int(1000 * 40 * 10));
}

TEST_CASE("the bounds stop with E711 when their exact arithmetic passes the limit on work", "[bounds]") {
  // A value of 40 digits (10^39: three 64-bit words) in every one of 1 000 periods.
  auto c = test_support::compiled_text(header("yearly 2001 .. 3000") + "input x : SEK per period between 0 SEK and 10 SEK\n" +
                                       "term big = 1" + std::string(39, '0') + "\n" +
                                       "clause \"1\" { pay q: a -> b amount x * big }\n");
  BoundsOptions options;
  options.limits.max_work = 10'000;
  const Bounds b = payment_bounds(*c, options);
  REQUIRE_FALSE(b.ok);
  REQUIRE(b.diagnostics.size() == 1);
  CHECK(b.diagnostics[0].code == "E711");
  CHECK(b.diagnostics[0].range);
  options.limits = EvalLimits{};
  const Bounds whole = payment_bounds(*c, options);
  REQUIRE(whole.ok);
  CHECK(whole.flows[0].total.hi == Number::power_of_ten(43));  // 1 000 periods * 10 SEK * 10^39
}

TEST_CASE("a path from an unbounded input names its first twelve steps, then an ellipsis", "[bounds]") {
  std::string defs = "  let d0 = x\n";
  for (int i = 1; i < 30; ++i) defs += "  let d" + std::to_string(i) + " = d" + std::to_string(i - 1) + " + x\n";
  auto c = test_support::compiled_text(header("yearly 2001 .. 2003") + "input x : SEK per period\nclause \"1\" {\n" + defs +
                                       "  pay q: a -> b amount d29\n}\n");
  const Bounds b = payment_bounds(*c, BoundsOptions{});
  REQUIRE(b.ok);
  std::string path = "`x` has no upper bound";
  for (int i = 0; i < 12; ++i) path += " -> `d" + std::to_string(i) + "` (clause 1)";
  path += " -> …";
  CHECK_FALSE(b.flows[0].total.hi);
  CHECK(b.flows[0].total.why_hi == path);
  CHECK(b.flows[0].per_period[2].why_hi == path);
}

TEST_CASE("the values the bounds keep for later periods are counted against a limit (E713)", "[bounds]") {
  // 100 definitions over 1 000 periods keep 100 000 values: far more than 1 MiB of them.
  std::string defs = "  let d0 = x\n";
  for (int i = 1; i < 100; ++i) defs += "  let d" + std::to_string(i) + " = d" + std::to_string(i - 1) + " + x\n";
  auto c = test_support::compiled_text(header("yearly 2001 .. 3000") + "input x : SEK per period between 0 SEK and 1 SEK\n" +
                                       "clause \"1\" {\n" + defs + "  pay q: a -> b amount d99\n}\n");
  BoundsOptions options;
  options.max_kept_bytes = 1 << 20;
  Bounds b = payment_bounds(*c, options);
  REQUIRE_FALSE(b.ok);
  REQUIRE(b.diagnostics.size() == 1);
  CHECK(b.diagnostics[0].code == "E713");
  CHECK(b.diagnostics[0].range);
  b = payment_bounds(*c, BoundsOptions{});  // about 30 MiB
  REQUIRE(b.ok);
  CHECK(b.flows[0].total.hi == Number::from_int(1000 * 100));  // d99 is 100 times x, at most 1 SEK
}

TEST_CASE("the witness searches of one command share the steps of one evaluation", "[bounds]") {
  // x - x is 0 on every data set, but the intervals make it up to 10 a period: the bound is not
  // reached, so the search runs until a budget stops it.
  auto c = test_support::compiled_text(header("yearly 2001 .. 2100") + "input x : SEK per period between 0 SEK and 10 SEK\n" +
                                       "clause \"1\" { pay q: a -> b amount x - x + 1 SEK }\n");
  const Bounds b = payment_bounds(*c, BoundsOptions{});
  REQUIRE(b.ok);
  REQUIRE(b.flows[0].total.hi == Number::from_int(100 * 11));
  EvalOptions eo;
  SearchBudget budget;
  budget.steps = 5'000;
  const WitnessGoal goal{WitnessGoal::What::total, true, b.flows[0].total.hi};
  const Found first = search_witness(*c, BoundsOptions{}, eo, b.flows[0], goal, budget);
  CHECK(first.stopped);
  CHECK(budget.steps == 0);
  REQUIRE(first.ok);  // each evaluation takes a few hundred steps: some ran before the budget ended
  CHECK(first.amount == Number::from_int(100));  // 1 SEK a period
  const Found second = search_witness(*c, BoundsOptions{}, eo, b.flows[0], goal, budget);
  CHECK_FALSE(second.ok);
  CHECK(second.stopped);
  // Given enough, the search ends by itself after its 4 000 evaluations, not by the budget.
  SearchBudget plenty;
  const Found whole = search_witness(*c, BoundsOptions{}, eo, b.flows[0], goal, plenty, 50);
  CHECK_FALSE(whole.stopped);
  CHECK(whole.amount == Number::from_int(100));
}

TEST_CASE("a witness search that reaches the bound stops there", "[bounds]") {
  auto c = test_support::compiled_text(header("yearly 2001 .. 2100") + "input x : SEK per period between 0 SEK and 10 SEK\n" +
                                       "clause \"1\" { pay q: a -> b amount x }\n");
  const Bounds b = payment_bounds(*c, BoundsOptions{});
  REQUIRE(b.ok);
  REQUIRE(b.flows[0].total.hi == Number::from_int(1000));
  EvalOptions eo;
  SearchBudget budget;
  const std::uint64_t before = budget.steps;
  const Found found = search_witness(*c, BoundsOptions{}, eo, b.flows[0], WitnessGoal{WitnessGoal::What::total, true, Number::from_int(1000)}, budget);
  REQUIRE(found.ok);
  CHECK(found.amount == Number::from_int(1000));
  // Two data sets: x at its lower end everywhere (0), then at its upper end (the bound).
  const std::uint64_t one = before - budget.steps;
  SearchBudget again;
  const Found unaimed = search_witness(*c, BoundsOptions{}, eo, b.flows[0], WitnessGoal{WitnessGoal::What::total, true, std::nullopt}, again);
  CHECK(unaimed.amount == Number::from_int(1000));
  CHECK(before - again.steps > 50 * one);  // without the bound it flips each of 100 periods, twice
}

}  // namespace utfall
