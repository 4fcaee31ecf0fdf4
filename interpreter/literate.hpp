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
//
// A numbered heading gives a clause its number and title. A heading whose text begins with a
// clause number (digits, and more digits after each `.`: `3`, `3.1`, `3.1.2`, with or without a
// `.` after it, then a space or the end) is followed by its section: the lines down to the next
// heading of the same or a higher level, or to the next numbered heading of any level. When the
// `utfall` blocks of that section hold clause items only (`let`, `for each`, `pay`, `waterfall`,
// `table`, `scale`: no top-level declaration, no explicit `clause`, braces that balance within
// each block) and at least one of them holds code, they are the body of the clause the heading
// names: the heading's line of the code becomes `clause "3.1" "Title" {` (in the file's set of
// keywords; a `"` or `\` of the title escaped) and the closing fence of the section's last block
// becomes `}` (or a `}` is added as a last line when that block runs to the end of the file).
// So the code still has the Markdown's lines and columns everywhere but on those two lines. A
// section whose blocks hold any declaration keeps the plain reading above (its `let`s are then
// top-level definitions); a numbered heading with no block, or only empty ones, opens nothing;
// a heading whose number is not of that form (`3.a`, `2025-03`) is an ordinary heading.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/keywords.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

// Whether the file at `path` is a literate contract: its name ends in .md or .markdown.
bool is_literate(std::string_view path);

struct LiterateHeading {
  std::size_t line = 0;  // 1-based
  std::string text;      // without the #s: "3.2 Återbetalning"
};

// The clause a numbered heading opens around the blocks of its section.
struct LiterateClause {
  std::string number, title;  // "3.1", "Frigjorda resurser" (possibly empty)
  std::size_t heading = 0;    // the heading's line
};

// One `utfall` block.
struct LiterateBlock {
  std::size_t open = 0;             // the line of its opening fence (1-based)
  std::size_t first = 0, end = 0;   // its lines of code: [first, end)
  bool closed = false;              // its closing fence stands at line `end`; else it runs to the end
  std::size_t indent = 0;           // the spaces before its opening fence
  std::optional<LiterateClause> clause;  // set when a numbered heading makes it a clause's body
  bool last_of_clause = false;      // the last block of that clause (its fence closes the clause)
};

struct LiterateCode {
  std::string code;                       // as many lines as the Markdown, code where the blocks are
  std::vector<LiterateHeading> headings;  // outside the blocks, in order
  std::vector<LiterateBlock> blocks;      // the `utfall` blocks, in order
  grammar::Language language = grammar::Language::english;  // of the code, by its first word
};
LiterateCode literate_code(std::string_view markdown);

// `clause "3.1" "Title" {` in `language`: the line that opens a heading's clause.
std::string clause_opening(const LiterateClause& clause, grammar::Language language);

// The last heading at or before `line`, if any.
const LiterateHeading* heading_before(const std::vector<LiterateHeading>& headings, std::size_t line);

// Adds to each diagnostic located in `source` (a literate contract's code) a note at the heading
// it sits under: "under the heading “3.2 Återbetalning”".
void note_headings(Diagnostics& diagnostics, const SourcePtr& source, const std::vector<LiterateHeading>& headings);

}  // namespace utfall
