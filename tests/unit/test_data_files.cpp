// Data-file readers: CSV and JSON into raw tables of exact text, and their positioned errors.
// Every expected value here is written by hand from the input beside it.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "interpreter/data_files.hpp"
#include "interpreter/files.hpp"
#include "tests/tools/csv_both_ways.hpp"

using namespace utfall;
using namespace std::string_literals;

namespace {

Diagnostic csv_error(std::string_view text, ReadLimits limits = {}) {
  try {
    read_csv("plan.csv", text, limits);
  } catch (const DiagnosticError& e) {
    return e.diagnostic;
  }
  FAIL("read_csv accepted the text");
  return {};
}

Diagnostic json_error(std::string_view text, ReadLimits limits = {}) {
  try {
    read_json_tables("data.json", text, limits);
  } catch (const DiagnosticError& e) {
    return e.diagnostic;
  }
  FAIL("read_json_tables accepted the text");
  return {};
}

Diagnostic file_error(const std::string& path, ReadLimits limits = {}) {
  try {
    read_data_file(path, limits);
  } catch (const DiagnosticError& e) {
    return e.diagnostic;
  }
  FAIL("read_data_file accepted " << path);
  return {};
}

Table single_json(std::string_view text) {
  auto tables = read_json_tables("data.json", text);
  REQUIRE(tables.size() == 1);
  REQUIRE(tables[0].first.empty());
  return std::move(tables[0].second);
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string fixture(const char* name) { return std::string(UTFALL_SOURCE_DIR) + "/tests/data/" + name; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// CSV that reads

TEST_CASE("csv: LF lines give columns, rows and positions", "[data_files][csv]") {
  Table t = read_csv("plan.csv", "period,hemtjanst_kostnad,avropat\n2025,200000000,7000000\n2026,190000000.50,0\n");
  CHECK(t.file == "plan.csv");
  CHECK(t.name.empty());
  CHECK(t.columns == std::vector<std::string>{"period", "hemtjanst_kostnad", "avropat"});
  REQUIRE(t.rows.size() == 2);
  REQUIRE(t.rows[1].size() == 3);
  CHECK(t.rows[0][0].text == "2025");
  CHECK(t.rows[1][1].text == "190000000.50");
  CHECK(t.rows[1][2].text == "0");
  CHECK(t.rows[1][2].present);
  CHECK(t.rows[0][0].row == 1);
  CHECK(t.rows[0][0].line == 2);
  CHECK(t.rows[1][2].row == 2);
  CHECK(t.rows[1][2].line == 3);
  CHECK(t.location(1, 2).in(Language::en) == "plan.csv: row 2 (line 3), column `avropat`");
}

TEST_CASE("csv: CRLF lines leave no carriage return in any cell", "[data_files][csv]") {
  Table t = read_csv("plan.csv", "a,b\r\n1,2\r\n3,4\r\n");
  CHECK(t.columns == std::vector<std::string>{"a", "b"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][1].text == "2");
  CHECK(t.rows[1][1].text == "4");
  CHECK(t.rows[1][0].line == 3);
}

TEST_CASE("csv: a UTF-8 byte order mark is skipped", "[data_files][csv]") {
  Table t = read_csv("plan.csv", "\xEF\xBB\xBFperiod,belopp\n2025,1\n");
  CHECK(t.columns == std::vector<std::string>{"period", "belopp"});
  CHECK(t.rows.at(0).at(0).text == "2025");
}

TEST_CASE("csv: quoted fields hold separators, doubled quotes and line breaks", "[data_files][csv]") {
  Table t = read_csv("plan.csv",
                     "namn,anteckning\n"
                     "\"Malmö, Skåne\",\"sa \"\"hej\"\"\nigen\"\n"
                     "Lund,enkel\n");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][0].text == "Malmö, Skåne");
  CHECK(t.rows[0][1].text == "sa \"hej\"\nigen");
  CHECK(t.rows[0][1].line == 2);
  CHECK(t.rows[1][0].text == "Lund");
  CHECK(t.rows[1][0].row == 2);
  CHECK(t.rows[1][0].line == 4);  // the first row spans lines 2 and 3
}

TEST_CASE("csv: a header with semicolons and no comma is separated by semicolons", "[data_files][csv]") {
  Table t = read_csv("plan.csv", "period;belopp;namn\n2025;1234,50;\"a;b\"\n");
  CHECK(t.columns == std::vector<std::string>{"period", "belopp", "namn"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0][1].text == "1234,50");  // a decimal comma stays as written
  CHECK(t.rows[0][2].text == "a;b");

  SECTION("a comma in the header keeps the comma separator") {
    Table c = read_csv("plan.csv", "a,b;c\n1,2;3\n");
    CHECK(c.columns == std::vector<std::string>{"a", "b;c"});
    CHECK(c.rows.at(0).at(1).text == "2;3");
  }
  SECTION("a comma inside a quoted header name does not count") {
    Table q = read_csv("plan.csv", "\"x,y\";z\n1;2\n");
    CHECK(q.columns == std::vector<std::string>{"x,y", "z"});
  }
}

TEST_CASE("csv: values and names are trimmed, and empty fields are absent", "[data_files][csv]") {
  Table t = read_csv("plan.csv", " a , b ,c,d\n 1 , ,\"\",\" x \"\n");
  CHECK(t.columns == std::vector<std::string>{"a", "b", "c", "d"});
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0][0].text == "1");
  CHECK(t.rows[0][0].present);
  CHECK(t.rows[0][1].text.empty());
  CHECK_FALSE(t.rows[0][1].present);
  CHECK_FALSE(t.rows[0][2].present);  // "" as spreadsheets quote an empty cell
  CHECK(t.rows[0][3].text == "x");
  CHECK(t.rows[0][3].row == 1);
}

