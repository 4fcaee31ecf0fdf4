// Witnesses (bounds_witness.hpp): corners of the inputs' intervals, evaluated exactly.
#include "interpreter/bounds_witness.hpp"

#include <fmt/format.h>

namespace utfall {
namespace {

// The two ends an input may take in every period (one when they are equal).
struct Choice {
  int input;
  std::vector<checked::Value> ends;
};

std::optional<std::vector<Choice>> choices(const checked::Contract& c, const BoundsOptions& o, std::string& skipped) {
  std::vector<Choice> out;
  const Number far = Number::from_int(1'000'000'000'000'000);
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const auto& in = c.inputs[i];
    if (in.participants) {
      // The search has no records: only where the assumptions allow none.
      for (const auto& a : o.assumptions)
        if (a.kind == Assumption::Kind::count && a.input == static_cast<int>(i) && a.lo && a.lo->sign() > 0) {
          skipped = fmt::format("`{}` must have records ({}), and the search chooses none", in.name, a.text);
          return std::nullopt;
        }
      continue;
    }
    Choice ch{static_cast<int>(i), {}};
    if (in.type.kind == TypeKind::boolean) {
      ch.ends = {false, true};
    } else if (in.type.kind == TypeKind::number) {
      Extent e = input_extent(c, o, static_cast<int>(i));
      Number lo = e.lo ? *e.lo : (e.hi ? std::min(*e.hi, Number{}) : Number{}) - far;
      Number hi = e.hi ? *e.hi : (e.lo ? std::max(*e.lo, Number{}) : Number{}) + far;
      if (in.allowed.whole) lo = lo.round(Number::from_int(1), RoundingMode::ceiling), hi = hi.round(Number::from_int(1), RoundingMode::floor);
      if (hi < lo) {
        skipped = fmt::format("`{}` allows no value", in.name);
        return std::nullopt;
      }
      ch.ends = {lo};
      if (lo != hi) ch.ends.push_back(hi);
    } else {
      skipped = fmt::format("`{}` is a series of {}, whose values the search does not choose", in.name, in.type.to_string());
      return std::nullopt;
    }
    out.push_back(std::move(ch));
  }
  return out;
}

class Search {
 public:
  Search(const checked::Contract& c, const EvalOptions& eo, const FlowBounds& flow, WitnessGoal goal, SearchBudget& steps,
         int evaluations)
      : c_(c), eo_(eo), flow_(flow), goal_(goal), steps_(steps), budget_(evaluations) {
    eo_.fast = false;  // the tree walk counts the steps it takes (Evaluation::steps)
    periods_ = static_cast<int>(c.periods.size());
    data_.series.assign(c.inputs.size(), {});
    data_.participants.assign(c.inputs.size(), {});
  }

  // The amount for the data set `pick` ([choice][period]: the index of the end), or none when
  // the evaluation fails or a budget is spent.
  std::optional<std::pair<Number, int>> amount(const std::vector<Choice>& ch, const std::vector<std::vector<int>>& pick) {
    if (budget_-- <= 0 || stopped_) return std::nullopt;
    if (steps_.steps == 0 || steps_.work == 0) {
      stopped_ = true;
      return std::nullopt;
    }
    eo_.limits.max_steps = std::min(limit_.max_steps, steps_.steps);
    eo_.limits.max_work = std::min(limit_.max_work, steps_.work);
    for (std::size_t k = 0; k < ch.size(); ++k) {
      const auto& in = c_.inputs[ch[k].input];
      auto& s = data_.series[ch[k].input];
      s.assign(periods_, std::nullopt);
      for (int t = in.first; t <= in.last && t < periods_; ++t) s[t] = ch[k].ends[pick[k][t]];
    }
    evaluate(c_, data_, eo_, workspace_, evaluation_);
    steps_.steps -= std::min(evaluation_.steps, steps_.steps);
    steps_.work -= std::min(evaluation_.work, steps_.work);
    if (!evaluation_.ok) {
      // An evaluation stopped by what was left of the budget, not by its own limit, ends the search.
      if ((eo_.limits.max_steps < limit_.max_steps && evaluation_.steps >= eo_.limits.max_steps) ||
          (eo_.limits.max_work < limit_.max_work && evaluation_.work >= eo_.limits.max_work))
        steps_.steps = 0, steps_.work = 0, stopped_ = true;
      return std::nullopt;
    }
    std::vector<Number> per(periods_);
    Number total;
    for (const auto& l : evaluation_.lines)
      if (l.payer == flow_.payer && l.payee == flow_.payee && c_.line_currency(l.waterfall, l.rule_index) == flow_.currency)
        per[l.period] += l.amount, total += l.amount;
    if (goal_.what == WitnessGoal::What::total) return std::pair{total, -1};
    int best = 0;
    for (int t = 1; t < periods_; ++t)
      if (goal_.largest ? per[best] < per[t] : per[t] < per[best]) best = t;
    return std::pair{per.empty() ? Number{} : per[best], best};
  }
  bool better(const Number& a, const Number& b) const { return goal_.largest ? b < a : a < b; }
  bool stopped() const { return stopped_; }
  const Dataset& data() const { return data_; }

