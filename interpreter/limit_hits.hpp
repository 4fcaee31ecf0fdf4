// Which caps and floors bound in an evaluation: for `utfall simulate --caps`, which counts, over
// many runs, how often each limit of the contract cut (or raised) an amount.
//
// A limit "binds" when it changes the amount it applies to: a cap (`capped at`, `capped per
// period at`, `capped in total at`, `capped at ... per participant`) that cut it, or a floor
// (`at least`) that raised it. A tier's `up to` is a share of the pool, not a limit, and is not
// counted. Only the general evaluator records them: evaluate_with_limits never takes the
// fixed-point path, which keeps no such record.
#pragma once

#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

struct LimitHit {
  int period = 0;
  int clause = 0;
  const checked::Expr* limit = nullptr;  // the limit's expression, as written in the contract
  const char* what = "";                 // "capped at", "capped per period at", "capped in total at", "at least", ...
};

// evaluate() (evaluate.hpp) on the general evaluator, with `hits` replaced by the limits that
// bound, in the order they applied.
void evaluate_with_limits(const checked::Contract& contract, const Dataset& data, const EvalOptions& options, Workspace& workspace,
                          Evaluation& out, std::vector<LimitHit>& hits);

}  // namespace utfall
