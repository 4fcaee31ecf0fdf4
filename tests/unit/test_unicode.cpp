// Unicode: NFC, invisible characters, escaping for a terminal and for a quote, and confusable skeletons
// (interpreter/unicode.hpp, interpreter/names.hpp). Every expected value is written out by hand
// from the Unicode standard: the code points are spelt as escapes so that the reader sees them.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/names.hpp"
#include "interpreter/parse.hpp"
#include "interpreter/unicode.hpp"

using namespace utfall;

TEST_CASE("nfc composes a decomposed letter and keeps everything else", "[unicode]") {
  CHECK(nfc("a\u0308rende") == "\u00e4rende");  // a + COMBINING DIAERESIS -> ä
  CHECK(nfc("\u00e4rende") == "\u00e4rende");
  CHECK(nfc("A\u030angstr\u00f6m") == "\u00c5ngstr\u00f6m");  // A + COMBINING RING ABOVE -> Å
  CHECK(nfc("kommun") == "kommun");
  CHECK(nfc("") == "");
  CHECK(nfc("q\u0308") == "q\u0308");  // no precomposed q with diaeresis: stays as written
}

TEST_CASE("ascii_without_nul_prefix stops at the first NUL or non-ASCII byte at every offset", "[unicode]") {
  // Lengths 0..40 cover the word loop, its tail, and a stop in either; the stop is where the
  // byte was put.
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string plain(n, 'k');
    CHECK(ascii_without_nul_prefix(plain) == n);
    for (std::size_t at = 0; at < n; ++at)
      for (const std::string& bad : {std::string(1, '\0'), std::string("\x80"), std::string("\xff"), std::string("\u00e4")}) {
        std::string s = plain;
        s.replace(at, 1, bad);
        INFO("length " << n << ", at " << at);
        CHECK(ascii_without_nul_prefix(s) == at);
      }
  }
  CHECK(ascii_without_nul_prefix("\x7f~ \t\n") == 5);  // DEL and the other high ASCII bytes pass
}

TEST_CASE("invisible characters, bidi controls and controls are told apart", "[unicode]") {
  for (char32_t c : {U'\u200b', U'\u200c', U'\u200d', U'\u2060', U'\ufeff', U'\u00ad'}) CHECK(is_invisible(c));
  for (char32_t c : {U'\u202a', U'\u202e', U'\u2066', U'\u2069', U'\u200e', U'\u200f'}) {
    CHECK(is_bidi_control(c));
    CHECK(is_invisible(c));
  }
  for (char32_t c : {U'a', U'\u00e5', U'\u00e4', U'\u00f6', U'\u00e9', U'\u00fc', U'\u043e', U'_', U'1'}) {
    CHECK_FALSE(is_invisible(c));
    CHECK_FALSE(is_control(c));
  }
  for (char32_t c : {U'\x1b', U'\x07', U'\x7f', U'\u0085', U'\u009b'}) CHECK(is_control(c));
  CHECK(is_space(U'\u00a0'));
  CHECK_FALSE(is_space(U'a'));
}

TEST_CASE("code points are described by their Unicode names", "[unicode]") {
  CHECK(describe_code_point(U'\u043e') == "U+043E CYRILLIC SMALL LETTER O");
  CHECK(describe_code_point(U'\u200b') == "U+200B ZERO WIDTH SPACE");
  CHECK(describe_code_point(U'\u202e') == "U+202E RIGHT-TO-LEFT OVERRIDE");
  CHECK(describe_code_point(U'\u0391') == "U+0391 GREEK CAPITAL LETTER ALPHA");
  CHECK(describe_code_point(U'\x1b') == "U+001B");  // a control has no name
}

