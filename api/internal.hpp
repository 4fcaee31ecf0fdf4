// What the public API's handles hold, and the conversions between the pipeline's values and
// the public ones. Shared by the C++ API (engine.cpp), its JSON forms (json.cpp) and the C API
// (c_api.cpp); never installed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "utfall/utfall.hpp"
#include "interpreter/checked.hpp"
#include "interpreter/diagnostic.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/fast_eval.hpp"

namespace utfall {

struct Contract::Impl {
  std::string name, title, currency, minor_unit;
  std::vector<std::pair<std::string, std::string>> currencies;  // code, minor unit: every `currency` line
  std::vector<std::string> periods;
  std::vector<Party> parties;
  std::vector<Input> inputs;
  std::vector<Term> terms;
  std::vector<Clause> clauses;
  std::vector<std::string> examples;
  std::shared_ptr<const checked::Contract> checked;

  // The contract's fixed-point program (interpreter/fast_eval.hpp), lowered on first use and
  // then shared by every Session, Batch, sweep and simulation of the contract; null when the
  // contract is not for that path.
  // Under a mutex, not std::call_once: lowering may throw (out of memory), and a call_once
  // whose function threw blocks every later call under ThreadSanitizer (and on some targets,
  // libstdc++ PR 66146). Here a lowering that threw is tried again by the next call.
  const fast::Program* program() const {
    if (ready_.load(std::memory_order_acquire)) return program_.get();
    std::lock_guard lock(lowering_);
    if (!ready_.load(std::memory_order_relaxed)) {
      program_ = fast::lower(*checked).program;
      ready_.store(true, std::memory_order_release);
    }
    return program_.get();
  }
  // The program for one more evaluation of the contract: null for its first (lowering costs
  // more than one evaluation saves, bench/README.md) unless already lowered, program() from the
  // second on. A contract compiled, run once and dropped (`Engine::evaluate`) is never lowered.
  // Called for every evaluation, from every thread: once lowered it only reads (an exchange at
  // every call kept the flag's cache line moving between the threads of a sweep).
  const fast::Program* program_when_repeated() const {
    if (ready_.load(std::memory_order_acquire)) return program_.get();
    if (!asked_.exchange(true, std::memory_order_relaxed)) return nullptr;
    return program();
  }
  // Whether program() has lowered the contract to a program (tests/api/test_lowering.cpp;
  // program_ is written before ready_ and never again).
  bool lowered() const { return ready_.load(std::memory_order_acquire) && program_ != nullptr; }

 private:
  mutable std::atomic<bool> asked_{false}, ready_{false};
  mutable std::mutex lowering_;
  mutable std::shared_ptr<const fast::Program> program_;
};

struct Bound::Impl {
  std::shared_ptr<const checked::Contract> contract;  // the contract the data was bound for
  Dataset data;
  fast::Columns columns;  // the series of `data` in fixed point, read once for every evaluation
};

namespace api {

// Engine::sweep's threads and Sessions, kept between sweeps (api/session.cpp).
std::shared_ptr<Engine::Sweeper> make_sweeper();

Message to_message(const Diagnostic& d);
Messages to_messages(const Diagnostics& diags);
Message internal_error(const char* what);
Message limit_error(const char* code, Text text, std::string location);
// E532: data bound for another contract than the one evaluated; `location` says which data.
Diagnostic other_contract(std::string location);
// The evaluator's options for an engine's limits: no overrides, no trace.
EvalOptions eval_options(const Config& config);
// The host's cancel flag and time limit of one evaluation (Options) into `out`, replacing any
// there; the time limit counts from now.
void stop_options(const Options& options, EvalOptions& out);
// Exact text of a number: a finite decimal ("0.3"), else a fraction ("1/3").
std::string exact_text(const Number& n);
// An amount with exactly the currency's decimals ("26700000.00").
std::string money(const checked::Contract& c, const Number& n, int currency = 0);
// A total as fill_payments adds it up: in `digits` (units of the currency's minor unit) while
// every line fits a machine word there and so does the sum, then (`in_digits` false) in `amount`.
struct Flow {
  int payer, payee, currency;
  Number amount;
  std::int64_t digits = 0;
  bool in_digits = true;
};
struct FillScratch {
  std::vector<Flow> flows;
  struct Key {
    int period, payer, payee, clause, rule_index;
    bool waterfall;
    bool operator==(const Key&) const = default;
  };
  std::vector<Key> lines;  // the lines of the last call (the lines `out` holds, unless fresh)
  std::vector<std::optional<std::int64_t>> digits;  // per line: its amount in minor units, if whole and in int64
  std::vector<std::size_t> line_flow;  // per line of `lines`: the index of its total in `flows`
  bool totals_known = false;           // whether `flows` and `line_flow` are those of `lines`
  struct TotalKey {
    int payer, payee, currency;
    bool operator==(const TotalKey&) const = default;
  };
  std::vector<TotalKey> totals;  // the totals `out` holds, as of the last call
  // Whether the last call wrote every text of `lines` and `totals`: not when an exception (out
  // of memory) left some half written, or some lines not reached with keys that still match.
  bool texts_known = false;
  std::vector<int> places;       // minor_unit_places per currency (the contract is the session's)
};
// Payments, totals per payer -> payee, and traces of an evaluation into a Result, overwriting
// its elements in place; `scratch` is memory the caller keeps between calls: with it, a Result
// that already holds the same lines (period, parties, clause, rule) as the evaluation gets only
// its amounts rewritten, and lines that are those of the last call add to totals found then.
void fill_payments(const checked::Contract& c, const Evaluation& ev, Result& out, FillScratch& scratch);
// The records `at most N per KEY` did not pay (language.md §16.6), with where each was read.
void fill_not_paid(const checked::Contract& c, const Evaluation& ev, const Dataset& data, Result& out);

// JSON forms (json.cpp).
std::string messages_json(const Messages& messages);

}  // namespace api
}  // namespace utfall
