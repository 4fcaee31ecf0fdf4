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

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/messages.hpp"
#include "interpreter/records.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

// Values for the inputs of one contract, in the order of its declarations.
namespace fast {
struct Columns;  // fast_eval.hpp
struct Program;
}

struct Dataset {
  // series[input][period]; empty for participant inputs
  std::vector<std::vector<std::optional<checked::Value>>> series;
  // participants[input][record][field]; empty for series
  std::vector<ParticipantRecords> participants;
  // Where each participant input's records were read (bind_data fills it; it may be empty, as
  // for data made by hand): messages about a record's value name its cell in the data file.
  struct Source {
    std::string file, table;           // as Table::file and Table::name
    std::vector<std::string> columns;  // per field, the column as written in the file
    struct Row {
      std::uint32_t row = 0, line = 0;  // Cell::row and Cell::line of the record's row (32 bits, as there)
    };
    std::vector<Row> rows;  // per record
  };
  std::vector<Source> sources;  // [input]
  // links[input][field][record]: the record of the linked input that a link field names
  // (docs/language.md §8.5); empty for a field that is no link, and where bind_data did not
  // make the data (then the evaluator looks the key up itself).
  std::vector<std::vector<std::vector<int>>> links;
};

struct EvalLimits {
  std::size_t max_digits = 10000;         // digits of any intermediate value
  std::uint64_t max_steps = 200'000'000;  // expression nodes evaluated
  // Work of exact arithmetic (E711), in products of 64-bit words: an operation on values of
  // a and b words counts (a + b)^2. Steps bound how many operations run, this how large they
  // are: any evaluation inside the limits ends in seconds (docs/language.md §25).
  std::uint64_t max_work = 1'000'000'000;
  // Expressions being evaluated at once, counted through the definitions, payments and
  // periods they reach (E703): a bound on the evaluator's recursion.
  std::size_t max_depth = 2000;
  // The stack that recursion may use, measured from the call of `evaluate` (E703); a host that
  // evaluates on a thread of its own gives it more than this (8 MiB is enough).
  std::size_t max_stack_bytes = 6u << 20;
  friend bool operator==(const EvalLimits&, const EvalLimits&) = default;
};

struct EvalOptions {
  std::map<int, checked::Value> term_overrides;  // term index -> value
  std::set<int> unlimited_terms;  // terms given the value `unlimited` (no limit), not in term_overrides
  // `scale(INPUT)=F` (docs/cli.md): every value of the series input INPUT, a number of any
  // unit, is multiplied by the plain number F, exactly, before the evaluation reads it. A what-if
  // between binding and evaluation: declared ranges were checked on the data as read.
  std::map<int, Number> input_scales;  // input index -> factor
  // Payments need not be whole numbers of their currency's minor unit (no E602): the same
  // formulas continued between the values at which they are, for `utfall solve`, which follows
  // a payment as a function of a term. The fixed-point path, which pays only whole minor units,
  // steps aside for any other amount as it always does.
  bool any_amount = false;
  EvalLimits limits;
  bool trace = false;  // record the steps of every payment (Evaluation::traces), for `explain`
  // A host's way to stop a long evaluation (E712): a flag it may set from another thread, and
  // a point in time. Looked at when an evaluation starts, then every 4096 steps and after every
  // large operation; the fixed-point path, whose evaluations are short, looks before each group
  // of data sets it runs together (stop_requested, below).
  const std::atomic<bool>* cancel = nullptr;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // With `trace`: only the payments of this period are traced (the earlier periods are computed
  // all the same, untraced), so that explaining one period takes what that period needs; -1: all.
  int trace_period = -1;
  std::size_t max_trace_steps = 100000;  // per rule and period; further steps are summarised
  // Try the fixed-point path (fast_eval.hpp) first, with a Workspace: same result, faster; it
  // steps aside by itself for tracing, term overrides, and contracts or data it cannot take.
  bool fast = true;
  // The series data already read in fixed point (for example by Engine::bind); may be null.
  const fast::Columns* columns = nullptr;
  // The contract's fixed-point program, already lowered (for example once per compiled
  // contract); may be null: the Workspace then lowers it on first use, unless `lower` is false.
  const fast::Program* program = nullptr;
  // With no `program`: lower the contract (kept by the Workspace for the evaluations after).
  // A host that evaluates a contract once passes false, as `utfall run` does: lowering costs
  // more than the one run saves (bench/README.md). Loops over participants still take lanes.
  bool lower = true;
};

