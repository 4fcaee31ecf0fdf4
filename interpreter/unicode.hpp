// Unicode facts the language relies on, taken from ICU (Debian's libicu) rather than from
// tables of our own: normalisation, the properties that make a character invisible or a
// control, character names for messages, confusable skeletons, and the escaping of text shown
// on a terminal or quoted in a message.
//
// Every function takes valid UTF-8 except `escape`, which takes any bytes. Nothing here
// keeps state between calls; `Skeletons` holds one ICU spoof checker and is used by one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace utfall {

// The text in Normalization Form C: a precomposed `ä` and `a` followed by U+0308 COMBINING
// DIAERESIS give the same bytes. ASCII text comes back unchanged without a copy through ICU.
std::string nfc(std::string_view text);
// Every byte below 0x80 (such a text is its own NFC).
bool is_ascii(std::string_view text);

// The length of the text's longest prefix that is ASCII without a NUL byte: a text of that
// kind needs no UTF-8 or NUL check. Any bytes; eight at a time.
std::size_t ascii_without_nul_prefix(std::string_view text);

// The next code point of valid UTF-8 text at byte `at`, which is moved past it.
char32_t next_code_point(std::string_view text, std::size_t& at);

// A character that is not seen where it stands: Unicode's Default_Ignorable_Code_Point (zero
// width space and joiners, U+2060 WORD JOINER, U+FEFF, the soft hyphen, variation selectors,
// …) or a bidirectional control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which
// reorders how the text around it is shown.
bool is_invisible(char32_t c);
bool is_bidi_control(char32_t c);
// General category Cc: C0 controls, DEL and C1 controls.
bool is_control(char32_t c);
// A letter or a combining mark (general category L* or M*).
bool is_letter_or_mark(char32_t c);
// White space of any kind (U+00A0 NO-BREAK SPACE, U+3000 IDEOGRAPHIC SPACE, …).
bool is_space(char32_t c);

// "U+043E CYRILLIC SMALL LETTER O", for messages; "U+001B" for a control, which has no name.
std::string describe_code_point(char32_t c);

// Text made safe to show, one function for every quote of text that a user, a host or a file
// gave: what the reader sees is what the text holds. Escaped in both modes: control characters
// (`\x1b`, `\x7f`; C1 controls as `\u{85}`), bidi controls and the other invisible characters
// (`\u{202e}`, `\u{200b}`), the line and paragraph separators (`\u{2028}`), and each byte that
// is not UTF-8 (`\xff`). Everything else, `å ä ö` and other letters included, is kept as is.
enum class EscapeMode {
  // Text for a terminal (a message, a table, a source line): line feed, tab, and a carriage
  // return directly before a line feed are kept; a backslash is kept.
  terminal,
  // One value quoted in a message (a cell, a column name, a key): every control character is
  // escaped, line ends and tabs too, and a backslash is doubled, so the quote reads as one line
  // and an escape in it is never the text's own.
  quoted,
};
constexpr std::size_t kWholeText = static_cast<std::size_t>(-1);
// Cut after `max_chars` characters (a code point, or a byte that is not UTF-8, counts as one)
// with "…", so that a long text cannot flood a message.
std::string escape(std::string_view text, EscapeMode mode, std::size_t max_chars = kWholeText);

// All of a text, for a terminal.
inline std::string terminal_text(std::string_view text) { return escape(text, EscapeMode::terminal); }
// A cell or a name from a data file or a host as a message quotes it: its first 40 characters.
inline std::string excerpt(std::string_view text, std::size_t max_chars = 40) { return escape(text, EscapeMode::quoted, max_chars); }

// Unicode UTS #39 skeletons: two strings are confusable when their skeletons are equal
// (`kommun` with a Latin o and `kоmmun` with a Cyrillic о; `Α` Greek and `A` Latin; `rn` and
// `m`). Different texts in different scripts get different skeletons (`ärende`, `arende`).
class Skeletons {
 public:
  Skeletons();
  ~Skeletons();
  Skeletons(const Skeletons&) = delete;
  Skeletons& operator=(const Skeletons&) = delete;
  std::string of(std::string_view text) const;
  // The skeleton of `text` added to the end of `out`.
  void append(std::string_view text, std::string& out) const;

 private:
  std::string from_icu(std::string_view text) const;
  struct Checker;
  std::unique_ptr<Checker> checker_;
  // The skeleton of each ASCII character, asked of ICU once: the skeleton maps character by
  // character, so an ASCII name (most names) is its characters' skeletons in a row, where
  // those are ASCII themselves ("" where not: such a name goes to ICU whole).
  std::string ascii_[128];
};

}  // namespace utfall
