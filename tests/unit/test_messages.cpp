// The message table (interpreter/messages.hpp): every row renders in both languages with the
// same arguments, no English key is there twice, and no Swedish row is English left untranslated.
#include <catch2/catch.hpp>

#include <fmt/args.h>

#include <regex>
#include <set>
#include <string>

#include "interpreter/diagnostic.hpp"
#include "interpreter/messages.hpp"

using namespace utfall;

namespace {

// The number of arguments a pattern takes: `{}` counted in order, `{N}` by its largest N.
std::size_t arity(std::string_view pattern) {
  std::size_t automatic = 0, numbered = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 1 < pattern.size() && pattern[i + 1] == '{') { ++i; continue; }
    if (pattern[i] != '{') continue;
    std::size_t close = pattern.find('}', i);
    std::string_view inside = pattern.substr(i + 1, close - i - 1);
    std::size_t colon = inside.find(':');
    std::string_view index = inside.substr(0, colon);
    if (index.empty()) ++automatic;
    else numbered = std::max<std::size_t>(numbered, std::stoul(std::string(index)) + 1);
    i = close;
  }
  return std::max(automatic, numbered);
}

std::string without_code(std::string s) {
  return std::regex_replace(s, std::regex("`[^`]*`"), "``");
}

}  // namespace

TEST_CASE("every row takes the same arguments in English and Swedish, and shows each", "[messages]") {
  REQUIRE(kPhraseCount > 0);
  for (std::size_t i = 0; i < kPhraseCount; ++i) {
    const Phrase& row = kPhrases[i];
    INFO("row " << i << ": " << row.en);
    CHECK(!row.en.empty());
    CHECK(!row.sv.empty());
    std::size_t n = arity(row.en);
    CHECK(arity(row.sv) == n);
    std::vector<std::string> args;
    for (std::size_t a = 0; a < n; ++a) args.push_back("<" + std::to_string(a) + ">");
    Text t(static_cast<std::uint16_t>(i), args);
    std::string en = t.in(Language::en), sv = t.in(Language::sv);
    for (const auto& a : args) {
      CHECK(en.find(a) != std::string::npos);
      CHECK(sv.find(a) != std::string::npos);
    }
    CHECK(en.find(" | ") == std::string::npos);  // the fallback for a pattern that does not fit
    CHECK(sv.find(" | ") == std::string::npos);
  }
}

TEST_CASE("no English key is in the table twice", "[messages]") {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < kPhraseCount; ++i) {
    INFO(kPhrases[i].en);
    CHECK(seen.insert(kPhrases[i].en).second);
  }
}

TEST_CASE("no Swedish row is English left as it was", "[messages]") {
  // Outside backquotes (names and keywords as the contract spells them), these words are English
  // (not `not`: Swedish for a note).
  std::regex english(R"(\b(the|is|are|of|with|must|expected|which|than|has|have|there|cannot|should)\b)");
  for (std::size_t i = 0; i < kPhraseCount; ++i) {
    std::string sv = without_code(std::string(kPhrases[i].sv));
    INFO(kPhrases[i].en << "  ->  " << kPhrases[i].sv);
    CHECK(!std::regex_search(sv, english));
  }
}

TEST_CASE("a phrase renders in the language asked for, a plain text in both", "[messages]") {
  Text t = text("did you mean `{}`?", "frigjort");
  CHECK(t.in(Language::en) == "did you mean `frigjort`?");
  CHECK(t.in(Language::sv) == "menade du `frigjort`?");
  Text plain = verbatim("No such file or directory");
  CHECK(plain.in(Language::sv) == "No such file or directory");
  CHECK(say(Language::sv, "in clause {}", "3.2 Återbetalning") == "i punkt 3.2 Återbetalning");
  CHECK(language_named("sv") == Language::sv);
  CHECK(language_named("en") == Language::en);
  CHECK(!language_named("de"));
}

TEST_CASE("a diagnostic is drawn in Swedish, its tool form keeps `error[code]`", "[messages]") {
  Diagnostic d;
  d.kind = DiagKind::name;
  d.code = "E208";
  set_message(d, text("did you mean `{}`?", "x"));
  d.clause = "3.2 Återbetalning";
  CHECK(d.message == "did you mean `x`?");
  CHECK(render_short(d, Language::sv) == "utfall: error[E208]: menade du `x`? (punkt 3.2 Återbetalning)");
  CHECK(render_short(d) == "utfall: error[E208]: did you mean `x`? (clause 3.2 Återbetalning)");
  std::string pretty = render_pretty(d, Language::sv);
  CHECK(pretty == "utfall: fel[E208]: menade du `x`?\n  = i punkt 3.2 Återbetalning\n");
}