struct PaymentLine {
  int period;
  int payer, payee;
  Number amount;
  int clause;
  std::string rule;  // the payment's or waterfall's name, or "" when unnamed
  bool waterfall = false;
  int rule_index = 0;  // index into contract.payments or contract.waterfalls
  int trace = -1;      // index into Evaluation::traces when traced
};

// A value in a trace: exact ("26700000.00", "0.3", "true", "2027") and its unit apart ("SEK", "").
struct TraceValue {
  std::string text, unit;
  TraceValue() = default;
  TraceValue(std::string t, std::string u = {}) : text(std::move(t)), unit(std::move(u)) {}
  TraceValue(const char* t) : text(t) {}
};

// One step of the explanation of a payment. The steps of a payment read top to bottom as a
// statement: the condition, the amount's formula and every value it used (indented by `depth`
// under what used it), then each rounding, netting, floor and cap in the order they applied.
struct TraceStep {
  enum class Kind {
    condition,     // a `when` condition or an `if` test: formula, true/false
    amount,        // the amount (or a waterfall's pool) before rounding, netting and caps
    input,         // a datum: name, period, value
    term,          // a term: name, formula, value (note: overridden)
    definition,    // a `let`: name, formula, value
    aggregate,     // to_date, sum over periods, sum/count over participants
    table,         // a table lookup: the key and the row it fell in
    choice,        // min/max/clamp: which argument was chosen
    participants,  // a per-participant payment: how many matched, each amount when few
    tier,          // a waterfall tier: what it took of what was left
    rounding,      // value before, step, mode, value after
    netting,       // against what the rule paid in earlier periods
    bound,         // a cap or floor: whether it bound and by how much
    result,        // what is paid
  };
  Kind kind;
  int depth = 0;
  // Label and note are phrases of the message table (interpreter/messages.hpp), so that an
  // explanation reads in English or Swedish; a name is a verbatim Text.
  Text label;           // a name or what the step is ("capped at takbelopp in total")
  std::string formula;  // the source text of the expression, when there is one
  TraceValue value;      // the value, exact, with its unit apart
  Text note;            // how the value came about ("bound: cut by 1200 SEK")
  int period = -1;      // the period the value belongs to, -1 when none
  int line = 0;         // line in the contract source, 0 when none
};
std::string_view to_string(TraceStep::Kind kind);

// The explanation of one rule (a payment, or a whole waterfall with its tiers) in one period.
struct PaymentTrace {
  int period;
  int clause;
  bool waterfall = false;
  int rule_index = 0;
  std::vector<TraceStep> steps;
};

struct Evaluation {
  bool ok = false;
  std::vector<PaymentLine> lines;  // by period, then in the order of the clauses
  std::vector<PaymentTrace> traces;  // when EvalOptions::trace
  Diagnostics diagnostics;
  bool fast = false;  // computed by the fixed-point path (fast_eval.hpp), not the tree walk
  // Records that a payment's filter chose but did not pay, because their key had had its
  // `at most N` records paid already (docs/language.md §16.6), in the order met.
  struct NotPaid {
    int payment, period, record;
  };
  std::vector<NotPaid> not_paid;
  // Expression nodes the tree walk evaluated (what EvalLimits::max_steps bounds); 0 on the
  // fixed-point path. A measure of work that tests can bound.
  std::uint64_t steps = 0;
  // Work of exact arithmetic it did (what EvalLimits::max_work bounds); 0 on the fixed-point path.
  std::uint64_t work = 0;
  // Records of participants whose loops ran on fixed-point lanes (fast_participants.hpp), in
  // all; 0 when none did.
  std::uint64_t lane_records = 0;
  // Loops over participants lowered to the lanes, whether they then ran there or were given back
  // to the general evaluator; a loop given back is not lowered again in the same period.
  std::uint64_t lane_loops = 0;
};

