// Reading draw specifications (draw_spec.hpp).
#include "interpreter/draw_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "interpreter/data.hpp"
#include "interpreter/data_files.hpp"
#include "interpreter/pipeline.hpp"

namespace utfall {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
}

// Whether a number has a finite decimal (0.25, not 1/3).
bool decimal(const Number& n) { return n.to_string().find('/') == std::string::npos; }

// Decimal places of an exact decimal (0.25 -> 2); 0 for a whole number.
int places_of(const Number& n) {
  const std::string s = n.to_string();
  const auto dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

// The parts of `kind(a, b, c) step S`.
struct Written {
  std::string kind;
  std::vector<std::string> arguments;
  std::string step;  // "" when not given
};

std::optional<Written> split_distribution(const std::string& text, std::string& error) {
  const auto open = text.find('('), close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    error = "expected DIST(ARGUMENTS), such as uniform(20 %, 40 %) or normal(100, 15)";
    return std::nullopt;
  }
  Written w{trim(text.substr(0, open)), {}, ""};
  std::string inside = text.substr(open + 1, close - open - 1);
  std::size_t start = 0;
  for (std::size_t comma; (comma = inside.find(',', start)) != std::string::npos; start = comma + 1)
    w.arguments.push_back(trim(inside.substr(start, comma - start)));
  w.arguments.push_back(trim(inside.substr(start)));
  std::string after = trim(text.substr(close + 1));
  if (!after.empty()) {
    if (after.rfind("step", 0) != 0 || after.size() < 5 || (after[4] != ' ' && after[4] != '\t')) {
      error = fmt::format("`{}` after the distribution: only `step S` may follow it", after);
      return std::nullopt;
    }
    w.step = trim(after.substr(4));
  }
  return w;
}

// Reads one --draw against the contract.
class DrawReader {
 public:
  DrawReader(const checked::Contract& c, const Dataset& data) : c_(c), data_(data) {}

