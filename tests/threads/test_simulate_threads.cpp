// `utfall simulate` on many threads (interpreter/simulate.hpp): the same runs as on one, amount
// for amount, with every kind of draw, a correlation, the caps counted and a party's returns.
// Built apart from the unit tests so that the ThreadSanitizer build (.ci/test) runs it too.
#include <catch2/catch.hpp>

#include "interpreter/pipeline.hpp"
#include "interpreter/simulate.hpp"

using namespace utfall;

namespace {

int index_of(const auto& items, const std::string& name) {
  for (std::size_t k = 0; k < items.size(); ++k)
    if (items[k].name == name) return static_cast<int>(k);
  FAIL("no " << name);
  return -1;
}

Draw draw(const checked::Contract& c, Draw::Target target, const std::string& name, Distribution::Kind kind,
          std::vector<std::string> parameters, const std::string& step, int period = -1) {
  Draw d;
  d.name = name;
  d.target = target;
  d.index = target == Draw::Target::term ? index_of(c.terms, name) : index_of(c.inputs, name);
  d.period = period;
  d.distribution.kind = kind;
  for (const auto& p : parameters) d.distribution.parameters.push_back(*Number::parse_decimal(p));
  d.distribution.step = *Number::parse_decimal(step);
  return d;
}

}  // namespace

TEST_CASE("a simulation gives the same runs on 1, 2 and 5 threads") {
  const std::string dir = std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/";
  auto compiled = compile_file(dir + "contract.utfall");
  REQUIRE(compiled.contract);
  const auto& c = *compiled.contract;
  auto bound = load_data(c, {dir + "plan.csv"});
  REQUIRE(bound.data);
  using K = Distribution::Kind;
  using T = Draw::Target;
  SimulationSpec spec;
  spec.draws = {draw(c, T::term, "premieandel", K::uniform, {"0.2", "0.5"}, "0.0001"),
                draw(c, T::series, "hemtjanst_kostnad", K::normal, {"175000000", "15000000"}, "0.01"),
                draw(c, T::scale, "avropat", K::triangular, {"0.8", "1", "1.3"}, "0.001"),
                draw(c, T::cell, "avropat", K::lognormal, {"15", "0.1"}, "1", 1)};
  spec.draws[1].target = T::series;
  spec.correlations = {{0, 2, 0.5}};
  spec.runs = 3000;
  spec.seed = 20261201;
  spec.limits = true;
  spec.party = 1;  // utfallsfonden
  REQUIRE(c.parties[1].id == "utfallsfonden");
  // scale(avropat) and avropat@2026 both touch 2026: the cell draw comes after and wins there.
  std::vector<SimulationResult> results;
  for (unsigned threads : {1u, 2u, 5u}) {
    spec.threads = threads;
    std::string error;
    auto r = simulate(c, *bound.data, {}, spec, error);
    REQUIRE(r);
    results.push_back(std::move(*r));
  }
  const auto& one = results.front();
  REQUIRE(one.failed < spec.runs);
  for (const auto& r : results) {
    CHECK(r.amounts == one.amounts);
    CHECK(r.nets == one.nets);
    CHECK(r.ok == one.ok);
    CHECK(r.failed == one.failed);
    CHECK(r.multiples == one.multiples);
    CHECK(r.irrs == one.irrs);
    REQUIRE(r.limits.size() == one.limits.size());
    for (std::size_t k = 0; k < r.limits.size(); ++k) CHECK(r.limits[k].runs == one.limits[k].runs);
  }
  // The premium's cap binds in some runs and not in others: the draws reach both sides.
  REQUIRE_FALSE(one.limits.empty());
  CHECK(one.limits.front().runs > 0);
  CHECK(one.limits.front().runs < spec.runs);
}
