// Bind: raw data tables -> a Dataset for one checked contract.
//
// Takes the tables read from data files (data_files.hpp: exact text per cell) and the checked
// contract, and gives the `Dataset` that `evaluate` takes: every value parsed from its text
// into the exact type its declaration names. A table with a `period` column holds series (one
// row per period, one column per input); any other table holds the records of a participant
// input (named by its JSON key, its file name, or the only participant input there is).
// Unknown or duplicate columns, missing values, duplicate periods, periods outside the
// calendar, malformed numbers and wrong types are errors naming the file, row and column; the
// first 100 are kept and the rest counted (`keep_bounded`). Binding takes time linear in the
// tables' cells, whatever the size of the calendar (names are looked up by hashing).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/data_files.hpp"
#include "interpreter/diagnostic.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

struct BindResult {
  std::optional<Dataset> data;  // set when there are no errors
  Diagnostics diagnostics;
};
BindResult bind_data(const checked::Contract& contract, const std::vector<Table>& tables);
// The same, spending the tables: a participant table's cells are let go a chunk of rows at a
// time as they are bound (CellRows::release_before), so that the table and its records are not
// both whole in memory. What is left of `tables` afterwards is unspecified.
BindResult bind_data(const checked::Contract& contract, std::vector<Table>&& tables);

// Binding that may begin while the first data file is read: give first_table() to
// read_data_file for the first file, then bind() with every table read, the first first. A
// participant CSV file first is then bound a chunk of rows at a time as it is read, its cells let
// go as they are bound, so that the file's cells are never all in memory at once (its rows wait
// while the decimal mark of its numbers is not yet known). The result is bind_data's, exactly.
// When reading fails, drop the binder: what it bound of the first file is no result.
class DataBinder {
 public:
  explicit DataBinder(const checked::Contract& contract);
  ~DataBinder();
  DataBinder(const DataBinder&) = delete;
  DataBinder& operator=(const DataBinder&) = delete;
  RowsRead first_table();  // valid while the binder lives
  // Reads the data files in order into `tables` (the first with first_table() when nothing was
  // read or refused before it); a file that cannot be read adds its error to `diagnostics`.
  void read_files(const std::vector<std::string>& paths, const ReadLimits& limits, std::vector<Table>& tables,
                  Diagnostics& diagnostics);
  BindResult bind(std::vector<Table>&& tables);
  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses one value of a declared type from its text ("92" for a percent field is 0.92).
// Returns nullopt with a reason when the text does not fit.
std::optional<checked::Value> parse_value(const checked::Contract& contract, const Type& type, bool percent,
                                          const std::string& text, std::string* reason);

// Why `value` lies outside the declared range of an input or field (docs/language.md §8.4):
// "below its declared least value 0 events", "not a whole number"; none when it lies inside.
// The one check of declared ranges: binding (every file, document and host value goes
// through bind_data) and the REPL's `:set INPUT@PERIOD` call it.
std::optional<std::string> outside_range(const checked::DeclaredRange& allowed, const checked::Value& value, const Type& type,
                                         bool percent);

// The same, as a value, for a message that says it in a sentence of its own (in English or
// Swedish): which bound, and the bound as the contract shows it ("0 events", "50 %").
struct OutOfRange {
  enum class Kind { below, above, not_whole } kind;
  std::string bound;  // empty for not_whole
};
// out_of_range for a range that bounds something (allowed.any()).
std::optional<OutOfRange> out_of_bounds(const checked::DeclaredRange& allowed, const checked::Value& value, const Type& type,
                                        bool percent);
// Inline: most inputs and fields declare no range, and binding asks once per value.
inline std::optional<OutOfRange> out_of_range(const checked::DeclaredRange& allowed, const checked::Value& value,
                                              const Type& type, bool percent) {
  if (!allowed.any()) [[likely]] return std::nullopt;
  return out_of_bounds(allowed, value, type, percent);
}

}  // namespace utfall
