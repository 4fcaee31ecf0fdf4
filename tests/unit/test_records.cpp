// ParticipantRecords against a model, a vector of records: records of one width (as binding
// makes them) and of several (as a test or host builds them by hand), some dropped half-made,
// with values of every kind (a decimal is kept as digits and places, a text in one block, a
// fraction or a long number whole: each must come back as the value given).
#include <catch2/catch.hpp>

#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "interpreter/records.hpp"

using namespace utfall;

namespace {

void same(const ParticipantRecords& got, const std::vector<std::vector<checked::Value>>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t r = 0; r < want.size(); ++r) {
    INFO("record " << r);
    const auto record = got[r];
    REQUIRE(record.size() == want[r].size());
    for (std::size_t f = 0; f < want[r].size(); ++f) CHECK(record[f] == want[r][f]);
  }
  std::size_t r = 0;
  for (const auto record : got) CHECK(record.size() == want[r++].size());
  CHECK(r == want.size());
}

// A value of any kind, with the edges of each: decimals of 0 to 18 places and of 19, the ends
// of int64, fractions, numbers too long for a word, empty and long texts, texts with a NUL.
checked::Value any_value(std::mt19937& rng) {
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  switch (pick(9)) {
    case 0: return Number::from_int(static_cast<std::int64_t>(rng() % 2001) - 1000);
    case 1: {  // a decimal of up to 19 places, digits of up to 19
      std::string t = rng() % 2 ? "-" : "";
      const std::size_t whole = 1 + pick(10), places = pick(20);
      for (std::size_t i = 0; i < whole; ++i) t += static_cast<char>('0' + pick(10));
      if (places > 0) t += '.';
      for (std::size_t i = 0; i < places; ++i) t += static_cast<char>('0' + pick(10));
      return *Number::parse_decimal(t);
    }
    case 2: {
      const std::int64_t ends[] = {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min() + 1, 0};
      return Number::from_int(ends[pick(4)]);
    }
    case 3: return Number::fraction(static_cast<std::int64_t>(rng() % 100) + 1, static_cast<std::int64_t>(pick(3)) * 2 + 3);  // thirds, fifths, sevenths
    case 4: return *Number::parse_decimal("123456789012345678901234567890." + std::to_string(pick(1000)));
    case 5: return rng() % 2 == 0;
    case 6: return checked::PeriodValue{static_cast<int>(rng() % 41) - 20};
    case 7: return checked::DateValue{static_cast<std::int64_t>(rng()) - (std::int64_t{1} << 31)};
    default: {
      std::string t(pick(3) == 0 ? 0 : pick(40), 'x');
      for (auto& ch : t) ch = static_cast<char>(pick(256));
      return t;
    }
  }
}

}  // namespace

TEST_CASE("records: of one width or several as a vector of records holds them", "[records]") {
  std::mt19937 rng(20261203);
  for (int round = 0; round < 400; ++round) {
    INFO("round " << round);
    const bool one_width = round % 2 == 0;
    const int width = static_cast<int>(rng() % 4);
    ParticipantRecords got;
    std::vector<std::vector<checked::Value>> want;
    if (round % 3 == 0) got.reserve(8, static_cast<std::size_t>(width));
    const int records = static_cast<int>(rng() % 12);
    for (int r = 0; r < records; ++r) {
      const int w = one_width ? width : static_cast<int>(rng() % 4);
      std::vector<checked::Value> record;
      for (int f = 0; f < w; ++f) record.push_back(any_value(rng));
      const int how = static_cast<int>(rng() % 3);
      if (how == 0) {
        got.push_back(record);
        want.push_back(record);
      } else {  // value by value; dropped half-made now and then
        got.start_record();
        for (const auto& v : record) {
          if (const auto* text = std::get_if<std::string>(&v); text && rng() % 2 == 0) got.add_text(*text);
          else got.add(v);
        }
        if (how == 2 && !record.empty()) {
          got.drop_record();
          continue;
        }
        got.end_record();
        want.push_back(record);
      }
    }
    same(got, want);
  }
}

TEST_CASE("records: a record of a second width keeps the first ones where they were", "[records]") {
  ParticipantRecords got;
  got.push_back({Number::from_int(1), true});
  got.push_back({Number::from_int(2), false});
  got.push_back({std::string("x")});  // narrower
  got.push_back({Number::from_int(3), true, std::string("y")});
  same(got, {{Number::from_int(1), true}, {Number::from_int(2), false}, {std::string("x")},
             {Number::from_int(3), true, std::string("y")}});
  got.clear();
  CHECK(got.empty());
  got.push_back({Number::from_int(4)});
  same(got, {{Number::from_int(4)}});
}

