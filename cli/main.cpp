// utfall: the command line, one host of the library among others.
//
//   utfall eval 'EXPRESSION'                      evaluate one expression, print value and unit
//   utfall check CONTRACT...                      parse and check, print diagnostics
//   utfall run CONTRACT --data FILE... [--set TERM=VALUE]... [--format table|json|csv] [-o FILE]
//   utfall explain CONTRACT --data FILE... [--period P] [--payment A->B] [--format text|json]
//   utfall test CONTRACT...                       run the examples written in the contracts
//   utfall repl [CONTRACT] [--data FILE...]       an interactive session (see cli/repl.hpp)
//   utfall sweep, compare, returns, bounds, solve cli/sweep.hpp, compare.hpp, returns.hpp, bounds.hpp, solve.hpp
//   utfall simulate                               cli/simulate.hpp
//   utfall report                                 cli/report.hpp
//   utfall doc                                    cli/doc.hpp
//   utfall fmt [--check|--write] CONTRACT...      the canonical layout (cli/fmt.hpp)
//   utfall lsp                                    a language server for editors (cli/lsp.hpp)
//   utfall export --indigo CONTRACT --data FILE... the INDIGO impact bond data standard (cli/export.hpp)
//
// Exit codes (docs/cli.md): 0 success, 1 a test failed, 2 the contract is wrong (syntax, names,
// types, structure), 3 a data file is wrong or unreadable, 4 evaluation failed on the data,
// 5 a limit was reached, 64 wrong command-line usage, 70 an internal error (a bug), 74 the output
// cannot be written (cli/output.hpp).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <system_error>
#include <nlohmann/json.hpp>

#include "interpreter/explain.hpp"
#include "cli/output.hpp"
#include "interpreter/examples.hpp"
#include "interpreter/pipeline.hpp"
#include "cli/schedule.hpp"
#include "cli/repl.hpp"
#include "cli/sweep.hpp"
#include "cli/bounds.hpp"
#include "cli/compare.hpp"
#include "cli/returns.hpp"
#include "cli/csv_dialect.hpp"
#include "cli/run_workbook.hpp"
#include "cli/xlsx.hpp"
#include "cli/simulate.hpp"
#include "cli/solve.hpp"
#include "cli/report.hpp"
#include "cli/doc.hpp"
#include "cli/fmt.hpp"
#include "cli/lsp.hpp"
#include "cli/export.hpp"
#include "interpreter/unicode.hpp"
#include "interpreter/version.hpp"

