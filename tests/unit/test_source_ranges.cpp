// Ranges and their sources (interpreter/source.hpp): a tree's nodes name their source by a plain
// pointer, its owner keeps the source, and a diagnostic keeps a share of it for as long as a
// host holds the diagnostic.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "interpreter/diagnostic.hpp"
#include "interpreter/parse.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/source.hpp"

using namespace utfall;

TEST_CASE("a diagnostic keeps the source it points into after every other holder is gone", "[source]") {
  Diagnostics diags;
  std::weak_ptr<const Source> seen;
  {
    auto source = std::make_shared<Source>("t.utfall", "contract \"t\"\ncurrency SEK\nperiods yearly 2025 .. 2026\nterm a = 1 SEK + true\n");
    seen = source;
    diags = compile(source).diagnostics;  // the contract does not check: no tree keeps the source
  }
  REQUIRE(diags.size() == 1);
  CHECK_FALSE(seen.expired());
  // Drawn from the source: line 4, from column 10 (`1`) to the end of `true`, 12 bytes.
  const std::string drawn = render_pretty(diags.front());
  CHECK(drawn.find("t.utfall:4:10: error[E318]") != std::string::npos);
  CHECK(drawn.find("4 | term a = 1 SEK + true\n") != std::string::npos);
  CHECK(drawn.find("  |          ^~~~~~~~~~~~") != std::string::npos);
  diags.clear();
  CHECK(seen.expired());
}

TEST_CASE("an expression's parse result keeps the source its ranges name", "[source]") {
  // The source is made in the call and held by nothing else.
  auto parsed = parse_expression(std::make_shared<Source>("e", "2 * (3 + 4)"));
  REQUIRE(parsed.expr);
  REQUIRE(parsed.source);
  CHECK(parsed.expr->range.source == parsed.source.get());
  CHECK(written_text(parsed.expr->range) == "2 * (3 + 4)");
}

TEST_CASE("a range of a source not made shared is refused rather than kept without its place", "[source]") {
  const Source alone("x.utfall", "term a = 1");
  const SourceRange range{&alone, Position{5, 1, 6}, 6};
  CHECK_THROWS_AS(OwnedRange(range), std::logic_error);
  const OwnedRange none(SourceRange{});  // a range with no source keeps none
  CHECK(none.source == nullptr);
}
