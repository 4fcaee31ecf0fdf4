// Participants as lanes: the records of a participant input evaluated together on the
// fixed-point code (fast_code.hpp), one record per lane, where the general evaluator would loop
// over them: a `for each` payment's filter and amount, and a `sum` or `count` over participants.
//
// The general evaluator (evaluate.cpp) asks first, and loops itself when the answer is nothing.
// What holds: an answer is the loop's result, exactly (the same sum of the same amounts), with
// the steps and the work of exact arithmetic the loop would have counted (EvalLimits), so that
// no limit, now or later in the evaluation, can tell the two apart. There is no answer when the
// loop reads what the lanes do not hold (text, dates, tables, links, a definition not yet
// computed, a term that is not a constant, a value that is not a decimal of at most 18 places
// in int64), and whenever some record meets a failure on its way (a value leaves int64, a
// quotient is not exact, division by zero, a rounding step not positive, a datum missing):
// the general evaluator then runs the loop and gives the result or the diagnostic. As in
// fast_eval.hpp, a failure is a poison value, and `if`, `and` and `or` keep only the poison of
// the side a record takes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall::fast {

// A loop over the records of `set`, as the general evaluator runs it: for each record, the
// filter (when there is one) and, where it holds, the amount (none for a count), rounded per
// record when `rounding` is given; the amounts are summed.
struct RecordLoop {
  int set = -1;
  int binder = -1;  // the slot the records are bound to
  const checked::Expr* filter = nullptr;
  const checked::Expr* amount = nullptr;  // null: a count
  const checked::Rounding* rounding = nullptr;
  bool charged_sum = false;  // each amount added is charged as work (a `sum` over participants)
  int period = 0;
};

// What the general evaluator knows when the loop starts that does not depend on the record.
struct LoopContext {
  const EvalOptions* options = nullptr;
  const std::vector<std::optional<checked::Value>>* terms = nullptr;  // computed so far (by term)
  const std::vector<std::optional<checked::Value>>* defs = nullptr;   // [def * periods + period], computed so far
  std::size_t depth_room = 0;  // levels of evaluation left before EvalLimits::max_depth
};

struct LoopResult {
  Number sum;               // the sum of the amounts over the records chosen, or their count
  std::size_t records = 0;  // records run (all of the set's)
  std::uint64_t steps = 0;  // the steps and the work the general evaluator would have counted
  std::uint64_t work = 0;
  // Terms the loop computes for the first time, with their values: the evaluator keeps them as
  // it would have (their steps are in `steps`).
  std::vector<std::pair<int, checked::Value>> terms_computed;
};

// The fields of the participant inputs in fixed point, read from one Dataset on first use, and
// the memory the lanes run in. Kept by a Workspace; `reset` before each evaluation.
class ParticipantLanes {
 public:
  ParticipantLanes();
  ~ParticipantLanes();
  ParticipantLanes(ParticipantLanes&&) noexcept;
  ParticipantLanes& operator=(ParticipantLanes&&) noexcept;
  void reset();
  struct State;

  // The loop's result, or nothing when the general evaluator must run it. A loop given back
  // once is given back at once when asked again in the same evaluation and period.
  std::optional<LoopResult> run(const checked::Contract& contract, const Dataset& data, const RecordLoop& loop,
                                const LoopContext& context);
  // Loops lowered to the lanes since `reset` (asked again after being given back: not counted).
  std::uint64_t lowered() const;

 private:
  std::optional<LoopResult> run_once(const checked::Contract& contract, const Dataset& data, const RecordLoop& loop,
                                     const LoopContext& context);
  std::unique_ptr<State> state_;
};

}  // namespace utfall::fast
