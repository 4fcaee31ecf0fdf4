// Tables keyed by text (docs/language.md §18.1): finding a key's row, and saying where a key
// that no row has came from.
//
// A text table's rows are sorted by key (check.cpp), each key in NFC, as text from data and
// text literals are: a lookup is exact, byte for byte, in time logarithmic in the rows. A key
// the table lacks stops the evaluation (E610); its message names the key and, where the key is
// a participant's field or a series, the record or period and the data file's cell it came
// from, so that the reader can fix the datum rather than guess which participant it was.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

// The row of `table` (keyed by text) whose key is `key`, or null when there is none.
const checked::TableRow* find_text_row(const checked::Table& table, std::string_view key);

// Where the value of `key` (an expression of a lookup) came from in period `t`, for a message:
// "`u.outfall` of participant 3 of `deltagare` (deltagare.csv: row 3 (line 4), column
// `outfall`)", "`kod` in period 2026", or "`if … then … else …`" for any other expression.
// `slots` holds the participant bound in each binder slot.
std::string text_key_origin(const checked::Contract& contract, const Dataset& data, const checked::Expr& key,
                            std::span<const int> slots, int t);

}  // namespace utfall
