// Diagnostics of reading and binding data, in Swedish: each situation below is a data file (or a
// `--set`) with one error, and the Swedish line is written out by hand beside it. The English of
// the same diagnostics is checked by the tests of each reader; here it is checked only where the
// sentence was split into whole phrases, to show that it still reads as it did.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>

#include "interpreter/data.hpp"
#include "interpreter/data_files.hpp"
#include "interpreter/pipeline.hpp"

using namespace utfall;

namespace {

template <typename Read>
Diagnostic read_error(Read&& read) {
  try {
    read();
  } catch (const DiagnosticError& e) {
    return e.diagnostic;
  }
  FAIL("the data was read without an error");
  return {};
}

// A CSV text bound twice, as folk.csv: keeping its table, and spending it.
std::pair<BindResult, BindResult> bind_kept_and_spent(const checked::Contract& contract, const std::string& csv) {
  std::vector<Table> kept, spent;
  kept.push_back(read_csv("folk.csv", csv));
  spent.push_back(read_csv("folk.csv", csv));
  auto first = bind_data(contract, kept);
  return {std::move(first), bind_data(contract, std::move(spent))};
}

Diagnostic csv_error(std::string_view text) {
  return read_error([&] { read_csv("plan.csv", text, {}); });
}

Diagnostic json_error(std::string_view text) {
  return read_error([&] { read_json_tables("data.json", text, {}); });
}

// The diagnostic came from the message table, not from a plain string.
bool from_table(const Diagnostic& d) { return d.text.phrase != Text::kVerbatim; }

constexpr std::string_view kContract = R"(contract "t"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2026
input x : SEK per period at least 0 SEK
term pris = 5 SEK
clause "1" {
  pay kommun -> fonden amount x + pris
}
)";

std::shared_ptr<const checked::Contract> contract() {
  auto compiled = compile(std::make_shared<const Source>(Source{"t.utfall", std::string(kContract)}));
  REQUIRE(compiled.contract);
  return compiled.contract;
}

}  // namespace

TEST_CASE("a CSV row with too few fields, in Swedish", "[messages][data]") {
  Diagnostic d = csv_error("period,x\n2025\n");
  CHECK(from_table(d));
  CHECK(d.message == "row 1 has 1 fields but the header has 2 columns: column `x` and any after it are missing");
  CHECK(render_short(d, Language::sv) ==
        "plan.csv: rad 1 (textrad 2): error[E505]: rad 1 har 1 fält men rubrikraden har 2 kolumner: kolumnen `x` och alla "
        "efter den saknas");
  CHECK(suggestion_in(d, Language::sv) ==
        "varje rad behöver ett fält per kolumn; sätt citattecken kring ett värde som innehåller avgränsaren");
}

TEST_CASE("where in a data file, in Swedish", "[messages][data]") {
  // A cell: file, row, line and column.
  Diagnostic cell = csv_error(std::string_view("period,x\n2025,5\0\n", 17));  // a NUL byte in the cell
  CHECK(cell.location == "plan.csv: row 1 (line 2), column `x`");
  CHECK(location_in(cell, Language::sv) == "plan.csv: rad 1 (textrad 2), kolumn `x`");
  // The header, and a column that has no name yet: by its position.
  Diagnostic header = csv_error("period,x,\n2025,5,\n");
  CHECK(header.location == "plan.csv: header (line 1), column 3");
  CHECK(location_in(header, Language::sv) == "plan.csv: rubrikraden (textrad 1), kolumn 3");
  // A named table of a JSON file.
  Diagnostic table = json_error(R"({"t": [{"period": "2025", "x": {"a": 1}}]})");
  CHECK(table.location == "data.json, table `t`: row 1 (line 1), column `x`");
  CHECK(location_in(table, Language::sv) == "data.json, tabell `t`: rad 1 (textrad 1), kolumn `x`");
  CHECK(render_pretty(table, Language::sv).starts_with("data.json, tabell `t`: rad 1 (textrad 1), kolumn `x`: fel[E512]"));
}

TEST_CASE("a CSV field after a closing quote, in Swedish", "[messages][data]") {
  Diagnostic d = csv_error("period,x\n2025,\"5\"x\n");
  CHECK(from_table(d));
  CHECK(message_in(d, Language::sv) ==
        "felaktig CSV på rad 2, kolumn 9: `x` efter det avslutande citattecknet i ett fält inom citattecken");
}

TEST_CASE("a CSV header with an empty column name, in Swedish", "[messages][data]") {
  Diagnostic d = csv_error("period,x,\n2025,5,\n");
  CHECK(message_in(d, Language::sv) == "kolumn 3 i rubrikraden saknar namn");
  CHECK(suggestion_in(d, Language::sv) == "en avgränsare i slutet av rubrikraden ger en extra kolumn utan namn");
}

