// utfall::Batch: amounts as integers for many data sets. Every amount is checked against the
// text Session::evaluate gives for the same set (read into units here, independently of the
// library), and the examples' amounts against the values written in their contracts; sets
// that fail fail alone, with the code Session gives or E532/E710; a warm Batch allocates nothing.
// With the same allocation counter: a Session, a Batch and Engine::sweep that ran out of memory
// at any allocation evaluate rightly after.
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "../tools/splitmix.hpp"

// Allocation counting, except under AddressSanitizer, which owns operator new.
#if !defined(__SANITIZE_ADDRESS__)
#define UTFALL_COUNT_ALLOCATIONS 1
#include "../tools/allocation_counter.hpp"
#include "../tools/many_clauses.hpp"
#endif

namespace {

const std::string kExamples = std::string(UTFALL_SOURCE_DIR) + "/examples/";
__extension__ typedef __int128 i128;

// "26700000.00" -> 2670000000 at 2 places; nullopt when the text has other decimals or the
// count does not fit in int64. Written here from the digits, not with the library.
std::optional<std::int64_t> units_of(const std::string& text, int places) {
  std::size_t i = 0;
  bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  i128 value = 0;
  int decimals = -1;
  for (; i < text.size(); ++i) {
    if (text[i] == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
    if (decimals >= 0) ++decimals;
    if (value > (static_cast<i128>(1) << 64)) return std::nullopt;
  }
  if (decimals < 0) decimals = 0;
  if (decimals > places) return std::nullopt;
  for (; decimals < places; ++decimals) value *= 10;
  if (negative) value = -value;
  if (value > INT64_MAX || value < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

utfall::Contract compile(const utfall::Engine& engine, const std::string& path) {
  auto r = engine.compile_file(path);
  REQUIRE(r.contract);
  return *r.contract;
}

utfall::Bound bind_file(const utfall::Engine& engine, const utfall::Contract& c, const std::string& path) {
  utfall::Data data;
  data.files.push_back(path);
  auto b = engine.bind(c, data);
  INFO(path << (b.messages.empty() ? "" : ": " + b.messages.front().rendered));
  REQUIRE(b.data);
  return *b.data;
}

// Set by set, what Session::evaluate says: the same lines, the same amounts to the unit, the
// same failure (or E710 where Session's amount has no int64 count). Gives how many sets were ok.
std::size_t check_against_session(const utfall::Engine& engine, const utfall::Contract& contract, const utfall::Batch& batch,
                                  const std::vector<utfall::Bound>& sets) {
  utfall::Session session(engine, contract);
  REQUIRE(batch.size() == sets.size());
  std::size_t ok = 0;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    INFO("data set " << i);
    const auto& r = session.evaluate(sets[i]);
    if (!r.ok) {
      REQUIRE_FALSE(batch.ok(i));
      REQUIRE_FALSE(batch.messages(i).empty());
      CHECK(batch.messages(i).front().code == r.messages.front().code);
      for (std::size_t k = 0; k < batch.lines().size(); ++k) CHECK(batch.amounts(i)[k] == 0);
      continue;
    }
    REQUIRE(r.payments.size() == batch.lines().size());
    bool fits = true;
    for (std::size_t k = 0; k < r.payments.size(); ++k) {
      const auto& p = r.payments[k];
      const auto& l = batch.lines()[k];
      CHECK(std::tie(p.period, p.from, p.to, p.clause, p.clause_title, p.rule, p.currency) ==
            std::tie(l.period, l.from, l.to, l.clause, l.clause_title, l.rule, l.currency));
      auto expected = units_of(p.amount, batch.places());
      if (!expected) fits = false;
      else if (batch.ok(i)) CHECK(batch.amounts(i)[k] == *expected);
    }
    REQUIRE(batch.ok(i) == fits);
    if (!fits) {
      REQUIRE(batch.messages(i).size() == 1);
      CHECK(batch.messages(i).front().code == "E710");
      CHECK(batch.messages(i).front().location.rfind("data set " + std::to_string(i) + ":", 0) == 0);
    } else {
      CHECK(batch.messages(i).empty());
      ++ok;
    }
  }
  return ok;
}

// The sum of a set's lines per period, payer and payee (an example's `expect ... in PERIOD`).
std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> sums(const utfall::Batch& batch, std::size_t set) {
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> out;
  for (std::size_t k = 0; k < batch.lines().size(); ++k) {
    const auto& l = batch.lines()[k];
    out[{l.period, l.from, l.to}] += batch.amounts(set)[k];
  }
  return out;
}

struct Expect {
  const char* period;
  const char* from;
  const char* to;
  std::int64_t ore;
};

void check_expectations(const utfall::Batch& batch, std::size_t set, const std::vector<Expect>& expects) {
  auto s = sums(batch, set);
  for (const auto& e : expects) {
    INFO("data set " << set << ", " << e.period << " " << e.from << " -> " << e.to);
    auto it = s.find({e.period, e.from, e.to});
    CHECK((it == s.end() ? 0 : it->second) == e.ore);  // no line is nothing paid
  }
}

using utfall::test_support::Random;

using Column = std::vector<std::string>;  // a value per period, 2025 .. 2029

utfall::Bound bind_a(const utfall::Engine& engine, const utfall::Contract& c, const Column& cost, const Column& drawn) {
  utfall::Data data;
  for (int t = 0; t < 5; ++t) {
    std::string period = std::to_string(2025 + t);
    data.series["hemtjanst_kostnad"][period] = cost[t];
    data.series["avropat"][period] = drawn[t];
  }
  auto b = engine.bind(c, data);
  INFO(cost[0] << " " << drawn[0] << (b.messages.empty() ? "" : ": " + b.messages.front().rendered));
  REQUIRE(b.data);
  return *b.data;
}

// A Batch over an example's data files, each checked against Session: all of them succeed.
utfall::Batch example_batch(const utfall::Engine& engine, const std::string& example, std::vector<std::string> files) {
  auto contract = compile(engine, kExamples + example + "/contract.utfall");
  std::vector<utfall::Bound> sets;
  for (const auto& f : files) sets.push_back(bind_file(engine, contract, kExamples + example + "/" + f));
  utfall::Batch batch(engine, contract);
  batch.evaluate(sets);
  CHECK(check_against_session(engine, contract, batch, sets) == sets.size());
  return batch;
}

}  // namespace

TEST_CASE("Batch: scenario A's examples, as their contract expects them and as Session gives them") {
  utfall::Engine engine;
  auto contract = compile(engine, kExamples + "a-aldreomsorg/contract.utfall");
  std::vector<utfall::Bound> sets;
  for (const char* name : {"plan", "messy", "fail"}) sets.push_back(bind_file(engine, contract, kExamples + "a-aldreomsorg/" + name + ".csv"));
  utfall::Batch batch(engine, contract);
  CHECK(batch.places() == 2);
  REQUIRE(batch.lines().size() == 3);  // the waterfall from 2027, one payee
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& l = batch.lines()[k];
    CHECK(l.period == std::to_string(2027 + k));
    CHECK(l.from == "kommun");
    CHECK(l.to == "utfallsfonden");
    CHECK(l.clause == "3.2");
    CHECK(l.clause_title == "Återbetalning");
    CHECK(l.rule == "aterbetalning");
  }
  batch.evaluate(sets);
  REQUIRE(batch.size() == 3);
  // contract.utfall, `example` blocks: 2025 and 2026 pay nothing (no line).
  const std::int64_t expected[3][3] = {{26'700'000'00, 8'300'000'00, 7'000'000'00},
                                       {25'616'666'68, 9'383'333'32, 7'000'000'00},
                                       {4'500'000'00, 5'000'000'00, 2'000'000'00}};
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(batch.ok(i));
    CHECK(batch.messages(i).empty());
    for (std::size_t k = 0; k < 3; ++k) CHECK(batch.amounts(i)[k] == expected[i][k]);
  }
  CHECK(check_against_session(engine, contract, batch, sets) == 3);

  SECTION("a second evaluate replaces the results; a moved Batch keeps working") {
    utfall::Batch moved = std::move(batch);
    std::vector<utfall::Bound> one{sets[2]};
    moved.evaluate(one);
    REQUIRE(moved.size() == 1);
    CHECK(moved.amounts(0)[0] == 4'500'000'00);
    moved.evaluate(nullptr, 0);
    CHECK(moved.size() == 0);
  }
}

TEST_CASE("Batch: generated scenario A sets, with 8 decimals, values near and beyond int64, E532 and E710 alone") {
  utfall::Engine engine;
  auto contract = compile(engine, kExamples + "a-aldreomsorg/contract.utfall");
  auto other = compile(engine, kExamples + "a-aldreomsorg/contract.utfall");  // the same text, another contract
  Random rng{7};
  auto ore = [](std::int64_t v) { return std::to_string(v / 100) + "." + (v % 100 < 10 ? "0" : "") + std::to_string(v % 100); };
  std::vector<utfall::Bound> sets;
  for (int i = 0; i < 300; ++i) {
    Column cost(5), drawn(5);
    for (int t = 0; t < 5; ++t) {
      cost[t] = ore(rng.range(130'000'000'00, 215'000'000'00));
      drawn[t] = ore(rng.range(6'000'000, 8'000'000) * 100);
      switch (i % 10) {
        case 1: cost[t] += "000000"; break;                               // 8 decimals, exact in öre
        case 2: cost[t] += std::to_string(rng.range(100000, 999999)); break;  // 8 decimals, not in öre
        case 3: if (t == 1) cost[t] = "9223372036854775807.5"; break;       // beyond int64, frees nothing
        case 4: if (t == 0) cost[t] = "-9223372036854775807.5"; break;      // frees beyond int64
        case 5: drawn[t] = std::to_string(rng.range(1, 99)) + "." + std::to_string(rng.range(10000000, 99999999)); break;
        default: break;
      }
    }
    sets.push_back(bind_a(engine, contract, cost, drawn));
  }
  // 2027 pays what was drawn (92 233 720 361 547 758.07) + the capped premium (7 000 000):
  // exactly INT64_MAX öre; one öre more does not fit.
  const Column huge_cost{"-93000000000000000", "200000000", "200000000", "200000000", "200000000"};
  const std::size_t at_max = sets.size();
  sets.push_back(bind_a(engine, contract, huge_cost, {"92233720361547758.07", "0", "0", "0", "0"}));
  const std::size_t beyond = sets.size();
  sets.push_back(bind_a(engine, contract, huge_cost, {"92233720361547758.08", "0", "0", "0", "0"}));
  const std::size_t foreign = 17;
  sets[foreign] = bind_a(engine, other, {"170000000", "170000000", "170000000", "170000000", "170000000"}, {"7000000", "0", "0", "0", "0"});

  utfall::Batch batch(engine, contract);
  batch.evaluate(sets);
  std::size_t ok = check_against_session(engine, contract, batch, sets);
  CHECK(ok > 250);
  CHECK(ok < sets.size());
  REQUIRE(batch.ok(at_max));
  CHECK(batch.amounts(at_max)[0] == INT64_MAX);
  CHECK(batch.amounts(at_max)[1] == 0);
  REQUIRE_FALSE(batch.ok(beyond));
  CHECK(batch.messages(beyond).front().code == "E710");
  CHECK(batch.messages(beyond).front().kind == utfall::Message::Kind::limit);
  CHECK(batch.messages(beyond).front().location == "data set 301: line 0, 2027 kommun -> utfallsfonden `aterbetalning`");
  REQUIRE_FALSE(batch.ok(foreign));
  REQUIRE(batch.messages(foreign).size() == 1);
  CHECK(batch.messages(foreign).front().code == "E532");
  CHECK(batch.messages(foreign).front().location == "data set 17");
  CHECK(batch.messages(foreign).front().location_sv == "datamängd 17");
  CHECK(batch.ok(foreign - 1));
  CHECK(batch.ok(foreign + 1));
  for (std::size_t i = 0; i < sets.size(); i += 10) CHECK(batch.ok(i));  // plain öre values
}

TEST_CASE("Batch: a value missing where an evaluation needs it fails that set only, naming it") {
  utfall::Engine engine;
  auto compiled = engine.compile(
      "contract \"Missing\"\ncurrency SEK\nparty a \"A\"\nparty b \"B\"\nperiods yearly 2025 .. 2027\n"
      "input x : SEK per period in 2025 .. 2026\ninput y : SEK per period\n"
      "clause \"1\" \"Pay\" {\n  pay p: a -> b\n    amount if y > 0 SEK then x else 0 SEK\n}\n",
      "missing.utfall");
  REQUIRE(compiled.contract);
  auto contract = *compiled.contract;
  auto bind = [&](const char* y2027) {
    utfall::Data data;
    data.series["x"] = {{"2025", "1.50"}, {"2026", "2"}};
    data.series["y"] = {{"2025", "1"}, {"2026", "0"}, {"2027", y2027}};
    auto b = engine.bind(contract, data);
    REQUIRE(b.data);
    return *b.data;
  };
  std::vector<utfall::Bound> sets{bind("0"), bind("1"), bind("0")};  // set 1 needs x in 2027
  utfall::Batch batch(engine, contract);
  batch.evaluate(sets);
  CHECK(check_against_session(engine, contract, batch, sets) == 2);
  REQUIRE(batch.lines().size() == 3);
  CHECK(batch.amounts(0)[0] == 150);
  CHECK(batch.amounts(0)[1] == 0);
  CHECK(batch.amounts(2)[2] == 0);
  REQUIRE_FALSE(batch.ok(1));
  const auto& m = batch.messages(1).front();
  CHECK(m.code == "E531");
  CHECK(m.location == "data set 1");
  CHECK(m.location_sv == "datamängd 1");
  CHECK(m.line == 10);
  CHECK(m.rendered.find("= in data set 1") != std::string::npos);
}

TEST_CASE("Batch: scenarios B, C (participants) and D, as Session gives them and their examples expect") {
  utfall::Engine engine;
  SECTION("B") {
    auto batch = example_batch(engine, "b-placeringar", {"plan.csv", "total-cap.csv", "boundary.csv"});
    check_expectations(batch, 0, {{"2025", "kommun", "barnens_val", 0}, {"2027", "kommun", "barnens_val", 3'000'000'00},
                                  {"2028", "kommun", "barnens_val", 4'000'000'00}, {"2029", "kommun", "barnens_val", 4'000'000'00},
                                  {"2027", "barnens_val", "utfallsfonden", 3'000'000'00}, {"2029", "barnens_val", "utfallsfonden", 3'400'000'00}});
    check_expectations(batch, 1, {{"2026", "kommun", "barnens_val", 4'000'000'00}, {"2029", "kommun", "barnens_val", 3'000'000'00},
                                  {"2027", "barnens_val", "utfallsfonden", 2'800'000'00}, {"2029", "barnens_val", "utfallsfonden", 2'400'000'00}});
    check_expectations(batch, 2, {{"2026", "kommun", "barnens_val", 2'500'000'00}, {"2029", "barnens_val", "utfallsfonden", 2'500'000'00}});
  }
  SECTION("C, per participant: always the general evaluator") {
    auto batch = example_batch(engine, "c-tfco", {"data.csv"});
    check_expectations(batch, 0, {{"2025", "kommun", "humana", 1'080'000'00}, {"2026", "kommun", "humana", 3'100'000'00},
                                  {"2027", "kommun", "humana", 2'665'000'00}, {"2025", "finansiar", "humana", 1'440'000'00},
                                  {"2026", "finansiar", "humana", 2'400'000'00}, {"2027", "finansiar", "humana", 0},
                                  {"2025", "humana", "finansiar", 0}, {"2026", "humana", "finansiar", 1'300'000'00},
                                  {"2027", "humana", "finansiar", 2'602'500'00}});
  }
  SECTION("D") { example_batch(engine, "d-norrkoping", {"data.csv"}); }
}

TEST_CASE("Batch: a warm Batch allocates nothing on a second evaluate of the same sets") {
#if defined(UTFALL_COUNT_ALLOCATIONS)
  utfall::Engine engine;
  auto contract = compile(engine, kExamples + "a-aldreomsorg/contract.utfall");
  std::vector<utfall::Bound> sets;
  for (const char* name : {"plan", "messy", "fail"}) sets.push_back(bind_file(engine, contract, kExamples + "a-aldreomsorg/" + name + ".csv"));
  while (sets.size() < 600) sets.push_back(sets[sets.size() % 3]);  // more than one chunk of the fixed-point path
  utfall::Batch batch(engine, contract);
  std::uint64_t before = allocations();
  batch.evaluate(sets);
  std::uint64_t cold = allocations() - before;
  before = allocations();
  batch.evaluate(sets);
  std::uint64_t warm = allocations() - before;
  CHECK(cold > 0);  // the counter sees the library's allocations
  CHECK(warm == 0);
  for (std::size_t i = 0; i < sets.size(); ++i) REQUIRE(batch.ok(i));
  CHECK(batch.amounts(599)[0] == 4'500'000'00);  // set 599 is `fail`
#else
  WARN("not counted under AddressSanitizer, which replaces operator new itself");
#endif
}

// Engine::evaluate is a Session's first evaluation; its Result is handed over, not copied (a
// copy of 50 000 payments cost a sixth of a run of 10 000 clauses). Counted against a Session
// doing the same evaluation: a copy would allocate the payments' vector and their texts again.
TEST_CASE("Engine::evaluate allocates what a new Session's evaluation does and no copy of its Result") {
#if defined(UTFALL_COUNT_ALLOCATIONS)
  utfall::Engine engine;
  auto contract = compile(engine, kExamples + "a-aldreomsorg/contract.utfall");
  const auto plan = bind_file(engine, contract, kExamples + "a-aldreomsorg/plan.csv");
  for (int i = 0; i < 3; ++i) REQUIRE(engine.evaluate(contract, plan).ok);  // the contract lowered, tables made
  std::uint64_t before = allocations();
  std::size_t session_payments = 0;
  {
    utfall::Session session(engine, contract);
    session_payments = session.evaluate(plan).payments.size();
  }
  const std::uint64_t by_session = allocations() - before;
  before = allocations();
  const auto result = engine.evaluate(contract, plan);
  const std::uint64_t by_engine = allocations() - before;
  REQUIRE(result.ok);
  CHECK(result.payments.size() == session_payments);
  CHECK(session_payments > 0);
  CHECK(by_engine == by_session);
#else
  WARN("not counted under AddressSanitizer, which replaces operator new itself");
#endif
}

// Out of memory is the one failure the API hands to the host (std::bad_alloc, not a message). A
// host may catch it and go on with the same Session, Batch or Engine, as Engine::sweep goes on
// with the sessions it keeps: they must be whole. Each allocation is made to fail in turn:
// - of a new Session's first three evaluations (the tree walk, the lowering, the fixed-point
//   path), and of a Session given term values, a value it refuses and a trace;
// - of a new Batch's first two evaluations, and of one whose sets fail (E710, E532);
// - of a new Engine's first sweep (on the calling thread);
// - of compiling, binding and evaluating with a new Engine.
// After each failure the same calls give what they give where nothing failed. Contracts whose
// totals are several (payers, payees, currencies).
TEST_CASE("a Session, a Batch and Engine::sweep evaluate rightly after running out of memory at any allocation") {
#if defined(UTFALL_COUNT_ALLOCATIONS)
  utfall::Engine engine;
  auto texts = [](const utfall::Result& r) {
    std::vector<std::string> out{r.ok ? "ok" : "failed"};
    for (const auto& p : r.payments) out.push_back(p.period + " " + p.from + " " + p.to + " " + p.clause + " " + p.rule + " " + p.amount + " " + p.currency);
    for (const auto& t : r.totals) out.push_back("total " + t.from + " " + t.to + " " + t.amount + " " + t.currency);
    return out;
  };
  // Term values for the three contracts below (each has `baslinje` in placements and `pris` in
  // SEK per placement), one of them refused (E301), and a trace.
  auto options_in_turn = [] {
    std::vector<utfall::Options> in_turn(5);
    in_turn[0].terms = {{"baslinje", "45 placements"}};
    in_turn[1].terms = {{"baslinje", "48 placements"}, {"pris", "400_000 SEK per placement"}};
    in_turn[2].terms = {{"baslinje", "5 SEK"}};
    in_turn[3].trace = true;
    in_turn[4].terms = {{"baslinje", "45 placements"}};
    return in_turn;
  }();
  auto in_turn = [&](utfall::Session& session, const utfall::Bound& data) {
    std::vector<std::vector<std::string>> out;
    for (const auto& options : options_in_turn) {
      const auto& r = session.evaluate(data, options);
      out.push_back(texts(r));
      for (const auto& m : r.messages) out.back().push_back(m.code);
      out.back().push_back(std::to_string(r.traces.size()));
    }
    return out;
  };
  auto sweep_texts = [&](const utfall::Engine& e, const utfall::Contract& contract, const utfall::Bound& data) {
    std::vector<utfall::Engine::Case> cases;
    for (const auto& options : options_in_turn) cases.push_back({data, options});
    std::vector<std::vector<std::string>> out;
    for (const auto& r : e.sweep(contract, cases, 1)) out.push_back(texts(r));
    return out;
  };
  // Two examples, and a contract whose parties' ids are longer than a string holds without
  // memory of its own, so that the totals' texts allocate too.
  const std::string long_ids = R"(contract "Långa namn"
currency SEK
party kommunens_socialnamnd "Kommunens socialnämnd"
party utforaren_av_insatserna "Utföraren"
party utfallsfonden_i_sverige "Utfallsfonden"
unit placement plural placements
periods yearly 2025 .. 2027
input nya_placeringar : placements per period
term baslinje = 50 placements
term pris = 500_000 SEK per placement
clause "1" "Ersättning" {
  pay ersattning: kommunens_socialnamnd -> utforaren_av_insatserna
    amount pris * max(baslinje - nya_placeringar, 0 placements)
}
clause "2" "Återbetalning" {
  pay aterbetalning: utforaren_av_insatserna -> utfallsfonden_i_sverige
    amount pris * max(baslinje - nya_placeringar, 0 placements) / 2
}
)";
  for (const auto& [example, file] : {std::pair{"b-placeringar", "boundary.csv"}, std::pair{"l-currencies", "plan.csv"}, std::pair{"", ""}}) {
    INFO((*example ? example : "long ids"));
    // Each try compiles its own contract: the lowered program a Contract keeps is part of what
    // a failure may leave half made.
    // Without Catch's macros, which may allocate while a failure is armed: a contract that
    // does not compile or data that do not bind is an exception the test reports.
    auto contract_of = [&, example = example](const utfall::Engine& e) {
      auto r = *example ? e.compile_file(kExamples + example + "/contract.utfall") : e.compile(long_ids);
      if (!r.contract) throw std::logic_error("the contract does not compile");
      return *r.contract;
    };
    auto data_of = [&, example = example, file = file](const utfall::Engine& e, const utfall::Contract& c) {
      utfall::Data data;
      if (*example) data.files.push_back(kExamples + example + "/" + file);
      else data.series["nya_placeringar"] = {{"2025", utfall::Value("40")}, {"2026", utfall::Value("30")}, {"2027", utfall::Value("45")}};
      auto b = e.bind(c, data);
      if (!b.data) throw std::logic_error("the data do not bind");
      return *b.data;
    };
    auto expected_contract = contract_of(engine);
    const auto expected_data = data_of(engine, expected_contract);
    utfall::Session expected_session(engine, expected_contract);
    std::vector<std::string> expected;
    for (int i = 0; i < 3; ++i) expected = texts(expected_session.evaluate(expected_data));
    REQUIRE(expected.front() == "ok");
    REQUIRE(expected.size() > 4);
    utfall::Batch expected_batch(engine, expected_contract);
    expected_batch.evaluate(&expected_data, 1);
    REQUIRE(expected_batch.ok(0));
    const std::vector<std::int64_t> expected_amounts(expected_batch.amounts(0), expected_batch.amounts(0) + expected_batch.lines().size());
    utfall::Session expected_terms_session(engine, expected_contract);
    const auto expected_in_turn = in_turn(expected_terms_session, expected_data);
    REQUIRE(expected_in_turn[0].front() == "ok");
    REQUIRE(expected_in_turn[2].front() == "failed");
    REQUIRE(expected_in_turn[3].back() != "0");  // traced
    const auto expected_sweep = sweep_texts(utfall::Engine{}, expected_contract, expected_data);
    REQUIRE(expected_sweep.size() == options_in_turn.size());

    // Fails allocation k of first(holder, contract, data), for k = 0, 1, ... until a try
    // makes no k-th allocation: every allocation it makes has failed in turn. Each try has a
    // contract, its data and a holder made anew; after each failure, then(holder, contract,
    // data). Counted by try, not against a count measured before: how many allocations a
    // compilation makes depends on how full the node memory's current block is.
    auto each_failure = [&](auto make, auto first, auto then) {
      std::int64_t failures = 0;
      for (std::int64_t k = 0;; ++k) {
        INFO("allocation " << k << " fails");
        auto contract = contract_of(engine);
        const auto data = data_of(engine, contract);
        auto holder = make(contract);
        const auto [thrown, failed] = allocation_counter::failing(k, [&] { first(holder, contract, data); });
        REQUIRE(thrown == failed);  // handed to the host, never taken for another error
        if (!failed) break;
        ++failures;
        then(holder, contract, data);
      }
      CHECK(failures > 20);  // the calls allocate: that many failures were made and survived
    };
    each_failure([&](const utfall::Contract& c) { return utfall::Session(engine, c); },
                 [](utfall::Session& session, const utfall::Contract&, const utfall::Bound& data) {
                   for (int i = 0; i < 3; ++i) session.evaluate(data);
                 },
                 [&](utfall::Session& session, const utfall::Contract&, const utfall::Bound& data) {
                   for (int i = 0; i < 3; ++i) REQUIRE(texts(session.evaluate(data)) == expected);
                 });
    each_failure([&](const utfall::Contract& c) { return utfall::Session(engine, c); },
                 [&](utfall::Session& session, const utfall::Contract&, const utfall::Bound& data) { in_turn(session, data); },
                 [&](utfall::Session& session, const utfall::Contract&, const utfall::Bound& data) {
                   for (int i = 0; i < 2; ++i) REQUIRE(in_turn(session, data) == expected_in_turn);
                 });
    each_failure([&](const utfall::Contract& c) { return utfall::Batch(engine, c); },
                 [](utfall::Batch& batch, const utfall::Contract&, const utfall::Bound& data) {
                   for (int i = 0; i < 2; ++i) batch.evaluate(&data, 1);
                 },
                 [&](utfall::Batch& batch, const utfall::Contract&, const utfall::Bound& data) {
                   for (int i = 0; i < 3; ++i) {
                     batch.evaluate(&data, 1);
                     REQUIRE(batch.ok(0));
                     REQUIRE(std::vector<std::int64_t>(batch.amounts(0), batch.amounts(0) + batch.lines().size()) == expected_amounts);
                   }
                 });
    each_failure([](const utfall::Contract&) { return utfall::Engine{}; },
                 [&](const utfall::Engine& e, const utfall::Contract& c, const utfall::Bound& data) { sweep_texts(e, c, data); },
                 [&](const utfall::Engine& e, const utfall::Contract& c, const utfall::Bound& data) {
                   for (int i = 0; i < 2; ++i) REQUIRE(sweep_texts(e, c, data) == expected_sweep);
                 });
    if (!*example) {
      // A Batch whose sets fail in each way it has: an amount past int64 in öre (E710, after
      // the general evaluator), and data bound for another contract (E532).
      auto sets_of = [&](const utfall::Contract& c, const utfall::Bound& data) {
        utfall::Data huge;
        huge.series["nya_placeringar"] = {{"2025", utfall::Value("40")}, {"2026", utfall::Value("-100000000000000")}, {"2027", utfall::Value("45")}};
        auto bound = engine.bind(c, huge);
        if (!bound.data) throw std::logic_error("the data do not bind");
        const auto other = contract_of(engine);
        return std::vector<utfall::Bound>{data, *bound.data, data_of(engine, other), data};
      };
      auto batch_texts = [&](utfall::Batch& batch, const std::vector<utfall::Bound>& sets) {
        batch.evaluate(sets);
        std::vector<std::string> out;
        for (std::size_t i = 0; i < batch.size(); ++i) {
          out.push_back(batch.ok(i) ? "ok" : "failed");
          for (std::size_t k = 0; k < batch.lines().size(); ++k) out.push_back(std::to_string(batch.amounts(i)[k]));
          for (const auto& m : batch.messages(i)) out.push_back(m.code + " " + m.location);
        }
        return out;
      };
      utfall::Batch batch(engine, expected_contract);
      const auto expected_sets = batch_texts(batch, sets_of(expected_contract, expected_data));
      REQUIRE(std::count(expected_sets.begin(), expected_sets.end(), "ok") == 2);
      REQUIRE(std::count_if(expected_sets.begin(), expected_sets.end(), [](const std::string& t) { return t.rfind("E710 ", 0) == 0; }) == 1);
      REQUIRE(std::count_if(expected_sets.begin(), expected_sets.end(), [](const std::string& t) { return t.rfind("E532 ", 0) == 0; }) == 1);
      each_failure([&](const utfall::Contract& c) { return utfall::Batch(engine, c); },
                   [&](utfall::Batch& b, const utfall::Contract& c, const utfall::Bound& data) { batch_texts(b, sets_of(c, data)); },
                   [&](utfall::Batch& b, const utfall::Contract& c, const utfall::Bound& data) {
                     for (int i = 0; i < 2; ++i) REQUIRE(batch_texts(b, sets_of(c, data)) == expected_sets);
                   });
    }
    // Compiling, binding and a first evaluation, by a new Engine, then all three again.
    auto compile_bind_evaluate = [&](const utfall::Engine& e) {
      auto contract = contract_of(e);
      return texts(e.evaluate(contract, data_of(e, contract)));
    };
    each_failure([](const utfall::Contract&) { return utfall::Engine{}; },
                 [&](const utfall::Engine& e, const utfall::Contract&, const utfall::Bound&) { compile_bind_evaluate(e); },
                 [&](const utfall::Engine& e, const utfall::Contract&, const utfall::Bound&) {
                   REQUIRE(compile_bind_evaluate(e) == expected);
                 });
  }
#else
  WARN("not counted under AddressSanitizer, which replaces operator new itself");
#endif
}

TEST_CASE("Batch: a contract in kronor and euro names each line's currency and counts in the finer minor unit") {
  // examples/l-currencies: kronor in whole units (minor 1), euro in cents; the amounts are the
  // contract's hand computation (its comment), counted in hundredths of each line's currency.
  utfall::Engine engine;
  auto batch = example_batch(engine, "l-currencies", {"plan.csv"});
  CHECK(batch.places() == 2);
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::int64_t> got;
  for (std::size_t k = 0; k < batch.lines().size(); ++k) {
    const auto& l = batch.lines()[k];
    got[{l.period, l.from, l.to, l.currency}] += batch.amounts(0)[k];
  }
  CHECK(got[{"2026", "kommun", "utforare", "SEK"}] == 500'000'00);
  CHECK(got[{"2027", "eufond", "utforare", "EUR"}] == 22'000'00);
  CHECK(got[{"2026", "utforare", "fonden", "EUR"}] == 17'413'72);
  CHECK(got[{"2027", "utforare", "fonden", "EUR"}] == 35'704'40);
  CHECK(got[{"2028", "utforare", "fonden", "EUR"}] == 29'123'74);
  CHECK(got.count({"2026", "utforare", "fonden", "SEK"}) == 0);
}

// The contract scenario_bench compiles, named by a source whose name is too long for a string to
// hold in place.
TEST_CASE("Engine::compile: the allocations of a clause are few") {
#if defined(UTFALL_COUNT_ALLOCATIONS)
  utfall::Engine engine;
  auto count = [&](int clauses) {
    const std::string text = utfall::test_support::many_clauses_contract(clauses);
    const std::uint64_t before = allocations();
    auto compiled = engine.compile(text, "a-contract-of-many-clauses.utfall");
    const std::uint64_t made = allocations() - before;
    REQUIRE(compiled.contract);
    CHECK(compiled.contract->clauses().size() == std::size_t(clauses));
    return made;
  };
  count(50);  // what a first compile makes once (tables of messages, of keywords) is not a clause's
  const std::uint64_t fewer = count(400);
  const std::uint64_t more = count(800);
  const std::uint64_t per_clause = (more - fewer) / 400;
  INFO("allocations per clause: " << per_clause);
  // Before this change, `utfall check` of 10 000 such clauses made 640 131 allocations (heaptrack),
  // 64 a clause: a copy of the source's name at each of its 18 ranges, a vector for the names of
  // each expression, six texts naming the parts of its payment for a report verify did not
  // give, and vectors grown one element at a time. 30 now.
  CHECK(per_clause <= 40);
#else
  WARN("not counted under AddressSanitizer, which replaces operator new itself");
#endif
}
