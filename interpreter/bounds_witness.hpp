// Witnesses: data sets that reach the bounds of payment_bounds (bounds.hpp), or come near.
//
// The search sets each numeric or boolean series input, in each period, to one end of the
// interval its declaration and the assumptions allow (an end that is unbounded becomes a
// large number: 10^15 in the input's unit beyond the other end), evaluates the contract with
// the evaluator itself, and keeps the data set with the largest (or smallest) amount: first
// every input at one end in all periods (all 2^n choices for up to 10 inputs), then one input
// in one period at a time switched to its other end while that improves the amount, within a
// budget of evaluations. What it finds is an amount some allowed data reaches, exactly: when
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
};

struct Found {
  bool ok = false;     // some data set was evaluated without an error
  Number amount;       // the most (or least) amount found
  int period = -1;     // What::period: the period it is paid in
  // The data set: [input][period] for the series inputs that were set (others empty).
  std::vector<std::vector<std::optional<checked::Value>>> series;
  std::string skipped;  // why no search ran ("a text input ..."), when !ok
};

// Searches for the data set that gives `flow` its largest (or smallest) total or amount in one
// period; at most `budget` evaluations.
Found search_witness(const checked::Contract& contract, const BoundsOptions& options, const EvalOptions& eval_options,
                     const FlowBounds& flow, WitnessGoal goal, int budget = 4000);

// The witness as a data file that `utfall run` reads: a CSV with a `period` column and one
// column per series input, each value as a data file writes it (a percentage as `92 %`).
std::string witness_csv(const checked::Contract& contract, const Found& found);

}  // namespace utfall