namespace {

using namespace utfall;


// Prints diagnostics to stderr; returns the exit code they call for (0 for warnings only).
int report(const Diagnostics& diags, const Wording& say = {}) {
  std::cerr << render_all(diags, true, say.words);
  return exit_code_for(diags);
}

// `--lang en|sv` and `--locale en|sv` (the words, and how numbers are written; the locale
// follows the language unless it is given).
struct WordingOptions {
  std::string lang = "en", locale;
  void add(CLI::App* command) {
    command->add_option("--lang", lang, "en (default) or sv: headings, labels and messages in English or Swedish")
        ->check(CLI::IsMember({"en", "sv"}));
    command->add_option("--locale", locale, "en or sv: numbers as 26,700,000.00 or 26 700 000,00 (default: as --lang)")
        ->check(CLI::IsMember({"en", "sv"}));
  }
  Wording wording() const {
    Language words = *language_named(lang);
    return Wording{words, locale.empty() ? words : *language_named(locale)};
  }
};

std::string money(const checked::Contract& c, const Number& n, int currency) { return format_money(c, n, false, currency); }

nlohmann::ordered_json payments_json(const checked::Contract& c, const Evaluation& ev, const Dataset& data) {
  nlohmann::ordered_json j;
  j["version"] = json_version;
  j["contract"] = c.title;
  j["currency"] = c.currency;
  j["periods"] = c.periods;
  auto payments = nlohmann::ordered_json::array();
  std::map<std::tuple<int, int, int>, Number> totals;  // payer, payee, currency
  for (const auto& l : ev.lines) {
    const int currency = c.line_currency(l.waterfall, l.rule_index);
    nlohmann::ordered_json p;
    p["period"] = c.periods[l.period];
    p["from"] = c.parties[l.payer].id;
    p["to"] = c.parties[l.payee].id;
    p["amount"] = money(c, l.amount, currency);
    p["currency"] = c.currencies[currency].code;
    p["clause"] = c.clauses[l.clause].number;
    p["clause_title"] = c.clauses[l.clause].title;
    p["rule"] = l.rule;
    payments.push_back(std::move(p));
    totals[{l.payer, l.payee, currency}] += l.amount;
  }
  j["payments"] = std::move(payments);
  auto tj = nlohmann::ordered_json::array();
  for (const auto& [k, v] : totals) {
    auto [payer, payee, currency] = k;
    tj.push_back({{"from", c.parties[payer].id}, {"to", c.parties[payee].id}, {"amount", money(c, v, currency)},
                  {"currency", c.currencies[currency].code}});
  }
  j["totals"] = std::move(tj);
  // The records an `at most N per KEY` payment did not pay (docs/language.md §16.6), where
  // the contract has such a payment.
  if (std::any_of(c.payments.begin(), c.payments.end(), [](const checked::Payment& p) { return p.at_most > 0; })) {
    auto np = nlohmann::ordered_json::array();
    for (const auto& x : ev.not_paid) {
      const auto& pay = c.payments[x.payment];
      nlohmann::ordered_json r;
      r["period"] = c.periods[x.period];
      r["from"] = c.parties[pay.payer].id;
      r["to"] = c.parties[pay.payee].id;
      r["clause"] = c.clauses[pay.clause].number;
      r["rule"] = pay.name;
      r["records"] = c.inputs[pay.set].name;
      r["record"] = x.record + 1;
      if (static_cast<std::size_t>(pay.set) < data.sources.size() && static_cast<std::size_t>(x.record) < data.sources[pay.set].rows.size()) {
        r["file"] = data.sources[pay.set].file;
        r["row"] = data.sources[pay.set].rows[x.record].row;
        r["line"] = data.sources[pay.set].rows[x.record].line;
      }
      np.push_back(std::move(r));
    }
    j["not_paid"] = std::move(np);
  }
  return j;
}

std::string csv_text(const checked::Contract& c, const Evaluation& ev, const cli::CsvDialect& dialect) {
  // A currency column only when there are several: a contract in one currency keeps its columns.
  const bool several = c.currencies.size() > 1;
  cli::CsvWriter csv(dialect);
  if (several) csv.header({"period", "from", "to", "amount", "currency", "clause", "rule"});
  else csv.header({"period", "from", "to", "amount", "clause", "rule"});
  for (const auto& l : ev.lines) {
    const int currency = c.line_currency(l.waterfall, l.rule_index);
    std::vector<cli::CsvCell> row = {cli::text_cell(c.periods[l.period]), cli::text_cell(c.parties[l.payer].id),
                                     cli::text_cell(c.parties[l.payee].id), cli::number_cell(money(c, l.amount, currency))};
    if (several) row.push_back(cli::text_cell(c.currencies[currency].code));
    row.push_back(cli::text_cell(c.clauses[l.clause].number));
    row.push_back(cli::text_cell(l.rule));
    csv.row(row);
  }
  return csv.text();
}

int cmd_eval(const std::string& text, const Wording& say) {
  auto source = std::make_shared<Source>(Source{"<expression>", text});
  auto parsed = parse_expression_either(source);  // no contract says the set: the expression's first word does
  if (!parsed.expr) return report(parsed.diagnostics, say);
  auto checked = check_expression(*parsed.expr, nullptr);
  if (!checked.expr) return report(checked.diagnostics, say);
  checked::Contract empty;
  auto value = evaluate_expression(empty, Dataset{}, *checked.expr, -1);
  if (!value.value) return report(value.diagnostics, say);
  fmt::print("{}\n", format_value(empty, *value.value, checked.expr->type));
  return 0;
}

int cmd_check(const std::vector<std::string>& files, const Wording& say) {
  int code = 0;
  for (const auto& f : files) {
    auto compiled = compile_file(f);
    if (compiled.contract) {  // the examples' data files stay in the contract's folder; none is read
      auto outside = example_data_diagnostics(*compiled.contract, std::filesystem::path(f).parent_path().string());
      compiled.diagnostics.insert(compiled.diagnostics.end(), outside.begin(), outside.end());
    }
    int c = report(compiled.diagnostics, say);
    if (c == 0) {
      const auto& k = *compiled.contract;
      fmt::print("{}\n", say("{}: ok ({} periods, {} parties, {} inputs, {} terms, {} payments, {} waterfalls)", terminal_text(f),
                            k.periods.size(), k.parties.size(), k.inputs.size(), k.terms.size(), k.payments.size(),
                            k.waterfalls.size()));
    }
    code = std::max(code, c);
  }
  return code;
}

// `--stats` (hidden, for tests that bound work): how the evaluation went, on standard error.
void print_stats(const Evaluation& ev) {
  fmt::print(stderr, "utfall: stats: {} steps{}{}{}\n", ev.steps, ev.fast ? " (fixed-point path)" : "",
             ev.lane_records ? fmt::format(", {} participant records on lanes", ev.lane_records) : "",
             ev.lane_loops ? fmt::format(", {} loops lowered to lanes", ev.lane_loops) : "");
}

// Compiles the contract and loads its data, printing diagnostics; the exit code when that fails.
struct Loaded {
  std::shared_ptr<const checked::Contract> contract;
  std::optional<Dataset> data;
  EvalOptions options;
  int code = 0;
};
Loaded load(const std::string& file, const std::vector<std::string>& data, const std::vector<std::string>& sets,
            const Wording& say) {
  Loaded out;
  auto compiled = compile_file(file);
  if (!compiled.contract) {
    out.code = report(compiled.diagnostics, say);
    return out;
  }
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics, say);  // warnings
  out.contract = compiled.contract;
  if (auto d = apply_overrides(*out.contract, sets, out.options); !d.empty()) {
    out.code = std::max(report(d, say), 64);
    return out;
  }
  auto bound = load_data(*out.contract, data);
  if (!bound.data) {
    out.code = report(bound.diagnostics, say);
    return out;
  }
  out.data = std::move(*bound.data);
  return out;
}

