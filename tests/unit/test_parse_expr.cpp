// The parser's expression reader (interpreter/parse_expr.hpp) against the grammar's rules: the
// parser with the reader and without it (ParseOptions::expression_reader) must give the same
// tree, to every range and height, and the same diagnostics, for every contract of the
// repository and for contracts made here of random expressions, well and badly formed. The
// rules are the reference; the reader adds speed only. Also: the forms the reader reads itself
// (so that the comparison is not won by declining everything) and those it leaves to the rules.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/format.hpp"
#include "interpreter/parse.hpp"
#include "interpreter/parse_expr.hpp"
#include "tests/fuzz/parse_outcome.hpp"

using namespace utfall;

namespace {

// A parse as text: every diagnostic with its place, then the tree with every position.
std::string outcome(const std::string& text, bool reader, std::size_t max_nesting = 200) {
  ParseOptions options;
  options.expression_reader = reader;
  options.max_nesting = max_nesting;
  return testing::parse_outcome(parse_contract(std::make_shared<Source>(Source{"t.utfall", text}), options));
}

void same_with_and_without_reader(const std::string& text) {
  INFO(text);
  REQUIRE(outcome(text, true) == outcome(text, false));
}

// An expression alone (`utfall eval`, `--set`, the REPL) as text: diagnostics, then its tree.
std::string expression_outcome(const std::string& text, bool reader) {
  ParseOptions options;
  options.expression_reader = reader;
  auto source = std::make_shared<Source>(Source{"<expression>", text});
  auto parsed = parse_expression_either(source, options);
  ParseResult as_contract{std::nullopt, parsed.diagnostics};
  if (parsed.expr) {
    as_contract.contract.emplace();
    as_contract.contract->terms.push_back(ast::TermDecl{ast::Name{"t", {}}, std::move(parsed.expr)});
  }
  return testing::parse_outcome(as_contract);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What the reader itself makes of `text` from byte `from` (on the first line): the tree as
// `dump_ast` writes a term `t` whose name stands where `term t = ` puts it, and the offset where
// the reader stopped; or "declined".
std::string read_alone(const std::string& text, std::size_t from = 0) {
  auto source = std::make_shared<Source>(Source{"t.utfall", text});
  auto out = expression_reader::read_expression(source, source_position(from, 1, from + 1), grammar::Language::english, {16, 1000});
  if (!out.read) return "declined";
  ast::Contract c;
  c.terms.push_back(ast::TermDecl{ast::Name{"t", SourceRange{source.get(), Position{5, 1, 6}, 6}}, std::move(out.read->expr)});
  return dump_ast(c, true) + "end " + std::to_string(out.read->end.offset);
}
// The offset where the reader stopped in `text`.
std::string end_of(const std::string& text) {
  const auto alone = read_alone(text);
  return alone == "declined" ? alone : alone.substr(alone.rfind("end ") + 4);
}

// The value of `term t = X` as the parser reads it without the reader, the same text.
std::string read_by_rules(const std::string& text) {
  const std::string prefix = "term t = ";
  ParseOptions options;
  options.expression_reader = false;
  auto parsed = parse_contract(std::make_shared<Source>(Source{"t.utfall", prefix + text}), options);
  if (!parsed.contract || parsed.contract->terms.size() != 1) return "no tree";
  return dump_ast(*parsed.contract, true);
}

// Random expressions: a grammar of the well-formed ones with random spacing, and a soup of the
// language's tokens for the rest. Written from docs/language.md, not from the reader.
class Expressions {
 public:
  Expressions(unsigned seed, grammar::Language language) : rng_(seed), swedish_(language == grammar::Language::swedish) {}

  // or/and over comparisons, one comparison at most between two sums (docs/language.md §5).
  std::string well_formed(int depth = 0) {
    std::string out = comparison(depth);
    for (auto n = below(depth > 2 ? 1 : 3); n > 0; --n) out += word_gap() + (below(2) ? (swedish_ ? "och" : "and") : (swedish_ ? "eller" : "or")) + word_gap() + comparison(depth);
    return out;
  }
  std::string soup() {
    static const char* tokens[] = {
        "a", "b1", "_x", "andel", "orange", "not", "and", "or", "if", "then", "else", "sum", "count", "date", "per",
        "participant", "participants", "period", "unlimited", "true", "SEK", "total", "x.y", "c.person.alder", "1",
        "1_000", "0.5", "1.", "1..2", "5_", "2025Q1", "7SEK", "30 %", "(", ")", ",", "+", "-", "->", "*", "/", "<",
        "<=", ">=", "==", "=>", "!", "!=", "=", "@", "@2027", "\"t\"", "ä", "\xE2\x80\x8B", "a\xC3\xA4", "#c\n",
        " ", "\t", "\n", "  ", "date 2025-03-31", "1 SEK per x per y", "min(", "f()", "%", "kostnad", "kostn\xD0\xB0" "d", "Kostnad", "2 SEK per participant", "3 SEK per period", "1 per"};
    std::string out;
    const auto n = 1 + below(12);
    for (std::size_t i = 0; i < n; ++i) out += std::string(tokens[below(std::size(tokens))]) + (below(3) ? " " : "");
    return out;
  }

 private:
  std::mt19937 rng_;
  bool swedish_;
  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  std::string comparison(int depth) {
    static const char* ops[] = {"<", "<=", ">", ">=", "=", "!="};
    std::string out = arithmetic(depth);
    if (below(3) == 0) out += gap() + ops[below(std::size(ops))] + gap() + arithmetic(depth);
    return out;
  }
  std::string arithmetic(int depth) {
    static const char* ops[] = {"+", "-", "*", "/"};
    std::string out = operand(depth);
    for (auto n = below(depth > 2 ? 2 : 4); n > 0; --n) out += gap() + ops[below(std::size(ops))] + gap() + operand(depth);
    return out;
  }
  std::string operand(int depth) {
    switch (below(depth > 3 ? 3 : 6)) {
      case 0: return number();
      case 1: return name();
      case 2: return number() + blank() + unit();
      case 3: return "(" + gap() + well_formed(depth + 1) + gap() + ")";
      case 4: return "-" + gap() + operand(depth + 1);
      default: {
        std::string call = name() + (below(4) == 0 ? gap() : "") + "(" + gap();
        const auto args = below(4);
        for (std::size_t i = 0; i < args; ++i) call += (i ? spaces() + "," + spaces() : "") + well_formed(depth + 1);
        return call + gap() + ")";
      }
    }
  }
  std::string number() {
    static const char* numbers[] = {"0", "7", "1_000", "0.075", "12.5", "200_000_000", "3"};
    return numbers[below(std::size(numbers))];
  }
  std::string name() {
    static const char* names[] = {"a", "kostnad", "andel", "d1", "_n", "max", "min", "tak", "orx", "nota", "per_x"};
    return names[below(std::size(names))];
  }
  std::string unit() {
    static const char* units[] = {"SEK", "%", "SEK per placement", "kr per x per y"};
    return units[below(std::size(units))];
  }
  std::string blank() { return below(2) ? " " : (below(2) ? "\t" : ""); }
  std::string spaces() { return below(3) ? "" : (below(2) ? " " : "\n  "); }
  std::string word_gap() {  // around `and` and `or`: never empty
    auto g = gap();
    return g.empty() ? " " : g;
  }
  std::string gap() {
    switch (below(6)) {
      case 0: return "";
      case 1: return below(2) ? "\n    " : "\r\n  ";
      case 2: return " # note\n  ";
      default: return " ";
    }
  }
};

// A contract with `x` at each place an expression stands, in English or in Swedish.
std::string contract_around(const std::string& x, grammar::Language language = grammar::Language::english) {
  if (language == grammar::Language::swedish)
    return "avtal \"T\"\nvaluta SEK\npart kommun \"K\"\npart fonden \"F\"\nperioder årsvis 2025 .. 2026\n"
           "uppgift kostnad : SEK per period\nvillkor t = " + x + "\npunkt \"1\" \"K\" {\n  låt d = " + x +
           "\n  betalning p: kommun -> fonden\n    belopp " + x + "\n    när " + x + "\n    maximerat till " + x +
           " per period\n}\n";
  return "contract \"T\"\ncurrency SEK\nparty kommun \"K\"\nparty fonden \"F\"\nperiods yearly 2025 .. 2026\n"
         "input kostnad : SEK per period\nterm t = " + x + "\nclause \"1\" \"K\" {\n  let d = " + x +
         "\n  pay p: kommun -> fonden\n    amount " + x + "\n    when " + x + "\n    capped at " + x +
         " per period\n}\n";
}

}  // namespace

TEST_CASE("the reader gives the rules' tree and diagnostics for every contract of the repository", "[parse_expr]") {
  std::size_t files = 0;
  for (const char* folder : {"examples", "tests"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::filesystem::path(UTFALL_SOURCE_DIR) / folder)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".utfall") continue;
      same_with_and_without_reader(read_file(entry.path()));
      ++files;
    }
  }
  CHECK(files >= 30);
}

