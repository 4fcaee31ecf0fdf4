// Reads a CSV text both ways, splitting plain lines by hand (CsvLines::plain) and with libcsv
// reading every line (CsvLines::libcsv, the model), and says where the two differ. The unit
// test of the reader and the fuzz target fuzz_data both ask it.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "interpreter/data_files.hpp"

namespace utfall::testing {

inline std::variant<Table, Diagnostic> read_csv_either(std::string_view text, const ReadLimits& limits, CsvLines lines) {
  try {
    return read_csv("plan.csv", text, limits, lines);
  } catch (const DiagnosticError& e) {
    return e.diagnostic;
  }
}

struct BothWays {
  bool table = false;      // the model read a table (else it gave a message)
  std::string difference;  // the first difference, "" when the two agree
};

// The same table (columns; every cell's text, presence, column, row and line) or the same message
// (code, location, text and suggestion).
inline BothWays read_csv_both_ways(std::string_view text, const ReadLimits& limits = {}) {
  const auto model = read_csv_either(text, limits, CsvLines::libcsv);
  const auto fast = read_csv_either(text, limits, CsvLines::plain);
  BothWays out{model.index() == 0, ""};
  if (model.index() != fast.index()) {
    out.difference = out.table ? "libcsv reads a table, by hand gives a message" : "libcsv gives a message, by hand reads a table";
    return out;
  }
  if (const auto* want = std::get_if<Diagnostic>(&model)) {
    const auto& got = std::get<Diagnostic>(fast);
    if (got.code != want->code || got.location != want->location || got.message != want->message ||
        got.suggestion != want->suggestion)
      out.difference = fmt::format("libcsv: {} {}: {} ({}); by hand: {} {}: {} ({})", want->code, want->location, want->message,
                                   want->suggestion, got.code, got.location, got.message, got.suggestion);
    return out;
  }
  const Table &want = std::get<Table>(model), &got = std::get<Table>(fast);
  if (got.columns != want.columns) return out.difference = "the columns differ", out;
  if (got.rows.size() != want.rows.size())
    return out.difference = fmt::format("libcsv reads {} rows, by hand {}", want.rows.size(), got.rows.size()), out;
  for (std::size_t r = 0; r < want.rows.size(); ++r) {
    const auto a = got.rows[r], b = want.rows[r];
    if (a.size() != b.size()) return out.difference = fmt::format("row {}: {} cells by libcsv, {} by hand", r + 1, b.size(), a.size()), out;
    for (std::size_t c = 0; c < a.size(); ++c)
      if (a[c].text != b[c].text || a[c].present != b[c].present || a[c].column != b[c].column || a[c].row != b[c].row ||
          a[c].line != b[c].line)
        return out.difference = fmt::format("row {}, cell {}: libcsv `{}` (column {}, row {}, line {}, {}), by hand `{}` "
                                            "(column {}, row {}, line {}, {})",
                                            r + 1, c + 1, b[c].text, b[c].column, b[c].row, b[c].line,
                                            b[c].present ? "present" : "absent", a[c].text, a[c].column, a[c].row, a[c].line,
                                            a[c].present ? "present" : "absent"),
               out;
  }
  return out;
}

}  // namespace utfall::testing
