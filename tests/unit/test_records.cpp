// ParticipantRecords against a model, a vector of records: records of one width (as binding
// makes them) and of several (as a test or host builds them by hand), some dropped half-made.
#include <catch2/catch.hpp>

#include <random>
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
      for (int f = 0; f < w; ++f) record.emplace_back(Number::from_int(static_cast<std::int64_t>(rng() % 1000)));
      const int how = static_cast<int>(rng() % 3);
      if (how == 0) {
        got.push_back(record);
        want.push_back(record);
      } else {  // value by value; dropped half-made now and then
        got.start_record();
        for (const auto& v : record) got.add() = v;
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
