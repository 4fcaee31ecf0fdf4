#include "cli/draw_options.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "interpreter/draw_spec.hpp"

namespace utfall::cli {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
}

}  // namespace

void DrawOptions::add_to(CLI::App* command, bool required) {
  auto* draw = command->add_option("--draw", draws, "'NAME ~ DIST [step S]': NAME a term, INPUT@PERIOD, INPUT or scale(INPUT); DIST uniform(LO, HI), "
                                                    "normal(MEAN, SD), triangular(LO, MODE, HI), lognormal(MU, SIGMA) or empirical(FILE, COLUMN)");
  auto* count = command->add_option("--runs,-n", runs, "the number of runs (1 to 10 000 000)");
  if (required) draw->required(), count->required();
  command->add_option("--seed", seed, "the seed, 0 to 18446744073709551615 (default 1): the same seed gives the same output");
  command->add_option("--correlate", correlations, "'A, B = RHO': rank correlation RHO between two draws (a Gaussian copula)");
}

std::optional<std::string> read_draw_options(const checked::Contract& c, const Dataset& data, const EvalOptions& options,
                                             const DrawOptions& given, SimulationSpec& spec) {
  // Whole numbers as written: CLI11 would wrap `-5` and saturate `99999999999999999999`.
  auto whole = [](const std::string& text) -> std::optional<std::uint64_t> {
    std::uint64_t n = 0;
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    for (char ch : text)
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, static_cast<std::uint64_t>(ch - '0'), &n)) return std::nullopt;
    return n;
  };
  const auto runs_given = whole(given.runs), seed_given = whole(given.seed);
  if (!runs_given || *runs_given < 1 || *runs_given > kMaxRuns)
    return fmt::format("--runs {}: a whole number of runs from 1 to {}", given.runs, kMaxRuns);
  if (!seed_given) return fmt::format("--seed {}: a whole number from 0 to 18446744073709551615", given.seed);
  spec.runs = *runs_given, spec.seed = *seed_given;
  for (const auto& text : given.draws) {
    std::string error;
    auto d = read_draw(c, data, text, error);
    if (!d) return fmt::format("--draw '{}': {}", text, error);
    for (const auto& other : spec.draws) {
      const bool same_term = d->target == Draw::Target::term && other.target == Draw::Target::term && d->index == other.index;
      const bool same_input = d->target != Draw::Target::term && other.target != Draw::Target::term && d->index == other.index &&
                              (d->target != Draw::Target::cell || other.target != Draw::Target::cell || d->period == other.period);
      if (same_term || same_input) return fmt::format("--draw '{}': `{}` is drawn already (by `{}`)", text, d->name, other.name);
    }
    if (d->target == Draw::Target::term && options.term_overrides.count(d->index))
      return fmt::format("--draw '{}': `{}` is given by --set too", text, d->name);
    if (d->target != Draw::Target::term && options.input_scales.count(d->index))
      return fmt::format("--draw '{}': `{}` is scaled by --set too", text, c.inputs[d->index].name);
    spec.draws.push_back(std::move(*d));
  }
  for (const auto& text : given.correlations) {
    const auto comma = text.find(','), eq = text.find('=');
    if (comma == std::string::npos || eq == std::string::npos || eq < comma) return fmt::format("--correlate '{}': expected 'A, B = RHO'", text);
    auto named = [&](const std::string& name) -> std::optional<int> {
      for (std::size_t k = 0; k < spec.draws.size(); ++k)
        if (spec.draws[k].name == name) return static_cast<int>(k);
      return std::nullopt;
    };
    const std::string a = trim(text.substr(0, comma)), b = trim(text.substr(comma + 1, eq - comma - 1));
    auto ia = named(a), ib = named(b);
    if (!ia || !ib) return fmt::format("--correlate '{}': `{}` is not drawn (name it as its --draw does)", text, ia ? b : a);
    if (*ia == *ib) return fmt::format("--correlate '{}': a draw with itself", text);
    auto rho = Number::parse_decimal(trim(text.substr(eq + 1)));
    if (!rho || *rho <= Number::from_int(-1) || *rho >= Number::from_int(1))
      return fmt::format("--correlate '{}': the rank correlation is a number strictly between -1 and 1", text);
    for (const auto& k : spec.correlations)
      if ((k.a == *ia && k.b == *ib) || (k.a == *ib && k.b == *ia))
        return fmt::format("--correlate '{}': `{}` and `{}` are correlated already", text, a, b);
    spec.correlations.push_back({*ia, *ib, std::strtod(rho->to_string().c_str(), nullptr)});
  }
  return std::nullopt;
}

}  // namespace utfall::cli
