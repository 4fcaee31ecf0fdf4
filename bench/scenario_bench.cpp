// utfall against its peers, on the same generated data, in one run (issue 7):
//   A  scenario A (5 periods, cumulative waterfall, netting) over N generated data sets:
//      utfall through the C++ API (compiled once; a Session, a Batch of all the sets with int64
//      amounts, and Engine::evaluate for contrast),
//      Python decimal (bench/reference/scenario_a.py, run as a subprocess on the same sets),
//      hand-written C++ on utfall::Number and on int64 fixed point (bench/reference/scenarios.hpp);
//   C  scenario C's per-participant rate card over 10 000, 100 000 and 1 000 000 generated
//      participants read from CSV, parsing included, by the same four;
//   P  parse + check of a generated contract of 1 000 clauses.
// Before timing anything, every implementation's payments are compared to the öre; a mismatch
// stops the program (exit 1), so a fast wrong answer cannot pass. Allocations are counted by
// replacing the global operator new in this program.
//
//   scenario_bench [--sets N] [--participants 10000,100000,1000000] [--workdir DIR] [--check]
//                  [--profile N] [Google Benchmark flags]
// --check: small sizes, the agreement and allocation checks only, no timing (a ctest).
// --profile N: after the agreement checks, N evaluations of scenario A in a warm Session and
// nothing else (for callgrind; see profile_a).
// --workdir DIR: the data and the generated contracts are written there and kept (else into a
// temporary folder, removed at the end).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>
#include <nlohmann/json.hpp>
#include <utfall/utfall.hpp>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/reference/scenarios.hpp"
#include "tests/tools/many_clauses.hpp"
#include "tests/tools/splitmix.hpp"

// ---- allocation counting: every operator new of the program goes through here ----
#include "tests/tools/allocation_counter.hpp"

