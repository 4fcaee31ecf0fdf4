// Engine::simulate: scenario A with its premium share drawn, each run's payments worked out by
// hand from the value it drew; the same runs on 1 and 2 threads; bad options as E214 messages;
// runs that fail on a drawn value outside its declared range (E532), left out of the statistics.
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

const std::string kFolder = std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/";

utfall::Data plan() {
  utfall::Data data;
  data.files.push_back(kFolder + "plan.csv");
  return data;
}

std::size_t flow_of(const utfall::Simulation& s, const std::string& from, const std::string& to) {
  const auto& flows = s.flows();
  auto it = std::find_if(flows.begin(), flows.end(), [&](const auto& f) { return f.from == from && f.to == to; });
  REQUIRE(it != flows.end());
  return static_cast<std::size_t>(it - flows.begin());
}

// "0.27341" -> 27341 (units of 10^-5): the drawn share with the default step, 0.00001.
std::int64_t hundred_thousandths(const std::string& text) {
  const auto point = text.find('.');
  std::string digits = point == std::string::npos ? text : text.substr(0, point) + text.substr(point + 1);
  const std::size_t places = point == std::string::npos ? 0 : text.size() - point - 1;
  REQUIRE(places <= 5);
  return std::stoll(digits + std::string(5 - places, '0'));
}

// units * 10^-places as the shortest exact decimal: (4200000000, 2) -> "42000000".
std::string decimal(std::int64_t units, int places) {
  std::string digits = std::to_string(units < 0 ? -units : units);
  if (digits.size() <= static_cast<std::size_t>(places)) digits.insert(0, places + 1 - digits.size(), '0');
  std::string out(units < 0 ? "-" : "");
  out += digits.substr(0, digits.size() - places);
  if (places) {
    std::string fraction = digits.substr(digits.size() - places);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    if (!fraction.empty()) out += "." + fraction;
  }
  return out;
}

// Öre as SEK with two decimals: 2670000000 -> "26700000.00".
std::string sek(std::int64_t cents) {
  const std::int64_t a = cents < 0 ? -cents : cents;
  std::string out(cents < 0 ? "-" : "");
  out += std::to_string(a / 100);
  out += a % 100 < 10 ? ".0" : ".";
  out += std::to_string(a % 100);
  return out;
}

}  // namespace

