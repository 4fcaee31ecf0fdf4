// The workbook of `utfall run --format xlsx -o FILE` (cli/xlsx.hpp): the payments, the terms as
// the run used them, and the series data, each number beside its exact decimal.
#pragma once

#include <vector>

#include "cli/xlsx.hpp"
#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall::cli {

std::vector<XlsxSheet> run_workbook(const checked::Contract& contract, const Evaluation& evaluation, const Dataset& data,
                                    const EvalOptions& options);

}  // namespace utfall::cli
