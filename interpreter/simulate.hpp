// Simulate: many runs of one contract, with terms and data drawn at random, and what each run
// paid (`utfall simulate`, docs/cli.md).
//
// Takes the checked contract, its bound data, the options of every run (--set), and the draws:
// each names what it replaces (a term, one period of a series input, every period of one, or a
// factor on a whole series) and its distribution. Gives, per run, the amount of every flow
// (payer, payee, currency) in every period and in total, every party's net position, and with
// `limits` the caps and floors that bound; statistics.hpp summarises them.
//
// Exactness. A draw is a random point of its distribution (computed in binary floating point,
// interpreter/draws.hpp) rounded to a multiple of its step, or a uniform choice of an exact grid
// point or file value: it enters the contract as an exact decimal, and every payment of every
// run is exact. Only the statistics over runs describe a distribution, approximately.
//
// Reproducibility. Run i's draws are a function of the seed, i and the draw alone (a
// counter-based generator): the same seed gives the same runs, whatever the threads and the
// machine, and the results are kept by run index. Runs go through the fixed-point path where the
// contract allows (one run at a time, with its own data and term values); with `limits`, and
// wherever that path steps aside, through the general evaluator.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/diagnostic.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/number.hpp"
#include "interpreter/returns.hpp"
#include "interpreter/statistics.hpp"

namespace utfall {

struct Distribution {
  enum class Kind { uniform, normal, triangular, lognormal, empirical };
  Kind kind = Kind::uniform;
  // As the contract holds the drawn quantity's values (30 % is 0.3): uniform LO, HI; normal
  // MEAN, SD; triangular LO, MODE, HI; lognormal MU, SIGMA (plain numbers: the value is
  // exp(normal(MU, SIGMA)) in the quantity's unit).
  std::vector<Number> parameters;
  std::vector<Number> values;  // empirical: each as likely
  Number step;                 // every draw but an empirical one is a multiple of it (> 0)
};

struct Draw {
  enum class Target {
    term,    // a term's value
    cell,    // INPUT@PERIOD
    series,  // every period of a series input that has data, each drawn on its own
    scale,   // scale(INPUT): one factor multiplying every value of the series
  };
  std::string name;  // as written: "premieandel", "kostnad@2027", "scale(kostnad)"
  Target target = Target::term;
  int index = 0;    // the term or the input
  int period = -1;  // for `cell`
  Distribution distribution;
};

// A Spearman rank correlation between two draws of one value each (not `series`), through a
// Gaussian copula.
struct Correlation {
  int a = 0, b = 0;  // into the draws
  double spearman = 0;
};

struct SimulationSpec {
  std::vector<Draw> draws;
  std::vector<Correlation> correlations;
  std::uint64_t runs = 0;
  std::uint64_t seed = 1;
  unsigned threads = 0;  // 0: all cores
  bool limits = false;   // record the caps and floors that bound (the general evaluator)
  bool record_draws = false;  // keep every run's drawn values (SimulationResult::drawn)
  std::optional<int> party;  // record that party's money multiple and IRR per run
  std::vector<Outlay> outlays;  // what the party pays outside the contract (returns.hpp)
  // Called now and then, from any thread, with the number of runs done; may be empty.
  std::function<void(std::uint64_t done)> progress;
};

// A flow: what one payer pays one payee in one currency.
struct SimFlow {
  int payer = 0, payee = 0, currency = 0;
};

// A cap or floor, where it bound.
struct SimLimit {
  int clause = 0;
  std::string rule;   // the payment's or waterfall's name ("" when unnamed)
  std::string tier;   // the waterfall tier's name, when the limit is a tier's
  std::string what;   // "capped at takbelopp"
  int line = 0;       // in the contract
  int period = 0;
  std::uint64_t runs = 0;  // the runs in which it bound
};

struct SimulationResult {
  std::vector<SimFlow> flows;  // party order, then currency
  int places = 2;              // amounts count units of 10^-places
  // amounts[(f * (periods + 1) + t) * runs + i]: flow f in period t of run i (t = periods: the
  // total); nets[(p * currencies + k) * runs + i]: party p's net position in currency k.
  std::vector<std::int64_t> amounts, nets;
  std::vector<std::uint8_t> ok;  // per run
  std::uint64_t failed = 0;
  std::optional<Diagnostic> first_failure;  // of the failed run with the least index
  std::uint64_t first_failed_run = 0;
  std::vector<SimLimit> limits;  // with spec.limits: by clause, line, period
  // With spec.party: per run, the multiple and the IRR of the party's first currency with
  // flows, in units of 10^-6, rounded half-even; absent where there is none (its count below).
  std::vector<std::optional<std::int64_t>> multiples, irrs;
  // With spec.record_draws: per draw, drawn[d][slot * runs + i] is the value run i drew, as the
  // contract holds it (0.3 for 30 %); one slot for a term, a cell or a scale, one per period of
  // the input (its first to its last) for a series. A run that failed while drawing keeps
  // zeros from the draw that failed on.
  std::vector<std::vector<Number>> drawn;
};

// The slots a draw has per run in SimulationResult::drawn.
std::size_t draw_slots(const checked::Contract& contract, const Draw& draw);

// The most runs of one simulation.
constexpr std::uint64_t kMaxRuns = 10'000'000;

// The most values a simulation keeps (amounts and nets, and with a party its multiple and IRR
// as two values each, over all runs): 64 Mi, 512 MiB.
constexpr std::uint64_t kMaxSimulationValues = std::uint64_t{1} << 26;
// The values a simulation of `runs` runs would keep; check against kMaxSimulationValues first.
std::uint64_t simulation_values(const checked::Contract& contract, std::uint64_t runs, bool party);

// Correlations that do not work (a correlation matrix that is not positive definite, a
// correlation of a `series` draw) give a message in `error` (a sentence about the correlations,
// without an option's name) and no result.
std::optional<SimulationResult> simulate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options,
                                         const SimulationSpec& spec, std::string& error);

// The net positions a simulation shows: (party, currency) for each party that pays or is paid
// in that currency (a flow of the result), by party, then currency.
std::vector<std::pair<int, int>> simulated_positions(const checked::Contract& contract, const SimulationResult& result);

// The statistics (statistics.hpp) over the runs that did not fail of one series of a result:
// `values` is its `amounts` or its `nets`, `series` the index in it (f * (periods + 1) + t, or
// p * currencies + k), `currency` the series' currency. The amounts count 10^-places units; the
// summary counts the currency's own minor units, in which its payments are whole, so that its
// mean and sd are rounded to its own minor unit.
Summary summarize_runs(const checked::Contract& contract, const SimulationResult& result, const std::vector<std::int64_t>& values,
                       std::size_t series, int currency, const std::vector<Number>& percentiles);

}  // namespace utfall
