// utfall: the C++ embedding API.
//
// A host (a case-management system, a fund's scenario model, a notebook through the C API)
// compiles a contract once and evaluates it many times against data it supplies as values:
//
//   utfall::Engine engine;                                  // a configuration, no global state
//   auto compiled = engine.compile(text, "contract.utfall"); // parse + check
//   if (!compiled.contract) { for (auto& m : compiled.messages) report(m.rendered); return; }
//   utfall::Data data;
//   data.series["avropat"]["2027"] = "7000000";             // exact decimal text
//   auto result = engine.evaluate(*compiled.contract, data); // bind + evaluate
//   for (auto& p : result.payments) use(p.period, p.from, p.to, p.amount);  // "26700000.00"
//
// What holds:
//   - Nothing here uses floating point. Numbers cross the API as exact decimal text ("12.50",
//     "-0.075", "92 %" for a percentage) or as an integer with a scale (`Value::decimal(1250, 2)`);
//     amounts come back as exact text with the currency's decimals ("26700000.00").
//   - An `Engine` holds only its `Config`. Two engines in one process do not interfere, and the
//     library has no mutable global or static state.
//   - A `Contract` is immutable and cheap to copy (a shared handle). Any number of threads may
//     evaluate one contract at once, each with its own data; a `Bound` data set may likewise be
//     shared between threads.
//   - Problems are values (`Message`), never exceptions and never printed: a contract that does
//     not check, data that does not fit the declarations, an evaluation that fails on the data,
//     a limit reached. Only `std::bad_alloc` may escape the C++ API (the C API catches it too).
//   - Contract code reaches no file, network, environment or clock: it sees only the data the
//     host passes in. The engine reads a file only when the host names it (`Data::files`,
//     `Engine::compile_file`; in C also the `files` option, only inside a folder the host
//     configured); a contract's `example ... data "file"` blocks are never read here. Only
//     regular files are read (a FIFO or a device is an E801 message, never waited on), and the
//     size limits count the bytes read.
//
// The internal stages (parse -> check -> bind -> evaluate, in interpreter/) are not visible from
// this header; hosts include only <utfall/utfall.hpp> and link `utfall::utfall`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#if defined(_WIN32)
#define UTFALL_CXX_API
#else
#define UTFALL_CXX_API __attribute__((visibility("default")))
#endif

