// Source text and positions.
//
// A `Source` is a named text (a contract file, a command-line expression, a data file). A
// `SourceRange` is a range in one source: where it begins (byte offset, line, column) and the
// byte offset one past its end. Columns are stored as byte columns (1-based) because that is
// what the parser tracks in constant time; renderers convert them to code-point columns with
// `display_column` when they draw a line, so "ö" counts as one column for the reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

namespace utfall {

// Made shared (std::make_shared) wherever a range may name it: a range names its source by a
// plain pointer, and what must outlive the trees that hold the source (a diagnostic) takes a
// share through `weak_from_this` (OwnedRange). A source that no range names (format.cpp's empty
// one) may stand alone.
struct Source : std::enable_shared_from_this<Source> {
  Source() = default;
  Source(std::string name, std::string text) : name(std::move(name)), text(std::move(text)) {}
  std::string name;  // file name, or a label such as "<expression>"
  std::string text;
};
using SourcePtr = std::shared_ptr<const Source>;

// Offsets, lines and columns in 32 bits: every node of a contract's trees holds a range, and a
// source is at most `kMaxSourceBytes` (parse.hpp refuses a longer one, E701, whatever limit a
// host sets), so each fits.
using SourceIndex = std::uint32_t;
inline constexpr std::size_t kMaxSourceBytes = 0xFFFFFFFEu;  // an offset one past the end fits too
static_assert(kMaxSourceBytes + 1 <= std::numeric_limits<SourceIndex>::max());

struct Position {
  SourceIndex offset = 0;  // byte offset
  SourceIndex line = 1;
  SourceIndex column = 1;  // byte column, 1-based
};

// A position or an offset from counts kept in std::size_t (a parser's, a scanner's) in a source
// of at most kMaxSourceBytes.
constexpr SourceIndex source_index(std::size_t n) { return static_cast<SourceIndex>(n); }
constexpr Position source_position(std::size_t offset, std::size_t line, std::size_t column) {
  return Position{source_index(offset), source_index(line), source_index(column)};
}

// A range of a source that something else keeps: every node of a tree holds one, and the tree's
// owner keeps its source (ast::Contract::source, checked::Contract::source,
// ExpressionParseResult::source). A plain pointer rather than a share: a contract of 10 000
// clauses has some 600 000 ranges, and a share is 8 bytes more and two atomic counts each.
struct SourceRange {
  const Source* source = nullptr;
  Position begin;
  SourceIndex end_offset = 0;  // one past the last byte
};

// A range that keeps its source alive, for what outlives the tree it came from: a diagnostic and
// its notes, which a host may read after the contract is gone. Made from a SourceRange, it takes
// a share of the source, which was made shared (Source) and is still held by its tree's owner:
// a range whose source is gone cannot be kept (that is a use after free, as reading it would be).
struct OwnedRange {
  OwnedRange() = default;
  OwnedRange(SourcePtr s, Position b, SourceIndex end) : source(std::move(s)), begin(b), end_offset(end) {}
  OwnedRange(const SourceRange& r);  // NOLINT: implicit, so that `d.range = node.range` reads as before
  operator SourceRange() const { return SourceRange{source.get(), begin, end_offset}; }  // NOLINT
  SourcePtr source;
  Position begin;
  SourceIndex end_offset = 0;
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