namespace {

namespace fs = std::filesystem;
using utfall::Number;

// ---- deterministic data ----

using utfall::test_support::Random;

std::string ore_text(std::int64_t ore) { return fmt::format("{}.{:02}", ore / 100, ore % 100); }

struct SetA {
  std::array<std::int64_t, 5> cost, drawn;  // öre
};

std::vector<SetA> generate_a(std::size_t n) {
  Random rng{20251};
  std::vector<SetA> sets(n);
  for (auto& s : sets)
    for (int t = 0; t < 5; ++t) {
      s.cost[t] = rng.range(130'000'000'00, 215'000'000'00);         // home-care cost, with öre
      s.drawn[t] = rng.range(6'000'000, 8'000'000) * 100;             // financing drawn, whole SEK
      if (rng.next() % 8 == 0) s.cost[t] = 200'000'000'00 - rng.range(0, 3) * 5;  // near the baseline
    }
  return sets;
}

void write_a(const fs::path& path, const std::vector<SetA>& sets) {
  std::ofstream f(path);
  f << "set,period,hemtjanst_kostnad,avropat\n";
  for (std::size_t i = 0; i < sets.size(); ++i)
    for (int t = 0; t < 5; ++t) f << i << ',' << 2025 + t << ',' << ore_text(sets[i].cost[t]) << ',' << ore_text(sets[i].drawn[t]) << '\n';
}

void write_c(const fs::path& path, std::size_t n) {
  Random rng{n};
  std::ofstream f(path);
  f << "id,inskriven,stabil,narvaro,nytt_brott\n";
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t tenths = rng.range(500, 1000);
    if (rng.next() % 10 == 0) tenths = 799 + static_cast<std::int64_t>(rng.next() % 3);  // 79.9, 80.0, 80.1
    std::string narvaro = tenths % 10 == 0 && rng.next() % 2 ? std::to_string(tenths / 10) : fmt::format("{}.{}", tenths / 10, tenths % 10);
    f << 'Y' << i + 1 << ',' << 2025 + rng.range(0, 2) << ',' << (rng.next() % 5 ? "yes" : "no") << ',' << narvaro << ','
      << (rng.next() % 4 ? "no" : "yes") << '\n';
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// ---- running the Python references ----

nlohmann::json run_python(const std::string& script, const std::vector<std::string>& args) {
  std::string cmd = fmt::format("python3 '{}/bench/reference/{}'", UTFALL_SOURCE_DIR, script);
  for (const auto& a : args) cmd += " '" + a + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error("failed: " + cmd);
  return nlohmann::json::parse(out);
}

std::vector<std::int64_t> read_ore(const fs::path& path) {
  std::vector<std::int64_t> v;
  std::ifstream f(path);
  for (std::int64_t x; f >> x;) v.push_back(x);
  return v;
}

std::int64_t ore_of(const std::string& amount) {  // "26700000.00" -> 2670000000
  std::string digits;
  for (char c : amount)
    if (c != '.') digits += c;
  std::int64_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}
std::int64_t ore_of(const Number& n) { return *(n * Number::from_int(100)).to_int64(); }

// ---- the fixture: everything generated once ----

struct World {
  utfall::Engine engine;
  std::optional<utfall::Contract> a, c;
  std::vector<SetA> sets;
  std::vector<utfall::Bound> bound;  // the sets, bound for contract A
  std::vector<std::array<Number, 5>> cost, drawn;
  std::vector<std::size_t> participants;
  fs::path workdir;
  std::string big_contract, huge_contract;  // 1 000 and 10 000 clauses
  double python_a = 0;                        // evaluations per second
  std::map<std::size_t, double> python_c;     // participants -> seconds
  std::uint64_t session_allocations = 0;      // per evaluation, after warm-up
  std::uint64_t batch_allocations = 0;        // in a whole evaluate of all the sets, after warm-up
  bool check_only = false;
};
World* world = nullptr;

fs::path c_file(std::size_t n) { return world->workdir / fmt::format("c-{}.csv", n); }

utfall::Contract compile_or_die(const std::string& path) {
  auto r = world->engine.compile_file(path);
  if (!r.contract) {
    for (auto& m : r.messages) std::cerr << m.rendered << "\n";
    std::exit(2);
  }
  return *r.contract;
}

[[noreturn]] void mismatch(const std::string& what) {
  std::cerr << "MISMATCH: " << what << "\n";
  std::exit(1);
}

void prepare_a(World& w, std::size_t n) {
  w.sets = generate_a(n);
  write_a(w.workdir / "a-sets.csv", w.sets);
  for (const auto& s : w.sets) {
    utfall::Data data;
    std::array<Number, 5> cost, drawn;
    for (int t = 0; t < 5; ++t) {
      std::string period = std::to_string(2025 + t);
      data.series["hemtjanst_kostnad"][period] = utfall::Value::decimal(s.cost[t], 2);
      data.series["avropat"][period] = utfall::Value::decimal(s.drawn[t], 2);
      cost[t] = Number::fraction(s.cost[t], 100), drawn[t] = Number::fraction(s.drawn[t], 100);
    }
    auto b = w.engine.bind(*w.a, data);
    if (!b.data) mismatch("a generated data set does not bind: " + b.messages.front().rendered);
    w.bound.push_back(*b.data);
    w.cost.push_back(cost), w.drawn.push_back(drawn);
  }
  // Agreement: utfall (Session and Engine::evaluate), Python, Number, int64, set by set.
  auto py = run_python("scenario_a.py", {(w.workdir / "a-sets.csv").string(), (w.workdir / "a-python.out").string(), w.check_only ? "1" : "3"});
  w.python_a = py["evaluations_per_second"].get<double>();
  auto python = read_ore(w.workdir / "a-python.out");
  if (python.size() != 3 * n) mismatch("python gave " + std::to_string(python.size()) + " payments");
  utfall::Session session(w.engine, *w.a);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = session.evaluate(w.bound[i]);
    auto e = w.engine.evaluate(*w.a, w.bound[i]);
    if (!r.ok || r.payments.size() != 3 || !e.ok || e.payments.size() != 3) mismatch(fmt::format("A set {}: utfall gave no 3 payments", i));
    auto num = utfall::reference::scenario_a(w.cost[i], w.drawn[i]);
    auto fixed = utfall::reference::scenario_a_int64(w.sets[i].cost, w.sets[i].drawn);
    for (int k = 0; k < 3; ++k) {
      std::int64_t u = ore_of(r.payments[k].amount);
      if (u != ore_of(e.payments[k].amount) || u != python[3 * i + k] || u != ore_of(num[k]) || u != fixed[k])
        mismatch(fmt::format("A set {} payment {}: utfall {} engine {} python {} Number {} int64 {}", i, k, u, ore_of(e.payments[k].amount),
                             python[3 * i + k], ore_of(num[k]), fixed[k]));
    }
  }
  // The Batch, all sets at once: its integer amounts are the Session's to the öre.
  utfall::Batch batch(w.engine, *w.a);
  batch.evaluate(w.bound);
  if (batch.size() != n || batch.lines().size() != 3 || batch.places() != 2) mismatch("A: the Batch's shape");
  for (std::size_t i = 0; i < n; ++i) {
    if (!batch.ok(i)) mismatch(fmt::format("A set {}: the Batch failed: {}", i, batch.messages(i).empty() ? "" : batch.messages(i).front().rendered));
    for (int k = 0; k < 3; ++k)
      if (batch.amounts(i)[k] != python[3 * i + k]) mismatch(fmt::format("A set {} payment {}: Batch {} python {}", i, k, batch.amounts(i)[k], python[3 * i + k]));
  }
  std::uint64_t batch_before = allocations();
  batch.evaluate(w.bound);
  w.batch_allocations = allocations() - batch_before;
  // Allocations per evaluation of a warm session.
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 100); ++i) session.evaluate(w.bound[i]);
  std::uint64_t before = allocations();
  for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(session.evaluate(w.bound[i]).ok);
  w.session_allocations = (allocations() - before) / n;
  fmt::print("scenario A: {} generated data sets; utfall (Session, Batch), Python decimal, C++ Number and C++ int64 agree on all {} payments\n", n, 3 * n);
}