// The value of one expression (evaluate_expression, below).
struct ValueResult {
  std::optional<checked::Value> value;
  Diagnostics diagnostics;
};

Evaluation evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options = {});

// Why the host wants evaluations with these options stopped (E712), as the message says it:
// "the evaluation was cancelled by its host" or "the evaluation ran past the deadline its host
// set"; nothing when neither. One relaxed load of the flag, and a read of the clock when there
// is a deadline.
std::optional<Text> stop_requested(const EvalOptions& options);

// The memory an evaluation works in (memoised definitions, what each payment paid so far),
// kept from one evaluation to the next. A host that evaluates one contract many times on one
// thread keeps a Workspace and an Evaluation and passes both to the overload below: once they
// have grown to the contract's size, an evaluation whose values fit in machine words (the
// fast path of Number) and that is not traced allocates nothing. A Workspace holds no result
// and may be used with any contract, but by one thread at a time.
class Workspace {
 public:
  Workspace();
  ~Workspace();
  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
  struct State;  // defined in evaluator.hpp
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

// As above, into `out`, whose lines are overwritten in place (their memory reused).
void evaluate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options, Workspace& workspace,
              Evaluation& out);

// evaluate() of `count` cases, case i on *data[i] with *options[i]: out[i] is what
// evaluate(contract, *data[i], *options[i], workspace, out[i]) gives. The cases the fixed-point
// path may take (fast, untraced, no input scaled, and the limits, program and stop of the
// first such case) run on its lanes together, each with its own data and term values (a
// sweep's cases); the others, and those the lanes give up, one at a time as evaluate() runs
// them.
void evaluate_each(const checked::Contract& contract, const Dataset* const* data, const EvalOptions* const* options,
                   std::size_t count, Workspace& workspace, Evaluation* out);
// The same with one data set for every case (a sweep's variations of terms).
void evaluate_each(const checked::Contract& contract, const Dataset& data, const EvalOptions* const* options,
                   std::size_t count, Workspace& workspace, Evaluation* out);

// One expression in one period (the REPL, `utfall eval`). `period` may be -1 when the expression
// does not depend on the period (it is an error if it does).
ValueResult evaluate_expression(const checked::Contract& contract, const Dataset& data, const checked::Expr& expr,
                                int period, const EvalOptions& options = {});

// Places of decimals of a currency's minor unit (0.01 -> 2); by default the contract's first.
int minor_unit_places(const checked::Contract& contract, int currency = 0);

// Whether a term has the value `unlimited` in an evaluation with these options: given it
// (`unlimited_terms`), or declared so and given no number (docs/language.md §9.2).
bool term_unlimited(const checked::Contract& contract, const EvalOptions& options, int term);
// An amount of the contract's currency with the minor unit's places, exactly: "26700000.00";
// with `separators`, "26,700,000.00". An amount finer than the minor unit keeps all its digits.
std::string format_money(const checked::Contract& contract, const Number& amount, bool separators = false,
                         int currency = 0);
// format_money without separators, at `places` (minor_unit_places), into `out`, whose memory it
// keeps where the text fits. Gives the digits it wrote (amount * 10^places) where they are a
// whole number that fits int64, else nullopt.
std::optional<std::int64_t> write_money(std::string& out, const Number& amount, int places);
// digits * 10^-places into `out` with all `places` decimals (0 <= places <= 18): 2670000050, 2
// -> "26700000.50"; 5, 3 -> "0.005"; -15, 1 -> "-1.5".
void write_decimal(std::string& out, std::int64_t digits, int places);
// The contract's currencies for a heading: "SEK", "SEK and EUR", "SEK, EUR and NOK".
std::string currency_list(const checked::Contract& contract);
// Thousands separators in a decimal number: "-26700000.00" -> "-26,700,000.00". Text that is not
// a decimal number ("true", "2027Q1", "1/3") is returned as it is.
std::string with_thousands_separators(const std::string& decimal);

// Display of a value with its type's unit: "9000000 SEK", "0.3", "true", "2027".
std::string format_value(const checked::Contract& contract, const checked::Value& value, const Type& type);

}  // namespace utfall
