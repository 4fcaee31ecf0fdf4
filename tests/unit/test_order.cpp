// Typing and evaluation do not depend on the order of the contract's text (docs/language.md
// §3: "Order does not matter"). Each contract is parsed once, then checked and evaluated with
// its clauses, the items of each clause, its terms, inputs and parties shuffled (30 orders
// each, fixed seed): every order must check, and pay exactly the lines of the written order
// (compared by period, payer, payee, amount, clause number and rule, as a multiset). An
// ill-typed contract gives the same error codes in every order. The reference is the written
// order's own evaluation; its amounts are checked elsewhere against the scenario tables
// (test_scenarios.py) and hand computations (tests/regressions/).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "interpreter/pipeline.hpp"

using namespace utfall;
namespace fs = std::filesystem;

namespace {

using Line = std::tuple<int, std::string, std::string, std::string, std::string, std::string>;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::multiset<Line> lines(const checked::Contract& c, const Evaluation& ev) {
  std::multiset<Line> out;
  for (const auto& l : ev.lines)
    out.insert({l.period, c.parties[l.payer].id, c.parties[l.payee].id, l.amount.to_fraction_string(), c.clauses[l.clause].number,
                l.rule});
  return out;
}

void shuffle(ast::Contract& a, std::mt19937& rng) {
  std::shuffle(a.clauses.begin(), a.clauses.end(), rng);
  for (auto& cl : a.clauses) std::shuffle(cl.items.begin(), cl.items.end(), rng);
  std::shuffle(a.terms.begin(), a.terms.end(), rng);
  std::shuffle(a.inputs.begin(), a.inputs.end(), rng);
  std::shuffle(a.parties.begin(), a.parties.end(), rng);
  std::shuffle(a.units.begin(), a.units.end(), rng);
}

std::set<std::string> codes(const Diagnostics& d) {
  std::set<std::string> out;
  for (const auto& x : d)
    if (x.severity == Severity::error) out.insert(x.code);
  return out;
}

std::vector<fs::path> contracts() {
  fs::path src = UTFALL_SOURCE_DIR;
  std::vector<fs::path> out;
  for (const auto& dir : {src / "examples", src / "tests" / "regressions" / "checker"})
    for (const auto& e : fs::directory_iterator(dir))
      if (fs::exists(e.path() / "contract.utfall")) out.push_back(e.path() / "contract.utfall");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("order: every order of clauses, items, terms, inputs and parties pays the same lines", "[order]") {
  auto paths = contracts();
  REQUIRE(paths.size() >= 7);
  std::mt19937 rng(20261130);
  std::size_t compared = 0;
  for (const auto& path : paths) {
    auto source = std::make_shared<const Source>(Source{path.string(), read(path)});
    auto written = compile(source);
    REQUIRE(written.contract);
    REQUIRE_FALSE(written.contract->examples.empty());
    std::vector<std::string> data;
    for (const auto& f : written.contract->examples.front().data_files) data.push_back((path.parent_path() / f.text).string());
    auto bound = load_data(*written.contract, data);
    REQUIRE(bound.data);
    auto reference = evaluate(*written.contract, *bound.data, {});
    REQUIRE(reference.ok);
    auto want = lines(*written.contract, reference);
    REQUIRE_FALSE(want.empty());
    for (int k = 0; k < 30; ++k) {
      auto parsed = parse_contract(source);
      REQUIRE(parsed.contract);
      shuffle(*parsed.contract, rng);
      auto checked = check(*parsed.contract);
      INFO(path.string() << ", order " << k);
      REQUIRE(checked.contract);
      auto rebound = load_data(*checked.contract, data);
      REQUIRE(rebound.data);
      auto ev = evaluate(*checked.contract, *rebound.data, {});
      REQUIRE(ev.ok);
      CHECK(lines(*checked.contract, ev) == want);
      ++compared;
    }
  }
  CHECK(compared == paths.size() * 30);
}

TEST_CASE("order: an ill-typed contract gives the same errors in every order", "[order]") {
  // A count of events paid as money, after a `for each` (the checker once accepted it).
  const char* text = R"(contract "x"
currency SEK
party kommun "K"
party fonden "F"
unit event plural events
periods yearly 2025 .. 2026
input cohorts : participants { id : text, n_events : events }
term pris = 100 SEK per event
clause "1" {
  for each c in cohorts {
    let fee = c.n_events * pris
  }
  let total_events = sum(c.n_events for c in cohorts)
}
clause "2" {
  pay kommun -> fonden amount total_events
  let a = b + 1 SEK
  let b = a
}
)";
  auto source = std::make_shared<const Source>(Source{"x.utfall", text});
  std::mt19937 rng(7);
  for (int k = 0; k < 30; ++k) {
    auto parsed = parse_contract(source);
    REQUIRE(parsed.contract);
    if (k > 0) shuffle(*parsed.contract, rng);
    auto checked = check(*parsed.contract);
    INFO("order " << k);
    CHECK_FALSE(checked.contract);
    CHECK(codes(checked.diagnostics) == std::set<std::string>{"E210", "E303"});
  }
}
