// CSV as the command line writes it: plain (RFC 4180, `,` and a decimal point), or for Swedish
// Excel (`--csv-dialect excel-sv`): `;` between fields, a decimal comma in numbers, and a UTF-8
// byte order mark, so that the file opens in columns with its amounts as numbers. A text cell
// that a spreadsheet would read as a number (a clause `3.10`, which must not become 3,1) is
// written `="3.10"` there, Excel's way of keeping it text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace utfall::cli {

struct CsvDialect {
  char separator = ',';
  bool decimal_comma = false;
  bool bom = false;
  bool keep_text = false;  // write number-like text as ="TEXT"
};

// "plain" or "excel-sv"; none for another name.
std::optional<CsvDialect> csv_dialect(std::string_view name);
// The names, for --help: "plain, excel-sv".
const char* csv_dialect_names();

// One cell: text as it is, or an exact decimal number ("26700000.00", "-0.5").
struct CsvCell {
  std::string text;
  bool number = false;
};
inline CsvCell text_cell(std::string s) { return {std::move(s), false}; }
inline CsvCell number_cell(std::string s) { return {std::move(s), true}; }

// Rows into one text, the header first; the BOM (where the dialect has one) before it.
class CsvWriter {
 public:
  // `starts_file`: the text begins the file, with the dialect's byte order mark if it has one;
  // false for rows written apart and appended to another writer's text.
  explicit CsvWriter(CsvDialect dialect, bool starts_file = true) : dialect_(dialect) {
    if (dialect_.bom && starts_file) text_ = "\xEF\xBB\xBF";
  }
  void row(const std::vector<CsvCell>& cells);
  void header(const std::vector<std::string>& names);
  const std::string& text() const { return text_; }
  // The text written so far into `out`, this writer going on from `out`'s former text, cleared
  // (its memory kept): rows written block after block by one writer reuse two buffers.
  void take_text(std::string& out) {
    out.swap(text_);
    text_.clear();
  }

 private:
  CsvDialect dialect_;
  std::string text_;
  std::string comma_;  // a number's text with its decimal comma, while it is written
  void append_cell(const CsvCell& c);
};

}  // namespace utfall::cli