  std::optional<Draw> read(const std::string& spec, std::string& error) {
    const auto tilde = spec.find('~');
    if (tilde == std::string::npos) return fail(error, "expected 'NAME ~ DIST', such as 'premieandel ~ uniform(20 %, 40 %)'");
    Draw d;
    d.name = trim(spec.substr(0, tilde));
    if (!target(d, error)) return std::nullopt;
    auto w = split_distribution(trim(spec.substr(tilde + 1)), error);
    if (!w) return std::nullopt;
    using K = Distribution::Kind;
    static const std::vector<std::tuple<std::string, K, std::size_t>> kinds = {
        {"uniform", K::uniform, 2}, {"normal", K::normal, 2}, {"triangular", K::triangular, 3},
        {"lognormal", K::lognormal, 2}, {"empirical", K::empirical, 2}};
    auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return std::get<0>(k) == w->kind; });
    if (kind == kinds.end())
      return fail(error, fmt::format("`{}` is not a distribution: uniform, normal, triangular, lognormal or empirical", w->kind));
    auto& dist = d.distribution;
    dist.kind = std::get<1>(*kind);
    if (w->arguments.size() != std::get<2>(*kind))
      return fail(error, fmt::format("{} takes {} arguments, not {}", w->kind, std::get<2>(*kind), w->arguments.size()));
    if (dist.kind == K::empirical) {
      if (!w->step.empty()) return fail(error, "an empirical draw takes the file's values as they are: no step");
      if (!empirical(d, w->arguments[0], w->arguments[1], error)) return std::nullopt;
      return d;
    }
    int most_places = 0;
    for (std::size_t k = 0; k < w->arguments.size(); ++k) {
      const bool plain = dist.kind == K::lognormal;  // MU and SIGMA are plain numbers
      auto v = plain ? Number::parse_decimal(w->arguments[k]) : value(d, w->arguments[k], error);
      if (!v) return plain ? fail(error, fmt::format("`{}` is not a number", w->arguments[k])) : std::nullopt;
      if (!decimal(*v)) return fail(error, fmt::format("`{}` is {}, which has no finite decimal: give a decimal", w->arguments[k], v->to_string()));
      most_places = std::max(most_places, places_of(*v));
      dist.parameters.push_back(*v);
    }
    const auto& p = dist.parameters;
    if (dist.kind == K::uniform && p[1] < p[0]) return fail(error, "uniform(LO, HI) needs LO <= HI");
    if (dist.kind == K::normal && p[1].sign() < 0) return fail(error, "normal(MEAN, SD) needs SD >= 0");
    if (dist.kind == K::lognormal && p[1].sign() < 0) return fail(error, "lognormal(MU, SIGMA) needs SIGMA >= 0");
    if (dist.kind == K::triangular && !(p[0] <= p[1] && p[1] <= p[2] && p[0] < p[2]))
      return fail(error, "triangular(LO, MODE, HI) needs LO <= MODE <= HI and LO < HI");
    if (!w->step.empty()) {
      auto s = value(d, w->step, error);
      if (!s) return std::nullopt;
      if (s->sign() <= 0) return fail(error, "the step must be positive");
      if (!decimal(*s)) return fail(error, fmt::format("the step {} has no finite decimal: give a decimal", s->to_string()));
      dist.step = *s;
    } else {
      dist.step = default_step(d, most_places);
    }
    // A uniform draw picks one of the grid's points by a 52-bit uniform: at most 2^52 of them.
    if (dist.kind == K::uniform && (p[1] - p[0]) / dist.step >= Number::from_int(std::int64_t{1} << 52))
      return fail(error, fmt::format("the grid from {} to {} in steps of {} has 2^52 points or more: choose a larger step",
                                     p[0].to_string(), p[1].to_string(), dist.step.to_string()));
    return d;
  }

 private:
  const checked::Contract& c_;
  const Dataset& data_;

  static std::nullopt_t fail(std::string& error, std::string message) {
    error = std::move(message);
    return std::nullopt;
  }

  bool target(Draw& d, std::string& error) {
    auto input_named = [&](const std::string& name) -> std::optional<int> {
      for (std::size_t i = 0; i < c_.inputs.size(); ++i)
        if (c_.inputs[i].name == name) return static_cast<int>(i);
      return std::nullopt;
    };
    auto series = [&](int i) {
      const auto& in = c_.inputs[i];
      if (in.participants || in.type.kind != TypeKind::number) {
        error = fmt::format("`{}` is not a series of numbers: only those can be drawn", in.name);
        return false;
      }
      return true;
    };
    if (auto scaled = scaled_input(d.name)) {
      auto i = input_named(*scaled);
      if (!i) return fail(error, fmt::format("`{}` is not an input of the contract", *scaled)), false;
      d.target = Draw::Target::scale, d.index = *i;
      return series(*i);
    }
    if (auto at = d.name.find('@'); at != std::string::npos) {
      const std::string name = trim(d.name.substr(0, at)), period = trim(d.name.substr(at + 1));
      auto i = input_named(name);
      if (!i) return fail(error, fmt::format("`{}` is not an input of the contract", name)), false;
      auto t = c_.period_index(period);
      if (!t) return fail(error, fmt::format("`{}` is not a period of the contract", period)), false;
      d.target = Draw::Target::cell, d.index = *i, d.period = *t;
      if (!series(*i)) return false;
      const auto& in = c_.inputs[*i];
      if (*t < in.first || *t > in.last)
        return fail(error, fmt::format("`{}` has values in {} .. {} only, not in {}", name, c_.periods[in.first], c_.periods[in.last], period)),
               false;
      return true;
    }
    for (std::size_t k = 0; k < c_.terms.size(); ++k)
      if (c_.terms[k].name == d.name) {
        if (c_.terms[k].type.kind != TypeKind::number) return fail(error, fmt::format("the term `{}` is not a number", d.name)), false;
        d.target = Draw::Target::term, d.index = static_cast<int>(k);
        return true;
      }
    if (auto i = input_named(d.name)) {
      d.target = Draw::Target::series, d.index = *i;
      return series(*i);
    }
    return fail(error, fmt::format("`{}` is not a term or an input of the contract (NAME is a term, INPUT@PERIOD, INPUT or scale(INPUT))",
                                   d.name)),
           false;
  }

  // A value of the drawn quantity, written as its own values are: a term as `--set` takes it,
  // an input as its data files hold it, a scale factor as a plain number.
  std::optional<Number> value(const Draw& d, const std::string& text, std::string& error) {
    if (d.target == Draw::Target::scale) {
      auto n = Number::parse_decimal(text);
      if (!n) return fail(error, fmt::format("`{}` is not a plain number (a factor)", text));
      return n;
    }
    if (d.target == Draw::Target::term) {
      EvalOptions one;
      auto diagnostics = apply_overrides(c_, {c_.terms[d.index].name + "=" + text}, one);
      auto it = one.term_overrides.find(d.index);
      if (has_errors(diagnostics) || it == one.term_overrides.end() || !std::holds_alternative<Number>(it->second)) {
        std::string why = diagnostics.empty() ? "not a number" : diagnostics.front().message;
        return fail(error, fmt::format("`{}` for `{}`: {}", text, c_.terms[d.index].name, why));
      }
      return std::get<Number>(it->second);
    }
    const auto& in = c_.inputs[d.index];
    std::string reason;
    auto v = parse_value(c_, in.type, in.percent, text, &reason);
    if (!v || !std::holds_alternative<Number>(*v)) return fail(error, fmt::format("`{}` for `{}`: {}", text, in.name, reason));
    return std::get<Number>(*v);
  }

  // Money: its minor unit. An input: the most places in its data and the parameters. Anything
  // else: four places more than the parameters have.
  Number default_step(const Draw& d, int most_places) const {
    const Type& type = d.target == Draw::Target::term ? c_.terms[d.index].type : c_.inputs[d.index].type;
    if (d.target != Draw::Target::scale) {  // money, or money per a count (not a rate between currencies): the minor unit
      const checked::Currency* money = nullptr;
      int currencies = 0;
      for (const auto& currency : c_.currencies)
        for (const auto& [dimension, exponent] : type.unit.dimensions())
          if (dimension == currency.code) ++currencies, money = exponent == 1 ? &currency : money;
      if (money && currencies == 1) return money->minor_unit;
    }
    if (d.target == Draw::Target::cell || d.target == Draw::Target::series) {
      if (static_cast<std::size_t>(d.index) < data_.series.size())
        for (const auto& v : data_.series[d.index])
          if (v && std::holds_alternative<Number>(*v)) most_places = std::max(most_places, places_of(std::get<Number>(*v)));
      // A percentage is held as a fraction (50 is 0.5): one unit of the last decimal as written
      // is 10^-(places + 2) as held, and the data's places as held count two more.
      return Number::power_of_ten(-(c_.inputs[d.index].percent ? std::max(most_places, 2) : most_places));
    }
    return Number::power_of_ten(-(most_places + 4));
  }

  bool empirical(Draw& d, const std::string& file, const std::string& column, std::string& error) {
    std::vector<std::pair<std::string, Table>> tables;
    try {
      tables = read_data_file(file);
    } catch (DiagnosticError& e) {
      return fail(error, e.diagnostic.message), false;
    }
    if (tables.size() != 1) return fail(error, fmt::format("{}: expected one table", file)), false;
    const Table& t = tables.front().second;
    auto at = std::find(t.columns.begin(), t.columns.end(), column);
    if (at == t.columns.end()) return fail(error, fmt::format("{} has no column `{}`", file, column)), false;
    const auto k = static_cast<std::size_t>(at - t.columns.begin());
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const Cell* cell = t.find(r, k);
      if (!cell || !cell->present) continue;
      auto v = value(d, std::string(cell->text), error);
      if (!v) return error = t.location(r, k).in(Language::en) + ": " + error, false;
      d.distribution.values.push_back(*v);
    }
    if (d.distribution.values.empty()) return fail(error, fmt::format("{}: the column `{}` has no values", file, column)), false;
    return true;
  }
};

}  // namespace

