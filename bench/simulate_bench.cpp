// `utfall simulate` (issue 16): runs per second of scenario A, through interpreter/simulate.hpp
// as the command runs it, at 1 and 2 threads (and more where the machine has them):
//   term    premieandel ~ uniform(20 %, 50 %) step 0.01 %   (a term drawn: one override per run)
//   inputs  hemtjanst_kostnad ~ normal(175 000 000, 15 000 000) (every period of a series drawn)
// Target: 1 000 000 runs of scenario A in under 2 s on 2 cores. Before timing, the amounts of a
// run on 1 thread and on 2 are compared: they must be identical (the draws depend on the run, not
// the thread), else the program stops (exit 1).
//
//   simulate_bench [--runs N] [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "interpreter/pipeline.hpp"
#include "interpreter/simulate.hpp"

namespace {

using namespace utfall;

struct World {
  Compiled compiled;
  std::optional<Dataset> data;
  std::uint64_t runs = 1'000'000;
};
World* world = nullptr;

Draw draw_term() {
  const auto& c = *world->compiled.contract;
  Draw d;
  d.name = "premieandel";
  d.target = Draw::Target::term;
  for (std::size_t k = 0; k < c.terms.size(); ++k)
    if (c.terms[k].name == d.name) d.index = static_cast<int>(k);
  d.distribution.kind = Distribution::Kind::uniform;
  d.distribution.parameters = {*Number::parse_decimal("0.2"), *Number::parse_decimal("0.5")};
  d.distribution.step = *Number::parse_decimal("0.0001");
  return d;
}

Draw draw_inputs() {
  const auto& c = *world->compiled.contract;
  Draw d;
  d.name = "hemtjanst_kostnad";
  d.target = Draw::Target::series;
  for (std::size_t k = 0; k < c.inputs.size(); ++k)
    if (c.inputs[k].name == d.name) d.index = static_cast<int>(k);
  d.distribution.kind = Distribution::Kind::normal;
  d.distribution.parameters = {Number::from_int(175'000'000), Number::from_int(15'000'000)};
  d.distribution.step = *Number::parse_decimal("0.01");
  return d;
}

SimulationResult run(const Draw& d, unsigned threads, std::uint64_t runs) {
  SimulationSpec spec;
  spec.draws = {d};
  spec.runs = runs;
  spec.threads = threads;
  std::string error;
  auto r = simulate(*world->compiled.contract, *world->data, {}, spec, error);
  if (!r || r->failed) {
    fmt::print(stderr, "simulation failed: {}\n", r ? r->first_failure->message : error);
    std::exit(1);
  }
  return std::move(*r);
}

void BM_simulate(benchmark::State& state, Draw (*make)()) {
  const Draw d = make();
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(run(d, threads, world->runs).amounts.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(world->runs));
}

}  // namespace

int main(int argc, char** argv) {
  World w;
  world = &w;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) w.runs = std::stoull(argv[++i]);
    else rest.push_back(argv[i]);
  }
  const std::string dir = std::string(UTFALL_SOURCE_DIR) + "/examples/a-aldreomsorg/";
  w.compiled = compile_file(dir + "contract.utfall");
  if (!w.compiled.contract) return 2;
  auto bound = load_data(*w.compiled.contract, {dir + "plan.csv"});
  if (!bound.data) return 2;
  w.data = std::move(bound.data);
  for (Draw (*make)() : {draw_term, draw_inputs})
    if (run(make(), 1, 20'000).amounts != run(make(), 2, 20'000).amounts) {
      fmt::print(stderr, "MISMATCH: 1 and 2 threads gave different amounts\n");
      return 1;
    }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  using Make = Draw (*)();
  for (auto [name, make] : {std::pair<const char*, Make>{"BM_simulate_A_term", draw_term}, {"BM_simulate_A_inputs", draw_inputs}}) {
    auto* b = benchmark::RegisterBenchmark(name, BM_simulate, make)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
    if (cores > 2) b->Arg(static_cast<std::int64_t>(cores));
  }
  int gargc = static_cast<int>(rest.size());
  benchmark::Initialize(&gargc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
