// Parse: source text -> AST.
//
// Takes a `Source` (a contract file, or a single expression for `utfall eval` and the REPL)
// and gives an `ast::Contract` (or an `ast::Expr`) with source ranges on every node, or the
// first syntax error as a diagnostic. The text must be valid UTF-8 without NUL bytes, no larger
// than `max_source_bytes`, and nest no deeper than `max_nesting`; each of these is a
// diagnostic, never a crash. Nothing is resolved here: names are names, units are spellings.
#pragma once

#include <optional>

#include "interpreter/ast.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

struct ParseOptions {
  std::size_t max_nesting = 200;             // parentheses, calls, unary operators
  std::size_t max_source_bytes = 64u << 20;  // 64 MiB
  std::size_t max_stack_bytes = 6u << 20;    // the parser's recursion (stack.hpp)
};

struct ParseResult {
  std::optional<ast::Contract> contract;  // set when there are no errors
  Diagnostics diagnostics;
};
ParseResult parse_contract(SourcePtr source, const ParseOptions& options = {});

struct ExpressionParseResult {
  ast::ExprPtr expr;  // set when there are no errors
  Diagnostics diagnostics;
};
ExpressionParseResult parse_expression(SourcePtr source, const ParseOptions& options = {});

}  // namespace utfall
