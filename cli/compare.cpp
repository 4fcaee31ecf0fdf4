// `utfall compare`: each side is loaded and evaluated as `run` does; the flows of both sides
// are matched by payer id, payee id and currency code, and printed as one table (text), one row
// per flow and side (csv), or one object per flow (json).
#include "cli/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cli/csv_dialect.hpp"
#include "cli/output.hpp"
#include "cli/xlsx.hpp"
#include "interpreter/contract_diff.hpp"
#include "interpreter/version.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

// More scenarios than this do not make a table a person reads; `sweep` takes many.
constexpr std::size_t kMaxScenarios = 12;

using cli::report;
int usage(const std::string& message) { return cli::usage("compare", message); }

// One side: a contract, the data it was evaluated on, and the payments.
struct Side {
  std::string name;  // "old", "new", or the scenario's NAME
  std::string file;
  std::vector<std::string> data;
  std::shared_ptr<const checked::Contract> contract;
  Evaluation evaluation;
};

// Compiles (or reuses) the contract, applies --set, loads the data and evaluates; the exit code
// of what failed, or 0.
int evaluate_side(Side& side, const std::vector<std::string>& sets) {
  if (!side.contract) {
    auto compiled = compile_file(side.file);
    if (!compiled.contract) return report(compiled.diagnostics);
    if (!compiled.diagnostics.empty()) report(compiled.diagnostics);  // warnings
    side.contract = compiled.contract;
  }
  EvalOptions options;
  if (auto d = apply_overrides(*side.contract, sets, options); !d.empty()) return std::max(report(d), 64);
  auto bound = load_data(*side.contract, side.data);
  if (!bound.data) return report(bound.diagnostics);
  side.evaluation = evaluate(*side.contract, *bound.data, options);
  if (!side.evaluation.ok) return report(side.evaluation.diagnostics);
  return 0;
}

// A flow: payer id, payee id, currency code; on each side, its amount per period (by name),
// and whether that side has it at all.
struct Flow {
  std::string from, to, currency;
  struct PerSide {
    bool present = false;
    int currency = 0;  // index in that side's contract
    std::map<std::string, Number> amounts;
    Number total;
  };
  std::vector<PerSide> side;  // [side]
};

// The flows of every side: NEW's (the second side's) in its order of payer, payee and currency,
// then those only OLD (the first) has, then those only a later scenario has.
std::vector<Flow> match_flows(const std::vector<Side>& sides) {
  std::vector<Flow> flows;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  std::vector<int> order{1, 0};
  for (int s = 2; s < int(sides.size()); ++s) order.push_back(s);
  for (int s : order) {
    const auto& c = *sides[s].contract;
    std::map<std::tuple<int, int, int>, std::vector<const PaymentLine*>> own;
    for (const auto& l : sides[s].evaluation.lines) own[{l.payer, l.payee, c.line_currency(l.waterfall, l.rule_index)}].push_back(&l);
    for (const auto& [key, lines] : own) {
      auto [payer, payee, currency] = key;
      std::tuple<std::string, std::string, std::string> name{c.parties[payer].id, c.parties[payee].id, c.currencies[currency].code};
      auto [it, fresh] = index.emplace(name, flows.size());
      if (fresh) flows.push_back(Flow{std::get<0>(name), std::get<1>(name), std::get<2>(name), std::vector<Flow::PerSide>(sides.size())});
      auto& mine = flows[it->second].side[s];
      mine.present = true;
      mine.currency = currency;
      for (const auto* l : lines) {
        mine.amounts[c.periods[l->period]] += l->amount;
        mine.total += l->amount;
      }
    }
  }
  return flows;
}

