// Time is bounded, not only steps: exact arithmetic counts its work (E711, Limits::max_work),
// and a host can stop an evaluation from another thread or by a time limit (E712), a Batch of
// many data sets too. The work of an operation on values of a and b 64-bit words is (a + b)^2
// (docs/language.md §25).
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// c0 = (x + 1) / (x + 7) is 3/9 = 1/3 for x = 2; c13 = c0^(2^13) = 1/3^8192, a fraction of
// 3 909 digits (203 words). Each d_k = c13 * (c13 + k) / (c13 + k + 1) works on such values:
// its four operations (two additions, a product, a quotient) and the comparison `d_k > 1`
// count (203 + 1)^2 * 2 + (203 + 203)^2 + (406 + 203)^2 + (406 + 1)^2, about 780 000 units,
// so `lets` of them count about 780 000 * lets. Each d_k is below 1: every payment is 0.
std::string heavy(int lets) {
  std::string text =
      "contract \"Tung\"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2025\n"
      "input x : SEK per period\nclause \"1\" {\n  let c0 = (x + 1 SEK) / (x + 7 SEK)\n";
  for (int k = 0; k < 13; ++k) text += "  let c" + std::to_string(k + 1) + " = c" + std::to_string(k) + " * c" + std::to_string(k) + "\n";
  for (int k = 0; k < lets; ++k) {
    auto n = std::to_string(k);
    text += "  let d" + n + " = c13 * (c13 + " + std::to_string(k + 1) + ") / (c13 + " + std::to_string(k + 2) + ")\n";
    text += "  pay p" + n + ": kommun -> fonden amount if d" + n + " > 1 then 1 SEK else 0 SEK\n";
  }
  return text + "}\n";
}

utfall::Data x_is_2() {
  utfall::Data data;
  data.series["x"]["2025"] = "2";
  return data;
}

utfall::Result evaluate(const utfall::Engine& engine, const std::string& text, const utfall::Options& options = {}) {
  auto compiled = engine.compile(text, "c.utfall");
  REQUIRE(compiled.contract);
  return engine.evaluate(*compiled.contract, x_is_2(), options);
}

std::string code_of(const utfall::Result& r) { return r.messages.empty() ? "" : r.messages.front().code; }

// Runs `work` with options whose cancel another thread requests after 200 ms.
template <typename Work>
void cancelled_after_200_ms(Work&& work) {
  utfall::Options options;
  utfall::Cancel cancel;
  options.cancel = cancel;
  std::jthread stopper([cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.request();
  });
  work(options);
}

utfall::Engine engine_with_work(std::uint64_t work) {
  utfall::Config config;
  config.limits.max_work = work;
  return utfall::Engine(config);
}

}  // namespace

TEST_CASE("work of exact arithmetic: under the limit the payments, over it E711 at the operation") {
  // 20 lets: about 15.6 million units (and the squarings of c0 .. c13, about 170 000 more).
  auto under = evaluate(engine_with_work(20'000'000), heavy(20));
  INFO(code_of(under));
  REQUIRE(under.ok);
  for (const auto& p : under.payments) CHECK(p.amount == "0.00");
  auto over = evaluate(engine_with_work(10'000'000), heavy(20));
  REQUIRE_FALSE(over.ok);
  CHECK(code_of(over) == "E711");
  CHECK(over.messages.front().kind == utfall::Message::Kind::limit);
  CHECK(over.messages.front().line > 0);  // it names where
}

TEST_CASE("a host cancels an evaluation from another thread, or gives it a time limit: E712") {
  auto engine = engine_with_work(UINT64_MAX);
  auto compiled = engine.compile(heavy(20000), "c.utfall");  // about 1.6 * 10^10 units: minutes
  REQUIRE(compiled.contract);
  SECTION("cancelled before it starts") {
    utfall::Options options;
    options.cancel.emplace();
    options.cancel->request();
    auto r = engine.evaluate(*compiled.contract, x_is_2(), options);
    REQUIRE_FALSE(r.ok);
    CHECK(code_of(r) == "E712");
  }
  SECTION("cancelled while it runs") {
    utfall::Result r;
    cancelled_after_200_ms([&](const utfall::Options& options) { r = engine.evaluate(*compiled.contract, x_is_2(), options); });
    REQUIRE_FALSE(r.ok);
    CHECK(code_of(r) == "E712");
    CHECK(r.messages.front().text.find("cancelled") != std::string::npos);
  }
  SECTION("past its time limit") {
    utfall::Options options;
    options.time_limit = std::chrono::milliseconds(100);
    auto r = engine.evaluate(*compiled.contract, x_is_2(), options);
    REQUIRE_FALSE(r.ok);
    CHECK(code_of(r) == "E712");
    CHECK(r.messages.front().text == "the evaluation ran past the deadline its host set");
    CHECK(r.messages.front().text_sv == "beräkningen pågick längre än den tidsgräns som programmet som körde den satte");
  }
}

