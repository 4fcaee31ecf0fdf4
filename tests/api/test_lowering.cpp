// When a compiled contract is lowered to the fixed-point program: not for its first evaluation
// (a contract compiled, evaluated once and dropped never is), from its second on. Unlike the
// other API tests this one looks inside the contract's handle (api/internal.hpp), for that flag
// alone (the test cannot lower a contract itself: the core is hidden inside the shared
// library); the payments are the scenario table's, worked out apart from the code.
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include "api/internal.hpp"
#include "scenario_a.hpp"

using namespace api_test;

TEST_CASE("lowering: a contract is lowered at its second evaluation and pays the same on both paths") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  CHECK_FALSE(contract.impl().lowered());
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kMessy))) == kMessyPaid);  // the tree walk
  CHECK_FALSE(contract.impl().lowered());
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kMessy))) == kMessyPaid);  // the fixed-point program
  CHECK(contract.impl().lowered());
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kFail))) == kFailPaid);
}

TEST_CASE("lowering: a Session's first evaluation is not lowered and its next ones are") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  auto bound = engine.bind(contract, scenario_a(kPlan));
  REQUIRE(bound.data);
  utfall::Session session(engine, contract);
  CHECK(paid_a(session.evaluate(*bound.data)) == kPlanPaid);
  CHECK_FALSE(contract.impl().lowered());
  for (int k = 0; k < 3; ++k) CHECK(paid_a(session.evaluate(*bound.data)) == kPlanPaid);
  CHECK(contract.impl().lowered());
}

TEST_CASE("lowering: a Batch lowers the contract at once and a Session then pays the same") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  utfall::Batch batch(engine, contract);
  CHECK(contract.impl().lowered());  // a Batch runs on the program alone
  utfall::Session session(engine, contract);
  auto bound = engine.bind(contract, scenario_a(kPlan));
  REQUIRE(bound.data);
  CHECK(paid_a(session.evaluate(*bound.data)) == kPlanPaid);
}