void prepare_c(World& w) {
  for (std::size_t n : w.participants) {
    write_c(c_file(n), n);
    auto py = run_python("scenario_c.py", {c_file(n).string(), (w.workdir / "c-python.out").string(), w.check_only ? "1" : "3"});
    w.python_c[n] = py["seconds"].get<double>();
    auto python = read_ore(w.workdir / "c-python.out");
    utfall::Data data;
    data.files.push_back(c_file(n).string());
    auto r = w.engine.evaluate(*w.c, data);
    if (!r.ok || r.payments.size() != 12) mismatch(fmt::format("C {}: utfall failed: {}", n, r.messages.empty() ? "" : r.messages.front().rendered));
    std::string text = read_text(c_file(n));
    auto num = utfall::reference::scenario_c(text);
    auto fixed = utfall::reference::scenario_c_int64(text);
    if (python.size() != 12) mismatch("python C lines");
    for (int k = 0; k < 12; ++k) {
      std::int64_t u = ore_of(r.payments[k].amount);
      if (u != python[k] || u != ore_of(num[k]) || u != fixed[k])
        mismatch(fmt::format("C {} line {}: utfall {} python {} Number {} int64 {}", n, k, u, python[k], ore_of(num[k]), fixed[k]));
    }
    fmt::print("scenario C: {} participants; utfall, Python decimal, C++ Number and C++ int64 agree on all 12 payment lines\n", n);
  }
}

// ---- a fixed number of evaluations, for instruction counts ----
// `valgrind --tool=callgrind --toggle-collect='*profile_a*' scenario_bench --profile N`: the
// collected instructions over N are the instructions per evaluation of a warm Session.
[[gnu::noinline]] void profile_a(World& w, utfall::Session& session, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(session.evaluate(w.bound[i % w.bound.size()]).ok);
}

// ---- benchmarks ----

