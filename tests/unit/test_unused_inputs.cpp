// W201 (docs/language.md, the table of codes): an input that no rule reads. Found in the walk
// that also finds each term's first use as a number (check_unlimited.cpp); this contract reads
// each input but one in a different place of the rules, worked out by hand from §8, §16 and §17.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>

#include "interpreter/pipeline.hpp"
#include "interpreter/source.hpp"

using namespace utfall;

namespace {

// a: a definition; b: a payment's cap; c: its condition; d: a waterfall's pool; e: nothing;
// personer: through the link of anspraak's `person`; anspraak: a payment's set; f: a tier's cap;
// g: a payment's floor.
constexpr const char* kContract = R"(contract "w"
currency SEK
party kommun "Kommunen"
party fonden "Fonden"
periods yearly 2025 .. 2026
input a : SEK per period
input b : SEK per period
input c : SEK per period
input d : SEK per period
input e : SEK per period
input personer : records {
  id : text
}
input anspraak : records {
  person : text key of personer
}
input f : SEK per period
input g : SEK per period
term tak = 9 SEK
clause "1" {
  let x = a * 2
  pay p1: kommun -> fonden
    amount x
    capped at b per period
    when c > 0 SEK
  pay p2: kommun -> fonden for each u in anspraak
    amount 5 SEK
    at least g
  waterfall w: kommun pays d {
    fonden up to tak, capped at f
    rest to kommun
  }
}
)";

}  // namespace

TEST_CASE("W201 names the one input that no rule reads, at its declaration", "[check]") {
  auto compiled = compile(std::make_shared<Source>("w.utfall", kContract));
  REQUIRE(compiled.contract);
  std::set<std::string> unused;
  for (const auto& d : compiled.diagnostics) {
    if (d.code != "W201") continue;
    REQUIRE(d.range);
    CHECK(d.range->begin.line == 10);  // `input e`, its name at column 7
    CHECK(d.range->begin.column == 7);
    unused.insert(d.message);
  }
  CHECK(unused == std::set<std::string>{"the input `e` is declared but never used"});
}
