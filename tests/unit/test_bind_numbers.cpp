// Number cells of a participant file, bound, against Number::parse_decimal (the general reader,
// which the binder's straight way for the common cell does not call): digits with and without a
// point, leading and trailing zeros, up to 30 digits, in a number field, a percent field and a
// field with a declared range (which always takes the general way). Each value must be the one
// parse_decimal gives, and be kept as to_decimal64's digits and places when it has them.
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
periods yearly 2025 .. 2025
input deltagare : participants {
  id : text
  x : number
  andel : percent
  poang : number at least 0
}
clause "1" {
  pay kommun -> fonden for each u in deltagare amount 1 SEK * (u.x + u.andel + u.poang)
}
)";

std::shared_ptr<const checked::Contract> contract() {
  static const auto c = test_support::compiled_text(kContract);
  return c;
}

// `csv` read as deltagare.csv and bound for the contract.
BindResult bind_csv(const std::string& csv) {
  std::vector<Table> tables;
  tables.push_back(read_csv("deltagare.csv", csv));
  return bind_data(*contract(), std::move(tables));
}

// Exactly `count` messages, each E528 in column `x` of deltagare.csv, for rows first_row,
// first_row + 1, ... (a row's line is one more: the header is line 1).
void expect_e528_in_x(const BindResult& bound, std::size_t first_row, std::size_t count) {
  REQUIRE(bound.diagnostics.size() == count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t row = first_row + i;
    CHECK(bound.diagnostics[i].code == "E528");
    CHECK(bound.diagnostics[i].location ==
          "deltagare.csv: row " + std::to_string(row) + " (line " + std::to_string(row + 1) + "), column `x`");
  }
}

// Digits, then a point and digits now and then; runs of zeros at either end now and then.
std::string decimal_text(test_support::Random& rng) {
  auto digits = [&](std::size_t n) {
    std::string t;
    const bool zeros = rng.chance(1, 4);
    for (std::size_t i = 0; i < n; ++i) t += zeros && rng.chance(2, 3) ? '0' : static_cast<char>('0' + rng.below(10));
    return t;
  };
  std::string t = digits(1 + rng.below(rng.chance(1, 5) ? 20 : 8));
  if (rng.chance(1, 2)) t += "." + digits(1 + rng.below(rng.chance(1, 5) ? 22 : 6));
  return t;
}

}  // namespace

TEST_CASE("bind: number cells read straight are the values the general reader gives", "[bind][numbers]") {
  test_support::Random rng{20261206};
  constexpr int kRows = 3000;
  std::vector<std::array<std::string, 3>> cells;
  std::string csv = "id,x,andel,poang\n";
  for (int r = 0; r < kRows; ++r) {
    cells.push_back({decimal_text(rng), decimal_text(rng), decimal_text(rng)});
    csv += "P" + std::to_string(r) + "," + cells.back()[0] + "," + cells.back()[1] + "," + cells.back()[2] + "\n";
  }
  auto bound = bind_csv(csv);
  for (const auto& d : bound.diagnostics) INFO(d.code << " " << d.message << " at " << d.location);
  REQUIRE(bound.diagnostics.empty());
  REQUIRE(bound.data);
  const auto& records = bound.data->participants.at(0);
  REQUIRE(records.size() == kRows);
  std::size_t decimals = 0, whole = 0;
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t f = 0; f < 3; ++f) {
      INFO("record " << r << " field " << f + 1 << ": " << cells[r][f]);
      const auto want = Number::parse_decimal(cells[r][f], f == 1 ? 2 : 0);
      REQUIRE(want);
      CHECK(records.value(r, f + 1) == checked::Value(*want));
      const auto cell = records.cell(r, f + 1);
      if (const auto d = want->to_decimal64()) {
        ++decimals;
        CHECK(cell.tag == d->places);
        CHECK(cell.word == d->digits);
      } else {
        ++whole;
        CHECK(cell.tag == ParticipantRecords::kWhole);
      }
    }
  }
  // Both kinds of cell were made, the first most often.
  CHECK(decimals > 6000);
  CHECK(whole > 100);
}

TEST_CASE("bind: a number cell with a letter in it is refused", "[bind][numbers]") {
  // By hand: each of the four rows has a letter in `x` (E528).
  const std::string csv = "id,x,andel,poang\nP1,1a,5,1\nP2,12x.5,5,1\nP3,1.5e3,5,1\nP4,e,5,1\n";
  expect_e528_in_x(bind_csv(csv), 1, 4);
}

TEST_CASE("bind: a sign takes the general way and is read", "[bind][numbers]") {
  const std::string csv = "id,x,andel,poang\nP1,-2.5,5,1\nP2,7,12.50,0.0\n";
  auto bound = bind_csv(csv);
  REQUIRE(bound.diagnostics.empty());
  const auto& records = bound.data->participants.at(0);
  REQUIRE(records.size() == 2);
  CHECK(records.value(0, 1) == checked::Value(Number::fraction(-5, 2)));
  CHECK(records.value(1, 1) == checked::Value(Number::from_int(7)));
  CHECK(records.value(1, 2) == checked::Value(Number::fraction(1, 8)));  // 12.50 % = 0.125
  CHECK(records.value(1, 3) == checked::Value(Number::from_int(0)));
}

TEST_CASE("bind: in a file of decimal commas a point is refused, not read straight", "[bind][numbers]") {
  // docs/language.md: the first number cell with a comma and not three digits after it (12,5)
  // shows a decimal comma; then 7.500 reads two ways (a thousands point) and 3.25 shows the
  // other mark: E528 both, and only the first record is kept, 12.5.
  const std::string csv = "id;x;andel;poang\nP1;12,5;5;1\nP2;7.500;5;1\nP3;3.25;5;1\n";
  expect_e528_in_x(bind_csv(csv), 2, 2);
}
