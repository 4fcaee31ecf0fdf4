// `utfall solve`: the options are read and checked against the contract (NAME, LO and HI
// through the same path as --set, the goal through the checker), then interpreter/solve.hpp
// finds the boundaries; this file prints them in the unit the range was written in.
#include "cli/solve.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/output.hpp"
#include "cli/scan.hpp"
#include "cli/varied.hpp"
#include "interpreter/version.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/solve.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

using cli::report;
int usage(const std::string& message) { return cli::usage("solve", message); }

}  // namespace

SolveCommand::SolveCommand(CLI::App& app) {
  command_ = app.add_subcommand("solve", "Break-even: the values of a term or scale(INPUT) in a range at which a goal changes");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON); none when the contract has no inputs");
  command_->add_option("--vary,-v", vary_, "the term, or scale(INPUT), to vary")->required();
  command_->add_option("--range,-r", range_, "LO..HI, in the unit of the term (a plain factor for scale(INPUT))");
  command_->add_option("--goal,-g", goal_, "WHAT OP VALUE, WHAT as an expect line names it, OP one of = != < <= > >=")->required();
  command_->add_option("--set,-s", sets_, "override a term (or scale(INPUT)) in every evaluation: TERM=VALUE");
  command_->add_option("--precision", precision_, "of a boundary that cannot be confirmed exactly, in the range's unit (default 0.000001)");
  command_->add_option("--grid", grid_, "steps of the first scan of the range (default 64)")->check(CLI::Range(1, 4096));
  command_->add_option("--max-evaluations", max_evaluations_, "evaluations at most (default 10000)")->check(CLI::Range(1, 10'000'000));
  command_->add_option("--threads,-j", threads_, "threads (default: all cores)");
  command_->add_option("--format,-f", format_, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
}

int SolveCommand::run() const {
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);  // warnings

  // NAME: a term, or scale(INPUT) of a series of numbers (apply_overrides says which are not).
  auto named = cli::read_varied_name(*compiled.contract, vary_, "solve", "--vary");
  if (!named.varied) return named.code;
  const std::string& name = named.varied->name;

  auto read = read_goal(compiled.contract->source, goal_);
  if (!read.goal) return std::max(report(read.diagnostics), 64);
  const Goal& goal = *read.goal;
  const auto& c = *goal.contract;  // the contract with the goal: the same inputs, terms and payments

  if (range_.empty())
    return usage(fmt::format("--range LO..HI is required: `{}` declares no range of its own{}", name,
                             named.varied->term ? " (terms have none)" : " (a scale factor has none)"));
  auto ranged = cli::read_varied_range(c, *named.varied, range_, "solve", "--range");
  if (!ranged.varied) return ranged.code;
  const cli::Varied& varied = *ranged.varied;
  SolveOptions options;
  options.low = varied.low;
  options.high = varied.high;
  // Values are shown in the unit the range was written in: a percentage as a percentage.
  const Number factor = varied.in_unit(Number::from_int(1));
  if (!precision_.empty()) {
    auto p = Number::parse_decimal(std::string(scan::trim(precision_)));
    if (!p || p->sign() <= 0) return usage(fmt::format("--precision '{}': expected a positive decimal number", precision_));
    options.precision = *p / factor;
  }
  options.grid = grid_;
  options.max_evaluations = max_evaluations_;
  options.threads = threads_;

  EvalOptions base;
  if (auto d = apply_overrides(c, sets_, base); !d.empty()) return std::max(report(d), 64);
  auto loaded = load_data(c, data_);
  if (!loaded.data) return report(loaded.diagnostics);

  SetVaried set = [&](EvalOptions& o, const Number& x) { varied.set(o, x); };
  auto result = solve(goal, *loaded.data, base, set, options);

  auto number = [&](const Number& x) {
    Number y = x * factor;
    return y.is_terminating() ? y.to_string() : y.to_fraction_string();
  };
  // Text: a fraction with its decimal beside it, "1930/1979 (≈ 0.9752400202…)".
  auto shown = [&](const Number& x) { return varied.shown(x); };
  if (!result.ok) {
    fmt::print(stderr, "utfall solve: the evaluation with {} = {} failed\n", terminal_text(name), terminal_text(shown(*result.failed_at)));
    return report(result.diagnostics);
  }

  if (format_ == "json") {
    nlohmann::ordered_json j;
    j["version"] = json_version;
    j["vary"] = name;
    j["unit"] = varied.unit;
    j["goal"] = goal_;
    j["low"] = number(options.low);
    j["high"] = number(options.high);
    j["holds_at_low"] = result.at_low;
    j["holds_at_high"] = result.at_high;
    j["boundaries"] = nlohmann::ordered_json::array();
    for (const auto& b : result.boundaries) {
      nlohmann::ordered_json one;
      one["value"] = number(b.value);
      one["exact"] = b.exact;
      one["holds"] = b.holds_above ? "above" : "below";
      if (b.holds_at) one["holds_at_value"] = *b.holds_at;
      if (b.runs_at) one["runs_at_value"] = *b.runs_at;
      if (!b.exact) one["precision"] = number(b.precision);
      if (b.limit_reached) one["limit_reached"] = true;
      j["boundaries"].push_back(std::move(one));
    }
    j["evaluations"] = result.evaluations;
    j["limit_reached"] = result.limit_reached;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  auto holds = [](bool h) { return h ? "holds" : "does not hold"; };
  fmt::print("{}\n", terminal_text(c.title));
  fmt::print("goal: {}\n", terminal_text(goal_));
  fmt::print("{} from {} to {}: the goal {} at {} and {} at {}\n", terminal_text(name), terminal_text(shown(options.low)),
             terminal_text(shown(options.high)), holds(result.at_low), terminal_text(shown(options.low)), holds(result.at_high),
             terminal_text(shown(options.high)));
  if (result.boundaries.empty())
    fmt::print("no boundary: the goal {} at every value tried\n", holds(result.at_low));
  for (const auto& b : result.boundaries) {
    std::string side = b.holds_above ? "above" : "below";
    if (b.exact)
      fmt::print("boundary {}, exact: the goal holds {} it, {} it{}\n", terminal_text(shown(b.value)), side,
                 *b.holds_at ? "and at" : "not at",
                 *b.runs_at ? "" : "; there a payment is not a whole number of the minor unit (E602 in `run`)");
    else
      fmt::print("boundary {} ± {} (not exact{}): the goal holds {} it\n", terminal_text(shown(b.value)), terminal_text(shown(b.precision)),
                 b.limit_reached ? "; the evaluations ran out, see --max-evaluations" : "", side);
  }
  fmt::print("{} evaluations\n", result.evaluations);
  return 0;
}

}  // namespace utfall
