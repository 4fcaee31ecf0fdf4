// Session and Engine::sweep (issue 7): a reused session gives what Engine::evaluate gives, and a
// sweep gives the same results on 1 and 3 threads, in the order of its cases.
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <thread>
#include <string>
#include <vector>

namespace {

const std::string kContract = std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/contract.utfall";

std::vector<std::string> amounts(const utfall::Result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.payments) out.push_back(p.period + " " + p.from + "->" + p.to + " " + p.amount);
  for (const auto& t : r.totals) out.push_back("total " + t.from + "->" + t.to + " " + t.amount);
  if (!r.ok) out.push_back("failed " + (r.messages.empty() ? std::string() : r.messages.front().code));
  return out;
}

// Cases of a contract: its data set with a term given `values` values, one a value the term
// refuses (a unit error) so that a failure is among them.
std::vector<utfall::Engine::Case> cases_of(const utfall::Engine& engine, const utfall::Contract& contract, const std::string& data_file,
                                          const std::string& term, const std::string& unit, int values) {
  utfall::Data data;
  data.files.push_back(data_file);
  auto bound = *engine.bind(contract, data).data;
  std::vector<utfall::Engine::Case> cases;
  for (int k = 0; k < values; ++k) {
    utfall::Options options;
    options.terms[term] = k == values / 2 ? "1 EUR" : std::to_string(1'000 * (k + 1)) + unit;
    cases.push_back({bound, options});
  }
  return cases;
}

// Every result of a sweep against Engine::evaluate of its case alone; the number that differ.
std::size_t differing(const utfall::Engine& engine, const utfall::Contract& contract, const std::vector<utfall::Engine::Case>& cases,
                      const std::vector<utfall::Result>& results) {
  std::size_t bad = results.size() == cases.size() ? 0 : 1;
  for (std::size_t i = 0; i < cases.size() && i < results.size(); ++i)
    bad += amounts(results[i]) != amounts(engine.evaluate(contract, cases[i].data, cases[i].options));
  return bad;
}

}  // namespace

TEST_CASE("a reused Session gives what Engine::evaluate gives, data set after data set") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(kContract).contract;
  utfall::Session session(engine, contract);
  for (const char* set : {"plan", "messy", "fail", "plan"}) {
    utfall::Data data;
    data.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/" + set + ".csv");
    auto bound = *engine.bind(contract, data).data;
    for (bool trace : {false, true}) {
      utfall::Options options;
      options.trace = trace;
      const auto& r = session.evaluate(bound, options);
      auto e = engine.evaluate(contract, bound, options);
      CHECK(amounts(r) == amounts(e));
      CHECK(r.traces.size() == e.traces.size());
    }
  }
  SECTION("the messy set's 2027 payment, half to even") {
    utfall::Data data;
    data.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/messy.csv");
    const auto& r = session.evaluate(*engine.bind(contract, data).data);
    REQUIRE(r.ok);
    CHECK(r.payments.at(0).period == "2027");
    CHECK(r.payments.at(0).amount == "25616666.68");
  }
}

TEST_CASE("Engine::sweep: results in case order, the same on 1 and 3 threads, as Engine::evaluate") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(kContract).contract;
  std::vector<utfall::Engine::Case> cases;
  for (const char* set : {"plan", "messy", "fail"}) {
    utfall::Data data;
    data.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/" + set + ".csv");
    auto bound = *engine.bind(contract, data).data;
    // More cases than a block (256) in all; now and then a trace, a cap given `unlimited`, or
    // a value with three decimals.
    for (int percent = 0; percent <= 100; ++percent) {
      utfall::Options options;
      options.terms["premieandel"] = std::to_string(percent) + (percent % 7 == 3 ? ".125 %" : " %");
      options.trace = percent % 23 == 4;
      if (percent % 11 == 6) options.terms["takbelopp"] = "unlimited";
      cases.push_back({bound, options});
    }
    utfall::Options bad;
    bad.terms["premieandel"] = "1 SEK";  // a unit error: that case fails, the others do not
    cases.push_back({bound, bad});
  }
  auto one = engine.sweep(contract, cases, 1);
  auto three = engine.sweep(contract, cases, 3);
  auto all = engine.sweep(contract, cases);
  REQUIRE(one.size() == cases.size());
  REQUIRE(three.size() == cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    const auto alone = engine.evaluate(contract, cases[i].data, cases[i].options);
    auto expected = amounts(alone);
    for (const auto* r : {&one[i], &three[i], &all[i]}) {
      CHECK(amounts(*r) == expected);
      REQUIRE(r->messages.size() == alone.messages.size());
      for (std::size_t k = 0; k < alone.messages.size(); ++k) CHECK(r->messages[k].code == alone.messages[k].code);
      CHECK(r->traces.size() == alone.traces.size());
      CHECK(r->not_paid.size() == alone.not_paid.size());
    }
  }
  CHECK_FALSE(one.back().ok);
  CHECK(one.front().ok);
  CHECK(engine.sweep(contract, {}, 4).empty());
}

