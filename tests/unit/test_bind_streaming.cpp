// A participant CSV file bound while it is read (DataBinder::first_table) against the same text
// read whole and then bound (bind_data): the Dataset and the diagnostics must be the same, value
// for value and word for word, over files of several chunks of rows (CellRows::kChunk), with
// errors in the first and in later chunks, a decimal mark first shown late (the rows before it
// wait), a header that cannot be bound, a series file first, and a read error after rows were
// bound. The two paths share the reader and the value parser; what differs, and is checked, is
// the order and the chunks in which rows are bound and let go.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "interpreter/data.hpp"
#include "interpreter/data_files.hpp"
#include "tests/tools/compiled.hpp"
#include "tests/tools/splitmix.hpp"

using namespace utfall;

namespace {

const char* const kContract = R"(contract "t"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2027
input deltagare : participants {
  id : text
  start : period
  klar : boolean
  poang : number at least 0
  andel : percent
}
input kostnad : SEK per period
clause "1" {
  pay kommun -> fonden for each u in deltagare where u.klar amount 10 SEK * u.poang
}
)";

std::shared_ptr<const checked::Contract> contract() {
  static const auto c = test_support::compiled_text(kContract);
  return c;
}

struct Bound {
  BindResult result;
  std::size_t streamed = 0;  // rows the first table had read when rows_read was last told
};

Bound whole(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<Table> tables;
  for (const auto& [name, text] : files) tables.push_back(read_csv(name, text));
  return {bind_data(*contract(), std::move(tables)), 0};
}

Bound streamed(const std::vector<std::pair<std::string, std::string>>& files) {
  DataBinder binder(*contract());
  std::vector<Table> tables;
  std::size_t told = 0;
  for (const auto& [name, text] : files) {
    RowsRead tell;
    if (tables.empty()) {
      RowsRead first = binder.first_table();
      tell = [&, first](Table& t, std::size_t expected) {
        told = t.rows.size();
        first(t, expected);
      };
    }
    tables.push_back(read_csv_keeping(name, text, {}, CsvLines::plain, tell));
  }
  return {binder.bind(std::move(tables)), told};
}

void require_same(const Bound& a, const Bound& b) {
  REQUIRE(a.result.diagnostics.size() == b.result.diagnostics.size());
  for (std::size_t i = 0; i < a.result.diagnostics.size(); ++i) {
    INFO("diagnostic " << i << ": " << a.result.diagnostics[i].message << " at " << a.result.diagnostics[i].location);
    REQUIRE(a.result.diagnostics[i].code == b.result.diagnostics[i].code);
    REQUIRE(a.result.diagnostics[i].message == b.result.diagnostics[i].message);
    REQUIRE(a.result.diagnostics[i].location == b.result.diagnostics[i].location);
    REQUIRE(a.result.diagnostics[i].not_kept == b.result.diagnostics[i].not_kept);
  }
  REQUIRE(a.result.data.has_value() == b.result.data.has_value());
  if (!a.result.data) return;
  const Dataset &x = *a.result.data, &y = *b.result.data;
  REQUIRE(x.series == y.series);
  REQUIRE(x.participants.size() == y.participants.size());
  for (std::size_t i = 0; i < x.participants.size(); ++i) {
    REQUIRE(x.participants[i].size() == y.participants[i].size());
    std::size_t differ = 0;  // records, then source rows, that differ (one assertion each, not one per record)
    for (std::size_t r = 0; r < x.participants[i].size(); ++r) {
      const auto p = x.participants[i][r], q = y.participants[i][r];
      bool same = p.size() == q.size();
      for (std::size_t f = 0; same && f < p.size(); ++f) same = p[f] == q[f];
      differ += !same;
    }
    REQUIRE(differ == 0);
    REQUIRE(x.sources[i].file == y.sources[i].file);
    REQUIRE(x.sources[i].columns == y.sources[i].columns);
    REQUIRE(x.sources[i].rows.size() == y.sources[i].rows.size());
    for (std::size_t r = 0; r < x.sources[i].rows.size(); ++r)
      differ += x.sources[i].rows[r].row != y.sources[i].rows[r].row || x.sources[i].rows[r].line != y.sources[i].rows[r].line;
    REQUIRE(differ == 0);
  }
}