int cmd_run(const std::string& file, const std::vector<std::string>& data, const std::vector<std::string>& sets,
            const std::string& format, const std::string& dialect_name, const std::string& output, bool stats,
            const Wording& say) {
  auto loaded = load(file, data, sets, say);
  if (!loaded.contract || !loaded.data) return loaded.code;
  const auto& contract = *loaded.contract;
  loaded.options.lower = false;  // one evaluation: lowering to the fixed-point program would cost more than it saves
  auto ev = evaluate(contract, *loaded.data, loaded.options);
  if (stats) print_stats(ev);
  if (!ev.ok) return report(ev.diagnostics, say);
  if (format == "xlsx") {
    if (auto problem = cli::write_xlsx(output, cli::run_workbook(contract, ev, *loaded.data, loaded.options))) {
      report({*problem}, say);
      return cli::kOutputFailed;
    }
    return 0;
  }
  std::string text = format == "json" ? payments_json(contract, ev, *loaded.data).dump(2) + "\n"
                     : format == "csv"  ? csv_text(contract, ev, *cli::csv_dialect(dialect_name))
                                        : schedule_table(contract, ev, &*loaded.data, say);
  if (output.empty()) {
    cli::write_stdout(text);
    return 0;
  }
  if (auto problem = cli::write_file_whole(output, text)) {  // an old file is untouched
    report({*problem}, say);
    return cli::kOutputFailed;
  }
  return 0;
}

int cmd_explain(const std::string& file, const std::vector<std::string>& data, const std::vector<std::string>& sets,
                const std::string& period, const std::string& payment, const std::string& format, bool stats,
                const Wording& say) {
  auto loaded = load(file, data, sets, say);
  if (!loaded.contract || !loaded.data) return loaded.code;
  const auto& c = *loaded.contract;
  ExplainFilter filter;
  if (!period.empty()) {
    filter.period = c.period_index(period);
    if (!filter.period) {
      fmt::print(stderr, "utfall explain: --period {} is not a period of the contract ({} .. {})\n", terminal_text(period),
                 c.periods.empty() ? "" : c.periods.front(), c.periods.empty() ? "" : c.periods.back());
      return 64;
    }
  }
  if (!payment.empty()) {
    if (auto error = filter.set_payment(c, payment)) {
      fmt::print(stderr, "utfall explain: --payment: {}\n", terminal_text(*error));
      return 64;
    }
  }
  loaded.options.trace = true;
  if (filter.period) loaded.options.trace_period = *filter.period;
  auto ev = evaluate(c, *loaded.data, loaded.options);
  if (stats) print_stats(ev);
  if (!ev.ok) return report(ev.diagnostics, say);
  std::string text = format == "json" ? explanation_json(c, ev, filter, say).dump(2) + "\n" : explanation_text(c, ev, filter, say);
  cli::write_stdout(text);
  return 0;
}

