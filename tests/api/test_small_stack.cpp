// A host's small thread: every call of the API gives on a thread of 256 KiB, and on Rust's
// default 2 MiB, what it gives on the command line's 8 MiB, deep inputs included; limits
// configured beyond what any stack holds end in their limit message, never a crash; a contract
// is freed on any thread (docs/language.md §25.1). Expected values are worked out by hand in the
// comments.
#include <utfall/utfall.hpp>

#include <catch2/catch.hpp>
#include <pthread.h>

#include <exception>
#include <functional>
#include <optional>
#include <string>

namespace {

constexpr std::size_t kSmall = std::size_t{256} << 10;
// Sanitizer builds (a Debug build with ASan) have frames several times larger: their chain of
// definitions inside the 6 MiB budget is shorter.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kDefs = 100;
#else
constexpr int kDefs = 300;
#endif

// Runs `body` on a new thread with `bytes` of stack (as a host's thread pool would).
void on_thread(std::size_t bytes, const std::function<void()>& body) {
  struct Call {
    const std::function<void()>* body;
    std::exception_ptr error;
  } call{&body, nullptr};
  pthread_attr_t attr;
  REQUIRE(pthread_attr_init(&attr) == 0);
  REQUIRE(pthread_attr_setstacksize(&attr, bytes) == 0);
  pthread_t thread;
  auto run = [](void* p) -> void* {
    auto* c = static_cast<Call*>(p);
    try {
      (*c->body)();
    } catch (...) {
      c->error = std::current_exception();
    }
    return nullptr;
  };
  REQUIRE(pthread_create(&thread, &attr, run, &call) == 0);
  pthread_attr_destroy(&attr);
  pthread_join(thread, nullptr);
  if (call.error) std::rethrow_exception(call.error);
}

const std::string kHead =
    "contract \"Djup\"\ncurrency SEK\nparty kommun\nparty fonden\nperiods yearly 2025 .. 2026\n"
    "input x : SEK per period\nclause \"1\" {\n";

// `let a0 = a1 + 1 SEK + ... ` down to `let aN = x`: a chain of `defs` definitions, each with
// `ops` additions of 1 SEK, so a0 = x + defs * ops SEK.
std::string chain(int defs, int ops) {
  std::string text = kHead;
  for (int k = 0; k < defs; ++k) {
    text += "  let a" + std::to_string(k) + " = a" + std::to_string(k + 1);
    for (int i = 0; i < ops; ++i) text += " + 1 SEK";
    text += "\n";
  }
  return text + "  let a" + std::to_string(defs) + " = x\n  pay kommun -> fonden amount a0\n}\n";
}

// x and `n` additions of 1 SEK in one payment: a tree n + 1 levels high, leaning left.
std::string additions(int n) {
  std::string text = kHead + "  pay kommun -> fonden amount x";
  for (int i = 0; i < n; ++i) text += " + 1 SEK";
  return text + "\n}\n";
}

utfall::Data x_is(const char* v2025, const char* v2026) {
  utfall::Data data;
  data.series["x"]["2025"] = v2025;
  data.series["x"]["2026"] = v2026;
  return data;
}

std::string first_message(const utfall::Messages& messages) { return messages.empty() ? "" : messages.front().code + ": " + messages.front().text; }

// What a host does with a contract on one thread: compile, evaluate on the fast and on the
// general path (a trace takes the general one), and drop everything.
void compile_and_pay(const std::string& text, const char* want2025, const char* want2026) {
  utfall::Engine engine;
  auto compiled = engine.compile(text, "c.utfall");
  INFO(first_message(compiled.messages));
  REQUIRE(compiled.contract);
  for (bool trace : {false, true}) {
    utfall::Options options;
    options.trace = trace;
    auto result = engine.evaluate(*compiled.contract, x_is("1", "2"), options);
    INFO(first_message(result.messages));
    REQUIRE(result.ok);
    REQUIRE(result.payments.size() == 2);
    CHECK(result.payments[0].amount == want2025);
    CHECK(result.payments[1].amount == want2026);
  }
}

void expect_limit(const utfall::Engine& engine, const std::string& text, const std::string& code, const std::string& words) {
  auto compiled = engine.compile(text, "c.utfall");
  REQUIRE_FALSE(compiled.contract);
  REQUIRE_FALSE(compiled.messages.empty());
  CHECK(compiled.messages.front().code == code);
  CHECK(compiled.messages.front().text.find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("a contract inside every limit runs on threads of 256 KiB and 2 MiB") {
  for (std::size_t stack : {kSmall, std::size_t{2} << 20}) {
    INFO("stack " << (stack >> 10) << " KiB");
    // kDefs definitions of 5 additions: 6 levels each (the additions and the name below them),
    // 1800 in all (600 under a sanitizer), under the 2000 of E703. a0 = x + kDefs * 5 SEK:
    // 1 + 1500 = 1501.00 in 2025 (x = 1), 1502.00 in 2026 (x = 2); 501.00 and 502.00.
    on_thread(stack, [] {
      compile_and_pay(chain(kDefs, 5), kDefs == 300 ? "1501.00" : "501.00", kDefs == 300 ? "1502.00" : "502.00");
    });
    // One expression of 999 additions: the parser's limit on the height of a tree is 1000.
    // x + 999 * 1 SEK: 1000.00 and 1001.00.
    on_thread(stack, [&] { compile_and_pay(additions(999), "1000.00", "1001.00"); });
  }
}

TEST_CASE("past the depth limits on a thread of 256 KiB: the same limit messages as on 8 MiB") {
  on_thread(kSmall, [] {
    utfall::Engine engine;
    // 390 definitions of 990 operators: each under its own limit, their product not.
    expect_limit(engine, chain(390, 990), "E703", "more than 2000 levels, or 6 MiB of stack");
    // A chain of 100 000 definitions stops at 400.
    expect_limit(engine, chain(100000, 0), "E703", "more than 400 deep");
  });
}

TEST_CASE("a nesting limit configured past what the stack holds ends in E706, on any thread") {
  utfall::Config config;
  config.limits.max_nesting = 100000000;
  std::string text = kHead + "  pay kommun -> fonden amount " + std::string(100000, '(') + "x" + std::string(100000, ')') + "\n}\n";
  for (std::size_t stack : {kSmall, std::size_t{8} << 20}) {
    INFO("stack " << (stack >> 10) << " KiB");
    on_thread(stack, [&] { expect_limit(utfall::Engine(config), text, "E706", "of stack holds"); });
  }
}

TEST_CASE("a contract compiled on a large thread is freed on a thread of 256 KiB, or of 32 KiB") {
  // Freeing a tree takes no stack per level of it: 32 KiB is less than the recursion of a
  // release build needs for 1000 levels. The trees go with the last handle that holds them: the
  // Contract, or data bound for it.
  for (std::size_t stack : {kSmall, std::size_t{32} << 10})
    for (bool data_last : {false, true}) {
      INFO("stack " << (stack >> 10) << " KiB; " << (data_last ? "the data bound for it goes last" : "the contract goes last"));
      std::optional<utfall::Contract> contract;
      std::optional<utfall::Bound> data;
      on_thread(std::size_t{8} << 20, [&] {
        utfall::Engine engine;
        // The highest tree the parser builds: 1000 levels. x + 999 * 1 SEK: 1000.00 and 1001.00.
        auto compiled = engine.compile(additions(999), "c.utfall");
        INFO(first_message(compiled.messages));
        REQUIRE(compiled.contract);
        auto bound = engine.bind(*compiled.contract, x_is("1", "2"));
        REQUIRE(bound.data);
        auto result = engine.evaluate(*compiled.contract, *bound.data);
        REQUIRE(result.payments.size() == 2);
        CHECK(result.payments[0].amount == "1000.00");
        CHECK(result.payments[1].amount == "1001.00");
        contract = std::move(compiled.contract);
        data = std::move(bound.data);
      });
      if (data_last) contract.reset();
      else data.reset();
      on_thread(stack, [&] {
        contract.reset();
        data.reset();
      });
    }
}
