// Literate contracts: the agreement's prose in Markdown, its rules in fenced `utfall` blocks.
//
// A file whose name ends in `.md` (or `.markdown`) is a literate contract. Its code is the text
// of its fenced code blocks whose info string is `utfall` (``` or ~~~, three or more, indented
// at most three spaces, closed by the same character at least as many times, as CommonMark
// fences are; an unclosed block runs to the end of the file), in the order they stand. Every
// other line (prose, a fence, a block of another language) becomes an empty line, except an ATX
// heading outside a block (`## 3.2 Återbetalning`), which stays as it is: it begins with `#`, so
// it is a comment in the code. The code has the Markdown file's lines and columns, so that a
// diagnostic points at the Markdown file's own line and column, and the heading it sits under
// is a line of the code a note can show (`heading_before`).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/diagnostic.hpp"

namespace utfall {

// Whether the file at `path` is a literate contract: its name ends in .md or .markdown.
bool is_literate(std::string_view path);

struct LiterateHeading {
  std::size_t line = 0;  // 1-based
  std::string text;      // without the #s: "3.2 Återbetalning"
};

struct LiterateCode {
  std::string code;                       // as many lines as the Markdown, code where the blocks are
  std::vector<LiterateHeading> headings;  // outside the blocks, in order
  std::size_t blocks = 0;                 // the `utfall` blocks
};
LiterateCode literate_code(std::string_view markdown);

// The last heading at or before `line`, if any.
const LiterateHeading* heading_before(const std::vector<LiterateHeading>& headings, std::size_t line);

// Adds to each diagnostic located in `source` (a literate contract's code) a note at the heading
// it sits under: "under the heading “3.2 Återbetalning”".
void note_headings(Diagnostics& diagnostics, const SourcePtr& source, const std::vector<LiterateHeading>& headings);

}  // namespace utfall
