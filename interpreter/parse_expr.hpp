// A hand-written reader of expressions, in front of the grammar's expression rules.
//
// Takes the text of a source at the place where the grammar's `expr` rule begins and reads the
// forms that contracts are mostly made of: numbers with their units or `%`, names, calls,
// parentheses, `-`, the arithmetic and comparison operators, `and` and `or`. It gives the tree
// the grammar's rules and actions would give there (the same nodes, ranges and heights), the
// names it read in the order the grammar's actions would record them, and where the expression
// ends; or it declines. It declines wherever it is not certain to read as the grammar does: a
// keyword, a character beyond ASCII, `@`, a field, a text, anything malformed, a depth or height
// near the limits (the caller keeps it shallow, so that the grammar's own stack check
// could not have stopped what the reader reads). Then the grammar reads the expression, errors and all, so what the reader
// adds is speed and never a meaning: the parser gives the same trees and the same diagnostics
// with it and without it (tests/unit/test_parse_expr.cpp, tests/fuzz/fuzz_parse.cpp).
//
// A change to the expression rules of grammar/grammar.hpp needs the same change here, or here
// a refusal of that form: the differential tests fail until it has one.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "grammar/keywords.hpp"
#include "interpreter/ast.hpp"
#include "interpreter/source.hpp"

namespace utfall::expression_reader {

struct Limits {
  std::size_t levels = 0;  // primaries and `-` nested from the reader's entry, as the parser's control counts them
  int max_height = 0;      // of the tree, as the parser bounds it
};

struct Read {
  ast::ExprPtr expr;
  // Every name read, in the order of the text: into `expr`. Each is ASCII letters, digits and
  // `_` (the reader declines the rest), so in NFC and free of the signs a name may not hold.
  // Held in place up to 8 (an expression of a contract names a few): one vector on the heap per
  // expression read was a tenth of a check's allocations.
  using Names = boost::container::small_vector<const ast::Name*, 8>;
  Names names;
  Position end;  // just past the expression
};

struct Outcome {
  std::optional<Read> read;       // empty: declined
  std::size_t looked_to = 0;      // the furthest byte offset examined (when declined)
};

Outcome read_expression(const SourcePtr& source, const Position& at, grammar::Language language, const Limits& limits);

}  // namespace utfall::expression_reader