namespace {

// A Batch's sets: `x` per set, bound once each (copies of a Bound share it).
utfall::Bound bind_x(const utfall::Engine& engine, const utfall::Contract& contract, const std::string& x) {
  utfall::Data data;
  data.series["x"]["2025"] = x;
  auto bound = engine.bind(contract, data);
  REQUIRE(bound.data);
  return *bound.data;
}

// One line: 2 SEK + s300, where s300 adds, for k = 1 .. 300, 1 SEK when c13 * (c13 + k) >
// c13 * c13 + k * c13, which is never (the two sides are equal): the line is 2 SEK (200 öre).
// c13 = x^8192, a ratio of scale 0. With x = 1 it is 1 and the set is taken by the fixed-point
// path. With x = 3 it is 3^8192 (3 909 digits, 203 words), past int64: the fixed-point path
// gives the set up, and the general evaluator's products, sums and comparisons on such values
// count about 1.4 million units a term, 300 terms: a set of a second or more.
std::string slow_when_3() {
  std::string text =
      "contract \"Tung\"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2025\n"
      "input x : ratio per period\nclause \"1\" {\n  let c0 = x\n  let s0 = 0 SEK\n";
  for (int k = 0; k < 13; ++k) text += "  let c" + std::to_string(k + 1) + " = c" + std::to_string(k) + " * c" + std::to_string(k) + "\n";
  for (int k = 1; k <= 300; ++k) {
    auto n = std::to_string(k);
    text += "  let s" + n + " = s" + std::to_string(k - 1) + " + (if c13 * (c13 + " + n + ") > c13 * c13 + " + n +
            " * c13 then 1 SEK else 0 SEK)\n";
  }
  return text + "  pay kommun -> fonden amount 2 SEK + s300\n}\n";
}

// The sets a stopped batch evaluated: the ok ones, which must come first. Every later set
// failed with E712 only.
std::size_t evaluated_prefix(const utfall::Batch& batch) {
  std::size_t first_stopped = 0;
  while (first_stopped < batch.size() && batch.ok(first_stopped)) ++first_stopped;
  for (std::size_t i = first_stopped; i < batch.size(); ++i) {
    INFO("data set " << i);
    REQUIRE_FALSE(batch.ok(i));
    REQUIRE(batch.messages(i).size() == 1);
    REQUIRE(batch.messages(i).front().code == "E712");
    REQUIRE(batch.amounts(i)[0] == 0);
  }
  return first_stopped;
}

}  // namespace

TEST_CASE("a Batch stops at a cancel requested before it: no data set is evaluated, one message for all") {
  utfall::Engine engine;
  const std::string text =
      "contract \"Lätt\"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2025\n"
      "input x : SEK per period\nclause \"1\" {\n  pay kommun -> fonden amount x\n}\n";
  auto compiled = engine.compile(text, "c.utfall");
  REQUIRE(compiled.contract);
  const std::vector<utfall::Bound> sets(200'000, bind_x(engine, *compiled.contract, "2"));
  utfall::Batch batch(engine, *compiled.contract);
  utfall::Options options;
  options.cancel.emplace();
  options.cancel->request();
  batch.evaluate(sets, options);
  REQUIRE(batch.size() == sets.size());
  CHECK(evaluated_prefix(batch) == 0);
  CHECK(batch.messages(0).front().text == "the evaluation was cancelled by its host");
  CHECK(batch.messages(0).front().location == "data sets 0 to 199999");
  CHECK(batch.messages(0).front().location_sv == "datamängderna 0 till 199999");
  CHECK(&batch.messages(0) == &batch.messages(199'999));  // one message, not one per set
  // The Batch keeps no stop: without the cancel every set is evaluated, 2 SEK = 200 öre.
  batch.evaluate(sets);
  std::size_t paid = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) paid += batch.ok(i) && batch.amounts(i)[0] == 200;
  CHECK(paid == sets.size());
  // A Batch takes no term overrides and no trace.
  utfall::Options trace;
  trace.trace = true;
  CHECK_THROWS_AS(batch.evaluate(sets, trace), std::invalid_argument);
}

TEST_CASE("a Batch stops soon after a cancel from another thread, or at its time limit: the sets before, and no later one") {
  auto engine = engine_with_work(UINT64_MAX);
  auto compiled = engine.compile(slow_when_3(), "c.utfall");
  REQUIRE(compiled.contract);
  const auto& contract = *compiled.contract;
  const auto quick = bind_x(engine, contract, "1"), slow = bind_x(engine, contract, "3");
  // 300 quick sets, then 100 times a slow set and 10 quick ones: minutes in all.
  std::vector<utfall::Bound> sets(300, quick);
  for (int k = 0; k < 100; ++k) {
    sets.push_back(slow);
    sets.insert(sets.end(), 10, quick);
  }
  utfall::Batch batch(engine, contract);
  auto check_stopped = [&](const char* why) {
    REQUIRE(batch.size() == sets.size());
    // The slow set at 300 is stopped while it runs (it takes seconds); every set after it,
    // quick or slow, is not evaluated (before: the quick ones after it were).
    const std::size_t evaluated = evaluated_prefix(batch);
    CHECK(evaluated <= 300);
    for (std::size_t i = 0; i < evaluated; ++i) CHECK(batch.amounts(i)[0] == 200);
    CHECK(batch.messages(evaluated).front().text.find(why) != std::string::npos);
    // The sets never started share one message: from the one after the set stopped while it
    // ran (or from that set, had the stop come before it started).
    const std::string& shared = batch.messages(sets.size() - 1).front().location;
    const std::string last = " to " + std::to_string(sets.size() - 1);
    CHECK((shared == "data sets " + std::to_string(evaluated + 1) + last || shared == "data sets " + std::to_string(evaluated) + last));
  };
  SECTION("cancelled from another thread") {
    cancelled_after_200_ms([&](const utfall::Options& options) { batch.evaluate(sets, options); });
    check_stopped("cancelled");
  }
  SECTION("past its time limit") {
    utfall::Options options;
    options.time_limit = std::chrono::milliseconds(100);
    batch.evaluate(sets, options);
    check_stopped("deadline");
  }
}