// Runs every example of every contract; prints each expectation's outcome and the tally.
// File and example names, clause titles: text from the user, printed through terminal_text.
int cmd_test(const std::vector<std::string>& files, const Wording& say) {
  int passed = 0, failed = 0, broken = 0;
  for (const auto& file : files) {
    const std::string shown = terminal_text(file);
    auto compiled = compile_file(file);
    if (!compiled.contract) {
      report(compiled.diagnostics, say);
      ++broken;
      continue;
    }
    const auto& c = *compiled.contract;
    auto dir = std::filesystem::path(file).parent_path().string();
    if (c.examples.empty()) fmt::print("{}\n", say("{}: no examples", shown));
    for (const auto& ex : c.examples) {
      auto bound = load_example_data(c, ex, dir);
      EvalOptions options;
      Diagnostics problems = bound.diagnostics;
      for (const auto& [term, expr] : ex.overrides) {
        auto v = evaluate_expression(c, Dataset{}, *expr, -1);
        if (v.value) options.term_overrides[term] = *v.value;
        problems.insert(problems.end(), v.diagnostics.begin(), v.diagnostics.end());
      }
      for (int term : ex.unlimited) options.unlimited_terms.insert(term);
      std::optional<Evaluation> ev;
      if (bound.data && !has_errors(problems)) {
        ev = evaluate(c, *bound.data, options);
        problems.insert(problems.end(), ev->diagnostics.begin(), ev->diagnostics.end());
      }
      if (has_errors(problems)) {
        fmt::print("{}\n", say("FAIL {} example \"{}\": it does not evaluate", shown, terminal_text(ex.name)));
        report(problems, say);
        failed += static_cast<int>(std::max<std::size_t>(ex.expectations.size(), 1));
        continue;
      }
      // A number in the reader's style; a text or a date as it is.
      auto value = [&](const checked::Value& v, const Type& type) {
        std::string shown = terminal_text(shown_value(c, v, type));
        return type.kind == TypeKind::number ? say.number(shown) : shown;
      };
      for (const auto& x : ex.expectations) {
        auto o = judge_expectation(c, *bound.data, options, *ev, x);
        if (o.passed) {
          ++passed;
          fmt::print("{}\n", say("pass {} \"{}\": {} = {}", terminal_text(std::filesystem::path(file).filename().string()),
                                terminal_text(ex.name), terminal_text(o.what.in(say.words)), value(*o.actual, x.type)));
          continue;
        }
        ++failed;
        std::string where = o.clauses.empty() ? (x.kind == checked::Expectation::Kind::value ? say("outside clauses") : say("no payment"))
                                              : say("clause {}", fmt::format("{}", fmt::join(o.clauses, ", ")));
        if (!o.actual || !o.expected) {
          fmt::print("{}\n", say("FAIL {} \"{}\": {}: it cannot be evaluated ({})", shown, terminal_text(ex.name),
                                terminal_text(o.what.in(say.words)), terminal_text(where)));
          report(o.diagnostics, say);
        } else {
          auto* w = std::get_if<Number>(&*o.expected);
          auto* g = std::get_if<Number>(&*o.actual);
          std::string expected = value(*o.expected, x.type), got = value(*o.actual, x.type);
          fmt::print("{}\n", w && g ? say("FAIL {} \"{}\": {}: expected {}, got {} (difference {}; {})", shown, terminal_text(ex.name),
                                         terminal_text(o.what.in(say.words)), expected, got, Figure{(*g - *w).to_string()}, terminal_text(where))
                                   : say("FAIL {} \"{}\": {}: expected {}, got {} ({})", shown, terminal_text(ex.name),
                                         terminal_text(o.what.in(say.words)), expected, got, terminal_text(where)));
        }
        if (x.range.source) fmt::print("     {}\n", say("at {}:{}", terminal_text(x.range.source->name), x.range.begin.line));
      }
    }
  }
  fmt::print("{}\n", say("{} passed, {} failed", passed, failed + broken));
  return failed + broken > 0 ? 1 : 0;
}

