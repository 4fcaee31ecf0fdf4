// Break-even: the goal read as an example's expectation, a grid scan on all cores, then exact
// bisection in each step of the grid where the goal changes (solve.hpp says what is confirmed).
#include "interpreter/solve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "interpreter/examples.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/sweep.hpp"

namespace utfall {
namespace {

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

Diagnostic goal_error(const std::string& condition, Text message) {
  Diagnostic d;
  d.kind = DiagKind::name;
  d.code = "E214";
  set_message(d, std::move(message));
  d.location = "--goal " + condition;
  return d;
}

// The comparison of a goal: where it stands, its length and which it is; none when there is
// not exactly one. `->` is no comparison, nor anything in quotes.
struct Comparison {
  std::size_t at = std::string::npos, length = 0;
  Goal::Op op = Goal::Op::equal;
  int count = 0;
};
Comparison find_comparison(const std::string& s) {
  Comparison out;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '"') quoted = !quoted;
    if (quoted || std::string_view("<>=!").find(ch) == std::string_view::npos) continue;
    if (ch == '>' && i > 0 && s[i - 1] == '-') continue;
    std::string_view two = std::string_view(s).substr(i, 2);
    Goal::Op op;
    std::size_t length = 2;
    if (two == ">=") op = Goal::Op::greater_equal;
    else if (two == "<=") op = Goal::Op::less_equal;
    else if (two == "!=") op = Goal::Op::not_equal;
    else if (ch == '>') op = Goal::Op::greater, length = 1;
    else if (ch == '<') op = Goal::Op::less, length = 1;
    else if (ch == '=') op = Goal::Op::equal, length = 1;
    else continue;
    if (out.count++ == 0) out.at = i, out.length = length, out.op = op;
    i += length - 1;
  }
  return out;
}

// A diagnostic of the added example, moved onto the goal's own text (the rewritten goal has the
// goal's length, so offsets carry over); false for one about the contract itself.
bool onto_goal(OwnedRange& range, const SourcePtr& whole, std::size_t goal_start, const SourcePtr& goal) {
  if (range.source != whole || range.begin.offset < goal_start) return false;
  auto at = [&](std::size_t offset) { return std::min(offset - std::min(offset, goal_start), goal->text.size()); };
  range.end_offset = at(std::max(range.end_offset, range.begin.offset));
  range.begin.offset = at(range.begin.offset);
  range.begin.line = 1;
  range.begin.column = range.begin.offset + 1;
  range.source = goal;
  return true;
}

bool compare(const checked::Value& actual, const checked::Value& expected, Goal::Op op) {
  using Op = Goal::Op;
  if (op == Op::equal) return actual == expected;
  if (op == Op::not_equal) return !(actual == expected);
  auto order = std::get<Number>(actual) <=> std::get<Number>(expected);
  switch (op) {
    case Op::less: return order < 0;
    case Op::less_equal: return order <= 0;
    case Op::greater: return order > 0;
    default: return order >= 0;
  }
}

// The goal at one x: whether it holds, and the quantity it compares when that is a number.
struct Probe {
  bool ok = false, holds = false;
  std::optional<Number> quantity, threshold;
  Diagnostics diagnostics;
};

struct Prober {
  const Goal& goal;
  const Dataset& data;
  const EvalOptions& base;
  const SetVaried& set;

