// The keywords of utfall in their two spellings, English and Swedish: one table, read by the
// grammar (grammar/grammar.hpp makes a rule of each row) and by the formatter (which writes a
// contract in either set). docs/svenska.md gives the reason for each Swedish word.
//
// A file is written in one set. Which one is said by its first word (after comments and
// blanks): a Swedish keyword that is not also an English one (`avtal`, `valuta`, `part`, ...)
// makes the file Swedish; anything else, English. In a Swedish file only the Swedish spellings
// are keywords, so an English keyword is an ordinary name there, and the other way round; a
// keyword of the other set where the parser stops is reported as such (interpreter/parse.cpp).
// The tree does not record the set: both spellings give the same `ast::Contract`.
//
// Every keyword is one word in both sets, so a phrase (`for each`, `at least`) has as many words
// in Swedish as in English and the grammar is the same for both.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace utfall::grammar {

enum class Language : unsigned char { english, swedish };

// X(name, English, Swedish). The first rows are reserved (they cannot be names, in their own
// set); from `minor` on, a word is a keyword only where it stands (docs/language.md §3).
#define UTFALL_KEYWORDS(X)                   \
  X(and, "and", "och")                       \
  X(or, "or", "eller")                       \
  X(not, "not", "inte")                      \
  X(if, "if", "om")                          \
  X(then, "then", "så")                      \
  X(else, "else", "annars")                  \
  X(true, "true", "sant")                    \
  X(false, "false", "falskt")                \
  X(when, "when", "när")                     \
  X(per, "per", "per")                       \
  X(period, "period", "period")              \
  X(in, "in", "i")                           \
  X(of, "of", "av")                          \
  X(rest, "rest", "resten")                  \
  X(to, "to", "till")                        \
  X(from, "from", "från")                    \
  X(until, "until", "intill")                \
  X(at, "at", "till")                        \
  X(capped, "capped", "maximerat")           \
  X(let, "let", "låt")                       \
  X(pay, "pay", "betalning")                 \
  X(waterfall, "waterfall", "betalningsordning") \
  X(pays, "pays", "betalar")                 \
  X(clause, "clause", "punkt")               \
  X(term, "term", "villkor")                 \
  X(input, "input", "uppgift")               \
  X(unit, "unit", "enhet")                   \
  X(party, "party", "part")                  \
  X(contract, "contract", "avtal")           \
  X(currency, "currency", "valuta")          \
  X(periods, "periods", "perioder")          \
  X(for, "for", "för")                       \
  X(each, "each", "varje")                   \
  X(where, "where", "där")                   \
  X(over, "over", "över")                    \
  X(table, "table", "tabell")                \
  X(scale, "scale", "skala")                 \
  X(example, "example", "exempel")           \
  X(expect, "expect", "förvänta")            \
  X(sum, "sum", "summa")                     \
  X(count, "count", "antal")                 \
  X(netted, "netted", "avräknat")            \
  X(rounded, "rounded", "avrundat")          \
  X(amount, "amount", "belopp")              \
  X(least, "least", "minst")                 \
  X(total, "total", "allt")                  \
  X(data, "data", "uppgifter")               \
  X(set, "set", "sätt")                      \
  X(minor, "minor", "minsta")                \
  X(plural, "plural", "pluralis")            \
  X(yearly, "yearly", "årsvis")              \
  X(quarterly, "quarterly", "kvartalsvis")   \
  X(monthly, "monthly", "månadsvis")         \
  X(participants, "participants", "deltagare") \
  X(participant, "participant", "deltagare") \
  X(records, "records", "poster")            \
  X(key, "key", "nyckel")                    \
  X(once, "once", "en")                      \
  X(times, "times", "gånger")                \
  X(number, "number", "tal")                 \
  X(ratio, "ratio", "andel")                 \
  X(percent, "percent", "procent")           \
  X(boolean, "boolean", "sanningsvärde")     \
  X(text, "text", "text")                    \
  X(up, "up", "upp")                         \
  X(most, "most", "högst")                   \
  X(whole, "whole", "heltal")                \
  X(between, "between", "mellan")            \
  X(unlimited, "unlimited", "obegränsat")    \
  X(date, "date", "datum")                   \
  X(net, "net", "netto")

