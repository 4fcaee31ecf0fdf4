// Source text and positions.
//
// A `Source` is a named text (a contract file, a command-line expression, a data file). A
// `SourceRange` is a range in one source: where it begins (byte offset, line, column) and the
// byte offset one past its end. Columns are stored as byte columns (1-based) because that is
// what the parser tracks in constant time; renderers convert them to code-point columns with
// `display_column` when they draw a line, so "ö" counts as one column for the reader.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace utfall {

struct Source {
  std::string name;  // file name, or a label such as "<expression>"
  std::string text;
};
using SourcePtr = std::shared_ptr<const Source>;

struct Position {
  std::size_t offset = 0;  // byte offset
  std::size_t line = 1;
  std::size_t column = 1;  // byte column, 1-based
};

struct SourceRange {
  SourcePtr source;
  Position begin;
  std::size_t end_offset = 0;  // one past the last byte
};

// A text as written in a source, with where it was written (an example's data-file name).
struct Located {
  std::string text;
  SourceRange range;
};

// The text of line `line` (1-based, without its line end); empty past the end.
std::string_view line_text(const Source& source, std::size_t line);
// The 1-based code-point column of a position, for display.
std::size_t display_column(const Source& source, const Position& position);
// The text a range covers as written, on one line: each run of spaces, tabs and line ends one
// space, none at either end (an expression shown in an explanation or a diff). Empty when the
// range has no source or lies outside it.
std::string written_text(const SourceRange& range);
// The number of code points in UTF-8 text: its width on a terminal, for columns and carets.
std::size_t code_points(std::string_view text);

}  // namespace utfall
