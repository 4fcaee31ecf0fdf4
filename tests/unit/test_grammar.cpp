// The grammar: PEGTL's static analysis of the top rules, and a table of expressions that the
// expression parser accepts or rejects (with the column of the error). Every expected column is
// counted by hand in the text beside it (1-based, in bytes; the texts here are ASCII).
#include <catch2/catch.hpp>

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>
#include <variant>
#include <vector>

#include "grammar/grammar.hpp"
#include "interpreter/parse.hpp"

using namespace utfall;

namespace {

ExpressionParseResult parse(const std::string& text, const ParseOptions& options = {}) {
  return parse_expression(std::make_shared<Source>(Source{"<t>", text}), options);
}

}  // namespace

TEST_CASE("the grammar has no left recursion or empty loops", "[grammar]") {
  // analyze<>() reports rules that can recurse without consuming input and loops over rules
  // that can succeed on empty input; either would make the parser hang or overflow.
  REQUIRE(tao::pegtl::analyze<grammar::contract_file>() == 0);
  REQUIRE(tao::pegtl::analyze<grammar::expression_file>() == 0);
}

TEST_CASE("expressions the parser accepts", "[grammar]") {
  const char* accepted[] = {
      "1 + 2 * 3",
      "a.b",
      "c.person.alder",           // a field of a linked record (language.md §8.5)
      "participant.participant",  // `participant` is a name (§2.4)
      "sum(x for u in s where u.a > 1)",
      "sum(x for u in s)",
      "sum(x over 2016 .. 2018)",
      "count(u in s where u.ok)",
      "x @ 2027",
      "@2027",
      "--1",
      "- -1",
      "not (not true)",
      "not a and b or c",
      "7_000_000 SEK",
      "500_000 SEK per placement",
      "30 %",
      "0.075",
      "if a then 1 else 2",
      "if a then if b then 1 else 2 else 3",
      "max(a, b)",
      "f()",
      "round(x, 0.01, half_even)",
      "(1)",
      "1 <= 2",
      "1 != 2",
      "1 = 2",
      "period + 1",
      "  1  ",
      "1 # a comment",
      "(\n1\n+\n2\n)",
  };
  for (const char* text : accepted) {
    INFO("expression: " << text);
    auto r = parse(text);
    CHECK(r.diagnostics.empty());
    CHECK(r.expr != nullptr);
  }
}

TEST_CASE("the parser builds the expected tree", "[grammar]") {
  SECTION("* binds tighter than +") {
    auto r = parse("1 + 2 * 3");
    REQUIRE(r.expr);
    auto* b = std::get_if<ast::Binary>(&r.expr->node);
    REQUIRE(b);
    CHECK(b->op == ast::BinaryOp::add);
    REQUIRE(std::get_if<ast::Binary>(&b->rhs->node));
    CHECK(std::get_if<ast::Binary>(&b->rhs->node)->op == ast::BinaryOp::multiply);
  }
  SECTION("--1 is a negation of a negation") {
    auto r = parse("--1");
    REQUIRE(r.expr);
    auto* u = std::get_if<ast::Unary>(&r.expr->node);
    REQUIRE(u);
    CHECK(u->op == ast::UnaryOp::negate);
    auto* inner = std::get_if<ast::Unary>(&u->operand->node);
    REQUIRE(inner);
    CHECK(inner->op == ast::UnaryOp::negate);
  }
  SECTION("a.b is a field of a participant") {
    auto r = parse("a.b");
    REQUIRE(r.expr);
    auto* f = ast::node_if<ast::FieldRef>(&r.expr->node);
    REQUIRE(f);
    CHECK(f->binder.text == "a");
    CHECK(f->field.text == "b");
  }
  SECTION("x @ 2027") {
    auto r = parse("x @ 2027");
    REQUIRE(r.expr);
    auto* a = std::get_if<ast::At>(&r.expr->node);
    REQUIRE(a);
    CHECK(a->period.name == "2027");
  }
  SECTION("a string is a text literal, its escapes undone") {
    auto r = parse("u.k = \"Q\\\"x\\\\\"");
    REQUIRE(r.expr);
    auto* b = std::get_if<ast::Binary>(&r.expr->node);
    REQUIRE(b);
    auto* t = std::get_if<ast::TextLit>(&b->rhs->node);
    REQUIRE(t);
    CHECK(t->value == "Q\"x\\");
  }
  SECTION("7_000_000 SEK keeps its unit") {
    auto r = parse("7_000_000 SEK");
    REQUIRE(r.expr);
    auto* n = std::get_if<ast::NumberLit>(&r.expr->node);
    REQUIRE(n);
    CHECK(n->value.to_string() == "7000000");
    REQUIRE(n->unit.numerator.size() == 1);
    CHECK(n->unit.numerator[0].text == "SEK");
  }
}

