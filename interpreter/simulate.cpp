// Simulate: draws per run, an evaluation per run on all cores, the amounts kept by run index.
#include "interpreter/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>

#include "interpreter/data.hpp"
#include "interpreter/draws.hpp"
#include "interpreter/fast_eval.hpp"
#include "interpreter/limit_hits.hpp"
#include "interpreter/returns.hpp"
#include "interpreter/source.hpp"
#include "interpreter/sweep.hpp"

namespace utfall {
namespace {

constexpr std::size_t kChunk = 512;  // runs handed to a thread at a time

double to_double(const Number& n) { return std::strtod(n.to_string().c_str(), nullptr); }

// A distribution made ready for drawing: its parameters as doubles where a point of it is
// computed in floating point, and the exact grid of a uniform.
struct Ready {
  const Distribution* d = nullptr;
  std::vector<double> p;     // the parameters
  double step = 1;
  std::uint64_t grid = 0;    // uniform: the grid points after LO (LO + k * step, k = 0..grid)
};

Ready ready(const Distribution& d) {
  Ready r{&d, {}, to_double(d.step), 0};
  for (const auto& x : d.parameters) r.p.push_back(to_double(x));
  if (d.kind == Distribution::Kind::uniform) {
    Number n = ((d.parameters[1] - d.parameters[0]) / d.step).round(Number::from_int(1), RoundingMode::floor);
    auto k = n.to_decimal64();
    r.grid = k && k->places == 0 && k->digits >= 0 ? static_cast<std::uint64_t>(std::min<std::int64_t>(k->digits, std::int64_t{1} << 53)) : 0;
  }
  return r;
}

// The value of a draw at the uniform u in (0, 1) (its quantile), exact: a grid point, a file
// value, or the continuous quantile rounded to the nearest multiple of the step. None when that
// multiple is too large to count (beyond 2^53 steps) or not a number.
std::optional<Number> value_at(const Ready& r, double u) {
  using K = Distribution::Kind;
  const Distribution& d = *r.d;
  if (d.kind == K::uniform) {
    auto k = static_cast<std::uint64_t>(std::floor(u * static_cast<double>(r.grid + 1)));
    return d.parameters[0] + d.step * Number::from_int(static_cast<std::int64_t>(std::min(k, r.grid)));
  }
  if (d.kind == K::empirical) {
    auto k = static_cast<std::size_t>(std::floor(u * static_cast<double>(d.values.size())));
    return d.values[std::min(k, d.values.size() - 1)];
  }
  double x = 0;
  if (d.kind == K::normal) {
    x = r.p[0] + r.p[1] * draws::normal_quantile(u);
  } else if (d.kind == K::lognormal) {
    x = draws::exp(r.p[0] + r.p[1] * draws::normal_quantile(u));
  } else {  // triangular LO, MODE, HI
    const double lo = r.p[0], mode = r.p[1], hi = r.p[2];
    const double f = hi > lo ? (mode - lo) / (hi - lo) : 0;
    x = u < f ? lo + std::sqrt(u * (hi - lo) * (mode - lo)) : hi - std::sqrt((1 - u) * (hi - lo) * (hi - mode));
  }
  const double q = x / r.step;
  if (!(std::fabs(q) < 9007199254740992.0)) return std::nullopt;
  return d.step * Number::from_int(static_cast<std::int64_t>(std::nearbyint(q)));
}

// What one thread keeps between its runs.
struct Worker {
  Dataset data;
  fast::Columns columns;
  EvalOptions options;
  Workspace workspace;
  Evaluation evaluation;
  std::vector<LimitHit> hits;
  std::map<std::tuple<int, int, const checked::Expr*, LimitKind>, std::uint64_t> limits;  // (period, clause, limit, what)
  std::vector<double> z, u;
  std::vector<std::tuple<int, int, const checked::Expr*, LimitKind>> seen;
};

class Simulation {
 public:
  Simulation(const checked::Contract& c, const Dataset& data, const EvalOptions& options, const SimulationSpec& spec)
      : c_(c), data_(data), options_(options), spec_(spec), periods_(c.periods.size()) {}

  std::optional<SimulationResult> run(std::string& error);