namespace utfall {

// Limits that end a compilation or an evaluation with a `limit` (or, for nesting, a syntax)
// message instead of a crash or a hang. The defaults are those of the command line
// (docs/language.md §25); a host that evaluates untrusted contracts or data may lower them.
// Any thread may call the engine (256 KiB of stack is enough): recursion has a stack budget of
// its own, which a limit raised past it meets as the same limit message (§25.1).
struct Limits {
  std::size_t max_nesting = 200;             // nesting of parentheses, calls, unary operators (E706)
  std::size_t max_source_bytes = 64u << 20;  // size of a contract text (E701); at most 4 GiB - 2 whatever is set
  std::size_t max_digits = 10000;            // digits of any data value or computed value (E704)
  std::uint64_t max_steps = 200'000'000;     // expression nodes evaluated per evaluation (E705)
  std::uint64_t max_work = 1'000'000'000;    // exact arithmetic per evaluation, in word products (E711)
  std::size_t max_data_bytes = 256u << 20;   // bytes of data text in one data set, all sources (E706)
  std::size_t max_participants = 10'000'000; // participant records in one data set, all inputs (E707)
};

struct Config {
  Limits limits;
};

// A diagnostic: where, what, and how bad. `kind` says which stage failed and maps to the
// command line's exit codes (contract 2, data 3, runtime 4, limit 5, internal 70).
struct UTFALL_CXX_API Message {
  enum class Severity { error, warning, note };
  enum class Kind { syntax, name, type, structure, data, runtime, limit, io, internal };
  Severity severity = Severity::error;
  Kind kind = Kind::internal;
  std::string code;        // "E301"
  std::string text;        // one sentence
  std::string file;        // the contract's name, when the message points into it
  std::size_t line = 0;    // 1-based; 0 when the message has no position in the contract
  std::size_t column = 0;  // 1-based, in code points
  std::string clause;      // "3.2 Återbetalning" when the problem sits in a clause
  std::string location;    // in data: "plan.csv: row 3 (line 4), column `avropat`"
  std::string suggestion;  // "did you mean `frigjort`?"
  std::string rendered;    // the whole message as the command line prints it, with a caret
  // `text`, `suggestion` and `location` in Swedish, for a host that shows its users Swedish
  // (`utfall check --lang sv`); the same as the English where a sentence has no Swedish yet.
  std::string text_sv;
  std::string suggestion_sv;
  std::string location_sv;  // "plan.csv: rad 3 (textrad 4), kolumn `avropat`"
};
using Messages = std::vector<Message>;

// One value supplied by the host, read against the type its declaration names: a number as
// exact decimal text ("7000000", "-0.075"; a percentage as "92" or "92 %"), a boolean
// ("true"/"false", "yes"/"no", "ja"/"nej", "1"/"0"), a period by its name ("2027"), or text.
class UTFALL_CXX_API Value {
 public:
  Value() = default;
  Value(std::string text) : text_(std::move(text)) {}
  Value(const char* text) : text_(text) {}
  Value(bool b) : text_(b ? "true" : "false") {}
  // units * 10^-scale, exactly: decimal(1250, 2) is 12.50. scale is 0..18.
  static Value decimal(std::int64_t units, int scale);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// The records of one participant input, in the shape of a table: one name per field and one
// row of values per participant, in the order of `fields`.
struct Records {
  std::vector<std::string> fields;
  std::vector<std::vector<Value>> rows;
};

// The data of one evaluation. Every source is optional; together they must give every declared
// input exactly once (the same rules as data files: docs/language.md, data files).
struct Data {
  std::map<std::string, std::map<std::string, Value>> series;  // input -> period -> value
  std::map<std::string, Records> participants;                   // participant input -> records
  // Data files the engine reads (CSV or JSON, by extension). Read only because the host asks.
  std::vector<std::string> files;
  // Data-file texts the host holds in memory: a label for messages, "csv" or "json", the text.
  struct Document {
    std::string label;
    std::string format;
    std::string text;
  };
  std::vector<Document> documents;
};

// What a host may ask of one evaluation.
// A host's way to stop evaluations from another thread. Copies share one flag: give a copy to
// the evaluations (Options::cancel) and call `request()` from anywhere; each evaluation given
// it then ends with E712 (kind limit) within 4096 steps or one large operation.
class UTFALL_CXX_API Cancel {
 public:
  Cancel();
  void request() const noexcept;
  bool requested() const noexcept;
  const std::atomic<bool>* flag() const noexcept { return flag_.get(); }  // for the engine

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

struct Options {
  // Term overrides for what-if runs: term name -> an expression of the term's type ("25 %",
  // "6_000_000 SEK", "takbelopp * 2").
  std::map<std::string, std::string> terms;
  // Record the explanation of every payment (Result::traces).
  bool trace = false;
  // Stops the evaluation (E712) when requested, or when it runs longer than `time_limit`
  // (zero: no limit). The general evaluator looks every 4096 steps; the fixed-point path, whose
  // evaluations take microseconds, before it starts (and a Batch before each group of sets).
  std::optional<Cancel> cancel;
  std::chrono::milliseconds time_limit{0};
};

// Payments of one evaluation. When `ok` is false, `messages` says why and there are no payments
// (an evaluation is all or nothing).
struct UTFALL_CXX_API Result {
  struct Payment {
    std::string period;
    std::string from, to;      // party ids
    std::string amount;        // exact, with its currency's decimals: "26700000.00"
    std::string clause;        // "3.2"
    std::string clause_title;  // "Återbetalning"
    std::string rule;          // the payment's or waterfall's name; "" when unnamed
    std::string currency;      // "SEK": the payment's currency (a contract may have several)
  };
  // A record that a payment `at most N per KEY` chose but did not pay (language.md §16.6).
  struct NotPaid {
    std::string period, from, to, clause, rule;
    std::string records;  // the record input's name
    std::size_t record = 0;           // counted from 1, in the input's data
    std::string file;                 // where the record was read; "" when the host gave no file
    std::size_t row = 0, line = 0;    // 0 when unknown
  };
  struct Total {  // per payer, payee and currency
    std::string from, to;
    std::string amount;
    std::string currency;
  };
  // The explanation of one rule in one period (a payment, or a waterfall with all its payees),
  // as `utfall explain` prints it (docs/cli.md: the trace JSON).
  struct TraceStep {
    std::string kind;     // condition, amount, input, term, definition, aggregate, table, choice,
                          // participants, tier, rounding, netting, bound, result
    int depth = 0;        // nesting under the step that used this value
    std::string label;    // a name, or what the step is ("capped in total at `takbelopp`")
    std::string formula;  // the expression's source text, or ""
    std::string value;    // exact: "26700000.00", "0.3", "true", "2027"
    std::string unit;     // "SEK", "placements", "" for plain numbers
    std::string note;     // how the value came about ("bound: cut by 1,200.00 SEK")
    std::string period;   // the period the value belongs to, or ""
    int line = 0;         // line in the contract, 0 when none
  };
  struct Trace {
    std::string period, clause, clause_title, rule;
    bool waterfall = false;
    int line = 0;                        // the rule's line in the contract
    std::vector<std::size_t> payments;  // indexes into `payments` that this trace explains
    std::vector<TraceStep> steps;
  };

