// Batch: many evaluations of one contract, amounts as integers (include/utfall/utfall.hpp).
//
// Sets are handed to the fixed-point path (fast::run_batch) in chunks; each set it gives up
// is evaluated by the general evaluator, whose exact amounts are converted to integer units
// here, never rounded. All memory (amounts, flags, the chunks, the evaluator's Workspace and
// Evaluation, the messages of failed sets) is kept between calls and overwritten. A stop the
// host asks for (E712) is seen by the fixed-point path before each group of lanes and here after
// each general evaluation; the sets not evaluated then share one message, so that stopping a
// batch of millions of sets costs no memory per set.
#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <stdexcept>

#include "api/internal.hpp"

namespace utfall {
namespace {

// Sets per run of the fixed-point path: bounds its scratch memory (registers per set) and ours.
constexpr std::size_t kChunk = 256;

// 10^places: `amount * unit_count(places)` is the amount as a count of 10^-places units.
Number unit_count(int places) {
  Number n = Number::from_int(1);
  for (int i = 0; i < places; ++i) n = n * Number::from_int(10);
  return n;
}

bool same_line(const PaymentLine& l, const fast::Line& f) {
  return l.period == f.period && l.payer == f.payer && l.payee == f.payee && l.waterfall == f.waterfall && l.rule_index == f.rule_index;
}

}  // namespace

struct Batch::Impl {
  Config config;
  Contract contract;
  fast::Cache cache;                  // the scratch memory of the fixed-point runs
  const fast::Program* program = nullptr;  // in `cache`; null when the contract is not for that path
  std::vector<fast::Line> fast_lines;
  std::vector<Line> lines;
  int places = 0;
  Number per_unit;  // unit_count(places)
  EvalOptions fast_options, general_options;
  Workspace workspace;
  Evaluation evaluation;

  // The results of the last evaluate.
  std::size_t size = 0;
  std::vector<std::int64_t> amounts;  // size * lines
  std::vector<std::uint8_t> ok;
  std::vector<std::uint32_t> failure;  // per failed set: its index into `failures`
  std::vector<Messages> failures;      // the first `failed` are in use; the rest keep their memory
  std::size_t failed = 0;
  Messages none;  // of every set that succeeded

  // One chunk: the sets given to the fixed-point path, and what it gave.
  std::vector<std::size_t> chunk_sets;
  std::vector<const fast::Columns*> chunk_columns;
  std::vector<std::int64_t> chunk_amounts;
  std::vector<std::uint8_t> chunk_ok;

