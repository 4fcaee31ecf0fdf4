// The fixed-point path: checked contract -> a compact int64 program -> payments.
//
// `lower` takes a checked contract and gives a `Program`: its terms, definitions, payments and
// waterfalls as a flat array of nodes over int64 values, each node with a static decimal scale
// (the value is digits * 10^-scale). It gives nothing, with the reason, when the contract uses
// what this path does not support: participants, tables, periods or text as values. `run`
// evaluates a Program on one Dataset (never with term overrides or tracing):
// the scales of the data are read from the data (the most decimals present in each column),
// every operation checks for overflow and for exactness, and each payment is written to the
// Evaluation exactly as `evaluate` (evaluate.hpp) would write it.
//
// What holds: `run` either gives the general evaluator's result, line for line and Number for
// Number, or it gives up and writes nothing (returns false), and the caller evaluates with the
// general evaluator, which then gives the result or the diagnostic. It gives up on any value
// that leaves int64, a scale beyond 18 decimals, a datum that is missing or not a finite
// decimal, a quotient not exact at 6 decimals more than its dividend, a share of a waterfall's
// rest that does not come back exactly to the waterfall's scale, and every runtime error (a
// rounding step not positive, a negative payment, one not exact in the minor unit): the general
// evaluator reports those, never this path. Limits: a Program knows, from its shape, how many
// steps the general evaluator can take at most on it (`step_bound`); `run` runs only when that is within
// EvalLimits::max_steps and when max_digits admits every int64 (20 digits), so neither limit can
// tell the two paths apart, and the fast path never runs longer than the limits allow.
// Tracing always takes the general path (the caller's rule).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall::fast {

struct Program;  // fast_eval.cpp
struct Scratch;  // the memory a run works in, reused between runs

struct Lowered {
  std::shared_ptr<const Program> program;  // null when the contract is not eligible
  std::string reason;                      // why not, for tests and for `--verbose` tools
};
Lowered lower(const checked::Contract& contract);

// The most steps (EvalLimits::max_steps) the general evaluator can take on the program's
// contract, whatever the data; saturates at UINT64_MAX.
std::uint64_t step_bound(const Program& program);

// Evaluates into `out` (lines overwritten in place, as the general evaluator does); false, with
// `out` untouched, when the general evaluator must do it. `scratch` may be null on the first
// call; it is created and then reused.
bool run(const Program& program, const checked::Contract& contract, const Dataset& data, const EvalOptions& options,
         std::unique_ptr<Scratch>& scratch, Evaluation& out);

// What a Workspace keeps for this path: the program of the last contract it evaluated (lowered
// on first use) and the scratch memory, whose plans belong to that program (a new contract
// starts a new scratch). The contract is recognised by its address together
// with its source (a weak reference), so a contract freed and another built at the same address
// from another source is never mistaken for it.
class Cache {
 public:
  Cache();
  ~Cache();
  Cache(Cache&&) noexcept;
  Cache& operator=(Cache&&) noexcept;
  // The program for `contract`, or null when it is not eligible (or has no source to recognise
  // it by).
  const Program* program(const checked::Contract& contract);
  std::unique_ptr<Scratch>& scratch() { return scratch_; }

 private:
  const checked::Contract* contract_ = nullptr;
  std::weak_ptr<const Source> source_;
  std::shared_ptr<const Program> program_;
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace utfall::fast
