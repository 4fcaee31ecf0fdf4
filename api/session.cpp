// Session (a reusable evaluation) and Engine::sweep (sessions on all cores). A session keeps
// the evaluator's Workspace, its Evaluation and the public Result, and overwrites them in place,
// so that repeated evaluations stop allocating once they have grown to the contract's size.
#include <fmt/format.h>

#include <mutex>
#include <new>

#include "api/internal.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"
#include "interpreter/text_hash.hpp"
#include "interpreter/thread_pool.hpp"

namespace utfall {

struct Session::Impl {
  Config config;
  Contract contract;
  Workspace workspace;
  Evaluation evaluation;
  Result result;
  api::FillScratch fill;  // kept between evaluations
  // The evaluation's options before a call's own (api::eval_options of `config`), and those of
  // the last `evaluate`: assigned, not built anew, in every evaluation.
  EvalOptions base_options, call_options;
  // Term values as the host writes them ("premieandel=25 %"), each checked once: a sweep gives
  // the same few values to many evaluations. Only values that check without a message are kept.
  TextMap<EvalOptions> checked_terms;
  static constexpr std::size_t kCheckedTerms = 4096;  // then the memo starts again
  std::string assignment;  // "term=value", the key looked up in checked_terms

  void evaluate(const Bound& data, const Options& options);
  // Engine::sweep's cases [first, last) on one thread, into results: evaluated together
  // (evaluate_each), each result what `evaluate` gives its case.
  void evaluate_block(const std::vector<Engine::Case>& cases, std::size_t first, std::size_t last, Result* results);
  // The evaluation's options for `options` on `data`, into eval_options; false, with the
  // messages and the refusal in `out`, when the case cannot be evaluated.
  bool prepare(const Bound& data, const Options& options, EvalOptions& eval_options, Result& out);
  // `out` from an evaluation of `data`.
  void finish(const Bound& data, const Evaluation& done, Result& out);
  static void fail(Result& out, Messages::value_type message) {
    out.messages.push_back(std::move(message));
    out.payments.clear();
    out.totals.clear();
    out.traces.clear();
    out.not_paid.clear();
  }
  // Engine::sweep's block: each case's options; of the cases prepared, their data, options,
  // position in the block, and evaluations.
  std::vector<EvalOptions> block_options{};
  std::vector<const Dataset*> block_data{};
  std::vector<const EvalOptions*> block_pointers{};
  std::vector<std::size_t> block_cases{};
  std::vector<Evaluation> block_evaluations{};
};

Session::Session(const Engine& engine, Contract contract)
    : impl_(std::make_unique<Impl>(
          Impl{engine.config(), std::move(contract), {}, {}, {}, {}, api::eval_options(engine.config()), {}, {}, {}})) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const Contract& Session::contract() const { return impl_->contract; }

bool Session::Impl::prepare(const Bound& data, const Options& options, EvalOptions& eval_options, Result& out) {
  const auto& c = *contract.impl().checked;
  out.ok = false;
  out.currency = c.currency;
  out.messages.clear();
  if (data.impl().contract != contract.impl().checked) return fail(out, api::to_message(api::other_contract("data"))), false;
  eval_options = base_options;
  eval_options.trace = options.trace;
  api::stop_options(options, eval_options);
  eval_options.columns = &data.impl().columns;
  eval_options.program = contract.impl().program_when_repeated();
  eval_options.lower = false;  // not the Workspace's own lowering when the contract's is withheld
  bool refused = false;
  for (const auto& [term, value] : options.terms) {
    assignment.assign(term).append("=").append(value);  // the member keeps its memory from case to case
    auto known = checked_terms.find(assignment);
    if (known == checked_terms.end()) {
      EvalOptions one;
      auto diags = apply_overrides(c, {assignment}, one);
      for (auto& m : api::to_messages(diags)) out.messages.push_back(std::move(m));
      refused = refused || has_errors(diags);
      if (!diags.empty()) {  // not kept: its message belongs to every evaluation that gives it
        merge_overrides(one, eval_options);
        continue;
      }
      if (checked_terms.size() >= kCheckedTerms) checked_terms.clear();
      known = checked_terms.emplace(assignment, std::move(one)).first;
    }
    merge_overrides(known->second, eval_options);
  }
  if (refused) {
    out.payments.clear(), out.totals.clear(), out.traces.clear(), out.not_paid.clear();
    return false;
  }
  return true;
}

void Session::Impl::finish(const Bound& data, const Evaluation& done, Result& out) {
  const auto& c = *contract.impl().checked;
  for (const auto& d : done.diagnostics) out.messages.push_back(api::to_message(d));
  if (!done.ok) {
    out.payments.clear(), out.totals.clear(), out.traces.clear(), out.not_paid.clear();
    return;
  }
  api::fill_payments(c, done, out, fill);
  api::fill_not_paid(c, done, data.impl().data, out);
  out.ok = true;
}

void Session::Impl::evaluate(const Bound& data, const Options& options) {
  if (!prepare(data, options, call_options, result)) return;
  utfall::evaluate(*contract.impl().checked, data.impl().data, call_options, workspace, evaluation);
  finish(data, evaluation, result);
}

namespace {

// Runs work(); an exception from it other than running out of memory (which goes on to the
// host) is a bug of the engine: said as an internal error, by failed(what), not hidden.
// False when it threw.
template <typename Work, typename Failed>
bool guarded(Work&& work, Failed&& failed) {
  try {
    work();
    return true;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    failed(e.what());
    return false;
  }
}

}  // namespace

void Session::Impl::evaluate_block(const std::vector<Engine::Case>& cases, std::size_t first, std::size_t last, Result* results) {
  const auto& c = *contract.impl().checked;
  const std::size_t n = last - first;
  block_options.resize(n);
  block_data.clear(), block_pointers.clear(), block_cases.clear();
  auto internal = [&](std::size_t k) {
    return [&results, k](const char* what) { results[k].ok = false, fail(results[k], api::internal_error(what)); };
  };
  for (std::size_t k = 0; k < n; ++k) {
    const Bound& data = cases[first + k].data;
    bool ready = false;
    if (!guarded([&] { ready = prepare(data, cases[first + k].options, block_options[k], results[k]); }, internal(k)) || !ready) continue;
    block_data.push_back(&data.impl().data), block_pointers.push_back(&block_options[k]), block_cases.push_back(k);
  }
  if (block_cases.empty()) return;
  if (block_evaluations.size() < block_cases.size()) block_evaluations.resize(block_cases.size());
  if (!guarded([&] { evaluate_each(c, block_data.data(), block_pointers.data(), block_cases.size(), workspace, block_evaluations.data()); },
               [&](const char* what) {
                 for (std::size_t k : block_cases) internal(k)(what);
               }))
    return;
  for (std::size_t j = 0; j < block_cases.size(); ++j) {
    const std::size_t k = block_cases[j];
    guarded([&] { finish(cases[first + k].data, block_evaluations[j], results[k]); }, internal(k));
  }
}

const Result& Session::evaluate(const Bound& data, const Options& options) {
  guarded([&] { impl_->evaluate(data, options); },
          [&](const char* what) { impl_->result.ok = false, Impl::fail(impl_->result, api::internal_error(what)); });
  return impl_->result;
}

// A session of one evaluation, whose Result is moved out, not copied (50 000 payments of seven
// texts each for 10 000 clauses: a copy of 11 MB, a sixth of the run, bench/README.md).
Result Engine::evaluate(const Contract& contract, const Bound& data, const Options& options) const {
  Session session(*this, contract);
  session.evaluate(data, options);
  return std::move(session.impl_->result);
}

struct Engine::Sweeper {
  std::mutex lock;  // one sweep at a time uses the pool and the sessions
  ThreadPool pool;
  std::vector<Session> sessions;  // sessions[w] for worker w, of the last contract swept
};

std::shared_ptr<Engine::Sweeper> api::make_sweeper() { return std::make_shared<Engine::Sweeper>(); }

std::vector<Result> Engine::sweep(const Contract& contract, const std::vector<Case>& cases, unsigned threads) const {
  std::vector<Result> results(cases.size());
  // Blocks of consecutive cases, each evaluated by one thread's session (evaluate_block).
  const std::size_t block = sweep_block(cases.size(), threads);
  const std::size_t blocks = (cases.size() + block - 1) / block;
  const unsigned count = sweep_threads(threads, blocks);
  // The engine's threads and sessions when no other sweep holds them (and the engine was not
  // moved from); else threads and sessions for this sweep alone.
  std::unique_lock<std::mutex> kept;
  if (sweeper_) kept = std::unique_lock(sweeper_->lock, std::try_to_lock);
  std::vector<Session> own;
  std::vector<Session>& sessions = kept ? sweeper_->sessions : own;
  for (unsigned w = 0; w < count; ++w) {
    if (w == sessions.size()) sessions.emplace_back(*this, contract);
    else if (sessions[w].contract().impl().checked != contract.impl().checked) sessions[w] = Session(*this, contract);
  }
  while (sessions.size() > count && sessions.back().contract().impl().checked != contract.impl().checked) sessions.pop_back();
  // A sweep evaluates the contract many times: lowered now, so that no block's first case is
  // given the tree walk (and its block no lanes) as a contract's first evaluation would be.
  if (cases.size() > 1) contract.impl().program();
  parallel_for(
      blocks, count,
      [&](unsigned worker, std::size_t b) {
        const std::size_t first = b * block, last = std::min(cases.size(), first + block);
        sessions[worker].impl_->evaluate_block(cases, first, last, results.data() + first);
      },
      kept ? &sweeper_->pool : nullptr);
  return results;
}

}  // namespace utfall
