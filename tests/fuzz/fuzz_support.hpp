// What every fuzz target asserts about the pipeline, whatever bytes it was handed.
//
// The fuzz targets (tests/fuzz/fuzz_*.cpp) feed arbitrary text to parse, check, the data
// readers and evaluate. Besides what the sanitizers catch (crashes, overflows, leaks, undefined
// behaviour) and what libFuzzer catches (hangs, memory blow-ups), these checks turn a wrong
// answer into a crash the fuzzer keeps:
//   - no diagnostic is internal (E9xx is a bug in utfall by definition);
//   - every error says where: a source range or a data-file location;
//   - every diagnostic renders (both renderers) without throwing;
//   - a successful evaluation gives only payments exact in the currency's minor unit.
// Anything that escapes as an exception is also a finding: the pipeline's entry functions
// return diagnostics as values and must never throw.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/data.hpp"
#include "interpreter/data_files.hpp"
#include "interpreter/explain.hpp"
#include "interpreter/fast_eval.hpp"
#include "interpreter/pipeline.hpp"

namespace utfall::fuzz {

[[noreturn]] inline void finding(const std::string& what, const Diagnostics& diags = {}) {
  std::fprintf(stderr, "utfall fuzz finding: %s\n%s", what.c_str(), render_all(diags, false).c_str());
  std::abort();
}

inline void check_diagnostics(const Diagnostics& diags) {
  for (const auto& d : diags) {
    if (d.kind == DiagKind::internal || (!d.code.empty() && d.code[0] == 'E' && d.code.size() > 1 && d.code[1] == '9'))
      finding("an internal diagnostic", diags);
    if (d.severity == Severity::error && !d.range && d.location.empty()) finding("an error that does not say where", diags);
    if (d.code.empty() || d.message.empty()) finding("a diagnostic without code or message", diags);
    (void)render_short(d);
    (void)render_pretty(d);
  }
}

// Small enough that a fuzz input cannot spend seconds in one evaluation, large enough to
// reach every limit's diagnostic.
inline EvalOptions fuzz_eval_options() {
  EvalOptions options;
  options.limits.max_steps = 2'000'000;
  options.limits.max_digits = 2'000;
  return options;
}

// Reads one data file's text as the CLI would read the file `name` (the extension decides).
inline std::vector<Table> read_tables(const std::string& name, std::string_view text, Diagnostics& diags) {
  std::vector<Table> tables;
  try {
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, ".csv") == 0) {
      tables.push_back(read_csv(name, text));
    } else {
      for (auto& [key, table] : read_json_tables(name, text)) tables.push_back(std::move(table));
    }
  } catch (DiagnosticError& e) {
    diags.push_back(std::move(e.diagnostic));
  }
  return tables;
}

// Binds `tables` to `contract` and evaluates; asserts the invariants above.
// The general evaluator alone, and the fixed-point path over a batch of three copies of the
// data, give what `ev` (the fixed-point path where it takes the data) gave.
inline void same_without_fast_path(const checked::Contract& contract, const Dataset& data, const Evaluation& ev) {
  auto options = fuzz_eval_options();
  options.fast = false;
  auto general = evaluate(contract, data, options);
  if (general.ok != ev.ok) finding("the fixed-point path and the general evaluator disagree on success");
  if (general.ok && ev.ok) {
    if (general.lines.size() != ev.lines.size()) finding("the fixed-point path pays other lines");
    for (std::size_t i = 0; i < ev.lines.size() && i < general.lines.size(); ++i)
      if (general.lines[i].amount != ev.lines[i].amount) finding("the fixed-point path pays another amount");
  }
  auto lowered = fast::lower(contract);
  if (!lowered.program) return;
  const auto lines = fast::lines(contract);
  const auto columns = fast::read_columns(contract, data);
  const fast::Columns* sets[] = {&columns, &columns, &columns};
  std::vector<std::int64_t> amounts(3 * lines.size());
  std::uint8_t ok[3] = {};
  fast::ScratchPtr scratch;
  fast::run_batch(*lowered.program, sets, 3, fuzz_eval_options(), scratch, amounts.data(), ok);
  for (int i = 0; i < 3; ++i) {
    if (!ok[i]) continue;
    if (!general.ok) finding("a batch of the fixed-point path pays where the general evaluator fails");
    if (!general.ok || general.lines.size() != lines.size()) return;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      Number units = Number::from_int(amounts[static_cast<std::size_t>(i) * lines.size() + k]);
      for (int p = 0; p < fast::amount_places(*lowered.program); ++p) units = units / Number::from_int(10);
      if (units != general.lines[k].amount) finding("a batch of the fixed-point path pays another amount");
    }
  }
}

inline void bind_and_evaluate(const checked::Contract& contract, const std::vector<Table>& tables) {
  auto bound = bind_data(contract, tables);
  check_diagnostics(bound.diagnostics);
  if (!bound.data) return;
  auto ev = evaluate(contract, *bound.data, fuzz_eval_options());
  check_diagnostics(ev.diagnostics);
  same_without_fast_path(contract, *bound.data, ev);
  if (!ev.ok) {
    if (!has_errors(ev.diagnostics)) finding("a failed evaluation without an error");
    return;
  }
  for (const auto& line : ev.lines) {  // each in the minor unit of its own currency (language.md §4.1)
    const int currency = contract.line_currency(line.waterfall, line.rule_index);
    if (!line.amount.is_multiple_of(contract.currencies[currency].minor_unit))
      finding("a payment not exact in the minor unit of " + contract.currencies[currency].code + ": " + line.amount.to_string());
  }
  // Explaining changes nothing: the traced evaluation pays the same, and the statement renders.
  auto options = fuzz_eval_options();
  options.trace = true;
  options.limits.max_steps *= 4;  // the trace re-reads the values it shows
  auto traced = evaluate(contract, *bound.data, options);
  check_diagnostics(traced.diagnostics);
  if (!traced.ok) {
    if (traced.diagnostics.empty() || traced.diagnostics.front().kind != DiagKind::limit)
      finding("evaluation with a trace failed where the one without succeeded");
    return;
  }
  if (traced.lines.size() != ev.lines.size()) finding("the traced evaluation has other payments");
  for (std::size_t i = 0; i < ev.lines.size() && i < traced.lines.size(); ++i)
    if (traced.lines[i].amount != ev.lines[i].amount) finding("the traced evaluation pays another amount");
  explanation_text(contract, traced);
  explanation_json(contract, traced).dump();
}

}  // namespace utfall::fuzz
