// The message table: every sentence utfall shows a person, in English and in Swedish.
//
// A sentence is written in English where it is used, `text("unknown unit `{}`", name)`, as
// gettext writes it; the English is the key. `PhraseId` looks the key up in the table while the
// program is compiled, so a sentence with no Swedish is a compile error, not an English line in
// a Swedish report. The table's rows live in interpreter/phrases/ by area (diagnostics of each
// phase, labels of the command line); they are one table, `kPhrases`.
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

  Text() = default;
  Text(std::uint16_t phrase_index, std::vector<std::string> arguments)
      : phrase(phrase_index), args(std::move(arguments)) {}
  // A plain string is shown as it is in every language. (While the sentences of a phase are
  // being moved into the table this conversion is implicit; see interpreter/phrases/README.md.)
  Text(std::string s) : args{std::move(s)} {}  // NOLINT
  Text(const char* s) : args{std::string(s)} {}  // NOLINT

  std::string in(Language language) const;
  bool empty() const { return phrase == kVerbatim && (args.empty() || args[0].empty()); }
};

namespace detail {
template <typename T>
std::string argument(const T& value) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) return std::string(std::string_view(value));
  else return fmt::format("{}", value);
}
}  // namespace detail

template <typename... Args>
Text text(PhraseId phrase, const Args&... args) {
  return Text{phrase.index(), {detail::argument(args)...}};
}
inline Text verbatim(std::string s) { return Text(std::move(s)); }

// A phrase rendered at once, for labels and headings: say(language, "Payments in {}", "SEK").
template <typename... Args>
std::string say(Language language, PhraseId phrase, const Args&... args) {
  return text(phrase, args...).in(language);
}

}  // namespace utfall