TEST_CASE("the reader gives the rules' tree and diagnostics for random expressions", "[parse_expr]") {
  for (auto language : {grammar::Language::english, grammar::Language::swedish}) {
    Expressions make(20261204, language);
    std::size_t trees = 0, read = 0;
    for (int i = 0; i < 1000; ++i) {
      const auto x = make.well_formed();
      const auto good = contract_around(x, language);
      same_with_and_without_reader(good);
      trees += outcome(good, true).rfind("(contract", 0) == 0;
      // ... and read by the reader itself, not left to the rules (an English expression).
      if (language == grammar::Language::english) read += read_alone(x) != "declined";
      same_with_and_without_reader(contract_around(make.soup(), language));
      same_with_and_without_reader(contract_around(x + " " + make.soup(), language));
      const auto soup = make.soup();
      INFO(soup);
      CHECK(expression_outcome(x, true) == expression_outcome(x, false));
      CHECK(expression_outcome(soup, true) == expression_outcome(soup, false));
    }
    // The well-formed ones are read to trees (the comparison is of trees, not only of errors).
    CHECK(trees == 1000);
    if (language == grammar::Language::english) CHECK(read == 1000);
  }
}

TEST_CASE("the reader declines at the parser's limits and the rules report them", "[parse_expr]") {
  // 30 brackets: beyond the reader's 16 levels; with a limit of 20 the rules say E706 at the 21st.
  const std::string deep = std::string(30, '(') + "1" + std::string(30, ')');
  CHECK(read_alone(deep) == "declined");
  const auto limited = outcome(contract_around(deep), true, 20);
  CHECK(limited.rfind("E706", 0) == 0);
  CHECK(limited == outcome(contract_around(deep), false, 20));
  // 12 brackets under a limit of 10: the reader is given the parser's 10 levels and declines.
  const std::string twelve = std::string(12, '(') + "1" + std::string(12, ')');
  CHECK(outcome(contract_around(twelve), true, 10).rfind("E706", 0) == 0);
  CHECK(outcome(contract_around(twelve), true, 10) == outcome(contract_around(twelve), false, 10));
  // A flat chain of 1 001 additions is higher than the parser allows (1 000).
  std::string chain = "1";
  for (int i = 0; i < 1001; ++i) chain += " + 1";
  CHECK(read_alone(chain) == "declined");
  CHECK(outcome(contract_around(chain), true).rfind("E706", 0) == 0);
  same_with_and_without_reader(contract_around(chain));
}

