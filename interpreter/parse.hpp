// Parse: source text -> AST.
//
// Takes a `Source` (a contract file, or a single expression for `utfall eval` and the REPL)
// and gives an `ast::Contract` (or an `ast::Expr`) with source ranges on every node, or the
// first syntax error as a diagnostic. The text must be valid UTF-8 without NUL bytes, no larger
// than `max_source_bytes`, and nest no deeper than `max_nesting`; each of these is a
// diagnostic, never a crash. Nothing is resolved here: names are names, units are spellings.
#pragma once

#include <algorithm>
#include <optional>

#include "grammar/keywords.hpp"
#include "interpreter/ast.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

struct ParseOptions {
  std::size_t max_nesting = 200;             // parentheses, calls, unary operators
  std::size_t max_source_bytes = 64u << 20;  // 64 MiB; `source_limit` keeps it to kMaxSourceBytes (4 GiB - 2)
  std::size_t max_stack_bytes = 6u << 20;    // the parser's recursion (stack.hpp)
  // The set of keywords the text is written in (grammar/keywords.hpp). By default a contract's
  // is said by its first word, an expression's is English; given, it is that set whatever the
  // first word (a block of a literate contract, a REPL line for a Swedish contract).
  std::optional<grammar::Language> language;
  // Expressions are read first by a hand-written reader (interpreter/parse_expr.hpp) and by the
  // grammar's rules where it declines. Off, the rules read every expression: the same trees and
  // diagnostics, slower; for the tests that compare the two.
  bool expression_reader = true;
};

// The most bytes a source may have under `options`: max_source_bytes, and never more than
// kMaxSourceBytes, whatever a host sets (positions are 32 bits, source.hpp). A file is read, and
// a text parsed, only up to it (E701).
inline std::size_t source_limit(const ParseOptions& options) { return std::min(options.max_source_bytes, kMaxSourceBytes); }

struct ParseResult {
  std::optional<ast::Contract> contract;  // set when there are no errors
  Diagnostics diagnostics;
};
ParseResult parse_contract(SourcePtr source, const ParseOptions& options = {});

struct ExpressionParseResult {
  SourcePtr source;   // the expression's, which its ranges name
  ast::ExprPtr expr;  // set when there are no errors
  Diagnostics diagnostics;
};
ExpressionParseResult parse_expression(SourcePtr source, const ParseOptions& options = {});
// An expression typed with no contract to say its set (`utfall eval`, a REPL session without a
// contract): read in the set its first word says, as a file is, or in the other set when only
// that one reads it; when neither does, the first reading's diagnostics. `options.language` is
// not used.
ExpressionParseResult parse_expression_either(SourcePtr source, const ParseOptions& options = {});

}  // namespace utfall