// `Keyword::and_`: the C++ names of the rows (`and` itself is a C++ operator).
enum class Keyword : unsigned char {
#define UTFALL_KEYWORD_ENUM(name, english, swedish) name##_,
  UTFALL_KEYWORDS(UTFALL_KEYWORD_ENUM)
#undef UTFALL_KEYWORD_ENUM
};

struct KeywordSpelling {
  std::string_view english, swedish;
};

inline constexpr KeywordSpelling keyword_spellings[] = {
#define UTFALL_KEYWORD_ROW(name, english, swedish) {english, swedish},
    UTFALL_KEYWORDS(UTFALL_KEYWORD_ROW)
#undef UTFALL_KEYWORD_ROW
};

constexpr std::string_view spelling(Keyword k, Language language) {
  const auto& row = keyword_spellings[static_cast<std::size_t>(k)];
  return language == Language::swedish ? row.swedish : row.english;
}

// For each language and first byte, the rows whose spelling begins with that byte (bit k of
// the pair is row k): a name is compared only with the few keywords that begin as it does. The
// parser asks for every name it reads, so this is on the hot path of parsing.
struct RowsByFirstByte {
  std::uint64_t bits[2][256][2] = {};
};
static_assert(std::size(keyword_spellings) <= 128, "RowsByFirstByte holds 128 rows");
constexpr RowsByFirstByte rows_by_first_byte() {
  RowsByFirstByte t;
  for (std::size_t k = 0; k < std::size(keyword_spellings); ++k)
    for (Language language : {Language::english, Language::swedish}) {
      const auto first = static_cast<unsigned char>(spelling(static_cast<Keyword>(k), language).front());
      t.bits[static_cast<int>(language)][first][k / 64] |= std::uint64_t{1} << (k % 64);
    }
  return t;
}
inline constexpr RowsByFirstByte keyword_rows_by_first_byte = rows_by_first_byte();

// Whether `word` is the spelling in `language` of one of the table's first `rows` rows.
constexpr bool spells_one_of(std::string_view word, Language language, std::size_t rows) {
  if (word.empty()) return false;
  const auto& halves = keyword_rows_by_first_byte.bits[static_cast<int>(language)][static_cast<unsigned char>(word.front())];
  for (std::size_t half = 0; half < 2; ++half)
    for (std::uint64_t m = halves[half]; m != 0; m &= m - 1) {  // rows in increasing order
      const std::size_t k = half * 64 + static_cast<std::size_t>(std::countr_zero(m));
      if (k >= rows) return false;
      if (spelling(static_cast<Keyword>(k), language) == word) return true;
    }
  return false;
}

// Whether `word` is a keyword (reserved or not) in `language`.
constexpr bool is_keyword(std::string_view word, Language language) {
  return spells_one_of(word, language, std::size(keyword_spellings));
}

// Whether `word` is a reserved keyword in `language`: one of the rows before `minor`.
constexpr bool is_reserved(std::string_view word, Language language) {
  return spells_one_of(word, language, static_cast<std::size_t>(Keyword::minor_));
}

constexpr std::string_view language_name(Language language) { return language == Language::swedish ? "Swedish" : "English"; }
// With its article, for messages: "a Swedish", "an English".
constexpr std::string_view language_with_article(Language language) {
  return language == Language::swedish ? "a Swedish" : "an English";
}

// The first word of a contract's text, past a byte order mark, blanks and comments: where it
// begins, and the word (empty when the text holds none). A word is a run of ASCII letters,
// digits, `_` and bytes beyond ASCII.
struct FirstWord {
  std::size_t offset = 0;
  std::string_view word;
};
constexpr FirstWord first_word(std::string_view text) {
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') ++i;
    else if (c == '#') while (i < text.size() && text[i] != '\n') ++i;
    else break;
  }
  auto word_byte = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
  };
  std::size_t end = i;
  while (end < text.size() && word_byte(static_cast<unsigned char>(text[end]))) ++end;
  return {i, text.substr(i, end - i)};
}

// The set a contract is written in, by its first word.
constexpr Language language_of(std::string_view text) {
  const auto word = first_word(text).word;
  return is_keyword(word, Language::swedish) && !is_keyword(word, Language::english) ? Language::swedish
                                                                                     : Language::english;
}

}  // namespace utfall::grammar
