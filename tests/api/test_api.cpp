// The C++ embedding API, used as a host uses it: only <utfall/utfall.hpp>, linked against the
// shared library. Expected payments come from the scenario tables (the shared scenarios folder,
// copied into the examples' `example` blocks) or are worked out by hand in the comments.
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "scenario_a.hpp"

namespace {

using namespace api_test;

std::string first_code(const utfall::Messages& messages) { return messages.empty() ? "" : messages.front().code; }

}  // namespace

TEST_CASE("api: scenario A from values the host supplies gives the scenario table's payments") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kPlan))) == kPlanPaid);
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kMessy))) == kMessyPaid);
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kFail))) == kFailPaid);

  auto result = engine.evaluate(contract, scenario_a(kPlan));
  REQUIRE(result.totals.size() == 1);
  CHECK(result.totals[0].from == "kommun");
  CHECK(result.totals[0].to == "utfallsfonden");
  CHECK(result.totals[0].amount == "42000000.00");
  REQUIRE(result.payments.size() == 3);  // from 2027
  CHECK(result.payments[0].period == "2027");
  CHECK(result.payments[0].clause == "3.2");
  CHECK(result.payments[0].clause_title == "Återbetalning");
  CHECK(result.payments[0].rule == "aterbetalning");
  CHECK(result.currency == "SEK");

  // The JSON form carries amounts as strings.
  auto j = nlohmann::json::parse(result.to_json());
  CHECK(j["ok"] == true);
  CHECK(j["payments"][0]["amount"] == "26700000.00");
  CHECK(j["totals"][0]["amount"] == "42000000.00");
}

TEST_CASE("api: integer-and-scale values are exact") {
  CHECK(utfall::Value::decimal(19987654321, 2).text() == "199876543.21");
  CHECK(utfall::Value::decimal(-75, 3).text() == "-0.075");
  CHECK(utfall::Value::decimal(5, 0).text() == "5");
  CHECK(utfall::Value::decimal(INT64_MIN, 18).text() == "-9.223372036854775808");
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  auto data = scenario_a(kPlan);
  const std::int64_t cents[] = {19987654321, 19123456789, 17249999995, 15833333333, 14100000001};
  for (std::size_t t = 0; t < kYears.size(); ++t) data.series["hemtjanst_kostnad"][kYears[t]] = utfall::Value::decimal(cents[t], 2);
  CHECK(paid_a(engine.evaluate(contract, data)) == kMessyPaid);
}

TEST_CASE("api: scenario C from participant records") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioC);
  utfall::Data data;
  auto& r = data.participants["ungdomar"];
  r.fields = {"id", "inskriven", "stabil", "narvaro", "nytt_brott"};
  r.rows = {{"Y01", "2025", true, "92", false},  {"Y02", "2025", "yes", "79", "no"}, {"Y03", "2025", "no", "85 %", "yes"},
            {"Y04", "2026", "ja", "80.0", "nej"}, {"Y05", "2026", "1", "95", "1"},   {"Y06", "2026", true, "60", false},
            {"Y07", "2026", true, "88", false},  {"Y08", "2026", true, "79.9", false}};
  auto result = engine.evaluate(contract, data);
  for (const auto& m : result.messages) INFO(m.rendered);
  REQUIRE(result.ok);
  std::map<std::string, std::string> totals;
  for (const auto& t : result.totals) totals[t.from + "->" + t.to] = t.amount;
  // The scenario's totals: kommun pays 1 080 000 + 3 100 000 + 2 665 000; the financier puts in
  // 3 840 000 and gets back 3 902 500.
  CHECK(totals == std::map<std::string, std::string>{
                      {"kommun->humana", "6845000.00"}, {"finansiar->humana", "3840000.00"}, {"humana->finansiar", "3902500.00"}});
}