TEST_CASE("expressions the parser rejects, with the column of the error", "[grammar]") {
  struct Case {
    const char* text;
    std::size_t column;
  };
  const Case rejected[] = {
      {"(1", 3},                  // `)` expected at the end
      {"1 +", 4},                 // an operand expected at the end
      {"1 < 2 < 3", 7},           // comparisons do not chain: the second `<` is left over
      {"1 = 1 = 1", 7},           // nor does `=`
      {"1 2", 3},                 // text after the end of the expression
      {"", 1},                    // no expression at all
      {"1.", 3},                  // digits after the decimal point
      {"1..2", 2},                // `..` is not an operator
      {"if a then 1", 12},        // an `if` needs `else`
      {"if a 1 else 2", 6},       // ... and `then`
      {"sum(x)", 6},              // sum needs `for` or `over`
      {"sum(x for u)", 12},       // `in` after the binder
      {"count(u in)", 11},        // the set after `in`
      {"x @", 4},                 // a period after `@`
      {"a.", 3},                  // a field after `.`
      {"c.p.", 5},                // a field of the linked record after the second `.`
      {"c.p.q.r", 6},             // one link is followed at a time
      {"max(1, 2", 9},            // `)` after the arguments
      {"-", 2},                   // an operand after `-`
      {"not", 4},                 // an operand after `not`
      {"1 and", 6},               // an operand after `and`
      {"1 or", 5},                // an operand after `or`
      {"\"text", 6},              // a text literal is closed on its line
      {"\"a\" \"b\"", 5},           // two texts are not one expression
      {"1 ->", 3},                // `->` is not subtraction
  };
  for (const auto& c : rejected) {
    INFO("expression: " << c.text);
    auto r = parse(c.text);
    CHECK(r.expr == nullptr);
    REQUIRE(r.diagnostics.size() == 1);
    const auto& d = r.diagnostics.front();
    CHECK(d.code == "E101");
    CHECK(d.kind == DiagKind::syntax);
    REQUIRE(d.range.has_value());
    CHECK(d.range->begin.line == 1);
    CHECK(d.range->begin.column == c.column);
  }
}

TEST_CASE("nesting deeper than the limit is a limit diagnostic, not a crash", "[grammar]") {
  const std::size_t n = 100000;
  SECTION("parentheses") {
    auto r = parse(std::string(n, '(') + "1" + std::string(n, ')'));
    CHECK(r.expr == nullptr);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].code == "E706");
    CHECK(r.diagnostics[0].kind == DiagKind::limit);
    CHECK(r.diagnostics[0].message.find("nest") != std::string::npos);
    // The limit is 200 levels: the 201st parenthesis is the first one too deep.
    CHECK(r.diagnostics[0].range->begin.column == 201);
  }
  SECTION("minus signs") {
    auto r = parse(std::string(n, '-') + "1");
    CHECK(r.expr == nullptr);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].code == "E706");
    CHECK(r.diagnostics[0].range->begin.column == 201);
  }
  SECTION("a lower limit applies as configured") {
    ParseOptions options;
    options.max_nesting = 3;
    // (The exact boundary is not pinned here: today the innermost operand counts as a level.)
    CHECK(parse("((1))", options).expr != nullptr);
    auto r = parse("((((((1))))))", options);
    CHECK(r.expr == nullptr);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].code == "E706");
    CHECK(r.diagnostics[0].message.find("nest") != std::string::npos);
  }
}

namespace {

struct InLanguage {
  grammar::Language language;
};

// What `reserved` consumed at the start of `text` read in `language`; nullopt when it failed.
std::optional<std::string> reserved_at(const std::string& text, grammar::Language language) {
  tao::pegtl::memory_input<> in(text, "<t>");
  InLanguage state{language};
  if (!tao::pegtl::parse<grammar::reserved>(in, state)) return std::nullopt;
  return std::string(text.data(), in.current());
}

}  // namespace