TEST_CASE("at the nesting limit the reader and the rules agree, level by level", "[parse_expr]") {
  // An empty call counts a level for the argument the rules try before `)`.
  for (std::size_t limit : {3u, 5u, 10u, 16u, 17u, 40u}) {
    for (std::size_t n = limit - 3; n <= limit + 1; ++n) {
      for (const char* core : {"f()", "x", "-x", "f(x)", "- -x", "f(g())"}) {
        const auto text = contract_around(std::string(n, '(') + core + std::string(n, ')'));
        INFO(limit << " " << n << " " << core);
        REQUIRE(outcome(text, true, limit) == outcome(text, false, limit));
      }
    }
  }
  // At the default limit, the reader declining every 16 levels and tried again below.
  for (std::size_t n : {198u, 199u, 200u}) {
    const auto text = contract_around(std::string(n, '(') + "f()" + std::string(n, ')'));
    REQUIRE(outcome(text, true) == outcome(text, false));
  }
}

TEST_CASE("the forms the reader reads itself, as the rules read them", "[parse_expr]") {
  // The generated contracts of bench/ are made of these; each is read to its end.
  const char* read[] = {
      "max(baslinje - kostnad * 2 / 10, 0 SEK)",
      "min(d1 * andel, tak)",
      "d1 > 0 SEK",
      "500_000 SEK",
      "30 %",
      "1 SEK per x per y",
      "-(a + b) * 2",
      "a < b and c >= 1 or d != e",
      "f()",
      "f (a,\n b)",
      "a # why\n + b",
  };
  for (const char* text : read) {
    INFO(text);
    REQUIRE(end_of(text) == std::to_string(std::string(text).size()));
    // Read where the rules read it, after `term t = `: the same tree, to every position.
    const auto at_nine = read_alone("term t = " + std::string(text), 9);
    CHECK(at_nine.substr(0, at_nine.rfind("end ")) == read_by_rules(text));
  }
  // Where an expression ends, the reader stops as the rules do: before `->`, `==`, a second
  // comparison, a unit's `per period`, and a word on the next line.
  CHECK(end_of("a -> b") == "1");
  CHECK(end_of("a == b") == "1");
  CHECK(end_of("a < b < c") == "5");
  CHECK(end_of("5 SEK per period") == "5");
  CHECK(end_of("x\n  rounded") == "1");
}