TEST_CASE("csv: blank lines are skipped and lines still counted, and a final newline is optional",
          "[data_files][csv]") {
  Table t = read_csv("plan.csv", "\na,b\n\n1,2\n   \n3,4");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][0].line == 4);
  CHECK(t.rows[1][1].text == "4");
  CHECK(t.rows[1][1].row == 2);
  CHECK(t.rows[1][1].line == 6);
}

TEST_CASE("csv: a header alone is a table with no rows", "[data_files][csv]") {
  Table t = read_csv("plan.csv", "a,b\n");
  CHECK(t.columns.size() == 2);
  CHECK(t.rows.empty());
}

// ---------------------------------------------------------------------------------------------
// CSV errors

TEST_CASE("csv: an empty file or one of blank lines has no header", "[data_files][csv][errors]") {
  Diagnostic d = csv_error("");
  CHECK(d.kind == DiagKind::data);
  CHECK(d.code == "E501");
  CHECK(d.location == "plan.csv");
  CHECK(csv_error("\xEF\xBB\xBF").code == "E501");

  Diagnostic blank = csv_error("\n  \r\n\n");
  CHECK(blank.code == "E502");
  CHECK(contains(blank.message, "no header"));
}

TEST_CASE("csv: empty and duplicate column names", "[data_files][csv][errors]") {
  Diagnostic empty = csv_error("a,,c\n1,2,3\n");
  CHECK(empty.code == "E503");
  CHECK(empty.location == "plan.csv: header (line 1), column 2");

  Diagnostic trailing = csv_error("a;b;\n1;2;\n");
  CHECK(trailing.code == "E503");
  CHECK(trailing.location == "plan.csv: header (line 1), column 3");
  CHECK(contains(trailing.suggestion, "separator at the end"));

  Diagnostic dup = csv_error("\nperiod,belopp, period\n");
  CHECK(dup.code == "E504");
  CHECK(dup.location == "plan.csv: header (line 2), column 3");
  CHECK(contains(dup.message, "`period`"));
  CHECK(contains(dup.message, "columns 1 and 3"));
}

TEST_CASE("csv: a row with more or fewer fields than the header", "[data_files][csv][errors]") {
  Diagnostic more = csv_error("a,b\n1,2\n3,4,5\n");
  CHECK(more.kind == DiagKind::data);
  CHECK(more.code == "E505");
  CHECK(more.location == "plan.csv: row 2 (line 3)");
  CHECK(contains(more.message, "row 2 has 3 fields but the header has 2 columns"));
  CHECK(contains(more.message, "`5`"));

  Diagnostic fewer = csv_error("a,b,c\n1,2\n");
  CHECK(fewer.code == "E505");
  CHECK(fewer.location == "plan.csv: row 1 (line 2)");
  CHECK(contains(fewer.message, "row 1 has 2 fields but the header has 3 columns"));
  CHECK(contains(fewer.message, "column `c`"));
}

TEST_CASE("csv: malformed quoting is placed at its row, column and line", "[data_files][csv][errors]") {
  Diagnostic inside = csv_error("a,b\n1,x\"y\n");
  CHECK(inside.code == "E506");
  CHECK(inside.location == "plan.csv: row 1 (line 2), column `b`");
  CHECK(contains(inside.message, "line 2, column 4"));
  CHECK(contains(inside.message, "unquoted field"));

  Diagnostic after = csv_error("a,b\n1,2\n\"3\"x,4\n");
  CHECK(after.code == "E506");
  CHECK(after.location == "plan.csv: row 2 (line 3), column `a`");
  CHECK(contains(after.message, "line 3, column 4"));
  CHECK(contains(after.message, "`x` after the closing quote"));

  Diagnostic open = csv_error("a,b\n1,\"open\n2,3\n");
  CHECK(open.code == "E506");
  CHECK(open.location == "plan.csv: row 1 (line 2), column `b`");
  CHECK(contains(open.message, "never closed"));

  Diagnostic header = csv_error("a,b\"c\n");
  CHECK(header.location == "plan.csv: header (line 1), column 2");
}