// `reserved` reads the run of name characters once and looks it up. Expected by hand, from the
// table in grammar/keywords.hpp: reserved are the rows before `minor`, in the file's own set,
// and only where no name character follows (`andel` and `summan` are names; `sum(` is not).
TEST_CASE("reserved words: the file's set, whole words only", "[grammar]") {
  using grammar::Language;
  const auto en = Language::english, sv = Language::swedish;
  CHECK(reserved_at("and x", en) == "and");
  CHECK(reserved_at("sum(x)", en) == "sum");
  CHECK(reserved_at("set", en) == "set");
  CHECK(reserved_at("period,", en) == "period");
  CHECK(reserved_at("per period", en) == "per");
  CHECK_FALSE(reserved_at("andel", en));
  CHECK_FALSE(reserved_at("sum_1", en));
  CHECK_FALSE(reserved_at("Sum", en));
  CHECK_FALSE(reserved_at("minor", en));     // a keyword only where it stands
  CHECK_FALSE(reserved_at("yearly", en));
  CHECK_FALSE(reserved_at("och", en));       // Swedish, in an English file
  CHECK(reserved_at("och ", sv) == "och");
  CHECK(reserved_at("så\n", sv) == "så");
  CHECK(reserved_at("för{", sv) == "för");
  CHECK(reserved_at("förvänta x", sv) == "förvänta");
  CHECK(reserved_at("sätt", sv) == "sätt");
  CHECK_FALSE(reserved_at("summan", sv));
  CHECK_FALSE(reserved_at("föra", sv));
  CHECK_FALSE(reserved_at("fö", sv));
  CHECK_FALSE(reserved_at("and", sv));
  CHECK_FALSE(reserved_at("sum", sv));
  // A letter beyond ASCII continues the word; a combining mark does too.
  CHECK_FALSE(reserved_at("andé", en));
  CHECK_FALSE(reserved_at("and\xCC\x88", en));  // and + U+0308
  CHECK_FALSE(reserved_at("andẞ", en));          // U+1E9E, Latin Extended Additional
  // A character that cannot continue a name ends the word: a no-break space (then E104 at it),
  // an emoji, a lone continuation byte, a truncated sequence.
  CHECK(reserved_at("and\xC2\xA0", en) == "and");
  CHECK(reserved_at("and\xF0\x9F\x98\x80", en) == "and");
  CHECK(reserved_at("and\x80", en) == "and");
  CHECK(reserved_at("and\xC3", en) == "and");
  CHECK(reserved_at("för\xE2\x80\x8B", sv) == "för");  // U+200B
  // Every reserved row in both sets, and the first non-reserved row in neither.
  for (std::size_t k = 0; k < static_cast<std::size_t>(grammar::Keyword::minor_); ++k) {
    const auto& row = grammar::keyword_spellings[k];
    CHECK(reserved_at(std::string(row.english) + " ", en) == std::string(row.english));
    CHECK(reserved_at(std::string(row.swedish) + " ", sv) == std::string(row.swedish));
    CHECK_FALSE(reserved_at(std::string(row.english) + "x", en));
  }
}

// is_keyword and is_reserved look only at the rows that begin with the word's first byte. The
// model: the definition, a scan of every row. Every spelling of both sets, with a byte more, a
// byte less and its first letter in upper case, and words that begin no keyword.
TEST_CASE("keyword lookup by first byte agrees with a scan of the whole table", "[grammar]") {
  using grammar::Language;
  const std::size_t minor = static_cast<std::size_t>(grammar::Keyword::minor_);
  const std::size_t rows = std::size(grammar::keyword_spellings);
  REQUIRE(rows > 64);  // rows in both halves of the table's bit sets
  auto scan = [&](std::string_view word, Language language, std::size_t upto) {
    for (std::size_t k = 0; k < upto; ++k)
      if (grammar::spelling(static_cast<grammar::Keyword>(k), language) == word) return true;
    return false;
  };
  std::vector<std::string> words = {"", "x", "0", "_", "\xC3\xA5", "zz", "\x80"};
  for (const auto& row : grammar::keyword_spellings)
    for (std::string_view w : {row.english, row.swedish}) {
      std::string s(w);
      words.push_back(s);
      words.push_back(s + "a");
      words.push_back(s.substr(0, s.size() - 1));
      s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
      words.push_back(s);
    }
  std::size_t keywords = 0;
  for (const auto& w : words)
    for (Language language : {Language::english, Language::swedish}) {
      CHECK(grammar::is_keyword(w, language) == scan(w, language, rows));
      CHECK(grammar::is_reserved(w, language) == scan(w, language, minor));
      keywords += grammar::is_keyword(w, language);
    }
  CHECK(keywords >= 2 * rows);  // at least every row's own spelling, in its own set
  // The last row, in the second half of the bit sets, and a row just before `minor`.
  CHECK(grammar::is_keyword("net", Language::english));
  CHECK_FALSE(grammar::is_reserved("net", Language::english));
  CHECK(grammar::is_reserved("set", Language::english));
  CHECK(grammar::is_reserved("sätt", Language::swedish));
}

// The boxed kinds of node (ast::Boxed): a node moved from keeps an empty box, and freeing it
// must not open the box; the node moved to keeps the whole tree.
TEST_CASE("a syntax node moved from is freed with its box empty", "[ast]") {
  auto field = std::make_unique<ast::Expr>(ast::FieldRef{{"u", {}}, {"stabil", {}}, std::nullopt}, SourceRange{});
  auto over = std::make_unique<ast::Expr>(ast::OverPeriods{std::move(field), {"2025", {}}, {"2027", {}}}, SourceRange{});
  ast::Expr moved(std::move(*over));
  over.reset();  // frees the node moved from
  const auto* sum = ast::node_if<ast::OverPeriods>(&moved.node);
  REQUIRE(sum);
  REQUIRE(sum->body);
  const auto* f = ast::node_if<ast::FieldRef>(&sum->body->node);
  REQUIRE(f);
  CHECK(f->field.text == "stabil");
  CHECK(sum->last.name == "2027");
}