TEST_CASE("terminal_text escapes what would act on a terminal and keeps letters", "[unicode]") {
  CHECK(terminal_text("\u00c5rsbelopp f\u00f6r \u00f6kning") == "\u00c5rsbelopp f\u00f6r \u00f6kning");
  CHECK(terminal_text("a\x1b[2Jb") == "a\\x1b[2Jb");                    // clear screen
  CHECK(terminal_text("\x1b]0;title\x07") == "\\x1b]0;title\\x07");      // window title
  CHECK(terminal_text("one\ntwo\tthree") == "one\ntwo\tthree");            // line feed and tab stay
  CHECK(terminal_text("over\rwrite") == "over\\x0dwrite");                // a lone carriage return
  CHECK(terminal_text("line\r\n") == "line\r\n");                         // CRLF stays
  CHECK(terminal_text("del\x7f") == "del\\x7f");
  CHECK(terminal_text("c1\u0085\u009b") == "c1\\u{85}\\u{9b}");
  CHECK(terminal_text("abc\u202edef\u2066") == "abc\\u{202e}def\\u{2066}");
  CHECK(terminal_text("para\u2029graph") == "para\\u{2029}graph");
  CHECK(terminal_text(std::string("bad\xff\xc3", 5)) == "bad\\xff\\xc3");  // not UTF-8
  CHECK(terminal_text("zero\u200bwidth") == "zero\\u{200b}width");       // invisible: shown as what it is
}

TEST_CASE("excerpt quotes one value: every control escaped, a backslash doubled, cut after 40", "[unicode]") {
  CHECK(excerpt("\u00e5r 2025") == "\u00e5r 2025");
  CHECK(excerpt("one\ntwo\tthree\r\n") == "one\\x0atwo\\x09three\\x0d\\x0a");  // line ends and tabs too
  CHECK(excerpt("a\\b") == "a\\\\b");                                             // the text's own backslash
  CHECK(excerpt("\x1b]0;t\x07") == "\\x1b]0;t\\x07");
  CHECK(excerpt("y\u202eevil") == "y\\u{202e}evil");
  CHECK(excerpt(std::string("bad\xff\xc3", 5)) == "bad\\xff\\xc3");
  // A broken sequence, then a letter: one escape per byte, the letter kept.
  CHECK(excerpt(std::string("\xe2\x82x", 3)) == "\\xe2\\x82x");
  CHECK(excerpt(std::string(40, 'x')) == std::string(40, 'x'));  // 40 fit
  CHECK(excerpt(std::string(41, 'x')) == std::string(40, 'x') + "\u2026");
  // The cut counts characters, not bytes or escapes: 3 of them are 2 letters and an ESC.
  CHECK(excerpt("\u00e4\u00f6\x1b" "abc", 3) == "\u00e4\u00f6\\x1b\u2026");
  CHECK(excerpt(std::string("\xff\xfe\xfd", 3), 2) == "\\xff\\xfe\u2026");  // a byte that is not UTF-8 counts as one
  // Invisible by Unicode's properties, not by a list of our own: a variation selector, the
  // combining grapheme joiner (both Default_Ignorable_Code_Point).
  CHECK(excerpt("\u2764\ufe0f") == "\u2764\\u{fe0f}");
  CHECK(excerpt("a\u034fb") == "a\\u{34f}b");
}

TEST_CASE("escape: one function, two modes, either cut short", "[unicode]") {
  CHECK(escape("a\\b\nc", EscapeMode::terminal) == "a\\b\nc");
  CHECK(escape("a\\b\nc", EscapeMode::quoted) == "a\\\\b\\x0ac");
  // A terminal text cut short: what is kept stays as it is, escapes count as one character.
  CHECK(escape("ab\ncd\x1b" "ef", EscapeMode::terminal, 6) == "ab\ncd\\x1b\u2026");
  CHECK(escape("abc", EscapeMode::terminal, 3) == "abc");
  CHECK(escape("abc", EscapeMode::quoted, 0) == "\u2026");
  CHECK(escape("", EscapeMode::quoted, 0) == "");
}

TEST_CASE("skeletons make look-alikes equal and keep Swedish letters apart", "[unicode]") {
  Skeletons s;
  CHECK(s.of("kommun") == s.of("k\u043emmun"));  // Latin o, Cyrillic о
  CHECK(s.of("A") == s.of("\u0391"));             // Latin A, Greek Α
  CHECK(s.of("rn") == s.of("m"));
  CHECK(s.of("x1") == s.of("xl"));
  CHECK(s.of("\u00e4rende") != s.of("arende"));
  CHECK(s.of("\u00e5tg\u00e4rd") != s.of("atgard"));
  CHECK(s.of("\u00f6kning") != s.of("okning"));
  CHECK(s.of("Kommun") != s.of("kommun"));
  // An ASCII name takes the table built from ICU's skeletons of single characters; a name with
  // any other character goes to ICU whole. Both ways give one skeleton for one look.
  CHECK(s.of("kommun_1") == s.of("k\u043emmun_l"));
  CHECK(s.of("m") == "rn");  // confusables.txt: 006D -> 0072 006E
  CHECK(s.of("I1") == "ll");  // 0049 -> 006C, 0031 -> 006C
  CHECK(s.of("x0_") == "xO_");  // 0030 -> 004F
}