// NEW's periods in its order, with each period only OLD has placed after the OLD period before it.
std::vector<std::string> merge_periods(const checked::Contract& old_c, const checked::Contract& new_c) {
  std::set<std::string> in_new(new_c.periods.begin(), new_c.periods.end());
  std::map<std::string, std::vector<std::string>> after;  // OLD's own periods, by the period they follow ("": the start)
  std::string last;
  for (const auto& p : old_c.periods) {
    if (in_new.count(p)) last = p;
    else after[last].push_back(p);
  }
  std::vector<std::string> out = after[""];
  for (const auto& p : new_c.periods) {
    out.push_back(p);
    if (auto it = after.find(p); it != after.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

class Comparison {
 public:
  Comparison(const std::vector<Side>& sides, bool versions) : sides_(sides), versions_(versions) {
    flows_ = match_flows(sides);
    periods_ = merge_periods(*sides[0].contract, *sides[1].contract);
    calendars_differ_ = sides[0].contract->periods != sides[1].contract->periods;
    if (versions) changes_ = diff_contracts(*sides[0].contract, *sides[1].contract);
    for (const auto& f : flows_) codes_.push_back(f.currency);
    std::sort(codes_.begin(), codes_.end());
    codes_.erase(std::unique(codes_.begin(), codes_.end()), codes_.end());
    for (const auto& side : sides)
      if (side.contract->currencies.size() > 1) several_ = true;
    several_ = several_ || codes_.size() > 1;
  }

  std::string json() const;
  std::vector<std::string> grid_header() const;
  std::vector<std::vector<cli::CsvCell>> grid() const;
  std::string csv(const cli::CsvDialect& dialect) const;
  cli::XlsxSheet sheet() const;
  std::string text() const;

 private:
  const std::vector<Side>& sides_;  // two versions, or two or more scenarios
  bool versions_;
  std::vector<Flow> flows_;
  std::vector<std::string> periods_, codes_;
  bool calendars_differ_ = false, several_ = false;
  std::vector<ContractChange> changes_;

  // An amount of one side; none where that side has no payment in the period (or no such flow).
  std::optional<std::string> amount(const Flow& f, int s, const std::string* period, bool separators) const {
    const auto& mine = f.side[s];
    if (!mine.present) return std::nullopt;
    const Number* n = &mine.total;
    if (period) {
      auto it = mine.amounts.find(*period);
      if (it == mine.amounts.end()) return std::nullopt;
      n = &it->second;
    }
    return format_money(*sides_[s].contract, *n, separators, mine.currency);
  }
  Number value(const Flow& f, int s, const std::string* period) const {
    const auto& mine = f.side[s];
    if (!period) return mine.total;
    auto it = mine.amounts.find(*period);
    return it == mine.amounts.end() ? Number{} : it->second;
  }
  // Side k less the first (NEW - OLD), an absent amount counting as 0, in the minor unit of the
  // side that has the flow.
  std::string difference(const Flow& f, int k, const std::string* period, bool separators) const {
    int s = f.side[k].present ? k : 0;
    return format_money(*sides_[s].contract, value(f, k, period) - value(f, 0, period), separators, f.side[s].currency);
  }
  int count() const { return static_cast<int>(sides_.size()); }
  // The label of the row of side k's difference: "difference" with two sides, else "NAME - FIRST".
  std::string difference_label(int k) const {
    return count() == 2 ? std::string("difference") : fmt::format("{} - {}", sides_[k].name, sides_[0].name);
  }
  std::string flow_name(const Flow& f, const char* arrow) const {
    return fmt::format("{} {} {}{}", f.from, arrow, f.to, several_ ? " (" + f.currency + ")" : "");
  }
  nlohmann::ordered_json side_json(int s) const {
    const auto& side = sides_[s];
    nlohmann::ordered_json j;
    j["name"] = side.name;
    j["contract"] = side.file;
    j["title"] = side.contract->title;
    j["data"] = side.data;
    j["periods"] = side.contract->periods;
    return j;
  }
};

std::string Comparison::json() const {
  nlohmann::ordered_json j;
  j["version"] = json_version;
  j["compare"] = versions_ ? "versions" : "scenarios";
  j["old"] = side_json(0);
  j["new"] = side_json(1);
  if (count() > 2) {
    j["sides"] = nlohmann::ordered_json::array();
    for (int k = 0; k < count(); ++k) j["sides"].push_back(side_json(k));
  }
  j["periods"] = periods_;
  j["calendars_differ"] = calendars_differ_;
  auto or_null = [](const std::optional<std::string>& s) { return s ? nlohmann::ordered_json(*s) : nlohmann::ordered_json(nullptr); };
  auto flows = nlohmann::ordered_json::array();
  for (const auto& f : flows_) {
    nlohmann::ordered_json fj;
    fj["from"] = f.from;
    fj["to"] = f.to;
    fj["currency"] = f.currency;
    // old, new and difference: the first two sides; with more than two scenarios also amounts
    // (every side) and differences (each side after the first, less the first).
    auto cell = [&](const std::string* p) {
      nlohmann::ordered_json c;
      if (p) c["period"] = *p;
      c["old"] = or_null(amount(f, 0, p, false));
      c["new"] = or_null(amount(f, 1, p, false));
      c["difference"] = difference(f, 1, p, false);
      if (count() == 2) return c;
      auto amounts = nlohmann::ordered_json::array(), differences = nlohmann::ordered_json::array();
      for (int k = 0; k < count(); ++k) amounts.push_back(or_null(amount(f, k, p, false)));
      for (int k = 1; k < count(); ++k) differences.push_back(difference(f, k, p, false));
      c["amounts"] = std::move(amounts);
      c["differences"] = std::move(differences);
      return c;
    };
    auto per = nlohmann::ordered_json::array();
    for (const auto& p : periods_) per.push_back(cell(&p));
    fj["periods"] = std::move(per);
    fj["total"] = cell(nullptr);
    flows.push_back(std::move(fj));
  }
  j["flows"] = std::move(flows);
  auto changes = nlohmann::ordered_json::array();
  for (const auto& c : changes_)
    changes.push_back({{"kind", c.kind}, {"name", c.name}, {"what", c.what}, {"old", c.old_text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.old_text)},
                       {"new", c.new_text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.new_text)}});
  j["changes"] = std::move(changes);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// One row per flow and side (OLD, NEW, or each scenario), then one per difference, one column per
// period, then the total: the cells of the CSV and of the workbook.
std::vector<std::string> Comparison::grid_header() const {
  std::vector<std::string> header = {"from", "to", "currency", "side"};
  header.insert(header.end(), periods_.begin(), periods_.end());
  header.push_back("total");
  return header;
}

std::vector<std::vector<cli::CsvCell>> Comparison::grid() const {
  std::vector<std::vector<cli::CsvCell>> rows;
  for (const auto& f : flows_) {
    for (int row = 0; row < 2 * count() - 1; ++row) {
      const bool side = row < count();
      const int k = side ? row : row - count() + 1;
      auto& cells = rows.emplace_back();
      cells = {cli::text_cell(f.from), cli::text_cell(f.to), cli::text_cell(f.currency), cli::text_cell(side ? sides_[k].name : difference_label(k))};
      for (const auto& p : periods_) cells.push_back(cli::number_cell(side ? amount(f, k, &p, false).value_or("") : difference(f, k, &p, false)));
      cells.push_back(cli::number_cell(side ? amount(f, k, nullptr, false).value_or("") : difference(f, k, nullptr, false)));
    }
  }
  return rows;
}

std::string Comparison::csv(const cli::CsvDialect& dialect) const {
  cli::CsvWriter csv(dialect);
  csv.header(grid_header());
  for (const auto& row : grid()) csv.row(row);
  return csv.text();
}

cli::XlsxSheet Comparison::sheet() const {
  cli::XlsxSheet out{"Compare", grid_header(), {}};
  for (const auto& row : grid()) {
    auto& cells = out.rows.emplace_back();
    const std::string& currency = row[2].text;
    for (const auto& cell : row) {
      const auto dot = cell.text.find('.');
      const int places = dot == std::string::npos ? 0 : static_cast<int>(cell.text.size() - dot - 1);
      cells.push_back(cell.number ? cli::xlsx_number(cell.text, places, currency) : cli::xlsx_text(cell.text));
    }
  }
  return out;
}

std::string Comparison::text() const {
  const auto &old_c = *sides_[0].contract, &new_c = *sides_[1].contract;
  std::string out = (new_c.title.empty() ? "(untitled contract)" : new_c.title) + "\n";
  for (int s = 0; s < count(); ++s) {
    std::string what = versions_ ? sides_[s].file : fmt::format("{}", fmt::join(sides_[s].data, ", "));
    if (versions_ && sides_[s].contract->title != new_c.title) what += " (\"" + sides_[s].contract->title + "\")";
    out += fmt::format("{}: {}\n", sides_[s].name, what);
  }
  out += fmt::format("Payments in {}; {}, unchanged: =\n", codes_.empty() ? currency_list(new_c) : fmt::format("{}", fmt::join(codes_, ", ")),
                     count() == 2 ? fmt::format("difference = {} - {}", sides_[1].name, sides_[0].name)
                                  : fmt::format("each difference against {}", sides_[0].name));
  if (calendars_differ_)
    out += fmt::format("The calendars differ: {} has {} .. {}, {} has {} .. {}\n", sides_[0].name, old_c.periods.empty() ? "" : old_c.periods.front(),
                       old_c.periods.empty() ? "" : old_c.periods.back(), sides_[1].name, new_c.periods.empty() ? "" : new_c.periods.front(),
                       new_c.periods.empty() ? "" : new_c.periods.back());
  out += "\n";
  if (flows_.empty()) {
    out += "No payments on either side.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head{"flow", ""};
    head.insert(head.end(), periods_.begin(), periods_.end());
    head.push_back("total");
    rows.push_back(head);
    for (const auto& f : flows_) {
      for (int row = 0; row < 2 * count() - 1; ++row) {
        const bool side = row < count();
        const int k = side ? row : row - count() + 1;
        std::vector<std::string> r{row == 0 ? flow_name(f, "→") : "", side ? sides_[k].name : difference_label(k)};
        auto cell = [&](const std::string* p) {
          if (side) return amount(f, k, p, true).value_or("–");
          if (value(f, k, p) == value(f, 0, p)) return std::string("=");
          std::string d = difference(f, k, p, true);
          return d.front() == '-' ? d : "+" + d;
        };
        for (const auto& p : periods_) r.push_back(cell(&p));
        r.push_back(cell(nullptr));
        rows.push_back(std::move(r));
      }
    }
    std::vector<std::size_t> width(head.size(), 0);
    for (const auto& r : rows)
      for (std::size_t k = 0; k < r.size(); ++k) width[k] = std::max(width[k], code_points(r[k]));
    auto line = [&](const std::vector<std::string>& r) {
      std::string s;
      for (std::size_t k = 0; k < r.size(); ++k) {
        std::string pad(width[k] - code_points(r[k]), ' ');
        s += (k ? "  " : "") + (k < 2 ? r[k] + pad : pad + r[k]);
      }
      out += s.substr(0, s.find_last_not_of(' ') + 1) + "\n";
    };
    line(rows[0]);
    std::size_t all = 0;
    for (auto w : width) all += w + 2;
    out += std::string(all - 2, '-') + "\n";
    for (std::size_t i = 1; i < rows.size(); ++i) line(rows[i]);
  }
  if (versions_) {
    out += changes_.empty() ? "\nNo changes to terms, clauses or payments.\n" : fmt::format("\nChanges ({}):\n", changes_.size());
    for (const auto& c : changes_) {
      if (c.what == "added") out += fmt::format("  {} {}: added: {}\n", c.kind, c.name, c.new_text);
      else if (c.what == "removed") out += fmt::format("  {} {}: removed (was: {})\n", c.kind, c.name, c.old_text);
      else
        out += fmt::format("  {} {}: {}: {} -> {}\n", c.kind, c.name, c.what, c.old_text.empty() ? "(none)" : c.old_text,
                           c.new_text.empty() ? "(none)" : c.new_text);
    }
  }
  return terminal_text(out);  // titles, names and source text come from the contracts
}

}  // namespace

CompareCommand::CompareCommand(CLI::App& app) {
  command_ = app.add_subcommand("compare", "Two versions of a contract, or two data sets, side by side: per flow and period, and what changed");
  command_->add_option("contracts", contracts_, "OLD NEW (two versions), or one CONTRACT with --scenario");
  command_->add_option("--data,-d", data_, "data files for both sides (CSV or JSON)");
  command_->add_option("--scenario", scenarios_, "NAME=FILE[,FILE]: one data set, twice (the first is OLD, the second NEW)");
  command_->add_option("--set,-s", sets_, "override a term on both sides: TERM=VALUE");
  command_->add_option("--format,-f", format_, "text (default), json, csv or xlsx (with -o FILE)")
      ->check(CLI::IsMember({"text", "json", "csv", "xlsx"}));
  cli::add_file_format_options(command_, dialect_, output_);
}

int CompareCommand::run() const {
  if (auto why = cli::file_format_usage(format_, dialect_, output_)) return usage(*why);
  std::vector<Side> sides;
  const bool versions = scenarios_.empty();
  if (versions) {
    if (contracts_.size() != 2)
      return usage("give two versions, `utfall compare OLD NEW --data FILE...`, or one contract with two or more data sets, "
                   "`utfall compare CONTRACT --scenario NAME=FILE --scenario NAME=FILE...`");
    for (int s = 0; s < 2; ++s) sides.push_back(Side{s ? "new" : "old", contracts_[s], data_, nullptr, {}});
  } else {
    if (contracts_.size() != 1)
      return usage(fmt::format("--scenario compares data sets under one contract, but {} contracts are given; two versions are "
                               "compared without --scenario",
                               contracts_.size()));
    if (scenarios_.size() < 2 || scenarios_.size() > kMaxScenarios)
      return usage(fmt::format("give two to {} --scenario NAME=FILE[,FILE], not {}", kMaxScenarios, scenarios_.size()));
    std::set<std::string> names;
    for (const auto& spec : scenarios_) {
      auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        return usage(fmt::format("--scenario '{}': expected NAME=FILE[,FILE]", spec));
      Side side{spec.substr(0, eq), contracts_[0], data_, nullptr, {}};
      if (!names.insert(side.name).second) return usage(fmt::format("two scenarios named `{}`", side.name));
      std::string files = spec.substr(eq + 1);
      for (std::size_t start = 0, comma;; start = comma + 1) {
        comma = files.find(',', start);
        std::string one = files.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (one.empty()) return usage(fmt::format("--scenario '{}': an empty file name", spec));
        side.data.push_back(one);
        if (comma == std::string::npos) break;
      }
      sides.push_back(std::move(side));
    }
  }
  for (std::size_t s = 0; s < sides.size(); ++s) {
    if (s > 0 && !versions) sides[s].contract = sides[0].contract;  // one contract, compiled once
    if (int code = evaluate_side(sides[s], sets_)) return code;
  }
  Comparison comparison(sides, versions);
  if (format_ == "xlsx") {
    if (auto problem = cli::write_xlsx(output_, {comparison.sheet()})) return std::max(report({*problem}), cli::kOutputFailed);
    return 0;
  }
  std::string out = format_ == "json" ? comparison.json() : format_ == "csv" ? comparison.csv(*cli::csv_dialect(dialect_)) : comparison.text();
  fmt::print("{}", out);
  return 0;
}

}  // namespace utfall
