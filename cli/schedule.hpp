// The payment schedule as a table: one column per flow (payer → payee, clause), one row per
// period, and the totals. Shared by `utfall run` and the REPL's `:payments`.
#pragma once

#include <string>

#include "interpreter/evaluate.hpp"

namespace utfall {

// With `data`, the records an `at most N per KEY` payment did not pay (docs/language.md §16.6)
// are listed under the table with their file, row and line.
// `wording`: headings in English or Swedish, amounts as `26,700,000.00` or `26 700 000,00`.
std::string schedule_table(const checked::Contract& contract, const Evaluation& evaluation, const Dataset* data = nullptr,
                           const Wording& wording = {});

}  // namespace utfall
