// Numbers as spreadsheets write them in CSV (docs/language.md §21.1): the decimal point, or the
// decimal comma of Swedish (and most European) spreadsheets, with digits grouped by three with
// spaces: `26 700 000,00`. Read by a rule that never misreads a value:
//
// - spaces (U+0020, no-break U+00A0, narrow no-break U+202F) may group the digits before the
//   decimal mark by three; they are dropped;
// - a file writes its decimals one way: a cell with one comma and not three digits after it
//   (`0,5`, `7000000,50`) shows a decimal comma, one with a point and not three digits after it
//   (`0.5`) a decimal point. The first such cell in a file's number columns sets the file's mark;
//   a cell that shows the other mark is an error that names both cells;
// - a cell with one comma and three digits after it (`1,234`) reads 1.234 with a decimal comma
//   and 1234 with a thousands comma: in a file with a decimal comma shown elsewhere it is 1.234;
//   in a file that shows none it is an error that gives both readings. A point with three digits
//   after it (`1.234`) is 1.234, as it always was (no spreadsheet groups Swedish digits with a
//   point), unless the file shows a decimal comma: then it reads two ways and is an error;
// - anything else (two marks, `1,234,567`, `1.234,5`) is not a number;
// - U+2212 (minus sign) is read as `-`.
// JSON data keeps its own rule (numbers as JSON writes them): only CSV cells are read this way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace utfall {

enum class DecimalMark { unknown, point, comma };

// The mark a cell shows (after dropping a trailing `%` and spaces), or unknown.
DecimalMark shown_mark(std::string_view text);

// The cell as a plain decimal ("26 700 000,00" -> "26700000.00"), read under the file's mark
// (`evidence`: where the file shows it, for messages: "`7000000,50` in row 2"); none, with the
// reason in `error`, when it reads two ways or is not a number. A text that is already a plain
// decimal comes back as it is (a view of `text`); a rewritten one is kept in `storage`.
std::optional<std::string_view> plain_decimal(std::string_view text, DecimalMark mark, const std::string& evidence,
                                              std::string& error, std::string& storage);

}  // namespace utfall