TEST_CASE("JSON of the wrong shape, in Swedish", "[messages][data]") {
  Diagnostic top = json_error(R"("hej")");
  CHECK(from_table(top));
  CHECK(top.message == "expected an array of objects (or an object whose values are such arrays), found a string at top level");
  CHECK(message_in(top, Language::sv) ==
        "förväntade en array av objekt (eller ett objekt vars värden är sådana arrayer), fann en sträng på översta nivån");

  Diagnostic row = json_error(R"([{"period": "2025"}, [1]])");
  CHECK(row.message == "row 2 is an array, but every row must be an object of column names and values");
  CHECK(message_in(row, Language::sv) == "rad 2 är en array, men varje rad ska vara ett objekt med kolumnnamn och värden");

  Diagnostic nested = json_error(R"([{"period": "2025", "x": {"a": 1}}])");
  CHECK(nested.message == "the value of `x` in row 1 is an object; a value must be a number, string, true, false or null");
  CHECK(message_in(nested, Language::sv) ==
        "värdet av `x` på rad 1 är ett objekt; ett värde ska vara ett tal, en sträng, true, false eller null");
}

TEST_CASE("a JSON column name with a NUL byte, in Swedish", "[messages][data]") {
  Diagnostic d = json_error(R"([{"a\u0000": 1}])");
  CHECK(d.message == "column name: the value contains a NUL byte at byte 2");
  CHECK(message_in(d, Language::sv) == "kolumnnamn: värdet innehåller en NUL-byte vid byte 2");
  CHECK(suggestion_in(d, Language::sv) == "en datafil ska vara text i UTF-8; är den i UTF-16 eller en binär fil (t.ex. .xlsx)?");
}

TEST_CASE("a data file of a kind utfall does not read, in Swedish", "[messages][data]") {
  Diagnostic d = read_error([] { read_data_file("plan.xlsx", {}); });
  CHECK(render_short(d, Language::sv) ==
        "plan.xlsx: error[E513]: kan inte läsa datafilen `plan.xlsx`: de filtyper som godtas är .csv och .json");
  CHECK(suggestion_in(d, Language::sv) == "exportera data från kalkylarket som \"CSV UTF-8\"");
}

TEST_CASE("values that do not bind to the contract, in Swedish", "[messages][data]") {
  auto c = contract();
  std::vector<Table> tables;
  for (auto& [name, table] :
       read_json_tables("data.json", R"([{"period": "2025", "x": "-5"}, {"period": "2026", "x": "abc"}, {"period": "2024", "x": "1"}])",
                        {}))
    tables.push_back(std::move(table));
  auto bound = bind_data(*c, tables);
  REQUIRE(bound.diagnostics.size() == 3);
  for (const auto& d : bound.diagnostics) CHECK(from_table(d));
  CHECK(bound.diagnostics[0].message == "`x` is -5, below its declared least value, 0 SEK");
  CHECK(render_short(bound.diagnostics[0], Language::sv) ==
        "data.json: rad 1 (textrad 1), kolumn `x`: error[E532]: `x` är -5, under sitt deklarerade minsta värde, 0 SEK");
  CHECK(bound.diagnostics[1].message ==
        "`x`: `abc` is not a number (digits with an optional '.' and decimals; no exponent, no spaces)");
  CHECK(message_in(bound.diagnostics[1], Language::sv) ==
        "`x`: `abc` är inte ett tal (siffror med valfri '.' och decimaler; ingen exponent, inga mellanslag)");
  CHECK(message_in(bound.diagnostics[2], Language::sv) == "`2024` är inte en period i kalendern (2025 .. 2026)");
}

TEST_CASE("an input with no data, in Swedish", "[messages][data]") {
  auto c = contract();
  auto bound = load_data(*c, {});
  REQUIRE(bound.diagnostics.size() == 1);
  CHECK(message_in(bound.diagnostics[0], Language::sv) == "ingen datafil har kolumnen `x`");
  CHECK(suggestion_in(bound.diagnostics[0], Language::sv) ==
        "ingen datafil angavs: ange de filer som innehåller avtalets uppgifter (`--data FILE...`)");
}

TEST_CASE("`--set` of what the contract does not have, in Swedish", "[messages][data]") {
  auto c = contract();
  EvalOptions options;
  auto diags = apply_overrides(*c, {"okänd=5", "pris", "scale(y)=2", "pris=5 events"}, options);
  REQUIRE(diags.size() >= 3);
  CHECK(render_short(diags[0], Language::sv) == "--set okänd=5: error[E214]: `okänd` är inte ett villkor i avtalet");
  CHECK(message_in(diags[1], Language::sv) == "förväntade VILLKOR=VÄRDE");
  CHECK(message_in(diags[2], Language::sv) == "`y` är inte en uppgift i avtalet: scale(INPUT) skalar en uppgift");
}