 private:
  const checked::Contract& c_;
  const Dataset& data_;
  const EvalOptions& options_;
  const SimulationSpec& spec_;
  std::size_t periods_;
  std::vector<Ready> ready_;
  std::vector<int> correlated_;      // draws in a correlation, in the order of the factor
  std::vector<bool> in_correlation_;  // per draw: whether it is one of correlated_
  std::vector<double> factor_;       // lower-triangular Cholesky factor of their correlations
  std::vector<int> flow_of_;         // [(payer * parties + payee) * currencies + currency] -> flow or -1
  SimulationResult out_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex failure_mutex_;

  bool prepare(std::string& error);
  void run_one(Worker& w, std::uint64_t i);
  bool apply_draws(Worker& w, std::uint64_t i, Text& failure, const char*& code);
  void fail(std::uint64_t i, Diagnostic d);
};

// E532: run `run` drew `shown` for `name` in `period`, outside its declared range.
Text drew_outside(std::uint64_t run, const std::string& name, const std::string& shown, const std::string& period,
                 const OutOfRange& why) {
  switch (why.kind) {
    case OutOfRange::Kind::below:
      return text("run {}: `{}` drew {} for {}: below its declared least value, {}", run, name, shown, period, why.bound);
    case OutOfRange::Kind::above:
      return text("run {}: `{}` drew {} for {}: above its declared most value, {}", run, name, shown, period, why.bound);
    case OutOfRange::Kind::not_whole: break;
  }
  return text("run {}: `{}` drew {} for {}: not a whole number, as declared (`whole`)", run, name, shown, period);
}

bool Simulation::prepare(std::string& error) {
  for (const auto& d : spec_.draws) ready_.push_back(ready(d.distribution));
  // The correlated draws and the Cholesky factor of their correlation matrix.
  for (const auto& k : spec_.correlations)
    for (int x : {k.a, k.b}) {
      if (spec_.draws[x].target == Draw::Target::series) {
        error = fmt::format("`{}` draws every period on its own: correlate draws of one value (a term, INPUT@PERIOD or scale(INPUT))",
                            spec_.draws[x].name);
        return false;
      }
      if (std::find(correlated_.begin(), correlated_.end(), x) == correlated_.end()) correlated_.push_back(x);
    }
  const std::size_t n = correlated_.size();
  in_correlation_.assign(spec_.draws.size(), false);
  for (int x : correlated_) in_correlation_[static_cast<std::size_t>(x)] = true;
  std::vector<double> matrix(n * n, 0);
  for (std::size_t i = 0; i < n; ++i) matrix[i * n + i] = 1;
  for (const auto& k : spec_.correlations) {
    auto ia = std::find(correlated_.begin(), correlated_.end(), k.a) - correlated_.begin();
    auto ib = std::find(correlated_.begin(), correlated_.end(), k.b) - correlated_.begin();
    matrix[ia * n + ib] = matrix[ib * n + ia] = draws::copula_pearson(k.spearman);
  }
  if (n > 0) {
    auto l = draws::cholesky(matrix, n);
    if (!l) {
      error = "the correlations cannot hold together (their matrix is not positive definite)";
      return false;
    }
    factor_ = std::move(*l);
  }
  // The flows, from the lines every evaluation pays.
  const std::size_t parties = c_.parties.size(), currencies = c_.currencies.size();
  std::map<std::tuple<int, int, int>, int> flows;
  for (const auto& l : fast::lines(c_)) flows.emplace(std::tuple(l.payer, l.payee, c_.line_currency(l.waterfall, l.rule_index)), 0);
  flow_of_.assign(parties * parties * currencies, -1);
  for (auto& [key, index] : flows) {
    auto [payer, payee, currency] = key;
    index = static_cast<int>(out_.flows.size());
    out_.flows.push_back({payer, payee, currency});
    flow_of_[(payer * parties + payee) * currencies + currency] = index;
  }
  out_.places = 0;
  for (int k = 0; k < static_cast<int>(currencies); ++k) out_.places = std::max(out_.places, minor_unit_places(c_, k));
  const std::uint64_t runs = spec_.runs;
  out_.amounts.assign(out_.flows.size() * (periods_ + 1) * runs, 0);
  out_.nets.assign(parties * currencies * runs, 0);
  out_.ok.assign(runs, 0);
  if (spec_.party) out_.multiples.assign(runs, std::nullopt), out_.irrs.assign(runs, std::nullopt);
  if (spec_.record_draws)
    for (const auto& d : spec_.draws) out_.drawn.emplace_back(draw_slots(c_, d) * runs, Number::from_int(0));
  return true;
}

// The draws of run i into the worker's data and options; false, with the reason and its code,
// when a drawn value cannot be used: outside its input's declared range (E532, as in a data
// file), or beyond 2^53 steps (E528).
bool Simulation::apply_draws(Worker& w, std::uint64_t i, Text& failure, const char*& code) {
  const auto& draws = spec_.draws;
  auto u_of = [&](std::size_t d, std::uint64_t slot) { return draws::uniform01(draws::bits(spec_.seed, i, (std::uint64_t{d} << 32) | slot)); };
  // The correlated draws' uniforms through the copula: z = L * (independent normals).
  const std::size_t n = correlated_.size();
  w.z.resize(n);
  w.u.assign(draws.size(), 0);
  for (std::size_t k = 0; k < n; ++k) w.z[k] = draws::normal_quantile(u_of(static_cast<std::size_t>(correlated_[k]), 0));
  for (std::size_t k = n; k-- > 0;) {
    double s = 0;
    for (std::size_t j = 0; j <= k; ++j) s += factor_[k * n + j] * w.z[j];
    w.u[static_cast<std::size_t>(correlated_[k])] = std::clamp(draws::normal_cdf(s), 1e-300, 1 - 1e-16);
  }
  // A drawn value of an input must lie in its declared range, as in a data file; a scaled one
  // need not, as with `--set 'scale(INPUT)=F'` (a what-if between binding and evaluation).
  auto set_input = [&](const Draw& d, int period, const Number& v) {
    const auto& input = c_.inputs[d.index];
    if (d.target != Draw::Target::scale)
      if (auto why = out_of_range(input.allowed, v, input.type, input.percent)) {
        const std::string shown = input.percent ? (v * Number::from_int(100)).to_string() + " %" : v.to_string();
        failure = drew_outside(i + 1, d.name, shown, c_.periods[period], *why);
        return false;
      }
    w.data.series[d.index][period] = v;
    return true;
  };
  bool inputs = false;
  for (std::size_t k = 0; k < draws.size(); ++k) {
    const Draw& d = draws[k];
    auto draw = [&](std::uint64_t slot) -> std::optional<Number> {
      auto v = value_at(ready_[k], in_correlation_[k] ? w.u[k] : u_of(k, slot));
      if (!v) failure = text("run {}: `{}` drew a value too large to round to its step", i + 1, d.name), code = "E528";
      else if (spec_.record_draws) {
        const std::uint64_t at = d.target == Draw::Target::series ? slot - static_cast<std::uint64_t>(c_.inputs[d.index].first) : 0;
        out_.drawn[k][at * spec_.runs + i] = *v;
      }
      return v;
    };
    if (d.target == Draw::Target::term) {
      auto v = draw(0);
      if (!v) return false;
      w.options.term_overrides[d.index] = *v;
      continue;
    }
    inputs = true;
    const auto& input = c_.inputs[d.index];
    if (d.target == Draw::Target::cell) {
      auto v = draw(0);
      if (!v || !set_input(d, d.period, *v)) return false;
    } else if (d.target == Draw::Target::series) {
      for (int t = input.first; t <= input.last; ++t) {
        auto v = draw(static_cast<std::uint64_t>(t));
        if (!v || !set_input(d, t, *v)) return false;
      }
    } else {
      auto factor = draw(0);
      if (!factor) return false;
      for (std::size_t t = 0; t < data_.series[d.index].size(); ++t)
        if (const auto& base = data_.series[d.index][t]; base && std::holds_alternative<Number>(*base))
          if (!set_input(d, static_cast<int>(t), std::get<Number>(*base) * *factor)) return false;
    }
  }
  if (inputs) fast::read_columns(c_, w.data, w.columns);
  return true;
}

void Simulation::fail(std::uint64_t i, Diagnostic d) {
  std::lock_guard lock(failure_mutex_);
  if (!out_.first_failure || i < out_.first_failed_run) out_.first_failure = std::move(d), out_.first_failed_run = i;
}

void Simulation::run_one(Worker& w, std::uint64_t i) {
  Text failure;
  const char* code = "E532";  // a drawn value outside its input's declared range
  if (!apply_draws(w, i, failure, code)) {
    Diagnostic d;
    d.kind = DiagKind::data;
    d.code = code;
    set_message(d, std::move(failure));
    fail(i, std::move(d));
    return;
  }
  if (spec_.limits) evaluate_with_limits(c_, w.data, w.options, w.workspace, w.evaluation, w.hits);
  else evaluate(c_, w.data, w.options, w.workspace, w.evaluation);
  if (!w.evaluation.ok) {
    Diagnostic d = w.evaluation.diagnostics.empty() ? Diagnostic{} : w.evaluation.diagnostics.front();
    // The evaluator's sentence is a part of the new one, drawn in the reader's language.
    const Text inner = d.text.empty() ? verbatim(d.message) : d.text;
    set_message(d, text("run {}: {}", i + 1, inner));
    fail(i, std::move(d));
    return;
  }
  const std::uint64_t runs = spec_.runs;
  const std::size_t parties = c_.parties.size(), currencies = c_.currencies.size();
  for (const auto& l : w.evaluation.lines) {
    const int currency = c_.line_currency(l.waterfall, l.rule_index);
    const int f = flow_of_[(l.payer * parties + l.payee) * currencies + currency];
    const auto units = l.amount.to_decimal64();
    std::int64_t v = 0;
    bool fits = f >= 0 && units && units->places <= out_.places;
    if (fits) {
      v = units->digits;
      for (int k = units->places; k < out_.places && fits; ++k) fits = !__builtin_mul_overflow(v, 10, &v);
    }
    auto add = [&](std::int64_t& to, std::int64_t x) { fits = fits && !__builtin_add_overflow(to, x, &to); };
    if (fits) {
      add(out_.amounts[(f * (periods_ + 1) + l.period) * runs + i], v);
      add(out_.amounts[(f * (periods_ + 1) + periods_) * runs + i], v);
      add(out_.nets[(l.payee * currencies + currency) * runs + i], v);
      add(out_.nets[(l.payer * currencies + currency) * runs + i], -v);
    }
    if (!fits) {
      Diagnostic d;
      d.kind = DiagKind::runtime;
      d.code = "E710";
      set_message(d, text("run {}: the amount {} in {} does not fit a count of 10^-{} units in 64 bits", i + 1,
                          l.amount.to_string(), c_.periods[l.period], out_.places));
      fail(i, std::move(d));
      return;
    }
  }
  if (spec_.limits) {
    w.seen.clear();
    for (const auto& h : w.hits) w.seen.emplace_back(h.period, h.clause, h.limit, h.what);
    std::sort(w.seen.begin(), w.seen.end());
    w.seen.erase(std::unique(w.seen.begin(), w.seen.end()), w.seen.end());
    for (const auto& key : w.seen) ++w.limits[key];
  }
  if (spec_.party) {
    Returns r = compute_returns(c_, w.evaluation, *spec_.party, spec_.outlays, std::nullopt);
    auto micro = [](const Measure& m) -> std::optional<std::int64_t> {
      if (!m.value) return std::nullopt;
      auto d = (*m.value * Number::from_int(1'000'000)).round(Number::from_int(1), RoundingMode::half_even).to_decimal64();
      return d && d->places == 0 ? std::optional(d->digits) : std::nullopt;
    };
    const CurrencyReturns* cr = r.currencies.empty() ? nullptr : &r.currencies.front();
    if (cr) out_.multiples[i] = micro(cr->multiple), out_.irrs[i] = micro(cr->irr);
  }
  out_.ok[i] = 1;
}

std::optional<SimulationResult> Simulation::run(std::string& error) {
  if (!prepare(error)) return std::nullopt;
  const std::uint64_t runs = spec_.runs;
  const std::size_t chunks = static_cast<std::size_t>((runs + kChunk - 1) / kChunk);
  const unsigned threads = sweep_threads(spec_.threads, chunks);
  std::vector<std::optional<Worker>> workers(threads);
  parallel_for(chunks, threads, [&](unsigned worker, std::size_t chunk) {
    auto& w = workers[worker];
    if (!w) {
      w.emplace();
      w->data = data_;
      w->options = options_;
      fast::read_columns(c_, w->data, w->columns);
      w->options.columns = &w->columns;
    }
    const std::uint64_t end = std::min<std::uint64_t>(runs, (chunk + 1) * kChunk);
    for (std::uint64_t i = chunk * kChunk; i < end; ++i) run_one(*w, i);
    const std::uint64_t done = done_.fetch_add(end - chunk * kChunk) + (end - chunk * kChunk);
    if (spec_.progress) spec_.progress(done);
  });
  for (auto ok : out_.ok) out_.failed += ok ? 0 : 1;
  // The limits that bound, summed over the threads (a sum: the same whatever the threads).
  // By clause, the limit's place in the source, period and kind: an order that does not depend
  // on addresses, and two limits written alike in two rules stay two.
  using Key = std::tuple<int, std::size_t, int, std::string>;
  std::map<Key, std::uint64_t> limits;
  std::map<Key, const checked::Expr*> limit_of;
  for (const auto& w : workers) {
    if (!w) continue;
    for (const auto& [key, count] : w->limits) {
      auto [period, clause, limit, what] = key;
      const Key k{clause, limit->range.begin.offset, period, std::string(limit_keyword(what))};
      limits[k] += count;
      limit_of[k] = limit;
    }
  }
  auto name_rule = [&](SimLimit& l, const checked::Expr* limit) {
    for (const auto& pay : c_.payments)
      for (const auto* e : {pay.cap_period.get(), pay.cap_total.get(), pay.cap_participant.get(), pay.floor.get()})
        if (e == limit) l.rule = pay.name;
    for (const auto& fall : c_.waterfalls)
      for (const auto& tier : fall.tiers)
        if (tier.cap.get() == limit) l.rule = fall.name, l.tier = tier.name;
  };
  for (const auto& [key, count] : limits) {
    auto [clause, offset, period, what] = key;
    const checked::Expr* limit = limit_of[key];
    SimLimit l{clause, "", "", fmt::format("{} {}", what, written_text(limit->range)), static_cast<int>(limit->range.begin.line), period, count};
    name_rule(l, limit);
    out_.limits.push_back(std::move(l));
  }
  return std::move(out_);
}

}  // namespace

std::size_t draw_slots(const checked::Contract& c, const Draw& d) {
  if (d.target != Draw::Target::series) return 1;
  const auto& input = c.inputs[d.index];
  return static_cast<std::size_t>(std::max(input.last - input.first + 1, 0));
}

std::vector<std::pair<int, int>> simulated_positions(const checked::Contract& c, const SimulationResult& r) {
  std::vector<std::pair<int, int>> out;
  for (int p = 0; p < static_cast<int>(c.parties.size()); ++p)
    for (int k = 0; k < static_cast<int>(c.currencies.size()); ++k)
      if (std::any_of(r.flows.begin(), r.flows.end(), [&](const SimFlow& f) { return f.currency == k && (f.payer == p || f.payee == p); }))
        out.emplace_back(p, k);
  return out;
}

Summary summarize_runs(const checked::Contract& c, const SimulationResult& r, const std::vector<std::int64_t>& values,
                       std::size_t series, int currency, const std::vector<Number>& percentiles) {
  const std::uint64_t runs = r.ok.size();
  std::int64_t per_unit = 1;
  for (int k = minor_unit_places(c, currency); k < r.places; ++k) per_unit *= 10;
  std::vector<std::int64_t> v;
  v.reserve(runs - r.failed);
  for (std::uint64_t i = 0; i < runs; ++i)
    if (r.ok[i]) v.push_back(values[series * runs + i] / per_unit);
  return summarize(v, percentiles);
}

std::uint64_t simulation_values(const checked::Contract& c, std::uint64_t runs, bool party) {
  std::map<std::tuple<int, int, int>, int> flows;
  for (const auto& l : fast::lines(c)) flows.emplace(std::tuple(l.payer, l.payee, c.line_currency(l.waterfall, l.rule_index)), 0);
  const std::uint64_t per_run = flows.size() * (c.periods.size() + 1) + c.parties.size() * c.currencies.size() + (party ? 4 : 0);
  return per_run > 0 && runs > kMaxSimulationValues / per_run ? kMaxSimulationValues + 1 : per_run * runs;
}

std::optional<SimulationResult> simulate(const checked::Contract& contract, const Dataset& data, const EvalOptions& options,
                                         const SimulationSpec& spec, std::string& error) {
  Simulation s(contract, data, options, spec);
  return s.run(error);
}

}  // namespace utfall