TEST_CASE("api: totals past what a machine word holds in öre are exact") {
  // Totals are added up in öre while they fit int64 (at most 92 233 720 368 547 758.07 SEK) and
  // exactly beyond. By hand: kommun -> fonden 2 x 60 000 000 000 000 000.00 (each line fits, the
  // total does not); kommun -> staten 2 x 100 000 000 000 000 000.50 (no line fits); fonden ->
  // kommun 2 x 1.05; and kommun -> fonden 2 x 2.50 EUR, a total of its own (totals are per
  // currency).
  const std::string text = R"(contract "Stora belopp"
currency SEK
currency EUR
party kommun "Kommunen"
party fonden "Fonden"
party staten "Staten"
periods yearly 2025 .. 2026
clause "1" "Stort" {
  pay stor: kommun -> fonden
    amount 60_000_000_000_000_000 SEK
}
clause "2" "Större" {
  pay jatte: kommun -> staten
    amount 100_000_000_000_000_000.50 SEK
}
clause "3" "Tillbaka" {
  pay tillbaka: fonden -> kommun
    amount 1.05 SEK
}
clause "4" "I euro" {
  pay euro: kommun -> fonden
    amount 2.50 EUR
}
)";
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, text);
  auto bound = engine.bind(contract, utfall::Data{});
  REQUIRE(bound.data);
  utfall::Session session(engine, contract);
  for (int round = 0; round < 3; ++round) {  // the first evaluation walks the tree, the later ones may not
    const auto& r = session.evaluate(*bound.data);
    REQUIRE(r.ok);
    REQUIRE(r.payments.size() == 8);
    CHECK(r.payments[0].amount == "60000000000000000.00");
    CHECK(r.payments[1].amount == "100000000000000000.50");
    CHECK(r.payments[2].amount == "1.05");
    CHECK(r.payments[3].amount + " " + r.payments[3].currency == "2.50 EUR");
    REQUIRE(r.totals.size() == 4);  // by payer, payee, then currency as declared
    auto total = [&](std::size_t i) { return r.totals[i].from + "->" + r.totals[i].to + " " + r.totals[i].amount + " " + r.totals[i].currency; };
    CHECK(total(0) == "kommun->fonden 120000000000000000.00 SEK");
    CHECK(total(1) == "kommun->fonden 5.00 EUR");
    CHECK(total(2) == "kommun->staten 200000000000000001.00 SEK");
    CHECK(total(3) == "fonden->kommun 2.10 SEK");
  }
}

TEST_CASE("api: term overrides, bound data evaluated many times") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  auto bound = engine.bind(contract, scenario_a(kPlan));
  REQUIRE(bound.data);
  CHECK(paid_a(engine.evaluate(contract, *bound.data)) == kPlanPaid);
  // premieandel 25 %: 2027: 21 000 000 principal + 25 % of (40 000 000 - 21 000 000) = 25 750 000;
  // 2028: 28 000 000 + min(25 % of 62 000 000, 7 000 000) = 35 000 000, less 25 750 000 = 9 250 000;
  // 2029: 35 000 000 + 7 000 000 - 35 000 000 = 7 000 000.
  utfall::Options what_if;
  what_if.terms["premieandel"] = "25 %";
  CHECK(paid_a(engine.evaluate(contract, *bound.data, what_if)) ==
        Column{"0.00", "0.00", "25750000.00", "9250000.00", "7000000.00"});
  CHECK(paid_a(engine.evaluate(contract, *bound.data)) == kPlanPaid);  // the bound data is unchanged

  utfall::Options wrong;
  wrong.terms["premieandel"] = "25 SEK";
  auto r = engine.evaluate(contract, *bound.data, wrong);
  CHECK_FALSE(r.ok);
  CHECK(first_code(r.messages) == "E214");
  wrong.terms = {{"no_such_term", "1"}};
  CHECK(first_code(engine.evaluate(contract, *bound.data, wrong).messages) == "E214");

  auto other = compile_or_fail(engine, kScenarioA);  // compiled again: a different contract
  auto mismatch = engine.evaluate(other, *bound.data);
  CHECK_FALSE(mismatch.ok);
  CHECK(first_code(mismatch.messages) == "E532");
}