  Impl(const Engine& engine, Contract c);
  void evaluate(const Bound* sets, std::size_t count, const Options& options);
  std::size_t run_chunk(const Bound* sets, std::size_t begin, std::size_t end);
  void stop(std::size_t from, std::size_t count);
  void evaluate_general(const Bound& set, std::size_t index);
  Messages& fail(std::size_t set);
  void add(std::size_t set, Diagnostic d);
};

Batch::Impl::Impl(const Engine& engine, Contract c) : config(engine.config()), contract(std::move(c)) {
  const auto& checked = *contract.impl().checked;
  for (std::size_t k = 0; k < checked.currencies.size(); ++k) places = std::max(places, minor_unit_places(checked, int(k)));
  per_unit = unit_count(places);
  // amount_places should be the minor unit's places; were it not, the fixed-point amounts would
  // be in another unit, so the general evaluator gives them all.
  program = this->contract.impl().program();
  if (program && fast::amount_places(*program) != places) program = nullptr;
  fast_lines = fast::lines(checked);
  for (const auto& l : fast_lines) {
    const auto& clause = checked.clauses[l.clause];
    const auto& rule = l.waterfall ? checked.waterfalls[l.rule_index].name : checked.payments[l.rule_index].name;
    lines.push_back({checked.periods[l.period], checked.parties[l.payer].id, checked.parties[l.payee].id, clause.number,
                     clause.title, rule, checked.currencies[checked.line_currency(l.waterfall, l.rule_index)].code});
  }
  fast_options = general_options = api::eval_options(config);
  general_options.fast = false;  // the fixed-point path has had its turn
  chunk_sets.reserve(kChunk);
  chunk_columns.reserve(kChunk);
  chunk_amounts.resize(kChunk * lines.size());
  chunk_ok.resize(kChunk);
}

Messages& Batch::Impl::fail(std::size_t set) {
  if (ok[set]) {
    ok[set] = 0;
    std::fill_n(amounts.begin() + static_cast<std::ptrdiff_t>(set * lines.size()), lines.size(), 0);
  }
  if (failure[set] == UINT32_MAX) {
    if (failed == failures.size()) failures.emplace_back();
    failures[failed].clear();
    failure[set] = static_cast<std::uint32_t>(failed++);
  }
  return failures[failure[set]];
}

// A message of set `set`: its location names the set; one that points into the contract says
// it in a note.
void Batch::Impl::add(std::size_t set, Diagnostic d) {
  const Text where = text("data set {}", set);
  if (d.location.empty()) set_location(d, where);
  else set_location(d, text("{}: {}", where, d.location_text.empty() ? verbatim(d.location) : d.location_text));
  Message m = api::to_message(d);
  if (d.range && d.range->source) m.rendered += fmt::format("  = in {}\n", where.in(Language::en));
  fail(set).push_back(std::move(m));
}

void Batch::Impl::evaluate(const Bound* sets, std::size_t count, const Options& options) {
  const std::size_t L = lines.size();
  size = 0;  // until the results are complete
  failed = 0;
  if (!options.terms.empty() || options.trace)
    throw std::invalid_argument("a Batch takes no term overrides and no trace (Engine::sweep and Session do)");
  api::stop_options(options, fast_options);
  api::stop_options(options, general_options);
  amounts.resize(count * L);  // every set's amounts are written: its lines, or zeros by fail()
  ok.assign(count, 1);
  failure.assign(count, UINT32_MAX);
  for (std::size_t begin = 0; begin < count; begin += kChunk) {
    const std::size_t end = std::min(count, begin + kChunk);
    if (std::size_t stopped = run_chunk(sets, begin, end); stopped < end) {
      stop(stopped, count);
      break;
    }
  }
  size = count;
}

// Sets `from` .. `count` - 1 were not evaluated: the host asked to stop. One message for all.
void Batch::Impl::stop(std::size_t from, std::size_t count) {
  if (from >= count) return;
  auto why = stop_requested(fast_options);
  Diagnostic d;
  d.kind = DiagKind::limit;
  d.code = "E712";
  // A stop the host took back between the look that stopped and this one is still a cancel.
  set_message(d, why ? std::move(*why) : text("the evaluation was cancelled by its host"));
  set_location(d, from + 1 == count ? text("data set {}", from) : text("data sets {} to {}", from, count - 1));
  if (failed == failures.size()) failures.emplace_back();
  failures[failed].clear();
  failures[failed].push_back(api::to_message(d));
  const std::size_t L = lines.size();
  std::fill(ok.begin() + static_cast<std::ptrdiff_t>(from), ok.end(), std::uint8_t{0});
  std::fill(amounts.begin() + static_cast<std::ptrdiff_t>(from * L), amounts.end(), 0);
  std::fill(failure.begin() + static_cast<std::ptrdiff_t>(from), failure.end(), static_cast<std::uint32_t>(failed++));
}

// Evaluates sets `begin` .. `end` - 1; returns the first set left unevaluated because the host
// asked to stop, or `end`.
std::size_t Batch::Impl::run_chunk(const Bound* sets, std::size_t begin, std::size_t end) {
  const std::size_t L = lines.size();
  chunk_sets.clear();
  chunk_columns.clear();
  for (std::size_t i = begin; i < end; ++i) {
    if (sets[i].impl().contract != contract.impl().checked) {
      add(i, api::other_contract({}));
      continue;
    }
    chunk_sets.push_back(i);
    chunk_columns.push_back(&sets[i].impl().columns);
  }
  const std::size_t n = chunk_sets.size();
  std::fill_n(chunk_ok.begin(), n, 0);
  std::size_t ran = n;  // sets the fixed-point path went through before the host asked to stop
  if (program && n > 0) {
    try {
      ran = fast::run_batch(*program, chunk_columns.data(), n, fast_options, cache.scratch_for(program), chunk_amounts.data(),
                            chunk_ok.data());
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {  // a bug in the path: said, not hidden behind the general evaluator
      for (std::size_t j = 0; j < n; ++j) fail(chunk_sets[j]).push_back(api::internal_error(e.what()));
      return end;
    }
  }
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t i = chunk_sets[j];
    if (j == ran) return i;
    if (chunk_ok[j]) {
      std::copy_n(chunk_amounts.begin() + static_cast<std::ptrdiff_t>(j * L), L, amounts.begin() + static_cast<std::ptrdiff_t>(i * L));
      continue;
    }
    // A general evaluation can be long: the host's stop is looked at before and after each, so
    // that the sets evaluated are the ones before a point, never one after a set that was stopped.
    if (stop_requested(general_options)) return i;
    evaluate_general(sets[i], i);
    if (stop_requested(general_options)) return i + 1;
  }
  return end;
}

void Batch::Impl::evaluate_general(const Bound& set, std::size_t index) {
  const auto& c = *contract.impl().checked;
  try {
    utfall::evaluate(c, set.impl().data, general_options, workspace, evaluation);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    fail(index).push_back(api::internal_error(e.what()));
    return;
  }
  if (!evaluation.ok) {
    for (auto& d : evaluation.diagnostics) add(index, std::move(d));
    if (ok[index]) fail(index).push_back(api::internal_error("an evaluation failed without a message"));
    return;
  }
  bool same = evaluation.lines.size() == fast_lines.size();
  for (std::size_t k = 0; same && k < fast_lines.size(); ++k) same = same_line(evaluation.lines[k], fast_lines[k]);
  if (!same) {
    fail(index).push_back(api::internal_error(fmt::format("data set {}: the evaluator's lines are not the lines of fast::lines", index).c_str()));
    return;
  }
  std::int64_t* out = amounts.data() + index * fast_lines.size();
  for (std::size_t k = 0; k < fast_lines.size(); ++k) {
    // A whole count that fits in int64, or none (E710).
    auto u = (evaluation.lines[k].amount * per_unit).to_int64();
    if (!u) {
      const auto& l = lines[k];
      Diagnostic d;
      d.kind = DiagKind::limit;
      d.code = "E710";
      set_message(d, text("an amount does not fit in 64-bit integer units; evaluate this data set with Session::evaluate for "
                          "its exact text"));
      d.location = fmt::format("line {}, {} {} -> {}{}", k, l.period, l.from, l.to, l.rule.empty() ? "" : " `" + l.rule + "`");
      return add(index, std::move(d));
    }
    out[k] = *u;
  }
}

Batch::Batch(const Engine& engine, Contract contract) : impl_(std::make_unique<Impl>(engine, std::move(contract))) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

const Contract& Batch::contract() const { return impl_->contract; }
const std::vector<Batch::Line>& Batch::lines() const { return impl_->lines; }
int Batch::places() const { return impl_->places; }

void Batch::evaluate(const Bound* sets, std::size_t count, const Options& options) { impl_->evaluate(sets, count, options); }

std::size_t Batch::size() const { return impl_->size; }
bool Batch::ok(std::size_t set) const { return impl_->ok[set] != 0; }
const std::int64_t* Batch::amounts(std::size_t set) const { return impl_->amounts.data() + set * impl_->lines.size(); }
const Messages& Batch::messages(std::size_t set) const { return impl_->ok[set] ? impl_->none : impl_->failures[impl_->failure[set]]; }

}  // namespace utfall
