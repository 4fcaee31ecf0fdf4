#include "interpreter/source.hpp"

#include <algorithm>
#include <stdexcept>

namespace utfall {

OwnedRange::OwnedRange(const SourceRange& r) : begin(r.begin), end_offset(r.end_offset) {
  if (!r.source) return;
  source = r.source->weak_from_this().lock();
  // A source not made shared cannot be kept: the diagnostic would lose its place without a word.
  if (!source) throw std::logic_error("a range of a source that was not made shared (Source)");
}

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

std::size_t display_column(const Source& source, const Position& position) {
  std::size_t line_start = position.offset >= position.column - 1 ? position.offset - (position.column - 1) : 0;
  std::size_t end = std::min<std::size_t>(position.offset, source.text.size());
  return 1 + (line_start < end ? code_points(std::string_view(source.text).substr(line_start, end - line_start)) : 0);
}

std::string written_text(const SourceRange& r) {
  if (!r.source || r.end_offset <= r.begin.offset || r.end_offset > r.source->text.size()) return {};
  std::string out;
  bool space = false;
  for (char ch : std::string_view(r.source->text).substr(r.begin.offset, r.end_offset - r.begin.offset)) {
    if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

}  // namespace utfall