TEST_CASE("api: the explanation trace of each payment, on request") {
  utfall::Engine engine;
  auto contract = compile_or_fail(engine, kScenarioA);
  utfall::Options options;
  CHECK(engine.evaluate(contract, scenario_a(kPlan), options).traces.empty());  // only on request
  options.trace = true;
  auto r = engine.evaluate(contract, scenario_a(kPlan), options);
  REQUIRE(r.ok);
  // The waterfall applies from 2027: one trace per period, each explaining its one payment.
  REQUIRE(r.traces.size() == 3);
  for (const auto& t : r.traces) {
    CHECK(t.clause == "3.2");
    CHECK(t.waterfall);
    REQUIRE(t.payments.size() == 1);
    CHECK(r.payments[t.payments[0]].period == t.period);
  }
  const auto& t = r.traces[1];  // 2028
  CHECK(t.period == "2028");
  auto find = [&](const std::string& kind, const std::string& label) -> const utfall::Result::TraceStep* {
    for (const auto& s : t.steps)
      if (s.kind == kind && s.label.rfind(label, 0) == 0) return &s;
    return nullptr;
  };
  // Freed to date 2025..2028: 0 + 10 + 30 + 50 million; principal: 4 x 7 million drawn.
  REQUIRE(find("amount", "pool"));
  CHECK(find("amount", "pool")->value == "90000000.00");
  CHECK(find("amount", "pool")->unit == "SEK");
  REQUIRE(find("tier", "kapital"));
  CHECK(find("tier", "kapital")->value == "28000000.00");
  // 30 % of the 62 000 000 left is 18 600 000; the cap of 7 000 000 cuts 11 600 000.
  REQUIRE(find("bound", "capped at"));
  CHECK(find("bound", "capped at")->value == "7000000.00");
  CHECK(find("bound", "capped at")->note.find("cut by 11,600,000.00 SEK") != std::string::npos);
  // 28 000 000 + 7 000 000 due to date, less 26 700 000 paid in 2027.
  REQUIRE(find("netting", "netted"));
  CHECK(find("netting", "netted")->value == "8300000.00");
  REQUIRE(find("input", "hemtjanst_kostnad"));
  auto json = nlohmann::json::parse(r.to_json());
  CHECK(json["traces"][1]["steps"][0]["kind"] == "amount");
  CHECK(json["traces"][1]["payments"][0] == t.payments[0]);
}

TEST_CASE("api: introspection names what a host needs to build a form") {
  utfall::Engine engine;
  auto a = compile_or_fail(engine, kScenarioA);
  CHECK(a.title() == "Starkare, friskare och självständigare äldre");
  CHECK(a.currency() == "SEK");
  CHECK(a.minor_unit() == "0.01");
  CHECK(a.periods() == kYears);
  REQUIRE(a.parties().size() == 2);
  CHECK(a.parties()[0].id == "kommun");
  CHECK(a.parties()[0].name == "Kommunen");
  REQUIRE(a.inputs().size() == 2);
  CHECK(a.inputs()[0].name == "hemtjanst_kostnad");
  CHECK_FALSE(a.inputs()[0].participants);
  CHECK(a.inputs()[0].type.kind == utfall::Contract::Type::Kind::number);
  CHECK(a.inputs()[0].type.unit == "SEK");
  CHECK(a.inputs()[0].periods == kYears);
  REQUIRE(a.terms().size() == 3);
  CHECK(a.terms()[0].name == "baslinje");
  CHECK(a.terms()[0].value == "200000000");
  CHECK(a.terms()[0].type.unit == "SEK");
  CHECK(a.terms()[1].value == "0.3");  // 30 %
  CHECK(a.terms()[1].type.unit.empty());
  REQUIRE(a.clauses().size() == 2);
  CHECK(a.clauses()[0].number == "3.1");
  CHECK(a.clauses()[0].definitions == std::vector<std::string>{"frigjort"});
  CHECK(a.clauses()[1].payments == std::vector<std::string>{"aterbetalning"});
  CHECK(a.examples() == std::vector<std::string>{"plan", "messy", "fail"});

  auto c = compile_or_fail(engine, kScenarioC);
  REQUIRE(c.inputs().size() == 1);
  const auto& u = c.inputs()[0];
  CHECK(u.participants);
  REQUIRE(u.fields.size() == 5);
  CHECK(u.fields[1].type.kind == utfall::Contract::Type::Kind::period);
  CHECK(u.fields[2].type.kind == utfall::Contract::Type::Kind::boolean);
  CHECK(u.fields[3].name == "narvaro");
  CHECK(u.fields[3].type.percent);

  auto j = nlohmann::json::parse(c.to_json());
  CHECK(j["inputs"][0]["fields"][3]["type"]["percent"] == true);
  CHECK(j["terms"][0]["value"] == "360000");
}