int internal_error(const std::exception& e) {
  fmt::print(stderr, "utfall: internal error: {}\n(this is a bug in utfall; please report it with the input)\n",
             terminal_text(e.what()));
  return 70;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"utfall: the terms of social outcome contracts, evaluated exactly"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("utfall {}", version_text));

  std::string expression;
  WordingOptions wording;  // one command runs: its --lang and --locale
  auto* eval = app.add_subcommand("eval", "Evaluate one expression and print its value with its unit");
  eval->add_option("expression", expression, "e.g. '(200_000_000 SEK - 170_000_000 SEK) * 30 %'")->required();
  wording.add(eval);

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "Parse and check contracts; print diagnostics");
  check->add_option("contracts", check_files, "contract files (.utfall)")->required()->check(CLI::ExistingFile);
  wording.add(check);

  std::string run_file, format = "table", output;
  std::vector<std::string> data, sets;
  auto* run = app.add_subcommand("run", "Evaluate a contract against data and print the payment schedule");
  run->add_option("contract", run_file, "the contract file (.utfall)")->required();
  run->add_option("--data,-d", data, "data files (CSV or JSON); none when the contract has no inputs");
  run->add_option("--set,-s", sets, "override a term: TERM=VALUE, e.g. --set 'premieandel=25 %'");
  run->add_option("--format,-f", format, "table (default), json, csv or xlsx (with -o FILE)")
      ->check(CLI::IsMember({"table", "json", "csv", "xlsx"}));
  run->add_option("--output,-o", output, "write the schedule to FILE (whole or not at all) instead of stdout");
  std::string dialect = "plain";
  run->add_option("--csv-dialect", dialect, "with --format csv: plain (default) or excel-sv (`;`, decimal comma, BOM: opens in Swedish Excel)")
      ->check(CLI::IsMember({"plain", "excel-sv"}));
  bool stats = false;
  run->add_flag("--stats", stats)->group("");  // hidden: the evaluation's steps, for tests
  wording.add(run);

  std::string explain_file, explain_period, explain_payment, explain_format = "text";
  std::vector<std::string> explain_data, explain_sets;
  auto* explain = app.add_subcommand("explain", "Explain each payment: clause, values used, roundings, netting, caps");
  explain->add_option("contract", explain_file, "the contract file (.utfall)")->required();
  explain->add_option("--data,-d", explain_data, "data files (CSV or JSON); none when the contract has no inputs");
  explain->add_option("--set,-s", explain_sets, "override a term: TERM=VALUE");
  explain->add_option("--period,-p", explain_period, "only payments in this period, e.g. 2027");
  explain->add_option("--payment", explain_payment, "only payments PAYER->PAYEE, e.g. kommun->utfallsfonden");
  explain->add_option("--format,-f", explain_format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  explain->add_flag("--stats", stats)->group("");
  wording.add(explain);

  ReplOptions repl_options;
  auto* repl = app.add_subcommand("repl", "An interactive session: evaluate expressions, redefine terms, override data");
  repl->add_option("contract", repl_options.contract, "a contract file to start from (.utfall)");
  repl->add_option("--data,-d", repl_options.data, "data files (CSV or JSON)");
  repl->add_option("--history", repl_options.history, "history file (default ~/.utfall_history; - for none)");
  wording.add(repl);

  std::vector<std::string> test_files;
  auto* test = app.add_subcommand("test", "Run the examples in contracts; print each result and a tally");
  test->add_option("contracts", test_files, "contract files (.utfall)")->required();
  wording.add(test);

  SweepCommand sweep(app);
  CompareCommand compare(app);
  ReturnsCommand returns(app);
  BoundsCommand bounds(app);
  SolveCommand solve(app);
  SimulateCommand simulate(app);
  ReportCommand report_command(app);
  DocCommand doc_command(app);
  FmtCommand fmt_command(app);
  LspCommand lsp_command(app);
  ExportCommand export_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // --help and --version print here
    return cli::finish_output(code == 0 ? 0 : 64);
  }
  int code = 64;
  const Wording say = wording.wording();
  repl_options.wording = say;
  try {
    if (*eval) code = cmd_eval(expression, say);
    else if (*check) code = cmd_check(check_files, say);
    else if (*run && dialect != "plain" && format != "csv") code = cli::usage("run", "--csv-dialect belongs to --format csv");
    else if (*run && format == "xlsx" && cli::xlsx_usage(format, output)) code = cli::usage("run", *cli::xlsx_usage(format, output));
    else if (*run) code = cmd_run(run_file, data, sets, format, dialect, output, stats, say);
    else if (*test) code = cmd_test(test_files, say);
    else if (*repl) code = run_repl(repl_options);
    else if (sweep.selected()) code = sweep.run();
    else if (compare.selected()) code = compare.run();
    else if (returns.selected()) code = returns.run();
    else if (bounds.selected()) code = bounds.run();
    else if (solve.selected()) code = solve.run();
    else if (simulate.selected()) code = simulate.run();
    else if (report_command.selected()) code = report_command.run();
    else if (doc_command.selected()) code = doc_command.run();
    else if (fmt_command.selected()) code = fmt_command.run();
    else if (lsp_command.selected()) code = lsp_command.run();
    else if (export_command.selected()) code = export_command.run();
    else if (*explain) code = cmd_explain(explain_file, explain_data, explain_sets, explain_period, explain_payment, explain_format,
                                         stats, say);
  } catch (const std::system_error& e) {
    // fmt::print and write_stdout throw this when the standard output fails a write.
    if (cli::streams_failed()) return cli::output_failed(e.code().value());
    return internal_error(e);
  } catch (const std::exception& e) {
    return internal_error(e);
  }
  return cli::finish_output(code);
}
