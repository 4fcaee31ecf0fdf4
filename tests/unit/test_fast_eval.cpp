// The fixed-point path (interpreter/fast_eval.hpp) against the general evaluator: on many
// generated data sets (many decimals, values beyond int64, negative savings, zeros, missing and
// non-terminating values) both must give the same payments, Number for Number, or the same
// diagnostics; and the fast path must really be taken where it should and not where it must not.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <set>
#include <string>

#include "interpreter/fast_code.hpp"
#include "interpreter/fast_eval.hpp"
#include "interpreter/pipeline.hpp"
#include "tests/tools/compiled.hpp"
#include "tests/tools/splitmix.hpp"

using namespace utfall;

namespace {

using test_support::compiled_file;
using test_support::compiled_text;
std::shared_ptr<const checked::Contract> example(const std::string& name) { return compiled_file("examples/" + name + "/contract.utfall"); }

using test_support::Random;

// A value for a series input around `typical` (whole units), in one of several shapes.
Number value(Random& rng, std::int64_t typical) {
  std::int64_t whole = rng.range(0, 2 * typical);
  switch (rng.next() % 16) {
    case 0: return Number{};                                                      // zero
    case 1: return Number::from_int(-rng.range(0, typical));                      // negative
    case 2: return *Number::parse_decimal(std::to_string(whole) + "000000000000000000000.5");  // beyond int64
    case 3: return Number::fraction(whole * 3 + 1, 3);                            // does not terminate
    case 4: return Number::fraction(rng.range(0, 9'000'000'000'000'000'000LL / 1000), 1000);  // near the int64 limit
    case 5: return Number::fraction(whole * 1'000'000 + rng.range(0, 999'999), 1'000'000);  // six decimals
    case 6: return Number::fraction(whole * 100'000'000 + rng.range(0, 99'999'999), 100'000'000);  // eight decimals
    case 7: return Number::fraction(typical * 100 - rng.range(0, 5), 100);       // a few öre under `typical`
    default: return Number::fraction(whole * 100 + rng.range(0, 99), 100);      // öre
  }
}

Dataset generate(const checked::Contract& c, Random& rng, bool wild) {
  Dataset d;
  d.series.resize(c.inputs.size());
  d.participants.resize(c.inputs.size());
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const auto& in = c.inputs[i];
    if (in.participants) continue;
    d.series[i].resize(c.periods.size());
    std::int64_t typical = in.type.unit == c.money ? 200'000'000 : 50;
    if (in.name == "avropat") typical = 7'000'000;
    for (int t = in.first; t <= in.last; ++t) {
      if (wild && rng.next() % 60 == 0) continue;  // missing
      d.series[i][static_cast<std::size_t>(t)] = wild ? value(rng, typical) : Number::fraction(rng.range(0, 2 * typical * 100), 100);
    }
  }
  return d;
}

EvalOptions general_path() {
  EvalOptions o;
  o.fast = false;
  return o;
}

void require_same(const Evaluation& fast, const Evaluation& general) {
  REQUIRE(fast.ok == general.ok);
  REQUIRE(fast.lines.size() == general.lines.size());
  for (std::size_t i = 0; i < fast.lines.size(); ++i) {
    const auto &a = fast.lines[i], &b = general.lines[i];
    INFO("line " << i << ": " << a.amount.to_string() << " against " << b.amount.to_string());
    REQUIRE(a.amount == b.amount);
    REQUIRE(a.amount.to_fraction_string() == b.amount.to_fraction_string());
    REQUIRE((a.period == b.period && a.payer == b.payer && a.payee == b.payee && a.clause == b.clause && a.rule == b.rule &&
             a.waterfall == b.waterfall && a.rule_index == b.rule_index && a.trace == b.trace));
  }
  REQUIRE(fast.diagnostics.size() == general.diagnostics.size());
  for (std::size_t i = 0; i < fast.diagnostics.size(); ++i) REQUIRE(fast.diagnostics[i].code == general.diagnostics[i].code);
}

// Evaluates `sets` generated data sets both ways; gives how many took the fast path.
int differential(const checked::Contract& c, int sets, bool wild, std::uint64_t seed) {
  Random rng{seed};
  Workspace fast_ws, general_ws;
  Evaluation fast_out, general_out;
  EvalOptions fast_opts, general_opts;
  general_opts.fast = false;
  int taken = 0;
  for (int i = 0; i < sets; ++i) {
    Dataset d = generate(c, rng, wild);
    INFO("set " << i);
    evaluate(c, d, fast_opts, fast_ws, fast_out);
    evaluate(c, d, general_opts, general_ws, general_out);
    REQUIRE_FALSE(general_out.fast);
    require_same(fast_out, general_out);
    taken += fast_out.fast;
  }
  return taken;
}

}  // namespace

TEST_CASE("fast path: scenario A lowers, B lowers, C (participants) does not", "[fast]") {
  CHECK(fast::lower(*example("a-aldreomsorg")).program);
  CHECK(fast::lower(*example("b-placeringar")).program);
  auto c = fast::lower(*example("c-tfco"));
  CHECK_FALSE(c.program);
  CHECK_FALSE(c.reason.empty());
}

TEST_CASE("fast path: a ledger (links, at most N per key) does not lower", "[fast]") {
  auto j = fast::lower(*example("j-ledger"));  // language.md §8.5, §16.6: the general evaluator pays
  CHECK_FALSE(j.program);
  CHECK_FALSE(j.reason.empty());
}

TEST_CASE("fast path: scenario A gives the general evaluator's payments on generated data", "[fast][differential]") {
  auto c = example("a-aldreomsorg");
  // Öre only: every set takes the fast path.
  CHECK(differential(*c, 3000, false, 7) == 3000);
  // Wild values: most still fit; those that do not fall back, with the same result.
  int taken = differential(*c, 6000, true, 11);
  CHECK(taken > 300);
  CHECK(taken < 6000);
}

TEST_CASE("fast path: scenarios B and D give the general evaluator's payments on generated data", "[fast][differential]") {
  for (const char* name : {"b-placeringar", "d-norrkoping"}) {
    INFO(name);
    auto c = example(name);
    CHECK(differential(*c, 2000, false, 3) == 2000);
    int taken = differential(*c, 4000, true, 5);
    CHECK(taken > 100);
    CHECK(taken < 4000);
  }
}

TEST_CASE("fast path: every operation it takes gives the general evaluator's payments", "[fast][differential]") {
  auto c = compiled_file("tests/data/fast_eval/every_operation.utfall");
  REQUIRE(fast::lower(*c).program);
  // x @ 2025 / 3 is exact at six more decimals for one set in three; the others fall back.
  int taken = differential(*c, 4000, false, 23);
  CHECK(taken > 500);
  differential(*c, 4000, true, 29);
}

TEST_CASE("fast path: constants beside data in every operation give the general evaluator's payments", "[fast][differential]") {
  auto c = compiled_file("tests/data/fast_eval/constants.utfall");
  REQUIRE(fast::lower(*c).program);
  CHECK(differential(*c, 3000, false, 37) > 2000);
  differential(*c, 3000, true, 41);
  // The payments follow the data (a register of data kept as a constant would pay one set's
  // amounts for the next): the first line differs from set to set.
  Random rng{43};
  Workspace ws;
  Evaluation out;
  std::set<std::string> first_lines;
  for (int i = 0; i < 200; ++i) {
    evaluate(*c, generate(*c, rng, false), EvalOptions{}, ws, out);
    REQUIRE(out.fast);
    first_lines.insert(out.lines.at(0).amount.to_string());
  }
  CHECK(first_lines.size() > 190);
}

namespace {

// The registers an instruction reads, written here from exec_code's switch in
// interpreter/fast_exec.cpp (no default: a new instruction must be placed).
std::vector<int> reads(const fast::code::Instr& in) {
  using fast::code::I;
  switch (in.op) {
    case I::konst: return {};
    case I::copy: case I::up: case I::neg: case I::abs: case I::max0: case I::lnot: case I::round_const: case I::minor: case I::pay:
      return {in.a};
    case I::add: case I::sub: case I::mul: case I::div: case I::min: case I::max: case I::subpos: case I::minpos:
    case I::lt: case I::le: case I::gt: case I::ge: case I::eq: case I::ne: case I::land: case I::lor:
    case I::sel0: case I::round: case I::join:
      return {in.a, in.b};
    case I::clamp: case I::branch: return {in.a, in.b, in.c};
  }
  FAIL("an instruction not known to the test");
  return {};
}

}  // namespace

TEST_CASE("fast path: an instruction that reads constants alone is run once, and none that reads data or a given term", "[fast]") {
  // Plan::consts run once for a scratch's registers, Plan::code in every evaluation. A datum's
  // register, or a term's given a value for the evaluation, is written by the run before the
  // code: an instruction in consts that read one would keep the first evaluation's value.
  auto c = compiled_file("tests/data/fast_eval/constants.utfall");
  auto lowered = fast::lower(*c);
  REQUIRE(lowered.program);
  const auto& p = *lowered.program;
  for (bool given : {false, true}) {
    INFO((given ? "every term given a value" : "every term its own value"));
    fast::code::Plan plan;
    plan.key.assign(static_cast<std::size_t>(p.column_count), 2);  // öre in both columns
    plan.key.resize(static_cast<std::size_t>(p.column_count) + p.terms.size(), given ? 3 : -1);
    fast::code::make_plan(p, plan);
    REQUIRE(plan.ok);
    std::set<int> run_writes;
    for (const auto& [node, cell] : p.inputs) run_writes.insert(static_cast<int>(node));
    if (given)
      for (const auto& [node, term] : p.terms) run_writes.insert(static_cast<int>(node));
    std::set<int> constant;
    std::set<fast::code::I> ops;  // of the instructions among the constants
    for (const auto& in : plan.consts) {
      for (int r : reads(in)) CHECK(constant.count(r) == 1);
      CHECK(run_writes.count(in.dst) == 0);
      constant.insert(in.dst);
      ops.insert(in.op);
    }
    for (const auto& in : plan.code) {
      const auto r = reads(in);
      CHECK(std::any_of(r.begin(), r.end(), [&](int x) { return constant.count(x) == 0; }));
    }
    // By hand: `fast_del` (round(tak * andel, steg, half_up) + tak / 16 - golv) has the one
    // division of the contract, and its one rounding to a step that is not a number (steg):
    // among the constants when the terms keep their own values, else not.
    CHECK(ops.count(fast::code::I::div) == (given ? 0 : 1));
    CHECK(ops.count(fast::code::I::round) == (given ? 0 : 1));
  }
}

TEST_CASE("fast path: taken for scenario A and with terms overridden, not when tracing, limited or overflowing", "[fast]") {
  auto c = example("a-aldreomsorg");
  auto bound = load_data(*c, {std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/messy.csv"});
  REQUIRE(bound.data);
  Workspace ws;
  Evaluation out;
  EvalOptions options;
  evaluate(*c, *bound.data, options, ws, out);
  REQUIRE(out.ok);
  CHECK(out.fast);
  // The expected payments of the contract's example "messy" (written beside the contract).
  REQUIRE(out.lines.size() == 3);
  CHECK(out.lines[0].amount == *Number::parse_decimal("25616666.68"));
  CHECK(out.lines[1].amount == *Number::parse_decimal("9383333.32"));
  CHECK(out.lines[2].amount == *Number::parse_decimal("7000000.00"));

  EvalOptions traced;
  traced.trace = true;
  evaluate(*c, *bound.data, traced, ws, out);
  CHECK(out.ok);
  CHECK_FALSE(out.fast);
  CHECK_FALSE(out.traces.empty());

  // A term given another value: the fast path takes it, and pays what the general evaluator pays.
  EvalOptions overridden;
  overridden.term_overrides[0] = Number::from_int(150'000'000);
  evaluate(*c, *bound.data, overridden, ws, out);
  CHECK(out.ok);
  CHECK(out.fast);
  EvalOptions overridden_general = overridden;
  overridden_general.fast = false;
  require_same(out, evaluate(*c, *bound.data, overridden_general));

  EvalOptions few_steps;
  few_steps.limits.max_steps = 50;  // below what the general evaluator may need
  evaluate(*c, *bound.data, few_steps, ws, out);
  CHECK_FALSE(out.fast);
  CHECK_FALSE(out.ok);

  EvalOptions few_digits;
  few_digits.limits.max_digits = 19;  // below what an int64 may need
  evaluate(*c, *bound.data, few_digits, ws, out);
  CHECK_FALSE(out.fast);

  Dataset huge = *bound.data;
  auto kostnad = c->input_index("hemtjanst_kostnad");
  REQUIRE(kostnad);
  huge.series[*kostnad][0] = *Number::parse_decimal("123456789012345678901234.5");
  evaluate(*c, huge, options, ws, out);
  CHECK_FALSE(out.fast);
  Evaluation general = evaluate(*c, huge, general_path());
  require_same(out, general);

  // And back: the same workspace takes the fast path again.
  evaluate(*c, *bound.data, options, ws, out);
  CHECK(out.fast);
}

TEST_CASE("fast path: the step bound covers what the general evaluator counts", "[fast]") {
  auto c = example("a-aldreomsorg");
  auto lowered = fast::lower(*c);
  REQUIRE(lowered.program);
  std::uint64_t bound = fast::step_bound(*lowered.program);
  auto data = load_data(*c, {std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/plan.csv"});
  REQUIRE(data.data);
  // At the bound the general evaluator never hits the limit; the fast path runs.
  EvalOptions at_bound = general_path();
  at_bound.limits.max_steps = bound;
  CHECK(evaluate(*c, *data.data, at_bound).ok);
  Workspace ws;
  Evaluation out;
  EvalOptions fast_at_bound;
  fast_at_bound.limits.max_steps = bound;
  evaluate(*c, *data.data, fast_at_bound, ws, out);
  CHECK(out.fast);
  // One below, the fast path leaves it to the general evaluator.
  fast_at_bound.limits.max_steps = bound - 1;
  evaluate(*c, *data.data, fast_at_bound, ws, out);
  CHECK_FALSE(out.fast);
}

TEST_CASE("fast path: the bundled examples of A, B and D take it and agree", "[fast]") {
  for (const auto& [name, files] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"a-aldreomsorg", {"plan.csv", "messy.csv", "fail.csv"}},
           {"b-placeringar", {"plan.csv", "total-cap.csv", "boundary.csv"}},
           {"d-norrkoping", {"data.csv"}}}) {
    auto c = example(name);
    for (const auto& file : files) {
      INFO(name << "/" << file);
      auto data = load_data(*c, {std::string(UTFALL_SOURCE_DIR) + "/examples/" + name + "/" + file});
      REQUIRE(data.data);
      Workspace ws;
      Evaluation out;
      evaluate(*c, *data.data, EvalOptions{}, ws, out);
      CHECK(out.fast);
      require_same(out, evaluate(*c, *data.data, general_path()));
    }
  }
}

TEST_CASE("format_money: the word-sized shortcut writes what Number::to_fixed writes", "[fast][format]") {
  auto c = example("a-aldreomsorg");  // SEK, two decimals
  Random rng{99};
  for (int i = 0; i < 20000; ++i) {
    std::int64_t digits = static_cast<std::int64_t>(rng.next() >> rng.range(1, 63)) * (rng.next() % 2 ? 1 : -1);
    int places = static_cast<int>(rng.range(0, 3));
    std::int64_t unit = places == 0 ? 1 : places == 1 ? 10 : places == 2 ? 100 : 1000;
    Number n = Number::fraction(digits, unit);
    auto fixed = n.to_fixed(2);
    INFO(n.to_fraction_string());
    REQUIRE(format_money(*c, n) == (fixed ? *fixed : n.to_string()));
  }
  CHECK(format_money(*c, Number{}) == "0.00");
  CHECK(format_money(*c, Number::fraction(-5, 100)) == "-0.05");
  CHECK(format_money(*c, Number::from_int(7'000'000), true) == "7,000,000.00");
  // write_money at other places, into a string that held a longer text.
  std::string out = "a text longer than any amount here";
  write_money(out, Number::fraction(-5, 100), 3);
  CHECK(out == "-0.050");
  write_money(out, Number::from_int(12), 0);
  CHECK(out == "12");
  write_money(out, Number::fraction(1, 8), 2);  // finer than the minor unit: every digit kept
  CHECK(out == "0.125");
  write_money(out, Number::fraction(-1, 3), 2);  // not a decimal: its exact text
  CHECK(out == Number::fraction(-1, 3).to_string());
  write_money(out, *Number::parse_decimal("123456789012345678.9"), 2);  // past int64 at 2 places
  CHECK(out == "123456789012345678.90");
}

TEST_CASE("write_money at every number of places odd and even to the ends of int64", "[fast][format]") {
  // The digits are written two at a time; Number::to_fixed writes them its own way.
  Random rng{7};
  std::string out;
  auto same = [&](const Number& n, int places) {
    auto fixed = n.to_fixed(places);
    REQUIRE(fixed);
    write_money(out, n, places);
    INFO(n.to_fraction_string() << " at " << places);
    REQUIRE(out == *fixed);
  };
  for (int places = 0; places <= 18; ++places) {
    for (int i = 0; i < 2000; ++i) {
      // Magnitudes of every length, and their digits at `places` (a whole number: den 1).
      std::int64_t digits = static_cast<std::int64_t>(rng.next() >> rng.range(1, 63)) * (rng.next() % 2 ? 1 : -1);
      same(Number::from_int(digits), places);
      std::int64_t unit = 1;
      for (int k = 0; k < places; ++k) unit *= 10;
      same(Number::fraction(digits, unit), places);
      REQUIRE(write_money(out, Number::fraction(digits, unit), places) == digits);  // the digits it wrote
    }
    for (std::int64_t end : {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), std::int64_t{0},
                             std::int64_t{1}, std::int64_t{-1}, std::int64_t{9}, std::int64_t{10}, std::int64_t{99}, std::int64_t{100}}) {
      std::int64_t unit = 1;
      for (int k = 0; k < places; ++k) unit *= 10;
      same(Number::fraction(end, unit), places);
    }
    // Either side of every power of ten, where the text gains a digit.
    for (int k = 0; k <= 18; ++k) {
      std::int64_t power = 1, unit = 1;
      for (int j = 0; j < k; ++j) power *= 10;
      for (int j = 0; j < places; ++j) unit *= 10;
      for (std::int64_t v : {power - 1, power, power + 1, -(power - 1), -power, -(power + 1)}) {
        same(Number::fraction(v, unit), places);
        REQUIRE(write_money(out, Number::fraction(v, unit), places) == v);
      }
    }
  }
  CHECK(write_money(out, Number::fraction(std::numeric_limits<std::int64_t>::min(), 100), 2) == std::numeric_limits<std::int64_t>::min());
  CHECK(out == "-92233720368547758.08");
  CHECK(write_money(out, Number::fraction(1, 8), 2) == std::nullopt);  // 0.125: not whole hundredths
  CHECK(out == "0.125");
  write_money(out, Number::fraction(7, 1000), 3);
  CHECK(out == "0.007");
  write_money(out, Number::from_int(-5), 1);
  CHECK(out == "-5.0");
}

TEST_CASE("fast path: one workspace taking turns between contracts keeps their plans apart", "[fast]") {
  // The same data shape (two-decimal columns) means different scales in A, B and D; a plan
  // kept from the last contract would give wrong amounts.
  // A' is A with a share of 12.5 % (three decimals where A has one): the same inputs, so the
  // same plan keys.
  auto a = example("a-aldreomsorg");
  std::string text = a->source->text;
  auto at = text.find("30 %");
  REQUIRE(at != std::string::npos);
  text.replace(at, 4, "12.5 %");
  auto a2 = compile(std::make_shared<const Source>(Source{"a2.utfall", text}));
  REQUIRE(a2.contract);
  std::vector<std::shared_ptr<const checked::Contract>> contracts{a, a2.contract, example("b-placeringar"), example("d-norrkoping")};
  Random rng{17};
  Workspace shared;
  Evaluation out;
  int taken = 0;
  for (int i = 0; i < 600; ++i) {
    const auto& c = *contracts[static_cast<std::size_t>(i / 2) % contracts.size()];
    Dataset d = generate(c, rng, false);
    evaluate(c, d, EvalOptions{}, shared, out);
    taken += out.fast;
    require_same(out, evaluate(c, d, general_path()));
  }
  CHECK(taken == 600);
}

TEST_CASE("fast path: what the general evaluator leaves unevaluated does not stop it", "[fast]") {
  // y = 0 divides by zero only in branches the general evaluator does not take: the general
  // evaluator pays, so the fast path must pay too (and the same); y < 0 reaches x / n in p1's
  // amount (kvot is 0, but `eller` ... ) and both must agree either way.
  auto c = compiled_file("tests/data/fast_eval/lazy.utfall");
  REQUIRE(fast::lower(*c).program);
  auto x = c->input_index("x"), y = c->input_index("y");
  REQUIRE((x && y));
  Random rng{31};
  Workspace ws;
  Evaluation out;
  int zeros = 0;
  for (int i = 0; i < 400; ++i) {
    Dataset d;
    d.series.assign(c->inputs.size(), std::vector<std::optional<checked::Value>>(c->periods.size()));
    d.participants.resize(c->inputs.size());
    bool zero = false;
    for (std::size_t t = 0; t < c->periods.size(); ++t) {
      static const std::int64_t divisors[] = {0, 0, 1, 2, 4, 5, 8, -2};
      std::int64_t n = divisors[rng.next() % 8];
      zero = zero || n == 0;
      d.series[*x][t] = Number::fraction(rng.range(-50'000, 5'000'000), 100);
      d.series[*y][t] = Number::from_int(n);
    }
    INFO("set " << i);
    evaluate(*c, d, EvalOptions{}, ws, out);
    Evaluation general = evaluate(*c, d, general_path());
    require_same(out, general);
    // Every quotient here is exact, so wherever the general evaluator pays, the fast path does.
    CHECK(out.fast == general.ok);
    zeros += zero && general.ok;
  }
  CHECK(zeros > 100);
}

// Scenario A over 40 years: 80 data cells per set, more than a bound set keeps inside its
// Columns (they are then kept apart, and a batch reads them there).
std::shared_ptr<const checked::Contract> forty_years() {
  auto a = example("a-aldreomsorg");
  std::string text = a->source->text;
  auto at = text.find("2025 .. 2029");
  REQUIRE(at != std::string::npos);
  text.replace(at, 12, "2025 .. 2064");
  return compiled_text(text, "a40.utfall");
}

TEST_CASE("fast path: many data sets at once give what each gives alone", "[fast][differential]") {
  for (const char* name : {"a-aldreomsorg", "b-placeringar", "d-norrkoping", "a over 40 years"}) {
    INFO(name);
    auto c = std::string(name) == "a over 40 years" ? forty_years() : example(name);
    auto lowered = fast::lower(*c);
    REQUIRE(lowered.program);
    const auto lines = fast::lines(*c);
    const int places = fast::amount_places(*lowered.program);
    REQUIRE(places == 2);
    Random rng{41};
    // 700 sets: more than one chunk of lanes; every tenth wild (beyond int64, 1/3, missing...).
    std::vector<Dataset> sets;
    for (int i = 0; i < 700; ++i) sets.push_back(generate(*c, rng, i % 10 == 0));
    std::vector<fast::Columns> columns;
    for (const auto& d : sets) columns.push_back(fast::read_columns(*c, d));
    std::vector<const fast::Columns*> pointers;
    for (const auto& col : columns) pointers.push_back(&col);
    // The general evaluator's amounts in öre, through Number's own arithmetic; none for a set it
    // fails, or whose amount is not a whole number of öre in int64 (the fast path must fail it too).
    std::vector<std::optional<std::vector<std::int64_t>>> expected(sets.size());
    for (std::size_t i = 0; i < sets.size(); ++i) {
      INFO("set " << i);
      Evaluation general = evaluate(*c, sets[i], general_path());
      if (!general.ok) continue;
      REQUIRE(general.lines.size() == lines.size());
      std::vector<std::int64_t> ore;
      for (std::size_t k = 0; k < lines.size(); ++k) {
        const auto& g = general.lines[k];
        REQUIRE((g.period == lines[k].period && g.payer == lines[k].payer && g.payee == lines[k].payee && g.rule_index == lines[k].rule_index));
        if (auto v = (g.amount * Number::from_int(100)).to_int64()) ore.push_back(*v);
      }
      if (ore.size() == lines.size()) expected[i] = std::move(ore);
    }
    fast::ScratchPtr scratch;
    std::vector<std::int64_t> amounts(sets.size() * lines.size());
    std::vector<std::uint8_t> ok(sets.size());
    // Runs the first n sets at once; returns how many took the path, and counts in `wrong` each
    // that took it and differs from the general evaluator (the first one said in `first_wrong`).
    std::size_t wrong = 0;
    std::string first_wrong;
    auto run_first = [&](std::size_t n, std::size_t offset) {
      fast::run_batch(*lowered.program, pointers.data() + offset, n, EvalOptions{}, scratch, amounts.data(), ok.data());
      std::size_t taken = 0;
      for (std::size_t j = 0; j < n; ++j) {
        if (!ok[j]) continue;
        ++taken;
        const auto& e = expected[offset + j];
        if (!e || !std::equal(e->begin(), e->end(), amounts.begin() + static_cast<std::ptrdiff_t>(j * lines.size())))
          if (wrong++ == 0) first_wrong = "set " + std::to_string(offset + j) + " of a run of " + std::to_string(n);
      }
      return taken;
    };
    const std::size_t taken = run_first(sets.size(), 0);
    // Each set alone (one lane: the code without loops over lanes). A wild set may take the path
    // alone and not among others, or the other way: the lanes of a group share each column's scale.
    std::size_t taken_alone = 0;
    for (std::size_t i = 0; i < sets.size(); ++i) taken_alone += run_first(1, i);
    // The first n sets for every n: whatever the lanes of a group, some n ends in a group of one
    // set after full groups, and one of every other size.
    for (std::size_t n = 1; n < sets.size(); ++n) run_first(n, 0);
    INFO(first_wrong);
    CHECK(wrong == 0);
    // The tame sets all run fast (some wild ones may too).
    CHECK(taken >= 630);
    CHECK(taken_alone >= 630);
  }
}

TEST_CASE("fast path: terms given other values pay what the general evaluator pays", "[fast][differential]") {
  // Every term of A, of the every-operation contract and of the constants contract, given values of several shapes
  // (whole, 1 to 8 decimals, negative, zero, 1/3, beyond int64), with data of öre.
  for (const char* path : {"examples/a-aldreomsorg/contract.utfall", "tests/data/fast_eval/every_operation.utfall", "tests/data/fast_eval/constants.utfall"}) {
    INFO(path);
    auto c = compiled_file(path);
    Random rng{53};
    Workspace ws;
    Evaluation out;
    int taken = 0, runs = 0;
    for (int i = 0; i < 1500; ++i) {
      Dataset d = generate(*c, rng, false);
      EvalOptions options;
      for (std::size_t t = 0; t < c->terms.size(); ++t) {
        if (rng.next() % 2) continue;
        std::int64_t digits = rng.range(-2'000'000'000, 2'000'000'000);
        switch (rng.next() % 6) {
          case 0: options.term_overrides[static_cast<int>(t)] = Number::from_int(digits); break;
          case 1: options.term_overrides[static_cast<int>(t)] = Number::fraction(digits, 100); break;
          case 2: options.term_overrides[static_cast<int>(t)] = Number::fraction(rng.range(0, 1000), 1000); break;
          case 3: options.term_overrides[static_cast<int>(t)] = Number::fraction(digits, 100'000'000); break;
          case 4: options.term_overrides[static_cast<int>(t)] = Number::fraction(1, 3); break;
          default: options.term_overrides[static_cast<int>(t)] = *Number::parse_decimal("12345678901234567890123.5"); break;
        }
      }
      INFO("set " << i);
      evaluate(*c, d, options, ws, out);
      EvalOptions general = options;
      general.fast = false;
      require_same(out, evaluate(*c, d, general));
      taken += out.fast, ++runs;
    }
    CHECK(taken > runs / 10);
  }
}

// A value for a term: of the term's shape in the block (an amount whole or in öre, a share in
// thousandths or with eight decimals), or now and then one that does not fit the lanes (1/3,
// beyond int64).
Number term_value(Random& rng, int shape) {
  if (rng.next() % 50 == 0) return rng.next() % 2 ? Number::fraction(1, 3) : *Number::parse_decimal("12345678901234567890123.5");
  switch (shape) {
    case 0: return Number::from_int(rng.range(0, 400'000'000));
    case 1: return Number::fraction(rng.range(0, 1000), 1000);
    case 2: return Number::fraction(rng.range(0, 100'000'000), 100'000'000);
    default: return Number::fraction(rng.range(0, 40'000'000'000), 100);
  }
}

TEST_CASE("fast path: variations of terms run together on lanes pay what each pays alone", "[fast][differential]") {
  // As a sweep gives them: some terms varied in every case of a block; now and then a case
  // that gives one term fewer or one more (its lane is given up), `unlimited`, or a trace.
  for (const char* path : {"examples/a-aldreomsorg/contract.utfall", "tests/data/fast_eval/every_operation.utfall", "tests/data/fast_eval/constants.utfall"}) {
    INFO(path);
    auto c = compiled_file(path);
    auto lowered = fast::lower(*c);
    REQUIRE(lowered.program);
    const std::size_t lines = fast::lines(*c).size();
    REQUIRE(fast::line_count(*lowered.program) == lines);
    Random rng{59};
    Workspace ws;
    std::vector<Evaluation> out;
    int taken = 0, batched = 0, runs = 0;
    for (int round = 0; round < 4; ++round) {
      INFO("round " << round);
      const Dataset d = generate(*c, rng, round == 3);
      std::vector<bool> varied(c->terms.size());
      std::vector<int> shape(c->terms.size());
      for (std::size_t t = 0; t < varied.size(); ++t) varied[t] = t == 0 || rng.next() % 2, shape[t] = c->terms[t].percent ? 1 + static_cast<int>(rng.next() % 2) : 3 * static_cast<int>(rng.next() % 2);
      std::vector<EvalOptions> options(600);  // more than one group of lanes
      for (auto& o : options) {
        for (std::size_t t = 0; t < varied.size(); ++t)
          if (varied[t] != (rng.next() % 40 == 0)) o.term_overrides[static_cast<int>(t)] = term_value(rng, shape[t]);
        if (rng.next() % 80 == 0) o.term_overrides.erase(0), o.unlimited_terms.insert(0);
        o.trace = rng.next() % 100 == 0;
      }
      std::vector<const EvalOptions*> pointers;
      for (const auto& o : options) pointers.push_back(&o);
      out.resize(options.size());
      evaluate_each(*c, d, pointers.data(), pointers.size(), ws, out.data());
      for (std::size_t i = 0; i < options.size(); ++i) {
        INFO("case " << i);
        EvalOptions general = options[i];
        general.fast = false;
        require_same(out[i], evaluate(*c, d, general));
        taken += out[i].fast, ++runs;
      }
      // The lanes themselves take most cases, with the amounts of the general evaluator.
      const auto columns = fast::read_columns(*c, d);
      std::vector<const fast::Columns*> sets(options.size(), &columns);
      std::vector<std::int64_t> amounts(options.size() * lines);
      std::vector<std::uint8_t> ok(options.size());
      fast::ScratchPtr scratch;
      fast::run_batch(*lowered.program, sets.data(), pointers.data(), sets.size(), EvalOptions{}, scratch, amounts.data(), ok.data());
      for (std::size_t i = 0; i < options.size(); ++i) {
        if (!ok[i]) continue;
        ++batched;
        INFO("case " << i << " on lanes");
        REQUIRE(out[i].ok);
        for (std::size_t k = 0; k < lines; ++k) REQUIRE(out[i].lines[k].amount * Number::from_int(100) == Number::from_int(amounts[i * lines + k]));
      }
      // Each case on its own data: three data sets in turn, in runs of one and of five.
      const Dataset others[2] = {generate(*c, rng, false), generate(*c, rng, false)};
      std::vector<const Dataset*> data;
      for (std::size_t i = 0; i < options.size(); ++i) data.push_back(i < 300 ? (i % 3 ? &others[i % 3 - 1] : &d) : (i / 5) % 2 ? &d : &others[0]);
      evaluate_each(*c, data.data(), pointers.data(), pointers.size(), ws, out.data());
      for (std::size_t i = 0; i < options.size(); ++i) {
        INFO("case " << i << " on its own data");
        EvalOptions general = options[i];
        general.fast = false;
        require_same(out[i], evaluate(*c, *data[i], general));
      }
    }
    // Scenario A's terms are all numbers written in the contract; the other's data fits less often.
    const int part = std::string(path).starts_with("examples") ? 2 : 10;
    CHECK(taken > runs / part);
    CHECK(batched > runs / part);
  }
}

TEST_CASE("fast path: a table keyed by text steps aside, and the general evaluator pays", "[fast]") {
  auto contract = compiled_text(R"(contract "t"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2026
input code : text per period
input x : SEK per period
table rates {
  "b" -> 2 SEK
  "a" -> 1 SEK
}
clause "1" {
  pay kommun -> fonden amount rates(code) * 3 + x
}
)");
  const auto& c = *contract;
  auto lowered = fast::lower(c);
  CHECK_FALSE(lowered.program);
  CHECK_FALSE(lowered.reason.empty());
  Dataset d;
  d.series = {{checked::Value(std::string("a")), checked::Value(std::string("b"))},
              {checked::Value(Number::from_int(10)), checked::Value(Number::from_int(20))}};
  d.participants.resize(2);
  Workspace ws;
  Evaluation out;
  evaluate(c, d, EvalOptions{}, ws, out);
  REQUIRE(out.ok);
  CHECK_FALSE(out.fast);
  REQUIRE(out.lines.size() == 2);
  CHECK(out.lines[0].amount == Number::from_int(1 * 3 + 10));  // "a": 1 SEK
  CHECK(out.lines[1].amount == Number::from_int(2 * 3 + 20));  // "b": 2 SEK
  require_same(out, evaluate(c, d, general_path()));
}