// `rows` participants as CSV (header first). `poang(r)` writes row r's number; a blank line
// every so often, which is no row.
template <typename Poang>
std::string participants(std::size_t rows, Poang&& poang, const char* separator = ",") {
  test_support::Random rng{rows};
  std::string s = fmt::format("id{0}start{0}klar{0}poang{0}andel\n", separator);
  for (std::size_t r = 0; r < rows; ++r) {
    if (r % 40'000 == 7) s += "\n";
    s += fmt::format("P{1}{0}{2}{0}{3}{0}{4}{0}{5}\n", separator, r, 2025 + rng.range(0, 2), rng.next() % 2 ? "ja" : "nej", poang(r),
                     rng.range(0, 100));
  }
  return s;
}

const std::string kSeries = "period,kostnad\n2025,100\n2026,200\n2027,300\n";
constexpr std::size_t kRows = 2 * CellRows::kChunk + 12'345;  // three chunks and some

}  // namespace

TEST_CASE("binding while reading: a clean file of three chunks gives the Dataset of binding it whole", "[bind][stream]") {
  const auto csv = participants(kRows, [](std::size_t r) { return fmt::format("{}.{}", r % 97, r % 10); });
  auto a = whole({{"deltagare.csv", csv}, {"serie.csv", kSeries}}), b = streamed({{"deltagare.csv", csv}, {"serie.csv", kSeries}});
  REQUIRE(a.result.data);
  REQUIRE(a.result.data->participants[0].size() == kRows);  // counted here: every row is a record
  require_same(a, b);
  REQUIRE(b.streamed >= 2 * CellRows::kChunk);  // the binder was told of the rows as they came
}

TEST_CASE("binding while reading: errors in the first and later chunks are the same errors in the same order", "[bind][stream]") {
  const auto csv = participants(kRows, [](std::size_t r) {
    if (r == 5 || r == CellRows::kChunk + 3) return std::string("-1");          // below its least value (E532)
    if (r == 2 * CellRows::kChunk + 100) return std::string("tolv");            // not a number (E528)
    return fmt::format("{}", r % 50);
  });
  auto a = whole({{"deltagare.csv", csv}, {"serie.csv", kSeries}}), b = streamed({{"deltagare.csv", csv}, {"serie.csv", kSeries}});
  REQUIRE(a.result.diagnostics.size() == 3);
  REQUIRE(a.result.diagnostics[0].code == "E532");
  REQUIRE(a.result.diagnostics[2].code == "E528");
  require_same(a, b);
}

