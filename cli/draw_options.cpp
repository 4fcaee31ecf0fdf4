#include "cli/draw_options.hpp"

#include <fmt/format.h>

#include "interpreter/draw_spec.hpp"

namespace utfall::cli {

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
  if (auto problem = read_draws(c, data, options, given.draws, given.correlations, spec))
    return problem->correlation ? fmt::format("--correlate '{}': {}", given.correlations[problem->index], problem->reason)
                                : fmt::format("--draw '{}': {}", given.draws[problem->index], problem->reason);
  return std::nullopt;
}

}  // namespace utfall::cli
