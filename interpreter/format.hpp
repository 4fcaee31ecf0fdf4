// Format: AST + source text -> the contract in its canonical layout (`utfall fmt`).
//
// Takes a parsed `ast::Contract` whose `source` is the text it was parsed from, and gives that
// contract as text in one layout, so that parsing the result gives the same tree (the same
// names, literals, operators and declarations in the same order; only source positions
// differ). The parser drops comments, so they are read again from the source text here (a `#`
// inside a string is not one) and each is put back before the line it preceded, or after the
// line it trailed. Nothing is checked: a contract that parses but does not check formats too.
//
// The layout (docs/cli.md, `utfall fmt`):
//   - two spaces of indentation per block; declarations in the order written;
//   - at most one blank line where the source had any between two lines, none after `{` or
//     before `}`;
//   - in a run of consecutive declarations of one kind (terms, lets, series inputs, fields,
//     parties, tiers with a name, table rows, `set`s) not broken by a blank line, the `=`, `:`,
//     display names, tier payees and `->` line up; so do the trailing comments of consecutive
//     lines;
//   - a payment puts each modifier on a line of its own (as the examples do); a tier keeps its
//     modifiers on its line unless the line would pass `width` code points, then one a line;
//   - numbers keep their digits as written (`200_000_000`, `0.10`), with one space before a
//     unit or `%`; expressions get one space around binary operators, none inside brackets,
//     and the fewest parentheses that give the same tree (an `if` inside an operator is always
//     bracketed); a definition whose line would pass `width` and whose value is a chain of
//     `+ -`, `and` or `or` goes on one operand a line under its `=`; nothing else is broken;
//   - the canonical spelling where two spellings give one tree: `in P .. Q` for a `from P`
//     with an `until Q`, `participants` for both `participants` and `records`, `once` for `1 times`,
//     `between L and U` for `at least L` with `at most U`, and `whole` before the bounds.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "grammar/keywords.hpp"
#include "interpreter/ast.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

struct FormatOptions {
  std::size_t width = 100;  // code points; a tier's modifiers go one a line beyond it
  // The set of keywords to write (grammar/keywords.hpp); by default the one the source is
  // written in. Names are never translated: a name that is a keyword of the other set makes
  // the result read differently, which `translation_problem` finds.
  std::optional<grammar::Language> language;
};

// The contract in the canonical layout, ending with one line end. `contract.source` must be the
// text the contract was parsed from (its comments and the digits of its numbers are read there).
std::string format_contract(const ast::Contract& contract, const FormatOptions& options = {});

// A literate contract (interpreter/literate.hpp) `markdown`, read from the file `name`, with each
// `utfall` block in the canonical layout and every byte outside the blocks as it was (prose,
// headings, fences, blocks of other languages). Each block is formatted as a fragment on its
// own: top-level declarations, or the items of the clause its numbered heading opens, written
// at the block's left edge (the fence's indentation) with the block's line ends. With
// `options.language` the blocks' keywords are written in that set. A file that does not parse
// gives its diagnostics; so does a block that does not parse on its own (a declaration split
// over two blocks), or that cannot be written in that set; `text` is then not set.
struct LiterateFormat {
  std::optional<std::string> text;
  Diagnostics diagnostics;
};
LiterateFormat format_literate(const std::string& name, std::string_view markdown, const FormatOptions& options = {});

// Why `formatted`, the contract written in another set of keywords, does not read back as the
// same tree (a name of the contract is a keyword of that set), or nothing when it does.
// `formatted` must be `format_contract(contract, {.language = ...})`.
std::optional<Diagnostic> translation_problem(const ast::Contract& contract, const std::string& formatted,
                                              grammar::Language language);

// The tree as an S-expression without source positions: two contracts that dump alike parse to
// the same tree. For tests of `format_contract` (`utfall fmt --ast`, hidden). With `positions`,
// every expression's range and height and every name's range are written too (the tests of the
// parser's expression reader compare trees to the byte).
std::string dump_ast(const ast::Contract& contract, bool positions = false);

}  // namespace utfall