TEST_CASE("binding while reading: rows wait for a decimal mark shown late, then read by it", "[bind][stream]") {
  // Semicolons and decimal commas, as Swedish Excel writes: whole numbers up to row 140 000, then
  // `12,5`. A cell such as `1,250` before it reads as 1.25 once the mark is known to be a comma
  // (binding the file whole finds the mark first); bound before that, it would read otherwise.
  const auto csv = participants(
      kRows,
      [](std::size_t r) {
        if (r == 140'000) return std::string("12,5");
        if (r % 1000 == 1) return std::string("1,250");
        return fmt::format("{}", r % 50);
      },
      ";");
  auto a = whole({{"deltagare.csv", csv}, {"serie.csv", kSeries}}), b = streamed({{"deltagare.csv", csv}, {"serie.csv", kSeries}});
  INFO((a.result.diagnostics.empty() ? std::string() : a.result.diagnostics.front().message));
  REQUIRE(a.result.data);
  REQUIRE(a.result.data->participants[0][1][3] == checked::Value(Number::fraction(5, 4)));  // row 1: `1,250` -> 1.25
  require_same(a, b);
}

TEST_CASE("binding while reading: a first file it cannot or need not bind as it reads", "[bind][stream]") {
  const auto csv = participants(kRows, [](std::size_t r) { return fmt::format("{}", r % 7); });
  SECTION("a column that names no field: the header's error once") {
    std::string bad = csv;
    bad.replace(0, bad.find('\n'), "id,start,klar,poang,andel,extra");
    for (std::size_t at = bad.find('\n') + 1; at < bad.size();) {  // every row one cell longer
      std::size_t end = bad.find('\n', at);
      if (end > at) bad.insert(end, ",x"), end += 2;
      at = end + 1;
    }
    auto a = whole({{"deltagare.csv", bad}, {"serie.csv", kSeries}}), b = streamed({{"deltagare.csv", bad}, {"serie.csv", kSeries}});
    REQUIRE(a.result.diagnostics.size() == 1);
    REQUIRE(a.result.diagnostics[0].code == "E521");
    require_same(a, b);
  }
  SECTION("a series file first: bound after reading, as every other table") {
    std::string series = "period,kostnad\n2025,100\n2026,200\n2027,300\n";
    auto a = whole({{"serie.csv", series}, {"deltagare.csv", csv}}), b = streamed({{"serie.csv", series}, {"deltagare.csv", csv}});
    REQUIRE(a.result.data);
    require_same(a, b);
  }
  SECTION("the participants given twice: the second file is the one refused") {
    auto a = whole({{"deltagare.csv", csv}, {"deltagare.csv", csv}, {"serie.csv", kSeries}});
    auto b = streamed({{"deltagare.csv", csv}, {"deltagare.csv", csv}, {"serie.csv", kSeries}});
    REQUIRE(a.result.diagnostics.size() == 1);
    REQUIRE(a.result.diagnostics[0].code == "E526");
    require_same(a, b);
  }
}

TEST_CASE("binding while reading: a read error after rows were bound is the only message", "[bind][stream]") {
  auto csv = participants(kRows, [](std::size_t r) { return fmt::format("{}", r % 7); });
  csv.insert(csv.size() - 10, "\"");  // an unclosed quote in the last row
  std::string whole_error, streamed_error;
  try {
    read_csv("deltagare.csv", csv);
  } catch (const DiagnosticError& e) {
    whole_error = e.diagnostic.code + " " + e.diagnostic.location + " " + e.diagnostic.message;
  }
  DataBinder binder(*contract());
  std::size_t told = 0;
  RowsRead first = binder.first_table();
  try {
    read_csv_keeping("deltagare.csv", csv, {}, CsvLines::plain, [&](Table& t, std::size_t expected) {
      told = t.rows.size();
      first(t, expected);
    });
  } catch (const DiagnosticError& e) {
    streamed_error = e.diagnostic.code + " " + e.diagnostic.location + " " + e.diagnostic.message;
  }
  REQUIRE_FALSE(whole_error.empty());
  REQUIRE(streamed_error == whole_error);
  REQUIRE(told >= 2 * CellRows::kChunk);  // rows had been bound before the error was found
}

TEST_CASE("binding while reading: rows appended after earlier chunks were let go land in chunks of their own", "[bind][stream]") {
  // While a table is still read, rows go on being appended after earlier chunks were let go (the
  // next chunk takes the block of cells let go): every row must be read back as written.
  CellRows rows;
  std::vector<std::string> texts;
  for (std::size_t r = 0; r < 3 * CellRows::kChunk + 5; ++r) texts.push_back(std::to_string(r * 7));
  for (std::size_t r = 0; r < texts.size(); ++r) {
    std::string_view kept = rows.keep(texts[r]);
    rows.append_row(2, [&](std::size_t i) {
      return Cell{.text = i == 0 ? kept : std::string_view(), .present = i == 0, .column = static_cast<std::uint32_t>(i),
                  .row = cell_number(r + 1), .line = cell_number(r + 2)};
    });
    if ((r + 1) % CellRows::kChunk == 0) {
      REQUIRE(rows.at(r)[0].text == texts[r]);
      rows.release_before(r + 1);
      REQUIRE_THROWS_AS(rows.at(r), std::out_of_range);
    }
  }
  REQUIRE(rows.size() == texts.size());
  std::size_t differ = 0;
  for (std::size_t r = 3 * CellRows::kChunk; r < texts.size(); ++r)
    differ += rows.at(r).size() != 2 || rows.at(r)[0].text != texts[r] || rows.at(r)[0].row != r + 1;
  REQUIRE(differ == 0);
}