  Probe operator()(const Number& x, Workspace& workspace, Evaluation& evaluation) const {
    Probe p;
    EvalOptions options = base;
    set(options, x);
    options.any_amount = true;
    const auto& c = *goal.contract;
    evaluate(c, data, options, workspace, evaluation);
    if (!evaluation.ok) {
      p.diagnostics = evaluation.diagnostics;
      return p;
    }
    auto outcome = judge_expectation(c, data, options, evaluation, *goal.expectation);
    if (!outcome.actual || !outcome.expected) {
      p.diagnostics = std::move(outcome.diagnostics);
      return p;
    }
    p.ok = true;
    p.holds = compare(*outcome.actual, *outcome.expected, goal.op);
    if (auto* q = std::get_if<Number>(&*outcome.actual)) p.quantity = *q;
    if (auto* t = std::get_if<Number>(&*outcome.expected)) p.threshold = *t;
    return p;
  }
  // Whether the contract runs at x as `utfall run` would: every payment a whole number of minor units.
  bool runs(const Number& x, Workspace& workspace, Evaluation& evaluation) const {
    EvalOptions options = base;
    set(options, x);
    evaluate(*goal.contract, data, options, workspace, evaluation);
    return evaluation.ok;
  }
};

// The boundary in one step of the grid, [a, b] with the goal differing at a and b: a point r
// in it where the goal is as at a just below r and as at b just above.
struct Refined {
  std::optional<Boundary> boundary;
  std::size_t evaluations = 0;
  Diagnostics diagnostics;
  std::optional<Number> failed_at;
};

Refined refine(const Prober& probe, Number a, Probe pa, Number b, Probe pb, std::size_t budget, const Number& precision,
               Workspace& workspace, Evaluation& evaluation) {
  static const Number delta = Number::power_of_ten(-31), most_denominator = Number::power_of_ten(15);
  Refined out;
  auto at = [&](const Number& x) {
    ++out.evaluations;
    return probe(x, workspace, evaluation);
  };
  // r is the boundary when the goal changes within delta of it as it does from a to b, and r
  // is the crossing of the line through the quantity at a and b, the quantity lying on that line
  // at r - delta, r and r + delta (`linear`: whatever r's denominator), or a fraction of a small
  // denominator (the only one that near the change: docs/cli.md, "Exact").
  auto confirm = [&](const Number& r, bool linear) -> std::optional<Boundary> {
    if (!(a <= r && r <= b) || out.evaluations + 4 > budget) return std::nullopt;
    if (!linear && *Number::parse_decimal(r.denominator_string()) > most_denominator) return std::nullopt;
    auto below = at(r - delta);
    if (!below.ok) return std::nullopt;
    auto above = at(r + delta);
    if (!above.ok || below.holds != pa.holds || above.holds != pb.holds) return std::nullopt;
    auto on = at(r);
    if (!on.ok) return std::nullopt;
    if (linear) {
      // The quantity meets the goal's constant at r and lies on the line through a and b at
      // r - delta and r + delta where those are inside [a, b] (at least one is): not a step (a
      // rounded amount) whose edge merely lies near r. Beyond [a, b] the next piece may bend.
      if (!below.quantity || !on.quantity || !above.quantity || !pa.threshold || *on.quantity != *pa.threshold) return std::nullopt;
      const Number slope = (*pb.quantity - *pa.quantity) / (b - a);
      const bool check_below = a <= r - delta, check_above = r + delta <= b;
      if (!check_below && !check_above) return std::nullopt;
      if (check_below && *below.quantity != *pa.threshold - slope * delta) return std::nullopt;
      if (check_above && *above.quantity != *pa.threshold + slope * delta) return std::nullopt;
    }
    Boundary found;
    found.value = r;
    found.exact = true;
    found.holds_above = above.holds;
    found.holds_at = on.holds;
    ++out.evaluations;
    found.runs_at = probe.runs(r, workspace, evaluation);
    return found;
  };
  std::set<Number> tried;
  auto candidates = [&]() -> std::optional<Boundary> {
    std::vector<std::pair<Number, bool>> rs;  // candidate, linear
    // Where the quantity would meet the goal's constant, were it linear in x on [a, b].
    if (pa.quantity && pb.quantity && pa.threshold && *pa.quantity != *pb.quantity) {
      Number r = a + (*pa.threshold - *pa.quantity) * (b - a) / (*pb.quantity - *pa.quantity);
      if (a <= r && r <= b) rs.emplace_back(r, true);
    }
    rs.emplace_back(simplest_between(a, b), false);
    for (const auto& [r, linear] : rs)
      if (tried.insert(r).second)
        if (auto found = confirm(r, linear)) return found;
    return std::nullopt;
  };
  bool limit = false;
  for (int step = 0;; ++step) {
    Number width = b - a;
    if (step % 6 == 0 || width < delta)
      if (auto found = candidates()) {
        out.boundary = found;
        return out;
      }
    if (width < delta) break;
    if (out.evaluations >= budget) {
      limit = true;
      break;
    }
    Number quarter = width / Number::from_int(4);
    Number m = shortest_decimal_between(a + quarter, b - quarter);
    auto pm = at(m);
    if (!pm.ok) {
      out.diagnostics = std::move(pm.diagnostics);
      out.failed_at = m;
      return out;
    }
    if (pm.holds == pa.holds) a = m, pa = std::move(pm);
    else b = m, pb = std::move(pm);
  }
  // Not confirmed: the change lies in [a, b].
  Boundary found;
  found.holds_above = pb.holds;
  found.limit_reached = limit;
  Number width = b - a;
  if (width <= precision + precision) {
    found.value = shortest_decimal_between(b - precision, a + precision);
    found.precision = precision;
  } else {
    found.value = shortest_decimal_between(a, b);
    found.precision = width;
  }
  out.boundary = found;
  return out;
}

}  // namespace

