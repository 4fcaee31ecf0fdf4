// Reading comments and code positions back from the source text (interpreter/format_source.hpp).
//
// The scan follows the grammar's lexical rules: a string runs from `"` to the next `"` not
// escaped by `\`, or to the end of its line (the parser refuses that, but the scan must not
// run on); a comment runs from a `#` outside a string to the end of its line.
#include "interpreter/format_source.hpp"

#include <algorithm>

namespace utfall::format_detail {

namespace {
bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}
bool digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

SourceScan::SourceScan(std::string_view text) : text_(text), kind_(text.size(), blank) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') {
      line_starts_.push_back(i + 1);
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      Comment k;
      k.begin = i;
      k.line = line_starts_.size() - 1;
      while (i < text.size() && text[i] != '\n') kind_[i++] = comment;
      k.end = i;
      while (k.end > k.begin && (text[k.end - 1] == '\r' || text[k.end - 1] == ' ' || text[k.end - 1] == '\t')) --k.end;
      k.text = std::string(text.substr(k.begin, k.end - k.begin));
      comments_.push_back(std::move(k));
    } else if (c == '"') {
      kind_[i++] = string;
      while (i < text.size() && text[i] != '\n' && text[i] != '\r') {
        const char s = text[i];
        kind_[i++] = string;
        if (s == '"') break;
        if (s == '\\' && i < text.size() && text[i] != '\n' && text[i] != '\r') kind_[i++] = string;
      }
    } else {
      kind_[i++] = code;
    }
  }
}

std::size_t SourceScan::line_of(std::size_t offset) const {
  return static_cast<std::size_t>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin()) - 1;
}

std::size_t SourceScan::next_code(std::size_t offset) const {
  while (offset < text_.size() && !is_code(offset)) ++offset;
  return offset;
}

std::size_t SourceScan::words_back(std::size_t offset, int words) const {
  for (int w = 0; w < words; ++w) {
    std::size_t i = std::min(offset, text_.size());
    while (i > 0 && !is_code(i - 1)) --i;
    if (i == 0) return offset;
    while (i > 0 && kind_[i - 1] == code && word_byte(static_cast<unsigned char>(text_[i - 1]))) --i;
    offset = i;
  }
  return offset;
}

std::size_t SourceScan::next_open(std::size_t offset) const {
  while (offset < text_.size() && !(kind_[offset] == code && text_[offset] == '{')) ++offset;
  return offset;
}

std::size_t SourceScan::matching_close(std::size_t open) const {
  int depth = 0;
  for (std::size_t i = open; i < text_.size(); ++i) {
    if (kind_[i] != code) continue;
    if (text_[i] == '{') ++depth;
    if (text_[i] == '}' && --depth == 0) return i;
  }
  return text_.size();
}

std::size_t SourceScan::find_word(std::string_view word, std::size_t from, std::size_t to) const {
  to = std::min(to, text_.size());
  for (std::size_t i = from; i + word.size() <= to; ++i) {
    if (kind_[i] != code || text_.compare(i, word.size(), word) != 0) continue;
    const bool starts = i == 0 || !word_byte(static_cast<unsigned char>(text_[i - 1]));
    const std::size_t after = i + word.size();
    const bool ends = after >= text_.size() || !word_byte(static_cast<unsigned char>(text_[after]));
    if (starts && ends) return i;
  }
  return to;
}

std::string SourceScan::number_text(std::size_t offset, std::size_t end) const {
  end = std::min(end, text_.size());
  while (offset < end && (!is_code(offset) || text_[offset] == '(')) ++offset;
  std::size_t i = offset;
  while (i < end && (digit(text_[i]) || text_[i] == '_')) ++i;
  if (i + 1 < end && text_[i] == '.' && digit(text_[i + 1])) {
    ++i;
    while (i < end && (digit(text_[i]) || text_[i] == '_')) ++i;
  }
  return std::string(text_.substr(offset, i - offset));
}

std::size_t SourceScan::string_end(std::size_t open) const {
  std::size_t i = open + 1;
  while (i < text_.size() && kind_[i] == string) {
    if (text_[i] == '\\') i += 2;
    else if (text_[i++] == '"') return i;
  }
  return std::min(i, text_.size());
}

bool SourceScan::blank_line_between(std::size_t from, std::size_t to) const {
  to = std::min(to, text_.size());
  bool after_line_end = false;
  for (std::size_t i = from; i < to; ++i) {
    const char c = text_[i];
    if (c == '\n') {
      if (after_line_end) return true;
      after_line_end = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      after_line_end = false;
    }
  }
  return false;
}

}  // namespace utfall::format_detail
