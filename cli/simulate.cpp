// `utfall simulate`: reads each --draw (interpreter/draw_spec.hpp) and --correlate against the
// checked contract, runs simulate() (interpreter/simulate.hpp) with a progress line on a
// terminal, and prints the summaries of statistics.hpp as a table, CSV, JSON or a workbook.
#include "cli/simulate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/csv_dialect.hpp"
#include "cli/draw_options.hpp"
#include "cli/output.hpp"
#include "cli/returns.hpp"
#include "cli/xlsx.hpp"
#include "interpreter/draw_spec.hpp"
#include "interpreter/version.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/simulate.hpp"
#include "interpreter/source.hpp"
#include "interpreter/statistics.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

using json = nlohmann::ordered_json;
using cli::report;


int usage(const std::string& message) { return cli::usage("simulate", message); }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
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
  draw_options_.add_to(command_, true);
  command_->add_option("--threads,-j", threads_, "threads (default: all cores); the output does not depend on them");
  command_->add_option("--percentiles", percentiles_, "percentiles to show, comma-separated (default 5,50,95)");
  command_->add_option("--set,-s", sets_, "override a term in every run: TERM=VALUE or scale(INPUT)=FACTOR");
  command_->add_flag("--caps", caps_, "count the runs in which each cap or floor bound (runs on the general evaluator: slower)");
  command_->add_option("--party", party_, "also the distribution of this party's money multiple and IRR");
  command_->add_option("--outlay", outlays_, "with --party: PERIOD=AMOUNT [CODE] the party paid outside the contract (as `returns`)");
  command_->add_option("--format,-f", format_, "text (default), csv, json or xlsx (with -o FILE)")
      ->check(CLI::IsMember({"text", "csv", "json", "xlsx"}));
  cli::add_file_format_options(command_, dialect_, output_);
}

int SimulateCommand::run() const {
  if (auto why = cli::file_format_usage(format_, dialect_, output_)) return usage(*why);
  std::vector<Number> percentiles;
  std::vector<std::string> percentile_names;
  for (std::size_t start = 0;;) {
    const auto comma = percentiles_.find(',', start);
    const std::string p = trim(percentiles_.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    auto n = read_percentile(p);
    if (!n)
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
  if (auto why = cli::read_draw_options(c, *bound.data, options, draw_options_, spec)) return usage(*why);
  spec.threads = threads_, spec.limits = caps_;
  const std::uint64_t runs = spec.runs;
  {
    std::string error;
    auto party = read_party_option(c, party_, outlays_, error);
    if (!party) return usage(error);
    spec.party = party->party;
    spec.outlays = std::move(party->outlays);
  }
  if (simulation_values(c, runs, spec.party.has_value()) > kMaxSimulationValues)
    return usage(fmt::format("--runs {}: this contract's flows over that many runs would keep more than {} amounts; run fewer", runs,
                             kMaxSimulationValues));
  Progress progress(runs);
  spec.progress = [&](std::uint64_t done) { progress(done); };
  std::string error;
  auto result = simulate(c, *bound.data, options, spec, error);
  progress.finish();
  if (!result) return usage("--correlate: " + error);
  const auto& r = *result;
  const std::uint64_t good = runs - r.failed;

  // The summaries, over the runs that did not fail.
  const std::size_t periods = c.periods.size();
  auto column = [&](const std::vector<std::int64_t>& all, std::size_t series, int currency) {
    return summarize_runs(c, r, all, series, currency, percentiles);
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
  for (auto [p, k] : simulated_positions(c, r))
    rows.push_back({"party", c.parties[p].id, "", "total", k, column(r.nets, p * c.currencies.size() + k, k)});
  auto amount = [&](const Number& units, int currency, bool separators) {
    return format_money(c, units * Number::power_of_ten(-minor_unit_places(c, currency)), separators, currency);
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
    out["version"] = json_version;
    out["runs"] = runs;
    out["seed"] = spec.seed;
    out["failed"] = r.failed;
    out["percentiles"] = json::array();
    for (const auto& p : percentile_names) out["percentiles"].push_back(p.substr(1));
    out["draws"] = json::array();
    for (std::size_t k = 0; k < spec.draws.size(); ++k) {
      json d{{"name", spec.draws[k].name}, {"distribution", written_distribution(draw_options_.draws[k])}};
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
      draws.rows.push_back({cli::xlsx_text(spec.draws[k].name), cli::xlsx_text(written_distribution(draw_options_.draws[k])),
                            cli::xlsx_text(spec.draws[k].distribution.kind == Distribution::Kind::empirical ? "" : spec.draws[k].distribution.step.to_string()),
                            cli::xlsx_number(std::to_string(runs), 0, ""), cli::xlsx_text(std::to_string(spec.seed)),
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
    fmt::print("{}\n{} runs, seed {}{}\n", terminal_text(c.title), runs, spec.seed,
               r.failed ? fmt::format(" ({} failed, left out of the statistics)", r.failed) : "");
    for (std::size_t k = 0; k < spec.draws.size(); ++k)
      fmt::print("  {} ~ {}{}\n", terminal_text(spec.draws[k].name), terminal_text(written_distribution(draw_options_.draws[k])),
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
    // Widths in characters (code points), not bytes: a party `bö` keeps the columns in line.
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& line : table)
      for (std::size_t k = 0; k < line.size(); ++k) width[k] = std::max(width[k], code_points(line[k]));
    for (std::size_t i = 0; i < table.size(); ++i) {
      std::string s;
      for (std::size_t k = 0; k < table[i].size(); ++k) {
        const std::string pad(width[k] - code_points(table[i][k]), ' ');
        s += (k ? "  " : "") + (k < 2 ? table[i][k] + pad : pad + table[i][k]);
      }
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
