// The random draws of a simulation as the command line gives them: --draw, --runs, --seed and
// --correlate, registered and read in one place for `utfall simulate` and `utfall report`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/simulate.hpp"

namespace utfall::cli {

struct DrawOptions {
  std::string runs, seed = "1";
  std::vector<std::string> draws, correlations;
  // Adds the four options to `command`; --draw and --runs are required where `required`.
  void add_to(CLI::App* command, bool required);
};

// Reads the options into spec.runs, spec.seed, spec.draws and spec.correlations, against the
// contract, its data and the --set options; none, or the usage error's message (without the
// command's name).
std::optional<std::string> read_draw_options(const checked::Contract& contract, const Dataset& data, const EvalOptions& options,
                                             const DrawOptions& given, SimulationSpec& spec);

}  // namespace utfall::cli
