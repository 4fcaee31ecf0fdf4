// `utfall simulate`: reads each --draw and --correlate against the checked contract, runs
// simulate() (interpreter/simulate.hpp) with a progress line on a terminal, and prints the
// summaries of statistics.hpp as a table, CSV or one JSON object.
#include "cli/simulate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/csv_dialect.hpp"
#include "cli/output.hpp"
#include "cli/returns.hpp"
#include "cli/xlsx.hpp"
#include "interpreter/data.hpp"
#include "interpreter/data_files.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/simulate.hpp"
#include "interpreter/statistics.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

using json = nlohmann::ordered_json;
using cli::report;

constexpr std::uint64_t kMaxRuns = 10'000'000;

int usage(const std::string& message) { return cli::usage("simulate", message); }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
}

// Whether a number has a finite decimal (0.25, not 1/3).
bool decimal(const Number& n) { return n.to_string().find('/') == std::string::npos; }

// Decimal places of an exact decimal (0.25 -> 2); 0 for a whole number.
int places_of(const Number& n) {
  const std::string s = n.to_string();
  const auto dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

Number power_of_ten(int exponent) {  // 10^-exponent
  return Number::from_int(1) / Number::parse_decimal("1" + std::string(static_cast<std::size_t>(exponent), '0')).value();
}

// The parts of `kind(a, b, c) step S`.
struct Written {
  std::string kind;
  std::vector<std::string> arguments;
  std::string step;  // "" when not given
};

std::optional<Written> split_distribution(const std::string& text, std::string& error) {
  const auto open = text.find('('), close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    error = "expected DIST(ARGUMENTS), such as uniform(20 %, 40 %) or normal(100, 15)";
    return std::nullopt;
  }
  Written w{trim(text.substr(0, open)), {}, ""};
  std::string inside = text.substr(open + 1, close - open - 1);
  std::size_t start = 0;
  for (std::size_t comma; (comma = inside.find(',', start)) != std::string::npos; start = comma + 1)
    w.arguments.push_back(trim(inside.substr(start, comma - start)));
  w.arguments.push_back(trim(inside.substr(start)));
  std::string after = trim(text.substr(close + 1));
  if (!after.empty()) {
    if (after.rfind("step", 0) != 0 || after.size() < 5 || (after[4] != ' ' && after[4] != '\t')) {
      error = fmt::format("`{}` after the distribution: only `step S` may follow it", after);
      return std::nullopt;
    }
    w.step = trim(after.substr(4));
  }
  return w;
}

// Reads one --draw against the contract.
class DrawReader {
 public:
  DrawReader(const checked::Contract& c, const Dataset& data) : c_(c), data_(data) {}

