// The fixed-point path: checked contract -> a linear int64 program -> payments, for one data
// set or for many at once.
//
// `lower` takes a checked contract and gives a `Program`: every definition, payment and
// waterfall the contract computes, unrolled over the periods into a straight-line list of
// operations on int64 registers (no recursion, no memo tables at run time). It gives nothing,
// with the reason, when the contract uses what this path does not support: participants,
// tables, periods or text as values, a dependency circle, or a program past its size bounds.
//
// Scales: each register holds digits * 10^-scale, with one static scale per register, chosen
// for the decimals of the data (the most decimals in each input column) by a single pass over
// the program (`Plan`, cached per shape of data). Every operation checks for overflow and for
// exactness; a value that fails is replaced by a poison value that spreads through everything
// computed from it. An `if`, `and`, `or` or a payment's `when` keeps the poison of the branch
// it takes only, as the general evaluator evaluates only that branch; a waterfall's lines carry
// the poison of every tier.
//
// Many data sets are run together, one register per set ("lanes"), so that each operation is
// one tight loop; one data set is a run of one lane.
//
// What holds: for each data set, the path either gives the general evaluator's lines (same
// lines, same exact amounts), or it gives that set up and the caller evaluates it with the
// general evaluator, which then gives the result or the diagnostic. A set is given up on any
// value that leaves int64, a scale beyond 18 decimals, a datum that is missing or not a finite
// decimal, a quotient not exact at 6 decimals more than its dividend, a share of a waterfall's
// rest that does not come back exactly to the waterfall's scale, and every runtime error (a
// rounding step not positive, a negative payment, one not exact in the minor unit): the general
// evaluator reports those, never this path. Limits: a Program knows, from its shape, how many
// steps the general evaluator can take at most on it (`step_bound`) and how deep its recursion
// can go (the longest chain of its values); the path runs only when both are within EvalLimits and when
// max_digits admits every int64 (20 digits), so no limit can tell the two paths apart.
// Tracing always takes the general path (the caller's rule). Term overrides do not: the value
// given to a term replaces the term's own in the program (and its decimals are part of the plan).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall::fast {

struct Program;  // fast_eval.cpp
struct Scratch;  // the memory a run works in, reused between runs
struct ScratchDelete {
  void operator()(Scratch* s) const noexcept;
};
using ScratchPtr = std::unique_ptr<Scratch, ScratchDelete>;  // usable where Scratch is incomplete

struct Lowered {
  std::shared_ptr<const Program> program;  // null when the contract is not eligible
  std::string reason;                      // why not, for tests and for `--verbose` tools
};
Lowered lower(const checked::Contract& contract);

// The most steps (EvalLimits::max_steps) the general evaluator can take on the program's
// contract, whatever the data; saturates at UINT64_MAX.
std::uint64_t step_bound(const Program& program);

// The lines every evaluation of a contract pays, whatever the data, in the order of
// Evaluation::lines: by period, then by clause, payments before waterfalls within a clause, a
// waterfall's payees in order. (A payment pays a line in every period of its range, zero when
// its `when` is false; a waterfall one line per payee in every period of its range.)
struct Line {
  int period = 0;
  int payer = 0, payee = 0;
  int clause = 0;
  bool waterfall = false;
  int rule_index = 0;  // into contract.payments or contract.waterfalls
};
std::vector<Line> lines(const checked::Contract& contract);

// The series data of one data set in fixed point, read once (for example when the data is
// bound) so that evaluations need not convert Numbers.
struct Columns {
  enum class State : std::uint8_t { absent, fixed, other };  // other: not a number that fits Decimal64
  struct Cell {
    std::int64_t digits = 0;
    std::int8_t places = 0;  // at most 18
    State state = State::absent;
  };
  std::size_t periods = 0;  // the contract's
  // [input * periods + period]; absent for participant inputs. A few cells are kept inside the
  // object, beside what holds it (a bound data set), so that a batch reads a set in one fetch.
  const Cell* cells() const { return count <= near.size() ? near.data() : far.data(); }
  Cell* cells() { return count <= near.size() ? near.data() : far.data(); }
  std::size_t size() const { return count; }
  void resize(std::size_t n) {
    count = n;
    near.fill({});
    far.assign(n <= near.size() ? 0 : n, {});
  }

 private:
  std::size_t count = 0;
  std::array<Cell, 24> near{};
  std::vector<Cell> far;
};
Columns read_columns(const checked::Contract& contract, const Dataset& data);
// The same into `out`, reusing its memory.
void read_columns(const checked::Contract& contract, const Dataset& data, Columns& out);

// One data set: evaluates into `out` (lines overwritten in place, as the general evaluator
// does); false, with `out` untouched, when the general evaluator must do it. `scratch` may be
// null on the first call; it is created and then reused. `columns` may be null (they are then
// read from `data`).
bool run(const Program& program, const checked::Contract& contract, const Dataset& data, const Columns* columns,
         const EvalOptions& options, ScratchPtr& scratch, Evaluation& out);

// Many data sets. For set i: ok[i] = 1 and amounts[i * L + k] (L = lines(contract).size()) is
// line k's amount as an integer count of 10^-amount_places(program) currency units; or ok[i] = 0
// and the general evaluator must evaluate set i (its amounts are then unspecified). Before each
// group of sets run together (up to 256) it looks at the host's cancel flag and deadline
// (stop_requested): once the host asks, it stops and returns how many sets it ran (those from
// there on have ok[i] = 0 and were not run); else it returns `count`.
std::size_t run_batch(const Program& program, const Columns* const* sets, std::size_t count,
                      const EvalOptions& options, ScratchPtr& scratch, std::int64_t* amounts, std::uint8_t* ok);

// The same, with the values given to terms lane by lane: set i is evaluated with the
// term_overrides and unlimited_terms of terms[i] (in place of those of `options`, which gives
// the limits and the host's stop for all). A set given `unlimited`, or a value that is not a
// small decimal, has ok[i] = 0. `utfall sweep` runs a block of variations this way, the same
// data in every lane.
std::size_t run_batch(const Program& program, const Columns* const* sets, const EvalOptions* const* terms,
                      std::size_t count, const EvalOptions& options, ScratchPtr& scratch, std::int64_t* amounts,
                      std::uint8_t* ok);

// The lines of one set run by run_batch (its `amounts`, one per line) written into `out` as
// `run` writes them: out.lines as the general evaluator would give them.
void write_lines(const Program& program, const checked::Contract& contract, const std::int64_t* amounts, Evaluation& out);
// The lines every evaluation pays: lines(contract).size(), without making them.
std::size_t line_count(const Program& program);

// The decimals of the minor unit (2 for 0.01 SEK): the amounts of run_batch count units of
// 10^-amount_places.
int amount_places(const Program& program);

// What a Workspace (or a Batch) keeps for this path: the program of the last contract it
// lowered itself (on first use, when the caller gives none) and the scratch memory, whose plans
// belong to one program: runs of another program start a new scratch (programs are told apart
// by a serial number, not by address). The contract is recognised by its address together
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
  // The scratch memory for runs of `program` (a fresh one when the last runs were of another
  // program: plans belong to their program).
  ScratchPtr& scratch_for(const Program* program);

 private:
  const checked::Contract* contract_ = nullptr;
  std::weak_ptr<const Source> source_;
  std::shared_ptr<const Program> program_;
  ScratchPtr scratch_;
  std::uint64_t scratch_owner_ = 0;  // the serial of the program the scratch belongs to
};

}  // namespace utfall::fast
