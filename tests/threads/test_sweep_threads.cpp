// `utfall sweep` checks its varied values on all threads (apply_overrides) and evaluates on all
// threads, participants on fixed-point lanes included: the same as on one thread, value for
// value. Built with the thread tests so that the ThreadSanitizer build (.ci/test) runs it too.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"
#include "interpreter/thread_pool.hpp"

using namespace utfall;

TEST_CASE("term values of a sweep check alike on 1 and 3 threads") {
  auto r = compile_file(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/contract.utfall");
  REQUIRE(r.contract);
  const auto& c = *r.contract;
  std::vector<std::string> values;
  for (int k = 0; k < 300; ++k) values.push_back("baslinje=" + std::to_string(150'000'000 + 12'345 * k) + (k % 50 == 7 ? " EUR" : " SEK"));
  auto check = [&](unsigned threads) {
    std::vector<EvalOptions> options(values.size());
    std::vector<Diagnostics> problems(values.size());
    parallel_for(values.size(), threads, [&](unsigned, std::size_t i) { problems[i] = apply_overrides(c, {values[i]}, options[i]); });
    return std::pair{std::move(options), std::move(problems)};
  };
  auto [one, one_problems] = check(1);
  auto [three, three_problems] = check(3);
  const int term = *c.term_index("baslinje");
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO(values[i]);
    const bool bad = i % 50 == 7;  // a value in EUR, which the contract does not know: E301
    REQUIRE(one_problems[i].empty() == !bad);
    REQUIRE(three_problems[i].size() == one_problems[i].size());
    if (bad) {
      REQUIRE(three_problems[i].front().code == "E301");
      continue;
    }
    REQUIRE(std::get<Number>(three[i].term_overrides.at(term)) == Number::from_int(150'000'000 + 12'345 * static_cast<std::int64_t>(i)));
    REQUIRE(std::get<Number>(one[i].term_overrides.at(term)) == std::get<Number>(three[i].term_overrides.at(term)));
  }
}

TEST_CASE("loops over participants on fixed-point lanes give the same on 1 and 3 threads") {
  auto r = compile_file(std::string(UTFALL_SOURCE_DIR) + "/examples/c-tfco/contract.utfall");
  REQUIRE(r.contract);
  const auto& c = *r.contract;
  auto data = load_data(c, {std::string(UTFALL_SOURCE_DIR) + "/examples/c-tfco/data.csv"});
  REQUIRE(data.data);
  std::vector<SweepCase> cases;
  const int term = *c.term_index("utfallspris");
  for (int k = 0; k < 60; ++k) {
    EvalOptions o;
    o.term_overrides[term] = Number::from_int(500'000 + 1'000 * k);
    cases.push_back({&*data.data, o});
  }
  auto one = sweep(c, cases, 1), three = sweep(c, cases, 3);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    REQUIRE(one[i].ok);
    REQUIRE(one[i].lane_records > 0);
    REQUIRE(three[i].lines.size() == one[i].lines.size());
    for (std::size_t k = 0; k < one[i].lines.size(); ++k) REQUIRE(three[i].lines[k].amount == one[i].lines[k].amount);
  }
  // Scenario C's 2026 outcome payment scales with the price: 1 300 000 at 650 000 (the example), so 2 x the price.
  for (std::size_t i = 0; i < cases.size(); ++i)
    for (const auto& l : one[i].lines)
      if (l.rule == "utfall" && c.periods[static_cast<std::size_t>(l.period)] == "2026")
        REQUIRE(l.amount == Number::from_int(2 * (500'000 + 1'000 * static_cast<std::int64_t>(i))));
}

TEST_CASE("a sweep of term values on lanes gives what each case gives alone on 1 and 3 threads") {
  auto r = compile_file(std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/contract.utfall");
  REQUIRE(r.contract);
  const auto& c = *r.contract;
  auto plan = load_data(c, {std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/plan.csv"});
  REQUIRE(plan.data);
  Dataset other = *plan.data;  // a second data set: every cost 3 % lower, to the öre
  for (auto& series : other.series)
    for (auto& v : series)
      if (auto* n = v ? std::get_if<Number>(&*v) : nullptr) *n = (*n * Number::fraction(97, 100)).round(Number::fraction(1, 100), RoundingMode::half_even);
  const int baslinje = *c.term_index("baslinje"), premieandel = *c.term_index("premieandel");
  std::vector<SweepCase> cases;
  for (int k = 0; k < 700; ++k) {  // runs of cases on one data set, then the other; some given 1/3
    EvalOptions o;
    o.term_overrides[baslinje] = Number::from_int(150'000'000 + 137'913 * k);
    o.term_overrides[premieandel] = k % 97 == 5 ? Number::fraction(1, 3) : Number::fraction(k % 60, 100);
    cases.push_back({(k / 100) % 2 ? &other : &*plan.data, o});
  }
  auto one = sweep(c, cases, 1), three = sweep(c, cases, 3);
  int fast = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    EvalOptions general = cases[i].options;
    general.fast = false;
    const Evaluation alone = evaluate(c, *cases[i].data, general);
    for (const auto* r : {&one[i], &three[i]}) {
      REQUIRE(r->ok == alone.ok);
      REQUIRE(r->lines.size() == alone.lines.size());
      for (std::size_t k = 0; k < alone.lines.size(); ++k) REQUIRE(r->lines[k].amount == alone.lines[k].amount);
    }
    fast += one[i].fast;
  }
  CHECK(fast > 600);
}

// parallel_for hands out runs of consecutive cases: every case is worked exactly once, by a
// worker numbered below the threads asked for, for counts around the size of a run (64) and
// of a thread's share; a throw is rethrown after the threads stop.
TEST_CASE("parallel_for works every case once in runs and rethrows a failure") {
  for (std::size_t n : {0, 1, 2, 63, 64, 65, 127, 129, 1000, 4097, 20011})
    for (unsigned threads : {1u, 2u, 3u, 7u}) {
      INFO("n " << n << ", threads " << threads);
      std::vector<std::atomic<int>> seen(n);
      std::atomic<unsigned> highest_worker{0};
      parallel_for(n, threads, [&](unsigned worker, std::size_t i) {
        seen[i].fetch_add(1, std::memory_order_relaxed);
        unsigned w = highest_worker.load();
        while (worker > w && !highest_worker.compare_exchange_weak(w, worker)) {
        }
      });
      std::size_t once = 0;
      for (auto& s : seen) once += s.load() == 1;
      CHECK(once == n);
      CHECK(highest_worker.load() < threads);
    }
  std::atomic<std::size_t> calls{0};
  CHECK_THROWS_WITH(parallel_for(5000, 3,
                                 [&](unsigned, std::size_t i) {
                                   calls.fetch_add(1);
                                   if (i == 777) throw std::runtime_error("case 777");
                                 }),
                    "case 777");
  CHECK(calls.load() >= 1);
}

// ordered_for: every item worked once, finished once, in order 0, 1, ..., each after its work
// returned; never more than `window` items worked and not finished; one finish at a time; a
// throw from either side is rethrown and no item is finished after it.
TEST_CASE("ordered_for finishes every item in order with at most a window outstanding") {
  for (std::size_t n : {0, 1, 2, 5, 64, 1000})
    for (unsigned threads : {1u, 2u, 3u, 7u})
      for (std::size_t window : {1, 2, 3, 8}) {
        INFO("n " << n << ", threads " << threads << ", window " << window);
        std::vector<std::atomic<int>> worked(n);
        std::vector<std::size_t> order;  // written by finish alone
        std::atomic<std::size_t> started{0}, finished{0}, most_ahead{0};
        std::atomic<int> finishing{0}, overlapped{0}, early{0};
        ordered_for(
            n, threads, window,
            [&](unsigned, std::size_t i) {
              const std::size_t ahead = started.fetch_add(1) + 1 - finished.load();
              std::size_t m = most_ahead.load();
              while (ahead > m && !most_ahead.compare_exchange_weak(m, ahead)) {
              }
              worked[i].fetch_add(1);
            },
            [&](std::size_t i) {
              if (finishing.fetch_add(1) != 0) overlapped.fetch_add(1);
              if (worked[i].load() != 1) early.fetch_add(1);
              order.push_back(i);
              finished.fetch_add(1);
              finishing.fetch_sub(1);
            });
        std::size_t in_order = 0;
        for (std::size_t k = 0; k < order.size(); ++k) in_order += order[k] == k;
        CHECK(order.size() == n);
        CHECK(in_order == n);
        CHECK(overlapped.load() == 0);
        CHECK(early.load() == 0);
        CHECK(most_ahead.load() <= window);
      }
  // A throw at item 777: no later item is finished (777 itself is not when its work threw).
  for (bool in_finish : {false, true}) {
    std::size_t last = 0, finishes = 0;  // written by finish alone
    CHECK_THROWS_WITH(ordered_for(
                          5000, 3, 6,
                          [&](unsigned, std::size_t i) {
                            if (!in_finish && i == 777) throw std::runtime_error("item 777");
                          },
                          [&](std::size_t i) {
                            last = i, ++finishes;
                            if (in_finish && i == 777) throw std::runtime_error("item 777");
                          }),
                      "item 777");
    // Item 777 is taken only when at least 777 - 6 + 1 items are finished (the window).
    CHECK(finishes == last + 1);
    if (in_finish) CHECK(last == 777);
    else CHECK((last >= 771 && last <= 776));
  }
}

// A ThreadPool runs each worker of a loop exactly once, worker 0 on the calling thread and the
// others on threads it keeps: the same threads loop after loop, more only when a loop asks for
// more, none started for a loop of one; parallel_for on a pool works every case once.
TEST_CASE("a ThreadPool runs every worker of a loop once on threads it keeps") {
  ThreadPool pool;
  std::mutex m;
  std::map<unsigned, std::thread::id> ran;  // worker -> the thread it ran on, this loop
  std::map<unsigned, int> calls;
  auto loop = [&](unsigned count) {
    ran.clear(), calls.clear();
    return pool.run(count, [&](unsigned worker) {
      std::lock_guard lock(m);
      ran[worker] = std::this_thread::get_id();
      ++calls[worker];
    });
  };
  CHECK(loop(1) == 1);
  CHECK(pool.threads() == 0);
  CHECK(ran.at(0) == std::this_thread::get_id());
  CHECK(loop(4) == 4);
  CHECK(pool.threads() == 3);
  REQUIRE(calls.size() == 4);
  for (unsigned w = 0; w < 4; ++w) CHECK(calls.at(w) == 1);
  CHECK(ran.at(0) == std::this_thread::get_id());
  const auto first = ran;
  for (unsigned w = 1; w < 4; ++w) CHECK(first.at(w) != std::this_thread::get_id());
  CHECK(loop(3) == 3);  // fewer: the fourth kept thread sleeps through it
  CHECK(calls.size() == 3);
  for (unsigned w = 1; w < 3; ++w) CHECK(ran.at(w) == first.at(w));
  CHECK(loop(6) == 6);
  CHECK(pool.threads() == 5);
  for (unsigned w = 1; w < 4; ++w) CHECK(ran.at(w) == first.at(w));
  // Many short loops one after another: every worker once in each.
  std::atomic<int> total{0};
  for (int k = 0; k < 500; ++k) pool.run(1 + k % 5, [&](unsigned) { total.fetch_add(1); });
  int expected = 0;
  for (int k = 0; k < 500; ++k) expected += 1 + k % 5;
  CHECK(total.load() == expected);
  CHECK(pool.threads() == 5);
  // parallel_for on the pool: every case once, no thread started beyond the pool's.
  for (std::size_t n : {1, 2, 100, 5000}) {
    std::vector<std::atomic<int>> seen(n);
    parallel_for(n, 4, [&](unsigned, std::size_t i) { seen[i].fetch_add(1); }, &pool);
    std::size_t once = 0;
    for (auto& c : seen) once += c.load() == 1;
    CHECK(once == n);
  }
  CHECK(pool.threads() == 5);
  CHECK_THROWS_WITH(parallel_for(
                        3000, 3, [&](unsigned, std::size_t i) { if (i == 2222) throw std::runtime_error("case 2222"); }, &pool),
                    "case 2222");
  CHECK(loop(2) == 2);  // the pool still works after a loop that threw
}