void BM_A_utfall_session(benchmark::State& state) {
  utfall::Session session(world->engine, *world->a);
  std::size_t i = 0, n = world->bound.size();
  for (auto _ : state) {
    benchmark::DoNotOptimize(session.evaluate(world->bound[i]).ok);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
// One iteration evaluates every set: items are evaluations.
void BM_A_utfall_batch(benchmark::State& state) {
  utfall::Batch batch(world->engine, *world->a);
  for (auto _ : state) {
    batch.evaluate(world->bound);
    benchmark::DoNotOptimize(batch.amounts(0));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(world->bound.size()));
}
// One data set per call, as a Session takes them, with the amounts as integers (no texts): what
// a host that wants numbers one at a time gets from a Batch of one set.
void BM_A_utfall_batch_one(benchmark::State& state) {
  utfall::Batch batch(world->engine, *world->a);
  std::size_t i = 0, n = world->bound.size();
  for (auto _ : state) {
    batch.evaluate(&world->bound[i], 1);
    benchmark::DoNotOptimize(batch.amounts(0));
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_A_utfall_engine(benchmark::State& state) {
  std::size_t i = 0, n = world->bound.size();
  for (auto _ : state) {
    benchmark::DoNotOptimize(world->engine.evaluate(*world->a, world->bound[i]).ok);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
// Engine::sweep over every set, each with a term given another value (so that no Batch can
// take them; 21 values, each checked once per thread's Session): one iteration evaluates every
// set; range(0) threads. Items are evaluations.
// The results of one iteration (Scenario A: about 3 KB each) are freed before the next, and
// glibc's malloc would give those pages back to the system and fault them in again on every
// iteration (at 100 000 cases on one thread: 287 ms a sweep against 57 ms): it is told to keep
// them (mallopt), so that each iteration times the sweep, not the pages. A host's first sweep
// pays for its pages once. Registered last, so that no other benchmark runs under that setting.
// Setting these turns off glibc's moving threshold for mapping a block of its own, which would
// otherwise rise after the first sweep: the vector of results (1.6 MB at 10 000 cases) would be
// mapped afresh and faulted in page by page on every iteration, before the threads start (0.4
// ms of a 5 ms sweep, measured). The threshold is set where a host's would have risen to.
void BM_A_engine_sweep(benchmark::State& state) {
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  const auto threads = static_cast<unsigned>(state.range(0));
  std::vector<utfall::Engine::Case> cases;
  cases.reserve(world->bound.size());
  for (std::size_t i = 0; i < world->bound.size(); ++i) {
    utfall::Options o;
    o.terms["premieandel"] = fmt::format("{} %", 20 + static_cast<int>(i % 21));
    cases.push_back({world->bound[i], o});
  }
  for (auto _ : state) {
    auto results = world->engine.sweep(*world->a, cases, threads);
    benchmark::DoNotOptimize(results.data());
    state.PauseTiming();  // the caller's freeing of the results is not the sweep's time
    results = {};
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(cases.size()));
}
void BM_A_number(benchmark::State& state) {
  std::size_t i = 0, n = world->cost.size();
  for (auto _ : state) {
    benchmark::DoNotOptimize(utfall::reference::scenario_a(world->cost[i], world->drawn[i]));
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_A_int64(benchmark::State& state) {
  std::size_t i = 0, n = world->sets.size();
  for (auto _ : state) {
    benchmark::DoNotOptimize(utfall::reference::scenario_a_int64(world->sets[i].cost, world->sets[i].drawn));
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_C_utfall(benchmark::State& state) {
  std::size_t n = static_cast<std::size_t>(state.range(0));
  utfall::Session session(world->engine, *world->c);
  for (auto _ : state) {
    utfall::Data data;
    data.files.push_back(c_file(n).string());
    auto bound = world->engine.bind(*world->c, data);
    benchmark::DoNotOptimize(session.evaluate(*bound.data).ok);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
void BM_C_number(benchmark::State& state) {
  std::size_t n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(utfall::reference::scenario_c(read_text(c_file(n))));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
void BM_C_int64(benchmark::State& state) {
  std::size_t n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(utfall::reference::scenario_c_int64(read_text(c_file(n))));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

void BM_compile_1000_clauses(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(world->engine.compile(world->big_contract, "generated.utfall").contract.has_value());
  state.SetItemsProcessed(state.iterations());
}

void BM_compile_10000_clauses(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(world->engine.compile(world->huge_contract, "generated.utfall").contract.has_value());
  state.SetItemsProcessed(state.iterations());
}

// A run of the 10 000-clause contract as a host does it once: compile, read and bind the data
// (kostnad per period), evaluate, the Result's texts made (`utfall run` does the same through
// the pipeline, without the fixed-point program).
void BM_run_10000_clauses(benchmark::State& state) {
  const std::string data_file = (world->workdir / "generated-kostnad.csv").string();
  for (auto _ : state) {
    auto compiled = world->engine.compile(world->huge_contract, "generated.utfall");
    utfall::Data data;
    data.files.push_back(data_file);
    auto r = world->engine.evaluate(*compiled.contract, data);
    if (!r.ok) mismatch("the generated contract does not run: " + (r.messages.empty() ? std::string() : r.messages.front().rendered));
    benchmark::DoNotOptimize(r.payments.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// Keeps every benchmark's seconds per iteration for the summary: with --benchmark_repetitions,
// the best repetition's (as the Python references report their best of three).
class Collector : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> seconds;  // name -> real seconds per iteration
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (r.run_type == Run::RT_Iteration && r.iterations > 0) {
        std::string name = r.benchmark_name();
        name = name.substr(0, name.find("/iterations:"));  // "BM_C_utfall/10000/iterations:20"
        const double s = r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
        auto [it, fresh] = seconds.try_emplace(name, s);
        if (!fresh) it->second = std::min(it->second, s);
      }
    ConsoleReporter::ReportRuns(runs);
  }
};

void summary(const World& w, const Collector& c) {
  auto get = [&](const std::string& name) {
    auto it = c.seconds.find(name);
    return it == c.seconds.end() ? 0.0 : it->second;
  };
  // A benchmark left out by --benchmark_filter has no time: its figures and verdicts are not
  // printed (they were infinities, and "met").
  const bool a_ran = get("BM_A_utfall_batch") > 0 && get("BM_A_utfall_session") > 0 && get("BM_A_utfall_engine") > 0 &&
                     get("BM_A_number") > 0 && get("BM_A_int64") > 0;
  double batch = static_cast<double>(w.sets.size()) / get("BM_A_utfall_batch");
  double session = 1 / get("BM_A_utfall_session"), engine = 1 / get("BM_A_utfall_engine"), number = 1 / get("BM_A_number"),
         fixed = 1 / get("BM_A_int64");
  const double batch_one = get("BM_A_utfall_batch_one") > 0 ? 1 / get("BM_A_utfall_batch_one") : 0;
  if (!a_ran) {
    fmt::print("\n== Scenario A: not run (every BM_A benchmark is needed for its summary) ==\n");
  } else {
    fmt::print("\n== Scenario A: evaluations per second ({} generated data sets) ==\n", w.sets.size());
    fmt::print("{:<40} {:>14}\n", "utfall, Session (compiled once)", fmt::format("{:.0f}", session));
    fmt::print("{:<40} {:>14}\n", "utfall, Batch (int64 amounts)", fmt::format("{:.0f}", batch));
    if (batch_one > 0) fmt::print("{:<40} {:>14}\n", "utfall, Batch of one set a call", fmt::format("{:.0f}", batch_one));
    fmt::print("{:<40} {:>14}\n", "utfall, Engine::evaluate", fmt::format("{:.0f}", engine));
    fmt::print("{:<40} {:>14}\n", "Python decimal (by hand)", fmt::format("{:.0f}", w.python_a));
    fmt::print("{:<40} {:>14}\n", "C++ utfall::Number (by hand)", fmt::format("{:.0f}", number));
    fmt::print("{:<40} {:>14}\n", "C++ int64 fixed point (by hand)", fmt::format("{:.0f}", fixed));
    fmt::print("utfall / Python decimal = {:.1f}x (target >= 20x: {}; issue 20's >= 50x: {})\n", session / w.python_a,
               session / w.python_a >= 20 ? "met" : "NOT met", session / w.python_a >= 50 ? "met" : "NOT met");
    fmt::print("int64 / utfall          = {:.1f}x (target <= 5x: {})\n", fixed / session, fixed / session <= 5 ? "met" : "NOT met");
    fmt::print("utfall batch / Python   = {:.1f}x (target >= 20x: {})\n", batch / w.python_a, batch / w.python_a >= 20 ? "met" : "NOT met");
    fmt::print("int64 / utfall batch    = {:.1f}x (target <= 5x: {})\n", fixed / batch, fixed / batch <= 5 ? "met" : "NOT met");
    if (batch_one > 0)
      fmt::print("Batch of one / Python   = {:.1f}x (one set a call, integer amounts and no texts: not the Session target's measure)\n",
                 batch_one / w.python_a);
    fmt::print("Number / utfall         = {:.1f}x (the cost of interpretation)\n", number / session);
    fmt::print("allocations per evaluation, warm Session: {} (target 0: {})\n", w.session_allocations, w.session_allocations == 0 ? "met" : "NOT met");
    fmt::print("allocations in a warm Batch evaluate of all {} sets: {} (target 0: {})\n", w.sets.size(), w.batch_allocations,
               w.batch_allocations == 0 ? "met" : "NOT met");
  }
  fmt::print("\n== Scenario C: seconds for N participants from CSV, parsing included ==\n");
  fmt::print("{:>10} {:>12} {:>12} {:>12} {:>12} {:>14} {:>14}\n", "N", "utfall", "Python", "C++ Number", "C++ int64", "Python/utfall", "utfall/int64");
  for (std::size_t n : w.participants) {
    double u = get(fmt::format("BM_C_utfall/{}", n)), p = w.python_c.at(n);
    double num = get(fmt::format("BM_C_number/{}", n)), i64 = get(fmt::format("BM_C_int64/{}", n));
    if (u == 0 || num == 0 || i64 == 0) {
      fmt::print("{:>10} not run\n", n);
      continue;
    }
    fmt::print("{:>10} {:>12.3f} {:>12.3f} {:>12.3f} {:>12.3f} {:>13.1f}x {:>13.1f}x\n", n, u, p, num, i64, p / u, u / i64);
  }
  if (w.python_c.count(1'000'000) && get("BM_C_utfall/1000000") > 0 && get("BM_C_int64/1000000") > 0) {
    double u = get("BM_C_utfall/1000000");
    double py = w.python_c.at(1'000'000), i64 = get("BM_C_int64/1000000");
    fmt::print("1 000 000 participants through utfall: {:.2f} s (issue 20's target < 0.5 s: {})\n", u, u < 0.5 ? "met" : "NOT met");
    fmt::print("  Python decimal / utfall = {:.1f}x (target >= 5x: {}); utfall / int64 = {:.1f}x (target <= 5x: {})\n", py / u,
               py / u >= 5 ? "met" : "NOT met", u / i64, u / i64 <= 5 ? "met" : "NOT met");
  }
  if (const double one = get("BM_A_engine_sweep/1/real_time"); one > 0) {
    fmt::print("\n== Engine::sweep over {} cases: speed-up against 1 thread ==\n", w.sets.size());
    std::map<int, double> by_threads;
    for (const auto& [name, s] : c.seconds)
      if (name.rfind("BM_A_engine_sweep/", 0) == 0) by_threads[std::stoi(name.substr(std::string("BM_A_engine_sweep/").size()))] = s;
    for (const auto& [threads, s] : by_threads) {
      const double target = threads == 2 ? 1.8 : threads == 16 ? 10.0 : 0;
      const std::string verdict = target > 0 ? fmt::format(" (target >= {}x: {})", target, one / s >= target ? "met" : "NOT met") : "";
      fmt::print("{:>4} threads: {:8.3f} ms, {:6.3f}x{}\n", threads, s * 1000, one / s, verdict);
    }
  }
  double p = get("BM_compile_1000_clauses"), p10 = get("BM_compile_10000_clauses");
  if (p > 0) fmt::print("\n== Parse + check of 1 000 clauses: {:.1f} ms (target < 10 ms: {}) ==\n", p * 1000, p < 0.01 ? "met" : "NOT met");
  if (p10 > 0) fmt::print("== Parse + check of 10 000 clauses: {:.1f} ms (target < 100 ms: {}) ==\n", p10 * 1000, p10 < 0.1 ? "met" : "NOT met");
  if (double r10 = get("BM_run_10000_clauses"); r10 > 0)
    fmt::print("== Run of 10 000 clauses (compile, bind, evaluate): {:.0f} ms (target < 300 ms: {}) ==\n", r10 * 1000, r10 < 0.3 ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
  World w;
  world = &w;
  std::size_t sets = 10'000, profile = 0;
  w.participants = {10'000, 100'000, 1'000'000};
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--check") {
      w.check_only = true, sets = 300, w.participants = {3'000};
    } else if (a == "--sets" && i + 1 < argc) {
      sets = std::stoul(argv[++i]);
    } else if (a == "--participants" && i + 1 < argc) {
      w.participants.clear();
      std::stringstream s(argv[++i]);
      for (std::string x; std::getline(s, x, ',');) w.participants.push_back(std::stoul(x));
    } else if (a == "--profile" && i + 1 < argc) {
      profile = std::stoul(argv[++i]);
    } else if (a == "--workdir" && i + 1 < argc) {
      w.workdir = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  // A folder the user named with --workdir is kept, with what was written into it.
  const bool own_workdir = w.workdir.empty();
  if (own_workdir) w.workdir = fs::temp_directory_path() / fmt::format("utfall-bench-{}", ::getpid());
  fs::create_directories(w.workdir);
  auto clean_up = [&] {
    if (own_workdir) fs::remove_all(w.workdir);
  };
  std::string src = UTFALL_SOURCE_DIR;
  w.a = compile_or_die(src + "/examples/a-aldreomsorg/contract.utfall");
  w.c = compile_or_die(src + "/examples/c-tfco/contract.utfall");
  w.big_contract = utfall::test_support::many_clauses_contract(1000);
  w.huge_contract = utfall::test_support::many_clauses_contract(10000);
  for (const auto* text : {&w.big_contract, &w.huge_contract})
    if (auto r = w.engine.compile(*text, "generated.utfall"); !r.contract) mismatch("the generated contract does not check: " + r.messages.front().rendered);
  // Written out too, for profiling `utfall check` and `utfall run` of them (bench/README.md).
  std::ofstream(w.workdir / "generated-1000.utfall") << w.big_contract;
  std::ofstream(w.workdir / "generated-10000.utfall") << w.huge_contract;
  {
    std::ofstream f(w.workdir / "generated-kostnad.csv");
    f << "period,kostnad\n2025,150000000\n2026,170000000\n2027,190000000\n2028,210000000\n2029,230000000\n";
  }
  prepare_a(w, sets);
  if (profile > 0) {  // warm up a Session, then the evaluations to count
    utfall::Session session(w.engine, *w.a);
    profile_a(w, session, std::min<std::size_t>(sets, 100));
    profile_a(w, session, profile);
    clean_up();
    return 0;
  }
  prepare_c(w);
  if (w.check_only) {
    fmt::print("allocations per evaluation of a warm Session (scenario A): {}\n", w.session_allocations);
    fmt::print("allocations in a warm Batch evaluate of all {} sets (scenario A): {}\n", w.sets.size(), w.batch_allocations);
    clean_up();
    return w.session_allocations == 0 && w.batch_allocations == 0 ? 0 : 1;
  }

  benchmark::RegisterBenchmark("BM_A_utfall_session", BM_A_utfall_session);
  benchmark::RegisterBenchmark("BM_A_utfall_batch", BM_A_utfall_batch);
  benchmark::RegisterBenchmark("BM_A_utfall_batch_one", BM_A_utfall_batch_one);
  benchmark::RegisterBenchmark("BM_A_utfall_engine", BM_A_utfall_engine);
  benchmark::RegisterBenchmark("BM_A_number", BM_A_number);
  benchmark::RegisterBenchmark("BM_A_int64", BM_A_int64);
  for (std::size_t n : w.participants) {
    auto iterations = static_cast<benchmark::IterationCount>(n >= 1'000'000 ? 2 : n >= 100'000 ? 5 : 20);
    using Fn = void (*)(benchmark::State&);
    for (auto [name, fn] : {std::pair<const char*, Fn>{"BM_C_utfall", BM_C_utfall}, {"BM_C_number", BM_C_number}, {"BM_C_int64", BM_C_int64}})
      benchmark::RegisterBenchmark(name, fn)->Arg(static_cast<std::int64_t>(n))->Iterations(iterations)->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_compile_1000_clauses", BM_compile_1000_clauses)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_compile_10000_clauses", BM_compile_10000_clauses)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_run_10000_clauses", BM_run_10000_clauses)->Unit(benchmark::kMillisecond);
  {  // last (it changes malloc's settings); 1, 2, 4, ... threads and every core
    auto* sweep = benchmark::RegisterBenchmark("BM_A_engine_sweep", BM_A_engine_sweep)->UseRealTime()->Unit(benchmark::kMillisecond);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 1; t < cores; t *= 2) sweep->Arg(t);
    sweep->Arg(cores);
  }
  int gargc = static_cast<int>(rest.size());
  benchmark::Initialize(&gargc, rest.data());
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  summary(w, collector);
  clean_up();
  benchmark::Shutdown();
  return 0;
}