TEST_CASE("csv: invalid UTF-8, UTF-16 and NUL bytes", "[data_files][csv][errors]") {
  Diagnostic latin1 = csv_error("ort,antal\nMalm\xF6,1\n");
  CHECK(latin1.code == "E507");
  CHECK(latin1.location == "plan.csv: row 1 (line 2), column `ort`");
  CHECK(contains(latin1.message, "byte 0xF6 after `Malm`"));
  CHECK(contains(latin1.suggestion, "UTF-8"));

  Diagnostic overlong = csv_error("a\n\xC0\xAF\n");
  CHECK(overlong.code == "E507");
  CHECK(contains(overlong.message, "0xC0 at its start"));

  CHECK(csv_error("a,\xED\xA0\x80\n").code == "E507");  // a UTF-16 surrogate in the header

  Diagnostic utf16 = csv_error("\xFF\xFE" "a\0,\0b\0"s);
  CHECK(utf16.code == "E507");
  CHECK(contains(utf16.message, "UTF-16"));

  Diagnostic nul = csv_error("a,b\n1,2\0\n"s);
  CHECK(nul.code == "E508");
  CHECK(nul.location == "plan.csv: row 1 (line 2), column `b`");
}

// The reader looks at a text that is all ASCII without NUL eight bytes at a time, and skips the
// per-value checks then: a NUL or a byte >= 0x80 at any offset, in the eight-byte words or in
// the tail, must still reach the value's own check.
TEST_CASE("csv: a NUL or a non-ASCII byte at every offset is still found", "[data_files][csv][errors]") {
  const std::string base = "id,namn\n1,abcdefghijklmnopqrstu\n";
  const std::size_t first = base.find("abc"), last = base.size() - 1;  // the letters of row 1's `namn`
  for (std::size_t at = first; at < last; ++at) {
    INFO("offset " << at);
    std::string nul = base;
    nul[at] = '\0';
    Diagnostic d = csv_error(nul);
    CHECK(d.code == "E508");
    CHECK(d.location == "plan.csv: row 1 (line 2), column `namn`");
    std::string high = base;
    high[at] = '\xE4';  // Latin-1 `ä`, not UTF-8
    CHECK(csv_error(high).code == "E507");
    std::string utf8 = base.substr(0, at) + "\xC3\xA4" + base.substr(at + 1);  // `ä` in UTF-8: read as written
    Table t = read_csv("plan.csv", utf8);
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0][1].text == base.substr(first, at - first) + "\xC3\xA4" + base.substr(at + 1, last - at - 1));
  }
}

TEST_CASE("csv: limits on a value, the rows and the size", "[data_files][csv][errors]") {
  ReadLimits small;
  small.max_cell_bytes = 8;
  Diagnostic cell = csv_error("a,b\n1,123456789\n", small);
  CHECK(cell.kind == DiagKind::data);
  CHECK(cell.code == "E509");
  CHECK(cell.location == "plan.csv: row 1 (line 2), column `b`");
  CHECK(contains(cell.message, "9 bytes"));
  CHECK(read_csv("plan.csv", "a,b\n1,12345678\n", small).rows.at(0).at(1).text == "12345678");

  // An unclosed quote swallowing the rest of the file stops at the limit, with a hint.
  Diagnostic swallow = csv_error("a,b\n1,\"oops\n2,3\n4,5\n6,7\n", small);
  CHECK(swallow.code == "E509");
  CHECK(swallow.location == "plan.csv: row 1 (line 2), column `b`");
  CHECK(contains(swallow.message, "unclosed"));

  ReadLimits two_rows;
  two_rows.max_rows = 2;
  CHECK(read_csv("plan.csv", "a\n1\n2\n", two_rows).rows.size() == 2);
  Diagnostic rows = csv_error("a\n1\n2\n3\n", two_rows);
  CHECK(rows.kind == DiagKind::limit);
  CHECK(rows.code == "E701");

  ReadLimits tiny;
  tiny.max_bytes = 5;
  Diagnostic bytes = csv_error("a,b\n1,2\n", tiny);
  CHECK(bytes.kind == DiagKind::limit);
  CHECK(bytes.code == "E702");
}

// ---------------------------------------------------------------------------------------------
// JSON that reads

TEST_CASE("json: numbers arrive as the exact text written, exponents written out", "[data_files][json]") {
  Table t = single_json(R"([{"belopp": 4616666.685, "andel": 0.1, "stor": 12345678901234567890.123,
    "period": 2025, "neg": -42, "u64": 18446744073709551615, "huge": 123456789012345678901234567890,
    "noll": 1.50, "exp": 1e3, "liten": -0.000001}])");
  CHECK(t.columns ==
        std::vector<std::string>{"belopp", "andel", "stor", "period", "neg", "u64", "huge", "noll", "exp", "liten"});
  REQUIRE(t.rows.size() == 1);
  const auto& r = t.rows[0];
  CHECK(r[0].text == "4616666.685");
  CHECK(r[1].text == "0.1");
  CHECK(r[2].text == "12345678901234567890.123");
  CHECK(r[3].text == "2025");
  CHECK(r[4].text == "-42");
  CHECK(r[5].text == "18446744073709551615");
  CHECK(r[6].text == "123456789012345678901234567890");
  CHECK(r[7].text == "1.50");
  CHECK(r[8].text == "1000");  // 1e3: the exponent only moves the point
  CHECK(r[9].text == "-0.000001");
  for (const auto& c : r) CHECK(c.present);
}

