// CSV dialects (csv_dialect.hpp).
#include "cli/csv_dialect.hpp"

#include <algorithm>

namespace utfall::cli {

std::optional<CsvDialect> csv_dialect(std::string_view name) {
  if (name == "plain") return CsvDialect{};
  if (name == "excel-sv") return CsvDialect{';', true, true, true};
  return std::nullopt;
}

const char* csv_dialect_names() { return "plain, excel-sv"; }

namespace {

// Whether a spreadsheet might read the text as a number or a date: digits, with `.`, `,`, `-`,
// `:` or `/` between them (`3.10`, `2027`, `1-2`).
bool number_like(std::string_view s) {
  if (s.empty()) return false;
  bool digit = false;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') digit = true;
    else if (ch != '.' && ch != ',' && ch != '-' && ch != ':' && ch != '/' && ch != '+' && ch != ' ') return false;
  }
  return digit;
}

}  // namespace

void CsvWriter::append_cell(const CsvCell& c) {
  std::string_view s = c.text;
  if (c.number && dialect_.decimal_comma) {
    if (auto dot = s.find('.'); dot != std::string_view::npos) {
      comma_ = s;
      comma_[dot] = ',';
      s = comma_;
    }
  }
  const bool keep = !c.number && dialect_.keep_text && number_like(s) && s.find_first_not_of("0123456789") != std::string_view::npos;
  if (keep) {  // ="3.10": a formula whose value is the text
    text_ += "\"=\"\"";
    for (char ch : s) ch == '"' ? text_ += "\"\"\"\"" : text_ += ch;
    text_ += "\"\"\"";
    return;
  }
  const char separator = dialect_.separator;
  if (std::none_of(s.begin(), s.end(), [&](char ch) { return ch == '"' || ch == '\r' || ch == '\n' || ch == separator; })) {
    text_ += s;
    return;
  }
  text_ += '"';
  for (char ch : s) ch == '"' ? text_ += "\"\"" : text_ += ch;
  text_ += '"';
}

void CsvWriter::row(const std::vector<CsvCell>& cells) {
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (k) text_ += dialect_.separator;
    append_cell(cells[k]);
  }
  text_ += dialect_.bom ? "\r\n" : "\n";
}

void CsvWriter::header(const std::vector<std::string>& names) {
  std::vector<CsvCell> cells;
  for (const auto& n : names) cells.push_back(text_cell(n));
  row(cells);
}

}  // namespace utfall::cli