 private:
  const checked::Contract& c_;
  EvalOptions eo_;
  const EvalLimits limit_ = eo_.limits;  // an evaluation's own
  const FlowBounds& flow_;
  WitnessGoal goal_;
  SearchBudget& steps_;
  bool stopped_ = false;
  int budget_, periods_;
  Dataset data_;
  Workspace workspace_;
  Evaluation evaluation_;
};

}  // namespace

Found search_witness(const checked::Contract& c, const BoundsOptions& o, const EvalOptions& eo, const FlowBounds& flow,
                     WitnessGoal goal, SearchBudget& budget, int evaluations) {
  Found found;
  BoundsOptions unscaled = o;  // the data as written: the evaluation applies the scales itself
  unscaled.input_scales.clear();
  auto ch = choices(c, unscaled, found.skipped);
  if (!ch) return found;
  const int periods = static_cast<int>(c.periods.size());
  Search search(c, eo, flow, goal, budget, evaluations);
  std::vector<std::vector<int>> best_pick;
  bool reached = false;
  auto consider = [&](const std::vector<std::vector<int>>& pick) {
    if (reached) return false;
    auto r = search.amount(*ch, pick);
    if (!r) return false;
    if (found.ok && !search.better(r->first, found.amount)) return false;
    found.ok = true, found.amount = r->first, found.period = r->second;
    best_pick = pick;
    reached = goal.bound && found.amount == *goal.bound;
    return true;
  };
  // Every input at one end in every period: all combinations for up to 10 inputs, else the
  // two uniform ones and each input alone at its other end.
  const std::size_t n = ch->size();
  auto uniform = [&](std::uint64_t mask) {
    std::vector<std::vector<int>> pick(n);
    for (std::size_t k = 0; k < n; ++k) pick[k].assign(periods, (*ch)[k].ends.size() > 1 && ((mask >> k) & 1) ? 1 : 0);
    return pick;
  };
  if (n <= 10) {
    for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << n); ++mask) consider(uniform(mask));
  } else {
    consider(uniform(0)), consider(uniform(~std::uint64_t{0}));
    for (std::size_t k = 0; k < n; ++k) consider(uniform(std::uint64_t{1} << k)), consider(uniform(~(std::uint64_t{1} << k)));
  }
  // Then one input in one period at a time, while that improves the amount.
  for (bool improved = found.ok && !reached; improved && !reached;) {
    improved = false;
    for (std::size_t k = 0; k < n; ++k) {
      if ((*ch)[k].ends.size() < 2) continue;
      for (int t = 0; t < periods; ++t) {
        auto pick = best_pick;
        pick[k][t] ^= 1;
        if (consider(pick)) improved = true;
      }
    }
  }
  found.stopped = search.stopped();
  if (!found.ok) {
    found.skipped = found.stopped ? "the search stopped at its limit of work"
                                  : "no data set at the ends of the inputs' ranges could be evaluated";
    return found;
  }
  found.series.assign(c.inputs.size(), {});
  for (std::size_t k = 0; k < n; ++k) {
    const auto& in = c.inputs[(*ch)[k].input];
    auto& s = found.series[(*ch)[k].input];
    s.assign(periods, std::nullopt);
    for (int t = in.first; t <= in.last && t < periods; ++t) s[t] = (*ch)[k].ends[best_pick[k][t]];
  }
  return found;
}

std::string witness_csv(const checked::Contract& c, const Found& found) {
  std::string out = "period";
  std::vector<int> columns;
  for (std::size_t i = 0; i < found.series.size(); ++i)
    if (!found.series[i].empty()) columns.push_back(static_cast<int>(i)), out += "," + c.inputs[i].name;
  out += "\n";
  for (std::size_t t = 0; t < c.periods.size(); ++t) {
    out += c.periods[t];
    for (int i : columns) {
      out += ",";
      const auto& v = found.series[i][t];
      if (!v) continue;
      if (auto* b = std::get_if<bool>(&*v)) {
        out += *b ? "true" : "false";
      } else {
        const Number& x = std::get<Number>(*v);
        const Number shown = c.inputs[i].percent ? x * Number::from_int(100) : x;
        out += shown.is_terminating() ? shown.to_string() : shown.to_fraction_string();
        if (c.inputs[i].percent) out += " %";
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace utfall
