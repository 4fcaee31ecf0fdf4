// Witnesses: data sets that reach the bounds of payment_bounds (bounds.hpp), or come near.
//
// The search sets each numeric or boolean series input, in each period, to one end of the
// interval its declaration and the assumptions allow (an end that is unbounded becomes a
// large number: 10^15 in the input's unit beyond the other end), evaluates the contract with
// the evaluator itself, and keeps the data set with the largest (or smallest) amount: first
// every input at one end in all periods (all 2^n choices for up to 10 inputs), then one input
// in one period at a time switched to its other end while that improves the amount, within a
// budget of evaluations, and within a budget of evaluation steps that the searches of one
// command share (so that `bounds` ends in bounded time however long one evaluation is). What it finds is an amount some allowed data reaches, exactly: when
// it equals the bound, the bound is reached and the data set is its witness. A contract with
// participant inputs is searched with no records (a witness for the flows that need none).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "interpreter/bounds.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

struct WitnessGoal {
  enum class What { total, period } what = What::total;
  bool largest = true;  // else the smallest
  // The bound, when known: a data set that reaches it ends the search (none can do better).
  std::optional<Number> bound;
};

struct Found {
  bool ok = false;     // some data set was evaluated without an error
  Number amount;       // the most (or least) amount found
  int period = -1;     // What::period: the period it is paid in
  // The data set: [input][period] for the series inputs that were set (others empty).
  std::vector<std::vector<std::optional<checked::Value>>> series;
  std::string skipped;  // why no search ran ("a text input ..."), when !ok
  bool stopped = false;  // the shared budget ran out before the search was done
};

// What the searches of one command may spend together: the steps and the work of exact
// arithmetic of the evaluations they run, counted as EvalLimits counts them (the whole command
// then does at most about what two of the longest evaluations do: the analysis, and the
// searches).
struct SearchBudget {
  std::uint64_t steps = EvalLimits{}.max_steps;
  std::uint64_t work = EvalLimits{}.max_work;
};
// Searches for the data set that gives `flow` its largest (or smallest) total or amount in one
// period; at most `evaluations` evaluations, and the steps they take from `budget`.
Found search_witness(const checked::Contract& contract, const BoundsOptions& options, const EvalOptions& eval_options,
                     const FlowBounds& flow, WitnessGoal goal, SearchBudget& budget, int evaluations = 4000);

// The witness as a data file that `utfall run` reads: a CSV with a `period` column and one
// column per series input, each value as a data file writes it (a percentage as `92 %`).
std::string witness_csv(const checked::Contract& contract, const Found& found);

}  // namespace utfall
