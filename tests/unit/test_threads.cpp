// One checked contract evaluated from several threads at once gives, in every thread and every
// round, exactly the payments of a single evaluation (checked.hpp promises the contract is
// only read; evaluate.hpp that evaluation is a pure function). Under build-asan this also
// runs with AddressSanitizer. The reference is the evaluation on this thread before any other
// starts; its own numbers are checked against the scenario tables by test_scenarios.py.
#include <catch2/catch.hpp>

#include <thread>

#include "interpreter/pipeline.hpp"

using namespace utfall;

namespace {

std::string describe(const Evaluation& ev) {
  std::string out;
  for (const auto& l : ev.lines)
    out += std::to_string(l.period) + " " + std::to_string(l.payer) + "->" + std::to_string(l.payee) + " " +
           l.amount.to_fraction_string() + " " + std::to_string(l.clause) + " " + l.rule + "\n";
  return out;
}

}  // namespace

TEST_CASE("evaluation from several threads gives the payments of one evaluation", "[determinism]") {
  for (const char* name : {"a-aldreomsorg/contract.utfall|a-aldreomsorg/plan.csv", "c-tfco/contract.utfall|c-tfco/data.csv",
                           "b-placeringar/contract.utfall|b-placeringar/plan.csv"}) {
    std::string spec = name;
    auto bar = spec.find('|');
    std::string dir = std::string(UTFALL_SOURCE_DIR) + "/examples/";
    auto compiled = compile_file(dir + spec.substr(0, bar));
    REQUIRE(compiled.contract);
    auto bound = load_data(*compiled.contract, {dir + spec.substr(bar + 1)});
    REQUIRE(bound.data);
    auto reference = evaluate(*compiled.contract, *bound.data);
    REQUIRE(reference.ok);
    REQUIRE(!reference.lines.empty());
    const std::string expected = describe(reference);

    constexpr int threads = 4, rounds = 25;
    std::vector<std::string> mismatches(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (int r = 0; r < rounds; ++r) {
          auto ev = evaluate(*compiled.contract, *bound.data);
          if (!ev.ok || describe(ev) != expected) mismatches[t] = describe(ev);
        }
      });
    for (auto& th : pool) th.join();
    INFO(spec);
    for (const auto& m : mismatches) CHECK(m.empty());
  }
}