  std::optional<Draw> read(const std::string& spec, std::string& error) {
    const auto tilde = spec.find('~');
    if (tilde == std::string::npos) return fail(error, "expected 'NAME ~ DIST', such as 'premieandel ~ uniform(20 %, 40 %)'");
    Draw d;
    d.name = trim(spec.substr(0, tilde));
    if (!target(d, error)) return std::nullopt;
    auto w = split_distribution(trim(spec.substr(tilde + 1)), error);
    if (!w) return std::nullopt;
    using K = Distribution::Kind;
    static const std::vector<std::tuple<std::string, K, std::size_t>> kinds = {
        {"uniform", K::uniform, 2}, {"normal", K::normal, 2}, {"triangular", K::triangular, 3},
        {"lognormal", K::lognormal, 2}, {"empirical", K::empirical, 2}};
    auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return std::get<0>(k) == w->kind; });
    if (kind == kinds.end())
      return fail(error, fmt::format("`{}` is not a distribution: uniform, normal, triangular, lognormal or empirical", w->kind));
    auto& dist = d.distribution;
    dist.kind = std::get<1>(*kind);
    if (w->arguments.size() != std::get<2>(*kind))
      return fail(error, fmt::format("{} takes {} arguments, not {}", w->kind, std::get<2>(*kind), w->arguments.size()));
    if (dist.kind == K::empirical) {
      if (!w->step.empty()) return fail(error, "an empirical draw takes the file's values as they are: no step");
      if (!empirical(d, w->arguments[0], w->arguments[1], error)) return std::nullopt;
      return d;
    }
    int most_places = 0;
    for (std::size_t k = 0; k < w->arguments.size(); ++k) {
      const bool plain = dist.kind == K::lognormal;  // MU and SIGMA are plain numbers
      auto v = plain ? Number::parse_decimal(w->arguments[k]) : value(d, w->arguments[k], error);
      if (!v) return plain ? fail(error, fmt::format("`{}` is not a number", w->arguments[k])) : std::nullopt;
      if (!decimal(*v)) return fail(error, fmt::format("`{}` is {}, which has no finite decimal: give a decimal", w->arguments[k], v->to_string()));
      most_places = std::max(most_places, places_of(*v));
      dist.parameters.push_back(*v);
    }
    const auto& p = dist.parameters;
    if (dist.kind == K::uniform && p[1] < p[0]) return fail(error, "uniform(LO, HI) needs LO <= HI");
    if (dist.kind == K::normal && p[1].sign() < 0) return fail(error, "normal(MEAN, SD) needs SD >= 0");
    if (dist.kind == K::lognormal && p[1].sign() < 0) return fail(error, "lognormal(MU, SIGMA) needs SIGMA >= 0");
    if (dist.kind == K::triangular && !(p[0] <= p[1] && p[1] <= p[2] && p[0] < p[2]))
      return fail(error, "triangular(LO, MODE, HI) needs LO <= MODE <= HI and LO < HI");
    if (!w->step.empty()) {
      auto s = value(d, w->step, error);
      if (!s) return std::nullopt;
      if (s->sign() <= 0) return fail(error, "the step must be positive");
      if (!decimal(*s)) return fail(error, fmt::format("the step {} has no finite decimal: give a decimal", s->to_string()));
      dist.step = *s;
    } else {
      dist.step = default_step(d, most_places);
    }
    // A uniform draw picks one of the grid's points by a 52-bit uniform: at most 2^52 of them.
    if (dist.kind == K::uniform && (p[1] - p[0]) / dist.step >= Number::from_int(std::int64_t{1} << 52))
      return fail(error, fmt::format("the grid from {} to {} in steps of {} has 2^52 points or more: choose a larger step",
                                     p[0].to_string(), p[1].to_string(), dist.step.to_string()));
    return d;
  }

  // The default step, written out for the output.
  std::string step_text(const Draw& d) const { return d.distribution.step.to_string(); }

 private:
  const checked::Contract& c_;
  const Dataset& data_;

  static std::nullopt_t fail(std::string& error, std::string message) {
    error = std::move(message);
    return std::nullopt;
  }

  bool target(Draw& d, std::string& error) {
    auto input_named = [&](const std::string& name) -> std::optional<int> {
      for (std::size_t i = 0; i < c_.inputs.size(); ++i)
        if (c_.inputs[i].name == name) return static_cast<int>(i);
      return std::nullopt;
    };
    auto series = [&](int i) {
      const auto& in = c_.inputs[i];
      if (in.participants || in.type.kind != TypeKind::number) {
        error = fmt::format("`{}` is not a series of numbers: only those can be drawn", in.name);
        return false;
      }
      return true;
    };
    if (auto scaled = scaled_input(d.name)) {
      auto i = input_named(*scaled);
      if (!i) return fail(error, fmt::format("`{}` is not an input of the contract", *scaled)), false;
      d.target = Draw::Target::scale, d.index = *i;
      return series(*i);
    }
    if (auto at = d.name.find('@'); at != std::string::npos) {
      const std::string name = trim(d.name.substr(0, at)), period = trim(d.name.substr(at + 1));
      auto i = input_named(name);
      if (!i) return fail(error, fmt::format("`{}` is not an input of the contract", name)), false;
      auto t = c_.period_index(period);
      if (!t) return fail(error, fmt::format("`{}` is not a period of the contract", period)), false;
      d.target = Draw::Target::cell, d.index = *i, d.period = *t;
      if (!series(*i)) return false;
      const auto& in = c_.inputs[*i];
      if (*t < in.first || *t > in.last)
        return fail(error, fmt::format("`{}` has values in {} .. {} only, not in {}", name, c_.periods[in.first], c_.periods[in.last], period)),
               false;
      return true;
    }
    for (std::size_t k = 0; k < c_.terms.size(); ++k)
      if (c_.terms[k].name == d.name) {
        if (c_.terms[k].type.kind != TypeKind::number) return fail(error, fmt::format("the term `{}` is not a number", d.name)), false;
        d.target = Draw::Target::term, d.index = static_cast<int>(k);
        return true;
      }
    if (auto i = input_named(d.name)) {
      d.target = Draw::Target::series, d.index = *i;
      return series(*i);
    }
    return fail(error, fmt::format("`{}` is not a term or an input of the contract (NAME is a term, INPUT@PERIOD, INPUT or scale(INPUT))",
                                   d.name)),
           false;
  }

  // A value of the drawn quantity, written as its own values are: a term as `--set` takes it,
  // an input as its data files hold it, a scale factor as a plain number.
  std::optional<Number> value(const Draw& d, const std::string& text, std::string& error) {
    if (d.target == Draw::Target::scale) {
      auto n = Number::parse_decimal(text);
      if (!n) return fail(error, fmt::format("`{}` is not a plain number (a factor)", text));
      return n;
    }
    if (d.target == Draw::Target::term) {
      EvalOptions one;
      auto diagnostics = apply_overrides(c_, {c_.terms[d.index].name + "=" + text}, one);
      auto it = one.term_overrides.find(d.index);
      if (has_errors(diagnostics) || it == one.term_overrides.end() || !std::holds_alternative<Number>(it->second)) {
        std::string why = diagnostics.empty() ? "not a number" : diagnostics.front().message;
        return fail(error, fmt::format("`{}` for `{}`: {}", text, c_.terms[d.index].name, why));
      }
      return std::get<Number>(it->second);
    }
    const auto& in = c_.inputs[d.index];
    std::string reason;
    auto v = parse_value(c_, in.type, in.percent, text, &reason);
    if (!v || !std::holds_alternative<Number>(*v)) return fail(error, fmt::format("`{}` for `{}`: {}", text, in.name, reason));
    return std::get<Number>(*v);
  }

  // Money: its minor unit. An input: the most places in its data and the parameters. Anything
  // else: four places more than the parameters have.
  Number default_step(const Draw& d, int most_places) const {
    const Type& type = d.target == Draw::Target::term ? c_.terms[d.index].type : c_.inputs[d.index].type;
    if (d.target != Draw::Target::scale) {  // money, or money per a count (not a rate between currencies): the minor unit
      const checked::Currency* money = nullptr;
      int currencies = 0;
      for (const auto& currency : c_.currencies)
        for (const auto& [dimension, exponent] : type.unit.dimensions())
          if (dimension == currency.code) ++currencies, money = exponent == 1 ? &currency : money;
      if (money && currencies == 1) return money->minor_unit;
    }
    if (d.target == Draw::Target::cell || d.target == Draw::Target::series) {
      if (static_cast<std::size_t>(d.index) < data_.series.size())
        for (const auto& v : data_.series[d.index])
          if (v && std::holds_alternative<Number>(*v)) most_places = std::max(most_places, places_of(std::get<Number>(*v)));
      // A percentage is held as a fraction (50 is 0.5): one unit of the last decimal as written
      // is 10^-(places + 2) as held, and the data's places as held count two more.
      return power_of_ten(c_.inputs[d.index].percent ? std::max(most_places, 2) : most_places);
    }
    return power_of_ten(most_places + 4);
  }

  bool empirical(Draw& d, const std::string& file, const std::string& column, std::string& error) {
    std::vector<std::pair<std::string, Table>> tables;
    try {
      tables = read_data_file(file);
    } catch (DiagnosticError& e) {
      return fail(error, e.diagnostic.message), false;
    }
    if (tables.size() != 1) return fail(error, fmt::format("{}: expected one table", file)), false;
    const Table& t = tables.front().second;
    auto at = std::find(t.columns.begin(), t.columns.end(), column);
    if (at == t.columns.end()) return fail(error, fmt::format("{} has no column `{}`", file, column)), false;
    const auto k = static_cast<std::size_t>(at - t.columns.begin());
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const Cell* cell = t.find(r, k);
      if (!cell || !cell->present) continue;
      auto v = value(d, cell->text, error);
      if (!v) return error = t.location(r, k) + ": " + error, false;
      d.distribution.values.push_back(*v);
    }
    if (d.distribution.values.empty()) return fail(error, fmt::format("{}: the column `{}` has no values", file, column)), false;
    return true;
  }
};

