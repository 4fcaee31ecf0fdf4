// What the formatter reads from the source text besides the tree: the comments (the parser
// drops them), which bytes are code, blank lines, and the keyword that opens a declaration
// whose node records only where its name stands. Used by interpreter/format.cpp, and by
// `utfall doc` (cli/doc.cpp) to cut a clause's text out of the source.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace utfall::format_detail {

struct Comment {
  std::size_t begin = 0, end = 0;  // from `#` to the end of its line (without the line end)
  std::size_t line = 0;            // 0-based
  std::string text;                // as written, without trailing blanks
};

class SourceScan {
 public:
  explicit SourceScan(std::string_view text);

  const std::vector<Comment>& comments() const { return comments_; }
  std::size_t line_of(std::size_t offset) const;  // 0-based
  // The first byte of code at or after `offset` (text size when none).
  std::size_t next_code(std::size_t offset) const;
  // Back over `words` words of code from `offset`: where the `words`th word before it begins
  // (`term` before a term's name, `for each` before a binder).
  std::size_t words_back(std::size_t offset, int words) const;
  // The first `{` outside strings and comments at or after `offset`, and the `}` that closes
  // the `{` at `open` (text size when there is none).
  std::size_t next_open(std::size_t offset) const;
  std::size_t matching_close(std::size_t open) const;
  // The first occurrence of the keyword `word` in code within [from, to), or `to`.
  std::size_t find_word(std::string_view word, std::size_t from, std::size_t to) const;
  // The digits of the number that starts at the first code at or after `offset` (past any `(`).
  std::string number_text(std::size_t offset, std::size_t end) const;
  // One past the string that starts at `open` (its closing quote).
  std::size_t string_end(std::size_t open) const;
  // Whether [from, to) holds an empty line (only blanks between two line ends).
  bool blank_line_between(std::size_t from, std::size_t to) const;

 private:
  enum Kind : unsigned char { blank, code, string, comment };
  std::string_view text_;
  std::vector<unsigned char> kind_;
  std::vector<std::size_t> line_starts_;
  std::vector<Comment> comments_;
  bool is_code(std::size_t i) const { return kind_[i] == code || kind_[i] == string; }
};

}  // namespace utfall::format_detail
