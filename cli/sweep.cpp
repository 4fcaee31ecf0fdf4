// `utfall sweep`: the variations are expanded and their overrides checked once, then the cases
// go to interpreter/sweep.hpp, which evaluates them on all cores; printing follows case order.
#include "cli/sweep.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/csv_dialect.hpp"
#include "cli/output.hpp"
#include "cli/scan.hpp"
#include "cli/xlsx.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"
#include "interpreter/unicode.hpp"
#include "interpreter/version.hpp"

namespace utfall {
namespace {

constexpr std::size_t kMaxCases = 10'000'000;

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

// One varied term: its name and the texts of its values, as --set would take them.
struct Vary {
  std::string term;
  std::vector<std::string> values;
};

// "premieandel=20 %..40 % step 5 %" or "premieandel=20 %,25 %,30 %". A range steps exactly
// (decimal arithmetic) from FROM while not past TO; FROM, TO and STEP carry the same unit.
std::optional<Vary> parse_vary(const std::string& spec, std::string& error) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) return error = "expected TERM=FROM..TO step STEP or TERM=V1,V2,...", std::nullopt;
  Vary v{trim(spec.substr(0, eq)), {}};
  std::string rhs = spec.substr(eq + 1);
  auto dots = rhs.find("..");
  if (dots == std::string::npos) {
    std::size_t start = 0;
    for (std::size_t comma; (comma = rhs.find(',', start)) != std::string::npos; start = comma + 1) v.values.push_back(trim(rhs.substr(start, comma - start)));
    v.values.push_back(trim(rhs.substr(start)));
    for (const auto& x : v.values)
      if (x.empty()) return error = "an empty value in the list", std::nullopt;
    return v;
  }
  auto split = scan::step(rhs.substr(dots + 2));
  if (!split) return error = "a range needs a step: FROM..TO step STEP", std::nullopt;
  std::string texts[3] = {rhs.substr(0, dots), split->first, split->second};
  Number numbers[3];
  std::string unit;
  for (int i = 0; i < 3; ++i) {
    auto n = scan::number_and_unit(texts[i]);
    if (!n || !Number::parse_decimal(n->first))
      return error = fmt::format("`{}` is not a number with an optional unit", trim(texts[i])), std::nullopt;
    numbers[i] = *Number::parse_decimal(n->first);
    if (i == 0) unit = n->second;
    else if (n->second != unit) return error = fmt::format("`{}` and `{}` have different units", trim(texts[0]), trim(texts[i])), std::nullopt;
  }
  if (numbers[2].sign() <= 0) return error = "the step must be positive", std::nullopt;
  for (Number x = numbers[0]; x <= numbers[1]; x += numbers[2]) {
    if (v.values.size() == kMaxCases) return error = fmt::format("more than {} values", kMaxCases), std::nullopt;
    v.values.push_back(unit.empty() ? x.to_string() : x.to_string() + " " + unit);
  }
  if (v.values.empty()) return error = "the range is empty (FROM is past TO)", std::nullopt;
  return v;
}

}  // namespace

SweepCommand::SweepCommand(CLI::App& app) {
  command_ = app.add_subcommand("sweep", "Evaluate a contract over many term values on all cores; totals per variation");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON); none when the contract has no inputs");
  command_->add_option("--vary,-v", vary_, "vary a term or scale(INPUT): 'TERM=FROM..TO step STEP' or 'TERM=V1,V2,...'")->required();
  command_->add_option("--set,-s", sets_, "override a term in every variation: TERM=VALUE");
  command_->add_option("--threads,-j", threads_, "threads (default: all cores)");
  command_->add_option("--format,-f", format_, "table (default), csv, json or xlsx (with -o FILE)")
      ->check(CLI::IsMember({"table", "csv", "json", "xlsx"}));
  cli::add_file_format_options(command_, dialect_, output_);
}