std::string written_distribution(const std::string& spec) {
  std::string rest = trim(spec.substr(spec.find('~') + 1));
  const auto close = rest.rfind(')');
  return close == std::string::npos ? rest : rest.substr(0, close + 1);
}

std::optional<Draw> read_draw(const checked::Contract& contract, const Dataset& data, const std::string& text, std::string& error) {
  return DrawReader(contract, data).read(text, error);
}

std::optional<DrawProblem> read_draws(const checked::Contract& c, const Dataset& data, const EvalOptions& options,
                                      const std::vector<std::string>& draws, const std::vector<std::string>& correlations,
                                      SimulationSpec& spec) {
  for (std::size_t i = 0; i < draws.size(); ++i) {
    const auto problem = [&](std::string reason) { return DrawProblem{false, i, std::move(reason)}; };
    std::string error;
    auto d = read_draw(c, data, draws[i], error);
    if (!d) return problem(error);
    for (const auto& other : spec.draws) {
      const bool same_term = d->target == Draw::Target::term && other.target == Draw::Target::term && d->index == other.index;
      const bool same_input = d->target != Draw::Target::term && other.target != Draw::Target::term && d->index == other.index &&
                              (d->target != Draw::Target::cell || other.target != Draw::Target::cell || d->period == other.period);
      if (same_term || same_input) return problem(fmt::format("`{}` is drawn already (by `{}`)", d->name, other.name));
    }
    if (d->target == Draw::Target::term && options.term_overrides.count(d->index))
      return problem(fmt::format("`{}` is given a fixed value too (--set, or a term override)", d->name));
    if (d->target != Draw::Target::term && options.input_scales.count(d->index))
      return problem(fmt::format("`{}` is scaled by a fixed factor too (--set, or a term override)", c.inputs[d->index].name));
    spec.draws.push_back(std::move(*d));
  }
  for (std::size_t i = 0; i < correlations.size(); ++i) {
    const auto problem = [&](std::string reason) { return DrawProblem{true, i, std::move(reason)}; };
    const std::string& text = correlations[i];
    const auto comma = text.find(','), eq = text.find('=');
    if (comma == std::string::npos || eq == std::string::npos || eq < comma) return problem("expected 'A, B = RHO'");
    auto named = [&](const std::string& name) -> std::optional<int> {
      for (std::size_t k = 0; k < spec.draws.size(); ++k)
        if (spec.draws[k].name == name) return static_cast<int>(k);
      return std::nullopt;
    };
    const std::string a = trim(text.substr(0, comma)), b = trim(text.substr(comma + 1, eq - comma - 1));
    auto ia = named(a), ib = named(b);
    if (!ia || !ib) return problem(fmt::format("`{}` is not drawn (name it as its draw does)", ia ? b : a));
    if (*ia == *ib) return problem("a draw with itself");
    auto rho = Number::parse_decimal(trim(text.substr(eq + 1)));
    if (!rho || *rho <= Number::from_int(-1) || *rho >= Number::from_int(1))
      return problem("the rank correlation is a number strictly between -1 and 1");
    for (const auto& k : spec.correlations)
      if ((k.a == *ia && k.b == *ib) || (k.a == *ib && k.b == *ia))
        return problem(fmt::format("`{}` and `{}` are correlated already", a, b));
    spec.correlations.push_back({*ia, *ib, std::strtod(rho->to_string().c_str(), nullptr)});
  }
  return std::nullopt;
}

}  // namespace utfall
