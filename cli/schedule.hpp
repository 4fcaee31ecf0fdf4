// The payment schedule as a table: one column per flow (payer → payee, clause), one row per
// period, and the totals. Shared by `utfall run` and the REPL's `:payments`.
#pragma once

#include <string>

#include "interpreter/evaluate.hpp"

namespace utfall {

std::string schedule_table(const checked::Contract& contract, const Evaluation& evaluation);

}  // namespace utfall