TEST_CASE("api: problems are values that name where they are") {
  utfall::Engine engine;
  // Line 6: `1 SEK + 2` adds money to a plain number.
  auto compiled =
      engine.compile("contract \"t\"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2025\nterm x = 1 SEK + 2\n", "bad.utfall");
  CHECK_FALSE(compiled.contract);
  REQUIRE_FALSE(compiled.messages.empty());
  const auto& m = compiled.messages.front();
  CHECK(m.kind == utfall::Message::Kind::type);
  CHECK(m.file == "bad.utfall");
  CHECK(m.line == 6);
  CHECK(m.column == 10);
  CHECK(m.rendered.find("bad.utfall:6:10") != std::string::npos);

  auto contract = compile_or_fail(engine, kScenarioA);
  auto data = scenario_a(kPlan);
  data.series["avropat"]["2027"] = "7,000,000";
  auto r = engine.evaluate(contract, data);
  CHECK_FALSE(r.ok);
  REQUIRE_FALSE(r.messages.empty());
  CHECK(r.messages.front().code == "E528");
  CHECK(r.messages.front().location == "data (series): period 2027, column `avropat`");

  data = scenario_a(kPlan);
  data.series["avropat"].erase("2028");
  r = engine.evaluate(contract, data);
  CHECK(first_code(r.messages) == "E524");
  CHECK(r.messages.front().text.find("2028") != std::string::npos);

  data = scenario_a(kPlan);
  data.series["avropat"]["2031"] = "1";
  r = engine.evaluate(contract, data);
  CHECK(first_code(r.messages) == "E522");
  CHECK(r.messages.front().location.find("period 2031") != std::string::npos);

  // A period the host took from its users, with an escape sequence: quoted escaped, cut short.
  data = scenario_a(kPlan);
  data.series["avropat"]["\x1b[2J" + std::string(60, '9')] = "1";
  r = engine.evaluate(contract, data);
  CHECK(first_code(r.messages) == "E522");
  std::string shown = "\\x1b[2J" + std::string(36, '9') + "…";
  CHECK(r.messages.front().location.find("period " + shown) != std::string::npos);
  CHECK(r.messages.front().text.find("`" + shown + "` is not a period") != std::string::npos);
  CHECK(r.messages.front().rendered.find('\x1b') == std::string::npos);

  data = scenario_a(kPlan);
  data.series["avropt"]["2025"] = "1";  // misspelt input
  r = engine.evaluate(contract, data);
  CHECK(first_code(r.messages) == "E521");
}