  bool ok = false;
  std::string currency;  // the contract's first currency; each payment names its own
  std::vector<Payment> payments;  // by period, then in the order of the clauses
  std::vector<Total> totals;      // per payer -> payee over all periods, ordered by party
  std::vector<NotPaid> not_paid;  // by period, then in the order of the clauses
  std::vector<Trace> traces;      // only when Options::trace
  Messages messages;              // errors, and warnings of data binding

  // The result as JSON (docs/embedding.md: result JSON): amounts as strings, never numbers.
  std::string to_json() const;
};

// What a host asks of one simulation (Engine::simulate): many runs of a contract with terms and
// data drawn at random, the draws read exactly as `utfall simulate` reads them (docs/cli.md).
struct SimulationOptions {
  // "NAME ~ DIST [step S]", as `utfall simulate --draw`: "premieandel ~ uniform(20 %, 50 %)",
  // "hemtjanst_kostnad@2027 ~ normal(170_000_000, 10_000_000)", "scale(avropat) ~ triangular(0.9, 1, 1.2)".
  std::vector<std::string> draws;
  // "A, B = RHO", as --correlate: the Spearman rank correlation of two draws, named as drawn.
  std::vector<std::string> correlations;
  std::uint64_t runs = 10'000;  // 1 to 10 000 000
  std::uint64_t seed = 1;       // the same seed gives the same runs, whatever the threads
  unsigned threads = 0;         // 0: all cores
  // Term overrides fixed in every run, as Options::terms ("scale(INPUT)" too, as --set takes it).
  std::map<std::string, std::string> terms;
  // Keep the values every run drew (Simulation::drawn); they cost one exact number per draw,
  // period of a drawn series, and run.
  bool record_draws = true;
};

class Engine;

// A checked, immutable contract. Copies share one compiled form; safe to use from any thread.
class UTFALL_CXX_API Contract {
 public:
  struct Type {
    enum class Kind { number, boolean, period, text } kind = Kind::number;
    std::string unit;      // "SEK", "SEK per placement", "" for plain numbers and other kinds
    bool percent = false;  // data for it is written in percent ("92" means 0.92)
  };
  struct Party {
    std::string id, name;
  };
  struct Field {
    std::string name;
    Type type;
  };
  struct Input {
    std::string name;
    bool participants = false;
    Type type;                         // series: the type of each period's value
    std::vector<std::string> periods;  // series: the periods that need a value
    std::vector<Field> fields;         // participants: the fields of a record
  };
  struct Term {
    std::string name;
    Type type;
    std::string value;  // exact: "200000000", "0.3"; a fraction "1/3" when not a finite decimal
  };
  struct Clause {
    std::string number, title;
    std::vector<std::string> definitions;  // `let` and `for each` names
    std::vector<std::string> payments;     // payment and waterfall names ("" when unnamed)
  };

