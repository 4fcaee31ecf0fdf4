#include "interpreter/source.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace utfall {

std::string_view line_text(const Source& source, std::size_t line) {
  std::string_view text = source.text;
  std::size_t start = 0;
  for (std::size_t l = 1; l < line; ++l) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  auto end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  if (end > start && text[end - 1] == '\r') --end;
  return text.substr(start, end - start);
}

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // skip continuation bytes
  return n;
}

namespace {

// The code point at the start of `text` and its length in bytes; length 0 when the bytes there
// are not UTF-8 (truncated, overlong, a surrogate, a stray continuation byte).
std::pair<char32_t, std::size_t> decode(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b = byte(0);
  if (b < 0x80) return {b, 1};
  std::size_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (n == 0 || text.size() < n) return {0, 0};
  char32_t cp = b & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, n};
}

// Characters that change what a terminal shows without being seen: line and paragraph
// separators, zero-width characters, direction marks, overrides and isolates, the BOM.
bool invisible(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_code_points) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size(); ++shown) {
    if (shown == max_code_points) return out + "…";
    auto [cp, length] = decode(text.substr(i));
    char buffer[16];
    if (length == 0) {  // not UTF-8: the byte itself
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(text[i]));
      out += buffer, ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F) {
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(cp));
      out += buffer;
    } else if (invisible(cp)) {
      std::snprintf(buffer, sizeof buffer, "\\u{%x}", static_cast<unsigned>(cp));
      out += buffer;
    } else if (cp == '\\') {
      out += "\\\\";
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::size_t display_column(const Source& source, const Position& position) {
  std::size_t line_start = position.offset >= position.column - 1 ? position.offset - (position.column - 1) : 0;
  std::size_t end = std::min(position.offset, source.text.size());
  return 1 + (line_start < end ? code_points(std::string_view(source.text).substr(line_start, end - line_start)) : 0);
}

}  // namespace utfall