int SweepCommand::run() const {
  if (auto why = cli::file_format_usage(format_, dialect_, output_)) return cli::usage("sweep", *why);
  auto report = [](const Diagnostics& d) {
    std::cerr << render_all(d, true);
    return exit_code_for(d);
  };
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);
  const auto& c = *compiled.contract;
  EvalOptions base;
  if (auto d = apply_overrides(c, sets_, base); !d.empty()) return std::max(report(d), 64);
  auto bound = load_data(c, data_);
  if (!bound.data) return report(bound.diagnostics);

  // Each varied value is parsed and checked once.
  std::vector<Vary> varies;
  std::vector<std::vector<EvalOptions>> parsed;  // each value's override: a number, or `unlimited`
  std::size_t total = 1;
  for (const auto& spec : vary_) {
    std::string error;
    auto v = parse_vary(spec, error);
    if (!v) {
      fmt::print(stderr, "utfall: --vary '{}': {}\n", terminal_text(spec), terminal_text(error));
      return 64;
    }
    auto& values = parsed.emplace_back();
    for (const auto& text : v->values) {
      EvalOptions one;
      if (auto d = apply_overrides(c, {v->term + "=" + text}, one); has_errors(d)) return std::max(report(d), 64);
      values.push_back(std::move(one));
    }
    total *= v->values.size();
    if (total > kMaxCases) {
      fmt::print(stderr, "utfall: more than {} variations\n", kMaxCases);
      return 64;
    }
    varies.push_back(std::move(*v));
  }

  // The cases: every combination, the first --vary slowest.
  std::vector<SweepCase> cases(total, SweepCase{&*bound.data, base});
  for (std::size_t i = 0; i < total; ++i) {
    std::size_t rest = i;
    for (std::size_t k = varies.size(); k-- > 0;) {
      const auto& one = parsed[k][rest % parsed[k].size()];
      auto& options = cases[i].options;
      for (const auto& [term, value] : one.term_overrides) options.term_overrides[term] = value, options.unlimited_terms.erase(term);
      for (int term : one.unlimited_terms) options.term_overrides.erase(term), options.unlimited_terms.insert(term);
      for (const auto& [input, factor] : one.input_scales) options.input_scales[input] = factor;
      rest /= parsed[k].size();
    }
  }
  auto results = sweep(c, cases, threads_);
  auto value_of = [&](std::size_t i, std::size_t k) {
    std::size_t rest = i;
    for (std::size_t j = varies.size(); --j > k;) rest /= varies[j].values.size();
    return varies[k].values[rest % varies[k].values.size()];
  };

  // The flows that any variation paid, in party order, one per currency.
  using FlowKey = std::tuple<int, int, int>;  // payer, payee, currency
  auto key_of = [&](const PaymentLine& l) { return FlowKey(l.payer, l.payee, c.line_currency(l.waterfall, l.rule_index)); };
  std::map<FlowKey, int> flows;
  for (const auto& r : results)
    for (const auto& l : r.lines) flows.emplace(key_of(l), 0);
  int column = 0;
  for (auto& [flow, index] : flows) index = column++;
  auto totals = [&](const Evaluation& r) {
    std::vector<Number> t(flows.size());
    for (const auto& l : r.lines) t[flows.at(key_of(l))] += l.amount;
    return t;
  };
  const bool several = c.currencies.size() > 1;
  auto flow_name = [&](const FlowKey& f) {
    return c.parties[std::get<0>(f)].id + " -> " + c.parties[std::get<1>(f)].id +
           (several ? " (" + c.currencies[std::get<2>(f)].code + ")" : "");
  };
  auto error_text = [](const Evaluation& r) {
    const auto& d = r.diagnostics.front();
    return fmt::format("error[{}]: {}", d.code, d.message);
  };

  Diagnostics worst;
  for (const auto& r : results)
    if (!r.ok && worst.empty()) worst = r.diagnostics;
  if (format_ == "json") {
    auto variations = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < results.size(); ++i) {
      nlohmann::ordered_json j;
      for (std::size_t k = 0; k < varies.size(); ++k) j["terms"][varies[k].term] = value_of(i, k);
      j["ok"] = results[i].ok;
      if (!results[i].ok) {
        j["error"] = error_text(results[i]);
      } else {
        auto t = totals(results[i]);
        j["totals"] = nlohmann::ordered_json::array();
        for (const auto& [flow, index] : flows) {
          auto [payer, payee, currency] = flow;
          j["totals"].push_back({{"from", c.parties[payer].id}, {"to", c.parties[payee].id},
                                 {"amount", format_money(c, t[index], false, currency)}, {"currency", c.currencies[currency].code}});
        }
        j["payments"] = nlohmann::ordered_json::array();
        for (const auto& l : results[i].lines) {
          const int currency = c.line_currency(l.waterfall, l.rule_index);
          j["payments"].push_back({{"period", c.periods[l.period]}, {"from", c.parties[l.payer].id}, {"to", c.parties[l.payee].id},
                                   {"amount", format_money(c, l.amount, false, currency)},
                                   {"currency", c.currencies[currency].code}, {"clause", c.clauses[l.clause].number}});
        }
      }
      variations.push_back(std::move(j));
    }
    nlohmann::ordered_json out;
    out["version"] = json_version;
    out["contract"] = c.title;
    out["variations"] = std::move(variations);
    fmt::print("{}\n", out.dump(2));
  } else {
    std::vector<std::string> header;
    for (const auto& v : varies) header.push_back(v.term);
    for (const auto& [flow, index] : flows) header.push_back(flow_name(flow));
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < results.size(); ++i) {
      auto& row = rows.emplace_back();
      for (std::size_t k = 0; k < varies.size(); ++k) row.push_back(value_of(i, k));
      if (!results[i].ok) {
        row.push_back(error_text(results[i]));
        continue;
      }
      auto t = totals(results[i]);
      for (const auto& [flow, index] : flows) row.push_back(format_money(c, t[index], format_ == "table", std::get<2>(flow)));
    }
    if (format_ == "xlsx") {
      cli::XlsxSheet sheet{"Sweep", header, {}};
      for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& cells = sheet.rows.emplace_back();
        for (std::size_t k = 0; k < varies.size(); ++k) cells.push_back(cli::xlsx_text(rows[i][k]));
        if (!results[i].ok) {
          cells.push_back(cli::xlsx_text(rows[i].back()));
          continue;
        }
        auto t = totals(results[i]);
        for (const auto& [flow, index] : flows) {
          const int currency = std::get<2>(flow);
          cells.push_back(cli::xlsx_number(format_money(c, t[index], false, currency), minor_unit_places(c, currency), c.currencies[currency].code));
        }
      }
      if (auto problem = cli::write_xlsx(output_, {sheet})) return std::max(cli::report({*problem}), cli::kOutputFailed);
    } else if (format_ == "csv") {
      // The varied values as written (`25 %`) and error texts are text; the totals numbers.
      cli::CsvWriter csv(*cli::csv_dialect(dialect_));
      csv.header(header);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        std::vector<cli::CsvCell> cells;
        for (std::size_t k = 0; k < rows[i].size(); ++k)
          cells.push_back(k < varies.size() || !results[i].ok ? cli::text_cell(rows[i][k]) : cli::number_cell(rows[i][k]));
        csv.row(cells);
      }
      cli::write_stdout(csv.text());
    } else {
      fmt::print("{}\nTotals per variation in {}\n\n", terminal_text(c.title), currency_list(c));
      std::vector<std::size_t> width(header.size());
      for (std::size_t k = 0; k < header.size(); ++k) width[k] = header[k].size();
      for (const auto& row : rows)
        for (std::size_t k = 0; k < row.size() && k < width.size(); ++k) width[k] = std::max(width[k], row[k].size());
      auto line = [&](const std::vector<std::string>& row) {
        std::string s;
        for (std::size_t k = 0; k < row.size(); ++k) {
          bool left = k < varies.size() || k >= width.size();
          std::size_t w = k < width.size() ? width[k] : 0;
          s += (k ? "  " : "") + (left ? fmt::format("{:<{}}", row[k], w) : fmt::format("{:>{}}", row[k], w));
        }
        fmt::print("{}\n", terminal_text(s.substr(0, s.find_last_not_of(' ') + 1)));
      };
      line(header);
      std::vector<std::string> rule;
      for (auto w : width) rule.push_back(std::string(w, '-'));
      line(rule);
      for (const auto& row : rows) line(row);
    }
  }
  if (!worst.empty()) return exit_code_for(worst);
  return 0;
}

}  // namespace utfall