TEST_CASE("refused characters are named in the message", "[unicode]") {
  CHECK(refused_character(U'\u200b', "a name") ==
        "a name may not contain the invisible character U+200B ZERO WIDTH SPACE: two names that look the same would differ");
  CHECK(refused_character(U'\u202e', "a clause number").find("bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE") !=
        std::string::npos);
  CHECK(refused_character(U'\u20ac', "a name") ==
        "U+20AC EURO SIGN cannot be part of a name: names are made of letters, digits and `_`");
  CHECK(first_not_in_name("\u00e5tg\u00e4rd_2") == std::nullopt);
  CHECK(first_not_in_name("a\u0308rende") == std::nullopt);           // a combining mark
  CHECK(first_not_in_name("x\u037e") == std::optional<std::size_t>(1));  // GREEK QUESTION MARK, a sign
  CHECK(first_not_in_name("ab\u200bc") == std::optional<std::size_t>(2));
  CHECK(first_not_in_name("a-b") == std::optional<std::size_t>(1));
  CHECK(first_unseen("3.2") == std::nullopt);
  CHECK(first_unseen("\u00c5terbetalning") == std::nullopt);
  CHECK(first_unseen("1\u200b") == std::optional<std::size_t>(1));
  CHECK(first_unseen("a\tb") == std::optional<std::size_t>(1));
}

TEST_CASE("the parser reads names in NFC and refuses an invisible character where it is", "[unicode]") {
  auto parse = [](const std::string& text) {
    return parse_contract(std::make_shared<Source>(Source{"c.utfall", text}));
  };
  auto both = parse("term \u00e4r = 1\nterm y = a\u0308r\n");  // precomposed, then decomposed
  REQUIRE(both.contract);
  CHECK(both.contract->terms[1].value->range.end_offset - both.contract->terms[1].value->range.begin.offset == 4);
  auto ref = std::get<ast::NameRef>(both.contract->terms[1].value->node);
  CHECK(ref.name.text == "\u00e4r");

  auto hidden = parse("term ab\u200bc = 1\n");
  REQUIRE(hidden.diagnostics.size() == 1);
  CHECK(hidden.diagnostics[0].code == "E104");
  CHECK(hidden.diagnostics[0].range->begin.line == 1);
  CHECK(hidden.diagnostics[0].range->begin.column == 8);  // bytes: "term ab" is 7

  auto look_alike = parse("term kommun = 1\nterm k\u043emmun = 2\n");
  REQUIRE(look_alike.diagnostics.size() == 1);
  CHECK(look_alike.diagnostics[0].code == "E216");
  CHECK(look_alike.diagnostics[0].range->begin.line == 2);
  CHECK(look_alike.diagnostics[0].message.find("U+043E CYRILLIC SMALL LETTER O at 2") != std::string::npos);
}

TEST_CASE("a look-alike name is found after hundreds of names written between", "[unicode]") {
  // The parser finds names written before in a few slots before its table of every name: with
  // 500 names in between, each slot is taken over many times, and a name written again later
  // must still be known, and a look-alike still found, against the first spelling.
  std::string text = "term kommun = 1\n";
  for (int k = 1; k <= 500; ++k) text += "term t" + std::to_string(k) + " = kommun + " + (k > 1 ? "t" + std::to_string(k - 1) : "1") + "\n";
  text += "term kommun2 = kommun\nterm k\u043emmun = 2\n";
  auto parsed = parse_contract(std::make_shared<Source>(Source{"c.utfall", text}));
  REQUIRE(parsed.diagnostics.size() == 1);
  CHECK(parsed.diagnostics[0].code == "E216");
  CHECK(parsed.diagnostics[0].range->begin.line == 503);
  // Against the first spelling of `kommun` (line 1, column 6), not a later one.
  CHECK(parsed.diagnostics[0].message.find("the name `kommun` (U+006F LATIN SMALL LETTER O at 2) first written at 1:6:") != std::string::npos);
}

