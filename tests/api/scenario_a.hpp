// Scenario A through the C++ API, for the API tests: the example contract's text, its data sets
// as a host supplies them, and the payments the scenario table gives for them.
#pragma once

#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace api_test {

inline std::string read(const std::string& relative) {
  std::ifstream in(std::string(UTFALL_SOURCE_DIR) + "/" + relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline const std::string kScenarioA = read("examples/a-aldreomsorg/contract.utfall");
inline const std::string kScenarioC = read("examples/c-tfco/contract.utfall");

inline utfall::Contract compile_or_fail(const utfall::Engine& engine, const std::string& text) {
  auto compiled = engine.compile(text, "contract.utfall");
  for (const auto& m : compiled.messages) INFO(m.rendered);
  REQUIRE(compiled.contract);
  return *compiled.contract;
}

// Scenario A's data sets: home-care cost per period; the financing drawn is 7 000 000 a year.
using Column = std::vector<std::string>;
inline const Column kPlan{"200000000", "190000000", "170000000", "150000000", "140000000"};
inline const Column kMessy{"199876543.21", "191234567.89", "172499999.95", "158333333.33", "141000000.01"};
inline const Column kFail{"201000000", "199000000", "196500000", "195000000", "198000000"};
// kommun -> utfallsfonden per period, from the scenario tables.
inline const Column kPlanPaid{"0.00", "0.00", "26700000.00", "8300000.00", "7000000.00"};
inline const Column kMessyPaid{"0.00", "0.00", "25616666.68", "9383333.32", "7000000.00"};
inline const Column kFailPaid{"0.00", "0.00", "4500000.00", "5000000.00", "2000000.00"};
inline const Column kYears{"2025", "2026", "2027", "2028", "2029"};

inline utfall::Data scenario_a(const Column& cost) {
  utfall::Data data;
  for (std::size_t t = 0; t < kYears.size(); ++t) {
    data.series["hemtjanst_kostnad"][kYears[t]] = cost[t];
    data.series["avropat"][kYears[t]] = utfall::Value::decimal(7'000'000, 0);
  }
  return data;
}

// kommun -> utfallsfonden per period (0.00 where nothing is due: the repayment starts in
// 2027), or a description of what went wrong.
inline Column paid_a(const utfall::Result& r) {
  if (!r.ok) return {"failed: " + (r.messages.empty() ? std::string("?") : r.messages.front().rendered)};
  std::map<std::string, std::string> by_period;
  for (const auto& p : r.payments)
    if (p.from == "kommun" && p.to == "utfallsfonden") by_period[p.period] = p.amount;
  Column out;
  for (const auto& year : kYears) out.push_back(by_period.count(year) ? by_period[year] : "0.00");
  return out;
}

}  // namespace api_test