// The written distribution, for the output: "uniform(20 %, 50 %)".
std::string distribution_text(const std::string& spec) {
  std::string rest = trim(spec.substr(spec.find('~') + 1));
  const auto close = rest.rfind(')');
  return close == std::string::npos ? rest : rest.substr(0, close + 1);
}

// A progress line on a terminal for a simulation that takes more than a second.
class Progress {
 public:
  explicit Progress(std::uint64_t runs) : runs_(runs), on_(isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  ~Progress() { finish(); }
  // Clears the progress line, before the output is printed.
  void finish() {
    std::lock_guard lock(mutex_);
    if (shown_) fmt::print(stderr, "\r{:60}\r", "");
    shown_ = false;
    on_ = false;
  }
  void operator()(std::uint64_t done) {
    if (!on_) return;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock) return;
    const auto now = Clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    fmt::print(stderr, "\rsimulate: {} of {} runs ({}%)", done, runs_, done * 100 / std::max<std::uint64_t>(runs_, 1));
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t runs_;
  bool on_, shown_ = false;
  Clock::time_point start_, last_;
  std::mutex mutex_;
};

}  // namespace

SimulateCommand::SimulateCommand(CLI::App& app) {
  command_ = app.add_subcommand("simulate", "Draw terms and data at random: the distribution of every payment (Monte Carlo)");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON)");
  command_->add_option("--draw", draws_, "'NAME ~ DIST [step S]': NAME a term, INPUT@PERIOD, INPUT or scale(INPUT); DIST uniform(LO, HI), "
                                         "normal(MEAN, SD), triangular(LO, MODE, HI), lognormal(MU, SIGMA) or empirical(FILE, COLUMN)")
      ->required();
  command_->add_option("--runs,-n", runs_, "the number of runs (1 to 10 000 000)")->required();
  command_->add_option("--seed", seed_, "the seed, 0 to 18446744073709551615 (default 1): the same seed gives the same output");
  command_->add_option("--threads,-j", threads_, "threads (default: all cores); the output does not depend on them");
  command_->add_option("--percentiles", percentiles_, "percentiles to show, comma-separated (default 5,50,95)");
  command_->add_option("--correlate", correlations_, "'A, B = RHO': rank correlation RHO between two draws (a Gaussian copula)");
  command_->add_option("--set,-s", sets_, "override a term in every run: TERM=VALUE or scale(INPUT)=FACTOR");
  command_->add_flag("--caps", caps_, "count the runs in which each cap or floor bound (runs on the general evaluator: slower)");
  command_->add_option("--party", party_, "also the distribution of this party's money multiple and IRR");
  command_->add_option("--outlay", outlays_, "with --party: PERIOD=AMOUNT [CODE] the party paid outside the contract (as `returns`)");
  command_->add_option("--format,-f", format_, "text (default), csv, json or xlsx (with -o FILE)")
      ->check(CLI::IsMember({"text", "csv", "json", "xlsx"}));
  command_->add_option("--output,-o", output_, "with --format xlsx: the workbook to write");
  command_->add_option("--csv-dialect", dialect_, "with --format csv: plain (default) or excel-sv (`;`, decimal comma, BOM)")
      ->check(CLI::IsMember({"plain", "excel-sv"}));
}