GoalResult read_goal(const SourcePtr& contract_source, const std::string& condition) {
  GoalResult out;
  auto fail = [&](Text message) {
    out.diagnostics.push_back(goal_error(condition, std::move(message)));
    return out;
  };
  if (condition.find_first_of("\n\r{}") != std::string::npos) return fail(text("a goal is one line, without braces"));
  auto cmp = find_comparison(condition);
  if (cmp.count != 1)
    return fail(cmp.count == 0
                    ? text("no comparison: write WHAT OP VALUE, WHAT as an `expect` line names it (`kommun -> fonden in total`, "
                           "`NAME in 2027`, `net PARTY in total`) and OP one of =, !=, <, <=, >, >=")
                    : text("more than one comparison: write WHAT OP VALUE, WHAT as an `expect` line names it (`kommun -> "
                           "fonden in total`, `NAME in 2027`, `net PARTY in total`) and OP one of =, !=, <, <=, >, >="));
  std::string rewritten = condition;
  rewritten.replace(cmp.at, cmp.length, "=" + std::string(cmp.length - 1, ' '));
  const std::string name = "utfall solve --goal";
  std::string head = "\n\nexample \"" + name + "\" {\n  expect ";
  auto source = std::make_shared<Source>(Source{contract_source->name, contract_source->text + head + rewritten + "\n}\n"});
  const std::size_t goal_start = contract_source->text.size() + head.size();
  auto goal_source = std::make_shared<Source>(Source{"--goal", condition});
  auto compiled = compile(source);
  for (auto& d : compiled.diagnostics) {
    if (d.range && onto_goal(*d.range, source, goal_start, goal_source)) {
      for (auto& note : d.related) onto_goal(note.range, source, goal_start, goal_source);
      out.diagnostics.push_back(std::move(d));
    } else if (d.severity == Severity::error) {
      out.diagnostics.push_back(std::move(d));
    }
  }
  if (!compiled.contract) {
    if (out.diagnostics.empty()) return fail(text("the goal could not be read"));
    return out;
  }
  const auto& examples = compiled.contract->examples;
  if (examples.empty() || examples.back().name != name || examples.back().expectations.size() != 1)
    return fail(text("the goal could not be read as one expectation"));
  Goal goal;
  goal.contract = compiled.contract;
  goal.expectation = &examples.back().expectations.front();
  goal.op = cmp.op;
  goal.text = condition;
  if (goal.op != Goal::Op::equal && goal.op != Goal::Op::not_equal && goal.expectation->type.kind != TypeKind::number)
    return fail(text("`{}` is {}: only = and != compare it", trim(condition.substr(0, cmp.at)), goal.expectation->type.describe()));
  out.goal = std::move(goal);
  return out;
}

