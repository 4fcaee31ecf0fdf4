// `utfall report`: the options are read and checked as `run`, `returns` and `solve` read theirs;
// the contract is evaluated once traced, and again at every point of --payoff; then
// cli/report_html.hpp writes the page, whole or not at all (cli/output.hpp).
#include "cli/report.hpp"

#include <fmt/format.h>

#include "cli/draw_options.hpp"
#include "cli/output.hpp"
#include "cli/report_html.hpp"
#include "cli/returns.hpp"
#include "cli/varied.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/simulate.hpp"
#include "interpreter/statistics.hpp"
#include "interpreter/sweep.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

using cli::report;
int usage(const std::string& message) { return cli::usage("report", message); }

// The value the evaluation options give the varied term (--set, or the contract's own), or the
// scale factor (1 unless --set gives one); none when it is not a number (`unlimited`).
std::optional<Number> current_value(const checked::Contract& c, const Dataset& data, const EvalOptions& options, const cli::Varied& v) {
  if (v.input) {
    auto it = options.input_scales.find(*v.input);
    return it == options.input_scales.end() ? Number::from_int(1) : it->second;
  }
  if (term_unlimited(c, options, *v.term)) return std::nullopt;
  std::optional<checked::Value> value;
  if (auto it = options.term_overrides.find(*v.term); it != options.term_overrides.end()) value = it->second;
  else value = evaluate_expression(c, data, *c.terms[static_cast<std::size_t>(*v.term)].value, -1, options).value;
  if (value && std::holds_alternative<Number>(*value)) return std::get<Number>(*value);
  return std::nullopt;
}

// Each flow's total over the runs that did not fail: its summary, in the currency's minor units
// (as `simulate` counts them), and its histogram of at most kBins bins of equal width.
cli::Simulated simulated(const checked::Contract& c, const SimulationSpec& spec, const SimulationResult& r, const std::vector<std::string>& draws) {
  constexpr std::int64_t kBins = 30;
  cli::Simulated out;
  out.runs = spec.runs, out.failed = r.failed, out.seed = spec.seed, out.draws = draws;
  const std::size_t periods = c.periods.size();
  for (std::size_t f = 0; f < r.flows.size(); ++f) {
    cli::Simulated::FlowDistribution d;
    d.flow = {r.flows[f].payer, r.flows[f].payee, r.flows[f].currency};
    d.places = minor_unit_places(c, d.flow.currency);
    std::int64_t per_unit = 1;
    for (int k = d.places; k < r.places; ++k) per_unit *= 10;
    std::vector<std::int64_t> values;
    for (std::uint64_t i = 0; i < spec.runs; ++i)
      if (r.ok[i]) values.push_back(r.amounts[(f * (periods + 1) + periods) * spec.runs + i] / per_unit);
    d.summary = summarize(values, {Number::from_int(5), Number::from_int(50), Number::from_int(95)});  // sorts them
    if (!values.empty()) {
      // The width in whole units that covers min..max in kBins bins; the spread may pass int64.
      const u128 spread = static_cast<u128>(static_cast<i128>(d.summary.max) - d.summary.min) + 1;
      d.bin_width = static_cast<std::int64_t>((spread + kBins - 1) / kBins);
      d.counts.assign(static_cast<std::size_t>((spread + static_cast<u128>(d.bin_width) - 1) / static_cast<u128>(d.bin_width)), 0);
      for (auto v : values)
        ++d.counts[static_cast<std::size_t>((static_cast<i128>(v) - d.summary.min) / d.bin_width)];
    }
    out.flows.push_back(std::move(d));
  }
  return out;
}

}  // namespace

ReportCommand::ReportCommand(CLI::App& app) {
  command_ = app.add_subcommand("report", "The results as one self-contained HTML file: summary, schedule, charts, explanations");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON); none when the contract has no inputs");
  command_->add_option("--output,-o", output_, "the HTML file to write (whole or not at all)")->required();
  command_->add_option("--lang", lang_, "the page's language: en (default) or sv (headings, and numbers as 26 700 000,00)")
      ->check(CLI::IsMember({"en", "sv"}));
  command_->add_option("--set,-s", sets_, "override a term (or scale(INPUT)): TERM=VALUE");
  command_->add_option("--payoff", payoff_, "NAME=LO..HI: chart each flow's total against a term or scale(INPUT) over a range");
  command_->add_option("--payoff-points", payoff_points_, "values of NAME the payoff curve is evaluated at, evenly spaced (default 41)")
      ->check(CLI::Range(2, 1001));
  command_->add_option("--threads,-j", threads_, "threads for the payoff curve (default: all cores)");
  draw_options_.add_to(command_, false);
  command_->add_option("--party", party_, "add this party's returns (as `utfall returns` gives them), by its id");
  command_->add_option("--outlay", outlays_, "with --party: PERIOD=AMOUNT [CODE], an amount the party paid outside the contract");
}

