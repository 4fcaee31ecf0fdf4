// Draw specifications of `utfall simulate` (docs/cli.md): `NAME ~ DIST [step S]` read against a
// checked contract and its bound data into a Draw (interpreter/simulate.hpp).
//
// NAME is a term, INPUT@PERIOD, INPUT or scale(INPUT); DIST uniform(LO, HI), normal(MEAN, SD),
// triangular(LO, MODE, HI), lognormal(MU, SIGMA) or empirical(FILE, COLUMN). Parameters and the
// step are written as NAME's own values are (a term as --set takes it, an input as its data
// files hold it, a factor as a plain number) and must be finite decimals; the default step is
// the minor unit for money (or money per a count), one unit of the last decimal written for
// another input, four decimals more than the parameters for another term or a factor. Reading
// an empirical draw reads the file it names, which the user gave on the command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/simulate.hpp"

namespace utfall {

// The draw, or none with the reason in `error` (a sentence without the option's name).
std::optional<Draw> read_draw(const checked::Contract& contract, const Dataset& data, const std::string& text, std::string& error);

// Every draw and correlation of a simulation, read into spec.draws and spec.correlations: the
// one reading of `utfall simulate --draw/--correlate` and of the embedding API's
// SimulationOptions. A name is drawn once, and not also given a fixed value in `options` (a
// term override or a scale). Correlations are written `A, B = RHO`, A and B named as their draws
// are, RHO strictly between -1 and 1. None, or the first problem: which text (`correlation`
// false: draws[index], true: correlations[index]) and why, a sentence without the text.
struct DrawProblem {
  bool correlation = false;
  std::size_t index = 0;
  std::string reason;
};
std::optional<DrawProblem> read_draws(const checked::Contract& contract, const Dataset& data, const EvalOptions& options,
                                      const std::vector<std::string>& draws, const std::vector<std::string>& correlations,
                                      SimulationSpec& spec);

// The distribution as written, for output: "uniform(20 %, 50 %)" of "premieandel ~ uniform(20 %, 50 %) step 0.01 %".
std::string written_distribution(const std::string& text);

}  // namespace utfall