TEST_CASE("simulate: scenario A with premieandel drawn pays, run by run, what its drawn share gives") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(kFolder + "contract.utfall").contract;
  utfall::SimulationOptions options;
  options.draws = {"premieandel ~ uniform(20 %, 50 %)"};
  options.runs = 200;
  options.seed = 7;
  auto s = engine.simulate(contract, plan(), options);
  for (const auto& m : s.messages()) INFO(m.rendered);
  REQUIRE(s.ok());
  CHECK(s.runs() == 200);
  CHECK(s.seed() == 7);
  CHECK(s.failed() == 0);
  CHECK_FALSE(s.first_failure());
  CHECK(s.places() == 2);
  REQUIRE(s.draws().size() == 1);
  CHECK(s.draws()[0].name == "premieandel");
  CHECK(s.draws()[0].distribution == "uniform(20 %, 50 %)");
  CHECK(s.draws()[0].step == "0.00001");  // four decimals more than 0.2 and 0.5 (docs/cli.md)
  CHECK(s.draws()[0].periods.empty());

  // By hand, from the plan (cost 200, 190, 170, 150, 140 million; 7 million drawn a year): in
  // 2027 the pool to date is 40 million, the capital 21 million, the rest 19 million, and the
  // premium p * 19 million (whole SEK at p's five decimals) capped at 7 million; 2028 pays the
  // entitlement of 35 million (28 million capital, the premium at its cap) less what 2027 paid;
  // 2029 the last 7 million of capital. 42 million in total, whatever p.
  const std::size_t f = flow_of(s, "kommun", "utfallsfonden");
  const std::size_t y2027 = 2, y2028 = 3, y2029 = 4, total = s.periods().size();
  std::vector<std::int64_t> paid2027;
  std::int64_t sum2027 = 0;
  for (std::uint64_t i = 0; i < s.runs(); ++i) {
    const std::int64_t p = hundred_thousandths(s.drawn(0, 0, i));
    INFO("run " << i << ": premieandel " << s.drawn(0, 0, i));
    CHECK(p >= 20'000);
    CHECK(p <= 50'000);
    const std::int64_t premium = std::min<std::int64_t>(p * 190, 7'000'000) * 100;  // p * 19 000 000 SEK, in öre
    CHECK(s.run_ok(i));
    CHECK(s.amounts(f, y2027)[i] == 2'100'000'000 + premium);
    CHECK(s.amounts(f, y2028)[i] == 1'400'000'000 - premium);
    CHECK(s.amounts(f, y2029)[i] == 700'000'000);
    CHECK(s.amounts(f, total)[i] == 4'200'000'000);
    paid2027.push_back(2'100'000'000 + premium);
    sum2027 += 2'100'000'000 + premium;
  }
  // Statistics: 200 runs, so the exact mean is a finite decimal; percentiles by nearest rank.
  std::sort(paid2027.begin(), paid2027.end());
  auto st = s.flow_statistics(f, y2027, {"5", "50", "95", "100"});
  CHECK(st.count == 200);
  CHECK(st.mean == decimal(sum2027 * 5, 5));  // sum / 200 öre = sum * 5 / 10^5 SEK
  CHECK(st.min == sek(paid2027.front()));
  CHECK(st.max == sek(paid2027.back()));
  CHECK(st.percentiles == std::vector<std::string>{sek(paid2027[9]), sek(paid2027[99]), sek(paid2027[189]), sek(paid2027[199])});
  CHECK(st.positive == 200);
  auto whole = s.flow_statistics(f, total);
  CHECK(whole.mean == "42000000");
  CHECK(whole.mean_rounded == "42000000.00");
  CHECK(whole.sd == "0.00");
  CHECK(whole.percentiles == std::vector<std::string>(3, "42000000.00"));
  // Net positions: kommun pays 42 million in every run, the fund receives it.
  REQUIRE(s.positions().size() >= 2);
  for (std::size_t k = 0; k < s.positions().size(); ++k) {
    const auto& position = s.positions()[k];
    if (position.party == "kommun") CHECK(s.position_statistics(k).mean == "-42000000");
    if (position.party == "utfallsfonden") CHECK(s.position_statistics(k).max == "42000000.00");
  }
  CHECK_THROWS_AS(s.flow_statistics(f, total, {"101"}), std::invalid_argument);
}

TEST_CASE("simulate: the same seed gives the same runs on 1 and 2 threads, another seed others") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(kFolder + "contract.utfall").contract;
  auto bound = *engine.bind(contract, plan()).data;
  utfall::SimulationOptions options;
  options.draws = {"premieandel ~ triangular(20 %, 30 %, 50 %)", "hemtjanst_kostnad@2027 ~ normal(170000000, 5000000)"};
  options.correlations = {"premieandel, hemtjanst_kostnad@2027 = -0.5"};
  options.runs = 1500;  // three chunks of 512 runs
  auto runs_of = [&](unsigned threads, std::uint64_t seed) {
    options.threads = threads;
    options.seed = seed;
    auto s = engine.simulate(contract, bound, options);
    REQUIRE(s.ok());
    std::vector<std::string> out;
    for (std::size_t f = 0; f < s.flows().size(); ++f)
      for (std::size_t t = 0; t <= s.periods().size(); ++t)
        for (std::uint64_t i = 0; i < s.runs(); ++i) out.push_back(std::to_string(s.amounts(f, t)[i]));
    for (std::size_t d = 0; d < s.draws().size(); ++d)
      for (std::uint64_t i = 0; i < s.runs(); ++i) out.push_back(s.drawn(d, 0, i));
    return out;
  };
  const auto one = runs_of(1, 3);
  CHECK(runs_of(2, 3) == one);
  CHECK(runs_of(1, 4) != one);
}

TEST_CASE("simulate: a draw, a correlation or a run count that does not read is an E214 message, with no runs") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(kFolder + "contract.utfall").contract;
  auto refused = [&](utfall::SimulationOptions options) {
    auto s = engine.simulate(contract, plan(), options);
    CHECK_FALSE(s.ok());
    CHECK(s.runs() == 0);
    REQUIRE(s.messages().size() == 1);
    CHECK(s.messages()[0].code == "E214");
    CHECK(s.messages()[0].kind == utfall::Message::Kind::name);
    return s.messages()[0].text;
  };
  utfall::SimulationOptions options;
  options.runs = 10;
  options.draws = {"premieandle ~ uniform(20 %, 50 %)"};
  CHECK(refused(options).rfind("draw 'premieandle ~ uniform(20 %, 50 %)': ", 0) == 0);
  options.draws = {"premieandel ~ uniform(50 %, 20 %)"};
  CHECK(refused(options).rfind("draw 'premieandel ~ uniform(50 %, 20 %)': ", 0) == 0);
  options.draws = {"premieandel ~ uniform(20 %, 50 %)", "premieandel ~ normal(30 %, 5 %)"};
  CHECK(refused(options).find("is drawn already") != std::string::npos);
  options.draws = {"premieandel ~ uniform(20 %, 50 %)"};
  options.terms = {{"premieandel", "25 %"}};
  CHECK(refused(options).find("`premieandel` is given a fixed value too") != std::string::npos);
  options.terms.clear();
  options.correlations = {"premieandel, takbelopp = 0.5"};
  CHECK(refused(options) == "correlation 'premieandel, takbelopp = 0.5': `takbelopp` is not drawn (name it as its draw does)");
  options.correlations.clear();
  options.runs = 0;
  CHECK(refused(options) == "runs 0: a whole number of runs from 1 to 10000000");

  // A term override that does not read is the message --set gives, and data that does not bind
  // is the binding's message.
  options.runs = 10;
  options.terms = {{"premieandel_", "25 %"}};
  auto s = engine.simulate(contract, plan(), options);
  CHECK_FALSE(s.ok());
  CHECK(s.messages().front().code == "E214");
  options.terms.clear();
  utfall::Data none;
  s = engine.simulate(contract, none, options);
  CHECK_FALSE(s.ok());
  CHECK(s.messages().front().code == "E527");
}

TEST_CASE("simulate: a run that draws a value outside its input's declared range fails alone (E532)") {
  utfall::Engine engine;
  auto contract = *engine.compile_file(std::string(UTFALL_SOURCE_DIR) + "/tests/data/simulate-range.utfall").contract;
  utfall::Data data;
  data.series["x"]["2025"] = "1";
  data.series["x"]["2026"] = "2";
  utfall::SimulationOptions options;
  options.draws = {"x@2025 ~ uniform(-10, 10)"};
  options.runs = 300;
  auto s = engine.simulate(contract, data, options);
  REQUIRE(s.ok());
  REQUIRE(s.flows().size() == 1);
  std::uint64_t failed = 0, first = s.runs();
  std::int64_t least = 0;
  bool any = false;
  for (std::uint64_t i = 0; i < s.runs(); ++i) {
    const std::string x = s.drawn(0, 0, i);
    const bool negative = x[0] == '-';
    CHECK(s.run_ok(i) == !negative);
    if (negative) {
      ++failed, first = std::min(first, i);
      CHECK(s.amounts(0, 2)[i] == 0);
      continue;
    }
    // x + 5 SEK in 2025, 2 + 5 SEK in 2026 (avgift 5 SEK); the step is the minor unit.
    const std::int64_t paid2025 = s.amounts(0, 0)[i];
    CHECK(paid2025 >= 500);
    CHECK(s.amounts(0, 1)[i] == 700);
    CHECK(s.amounts(0, 2)[i] == paid2025 + 700);
    least = any ? std::min(least, paid2025) : paid2025, any = true;
  }
  CHECK(failed > 0);
  CHECK(s.failed() == failed);
  REQUIRE(s.first_failure());
  CHECK(s.first_failure()->code == "E532");
  CHECK(s.first_failed_run() == first);
  CHECK(s.first_failure()->text.rfind("run " + std::to_string(first + 1) + ": `x@2025` drew -", 0) == 0);
  auto st = s.flow_statistics(0, 0);
  CHECK(st.count == s.runs() - failed);
  CHECK(st.min == sek(least));
}
