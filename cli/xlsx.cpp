// XLSX workbooks (xlsx.hpp) with libxlsxwriter.
#include "cli/xlsx.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/output.hpp"

#ifdef UTFALL_HAVE_XLSX
#include <xlsxwriter.h>
#endif

namespace utfall::cli {

bool xlsx_available() {
#ifdef UTFALL_HAVE_XLSX
  return true;
#else
  return false;
#endif
}

std::optional<std::string> xlsx_usage(const std::string& format, const std::string& output) {
  if (format == "xlsx" && output.empty()) return "--format xlsx writes a workbook: name it with -o FILE";
  if (format != "xlsx" && !output.empty()) return "-o FILE is for --format xlsx; redirect the other formats";
  if (format == "xlsx" && !xlsx_available())
    return "--format xlsx: this build of utfall has no XLSX support (build it with libxlsxwriter-dev installed)";
  return std::nullopt;
}

void add_file_format_options(CLI::App* command, std::string& dialect, std::string& output) {
  command->add_option("--csv-dialect", dialect, "with --format csv: plain (default) or excel-sv (`;`, decimal comma, BOM)")
      ->check(CLI::IsMember({"plain", "excel-sv"}));
  command->add_option("--output,-o", output, "with --format xlsx: the workbook to write");
}

std::optional<std::string> file_format_usage(const std::string& format, const std::string& dialect, const std::string& output) {
  if (dialect != "plain" && format != "csv") return "--csv-dialect belongs to --format csv";
  return xlsx_usage(format, output);
}

std::optional<Diagnostic> write_xlsx(const std::string& path, const std::vector<XlsxSheet>& sheets) {
#ifndef UTFALL_HAVE_XLSX
  (void)sheets;
  return cannot_write(path, "this build of utfall has no XLSX support (libxlsxwriter-dev was not installed when it was built)");
#else
  // Into a private temporary file first: the target is then replaced whole (write_file_whole).
  std::string temp = (std::filesystem::temp_directory_path() / "utfall-xlsx-XXXXXX").string();
  const int fd = mkstemp(temp.data());
  if (fd < 0) return cannot_write(path, "no temporary file");
  close(fd);
  struct Remove {
    std::string name;
    ~Remove() { std::remove(name.c_str()); }
  } remove{temp};
  lxw_workbook* book = workbook_new(temp.c_str());
  if (!book) return cannot_write(path, "the workbook could not be started");
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  std::map<std::pair<int, std::string>, lxw_format*> number_formats;  // (places, unit) -> format
  auto number_format = [&](int places, const std::string& unit) {
    auto& f = number_formats[{places, unit}];
    if (!f) {
      f = workbook_add_format(book);
      std::string code = places > 0 ? "#,##0." + std::string(static_cast<std::size_t>(places), '0') : places == 0 ? "#,##0" : "General";
      if (!unit.empty()) code += " \"" + unit + "\"";
      format_set_num_format(f, code.c_str());
    }
    return f;
  };
  for (const auto& sheet : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(book, sheet.name.c_str());
    if (!ws) {
      workbook_close(book);
      return cannot_write(path, fmt::format("the sheet `{}` could not be added", sheet.name));
    }
    for (std::size_t k = 0; k < sheet.header.size(); ++k)
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(k), sheet.header[k].c_str(), bold);
    std::vector<std::size_t> width(sheet.header.size(), 8);
    for (std::size_t k = 0; k < sheet.header.size(); ++k) width[k] = std::max(width[k], sheet.header[k].size() + 2);
    for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
      const auto row = static_cast<lxw_row_t>(r + 1);
      for (std::size_t k = 0; k < sheet.rows[r].size(); ++k) {
        const XlsxCell& cell = sheet.rows[r][k];
        const auto col = static_cast<lxw_col_t>(k);
        if (cell.number && !cell.text.empty()) {
          // The spreadsheet's number: the decimal correctly rounded to a double (strtod); the
          // exact decimal is in its own column beside it.
          worksheet_write_number(ws, row, col, std::strtod(cell.text.c_str(), nullptr), number_format(cell.places, cell.unit));
          if (k < width.size()) width[k] = std::max(width[k], cell.text.size() + cell.unit.size() + 6);
        } else if (!cell.text.empty()) {
          worksheet_write_string(ws, row, col, cell.text.c_str(), nullptr);
          if (k < width.size()) width[k] = std::max(width[k], std::min<std::size_t>(cell.text.size() + 2, 60));
        }
      }
    }
    for (std::size_t k = 0; k < width.size(); ++k)
      worksheet_set_column(ws, static_cast<lxw_col_t>(k), static_cast<lxw_col_t>(k), static_cast<double>(width[k]), nullptr);
    worksheet_freeze_panes(ws, 1, 0);
  }
  if (lxw_error e = workbook_close(book); e != LXW_NO_ERROR) return cannot_write(path, lxw_strerror(e));
  std::ifstream in(temp, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) return cannot_write(path, "the workbook could not be read back");
  return write_file_whole(path, bytes.str());
#endif
}

}  // namespace utfall::cli
