// The parser's and the checker's diagnostics drawn in Swedish (issue 17): contracts with one
// error each, the Swedish written out here by hand, and the English as it was before the
// message table, so that moving a sentence into the table changes no English output.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "interpreter/check.hpp"
#include "interpreter/diagnostic.hpp"
#include "interpreter/parse.hpp"

using namespace utfall;

namespace {

const char* kHead =
    "contract \"Prov\"\n"
    "currency SEK\n"
    "party kommun\n"
    "party fonden\n"
    "periods yearly 2025 .. 2027\n";

// The first diagnostic of parsing `text`, and of checking it when it parses.
Diagnostic first_diagnostic(const std::string& text) {
  auto source = std::make_shared<Source>(Source{"avtal.utfall", text});
  auto parsed = parse_contract(source);
  if (!parsed.contract) {
    REQUIRE_FALSE(parsed.diagnostics.empty());
    return parsed.diagnostics.front();
  }
  auto checked = check(*parsed.contract);
  REQUIRE_FALSE(checked.diagnostics.empty());
  return checked.diagnostics.front();
}

}  // namespace

TEST_CASE("an unknown unit, in a clause, in both languages", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "clause \"1\" \"Pris\" {\n  let pris = 5 kronor\n}\n");
  CHECK(d.code == "E301");
  CHECK(render_short(d) == "avtal.utfall:7:16: error[E301]: unknown unit `kronor` (clause 1 Pris)");
  CHECK(render_short(d, Language::sv) == "avtal.utfall:7:16: error[E301]: okänd enhet `kronor` (punkt 1 Pris)");
  CHECK(suggestion_in(d, Language::en) == "declare it with `unit kronor`");
  CHECK(suggestion_in(d, Language::sv) == "ange den med `enhet kronor`");
}

TEST_CASE("a name declared twice, with its note", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "term pris = 5 SEK\nterm pris = 6 SEK\n");
  CHECK(d.code == "E202");
  CHECK(message_in(d, Language::en) == "`pris` is declared twice");
  CHECK(message_in(d, Language::sv) == "`pris` anges två gånger");
  REQUIRE(d.related.size() == 1);
  CHECK(note_in(d.related[0], Language::en) == "first declared here");
  CHECK(note_in(d.related[0], Language::sv) == "först angiven här");
}

TEST_CASE("an amount in no currency: the sentence names what it is the amount of", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "clause \"2\" \"Bidrag\" {\n  pay bidrag: kommun -> fonden amount 5\n}\n");
  CHECK(d.code == "E303");
  CHECK(message_in(d, Language::en) == "the amount of a payment must be SEK, but this is number");
  CHECK(message_in(d, Language::sv) == "beloppet för en betalning ska vara SEK, men detta är tal");
}

TEST_CASE("a party that is not declared, with the suggestion to declare it", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "clause \"2\" \"Bidrag\" {\n  pay bidrag: kommun -> fonder amount 5 SEK\n}\n");
  CHECK(d.code == "E212");
  CHECK(message_in(d, Language::sv) == "`fonder` är ingen angiven part");
  CHECK(suggestion_in(d, Language::en) == "declare it with `party fonder`");
  CHECK(suggestion_in(d, Language::sv) == "ange den med `part fonder`");
}

TEST_CASE("a parser's committed error names the Swedish keyword", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "clause \"1\" \"Prov\" {\n  let a = if 1 > 0 2 else 3\n}\n");
  CHECK(d.code == "E101");
  CHECK(message_in(d, Language::en) == "expected `then` after the condition");
  CHECK(message_in(d, Language::sv) == "förväntade `så` efter villkoret");
}

TEST_CASE("an English keyword in a Swedish file", "[messages]") {
  auto d = first_diagnostic("avtal \"Prov\"\nvaluta SEK\npart kommun\npay x: kommun -> kommun belopp 1 SEK\n");
  CHECK(d.code == "E101");
  CHECK(message_in(d, Language::en) ==
        "`pay` is an English keyword, but this file is written in Swedish (its first word, `avtal` at line 1 column 1, says "
        "so): write `betalning`, or write the whole file in English (docs/svenska.md)");
  CHECK(message_in(d, Language::sv) ==
        "`pay` är ett engelskt nyckelord, men denna fil är skriven på svenska (dess första ord, `avtal` på rad 1 kolumn 1, "
        "anger det): skriv `betalning`, eller skriv hela filen på engelska (docs/svenska.md)");
}

TEST_CASE("an invisible character in a name", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "term pr\u200bis = 5 SEK\n");
  CHECK(d.code == "E104");
  CHECK(message_in(d, Language::en) ==
        "a name may not contain the invisible character U+200B ZERO WIDTH SPACE: two names that look the same would differ");
  CHECK(message_in(d, Language::sv) ==
        "ett namn får inte innehålla det osynliga tecknet U+200B ZERO WIDTH SPACE: två namn som ser likadana ut skulle "
        "skilja sig åt");
}

TEST_CASE("a definition that depends on itself", "[messages]") {
  auto d = first_diagnostic(std::string(kHead) + "clause \"1\" \"Prov\" {\n  let a = b + 1 SEK\n  let b = a\n}\n");
  CHECK(d.code == "E210");
  CHECK(message_in(d, Language::en).starts_with("`a` depends on itself: a -> b -> a"));
  CHECK(message_in(d, Language::sv).starts_with("`a` beror på sig själv: a -> b -> a"));
  CHECK(suggestion_in(d, Language::sv) == "ett värde får använda sina egna tidigare värden endast genom previous(x, reserv)");
}