TEST_CASE("api: data files are read only when the host names them") {
  utfall::Engine engine;
  // The example names a file that does not exist: evaluation never looks at it.
  auto text = kScenarioA + "\nexample \"elsewhere\" data \"/nonexistent/secret.csv\" {\n}\n";
  auto contract = compile_or_fail(engine, text);
  CHECK(paid_a(engine.evaluate(contract, scenario_a(kPlan))) == kPlanPaid);

  utfall::Data files;
  files.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/messy.csv");
  CHECK(paid_a(engine.evaluate(contract, files)) == kMessyPaid);

  utfall::Data in_memory;
  in_memory.documents.push_back({"plan.csv", "csv", read("examples/a-aldreomsorg/plan.csv")});
  CHECK(paid_a(engine.evaluate(contract, in_memory)) == kPlanPaid);

  utfall::Data missing;
  missing.files.push_back("/nonexistent/plan.csv");
  auto r = engine.evaluate(contract, missing);
  CHECK_FALSE(r.ok);
  CHECK(first_code(r.messages) == "E801");
  CHECK(r.messages.front().text.find("/nonexistent/plan.csv") != std::string::npos);
}

TEST_CASE("api: each limit ends the work with a limit message") {
  SECTION("nesting depth") {
    utfall::Config config;
    config.limits.max_nesting = 3;
    utfall::Engine strict(config), lenient;
    std::string text = "contract \"t\"\ncurrency SEK\nparty a\nperiods yearly 2025 .. 2025\nterm x = ((((1))))\n";
    auto compiled = strict.compile(text);
    CHECK_FALSE(compiled.contract);
    CHECK(first_code(compiled.messages) == "E706");
    CHECK(compiled.messages.front().text.find("limit of 3") != std::string::npos);
    CHECK(lenient.compile(text).contract);  // two engines, two configurations
  }
  SECTION("size of a contract") {
    utfall::Config config;
    config.limits.max_source_bytes = 100;
    auto compiled = utfall::Engine(config).compile(kScenarioA);
    CHECK_FALSE(compiled.contract);
    CHECK(first_code(compiled.messages) == "E701");
    CHECK(compiled.messages.front().kind == utfall::Message::Kind::limit);
  }
  SECTION("number size: a data value") {
    utfall::Config config;
    config.limits.max_digits = 8;  // 200 000 000 has nine digits
    utfall::Engine engine(config);
    auto r = engine.evaluate(compile_or_fail(engine, kScenarioA), scenario_a(kPlan));
    CHECK_FALSE(r.ok);
    CHECK(first_code(r.messages) == "E704");
    CHECK(r.messages.front().kind == utfall::Message::Kind::limit);
    CHECK(r.messages.front().location == "`hemtjanst_kostnad` in period 2025");
  }
  SECTION("number size: a participant's value") {
    // narvaro is a percent: 123456789 % is 123456789/100, nine digits; 12345678 % is 6172839/50, seven.
    utfall::Config config;
    config.limits.max_digits = 8;
    utfall::Engine engine(config);
    auto contract = compile_or_fail(engine, kScenarioC);
    utfall::Data data;
    auto& recs = data.participants["ungdomar"];
    recs.fields = {"id", "inskriven", "stabil", "narvaro", "nytt_brott"};
    recs.rows = {{"Y01", "2025", true, "12345678", false}, {"Y02", "2025", true, "123456789", false}};
    auto r = engine.evaluate(contract, data);
    CHECK_FALSE(r.ok);
    CHECK(first_code(r.messages) == "E704");
    CHECK(r.messages.front().location == "`ungdomar`, record 2, field `narvaro`");
    recs.rows.pop_back();
    CHECK(first_code(engine.evaluate(contract, data).messages) != "E704");
    // Over a limit above what a cell's decimal can have: only a value kept whole can pass it.
    utfall::Config wide;
    wide.limits.max_digits = 25;
    utfall::Engine wide_engine(wide);
    recs.rows = {{"Y01", "2025", true, "60", false}, {"Y02", "2025", true, "12345678901234567890123456789", false}};
    auto over = wide_engine.evaluate(compile_or_fail(wide_engine, kScenarioC), data);
    CHECK(first_code(over.messages) == "E704");
    CHECK(over.messages.front().location == "`ungdomar`, record 2, field `narvaro`");
  }
  SECTION("number size: a computed value") {
    utfall::Config config;
    config.limits.max_digits = 8;
    utfall::Engine engine(config);
    auto contract = compile_or_fail(engine,
                                    "contract \"t\"\ncurrency SEK\nparty a\nparty b\nperiods yearly 2025 .. 2025\n"
                                    "input x : SEK per period\nclause \"1\" {\n  pay a -> b amount x * x / 1 SEK\n}\n");
    utfall::Data data;
    data.series["x"]["2025"] = "123456";  // six digits; its square has eleven
    auto r = engine.evaluate(contract, data);
    CHECK_FALSE(r.ok);
    CHECK(first_code(r.messages) == "E704");
    CHECK(r.messages.front().line == 8);
    data.series["x"]["2025"] = "1234";  // 1 522 756: seven digits
    auto fine = engine.evaluate(contract, data);
    REQUIRE(fine.ok);
    CHECK(fine.payments.at(0).amount == "1522756.00");
  }
  SECTION("evaluation steps") {
    utfall::Config config;
    config.limits.max_steps = 50;
    utfall::Engine engine(config);
    auto r = engine.evaluate(compile_or_fail(engine, kScenarioA), scenario_a(kPlan));
    CHECK_FALSE(r.ok);
    CHECK(first_code(r.messages) == "E705");
    CHECK(r.messages.front().kind == utfall::Message::Kind::limit);
  }
  SECTION("participant records and data size") {
    utfall::Data data;
    data.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/c-tfco/data.csv");  // 8 records, 240 bytes
    utfall::Config few;
    few.limits.max_participants = 5;
    utfall::Engine e1(few);
    auto r = e1.evaluate(compile_or_fail(e1, kScenarioC), data);
    CHECK_FALSE(r.ok);
    CHECK(r.messages.front().kind == utfall::Message::Kind::limit);
    CHECK(r.messages.front().code == "E701");  // more rows than the limit, refused while reading

    utfall::Config small;
    small.limits.max_data_bytes = 100;
    utfall::Engine e2(small);
    r = e2.evaluate(compile_or_fail(e2, kScenarioC), data);
    CHECK(first_code(r.messages) == "E702");  // the file is larger than the limit

    // The same limits for records the host supplies as values.
    utfall::Data values;
    auto& recs = values.participants["ungdomar"];
    recs.fields = {"id", "inskriven", "stabil", "narvaro", "nytt_brott"};
    for (int i = 0; i < 8; ++i) recs.rows.push_back({"Y" + std::to_string(i), "2025", true, "90", false});
    r = e1.evaluate(compile_or_fail(e1, kScenarioC), values);
    CHECK(first_code(r.messages) == "E709");
    small.limits.max_data_bytes = 60;  // 8 records of 2 + 4 + 4 + 2 + 5 = 17 bytes
    utfall::Engine e3(small);
    r = e3.evaluate(compile_or_fail(e3, kScenarioC), values);
    CHECK(first_code(r.messages) == "E708");
    small.limits.max_data_bytes = 200;
    r = utfall::Engine(small).evaluate(compile_or_fail(e3, kScenarioC), values);
    CHECK(r.ok);

    // A CSV text is kept whole, padding and all, and counts so: two documents of 220 bytes, each
    // under a limit of 300 and holding 14 bytes of values, hold 440 bytes together.
    utfall::Data padded;
    for (const char* label : {"a.csv", "b.csv"}) {
      std::string csv = "id,inskriven,stabil,narvaro,nytt_brott\nY01,2025,yes,92,no\n";  // 58 bytes
      csv += std::string(220 - csv.size() - 1, ' ') + "\n";  // a blank line to 220 bytes
      REQUIRE(csv.size() == 220);
      padded.documents.push_back({label, "csv", csv});
    }
    small.limits.max_data_bytes = 300;
    r = utfall::Engine(small).evaluate(compile_or_fail(e3, kScenarioC), padded);
    CHECK(first_code(r.messages) == "E708");
  }
}

