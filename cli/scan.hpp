// Splitting the command line's and the REPL's small input forms (`let NAME = EXPR`,
// `:set NAME@PERIOD = VALUE`, `FROM..TO step STEP`) by hand, in one pass over the text.
//
// std::regex (libstdc++) matches by recursion, one frame per character: a 25 KB REPL line or a
// 60 000-character `sweep --vary` value overflowed the stack. These functions take time and
// stack independent of the input's shape; each says which form it reads.
#pragma once

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace utfall::scan {

inline bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
inline bool word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || (c & 0x80) != 0; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// The characters from `i` that are not spaces and not in `stop`; at least one.
inline std::optional<std::string_view> token(std::string_view s, std::size_t& i, std::string_view stop) {
  std::size_t start = i;
  while (i < s.size() && !space(s[i]) && stop.find(s[i]) == std::string_view::npos) ++i;
  if (i == start) return std::nullopt;
  return s.substr(start, i - start);
}
inline void spaces(std::string_view s, std::size_t& i) {
  while (i < s.size() && space(s[i])) ++i;
}
inline bool expect(std::string_view s, std::size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

// `WORD` followed by a space or the end, where WORD is one of `words` (a declaration or
// definition keyword at the start of a REPL line).
inline bool starts_with_word(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (s.substr(0, w.size()) == w && (s.size() == w.size() || !word(s[w.size()]))) return true;
  return false;
}

// `term NAME = EXPR` or `let NAME = EXPR` (with the keywords as given: `villkor`, `låt` in a
// Swedish session): the keyword, the name (no spaces, `=` or `:`) and the expression (not empty).
struct Definition {
  std::string keyword, name, expression;
};
inline std::optional<Definition> definition(std::string_view s, std::string_view term = "term", std::string_view let = "let") {
  std::size_t i = 0;
  std::string_view keyword = s.starts_with(term) ? term : s.starts_with(let) ? let : "";
  if (keyword.empty()) return std::nullopt;
  i = keyword.size();
  if (i >= s.size() || !space(s[i])) return std::nullopt;
  spaces(s, i);
  auto name = token(s, i, "=:");
  if (!name) return std::nullopt;
  spaces(s, i);
  if (!expect(s, i, '=')) return std::nullopt;
  auto rest = trim(s.substr(i));
  if (rest.empty()) return std::nullopt;
  return Definition{std::string(keyword), std::string(*name), std::string(rest)};
}

// `NAME@PERIOD = VALUE` (a datum; `period` set) or `NAME = VALUE` (a term).
struct Assignment {
  std::string name, period, value;
};
inline std::optional<Assignment> assignment(std::string_view s) {
  std::size_t i = 0;
  Assignment out;
  auto name = token(s, i, "@=");
  if (!name) return std::nullopt;
  out.name = std::string(*name);
  spaces(s, i);
  if (expect(s, i, '@')) {
    spaces(s, i);
    auto period = token(s, i, "=");
    if (!period) return std::nullopt;
    out.period = std::string(*period);
    spaces(s, i);
  }
  if (!expect(s, i, '=')) return std::nullopt;
  auto rest = trim(s.substr(i));
  if (rest.empty()) return std::nullopt;
  out.value = std::string(rest);
  return out;
}

// `TO step STEP`: split at the last ` step ` (spaces on both sides); none: nullopt.
inline std::optional<std::pair<std::string, std::string>> step(std::string_view s) {
  for (std::size_t at = s.rfind("step"); at != std::string_view::npos && at > 0; at = s.rfind("step", at - 1)) {
    std::size_t after = at + 4;
    if (space(s[at - 1]) && after < s.size() && space(s[after]))
      return std::pair{std::string(s.substr(0, at)), std::string(s.substr(after))};
  }
  return std::nullopt;
}

// `[+-]DIGITS[.DIGITS] UNIT` with `_` between digits allowed: the number and the unit (maybe
// empty), both trimmed; nullopt when it does not start with a number.
inline std::optional<std::pair<std::string, std::string>> number_and_unit(std::string_view s) {
  s = trim(s);
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  if (i + 1 < s.size() && s[i] == '.' && (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '_')) {
    ++i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  }
  return std::pair{std::string(s.substr(0, i)), std::string(trim(s.substr(i)))};
}

}  // namespace utfall::scan
