// Which caps and floors bound in an evaluation: for `utfall simulate --caps`, which counts, over
// many runs, how often each limit of the contract cut (or raised) an amount.
//
// A limit "binds" when it changes the amount it applies to: a cap (`capped at`, `capped per
// period at`, `capped in total at`, `capped at ... per participant`) that cut it, or a floor
// (`at least`) that raised it. A tier's `up to` is a share of the pool, not a limit, and is not
// counted. Only the general evaluator records them: evaluate_with_limits never takes the
// fixed-point path, which keeps no such record.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

// What a limit is: a floor or one of the caps.
enum class LimitKind : std::uint8_t { floor, cap, cap_per_period, cap_total, cap_per_participant };

// The limit's words as an English contract writes them ("at least", "capped per period at"):
// how `simulate` names it in its tables, for programs as for people.
constexpr std::string_view limit_keyword(LimitKind kind) {
  switch (kind) {
    case LimitKind::floor: return "at least";
    case LimitKind::cap: return "capped at";
    case LimitKind::cap_per_period: return "capped per period at";
    case LimitKind::cap_total: return "capped in total at";
    case LimitKind::cap_per_participant: return "capped per participant at";
  }
  return "capped at";
}

struct LimitHit {
  int period = 0;
  int clause = 0;
  const checked::Expr* limit = nullptr;  // the limit's expression, as written in the contract
  LimitKind what = LimitKind::cap;
};

// evaluate() (evaluate.hpp) on the general evaluator, with `hits` replaced by the limits that
// bound, in the order they applied.
void evaluate_with_limits(const checked::Contract& contract, const Dataset& data, const EvalOptions& options, Workspace& workspace,
                          Evaluation& out, std::vector<LimitHit>& hits);

}  // namespace utfall
