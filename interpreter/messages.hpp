// The message table: every sentence utfall shows a person, in English and in Swedish.
//
// A sentence is written in English where it is used, `text("unknown unit `{}`", name)`, as
// gettext writes it; the English is the key. `PhraseId` looks the key up in the table while the
// program is compiled, so a sentence with no Swedish is a compile error, not an English line in
// a Swedish report. The table's rows live in interpreter/phrases/ by area (diagnostics of each
// phase, labels of the command line, the REPL); they are one table, `kPhrases`.
//
// A `Text` is a phrase with its arguments as strings: diagnostics carry it, so that the same
// diagnostic is drawn in either language when it is rendered (`Text::in`). An argument is a
// name, a number or a piece of the contract, never a sentence of its own: a sentence made of
// parts is several phrases. The Swedish may reorder its arguments with `{0}`, `{1}`; a test
// (tests/unit/test_messages.cpp) renders every row in both languages.
//
// Why not GNU gettext: it chooses the language from the process's locale (global state, while
// an embedding host may want two languages at once) and reads .mo files from an installed
// directory at run time (a file the user did not name); a compiled table of a few hundred rows
// needs neither.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace utfall {

enum class Language : std::uint8_t { en, sv };

// "en" or "sv"; nothing for any other name.
std::optional<Language> language_named(std::string_view name);

struct Phrase {
  std::string_view en;
  std::string_view sv;
};

inline constexpr Phrase kPhrases[] = {
#include "interpreter/phrases/diagnostics.inc"
#include "interpreter/phrases/check.inc"
#include "interpreter/phrases/data.inc"
#include "interpreter/phrases/evaluate.inc"
#include "interpreter/phrases/labels.inc"
#include "interpreter/phrases/repl.inc"
};
inline constexpr std::size_t kPhraseCount = sizeof(kPhrases) / sizeof(kPhrases[0]);

// A row of the table, found by its English when the program is compiled.
class PhraseId {
 public:
  template <std::size_t N>
  consteval PhraseId(const char (&english)[N]) : index_(find(std::string_view(english, N - 1))) {}  // NOLINT: implicit by design
  std::uint16_t index() const { return index_; }

 private:
  static consteval std::uint16_t find(std::string_view english) {
    for (std::size_t i = 0; i < kPhraseCount; ++i)
      if (kPhrases[i].en == english) return static_cast<std::uint16_t>(i);
    // Not a constant expression: the compiler stops here and names the sentence.
    throw "this sentence is not in the message table (interpreter/phrases/): add it with its Swedish";
  }
  std::uint16_t index_;
};

// A phrase with its arguments, or a text shown as it is (`verbatim`: a message from elsewhere,
// such as an operating system's error, which has no row).
struct Text {
  static constexpr std::uint16_t kVerbatim = 0xFFFF;
  std::uint16_t phrase = kVerbatim;
  std::vector<std::string> args;  // for a verbatim text, its one string
  std::vector<Text> parts;        // arguments that are texts themselves, rendered in the same language

  Text() = default;
  Text(std::uint16_t phrase_index, std::vector<std::string> arguments)
      : phrase(phrase_index), args(std::move(arguments)) {}
  // A plain string is shown as it is in every language. (While the sentences of a phase are
  // being moved into the table this conversion is implicit; see interpreter/phrases/README.md.)
  Text(std::string s) : args{std::move(s)} {}  // NOLINT
  Text(const char* s) : args{std::string(s)} {}  // NOLINT

  // In `language`, its numbers (`Figure` arguments) written as `numbers` writes them.
  std::string in(Language language, Language numbers) const;
  std::string in(Language language) const { return in(language, language); }
  bool empty() const { return phrase == kVerbatim && (args.empty() || args[0].empty()); }
};

// A number written the English way (`1,234.50`, `-0.3`, `1,200.00 SEK`), as an argument of a
// phrase: shown in the reader's number style, `1 234,50` in Swedish (`localized_number`).
struct Figure {
  std::string english;
};

// `english` (digits with `,` between thousands and `.` before the decimals, perhaps a sign and a
// unit after a space) in the number style of `numbers`: unchanged in English; in Swedish a space
// between thousands and a decimal comma, as Swedish typography writes `26 700 000,00`.
std::string localized_number(std::string_view english, Language numbers);

namespace detail {
// A Figure's argument starts with this character, which no name or number holds; `in` removes it.
// A Text's argument is this other character and the index of the Text in `parts`.
inline constexpr char kFigureMark = '\x1e';
inline constexpr char kPartMark = '\x1d';
template <typename T>
std::string argument(std::vector<Text>& parts, const T& value) {
  if constexpr (std::is_same_v<T, Figure>) return kFigureMark + value.english;
  else if constexpr (std::is_same_v<T, Text>) {
    parts.push_back(value);
    return kPartMark + std::to_string(parts.size() - 1);
  }
  else if constexpr (std::is_convertible_v<const T&, std::string_view>) return std::string(std::string_view(value));
  else return fmt::format("{}", value);
}
}  // namespace detail

template <typename... Args>
Text text(PhraseId phrase, const Args&... args) {
  Text out(phrase.index(), {});
  (out.args.push_back(detail::argument(out.parts, args)), ...);
  return out;
}
inline Text verbatim(std::string s) { return Text(std::move(s)); }

// A phrase rendered at once, for labels and headings: say(language, "Payments in {}", "SEK").
template <typename... Args>
std::string say(Language language, PhraseId phrase, const Args&... args) {
  return text(phrase, args...).in(language);
}

// How the command line writes its output: the words, and the numbers (`--lang`, `--locale`).
struct Wording {
  Language words = Language::en;
  Language numbers = Language::en;
  template <typename... Args>
  std::string operator()(PhraseId phrase, const Args&... args) const {
    return text(phrase, args...).in(words, numbers);
  }
  std::string number(std::string_view english) const { return localized_number(english, numbers); }
};

}  // namespace utfall