// `bind_data` that spends its tables (as `load_data` does, freeing each row's cells once bound)
// gives what `bind_data` that keeps them gives: the same records, and the same diagnostics, whose
// locations read the rows before they are freed. Values and messages written by hand.
TEST_CASE("binding that spends its tables gives what binding that keeps them gives", "[data]") {
  auto compiled = compile(std::make_shared<const Source>(Source{"p.utfall", R"(contract "p"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2026
input folk : participants {
  id    : text
  start : period
  aktiv : boolean
  andel : percent at least 0 %
}
clause "1" {
  pay kommun -> fonden amount 1 SEK * count(f in folk where f.aktiv)
}
)"}));
  REQUIRE(compiled.contract);
  const std::string csv = "id,start,aktiv,andel\nA,2025,yes,12.5\nB,2026,nej,\nC,2025,ja,abc\nD,2026,no,-1\nE,2026,true,7\n";
  auto [kept, spent] = bind_kept_and_spent(*compiled.contract, csv);
  std::vector<std::string> want = {"E524 folk.csv: row 2 (line 3), column `andel`: `andel` has no value",
                                   "E528 folk.csv: row 3 (line 4), column `andel`: `andel`: `abc` is not a number (digits with an optional '.' and decimals; no exponent, no spaces)",
                                   "E532 folk.csv: row 4 (line 5), column `andel`: `andel` is -1, below its declared least value, 0 %"};
  for (const auto* bound : {&kept, &spent}) {
    REQUIRE(bound->diagnostics.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
      CHECK(bound->diagnostics[i].code + " " + bound->diagnostics[i].location + ": " + bound->diagnostics[i].message == want[i]);
  }
  // Without the bad rows both bind, to the same two records: A (2025, yes, 0.125) and E (2026, true, 0.07).
  const std::string good = "id,start,aktiv,andel\nA,2025,yes,12.5\nE,2026,true,7\n";
  auto [a, b] = bind_kept_and_spent(*compiled.contract, good);
  REQUIRE(a.data);
  REQUIRE(b.data);
  const int folk = 0;
  for (const auto* data : {&*a.data, &*b.data}) {
    const auto& records = data->participants[folk];
    REQUIRE(records.size() == 2);
    CHECK(std::get<std::string>(records[0][0]) == "A");
    CHECK(std::get<checked::PeriodValue>(records[0][1]).index == 0);
    CHECK(std::get<bool>(records[0][2]) == true);
    CHECK(std::get<Number>(records[0][3]) == Number::fraction(1, 8));
    CHECK(std::get<std::string>(records[1][0]) == "E");
    CHECK(std::get<checked::PeriodValue>(records[1][1]).index == 1);
    CHECK(std::get<bool>(records[1][2]) == true);
    CHECK(std::get<Number>(records[1][3]) == Number::fraction(7, 100));
    CHECK(data->sources[folk].rows.size() == 2);
  }
}

// The same across chunks of rows (CellRows::kChunk): a spending binding lets each chunk go once
// its rows are bound, and a message about a row in a later chunk still names its cell.
TEST_CASE("binding that spends a table of several chunks gives what binding that keeps it gives", "[data]") {
  auto compiled = compile(std::make_shared<const Source>(Source{"p.utfall", R"(contract "p"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2026
input folk : participants {
  id    : text
  andel : percent at least 0 %
}
clause "1" {
  pay kommun -> fonden amount 1 SEK * count(f in folk where f.andel > 50 %)
}
)"}));
  REQUIRE(compiled.contract);
  const std::size_t n = 2 * CellRows::kChunk + 10, bad = CellRows::kChunk + 5;  // row index of the one bad cell
  std::string csv = "id,andel\n";
  for (std::size_t r = 0; r < n; ++r) csv += "P" + std::to_string(r) + "," + (r == bad ? std::string("x") : std::to_string(r % 100)) + "\n";
  auto [kept, spent] = bind_kept_and_spent(*compiled.contract, csv);
  const std::string want = "E528 folk.csv: row " + std::to_string(bad + 1) + " (line " + std::to_string(bad + 2) +
                           "), column `andel`: `andel`: `x` is not a number (digits with an optional '.' and decimals; no exponent, no spaces)";
  for (const auto* bound : {&kept, &spent}) {
    REQUIRE(bound->diagnostics.size() == 1);
    CHECK(bound->diagnostics[0].code + " " + bound->diagnostics[0].location + ": " + bound->diagnostics[0].message == want);
  }
  csv.replace(csv.find("P" + std::to_string(bad) + ",x"), std::to_string(bad).size() + 3, "P" + std::to_string(bad) + ",5");
  auto [a, b] = bind_kept_and_spent(*compiled.contract, csv);
  REQUIRE(a.data);
  REQUIRE(b.data);
  for (const auto* data : {&*a.data, &*b.data}) {
    const auto& records = data->participants[0];
    REQUIRE(records.size() == n);
    for (std::size_t r : {std::size_t{0}, CellRows::kChunk - 1, CellRows::kChunk, bad, n - 1}) {
      INFO("record " << r);
      CHECK(std::get<std::string>(records[r][0]) == "P" + std::to_string(r));
      CHECK(std::get<Number>(records[r][1]) == Number::fraction(r == bad ? 5 : static_cast<std::int64_t>(r % 100), 100));
    }
  }
}
