// Participants as lanes (interpreter/fast_participants.hpp) against the general evaluator's own
// loop: on generated records (many decimals, values beyond int64, fractions that do not
// terminate, zeros where a division reads them), both paths must give the same payments, the
// same diagnostics and the same count of steps, and every limit must stop both at the same
// value; the lanes must really be taken where they should. Payments of scenario C are also
// recomputed here by hand from the records, as docs/language.md states the rules.
#include <catch2/catch.hpp>

#include <string>

#include "interpreter/pipeline.hpp"
#include "tests/tools/compiled.hpp"
#include "tests/tools/splitmix.hpp"

using namespace utfall;

namespace {

using test_support::compiled_file;
using test_support::compiled_text;
using test_support::Random;

// A number of `poang` in one of several shapes; `wild` adds those the lanes cannot hold.
Number points(Random& rng, bool wild) {
  switch (rng.next() % (wild ? 12 : 8)) {
    case 0: return Number{};
    case 1: return Number::fraction(rng.range(0, 999'999), 1'000'000);               // six decimals
    case 2: return Number::fraction(rng.range(0, 99), 100);
    case 3: return Number::fraction(1, 2);                                            // the threshold itself
    case 8: return Number::fraction(rng.range(1, 9) * 3 + 1, 3);                      // does not terminate
    case 9: return *Number::parse_decimal("12345678901234567890123.5");               // beyond int64
    case 10: return Number::fraction(rng.range(1, 999'999'999), 1'000'000'000'000'000'000LL);  // 18 decimals
    case 11: return Number::fraction(9'000'000'000'000'000LL + rng.range(0, 999), 1000);  // overflows when multiplied
    default: return Number::fraction(rng.range(0, 3000), 1000);
  }
}

// Records for tests/data/lanes/contract.utfall (id, start, klar, poang, kostnad, andel) and
// the series `bas`.
Dataset lanes_data(const checked::Contract& c, Random& rng, std::size_t records, bool wild) {
  Dataset d;
  d.series.resize(c.inputs.size());
  d.participants.resize(c.inputs.size());
  const int set = *c.input_index("deltagare"), bas = *c.input_index("bas");
  for (std::size_t t = 0; t < c.periods.size(); ++t) {
    d.series[static_cast<std::size_t>(bas)].push_back(Number::fraction(rng.range(0, 400'000), 100));
  }
  for (std::size_t r = 0; r < records; ++r) {
    std::vector<checked::Value> rec;
    rec.emplace_back("P" + std::to_string(r + 1));
    rec.emplace_back(checked::PeriodValue{static_cast<int>(rng.range(0, 2))});
    rec.emplace_back(rng.next() % 3 == 0);
    rec.emplace_back(points(rng, wild));
    std::int64_t ore = rng.next() % 10 == 0 ? -rng.range(0, 100'000) : rng.range(0, 400'000);
    rec.emplace_back(Number::fraction(ore, 100));
    rec.emplace_back(Number::fraction(rng.range(0, 1000), 1000));  // a percentage as its fraction
    d.participants[static_cast<std::size_t>(set)].push_back(std::move(rec));
  }
  return d;
}

EvalOptions general_path() {
  EvalOptions o;
  o.fast = false;
  return o;
}

void require_same(const Evaluation& lanes, const Evaluation& general) {
  REQUIRE(general.lane_records == 0);
  REQUIRE(lanes.ok == general.ok);
  REQUIRE(lanes.lines.size() == general.lines.size());
  for (std::size_t i = 0; i < lanes.lines.size(); ++i) {
    INFO("line " << i << ": " << lanes.lines[i].amount.to_string() << " against " << general.lines[i].amount.to_string());
    REQUIRE(lanes.lines[i].amount == general.lines[i].amount);
    REQUIRE(lanes.lines[i].rule == general.lines[i].rule);
  }
  REQUIRE(lanes.diagnostics.size() == general.diagnostics.size());
  for (std::size_t i = 0; i < lanes.diagnostics.size(); ++i) {
    REQUIRE(lanes.diagnostics[i].code == general.diagnostics[i].code);
    REQUIRE(lanes.diagnostics[i].message == general.diagnostics[i].message);
  }
  // The same count of steps: the lanes count what the loop would have.
  if (general.ok) REQUIRE(lanes.steps == general.steps);
}

}  // namespace

TEST_CASE("participant lanes: the test contract gives the general evaluator's payments and steps", "[lanes][differential]") {
  auto c = compiled_file("tests/data/lanes/contract.utfall");
  Random rng{20261202};
  std::size_t taken = 0, wild_sets = 0;
  for (int i = 0; i < 120; ++i) {
    const bool wild = i % 3 == 2;
    Dataset d = lanes_data(*c, rng, static_cast<std::size_t>(rng.range(1, 700)), wild);
    Evaluation lanes = evaluate(*c, d);
    Evaluation general = evaluate(*c, d, general_path());
    INFO("data set " << i << (wild ? " (wild)" : ""));
    require_same(lanes, general);
    if (!wild) REQUIRE(lanes.lane_records > 0);  // every record of a clean set fits the lanes
    taken += lanes.lane_records > 0;
    wild_sets += wild;
  }
  REQUIRE(taken > 80);
  REQUIRE(wild_sets == 40);
}

TEST_CASE("participant lanes: a record's failure is the general evaluator's diagnostic", "[lanes]") {
  auto c = compiled_file("tests/data/lanes/contract.utfall");
  Random rng{7};
  Dataset d = lanes_data(*c, rng, 300, false);
  const int set = *c->input_index("deltagare");
  auto& records = d.participants[static_cast<std::size_t>(set)];
  SECTION("a value that overflows int64 in one record only: the general evaluator pays it exactly") {
    records.set(123, 3, Number::fraction(9'000'000'000'000'000LL, 1000));
    records.set(123, 2, true);  // vikt = poang * 2, then * pris: beyond int64 on the lanes
    records.set(123, 1, checked::PeriodValue{0});
    Evaluation lanes = evaluate(*c, d), general = evaluate(*c, d, general_path());
    require_same(lanes, general);
    REQUIRE(lanes.ok);
  }
  SECTION("a period outside the calendar, given by hand: both paths say the same") {
    records.set(40, 1, checked::PeriodValue{7});  // the calendar has three periods
    records.set(41, 1, checked::PeriodValue{-2});
    Evaluation lanes = evaluate(*c, d), general = evaluate(*c, d, general_path());
    require_same(lanes, general);
  }
  SECTION("a fraction that does not terminate: the lanes step aside, and the general evaluator pays it") {
    records.set(5, 3, Number::fraction(1, 3));
    records.set(5, 2, true);
    records.set(5, 1, checked::PeriodValue{2});  // chosen by `a` in 2027: pris * 2/3, rounded
    Evaluation lanes = evaluate(*c, d), general = evaluate(*c, d, general_path());
    require_same(lanes, general);
    REQUIRE(lanes.ok);
  }
}

TEST_CASE("participant lanes: division by zero in a record is E601 on both paths, and unread it stops nothing", "[lanes]") {
  auto make = [](const std::string& amount) {
    std::string text =
        "contract \"D\"\ncurrency SEK\nparty kommun\nparty utforare\nperiods yearly 2025 .. 2026\n"
        "input deltagare : participants {\n  id : text\n  x : number\n  klar : boolean\n}\n"
        "clause \"1\" {\n  pay a: kommun -> utforare for each u in deltagare\n    amount " + amount + "\n    rounded half_up to 0.01\n}\n";
    return compiled_text(text);
  };
  Dataset d;
  d.series.resize(1);
  d.participants.resize(1);
  // x in 0, 1, 2, 4, 5, 8: every quotient 100 / x is exact at 6 decimals (the lanes' rule).
  const int xs[] = {0, 1, 2, 4, 5, 8};
  for (int r = 0; r < 50; ++r) d.participants[0].push_back({std::string("P") + std::to_string(r), Number::from_int(xs[r % 6]), r % 6 != 0});
  SECTION("read") {
    auto c = make("100 SEK / u.x");
    Evaluation lanes = evaluate(*c, d), general = evaluate(*c, d, general_path());
    require_same(lanes, general);
    REQUIRE(!lanes.ok);
    REQUIRE(lanes.diagnostics.front().code == "E601");
  }
  SECTION("read by one record only, in the amount or in the filter") {
    // One failed amount among good ones is not hidden by the sum: a sum that took it would not
    // overflow, and would be wrong.
    Dataset one = d;
    for (int r = 0; r < 50; ++r)
      if (r % 6 == 0) one.participants[0].set(static_cast<std::size_t>(r), 1, Number::from_int(r == 18 ? 0 : 4));
    auto amount = make("100 SEK / u.x");
    Evaluation lanes = evaluate(*amount, one), general = evaluate(*amount, one, general_path());
    require_same(lanes, general);
    REQUIRE(!lanes.ok);
    REQUIRE(lanes.diagnostics.front().code == "E601");
    const std::string filtered =
        "contract \"D\"\ncurrency SEK\nparty kommun\nparty utforare\nperiods yearly 2025 .. 2026\n"
        "input deltagare : participants {\n  id : text\n  x : number\n  klar : boolean\n}\n"
        "clause \"1\" {\n  pay a: kommun -> utforare for each u in deltagare where 100 / u.x > 20\n    amount 1 SEK\n}\n";
    // A count has a filter and no amount: the filter's own check is all that stops it.
    const std::string counted =
        "contract \"D\"\ncurrency SEK\nparty kommun\nparty utforare\nperiods yearly 2025 .. 2026\n"
        "input deltagare : participants {\n  id : text\n  x : number\n  klar : boolean\n}\n"
        "clause \"1\" {\n  pay a: kommun -> utforare amount count(u in deltagare where 100 / u.x > 20) * 1 SEK\n}\n";
    for (const auto& text : {filtered, counted}) {
      auto filter = compiled_text(text);
      lanes = evaluate(*filter, one), general = evaluate(*filter, one, general_path());
      require_same(lanes, general);
      REQUIRE(!lanes.ok);
      REQUIRE(lanes.diagnostics.front().code == "E601");
    }
    // Without the record of x = 0, the lanes take the count: 100 / x > 20 for x = 1, 2 and 4 (by
    // hand: records r % 6 in {0, 1, 2, 3}, x = 4 now where it was 0: 34 of 50), in each period.
    one.participants[0].set(18, 1, Number::from_int(4));
    auto count = compiled_text(counted);
    lanes = evaluate(*count, one);
    REQUIRE(lanes.ok);
    REQUIRE(lanes.lane_records == 100);
    REQUIRE(lanes.lines.at(0).amount == Number::from_int(34));
  }
  SECTION("guarded by the condition of an `if`") {
    auto c = make("if u.klar then 100 SEK / u.x else 1 SEK");
    Evaluation lanes = evaluate(*c, d), general = evaluate(*c, d, general_path());
    require_same(lanes, general);
    REQUIRE(lanes.ok);
    REQUIRE(lanes.lane_records == 100);  // two periods of 50 records
    // By hand: in each period, the records with x = 0 pay 1, the others 100 / x, exact in öre.
    Number expected;
    for (int r = 0; r < 50; ++r) expected += r % 6 == 0 ? Number::from_int(1) : Number::fraction(100, xs[r % 6]);
    REQUIRE(lanes.lines.at(0).amount == expected);
  }
}

TEST_CASE("participant lanes: every limit stops both paths at the same value", "[lanes]") {
  auto c = compiled_file("tests/data/lanes/contract.utfall");
  Random rng{99};
  Dataset d = lanes_data(*c, rng, 200, false);
  Evaluation general = evaluate(*c, d, general_path());
  REQUIRE(general.ok);
  const std::uint64_t steps = general.steps;
  for (std::uint64_t limit : {steps, steps - 1, steps / 2}) {
    EvalOptions on, off = general_path();
    on.limits.max_steps = off.limits.max_steps = limit;
    Evaluation a = evaluate(*c, d, on), b = evaluate(*c, d, off);
    INFO("max_steps " << limit);
    require_same(a, b);
    REQUIRE(a.ok == (limit >= steps));
    if (!a.ok) REQUIRE(a.diagnostics.front().code == "E705");
  }
  // The least max_work with which the general evaluator pays, found by bisection.
  auto pays = [&](std::uint64_t work, bool fast) {
    EvalOptions o = fast ? EvalOptions{} : general_path();
    o.limits.max_work = work;
    return evaluate(*c, d, o).ok;
  };
  std::uint64_t lo = 0, hi = 1'000'000'000;
  while (lo + 1 < hi) {
    std::uint64_t mid = lo + (hi - lo) / 2;
    (pays(mid, false) ? hi : lo) = mid;
  }
  REQUIRE(pays(hi, true));
  REQUIRE_FALSE(pays(hi - 1, true));
  EvalOptions tight;
  tight.limits.max_work = hi - 1;
  REQUIRE(evaluate(*c, d, tight).diagnostics.front().code == "E711");
  // Depth: the loops nest a few levels; a limit below them is E703 on both paths.
  for (std::size_t depth : {3u, 6u, 9u, 12u}) {
    EvalOptions on, off = general_path();
    on.limits.max_depth = off.limits.max_depth = depth;
    INFO("max_depth " << depth);
    require_same(evaluate(*c, d, on), evaluate(*c, d, off));
  }
}

TEST_CASE("participant lanes: scenario C pays what its rules give, computed here by hand", "[lanes]") {
  auto c = compiled_file("examples/c-tfco/contract.utfall");
  Random rng{2025};
  Dataset d;
  d.series.resize(c->inputs.size());
  d.participants.resize(c->inputs.size());
  const int set = *c->input_index("ungdomar");
  // By hand (the contract's clauses 6.1 to 7.1): per period, grund = 360 000 per enrolled,
  // utfall = 650 000 * (0.4 stable + 0.3 attendance >= 80 % + 0.3 no new offence) per one enrolled
  // the period before, rounded to öre (exact here), forskott = 480 000 per enrolled.
  std::vector<Number> grund(3), utfall(3), forskott(3);
  for (int r = 0; r < 5000; ++r) {
    int start = static_cast<int>(rng.range(0, 2));
    bool stable = rng.next() % 5 != 0, offence = rng.next() % 4 == 0;
    Number attendance = Number::fraction(rng.range(500, 1000), 1000);
    d.participants[static_cast<std::size_t>(set)].push_back(
        {std::string("Y") + std::to_string(r), checked::PeriodValue{start}, stable, attendance, offence});
    grund[static_cast<std::size_t>(start)] += Number::from_int(360'000);
    forskott[static_cast<std::size_t>(start)] += Number::from_int(480'000);
    Number score = (stable ? Number::fraction(4, 10) : Number{}) + (attendance >= Number::fraction(8, 10) ? Number::fraction(3, 10) : Number{}) +
                   (!offence ? Number::fraction(3, 10) : Number{});
    if (start + 1 <= 2) utfall[static_cast<std::size_t>(start + 1)] += Number::from_int(650'000) * score;
  }
  Evaluation lanes = evaluate(*c, d);
  REQUIRE(lanes.ok);
  REQUIRE(lanes.lane_records == 9 * 5000);  // three payments per participant in three periods
  require_same(lanes, evaluate(*c, d, general_path()));
  for (const auto& line : lanes.lines) {
    if (line.waterfall) continue;
    const auto t = static_cast<std::size_t>(line.period);
    const Number& expected = line.rule == "grundersattning" ? grund[t] : line.rule == "utfall" ? utfall[t] : forskott[t];
    INFO(line.rule << " in " << c->periods[t]);
    REQUIRE(line.amount == expected);
  }
}

TEST_CASE("participant lanes: loops they do not take are left to the general evaluator", "[lanes]") {
  auto make = [](const std::string& pay) {
    std::string text =
        "contract \"L\"\ncurrency SEK\nparty kommun\nparty utforare\nperiods yearly 2025 .. 2026\n"
        "input deltagare : participants {\n  id : text\n  x : number\n  kod : text\n}\n"
        "clause \"1\" {\n  pay a: kommun -> utforare for each u in deltagare " + pay + "\n}\n";
    return compiled_text(text);
  };
  Dataset d;
  d.series.resize(1);
  d.participants.resize(1);
  for (int r = 0; r < 40; ++r)
    d.participants[0].push_back({std::string("P") + std::to_string(r % 30), Number::from_int(r % 5), std::string(r % 2 ? "m01" : "m02")});
  // Each: what the lanes do not hold, then the same payment the lanes take.
  const std::pair<const char*, const char*> cases[] = {
      {"where u.kod = \"m01\"\n    amount 10 SEK * u.x", "where u.x > 2\n    amount 10 SEK * u.x"},                 // text
      {"amount 10 SEK * u.x\n    capped at 25 SEK per participant", "amount min(10 SEK * u.x, 25 SEK)"},  // a cap per participant
      {"amount 10 SEK * u.x\n    at most once per u.id", "amount 10 SEK * u.x"},                             // at most N per key
  };
  for (const auto& [refused, taken] : cases) {
    INFO(refused);
    auto c = make(refused);
    Evaluation lanes = evaluate(*c, d);
    REQUIRE(lanes.ok);
    REQUIRE(lanes.lane_records == 0);
    require_same(lanes, evaluate(*c, d, general_path()));
    auto t = make(taken);
    Evaluation on = evaluate(*t, d);
    REQUIRE(on.lane_records == 80);
    require_same(on, evaluate(*t, d, general_path()));
  }
  auto c = compiled_file("tests/data/lanes/contract.utfall");
  Random rng{3};
  Dataset data = lanes_data(*c, rng, 100, false);
  EvalOptions traced;
  traced.trace = true;
  REQUIRE(evaluate(*c, data, traced).lane_records == 0);  // an explanation walks the records itself
  REQUIRE(evaluate(*c, data).lane_records > 0);
}

// The lanes read a set's fields together, in one pass over the records
// (read_participant_columns). A field read along with the one a loop needs, holding a value the
// lanes cannot hold, must not stop that loop. Two payments over 50 records in each of 2 periods:
// `a` reads x, `b` reads y; one record's y is a third (it does not terminate). Clean, both loops
// take the lanes: 2 x 2 x 50 = 200 records; with the third, `b` goes to the general evaluator
// and `a` still takes them: 100.
// By hand: a pays 10 SEK * (0 + 1 + ... + 4) * 10 = 1 000 SEK a period.
TEST_CASE("participant lanes: a field read with others that they cannot hold stops only the loops that read it", "[lanes]") {
  auto c = compiled_text(
      "contract \"L\"\ncurrency SEK\nparty kommun\nparty utforare\nperiods yearly 2025 .. 2026\n"
      "input deltagare : participants {\n  y : number\n  id : text\n  x : number\n  klar : boolean\n}\n"
      "clause \"1\" {\n  pay a: kommun -> utforare for each u in deltagare\n    amount 10 SEK * u.x\n"
      "  pay b: kommun -> utforare for each u in deltagare where u.klar\n    amount 1 SEK * u.y\n    rounded half_up to 0.01\n}\n");
  Dataset d;
  d.series.resize(1);
  d.participants.resize(1);
  for (int r = 0; r < 50; ++r)
    d.participants[0].push_back({Number::fraction(r, 4), std::string("P") + std::to_string(r), Number::from_int(r % 5), r % 2 == 0});
  Evaluation clean = evaluate(*c, d);
  REQUIRE(clean.ok);
  REQUIRE(clean.lane_records == 200);
  require_same(clean, evaluate(*c, d, general_path()));
  d.participants[0].set(17, 0, Number::fraction(1, 3));
  Evaluation lanes = evaluate(*c, d);
  REQUIRE(lanes.ok);
  REQUIRE(lanes.lane_records == 100);
  require_same(lanes, evaluate(*c, d, general_path()));
  for (const auto& line : lanes.lines)
    if (line.rule == "a") REQUIRE(line.amount == Number::from_int(1000));
}

// A sum over participants nested in a loop the lanes do not take (a cap per participant) is
// asked of the lanes once per outer record. One they gave back is not lowered again in that
// period: 2 lowerings in 2 periods, not 2 x 30. By hand: each of the 30 records pays
// 10 SEK * poang + the vikt of the lag row named "L3" (3), so 10 * (6 * (0+1+2+3+4)) + 30 * 3 =
// 690 SEK in each period.
TEST_CASE("participant lanes: a loop they gave back is not lowered again for every outer record", "[lanes]") {
  auto make = [](const std::string& inner_filter) {
    return compiled_text(
        "contract \"N\"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2026\n"
        "input ungdomar : participants {\n  id : text\n  poang : number\n}\n"
        "input lag : participants {\n  namn : text\n  vikt : number\n}\n"
        "clause \"1\" {\n  pay p: kommun -> fonden for each u in ungdomar\n"
        "    amount 10 SEK * u.poang + 1 SEK * sum(l.vikt for l in lag where " + inner_filter + ")\n"
        "    capped at 650_000 SEK per participant\n}\n");
  };
  Dataset d;
  d.series.resize(2);
  d.participants.resize(2);
  for (int r = 0; r < 30; ++r) d.participants[0].push_back({"U" + std::to_string(r), Number::from_int(r % 5)});
  for (int k = 0; k < 6; ++k) d.participants[1].push_back({"L" + std::to_string(k), Number::from_int(k % 4)});
  auto text_filter = make("l.namn = \"L3\"");  // text: the lanes give it back
  Evaluation ev = evaluate(*text_filter, d);
  REQUIRE(ev.ok);
  CHECK(ev.lane_loops == 2);
  CHECK(ev.lane_records == 0);
  REQUIRE(ev.lines.size() == 2);
  for (const auto& line : ev.lines) CHECK(line.amount == Number::from_int(690));
  require_same(ev, evaluate(*text_filter, d, general_path()));
  // Taken by the lanes, the same sum (vikt 3 only at L3) runs on them for every outer record.
  auto number_filter = make("l.vikt = 3");
  Evaluation on = evaluate(*number_filter, d);
  REQUIRE(on.ok);
  CHECK(on.lane_loops == 60);
  CHECK(on.lane_records == 60 * 6);
  for (const auto& line : on.lines) CHECK(line.amount == Number::from_int(690));
  require_same(on, evaluate(*number_filter, d, general_path()));
}