TEST_CASE("records: a decimal is kept as its digits and places and the rest by kind", "[records]") {
  // Each cell's tag and word worked out by hand.
  ParticipantRecords got;
  const checked::Value values[] = {*Number::parse_decimal("12.50"),
                                   *Number::parse_decimal("-0.000000000000000001"),
                                   Number::from_int(std::numeric_limits<std::int64_t>::min()),  // no decimal64: kept whole
                                   Number::fraction(1, 3),
                                   *Number::parse_decimal("0.0000000000000000001"),  // 19 places: kept whole
                                   *Number::parse_decimal("9223372036854775808"),    // one above int64: kept whole
                                   true,
                                   checked::PeriodValue{-3},
                                   checked::DateValue{20000},
                                   std::string("Y17"),
                                   std::string()};
  got.push_back({std::begin(values), std::end(values)});
  struct Want {
    int tag;
    std::int64_t word;
  };
  const Want want[] = {{1, 125}, {18, -1}, {ParticipantRecords::kWhole, 0}, {ParticipantRecords::kWhole, 1},
                       {ParticipantRecords::kWhole, 2}, {ParticipantRecords::kWhole, 3}, {ParticipantRecords::kBool, 1},
                       {ParticipantRecords::kPeriod, -3}, {ParticipantRecords::kDate, 20000},
                       {ParticipantRecords::kText, std::int64_t{3} << 40}, {ParticipantRecords::kText, std::int64_t{3}}};
  REQUIRE(got.width(0) == std::size(values));
  for (std::size_t f = 0; f < std::size(values); ++f) {
    INFO("field " << f);
    CHECK(got.cell(0, f).tag == want[f].tag);
    CHECK(got.cell(0, f).word == want[f].word);
    CHECK(got.value(0, f) == values[f]);
  }
  CHECK(got.text(0, 9) == "Y17");
  CHECK(got.text(0, 10).empty());
  CHECK_THROWS_AS(got.text(0, 0), std::logic_error);
}

TEST_CASE("records: a dropped record takes its texts and whole values with it", "[records]") {
  ParticipantRecords got;
  got.push_back({std::string("first"), Number::fraction(1, 3)});
  got.start_record();
  got.add(std::string("dropped"));
  got.add(Number::fraction(2, 3));
  got.drop_record();
  got.push_back({std::string("second"), Number::fraction(1, 7)});
  REQUIRE(got.size() == 2);
  CHECK(got.text(1, 0) == "second");
  CHECK(got.value(1, 1) == checked::Value(Number::fraction(1, 7)));
  // The second record's text starts where the first ended, and its fraction is the second kept whole.
  CHECK(got.cell(1, 0).word == (std::int64_t{6} << 40 | 5));
  CHECK(got.cell(1, 1).word == 1);
}

TEST_CASE("records: a value given again replaces the one kept", "[records]") {
  ParticipantRecords got;
  for (int r = 0; r < 3; ++r) got.push_back({Number::from_int(r), std::string("P") + std::to_string(r)});
  got.set(1, 0, Number::fraction(1, 3));
  got.set(2, 1, std::string("renamed"));
  got.set(0, 1, Number::from_int(5));  // another kind in a text's place
  CHECK(got.value(1, 0) == checked::Value(Number::fraction(1, 3)));
  CHECK(got.text(2, 1) == "renamed");
  CHECK(got.value(0, 1) == checked::Value(Number::from_int(5)));
  CHECK(got.value(0, 0) == checked::Value(Number::from_int(0)));
  CHECK(got.text(1, 1) == "P1");
}

TEST_CASE("records: a text too long for the block of texts is kept whole", "[records]") {
  ParticipantRecords got;
  const std::string longest(ParticipantRecords::kMaxTextLength, 'a'), longer(ParticipantRecords::kMaxTextLength + 1, 'b');
  got.push_back({longest, longer, std::string("c")});
  CHECK(got.cell(0, 0).tag == ParticipantRecords::kText);
  CHECK(got.cell(0, 1).tag == ParticipantRecords::kWhole);
  CHECK(got.cell(0, 2).tag == ParticipantRecords::kText);
  CHECK(got.text(0, 0) == longest);
  CHECK(got.text(0, 1) == longer);
  CHECK(got.value(0, 1) == checked::Value(longer));
  CHECK(got.text(0, 2) == "c");
}

TEST_CASE("records: a decimal of places no cell can hold is refused", "[records]") {
  ParticipantRecords got;
  got.start_record();
  CHECK_THROWS_AS(got.add_decimal(1, ParticipantRecords::kMaxPlaces + 1), std::logic_error);
  CHECK_THROWS_AS(got.add_decimal(1, -1), std::logic_error);
  got.add_decimal(-125, 2);
  got.end_record();
  REQUIRE(got.size() == 1);
  REQUIRE(got.width(0) == 1);
  CHECK(got.value(0, 0) == checked::Value(Number::fraction(-5, 4)));
}
