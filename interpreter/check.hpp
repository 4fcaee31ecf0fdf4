// Check: AST -> checked contract.
//
// Takes the `ast::Contract` from `parse` and gives an immutable `checked::Contract`, or every
// independent error it found: unknown and duplicate names, types and units that do not agree,
// cycles between definitions, periods outside the calendar, step tables with a gap or an
// overlap, payments between undeclared parties. An error caused by one already reported is
// not reported again. After a successful check, evaluation can fail only on data (missing,
// malformed) or on a declared limit.
#pragma once

#include <memory>

#include "interpreter/ast.hpp"
#include "interpreter/checked.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

struct CheckOptions {
  std::size_t max_periods = 10000;
  // Levels of expression counted through the definitions they use (E703): a bound on the
  // checker's recursion, which the per-expression and per-chain limits do not give. The stack
  // the recursion may use is bounded as well (frames are larger in some builds, e.g. ASan); a
  // host that checks on a thread of its own gives it more than this (8 MiB is enough).
  std::size_t max_depth = 2000;
  std::size_t max_stack_bytes = 6u << 20;
};

struct CheckResult {
  std::shared_ptr<const checked::Contract> contract;  // set when there are no errors
  Diagnostics diagnostics;                             // errors and warnings
};
CheckResult check(const ast::Contract& contract, const CheckOptions& options = {});

// A single expression against a checked contract (the REPL, `utfall eval`, `--set`).
// Without a contract, any unit name is accepted as a dimension of its own.
// Its ranges name the expression's source, which the caller keeps (ExpressionParseResult).
struct ExpressionCheckResult {
  checked::ExprPtr expr;
  Diagnostics diagnostics;
};
ExpressionCheckResult check_expression(const ast::Expr& expr, const checked::Contract* context);

// E319: a new value for a term written as a percentage (`30 %`) given as a bare number, which
// reads two ways (`25`: 25 % or 2500 %). Null when `value` is not such a number. One rule and
// one message for every path that gives a term a value (docs/language.md §9.1).
std::optional<Diagnostic> ambiguous_percent(const checked::Term& term, const ast::Expr& value);

}  // namespace utfall