TEST_CASE("json: a number in exponent form is written out exactly, within the value limit", "[data_files][json]") {
  // Expected texts worked out by hand: the exponent moves the decimal point, nothing else.
  Table t = single_json(R"([{"a": 25E-2, "b": -1.5e+2, "c": 1e-3, "d": 0.0e5, "e": 12.345e1, "f": 7e0, "g": -0.5e-1}])");
  REQUIRE(t.rows.size() == 1);
  std::vector<std::string> got;
  for (const auto& c : t.rows[0]) got.emplace_back(c.text);
  CHECK(got == std::vector<std::string>{"0.25", "-150", "0.001", "0", "123.45", "7", "-0.05"});

  // 1e-5000 is a JSON number (nlohmann reads it as 0), but written out it has 5001 digits,
  // more than a value may hold.
  Diagnostic tiny = json_error(R"([{"a": 1e-5000}])");
  CHECK(tiny.code == "E509");
  CHECK(tiny.location == "data.json: row 1 (line 1), column `a`");
  CHECK(contains(tiny.message, "`1e-5000`"));
  // An exponent of many digits is refused before it is multiplied out.
  Diagnostic long_exponent = json_error(R"([{"a": 1e-99999999999999999999999999}])");
  CHECK(long_exponent.code == "E509");
}

TEST_CASE("json: strings, booleans and null", "[data_files][json]") {
  Table t = single_json(R"([{"id": "  Y01 ", "stabil": true, "brott": false, "narvaro": null, "tom": ""}])");
  const auto& r = t.rows.at(0);
  CHECK(r[0].text == "Y01");
  CHECK(r[1].text == "true");
  CHECK(r[2].text == "false");
  CHECK(r[3].text.empty());
  CHECK_FALSE(r[3].present);
  CHECK_FALSE(r[4].present);
}

TEST_CASE("json: columns are the union of keys, and a missing key is an absent cell", "[data_files][json]") {
  Table t = single_json("[\n  {\"a\": 1},\n  {\"b\": 2, \"a\": 3},\n  {\"c\": 4},\n  {}\n]");
  CHECK(t.columns == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.rows.size() == 4);
  // A row holds the keys it gives, in column order; a key it lacks is missing there.
  CHECK(t.rows[0].size() == 1);
  CHECK(t.rows[1].size() == 2);
  CHECK(t.find(0, 0)->text == "1");
  CHECK(t.find(0, 1) == nullptr);
  CHECK(t.rows[0][0].row == 1);
  CHECK(t.rows[0][0].line == 2);
  CHECK(t.find(1, 0)->text == "3");
  CHECK(t.find(1, 1)->text == "2");
  CHECK(t.rows[1][1].column == 1);
  CHECK(t.find(2, 0) == nullptr);
  CHECK(t.find(2, 2)->text == "4");
  CHECK(t.find(2, 2)->line == 4);
  CHECK(t.location(2, 2).in(Language::en) == "data.json: row 3 (line 4), column `c`");
  // A row with no key keeps its line in one absent cell.
  REQUIRE(t.rows[3].size() == 1);
  CHECK_FALSE(t.rows[3][0].present);
  CHECK(t.location(3, 1).in(Language::en) == "data.json: row 4 (line 5), column `b`");
  CHECK(t.find(7, 0) == nullptr);
}

TEST_CASE("json: rows that each give another key take memory in proportion to the text", "[data_files][json]") {
  // 2000 rows of one key each, every key new: 2000 cells, not 2000 x 2000.
  std::string text = "[";
  for (int i = 0; i < 2000; ++i) text += (i ? "," : "") + std::string("{\"k") + std::to_string(i) + "\": " + std::to_string(i) + "}";
  Table t = single_json(text + "]");
  CHECK(t.columns.size() == 2000);
  std::size_t cells = 0;
  for (const auto& row : t.rows) cells += row.size();
  CHECK(cells == 2000);
  CHECK(t.find(1999, 1999)->text == "1999");
  CHECK(t.find(1999, 0) == nullptr);
}

TEST_CASE("json: a key twice in one row, or a table twice, is E504", "[data_files][json][errors]") {
  Diagnostic key = json_error("[{\"a\": 1, \"b\": 2},\n {\"b\": 3, \"a\": 4, \"b\": 5}]");
  CHECK(key.code == "E504");
  CHECK(key.location == "data.json: row 2 (line 2), column `b`");
  Diagnostic table = json_error(R"({"t": [], "u": [], "t": []})");
  CHECK(table.code == "E504");
  CHECK(table.message == "table `t` appears twice");
}