int SimulateCommand::run() const {
  if (dialect_ != "plain" && format_ != "csv") return usage("--csv-dialect belongs to --format csv");
  if (auto why = cli::xlsx_usage(format_, output_)) return usage(*why);
  // Whole numbers as written: CLI11 would wrap `-5` and saturate `99999999999999999999`.
  auto whole = [](const std::string& text) -> std::optional<std::uint64_t> {
    std::uint64_t n = 0;
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    for (char ch : text)
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, static_cast<std::uint64_t>(ch - '0'), &n)) return std::nullopt;
    return n;
  };
  const auto runs_given = whole(runs_), seed_given = whole(seed_);
  if (!runs_given || *runs_given < 1 || *runs_given > kMaxRuns)
    return usage(fmt::format("--runs {}: a whole number of runs from 1 to {}", runs_, kMaxRuns));
  if (!seed_given) return usage(fmt::format("--seed {}: a whole number from 0 to 18446744073709551615", seed_));
  const std::uint64_t runs = *runs_given, seed = *seed_given;
  std::vector<Number> percentiles;
  std::vector<std::string> percentile_names;
  for (std::size_t start = 0;;) {
    const auto comma = percentiles_.find(',', start);
    const std::string p = trim(percentiles_.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    auto n = p.find_first_not_of("0123456789.") == std::string::npos ? Number::parse_decimal(p) : std::nullopt;
    if (!n || *n > Number::from_int(100))
      return usage(fmt::format("--percentiles '{}': `{}` is not a percentile (a number from 0 to 100, digits and a point)", percentiles_, p));
    if (std::find(percentiles.begin(), percentiles.end(), *n) != percentiles.end())
      return usage(fmt::format("--percentiles '{}': `{}` is given twice", percentiles_, p));
    percentiles.push_back(*n);
    percentile_names.push_back("p" + p);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);
  const auto& c = *compiled.contract;
  EvalOptions options;
  if (auto d = apply_overrides(c, sets_, options); !d.empty()) return std::max(report(d), 64);
  auto bound = load_data(c, data_);
  if (!bound.data) return report(bound.diagnostics);

  SimulationSpec spec;
  spec.runs = runs, spec.seed = seed, spec.threads = threads_, spec.limits = caps_;
  DrawReader reader(c, *bound.data);
  for (const auto& text : draws_) {
    std::string error;
    auto d = reader.read(text, error);
    if (!d) return usage(fmt::format("--draw '{}': {}", text, error));
    for (const auto& other : spec.draws) {
      const bool same_term = d->target == Draw::Target::term && other.target == Draw::Target::term && d->index == other.index;
      const bool same_input = d->target != Draw::Target::term && other.target != Draw::Target::term && d->index == other.index &&
                              (d->target != Draw::Target::cell || other.target != Draw::Target::cell || d->period == other.period);
      if (same_term || same_input) return usage(fmt::format("--draw '{}': `{}` is drawn already (by `{}`)", text, d->name, other.name));
    }
    if (d->target == Draw::Target::term && options.term_overrides.count(d->index))
      return usage(fmt::format("--draw '{}': `{}` is given by --set too", text, d->name));
    if (d->target != Draw::Target::term && options.input_scales.count(d->index))
      return usage(fmt::format("--draw '{}': `{}` is scaled by --set too", text, c.inputs[d->index].name));
    spec.draws.push_back(std::move(*d));
  }
  for (const auto& text : correlations_) {
    const auto comma = text.find(','), eq = text.find('=');
    if (comma == std::string::npos || eq == std::string::npos || eq < comma) return usage(fmt::format("--correlate '{}': expected 'A, B = RHO'", text));
    auto named = [&](const std::string& name) -> std::optional<int> {
      for (std::size_t k = 0; k < spec.draws.size(); ++k)
        if (spec.draws[k].name == name) return static_cast<int>(k);
      return std::nullopt;
    };
    const std::string a = trim(text.substr(0, comma)), b = trim(text.substr(comma + 1, eq - comma - 1));
    auto ia = named(a), ib = named(b);
    if (!ia || !ib) return usage(fmt::format("--correlate '{}': `{}` is not drawn (name it as its --draw does)", text, ia ? b : a));
    if (*ia == *ib) return usage(fmt::format("--correlate '{}': a draw with itself", text));
    auto rho = Number::parse_decimal(trim(text.substr(eq + 1)));
    if (!rho || *rho <= Number::from_int(-1) || *rho >= Number::from_int(1))
      return usage(fmt::format("--correlate '{}': the rank correlation is a number strictly between -1 and 1", text));
    for (const auto& k : spec.correlations)
      if ((k.a == *ia && k.b == *ib) || (k.a == *ib && k.b == *ia))
        return usage(fmt::format("--correlate '{}': `{}` and `{}` are correlated already", text, a, b));
    spec.correlations.push_back({*ia, *ib, std::strtod(rho->to_string().c_str(), nullptr)});
  }
  if (!party_.empty()) {
    auto it = std::find_if(c.parties.begin(), c.parties.end(), [&](const auto& p) { return p.id == party_; });
    if (it == c.parties.end()) return usage(fmt::format("--party {}: not a party of the contract", party_));
    spec.party = static_cast<int>(it - c.parties.begin());
  }
  if (!outlays_.empty() && !spec.party) return usage("--outlay belongs to --party: name the party who paid it");
  for (const auto& text : outlays_) {
    std::string error;
    auto o = parse_outlay(c, text, error);
    if (!o) return usage(error);
    spec.outlays.push_back(*o);
  }
  if (simulation_values(c, runs) > kMaxSimulationValues)
    return usage(fmt::format("--runs {}: this contract's flows over that many runs would keep more than {} amounts; run fewer", runs,
                             kMaxSimulationValues));
  Progress progress(runs);
  spec.progress = [&](std::uint64_t done) { progress(done); };
  std::string error;
  auto result = simulate(c, *bound.data, options, spec, error);
  progress.finish();
  if (!result) return usage(error);
  const auto& r = *result;
  const std::uint64_t good = runs - r.failed;

  // The summaries, over the runs that did not fail.
  const std::size_t periods = c.periods.size();
  // The amounts count 10^-places units for every currency (the most places of any); a
  // currency with fewer counts its own minor units, in which its payments are whole, so that its
  // mean and sd are rounded to its own minor unit.
  auto column = [&](const std::vector<std::int64_t>& all, std::size_t series, int currency) {
    std::int64_t per_unit = 1;
    for (int k = minor_unit_places(c, currency); k < r.places; ++k) per_unit *= 10;
    std::vector<std::int64_t> v;
    v.reserve(good);
    for (std::uint64_t i = 0; i < runs; ++i)
      if (r.ok[i]) v.push_back(all[series * runs + i] / per_unit);
    return summarize(v, percentiles);
  };
  struct Row {
    std::string kind, from, to, period;
    int currency;
    Summary s;
  };
  std::vector<Row> rows;
  for (std::size_t f = 0; f < r.flows.size(); ++f)
    for (std::size_t t = 0; t <= periods; ++t)
      rows.push_back({"flow", c.parties[r.flows[f].payer].id, c.parties[r.flows[f].payee].id, t < periods ? c.periods[t] : "total",
                      r.flows[f].currency, column(r.amounts, f * (periods + 1) + t, r.flows[f].currency)});
  for (std::size_t p = 0; p < c.parties.size(); ++p)
    for (std::size_t k = 0; k < c.currencies.size(); ++k) {
      bool any = std::any_of(r.flows.begin(), r.flows.end(), [&](const SimFlow& f) {
        return f.currency == static_cast<int>(k) && (f.payer == static_cast<int>(p) || f.payee == static_cast<int>(p));
      });
      if (any)
        rows.push_back({"party", c.parties[p].id, "", "total", static_cast<int>(k), column(r.nets, p * c.currencies.size() + k, static_cast<int>(k))});
    }
  auto amount = [&](const Number& units, int currency, bool separators) {
    return format_money(c, units * power_of_ten(minor_unit_places(c, currency)), separators, currency);
  };
  auto measures = [&](const std::vector<std::optional<std::int64_t>>& values, std::uint64_t& without) {
    std::vector<std::int64_t> v;
    without = 0;
    for (std::uint64_t i = 0; i < runs; ++i)
      if (r.ok[i]) values[i] ? v.push_back(*values[i]) : void(++without);
    return summarize(v, percentiles);
  };
  auto micro = [](const Number& x) { return (x / Number::from_int(1'000'000)).to_fixed(6).value(); };

  if (format_ == "json") {
    json out;
    out["runs"] = runs;
    out["seed"] = seed;
    out["failed"] = r.failed;
    out["percentiles"] = json::array();
    for (const auto& p : percentile_names) out["percentiles"].push_back(p.substr(1));
    out["draws"] = json::array();
    for (std::size_t k = 0; k < spec.draws.size(); ++k) {
      json d{{"name", spec.draws[k].name}, {"distribution", distribution_text(draws_[k])}};
      if (spec.draws[k].distribution.kind != Distribution::Kind::empirical) d["step"] = spec.draws[k].distribution.step.to_string();
      out["draws"].push_back(std::move(d));
    }
    auto stats = [&](json& j, const Summary& s, const std::function<std::string(const Number&)>& show) {
      if (s.count == 0) {  // no run has the measure (or every run failed)
        for (const std::string key : {"mean", "sd"}) j[key] = nullptr;
        for (const auto& p : percentile_names) j[p] = nullptr;
        j["min"] = j["max"] = j["p_positive"] = nullptr;
        j["runs_positive"] = 0;
        return;
      }
      auto n = [](std::int64_t x) { return Number::from_int(x); };
      j["mean"] = show(n(s.mean));
      j["sd"] = show(s.sd);
      for (std::size_t k = 0; k < percentiles.size(); ++k) j[percentile_names[k]] = show(n(s.percentiles[k]));
      j["min"] = show(n(s.min));
      j["max"] = show(n(s.max));
      j["p_positive"] = share_text(s.positive, s.count);
      j["runs_positive"] = s.positive;
    };
    out["flows"] = json::array();
    out["parties"] = json::array();
    for (const auto& row : rows) {
      json j;
      if (row.kind == "flow") j["from"] = row.from, j["to"] = row.to;
      else j["party"] = row.from;
      j["currency"] = c.currencies[row.currency].code;
      if (row.kind == "flow") j["period"] = row.period;
      stats(j, row.s, [&](const Number& x) { return amount(x, row.currency, false); });
      out[row.kind == "flow" ? "flows" : "parties"].push_back(std::move(j));
    }
    if (caps_) {
      out["caps"] = json::array();
      for (const auto& l : r.limits)
        out["caps"].push_back({{"clause", c.clauses[l.clause].number}, {"rule", l.rule}, {"tier", l.tier}, {"limit", l.what}, {"line", l.line},
                               {"period", c.periods[l.period]}, {"runs_bound", l.runs}, {"share", share_text(l.runs, good)}});
    }
    if (spec.party) {
      json j{{"party", party_}};
      for (const auto& [name, values] : {std::pair{"multiple", &r.multiples}, std::pair{"irr", &r.irrs}}) {
        std::uint64_t without = 0;
        json m;
        stats(m, measures(*values, without), micro);
        m["runs_without"] = without;
        j[name] = std::move(m);
      }
      out["returns"] = std::move(j);
    }
    fmt::print("{}\n", out.dump(2));
  } else if (format_ == "xlsx") {
    // Sheets Flows, Parties, then Caps (--caps), Returns (--party) and Draws: each statistic a
    // number in the currency's format, its exact decimal in the JSON and CSV.
    std::vector<cli::XlsxSheet> sheets;
    std::vector<std::string> stats = {"mean", "sd"};
    stats.insert(stats.end(), percentile_names.begin(), percentile_names.end());
    stats.insert(stats.end(), {"min", "max", "p_positive", "runs_positive"});
    auto cells_of = [&](const Summary& s, const std::function<cli::XlsxCell(const Number&)>& show) {
      std::vector<cli::XlsxCell> cells;
      if (s.count == 0) return std::vector<cli::XlsxCell>(stats.size(), cli::xlsx_text(""));
      auto n = [](std::int64_t x) { return Number::from_int(x); };
      cells = {show(n(s.mean)), show(s.sd)};
      for (auto v : s.percentiles) cells.push_back(show(n(v)));
      cells.insert(cells.end(), {show(n(s.min)), show(n(s.max)), cli::xlsx_number(share_text(s.positive, s.count), 6, ""),
                                 cli::xlsx_number(std::to_string(s.positive), 0, "")});
      return cells;
    };
    cli::XlsxSheet flows{"Flows", {"from", "to", "currency", "period"}, {}}, parties{"Parties", {"party", "currency"}, {}};
    flows.header.insert(flows.header.end(), stats.begin(), stats.end());
    parties.header.insert(parties.header.end(), stats.begin(), stats.end());
    for (const auto& row : rows) {
      auto show = [&](const Number& x) {
        return cli::xlsx_number(amount(x, row.currency, false), minor_unit_places(c, row.currency), c.currencies[row.currency].code);
      };
      std::vector<cli::XlsxCell> cells = {cli::xlsx_text(row.from)};
      if (row.kind == "flow") cells.push_back(cli::xlsx_text(row.to));
      cells.push_back(cli::xlsx_text(c.currencies[row.currency].code));
      if (row.kind == "flow") cells.push_back(cli::xlsx_text(row.period));
      auto s = cells_of(row.s, show);
      cells.insert(cells.end(), s.begin(), s.end());
      (row.kind == "flow" ? flows : parties).rows.push_back(std::move(cells));
    }
    sheets.push_back(std::move(flows));
    sheets.push_back(std::move(parties));
    if (caps_) {
      cli::XlsxSheet caps{"Caps", {"clause", "rule", "tier", "limit", "line", "period", "runs_bound", "share"}, {}};
      for (const auto& l : r.limits)
        caps.rows.push_back({cli::xlsx_text(c.clauses[l.clause].number), cli::xlsx_text(l.rule), cli::xlsx_text(l.tier), cli::xlsx_text(l.what),
                             cli::xlsx_number(std::to_string(l.line), 0, ""), cli::xlsx_text(c.periods[l.period]),
                             cli::xlsx_number(std::to_string(l.runs), 0, ""), cli::xlsx_number(share_text(l.runs, good), 6, "")});
      sheets.push_back(std::move(caps));
    }
    if (spec.party) {
      cli::XlsxSheet returns{"Returns", {"party", "measure"}, {}};
      returns.header.insert(returns.header.end(), stats.begin(), stats.end());
      returns.header.push_back("runs_without");
      for (const auto& [name, values] : {std::pair{"multiple", &r.multiples}, std::pair{"irr", &r.irrs}}) {
        std::uint64_t without = 0;
        std::vector<cli::XlsxCell> cells = {cli::xlsx_text(party_), cli::xlsx_text(name)};
        auto s = cells_of(measures(*values, without), [&](const Number& x) { return cli::xlsx_number(micro(x), 6, ""); });
        cells.insert(cells.end(), s.begin(), s.end());
        cells.push_back(cli::xlsx_number(std::to_string(without), 0, ""));
        returns.rows.push_back(std::move(cells));
      }
      sheets.push_back(std::move(returns));
    }
    cli::XlsxSheet draws{"Draws", {"name", "distribution", "step", "runs", "seed", "failed"}, {}};
    for (std::size_t k = 0; k < spec.draws.size(); ++k)
      draws.rows.push_back({cli::xlsx_text(spec.draws[k].name), cli::xlsx_text(distribution_text(draws_[k])),
                            cli::xlsx_text(spec.draws[k].distribution.kind == Distribution::Kind::empirical ? "" : spec.draws[k].distribution.step.to_string()),
                            cli::xlsx_number(std::to_string(runs), 0, ""), cli::xlsx_text(std::to_string(seed)),
                            cli::xlsx_number(std::to_string(r.failed), 0, "")});
    sheets.push_back(std::move(draws));
    if (auto problem = cli::write_xlsx(output_, sheets)) return std::max(report({*problem}), cli::kOutputFailed);
  } else if (format_ == "csv") {
    cli::CsvWriter csv(*cli::csv_dialect(dialect_));
    std::vector<std::string> header = {"kind", "from", "to", "currency", "period", "mean", "sd"};
    header.insert(header.end(), percentile_names.begin(), percentile_names.end());
    header.insert(header.end(), {"min", "max", "p_positive", "runs_positive"});
    csv.header(header);
    for (const auto& row : rows) {
      auto show = [&](const Number& x) { return cli::number_cell(row.s.count ? amount(x, row.currency, false) : std::string()); };
      auto n = [](std::int64_t x) { return Number::from_int(x); };
      std::vector<cli::CsvCell> cells = {cli::text_cell(row.kind), cli::text_cell(row.from), cli::text_cell(row.to),
                                         cli::text_cell(c.currencies[row.currency].code), cli::text_cell(row.period), show(n(row.s.mean)),
                                         show(row.s.sd)};
      for (auto v : row.s.percentiles) cells.push_back(show(n(v)));
      cells.insert(cells.end(), {show(n(row.s.min)), show(n(row.s.max)), cli::number_cell(share_text(row.s.positive, row.s.count)),
                                 cli::number_cell(std::to_string(row.s.positive))});
      csv.row(cells);
    }
    cli::write_stdout(csv.text());
  } else {
    fmt::print("{}\n{} runs, seed {}{}\n", terminal_text(c.title), runs, seed,
               r.failed ? fmt::format(" ({} failed, left out of the statistics)", r.failed) : "");
    for (std::size_t k = 0; k < spec.draws.size(); ++k)
      fmt::print("  {} ~ {}{}\n", terminal_text(spec.draws[k].name), terminal_text(distribution_text(draws_[k])),
                 spec.draws[k].distribution.kind == Distribution::Kind::empirical ? "" : " step " + spec.draws[k].distribution.step.to_string());
    fmt::print("Every run's payments are exact; the statistics describe these runs: mean and sd rounded to the minor unit,\n"
               "percentiles by nearest rank, P(>0) the share of runs above zero. Amounts in {}.\n\n", currency_list(c));
    std::vector<std::string> header = {"", "period", "mean", "sd"};
    for (const auto& p : percentile_names) header.push_back(p);
    for (const char* h : {"min", "max", "P(>0)"}) header.push_back(h);
    std::vector<std::vector<std::string>> table = {header};
    for (const auto& row : rows) {
      auto show = [&](const Number& x) { return row.s.count ? amount(x, row.currency, true) : std::string("-"); };
      auto n = [](std::int64_t x) { return Number::from_int(x); };
      std::string label = row.kind == "flow" ? row.from + " -> " + row.to : "net " + row.from;
      if (c.currencies.size() > 1) label += " (" + c.currencies[row.currency].code + ")";
      std::vector<std::string> line = {label, row.period, show(n(row.s.mean)), show(row.s.sd)};
      for (auto v : row.s.percentiles) line.push_back(show(n(v)));
      line.insert(line.end(), {show(n(row.s.min)), show(n(row.s.max)), row.s.count ? share_text(row.s.positive, row.s.count, 3) : "-"});
      table.push_back(std::move(line));
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& line : table)
      for (std::size_t k = 0; k < line.size(); ++k) width[k] = std::max(width[k], line[k].size());
    for (std::size_t i = 0; i < table.size(); ++i) {
      std::string s;
      for (std::size_t k = 0; k < table[i].size(); ++k)
        s += (k ? "  " : "") + (k < 2 ? fmt::format("{:<{}}", table[i][k], width[k]) : fmt::format("{:>{}}", table[i][k], width[k]));
      fmt::print("{}\n", terminal_text(s.substr(0, s.find_last_not_of(' ') + 1)));
    }
    if (caps_) {
      fmt::print("\nCaps and floors that bound (share of runs):\n");
      if (r.limits.empty()) fmt::print("  none bound in any run\n");
      for (const auto& l : r.limits) {
        const std::string who = (l.tier.empty() ? "" : "tier `" + l.tier + "` of ") + (l.rule.empty() ? "a payment" : "`" + l.rule + "`");
        fmt::print("  {} (clause {}, line {}): {} in {}: {} runs ({})\n", terminal_text(who), terminal_text(c.clauses[l.clause].number), l.line,
                   terminal_text(l.what), c.periods[l.period], l.runs, share_text(l.runs, good, 4));
      }
    }
    if (spec.party) {
      fmt::print("\nReturns of {} (per run, to 6 decimals):\n", terminal_text(party_));
      for (const auto& [name, values] : {std::pair{"multiple", &r.multiples}, std::pair{"IRR", &r.irrs}}) {
        std::uint64_t without = 0;
        auto s = measures(*values, without);
        auto n = [](std::int64_t x) { return Number::from_int(x); };
        std::string line = fmt::format("  {:<8}  mean {}  sd {}", name, micro(n(s.mean)), micro(s.sd));
        for (std::size_t k = 0; k < percentiles.size(); ++k) line += fmt::format("  {} {}", percentile_names[k], micro(n(s.percentiles[k])));
        line += fmt::format("  min {}  max {}", micro(n(s.min)), micro(n(s.max)));
        if (without) line += fmt::format("  ({} runs without)", without);
        fmt::print("{}\n", s.count ? line : fmt::format("  {:<8}  none in any run", name));
      }
    }
  }
  if (r.failed) {
    fmt::print(stderr, "utfall simulate: {} of {} runs failed; the first:\n", r.failed, runs);
    return std::max(report({*r.first_failure}), 65);
  }
  return 0;
}

}  // namespace utfall
