// Break-even (`utfall solve`): where in a range of one varied value a goal starts or stops
// holding.
//
// A goal is one comparison of what an example's `expect` line names (docs/language.md §20) with
// a constant: `kommun -> utfallsfonden in total >= 35_000_000 SEK`. It is read by the checker
// itself, as an expectation of an example added to the contract's text, so it names exactly
// what `expect` names; its comparison is any of `=`, `!=`, `<`, `<=`, `>`, `>=`.
//
// Every evaluation of the search is the contract's own, in exact arithmetic, except that a
// payment need not be a whole number of minor units (EvalOptions::any_amount): the goal is then
// a function of x on the whole range, not only where the contract pays whole öre.
//
// The solver takes the goal, the data, the base evaluation options and a way to set the varied
// value x (a term or a scale factor) in them, and a range LO..HI. It evaluates the goal on a grid
// of the range, then narrows every grid step where the goal differs at its two ends by exact
// bisection, trying on the way two candidates for the boundary: the crossing of the goal's
// quantity with the goal's constant if the quantity were linear in x, and the simplest fraction
// in the narrowed step. A candidate r is confirmed (exact) when its denominator is at most
// 10^15 and the goal differs at r - 10^-31 and r + 10^-31: the change then lies within 10^-31
// of r, and r is the only number of denominator at most 10^15 that near (two such numbers lie
// at least 10^-30 apart). Everything is exact rational arithmetic.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

struct Goal {
  enum class Op { equal, not_equal, less, less_equal, greater, greater_equal };
  std::shared_ptr<const checked::Contract> contract;  // the contract with the goal as an expectation
  const checked::Expectation* expectation = nullptr;  // inside `contract`
  Op op = Op::equal;
  std::string text;  // as given
};
struct GoalResult {
  std::optional<Goal> goal;
  Diagnostics diagnostics;  // located in the source "--goal" where they are the goal's
};
// Reads CONDITION against the contract whose text is `contract_source`.
GoalResult read_goal(const SourcePtr& contract_source, const std::string& condition);

struct SolveOptions {
  Number low, high;         // the range of x, low < high
  int grid = 64;            // steps of the first scan
  Number precision;         // of a boundary that could not be confirmed; 0: 10^-6
  std::size_t max_evaluations = 10'000;
  unsigned threads = 0;     // 0: all cores
};

struct Boundary {
  Number value;           // exact, or within `precision` of the change
  bool exact = false;
  bool holds_above = false;          // the goal holds just above `value` (else just below)
  std::optional<bool> holds_at;      // exact: whether it holds at `value` itself
  // exact: whether the contract runs at `value` as `utfall run` would, every payment a whole
  // number of minor units (the search itself continues payments between them, EvalOptions::any_amount)
  std::optional<bool> runs_at;
  Number precision;                  // not exact: |value - change| <= precision
  bool limit_reached = false;        // not exact because the evaluations ran out
};

struct SolveResult {
  bool ok = false;
  bool at_low = false, at_high = false;  // whether the goal holds at LO and at HI
  std::vector<Boundary> boundaries;      // in increasing order
  std::size_t evaluations = 0;
  bool limit_reached = false;
  Diagnostics diagnostics;  // an evaluation that failed, at `failed_at`
  std::optional<Number> failed_at;
};

// `set` puts x into the options (a term override or a scale factor).
using SetVaried = std::function<void(EvalOptions&, const Number& x)>;
SolveResult solve(const Goal& goal, const Dataset& data, const EvalOptions& base, const SetVaried& set, const SolveOptions& options);

// The simplest fraction (least denominator, then least numerator in size) in [low, high].
Number simplest_between(const Number& low, const Number& high);
// The decimal with the fewest places in [low, high] (the one nearest zero among those), low <= high.
Number shortest_decimal_between(const Number& low, const Number& high);

}  // namespace utfall