// A key is user data: every message that quotes one (a key twice, a table twice, a table's
// value of the wrong shape, a nested value) shows it as a cell is shown, escaped and cut after
// 40 code points. The key: ESC [2J (clears a terminal), BEL, a line feed, then 10 000 letters,
// read with a value limit that lets it through.
TEST_CASE("json: a key with control characters and 10 000 letters is quoted escaped and cut", "[data_files][json][errors]") {
  const std::string key = "\\u001b[2J\\u0007k\\n" + std::string(10'000, 'k');  // as written in the JSON text
  // ESC, [, 2, J, BEL, k, LF are 7 code points; 33 letters more make 40.
  const std::string shown = "\\x1b[2J\\x07k\\x0a" + std::string(33, 'k') + "\u2026";
  ReadLimits roomy;
  roomy.max_cell_bytes = 20'000;

  Diagnostic twice = json_error("[{\"" + key + "\": 1, \"" + key + "\": 2}]", roomy);
  CHECK(twice.code == "E504");
  CHECK(twice.message == "key `" + shown + "` appears twice in row 1");
  CHECK(twice.location == "data.json: row 1 (line 1), column `" + shown + "`");

  Diagnostic table = json_error("{\"" + key + "\": [], \"" + key + "\": []}", roomy);
  CHECK(table.code == "E504");
  CHECK(table.message == "table `" + shown + "` appears twice");

  Diagnostic shape = json_error("{\"" + key + "\": 5}", roomy);
  CHECK(shape.code == "E511");
  CHECK(shape.message == "expected an array of objects as the value of `" + shown + "`, found a number");
  CHECK(shape.location == "data.json, table `" + shown + "`");

  Diagnostic nested = json_error("[{\"" + key + "\": {\"x\": 1}}]", roomy);
  CHECK(nested.code == "E512");
  CHECK(nested.message == "the value of `" + shown + "` in row 1 is an object; a value must be a number, string, true, false or null");
}

TEST_CASE("json and csv: the reader's other quotes of the text are escaped and cut too", "[data_files][errors]") {
  // A number whose exponent writes it out past the value limit: its first 40 characters.
  Diagnostic number = json_error("[{\"a\": " + std::string(100, '9') + "e-5000}]");
  CHECK(number.code == "E509");
  CHECK(number.message == "the number `" + std::string(40, '9') + "\u2026` written out in full is longer than the limit of 4096 bytes for a value");
  // The token nlohmann stopped in: an unclosed string holding U+202E (which turns text around).
  Diagnostic token = json_error("[{\"a\": \"x\u202ey");
  CHECK(token.code == "E510");
  CHECK(contains(token.message, "'\"x\\u{202e}y'"));
  // The character after a closing quote: the whole code point (before: its first byte only),
  // and U+202E as an escape.
  CHECK(contains(csv_error("a,b\n\"3\"\u00e9,4\n").message, "`\u00e9` after the closing quote"));
  CHECK(contains(csv_error("a,b\n\"3\"\u202e,4\n").message, "`\\u{202e}` after the closing quote"));
}

TEST_CASE("json: an object of arrays gives one table per key, in order", "[data_files][json]") {
  auto tables = read_json_tables("data.json",
                                 "{\n"
                                 "  \"perioder\": [{\"period\": 2025, \"index\": 1.0310}],\n"
                                 "  \"deltagare\": [\n"
                                 "    {\"id\": \"Y01\"},\n"
                                 "    {\"id\": \"Y02\"}\n"
                                 "  ],\n"
                                 "  \"tom\": []\n"
                                 "}\n");
  REQUIRE(tables.size() == 3);
  CHECK(tables[0].first == "perioder");
  CHECK(tables[1].first == "deltagare");
  CHECK(tables[2].first == "tom");
  const Table& p = tables[0].second;
  CHECK(p.name == "perioder");
  CHECK(p.columns == std::vector<std::string>{"period", "index"});
  CHECK(p.rows.at(0).at(1).text == "1.0310");
  CHECK(p.rows[0][1].line == 2);
  const Table& d = tables[1].second;
  CHECK(d.rows.size() == 2);
  CHECK(d.rows[1][0].text == "Y02");
  CHECK(d.location(1, 0).in(Language::en) == "data.json, table `deltagare`: row 2 (line 5), column `id`");
  CHECK(tables[2].second.columns.empty());
  CHECK(tables[2].second.rows.empty());
}

TEST_CASE("json: an empty array is an empty table, and a BOM is skipped", "[data_files][json]") {
  Table t = single_json("\xEF\xBB\xBF[]");
  CHECK(t.columns.empty());
  CHECK(t.rows.empty());
}

// ---------------------------------------------------------------------------------------------
// JSON errors

TEST_CASE("json: a nested object or array as a value names the row and key", "[data_files][json][errors]") {
  Diagnostic obj = json_error("[{\"a\": 1},\n {\"a\": {\"x\": 1}}]");
  CHECK(obj.kind == DiagKind::data);
  CHECK(obj.code == "E512");
  CHECK(obj.location == "data.json: row 2 (line 2), column `a`");
  CHECK(contains(obj.message, "`a` in row 2 is an object"));

  Diagnostic arr = json_error(R"({"t": [{"id": "Y01", "mal": [1, 2]}]})");
  CHECK(arr.code == "E512");
  CHECK(arr.location == "data.json, table `t`: row 1 (line 1), column `mal`");
  CHECK(contains(arr.message, "is an array"));
}

TEST_CASE("json: malformed JSON is placed at its line and column", "[data_files][json][errors]") {
  Diagnostic comma = json_error("[\n  {\"a\": 1,}\n]");
  CHECK(comma.code == "E510");
  CHECK(comma.location == "data.json:2:11");
  CHECK(contains(comma.message, "malformed JSON"));

  Diagnostic unclosed = json_error("[{\"a\": 1}");
  CHECK(unclosed.code == "E510");
  CHECK(unclosed.location == "data.json:1:10");  // just past the end
  CHECK(contains(unclosed.message, "end of input"));

  // A number beyond double's range is refused by nlohmann's lexer, before it reaches us.
  Diagnostic overflow = json_error(R"([{"a": 1e400}])");
  CHECK(overflow.code == "E510");
  CHECK(overflow.message ==
        "malformed JSON: number overflow parsing '1e400' (a JSON number must fit in a double to be read; write a larger one as a string)");
  // The token is quoted by its first 40 characters only.
  Diagnostic long_number = json_error("[{\"a\": " + std::string(500, '9') + "}]");
  CHECK(long_number.code == "E510");
  CHECK(long_number.message == "malformed JSON: number overflow parsing '" + std::string(40, '9') +
                                   "…' (a JSON number must fit in a double to be read; write a larger one as a string)");

  Diagnostic literal = json_error("[{\"å\": tru}]");
  CHECK(literal.code == "E510");
  CHECK(literal.location == "data.json:1:11");  // columns count "å" once; the lexer stops at `}`
}

TEST_CASE("json: the wrong shape", "[data_files][json][errors]") {
  Diagnostic top = json_error("42");
  CHECK(top.code == "E511");
  CHECK(top.location == "data.json");
  CHECK(contains(top.message, "expected an array of objects"));
  CHECK(contains(top.message, "found a number at top level"));

  CHECK(contains(json_error("\"x\"").message, "found a string at top level"));

  Diagnostic row = json_error("[{\"a\": 1},\n 2]");
  CHECK(row.code == "E511");
  CHECK(row.location == "data.json: row 2 (line 2)");
  CHECK(contains(row.message, "row 2 is a number"));

  Diagnostic table = json_error(R"({"perioder": {"a": 1}})");
  CHECK(table.code == "E511");
  CHECK(contains(table.message, "`perioder`"));
  CHECK(contains(table.message, "found an object"));

  CHECK(json_error("[[1]]").code == "E511");
  CHECK(contains(json_error("[{\"a\": 1}] x").message, "expected end of input"));
}

TEST_CASE("json: empty text, encodings, keys and limits", "[data_files][json][errors]") {
  CHECK(json_error("").code == "E501");
  CHECK(json_error(" \n\t").code == "E501");

  Diagnostic latin1 = json_error("[{\"ort\": \"Malm\xF6\"}]");
  CHECK(latin1.code == "E507");
  CHECK(latin1.location == "data.json:1:15");

  Diagnostic nul = json_error(R"([{"a": "x\u0000y"}])");
  CHECK(nul.code == "E508");
  CHECK(nul.location == "data.json: row 1 (line 1), column `a`");

  Diagnostic dup = json_error(R"([{"a": 1, "a": 2}])");
  CHECK(dup.code == "E504");
  CHECK(contains(dup.message, "`a` appears twice in row 1"));

  CHECK(json_error(R"([{" ": 1}])").code == "E503");
  CHECK(json_error(R"({"t": [], "t": []})").code == "E504");
  CHECK(json_error(R"({"": []})").code == "E503");

  ReadLimits small;
  small.max_cell_bytes = 4;
  Diagnostic cell = json_error(R"([{"a": 12345}])", small);
  CHECK(cell.code == "E509");
  CHECK(cell.location == "data.json: row 1 (line 1), column `a`");

  ReadLimits one_row;
  one_row.max_rows = 1;
  Diagnostic rows = json_error(R"([{"a": 1}, {"a": 2}])", one_row);
  CHECK(rows.kind == DiagKind::limit);
  CHECK(rows.code == "E701");
}

// ---------------------------------------------------------------------------------------------
// Files on disk

TEST_CASE("file: a CSV file with semicolons and CRLF", "[data_files][file]") {
  auto tables = read_data_file(fixture("datafiles-plan.csv"));
  REQUIRE(tables.size() == 1);
  CHECK(tables[0].first.empty());
  const Table& t = tables[0].second;
  CHECK(t.file == fixture("datafiles-plan.csv"));
  CHECK(t.columns == std::vector<std::string>{"period", "hemtjanst_kostnad", "avropat"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1][1].text == "190000000,50");
  CHECK(t.rows[1][2].text == "7000000");
}

TEST_CASE("file: a JSON file with two tables", "[data_files][file]") {
  auto tables = read_data_file(fixture("datafiles-tables.json"));
  REQUIRE(tables.size() == 2);
  CHECK(tables[0].first == "perioder");
  CHECK(tables[0].second.rows.at(1).at(2).text == "22850000.50");
  CHECK(tables[0].second.rows.at(0).at(1).text == "1.0310");
  CHECK(tables[1].first == "deltagare");
  CHECK(tables[1].second.rows.at(0).at(1).text == "true");
  CHECK_FALSE(tables[1].second.rows.at(1).at(2).present);
}

TEST_CASE("file: missing, a directory, wrong extension, too large", "[data_files][file][errors]") {
  std::string missing = fixture("datafiles-no-such-file.csv");
  Diagnostic m = file_error(missing);
  CHECK(m.kind == DiagKind::io);
  CHECK(m.code == "E801");
  CHECK(contains(m.message, missing));
  CHECK(contains(m.message, "No such file or directory"));

  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "utfall-datafiles-test.csv";
  fs::create_directories(dir);
  Diagnostic d = file_error(dir.string());
  CHECK(d.code == "E801");
  CHECK(contains(d.message, "directory"));
  fs::remove(dir);

  Diagnostic ext = file_error("plan.xlsx");
  CHECK(ext.kind == DiagKind::data);
  CHECK(ext.code == "E513");
  CHECK(contains(ext.message, "plan.xlsx"));
  CHECK(contains(ext.message, ".csv and .json"));

  ReadLimits tiny;
  tiny.max_bytes = 10;
  Diagnostic big = file_error(fixture("datafiles-plan.csv"), tiny);
  CHECK(big.kind == DiagKind::limit);
  CHECK(big.code == "E702");
}

TEST_CASE("file: the extension's letter case does not matter", "[data_files][file]") {
  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() / "utfall-datafiles-test.CSV";
  {
    std::ofstream out(path, std::ios::binary);
    out << "a;b\n1;2\n";
  }
  auto tables = read_data_file(path.string());
  fs::remove(path);
  REQUIRE(tables.size() == 1);
  CHECK(tables[0].second.rows.at(0).at(1).text == "2");
}

// An example's data file is checked by path_inside, then read. Should a link that leads out take
// the file's place in between (a race), the read beneath the folder refuses it and reads nothing.
TEST_CASE("file: a link swapped in after path_inside looked is refused when read beneath the folder", "[data_files][file]") {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("utfall-beneath-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "project");
  auto write = [](const fs::path& p, const char* text) { std::ofstream(p, std::ios::binary) << text; };
  write(root / "secret.csv", "period,x\n2025,777777\n");
  write(root / "project" / "d.csv", "period,x\n2025,1\n");
  auto checked = path_inside((root / "project").string(), "d.csv");
  REQUIRE(std::holds_alternative<std::string>(checked));
  const std::string path = std::get<std::string>(checked);

  ReadLimits beneath;
  beneath.beneath = (root / "project").string();
  CHECK(read_data_file(path, beneath).at(0).second.rows.at(0).at(1).text == "1");  // as checked

  fs::remove(root / "project" / "d.csv");  // the swap: now a link to a file outside
  fs::create_symlink(root / "secret.csv", root / "project" / "d.csv");
  Diagnostic d = file_error(path, beneath);
  CHECK(d.code == "E801");
  CHECK(contains(d.message, "it leads through a link to outside the folder"));
  CHECK(!contains(d.message, "777777"));
  fs::remove(root / "project" / "d.csv");  // the same by a relative link up and out
  fs::create_symlink("../secret.csv", root / "project" / "d.csv");
  CHECK(file_error(path, beneath).code == "E801");
  // Without a folder the reader follows the link (what a file named on the command line gets).
  CHECK(read_data_file(path).at(0).second.rows.at(0).at(1).text == "777777");
  // Links in a circle, all inside: said as a circle, not as a way out.
  fs::remove(root / "project" / "d.csv");
  fs::create_symlink("e.csv", root / "project" / "d.csv");
  fs::create_symlink("d.csv", root / "project" / "e.csv");
  Diagnostic loop = file_error(path, beneath);
  CHECK(loop.code == "E801");
  CHECK(contains(loop.message, "its links lead round in a circle"));
  CHECK(!contains(loop.message, "outside"));
  fs::remove_all(root);
}

TEST_CASE("csv: rows past a chunk of cells keep their text and place", "[data][csv]") {
  // CellRows holds 65 536 rows a chunk: read 3 chunks and a part, every row's cells written by
  // hand from its number, and a blank line every 1 000 lines (lines are counted, rows are not).
  const std::size_t n = 3 * CellRows::kChunk + 17;
  std::string text = "id,x\n";
  std::size_t line = 1;
  std::vector<std::size_t> line_of(n);
  for (std::size_t r = 0; r < n; ++r) {
    if (r % 1000 == 999) text += "\n", ++line;
    text += "P" + std::to_string(r) + "," + std::to_string(r * 7 % 1000) + ".5\n";
    line_of[r] = ++line;
  }
  Table t = read_csv("big.csv", text);
  REQUIRE(t.rows.size() == n);
  for (std::size_t r : {std::size_t{0}, CellRows::kChunk - 1, CellRows::kChunk, 2 * CellRows::kChunk, 2 * CellRows::kChunk + 1, n - 1}) {
    INFO("row index " << r);
    const auto row = t.rows[r];
    REQUIRE(row.size() == 2);
    CHECK(row[0].text == "P" + std::to_string(r));
    CHECK(row[1].text == std::to_string(r * 7 % 1000) + ".5");
    CHECK(row[1].column == 1);
    CHECK(row[0].row == r + 1);
    CHECK(row[0].line == line_of[r]);
  }
  std::size_t seen = 0;
  for (const auto row : t.rows) seen += row.size();
  CHECK(seen == 2 * n);
  // Letting go of the chunks before a row leaves that row and the ones after it as they were.
  t.rows.release_before(2 * CellRows::kChunk + 1);
  CHECK(t.rows.size() == n);
  CHECK(t.rows[2 * CellRows::kChunk][0].text == "P" + std::to_string(2 * CellRows::kChunk));
  CHECK(t.rows[n - 1][1].text == std::to_string((n - 1) * 7 % 1000) + ".5");
  CHECK_THROWS_AS(t.rows.at(n), std::out_of_range);
  // The rows of the two chunks let go can no longer be read; the third chunk's first row can.
  CHECK_THROWS_AS(t.rows.at(0), std::out_of_range);
  CHECK_THROWS_AS(t.rows.at(2 * CellRows::kChunk - 1), std::out_of_range);
  CHECK(t.rows.at(2 * CellRows::kChunk).size() == 2);
  // A table moved away from leaves no rows behind.
  Table moved = std::move(t);
  CHECK(moved.rows.size() == n);
  CHECK(t.rows.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
}

namespace {

// A CSV text drawn to be mostly well formed, in the shapes files take: a header of 1 to 3 names,
// rows of plain, padded, empty and quoted fields (a quoted one may hold the separator, a doubled
// quote or a line break), LF or CRLF, blank lines, a byte order mark, a last line with or without
// its line feed; then, in one text of four, a byte inserted or removed anywhere.
std::string draw_csv(std::mt19937& rng) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const char delimiter = pick(4) == 0 ? ';' : ',';
  const std::string d(1, delimiter);
  const std::string fields[] = {"a", "12", "1 234,5", " x ", "\t7", "", "  ", "\"\"", "\"q" + d + "r\"", "\"say \"\"hej\"\"\"",
                                "\"two\nlines\"", "\"\r\n\"", "ö", "x y", "\xFF", std::string("n\0l", 3), "abcdefgh", "a\rb"};
  const char* const ends[] = {"\n", "\r\n", "\n", "\n"};
  const char* const blanks[] = {"\n", "  \n", "\t\r\n", " \t \n"};
  std::string text = pick(8) == 0 ? "\xEF\xBB\xBF" : "";
  const std::size_t columns = 1 + pick(3);
  for (std::size_t c = 0; c < columns; ++c) text += (c ? d : "") + (pick(6) == 0 ? " h" : "h") + std::to_string(c);
  text += ends[pick(4)];
  const std::size_t rows = pick(6);
  for (std::size_t r = 0; r < rows; ++r) {
    if (pick(5) == 0) text += blanks[pick(4)];
    // Mostly plain fields, so that most texts read: a quoted or odd one in one field of five.
    for (std::size_t c = 0; c < columns + (pick(12) == 0); ++c)
      text += (c ? d : "") + (pick(5) == 0 ? fields[pick(std::size(fields))] : fields[pick(4)]);
    text += ends[pick(4)];
  }
  if (pick(3) == 0 && !text.empty()) text.pop_back();  // no line feed at the end
  if (pick(4) == 0) {
    const char bytes[] = {'"', ',', ';', '\n', '\r', ' ', '1', '\0'};
    const std::size_t at = pick(text.size() + 1);
    if (pick(2) == 0 || at == text.size()) text.insert(at, 1, bytes[pick(std::size(bytes))]);
    else text.erase(at, 1);
  }
  return text;
}

// The lines that end in a line feed and hold no quote and no carriage return but one before
// the line feed, and are not blank: those read_csv reads by hand (outside a quoted field).
std::size_t plain_lines(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t pos = 0, end; (end = text.find('\n', pos)) != std::string_view::npos; pos = end + 1) {
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    n += line.find_first_of("\"\r") == std::string_view::npos && line.find_first_not_of(" \t") != std::string_view::npos;
  }
  return n;
}

}  // namespace

TEST_CASE("csv: a line without quotes is read by hand as libcsv reads it", "[data_files][csv]") {
  // libcsv reading every line is the model: on 20 000 drawn texts the reader that splits plain
  // lines by hand gives the same table (every cell's text, presence, column, row and line) or
  // the same message, under the default limits and under tight ones.
  std::mt19937 rng(20261203);
  std::size_t tables = 0, errors = 0, by_hand = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = draw_csv(rng);
    ReadLimits limits;
    if (i % 8 == 1) limits.max_cell_bytes = 6;
    if (i % 8 == 2) limits.max_rows = 2;
    INFO("text " << i << ": \"" << text << "\"");
    const auto both = utfall::testing::read_csv_both_ways(text, limits);
    CHECK(both.difference == "");
    if (!both.table) {
      ++errors;
      continue;
    }
    ++tables;
    by_hand += plain_lines(text) > 1;  // a data line besides the header
  }
  // The drawing reaches both outcomes, and lines read by hand, often.
  CHECK(tables > 2000);
  CHECK(errors > 2000);
  CHECK(by_hand > 1000);
}

TEST_CASE("csv: a table moved keeps the text its cells view", "[data_files][csv]") {
  // A short text lies inside a std::string itself; the table keeps it where a move leaves it.
  Table t = read_csv_keeping("a.csv", "a,b\n1,2\n");
  Table moved = std::move(t);
  std::vector<Table> many;
  many.push_back(std::move(moved));
  for (int i = 0; i < 8; ++i) many.push_back(read_csv("b.csv", "c\n3\n"));  // the vector moves its tables
  REQUIRE(many[0].rows.size() == 1);
  CHECK(many[0].rows[0][0].text == "1");
  CHECK(many[0].rows[0][1].text == "2");
  CHECK(many[8].rows[0][0].text == "3");
  CHECK(many[0].rows.whole_bytes() == 8);
}
