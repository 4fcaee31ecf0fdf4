// Session (a reusable evaluation) and Engine::sweep (sessions on all cores). A session keeps
// the evaluator's Workspace, its Evaluation and the public Result, and overwrites them in place,
// so that repeated evaluations stop allocating once they have grown to the contract's size.
#include <fmt/format.h>

#include <new>
#include <unordered_map>

#include "api/internal.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"

namespace utfall {

struct Session::Impl {
  Config config;
  Contract contract;
  Workspace workspace;
  Evaluation evaluation;
  Result result;
  api::FillScratch fill;  // kept between evaluations
  // Term values as the host writes them ("premieandel=25 %"), each checked once: a sweep gives
  // the same few values to many evaluations. Only values that check without a message are kept.
  std::unordered_map<std::string, EvalOptions> checked_terms;
  static constexpr std::size_t kCheckedTerms = 4096;  // then the memo starts again

  void evaluate(const Bound& data, const Options& options);
  void fail(Messages::value_type message) {
    result.messages.push_back(std::move(message));
    result.payments.clear();
    result.totals.clear();
    result.traces.clear();
    result.not_paid.clear();
  }
};

Session::Session(const Engine& engine, Contract contract)
    : impl_(std::make_unique<Impl>(Impl{engine.config(), std::move(contract), {}, {}, {}, {}, {}})) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const Contract& Session::contract() const { return impl_->contract; }

void Session::Impl::evaluate(const Bound& data, const Options& options) {
  const auto& c = *contract.impl().checked;
  Result& out = result;
  out.ok = false;
  out.currency = c.currency;
  out.messages.clear();
  if (data.impl().contract != contract.impl().checked) return fail(api::to_message(api::other_contract("data")));
  EvalOptions eval_options = api::eval_options(config);
  eval_options.trace = options.trace;
  api::stop_options(options, eval_options);
  eval_options.columns = &data.impl().columns;
  eval_options.program = contract.impl().program();
  bool refused = false;
  for (const auto& [term, value] : options.terms) {
    std::string assignment = term + "=" + value;
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
      known = checked_terms.emplace(std::move(assignment), std::move(one)).first;
    }
    merge_overrides(known->second, eval_options);
  }
  if (refused) {
    out.payments.clear(), out.totals.clear(), out.traces.clear(), out.not_paid.clear();
    return;
  }
  utfall::evaluate(c, data.impl().data, eval_options, workspace, evaluation);
  for (const auto& d : evaluation.diagnostics) out.messages.push_back(api::to_message(d));
  if (!evaluation.ok) {
    out.payments.clear(), out.totals.clear(), out.traces.clear(), out.not_paid.clear();
    return;
  }
  api::fill_payments(c, evaluation, out, fill);
  api::fill_not_paid(c, evaluation, data.impl().data, out);
  out.ok = true;
}

const Result& Session::evaluate(const Bound& data, const Options& options) {
  try {
    impl_->evaluate(data, options);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    impl_->result.ok = false;
    impl_->fail(api::internal_error(e.what()));
  }
  return impl_->result;
}

std::vector<Result> Engine::sweep(const Contract& contract, const std::vector<Case>& cases, unsigned threads) const {
  std::vector<Result> results(cases.size());
  std::vector<Session> sessions;
  unsigned count = static_cast<unsigned>(std::min<std::size_t>(sweep_threads(threads), std::max<std::size_t>(cases.size(), 1)));
  for (unsigned w = 0; w < count; ++w) sessions.emplace_back(*this, contract);
  parallel_for(cases.size(), count, [&](unsigned worker, std::size_t i) {
    results[i] = sessions[worker].evaluate(cases[i].data, cases[i].options);
  });
  return results;
}

}  // namespace utfall
