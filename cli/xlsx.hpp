// `--format xlsx -o FILE`: an Excel workbook, written with libxlsxwriter (Debian
// libxlsxwriter-dev), for an analyst who goes on in a spreadsheet.
//
// A workbook is a list of sheets; each sheet a header row and rows of cells. A number cell holds
// an exact decimal: it is written as a spreadsheet number (a binary double, for the
// spreadsheet's own sums and charts) with the currency's number format, and the exact decimal is
// kept beside it as text in its own column, so that no figure rests on the double. The file is
// written whole or not at all (a temporary file, then output.hpp's write_file_whole).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/diagnostic.hpp"

namespace utfall::cli {

struct XlsxCell {
  std::string text;   // the exact decimal for a number
  bool number = false;
  int places = -1;    // a number's display decimals (the minor unit's places); -1: as many as it has
  std::string unit;   // shown after a number: "SEK"
};

inline XlsxCell xlsx_text(std::string text) { return XlsxCell{std::move(text), false, -1, {}}; }
inline XlsxCell xlsx_number(std::string exact, int places, std::string unit) { return XlsxCell{std::move(exact), true, places, std::move(unit)}; }

struct XlsxSheet {
  std::string name;  // at most 31 characters
  std::vector<std::string> header;
  std::vector<std::vector<XlsxCell>> rows;
};

// Whether this build writes XLSX (libxlsxwriter was found when it was built).
bool xlsx_available();

// Why --format FORMAT and -o OUTPUT do not go together (xlsx needs -o; -o is for xlsx), or none.
std::optional<std::string> xlsx_usage(const std::string& format, const std::string& output);

// A command whose --format writes csv and xlsx besides its own (sweep, compare, simulate):
// registers `--csv-dialect` and `-o FILE` (the workbook) on it, and says why the three options
// given do not go together (a dialect without csv; xlsx_usage), or none.
void add_file_format_options(CLI::App* command, std::string& dialect, std::string& output);
std::optional<std::string> file_format_usage(const std::string& format, const std::string& dialect, const std::string& output);

// Writes the sheets to `path`; the diagnostic (E802) when it cannot.
std::optional<Diagnostic> write_xlsx(const std::string& path, const std::vector<XlsxSheet>& sheets);

}  // namespace utfall::cli
