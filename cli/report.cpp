// `utfall report`: the options are read and checked as `run`, `returns` and `solve` read theirs;
// the contract is evaluated once traced, and again at every point of --payoff; then
// cli/report_html.hpp writes the page, whole or not at all (cli/output.hpp).
#include "cli/report.hpp"

#include <fmt/format.h>

#include "cli/output.hpp"
#include "cli/report_html.hpp"
#include "cli/returns.hpp"
#include "cli/varied.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

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
  command_->add_option("--party", party_, "add this party's returns (as `utfall returns` gives them), by its id");
  command_->add_option("--outlay", outlays_, "with --party: PERIOD=AMOUNT [CODE], an amount the party paid outside the contract");
}

int ReportCommand::run() const {
  if (command_->count("--payoff-points") > 0 && payoff_.empty()) return usage("--payoff-points belongs to --payoff");
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

  if (auto problem = cli::write_file_whole(output_, cli::report_html(input))) {
    report({*problem});
    return cli::kOutputFailed;
  }
  return 0;
}

}  // namespace utfall