TEST_CASE("a Session checks a term value once and gives it again, and refuses a value it refuses every time") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(kContract).contract;
  utfall::Data data;
  data.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/plan.csv");
  auto bound = *engine.bind(contract, data).data;
  utfall::Session session(engine, contract);
  // Values in turn, each several times: the session's results equal a fresh evaluation's.
  const std::vector<std::map<std::string, std::string>> values = {
      {{"premieandel", "25 %"}}, {{"premieandel", "30 %"}, {"takbelopp", "6_000_000 SEK"}}, {{"premieandel", "25 %"}},
      {{"premieandel", "25 EUR"}},  // refused: E301, the contract has no EUR
      {{"takbelopp", "unlimited"}}, {{"premieandel", "25 EUR"}},
      {{"premieandel", "0.25"}},  // refused: E319, a percentage written without %
      {{"premieandel", "25 %"}}};
  for (int round = 0; round < 3; ++round)
    for (const auto& terms : values) {
      utfall::Options options;
      options.terms = terms;
      const auto& r = session.evaluate(bound, options);
      auto fresh = engine.evaluate(contract, bound, options);
      INFO(terms.begin()->first << "=" << terms.begin()->second);
      CHECK(amounts(r) == amounts(fresh));
      REQUIRE(r.messages.size() == fresh.messages.size());
      for (std::size_t k = 0; k < r.messages.size(); ++k) CHECK(r.messages[k].code == fresh.messages[k].code);
      if (terms.begin()->second == "25 EUR") CHECK((!r.ok && r.messages.front().code == "E301"));
      if (terms.begin()->second == "0.25") CHECK((!r.ok && r.messages.front().code == "E319"));
      if (terms.begin()->second == "25 %") CHECK(r.ok);
    }
}

// The engine keeps its sweep threads and their sessions between sweeps: a sweep of another
// contract, then of the first again, still gives each case what Engine::evaluate gives it; so do
// sweeps from two host threads on one engine at once (one on the kept threads, one on its own),
// a copy of the engine, a moved-from engine, and a child process forked after a sweep (whose
// copy of the engine has no threads).
TEST_CASE("Engine::sweep keeps its threads across contracts and host threads and in a forked child") {
  utfall::Engine engine;
  auto a = *engine.compile_file(kContract).contract;
  auto c = *engine.compile_file(std::string(UTFALL_SOURCE_DIR) + "/examples/c-tfco/contract.utfall").contract;
  auto a_cases = cases_of(engine, a, std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/plan.csv", "takbelopp", "000 SEK", 700);
  auto c_cases = cases_of(engine, c, std::string(UTFALL_SOURCE_DIR) + "/examples/c-tfco/data.csv", "utfallspris", " SEK", 300);
  auto a_results = engine.sweep(a, a_cases, 3);
  CHECK(a_results.at(0).ok);
  CHECK_FALSE(a_results.at(350).ok);
  CHECK(differing(engine, a, a_cases, a_results) == 0);
  CHECK(differing(engine, c, c_cases, engine.sweep(c, c_cases, 3)) == 0);
  CHECK(differing(engine, a, a_cases, engine.sweep(a, a_cases, 2)) == 0);
  CHECK(differing(engine, c, c_cases, engine.sweep(c, c_cases, 4)) == 0);

  std::vector<utfall::Result> from_a, from_c;
  {
    std::jthread one([&] { from_a = engine.sweep(a, a_cases, 3); });
    std::jthread two([&] { from_c = engine.sweep(c, c_cases, 3); });
  }
  CHECK(differing(engine, a, a_cases, from_a) == 0);
  CHECK(differing(engine, c, c_cases, from_c) == 0);

  utfall::Engine copy = engine;
  CHECK(differing(engine, c, c_cases, copy.sweep(c, c_cases, 3)) == 0);
  utfall::Engine moved = std::move(copy);
  CHECK(differing(engine, c, c_cases, moved.sweep(c, c_cases, 3)) == 0);
  CHECK(differing(engine, c, c_cases, copy.sweep(c, c_cases, 3)) == 0);  // NOLINT(bugprone-use-after-move): on purpose

#if !defined(__SANITIZE_THREAD__)  // ThreadSanitizer does not start threads after a fork
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // no Catch2 here: the exit status says it
    ::alarm(120);    // a child that hangs (joining its parent's threads) is killed, not waited for
    const bool same = differing(engine, a, a_cases, engine.sweep(a, a_cases, 3)) == 0;
    ::_exit(same ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
#endif
}