Number simplest_between(const Number& low, const Number& high) {
  if (low.sign() <= 0 && high.sign() >= 0) return Number();
  if (high.sign() < 0) return -simplest_between(-high, -low);
  const Number one = Number::from_int(1);
  Number whole = low.round(one, RoundingMode::floor);
  if (whole == low) return low;
  if (whole + one <= high) return whole + one;
  // low and high lie in (whole, whole + 1): the continued fraction goes on with their remainders.
  return whole + one / simplest_between(one / (high - whole), one / (low - whole));
}

Number shortest_decimal_between(const Number& low, const Number& high) {
  if (low.sign() <= 0 && high.sign() >= 0) return Number();
  if (high.sign() < 0) return -shortest_decimal_between(-high, -low);
  static const Number coarsest = Number::power_of_ten(30), ten = Number::from_int(10);
  Number step = coarsest;
  for (int k = 30; k > -1000; --k, step = step / ten) {  // multiples of 10^k, from coarse to fine
    Number up = low.round(step, RoundingMode::ceiling);
    if (up <= high) return up;
  }
  return low;  // low = high, with no decimal of fewer than 1000 places
}

SolveResult solve(const Goal& goal, const Dataset& data, const EvalOptions& base, const SetVaried& set, const SolveOptions& options) {
  SolveResult out;
  const Prober probe{goal, data, base, set};
  const int grid = std::max(options.grid, 1);
  const Number precision = options.precision.sign() > 0 ? options.precision : Number::power_of_ten(-6);
  const unsigned threads = sweep_threads(options.threads);

  // The grid, on all cores.
  std::vector<Number> xs;
  for (int i = 0; i <= grid; ++i) xs.push_back(options.low + (options.high - options.low) * Number::fraction(i, grid));
  std::vector<Probe> probes(xs.size());
  std::vector<Workspace> workspaces(threads);
  std::vector<Evaluation> evaluations(threads);
  parallel_for(xs.size(), threads, [&](unsigned w, std::size_t i) { probes[i] = probe(xs[i], workspaces[w], evaluations[w]); });
  out.evaluations = xs.size();
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (!probes[i].ok) {
      out.diagnostics = probes[i].diagnostics;
      out.failed_at = xs[i];
      return out;
    }
  out.at_low = probes.front().holds;
  out.at_high = probes.back().holds;

  // Each step where the goal changes, narrowed on its own; each gets an equal share of the
  // evaluations left, so that what is found does not depend on the threads.
  std::vector<std::size_t> steps;
  for (std::size_t i = 0; i + 1 < xs.size(); ++i)
    if (probes[i].holds != probes[i + 1].holds) steps.push_back(i);
  const std::size_t left = options.max_evaluations > out.evaluations ? options.max_evaluations - out.evaluations : 0;
  const std::size_t budget = steps.empty() ? 0 : left / steps.size();
  std::vector<Refined> refined(steps.size());
  parallel_for(steps.size(), threads, [&](unsigned w, std::size_t k) {
    std::size_t i = steps[k];
    refined[k] = refine(probe, xs[i], probes[i], xs[i + 1], probes[i + 1], budget, precision, workspaces[w], evaluations[w]);
  });
  for (auto& r : refined) {
    out.evaluations += r.evaluations;
    if (r.failed_at && !out.failed_at) {
      out.diagnostics = std::move(r.diagnostics);
      out.failed_at = r.failed_at;
    }
    if (r.boundary) {
      out.limit_reached = out.limit_reached || r.boundary->limit_reached;
      out.boundaries.push_back(std::move(*r.boundary));
    }
  }
  out.ok = !out.failed_at;
  return out;
}

}  // namespace utfall