TEST_CASE("names read by the reader and by the rules are recorded in the order written", "[parse_expr]") {
  // E216 cites the first-written of two confusable names: here an ASCII one (read by the
  // reader) and one with a Cyrillic `а` (declined, read by the rules), in either order.
  for (const char* x : {"kostnad + kostn\xD0\xB0" "d", "kostn\xD0\xB0" "d + kostnad", "max(kostnad, 1 SEK) + kostn\xD0\xB0" "d"}) {
    const auto text = contract_around(x);
    INFO(x);
    const auto with = outcome(text, true);
    CHECK(with.rfind("E216", 0) == 0);
    CHECK(with == outcome(text, false));
  }
}

TEST_CASE("the forms the reader leaves to the rules", "[parse_expr]") {
  const char* declined[] = {
      "if a then 1 else 2", "sum(x for u in s)", "not a", "a and not b", "x @ 2027", "u.f", "\"m01\"",
      "date 2025-03-31",   "true",              "unlimited SEK", "a\xC3\xA4", "1.x", "5_", "a or\xE2\x80\x8B b",
      "(a",                "f(a,)",             "-> b",
  };
  for (const char* text : declined) {
    INFO(text);
    CHECK(read_alone(text) == "declined");
  }
}

TEST_CASE("a source is never longer than its positions can hold whatever limit a host sets", "[parse]") {
  // Positions are 32 bits: the longest source is 2^32 - 2 bytes, so that an offset one past its
  // end (2^32 - 1) still fits.
  ParseOptions options;
  options.max_source_bytes = std::numeric_limits<std::size_t>::max();
  CHECK(source_limit(options) == 4294967294u);
  const Position last = source_position(4294967294u, 4294967295u, 4294967295u);
  CHECK(last.offset == 4294967294u);
  CHECK(last.line == 4294967295u);
  options.max_source_bytes = 10;
  CHECK(source_limit(options) == 10);
  auto parsed = parse_contract(std::make_shared<Source>(Source{"c.utfall", "term x = 12\n"}), options);  // 12 bytes
  REQUIRE(parsed.diagnostics.size() == 1);
  CHECK(parsed.diagnostics[0].code == "E701");
  CHECK(parsed.diagnostics[0].message == "the source is 12 bytes, more than the limit of 10");
}