int ReportCommand::run() const {
  if (command_->count("--payoff-points") > 0 && payoff_.empty()) return usage("--payoff-points belongs to --payoff");
  if (draw_options_.draws.empty() && (!draw_options_.runs.empty() || command_->count("--seed") > 0 || !draw_options_.correlations.empty()))
    return usage("--runs, --seed and --correlate belong to --draw");
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);  // warnings
  const auto& c = *compiled.contract;

  cli::ReportInput input;
  input.contract = &c;
  input.contract_file = contract_;
  input.data_files = data_;
  input.lang = lang_;

  std::optional<cli::Varied> varied;
  if (!payoff_.empty()) {
    const auto eq = payoff_.find('=');
    if (eq == std::string::npos) return usage(fmt::format("--payoff '{}': expected NAME=LO..HI, such as 'baslinje=180_000_000 SEK..220_000_000 SEK'", payoff_));
    auto named = cli::read_varied_name(c, payoff_.substr(0, eq), "report", "--payoff");
    if (!named.varied) return named.code;
    auto ranged = cli::read_varied_range(c, *named.varied, payoff_.substr(eq + 1), "report", "--payoff");
    if (!ranged.varied) return ranged.code;
    varied = std::move(ranged.varied);
  }
  std::string error;
  auto party = read_party_option(c, party_, outlays_, error);
  if (!party) return usage(error);

  EvalOptions options;
  if (auto d = apply_overrides(c, sets_, options); !d.empty()) return std::max(report(d), 64);
  auto bound = load_data(c, data_);
  if (!bound.data) return report(bound.diagnostics);
  const Dataset& data = *bound.data;
  EvalOptions traced = options;
  traced.trace = true;
  const Evaluation ev = evaluate(c, data, traced);
  if (!ev.ok) return report(ev.diagnostics);
  input.evaluation = &ev;
  if (party->party) input.returns = compute_returns(c, ev, *party->party, party->outlays, std::nullopt);

  if (varied) {
    cli::Payoff payoff{*varied, current_value(c, data, options, *varied), {}, {}};
    const int steps = payoff_points_ - 1;
    std::vector<SweepCase> cases;
    for (int k = 0; k <= steps; ++k) {
      Number x = varied->low + (varied->high - varied->low) * Number::fraction(k, steps);
      payoff.points.push_back({x, {}});
      SweepCase one{&data, options};
      one.options.any_amount = true;  // every point exists, as in `utfall solve`
      varied->set(one.options, x);
      cases.push_back(std::move(one));
    }
    auto results = sweep(c, cases, threads_);
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (!results[k].ok) {
        fmt::print(stderr, "utfall report: --payoff: the evaluation with {} = {} failed\n", terminal_text(varied->name),
                   terminal_text(varied->shown(payoff.points[k].x)));
        return report(results[k].diagnostics);
      }
      for (const auto& f : cli::flows_of(results[k], c))
        if (std::find(payoff.flows.begin(), payoff.flows.end(), f) == payoff.flows.end()) payoff.flows.push_back(f);
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
      auto& totals = payoff.points[k].totals;
      totals.assign(payoff.flows.size(), Number());
      for (const auto& l : results[k].lines) {
        const cli::Flow f{l.payer, l.payee, c.line_currency(l.waterfall, l.rule_index)};
        totals[static_cast<std::size_t>(std::find(payoff.flows.begin(), payoff.flows.end(), f) - payoff.flows.begin())] += l.amount;
      }
    }
    input.payoff = std::move(payoff);
  }

  if (!draw_options_.draws.empty()) {
    SimulationSpec spec;
    cli::DrawOptions given = draw_options_;
    if (given.runs.empty()) given.runs = "10000";
    if (auto why = cli::read_draw_options(c, data, options, given, spec)) return usage(*why);
    spec.threads = threads_;
    if (simulation_values(c, spec.runs, false) > kMaxSimulationValues)
      return usage(fmt::format("--runs {}: this contract's flows over that many runs would keep more than {} amounts; run fewer", spec.runs,
                               kMaxSimulationValues));
    std::string why;
    auto result = simulate(c, data, options, spec, why);
    if (!result) return usage("--correlate: " + why);
    input.simulated = simulated(c, spec, *result, given.draws);
  }

  if (auto problem = cli::write_file_whole(output_, cli::report_html(input))) {
    report({*problem});
    return cli::kOutputFailed;
  }
  return 0;
}

}  // namespace utfall
