// Time is bounded, not only steps: exact arithmetic counts its work (E711, Limits::max_work),
// and a host can stop an evaluation from another thread or by a time limit (E712). The work
// of an operation on values of a and b 64-bit words is (a + b)^2 (docs/language.md §25).
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

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
    utfall::Options options;
    utfall::Cancel cancel;
    options.cancel = cancel;
    std::thread stopper([cancel] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      cancel.request();
    });
    auto r = engine.evaluate(*compiled.contract, x_is_2(), options);
    stopper.join();
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
    CHECK(r.messages.front().text.find("deadline") != std::string::npos);
  }
}