TEST_CASE("api: one compiled contract evaluated from several threads at once") {
  utfall::Engine engine;
  utfall::Config tight;
  tight.limits.max_steps = 50;
  utfall::Engine limited(tight);
  const auto contract = compile_or_fail(engine, kScenarioA);
  const Column* data_sets[] = {&kPlan, &kMessy, &kFail};
  const Column* expected[] = {&kPlanPaid, &kMessyPaid, &kFailPaid};
  auto shared = engine.bind(contract, scenario_a(kPlan));
  REQUIRE(shared.data);
  const Column what_if{"0.00", "0.00", "25750000.00", "9250000.00", "7000000.00"};  // premieandel 25 %, by hand above

  std::atomic<int> wrong{0}, done{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 30; ++i) {
        int which = (k + i) % 3;
        if (paid_a(engine.evaluate(contract, scenario_a(*data_sets[which]))) != *expected[which]) ++wrong;
        utfall::Options options;
        if (k % 2) options.terms["premieandel"] = "25 %";
        if (paid_a(engine.evaluate(contract, *shared.data, options)) != (k % 2 ? what_if : kPlanPaid)) ++wrong;
        if (limited.evaluate(contract, *shared.data).ok) ++wrong;  // another engine, its own limit
        ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(done == 240);
  CHECK(wrong == 0);
}

TEST_CASE("api: a Result lists the records `at most N per KEY` did not pay, with where each was read") {
  // examples/j-ledger, by hand (its comments): claims.csv rows 3 (P1's second job, 2025), 6 (P2's
  // third step into studies, 2026) and 7 (P1's job of 2027) are chosen by their filter and not paid.
  utfall::Engine engine;
  auto compiled = engine.compile_file(std::string(UTFALL_SOURCE_DIR) + "/examples/j-ledger/contract.utfall");
  REQUIRE(compiled.contract);
  utfall::Data data;
  for (const char* f : {"deltagare.csv", "claims.csv"}) data.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/j-ledger/" + f);
  auto bound = engine.bind(*compiled.contract, data);
  REQUIRE(bound.data);
  utfall::Session session(engine, *compiled.contract);
  const auto& r = session.evaluate(*bound.data);
  REQUIRE(r.ok);
  REQUIRE(r.not_paid.size() == 3);
  const std::size_t rows[] = {3, 6, 7};
  const char* periods[] = {"2025", "2026", "2027"};
  const char* rules[] = {"arbete", "studier", "arbete"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& n = r.not_paid[i];
    CHECK(n.period == periods[i]);
    CHECK(n.rule == rules[i]);
    CHECK(n.records == "claims");
    CHECK(n.record == rows[i]);
    CHECK(n.row == rows[i]);
    CHECK(n.line == rows[i] + 1);  // after the header line
    CHECK(n.file.size() >= 10);
    CHECK(n.file.substr(n.file.size() - 10) == "claims.csv");
    CHECK(n.from == "kommun");
    CHECK(n.to == "utforare");
  }
  auto json = nlohmann::json::parse(r.to_json());
  CHECK(json["not_paid"].size() == 3);
  CHECK(json["not_paid"][1]["row"] == 6);
  // A contract without such a payment has none, and no key in its JSON.
  auto a = compile_or_fail(engine, kScenarioA);
  utfall::Data plan;
  plan.files.push_back(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/plan.csv");
  auto bound_a = engine.bind(a, plan);
  REQUIRE(bound_a.data);
  utfall::Session sa(engine, a);
  const auto& ra = sa.evaluate(*bound_a.data);
  REQUIRE(ra.ok);
  CHECK(ra.not_paid.empty());
  CHECK_FALSE(nlohmann::json::parse(ra.to_json()).contains("not_paid"));
}