namespace {

using Pairs = std::vector<std::pair<std::size_t, std::size_t>>;

// The E216 pairs that the rule of names.hpp gives for `texts` written in this order: (place of a
// text, place of the first text of its look), 1-based, where the two texts differ. Computed one
// text at a time against every text before it, not by the code's grouping. `repeats` counts the
// texts that are written again as the first of their look is.
Pairs alike_by_rule(const std::vector<std::string>& texts, std::size_t& repeats) {
  Skeletons skeletons;
  Pairs out;
  for (std::size_t i = 0; i < texts.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (skeletons.of(texts[j]) == skeletons.of(texts[i])) {
        if (texts[j] != texts[i]) out.emplace_back(i + 1, j + 1);
        else ++repeats;
        break;
      }
  return out;
}

// The pairs `confusable_names` reports, each E216 saying `what` ("the name", "the clause number"):
// (line of its range, line of its note's range).
Pairs alike_reported(const Diagnostics& diagnostics, const std::string& what) {
  Pairs out;
  for (const auto& d : diagnostics) {
    REQUIRE(d.code == "E216");
    REQUIRE(d.range);
    REQUIRE(d.related.size() == 1);
    CHECK(d.message.rfind(what + " `", 0) == 0);
    out.emplace_back(d.range->begin.line, d.related[0].range.begin.line);
  }
  return out;
}

}  // namespace

TEST_CASE("every look-alike name is reported in order against the first name of its look", "[unicode]") {
  // Random names from letters with look-alikes (Latin o and Cyrillic о, `m` and `rn`, `l`, `I`
  // and `1`), each written once.
  const std::vector<std::string> pieces{"o", "\u043e", "m", "rn", "l", "I", "1", "a", "\u00e4"};
  std::mt19937 random(20261206);
  std::size_t reports = 0, repeats = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<ast::Name> names;
    std::vector<std::string> texts;
    std::set<std::string> written;
    const int count = 1 + static_cast<int>(random() % 40);
    while (static_cast<int>(names.size()) < count) {
      std::string text = "x";
      const int length = 1 + static_cast<int>(random() % 3);
      for (int k = 0; k < length; ++k) text += pieces[random() % pieces.size()];
      if (!written.insert(text).second) continue;
      ast::Name n{text, {}};
      n.range.begin.line = static_cast<SourceIndex>(names.size() + 1);
      names.push_back(n);
      texts.push_back(text);
    }
    const Pairs expected = alike_by_rule(texts, repeats);
    reports += expected.size();
    CHECK(alike_reported(confusable_names(names, {}), "the name") == expected);
  }
  CHECK(reports > 100);  // the draw makes look-alikes often
  CHECK(repeats == 0);
}

TEST_CASE("a clause number written again is no look-alike of itself but its look-alikes are", "[unicode]") {
  // Clause numbers may repeat (the same text is not E216): each later number is compared with
  // the first of its look, as for names, and reported only where its text differs from that one.
  const std::vector<std::string> pieces{"1", "l", "I", "0", "O", "2", "\u0399"};  // the last: Greek Ι
  std::mt19937 random(61206);
  std::size_t reports = 0, repeats = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<ast::ClauseDecl> clauses;
    std::vector<std::string> texts;
    const int count = 1 + static_cast<int>(random() % 30);
    for (int k = 0; k < count; ++k) {
      ast::ClauseDecl c;
      const int length = 1 + static_cast<int>(random() % 2);
      for (int i = 0; i < length; ++i) c.number += pieces[random() % pieces.size()];
      c.range.begin.line = static_cast<SourceIndex>(k + 1);
      texts.push_back(c.number);
      clauses.push_back(std::move(c));
    }
    const Pairs expected = alike_by_rule(texts, repeats);
    reports += expected.size();
    CHECK(alike_reported(confusable_names({}, clauses), "the clause number") == expected);
  }
  CHECK(reports > 100);  // the draw makes both cases often
  CHECK(repeats > 100);
}