  const std::string& name() const;   // as given to compile
  const std::string& title() const;  // the `contract "..."` line
  const std::string& currency() const;
  const std::string& minor_unit() const;  // "0.01"
  const std::vector<std::string>& periods() const;
  const std::vector<Party>& parties() const;
  const std::vector<Input>& inputs() const;
  const std::vector<Term>& terms() const;
  const std::vector<Clause>& clauses() const;
  const std::vector<std::string>& examples() const;  // names of the `example` blocks
  // All of the above as JSON (docs/embedding.md: contract JSON).
  std::string to_json() const;

  struct Impl;
  explicit Contract(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

struct Compilation {
  std::optional<Contract> contract;  // set when there are no errors
  Messages messages;                 // errors, or warnings beside a contract
};

// Data read and checked against one contract's declarations, ready to evaluate many times
// (with different term overrides, from several threads). Immutable.
class UTFALL_CXX_API Bound {
 public:
  struct Impl;
  explicit Bound(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

struct Binding {
  std::optional<Bound> data;  // set when there are no errors
  Messages messages;
};

// The runs of one simulation (Engine::simulate). When ok() is false, messages() says why (a draw
// or correlation that does not read, too many runs; E214) and there are no runs. Every run's
// payments are exact: each amount is an exact count of 10^-places() currency units, as a Batch
// gives them. A run that fails (a drawn value outside its input's declared range, E532; an
// evaluation error) keeps zeros and run_ok() false; failed() counts those runs, first_failure()
// is the failure of the one with the least index, and statistics leave them out. Runs are kept
// by index: the same seed gives the same Simulation for any number of threads. Immutable, and
// cheap to copy (a shared handle).
class UTFALL_CXX_API Simulation {
 public:
  struct Flow {  // what one payer pays one payee in one currency
    std::string from, to, currency;
  };
  struct Position {  // a party's net position in one currency: received - paid
    std::string party, currency;
  };
  struct Draw {
    std::string name;          // as written: "premieandel", "kostnad@2027", "kostnad", "scale(kostnad)"
    std::string distribution;  // as written: "uniform(20 %, 50 %)"
    std::string step;          // the grid of the drawn values, as the contract holds them ("0.00001"); "" for empirical
    std::vector<std::string> periods;  // a whole series drawn: a value per period (slot k is periods[k]); else empty
  };
  // Statistics over the runs that did not fail, computed exactly from the exact amounts (as
  // `utfall simulate` computes them). Amounts as exact text with the currency's decimals; all
  // "" when no run is left (count 0).
  struct Statistics {
    std::uint64_t count = 0;   // the runs that did not fail
    std::string mean;          // exact, unrounded: "3521497.385", or a fraction "35214973/30" when not a finite decimal
    std::string mean_rounded;  // rounded half-even to the minor unit, as `utfall simulate` shows it
    std::string sd;            // the sample standard deviation (n - 1), rounded half-even to the minor unit
    std::vector<std::string> percentiles;  // by nearest rank: the value at rank ceil(P / 100 * count), one per P asked
    std::string min, max;
    std::uint64_t positive = 0;  // runs above zero
  };

  bool ok() const;
  const Messages& messages() const;  // errors when !ok(); else warnings of binding the data
  std::uint64_t runs() const;
  std::uint64_t seed() const;
  std::uint64_t failed() const;
  bool run_ok(std::uint64_t run) const;
  const std::optional<Message>& first_failure() const;  // its text begins "run i: " (i from 1)
  std::uint64_t first_failed_run() const;                // counted from 0
  int places() const;
  const std::vector<std::string>& periods() const;  // the contract's; period index periods().size() is the total
  const std::vector<Flow>& flows() const;           // every flow the contract may pay, by payer, payee, currency
  const std::vector<Position>& positions() const;   // every party that pays or is paid, in each currency it does
  const std::vector<Draw>& draws() const;           // in the order of SimulationOptions::draws

  // runs() amounts, one per run: flow f in period t (t = periods().size(): its total), and the
  // net position p, in units of 10^-places(). Valid as long as the Simulation (or a copy).
  const std::int64_t* amounts(std::size_t flow, std::size_t period) const;
  const std::int64_t* net(std::size_t position) const;
  // The value run `run` drew for draw d (slot 0, or the index into its periods), exact, as the
  // contract holds it ("0.2734" for 27.34 %); "" without SimulationOptions::record_draws.
  std::string drawn(std::size_t draw, std::size_t slot, std::uint64_t run) const;

  // Percentiles are decimals from 0 to 100 ("5", "97.5"); another is std::invalid_argument.
  Statistics flow_statistics(std::size_t flow, std::size_t period, const std::vector<std::string>& percentiles = {"5", "50", "95"}) const;
  Statistics position_statistics(std::size_t position, const std::vector<std::string>& percentiles = {"5", "50", "95"}) const;

  struct Impl;
  explicit Simulation(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

class UTFALL_CXX_API Engine {
 public:
  explicit Engine(Config config = {});
  const Config& config() const { return config_; }

  // Parses and checks a contract text. `name` labels it in messages.
  Compilation compile(std::string_view source, std::string name = "<contract>") const;
  // Reads a contract file, then compiles it.
  Compilation compile_file(const std::string& path) const;

  // Reads and checks `data` against the contract's inputs, within the engine's data limits.
  Binding bind(const Contract& contract, const Data& data) const;
  // Evaluates the contract on bound data (bound for this contract).
  Result evaluate(const Contract& contract, const Bound& data, const Options& options = {}) const;
  // bind + evaluate in one call.
  Result evaluate(const Contract& contract, const Data& data, const Options& options = {}) const;

  // One evaluation of a sweep: a data set bound for the contract and options (term overrides).
  struct Case {
    Bound data;
    Options options;
  };
  // Evaluates every case on `threads` threads (0: all cores; at most 256, and fewer when the
  // system refuses more), each thread with its own Session.
  // results[i] is the result of cases[i], the same whatever the number of threads.
  // The engine keeps its sweep threads and their Sessions (the working memory of the last
  // contract swept, which they keep alive) for the next sweep, until the engine and its copies
  // are gone; a sweep while another runs on the same engine (from another host thread) starts
  // threads of its own.
  std::vector<Result> sweep(const Contract& contract, const std::vector<Case>& cases, unsigned threads = 0) const;

  // Runs the contract options.runs times on `data`, with the draws of `options` (as `utfall
  // simulate` does), on options.threads threads. A problem with the options is a Simulation
  // with ok() false; runs that fail are counted in it.
  Simulation simulate(const Contract& contract, const Bound& data, const SimulationOptions& options) const;
  // bind + simulate in one call.
  Simulation simulate(const Contract& contract, const Data& data, const SimulationOptions& options) const;

  struct Sweeper;  // the threads and Sessions kept between sweeps (opaque)

 private:
  Config config_;
  std::shared_ptr<Sweeper> sweeper_;  // shared by the engine's copies
};

// A reusable evaluation of one contract, for a host that evaluates it many times on one thread
// (a scenario model, one thread of a sweep). It keeps the evaluator's working memory and the
// last Result between calls, overwriting them in place: once warmed up (from the contract's
// third evaluation on: its first is not lowered, its second lowers it), an evaluation without
// term overrides or trace, whose values fit in machine words (up to about 18 significant
// digits), allocates no memory at all. Results are the same as Engine::evaluate's. One Session
// per thread; the Contract and the Bound data may be shared between sessions.
class UTFALL_CXX_API Session {
 public:
  Session(const Engine& engine, Contract contract);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Evaluates the contract on data bound for it. The reference stays valid, and its contents
  // unchanged, until the next call on this session (or its end).
  const Result& evaluate(const Bound& data, const Options& options = {});
  const Contract& contract() const;

 private:
  friend class Engine;  // Engine::sweep hands a session blocks of cases
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Many evaluations of one contract on many data sets, with the amounts as integers: for a
// sweep over data (a fund's model over thousands of generated futures) that wants numbers, not
// text. Every evaluation of a contract pays the same lines (`lines()`: a payment has a line in
// every period of its range, zero when its condition is false); a Batch gives, per data set,
// each line's amount as an exact count of 10^-places() currency units (2 places for SEK:
// "26700000.00" is 2670000000). The amounts are those of Session::evaluate to the last unit,
// never rounded: an amount that is not a whole number of units or does not fit in int64 makes
// that data set fail (E710) and leaves the others alone; Session::evaluate gives its exact text.
// No term overrides and no trace (Engine::sweep does those).
//
// Sets the fixed-point path can take are run together, the rest one by one by the general
// evaluator, with the same results. A Batch keeps all its memory between calls and overwrites
// it, so a warm Batch evaluating sets that all succeed allocates nothing. One Batch per thread;
// the Contract and the Bound data may be shared.
class UTFALL_CXX_API Batch {
 public:
  // A line every evaluation of the contract pays, in the order of Result::payments.
  struct Line {
    std::string period;
    std::string from, to;      // party ids
    std::string clause;        // "3.2"
    std::string clause_title;  // "Återbetalning"
    std::string rule;          // the payment's or waterfall's name; "" when unnamed
    std::string currency;      // the line's currency
  };

  Batch(const Engine& engine, Contract contract);
  ~Batch();
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;

  const Contract& contract() const;
  const std::vector<Line>& lines() const;
  // The amounts count units of 10^-places() of the currency: the decimals of its minor unit
  // (with several currencies, the most decimals of any of their minor units).
  int places() const;

  // Evaluates the contract on each of `count` data sets bound for it, replacing the results of
  // the previous call. A set that fails (its data, a runtime error, E532 for data bound for
  // another contract, E710) has ok() false and its messages, whose locations begin "data set
  // i" (i counts from 0 in `sets`); the other sets are unaffected.
  //
  // `options` may stop the batch (E712): its cancel flag and time limit (counted from this
  // call) are looked at before each group of at most 256 sets, and before and after each set
  // the general evaluator takes (which looks too, as for any evaluation). Once the host asks,
  // the sets from some index on are not evaluated: each has ok() false and E712, one message
  // shared by all that never started ("data sets i to j", j = `count` - 1), its own for a set
  // stopped while it ran. Every set before that index has its result. A Batch takes no term
  // overrides and no trace: `options.terms` or `options.trace` given is std::invalid_argument,
  // before anything is evaluated.
  void evaluate(const Bound* sets, std::size_t count, const Options& options = {});
  void evaluate(const std::vector<Bound>& sets, const Options& options = {}) { evaluate(sets.data(), sets.size(), options); }

  // The results of the last evaluate, for set < size(). amounts(set) points to lines().size()
  // values, all zero when ok(set) is false; messages(set) is empty when ok(set) is true. Valid
  // until the next evaluate (or the Batch's end).
  std::size_t size() const;
  bool ok(std::size_t set) const;
  const std::int64_t* amounts(std::size_t set) const;
  const Messages& messages(std::size_t set) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace utfall
