// verify.hpp: the second opinion on a checked contract. A contract the checker accepts passes;
// the defects the checker once had (a definition typed from another's expression, a
// participant reference outside its `for each`) are made by hand in a checked contract and
// must each give E904 at the node, never a crash at evaluation.
#include <catch2/catch.hpp>

#include "interpreter/pipeline.hpp"
#include "interpreter/verify.hpp"
#include "tests/tools/compiled.hpp"

using namespace utfall;

namespace {

const char* kContract = R"(contract "v"
currency SEK
party kommun "K"
party fonden "F"
unit event plural events
periods yearly 2025 .. 2026
input cohorts : participants { id : text, n_events : events }
term pris = 100 SEK per event
clause "1" {
  for each c in cohorts {
    let fee = c.n_events * pris
  }
  let total_events = sum(c.n_events for c in cohorts)
  pay kommun -> fonden amount total_events * pris
}
)";

std::shared_ptr<checked::Contract> compiled() {
  return std::const_pointer_cast<checked::Contract>(test_support::compiled_text(kContract, "v.utfall"));
}

bool has_e904(const Diagnostics& d) {
  for (const auto& x : d)
    if (x.code == "E904") return true;
  return false;
}

}  // namespace

TEST_CASE("verify: a contract the checker accepts has no disagreement", "[verify]") {
  for (const char* path : {"a-aldreomsorg", "b-placeringar", "c-tfco", "d-norrkoping"}) {
    CHECK(verify(*test_support::compiled_file(std::string("examples/") + path + "/contract.utfall")).empty());
  }
  CHECK(verify(*compiled()).empty());
}

TEST_CASE("verify: a definition recorded with another definition's unit is an internal error", "[verify]") {
  auto c = compiled();
  REQUIRE(c->defs.size() == 1);
  // The defect once seen: `total_events` (events) typed as the `for each` definition (SEK).
  c->defs[0].type = c->participant_defs[0].type;
  auto d = verify(*c);
  REQUIRE(has_e904(d));
  REQUIRE(d.front().range);
  CHECK(d.front().range->begin.line == 13);  // the definition, whose expression is a count of events
}

TEST_CASE("verify: a participant field read outside its binder is an internal error", "[verify]") {
  auto c = compiled();
  // Swap the definitions' expressions: the `let` now reads `c.n_events` with no participant bound.
  std::swap(c->defs[0].value, c->participant_defs[0].value);
  auto d = verify(*c);
  REQUIRE(has_e904(d));
}

TEST_CASE("verify: tables keyed by text", "[verify]") {
  auto c = std::const_pointer_cast<checked::Contract>(test_support::compiled_file("examples/e-rate-card/contract.utfall"));
  CHECK(verify(*c).empty());
  REQUIRE(c->tables.size() == 1);
  auto& rows = c->tables[0].rows;
  REQUIRE(rows.size() == 5);
  CHECK(*rows[0].key == "m01");  // sorted by key, whatever order they were written in
  // Out of order, a lookup (a binary search) would miss keys that are there.
  std::swap(rows[0], rows[1]);
  CHECK(has_e904(verify(*c)));
  std::swap(rows[0], rows[1]);
  CHECK(verify(*c).empty());
  // A row of intervals in a table keyed by text.
  rows[2].key.reset();
  rows[2].lower = Number::from_int(1);
  CHECK(has_e904(verify(*c)));
}

TEST_CASE("verify: an ill-typed `if` of text is found, though its result is text", "[verify]") {
  const char* text = R"(contract "v"
currency SEK
party kommun "K"
party fonden "F"
periods yearly 2025 .. 2026
table t {
  "a" -> 1 SEK
  "b" -> 2 SEK
}
clause "1" {
  let k = if true then "a" else "b"
  pay kommun -> fonden amount t(k)
}
)";
  auto c = std::const_pointer_cast<checked::Contract>(test_support::compiled_text(text, "v.utfall"));
  CHECK(verify(*c).empty());
  REQUIRE(c->defs.size() == 1);
  auto& branch = std::get<checked::If>(const_cast<checked::Expr&>(*c->defs[0].value).node);
  // The condition made a number: the `if` is then ill-typed, which must not pass for text.
  auto& condition = const_cast<checked::Expr&>(*branch.condition);
  condition.node = checked::Const{Number::from_int(1)};
  condition.type = Type::number();
  CHECK(has_e904(verify(*c)));
}

TEST_CASE("verify: a report names the part of the rule it is about", "[verify]") {
  auto c = compiled();
  REQUIRE(c->payments.size() == 1);
  auto& pay = c->payments[0];
  const std::string prefix = "internal error (a bug in utfall's checker): ";
  // Whether one of the reports begins with `text` after the prefix; every report is an E904.
  auto reports = [&](const std::string& text) {
    bool found = false;
    for (const auto& d : verify(*c)) {
      CHECK(d.code == "E904");
      found = found || d.message.rfind(prefix + text, 0) == 0;
    }
    return found;
  };
  // The payment's amount swapped for the count of events: money expected, events found.
  std::swap(pay.amount, c->defs[0].value);
  CHECK(reports("the amount of a payment must be "));
  CHECK_FALSE(reports("the amount of the payment `bonus`"));
  pay.name = "bonus";
  CHECK(reports("the amount of the payment `bonus` must be "));
  CHECK(reports("the definition `total_events` must be "));  // it now holds the payment's amount
  // Put back; then the events made the payment's floor, the definition left with none.
  std::swap(pay.amount, c->defs[0].value);
  REQUIRE(verify(*c).empty());
  std::swap(pay.floor, c->defs[0].value);
  CHECK(reports("the floor of the payment `bonus` must be "));
  CHECK(reports("the definition `total_events` has no expression"));
  CHECK_FALSE(reports("the amount of"));
}
