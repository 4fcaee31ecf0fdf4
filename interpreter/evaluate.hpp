// Evaluate: checked contract + data -> payments.
//
// Takes an immutable `checked::Contract`, a `Dataset` bound to its inputs (see data.hpp), and
// options (term overrides, limits), and gives every payment between the parties in every
// period, each with its clause. Evaluation is a pure function of its arguments: the contract is
// only read, so any number of evaluations may run on one contract at once. Failures that data
// can cause (a value out of a table, division by zero, a payment that is not exact in the
// currency's minor unit) and limits end the evaluation with a diagnostic; no partial result is
// returned.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

// Values for the inputs of one contract, in the order of its declarations.
struct Dataset {
  // series[input][period]; empty for participant inputs
  std::vector<std::vector<std::optional<checked::Value>>> series;
  // participants[input][record][field]; empty for series
  std::vector<std::vector<std::vector<checked::Value>>> participants;
};

struct EvalLimits {
  std::size_t max_digits = 10000;         // digits of any intermediate value
  std::uint64_t max_steps = 200'000'000;  // expression nodes evaluated
  // Expressions being evaluated at once, counted through the definitions, payments and
  // periods they reach (E703): a bound on the evaluator's recursion.
  std::size_t max_depth = 2000;
  // The stack that recursion may use, measured from the call of `evaluate` (E703); a host that
  // evaluates on a thread of its own gives it more than this (8 MiB is enough).
  std::size_t max_stack_bytes = 6u << 20;
};

struct EvalOptions {
  std::map<int, checked::Value> term_overrides;  // term index -> value
  EvalLimits limits;
  bool trace = false;  // record the steps of every payment for `explain`
};

struct PaymentLine {
  int period;
  int payer, payee;
  Number amount;
  int clause;
  std::string rule;  // the payment's or waterfall's name, or "" when unnamed
  bool waterfall = false;
  int rule_index = 0;  // index into contract.payments or contract.waterfalls
};

// One step of the explanation of a payment: a label, a value and its unit, and a note.
struct TraceStep {
  std::string label;
  std::string value;
  std::string note;
  int depth = 0;
};
struct PaymentTrace {
  int line;  // index into Evaluation::lines
  std::vector<TraceStep> steps;
};

struct Evaluation {
  bool ok = false;
  std::vector<PaymentLine> lines;  // by period, then in the order of the clauses
  std::vector<PaymentTrace> traces;
  Diagnostics diagnostics;
};

Evaluation evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options = {});

// One expression in one period (the REPL, `utfall eval`). `period` may be -1 when the expression
// does not depend on the period (it is an error if it does).
struct ValueResult {
  std::optional<checked::Value> value;
  Diagnostics diagnostics;
};
ValueResult evaluate_expression(const checked::Contract& contract, const Dataset& data, const checked::Expr& expr,
                                int period, const EvalOptions& options = {});

// Display of a value with its type's unit: "9000000 SEK", "0.3", "true", "2027".
std::string format_value(const checked::Contract& contract, const checked::Value& value, const Type& type);

}  // namespace utfall
