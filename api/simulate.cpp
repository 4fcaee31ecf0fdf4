// Engine::simulate and Simulation (include/utfall/utfall.hpp) over the interpreter's simulation:
// read_draws (interpreter/draw_spec.hpp) reads the options as `utfall simulate` reads its
// --draw and --correlate, simulate() (interpreter/simulate.hpp) runs them, summarize_runs
// (statistics.hpp) gives the statistics. This file only turns the values into the public ones.
#include <fmt/format.h>

#include <new>
#include <stdexcept>

#include "api/internal.hpp"
#include "interpreter/draw_spec.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/simulate.hpp"
#include "interpreter/statistics.hpp"

namespace utfall {

struct Simulation::Impl {
  std::shared_ptr<const checked::Contract> contract;
  bool ok = false;
  Messages messages;
  std::uint64_t runs = 0, seed = 1;
  SimulationResult result;
  std::optional<Message> first_failure;
  std::vector<std::string> periods;
  std::vector<Flow> flows;
  std::vector<Position> positions;
  std::vector<std::pair<int, int>> position_of;  // party, currency of each position
  std::vector<Draw> draws;
};

namespace {

// E214, the code of a bad option of a what-if (--set, and the draws of `utfall simulate`).
Message bad_option(Text sentence) {
  Diagnostic d;
  d.kind = DiagKind::name;
  d.code = "E214";
  set_message(d, std::move(sentence));
  return api::to_message(d);
}

// 10^-places.
Number unit_of(int places) {
  Number n = Number::from_int(1);
  for (int k = 0; k < places; ++k) n = n / Number::from_int(10);
  return n;
}

void run(const Config& config, const Contract& contract, const Bound& data, const SimulationOptions& given, Simulation::Impl& out) {
  const auto& c = *contract.impl().checked;
  out.contract = contract.impl().checked;
  out.periods = c.periods;
  out.runs = given.runs, out.seed = given.seed;
  if (data.impl().contract != contract.impl().checked) {
    out.messages.push_back(api::to_message(api::other_contract("data")));
    return;
  }
  EvalOptions options = api::eval_options(config);
  options.program = contract.impl().program();
  if (!given.terms.empty()) {
    std::vector<std::string> assignments;
    for (const auto& [term, value] : given.terms) assignments.push_back(term + "=" + value);
    auto diags = apply_overrides(c, assignments, options);
    for (const auto& d : diags) out.messages.push_back(api::to_message(d));
    if (has_errors(diags)) return;
  }
  auto refuse = [&](Text sentence) { out.messages.push_back(bad_option(std::move(sentence))); };
  if (given.runs < 1 || given.runs > kMaxRuns)
    return refuse(text("runs {}: a whole number of runs from 1 to {}", given.runs, kMaxRuns));
  SimulationSpec spec;
  spec.runs = given.runs, spec.seed = given.seed, spec.threads = given.threads, spec.record_draws = given.record_draws;
  if (auto problem = read_draws(c, data.impl().data, options, given.draws, given.correlations, spec))
    return refuse(problem->correlation ? text("correlation '{}': {}", given.correlations[problem->index], problem->reason)
                                       : text("draw '{}': {}", given.draws[problem->index], problem->reason));
  std::uint64_t values = simulation_values(c, spec.runs, false);
  if (spec.record_draws)
    for (const auto& d : spec.draws) values += draw_slots(c, d) * spec.runs;
  if (values > kMaxSimulationValues)
    return refuse(text("runs {}: this contract's flows and draws over that many runs would keep more than {} values; run fewer", spec.runs,
                       kMaxSimulationValues));
  std::string error;
  auto result = simulate(c, data.impl().data, options, spec, error);
  if (!result) return refuse(verbatim(error));
  out.result = std::move(*result);
  const auto& r = out.result;
  if (r.first_failure) out.first_failure = api::to_message(*r.first_failure);
  for (const auto& f : r.flows) out.flows.push_back({c.parties[f.payer].id, c.parties[f.payee].id, c.currencies[f.currency].code});
  for (auto [party, currency] : simulated_positions(c, r)) {
    out.positions.push_back({c.parties[party].id, c.currencies[currency].code});
    out.position_of.emplace_back(party, currency);
  }
  for (std::size_t k = 0; k < spec.draws.size(); ++k) {
    const auto& d = spec.draws[k];
    Simulation::Draw draw{d.name, written_distribution(given.draws[k]), "", {}};
    if (d.distribution.kind != Distribution::Kind::empirical) draw.step = d.distribution.step.to_string();
    if (d.target == utfall::Draw::Target::series)
      for (int t = c.inputs[d.index].first; t <= c.inputs[d.index].last; ++t) draw.periods.push_back(c.periods[t]);
    out.draws.push_back(std::move(draw));
  }
  out.ok = true;
}

std::vector<Number> read_percentiles(const std::vector<std::string>& texts) {
  std::vector<Number> out;
  for (const auto& p : texts) {
    auto n = read_percentile(p);
    if (!n) throw std::invalid_argument(fmt::format("percentile '{}': a number from 0 to 100, digits and a point", p));
    out.push_back(*n);
  }
  return out;
}

Simulation::Statistics statistics(const Simulation::Impl& s, const std::vector<std::int64_t>& values, std::size_t series,
                                  int currency, const std::vector<std::string>& percentiles) {
  const auto& c = *s.contract;
  const Summary summary = summarize_runs(c, s.result, values, series, currency, read_percentiles(percentiles));
  Simulation::Statistics out;
  out.count = summary.count;
  out.positive = summary.positive;
  if (summary.count == 0) {
    out.percentiles.assign(percentiles.size(), "");
    return out;
  }
  const Number unit = unit_of(minor_unit_places(c, currency));
  auto money = [&](const Number& units) { return api::money(c, units * unit, currency); };
  out.mean = api::exact_text(summary.exact_mean * unit);
  out.mean_rounded = money(Number::from_int(summary.mean));
  out.sd = money(summary.sd);
  for (auto v : summary.percentiles) out.percentiles.push_back(money(Number::from_int(v)));
  out.min = money(Number::from_int(summary.min));
  out.max = money(Number::from_int(summary.max));
  return out;
}

}  // namespace

namespace {

// A Simulation that begins with `messages` (the warnings of binding its data); anything but
// bad_alloc thrown inside becomes an internal message.
Simulation guarded(const Config& config, const Contract& contract, const Bound& data, const SimulationOptions& options,
                   Messages messages) {
  auto impl = std::make_shared<Simulation::Impl>();
  impl->messages = std::move(messages);
  try {
    run(config, contract, data, options, *impl);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    impl->ok = false;
    impl->messages.push_back(api::internal_error(e.what()));
  }
  return Simulation(std::move(impl));
}

}  // namespace

Simulation Engine::simulate(const Contract& contract, const Bound& data, const SimulationOptions& options) const {
  return guarded(config_, contract, data, options, {});
}

Simulation Engine::simulate(const Contract& contract, const Data& data, const SimulationOptions& options) const {
  auto bound = bind(contract, data);
  if (!bound.data) {
    auto impl = std::make_shared<Simulation::Impl>();
    impl->contract = contract.impl().checked;
    impl->periods = contract.periods();
    impl->seed = options.seed;
    impl->messages = std::move(bound.messages);
    return Simulation(std::move(impl));
  }
  return guarded(config_, contract, *bound.data, options, std::move(bound.messages));
}

bool Simulation::ok() const { return impl_->ok; }
const Messages& Simulation::messages() const { return impl_->messages; }
std::uint64_t Simulation::runs() const { return impl_->ok ? impl_->runs : 0; }
std::uint64_t Simulation::seed() const { return impl_->seed; }
std::uint64_t Simulation::failed() const { return impl_->result.failed; }
bool Simulation::run_ok(std::uint64_t run) const { return run < impl_->result.ok.size() && impl_->result.ok[run]; }
const std::optional<Message>& Simulation::first_failure() const { return impl_->first_failure; }
std::uint64_t Simulation::first_failed_run() const { return impl_->result.first_failed_run; }
int Simulation::places() const { return impl_->result.places; }
const std::vector<std::string>& Simulation::periods() const { return impl_->periods; }
const std::vector<Simulation::Flow>& Simulation::flows() const { return impl_->flows; }
const std::vector<Simulation::Position>& Simulation::positions() const { return impl_->positions; }
const std::vector<Simulation::Draw>& Simulation::draws() const { return impl_->draws; }

const std::int64_t* Simulation::amounts(std::size_t flow, std::size_t period) const {
  if (flow >= impl_->flows.size() || period > impl_->periods.size()) throw std::out_of_range("Simulation::amounts: no such flow or period");
  return impl_->result.amounts.data() + (flow * (impl_->periods.size() + 1) + period) * impl_->runs;
}

const std::int64_t* Simulation::net(std::size_t position) const {
  if (position >= impl_->positions.size()) throw std::out_of_range("Simulation::net: no such position");
  const auto [party, currency] = impl_->position_of[position];
  return impl_->result.nets.data() + (static_cast<std::size_t>(party) * impl_->contract->currencies.size() + currency) * impl_->runs;
}

std::string Simulation::drawn(std::size_t draw, std::size_t slot, std::uint64_t run) const {
  const auto& drawn = impl_->result.drawn;
  if (drawn.empty()) return "";
  const std::size_t slots = std::max<std::size_t>(impl_->draws.at(draw).periods.size(), 1);
  if (slot >= slots || run >= impl_->runs) throw std::out_of_range("Simulation::drawn: no such slot or run");
  return api::exact_text(drawn[draw][slot * impl_->runs + run]);
}

Simulation::Statistics Simulation::flow_statistics(std::size_t flow, std::size_t period, const std::vector<std::string>& percentiles) const {
  if (flow >= impl_->flows.size() || period > impl_->periods.size()) throw std::out_of_range("Simulation::flow_statistics: no such flow or period");
  return statistics(*impl_, impl_->result.amounts, flow * (impl_->periods.size() + 1) + period, impl_->result.flows[flow].currency, percentiles);
}

Simulation::Statistics Simulation::position_statistics(std::size_t position, const std::vector<std::string>& percentiles) const {
  if (position >= impl_->positions.size()) throw std::out_of_range("Simulation::position_statistics: no such position");
  const auto [party, currency] = impl_->position_of[position];
  return statistics(*impl_, impl_->result.nets, static_cast<std::size_t>(party) * impl_->contract->currencies.size() + currency, currency,
                    percentiles);
}

}  // namespace utfall
