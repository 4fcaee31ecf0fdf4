// Unicode facts the language relies on, taken from ICU (Debian's libicu) rather than from
// tables of our own: normalisation, the properties that make a character invisible or a
// control, character names for messages, confusable skeletons, and the escaping of text for a
// terminal.
//
// Every function takes valid UTF-8 except `terminal_text`, which takes any bytes. Nothing here
// keeps state between calls; `Skeletons` holds one ICU spoof checker and is used by one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace utfall {

// The text in Normalization Form C: a precomposed `ä` and `a` followed by U+0308 COMBINING
// DIAERESIS give the same bytes. ASCII text comes back unchanged without a copy through ICU.
std::string nfc(std::string_view text);

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

// Text made safe to show on a terminal: control characters (except line feed and tab, and a
// carriage return directly before a line feed), DEL, C1 controls, bidi controls and the other
// invisible characters, the line and paragraph separators, and bytes that are not UTF-8 are
// written as escapes (`\x1b`, `\x7f`, `\u{85}`, `\u{202e}`, `\u{200b}`): what the reader sees
// is what the text holds. Everything else, `å ä ö` and other letters included, is kept as is.
std::string terminal_text(std::string_view text);

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
