// `utfall bounds`: the largest amount each flow can reach, over all data that the declared
// ranges of the inputs and the user's assumptions allow.
//
//   utfall bounds CONTRACT [--assume 'INPUT in LO..HI']... [--set TERM=VALUE]... [--smallest]
//                 [--witness DIR] [--format text|json]
//
// For each flow (payer -> payee, currency): the largest total over the calendar and the largest
// amount in any one period (interpreter/bounds.hpp), whether some data set reaches it (a search,
// interpreter/bounds_witness.hpp), the caps and limits that give it, and, for an unbounded
// flow, the input and the path through the contract that make it so. docs/cli.md has the
// output and the JSON. Registered on the app by `BoundsCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/bounds.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

// The options of the bounds: the terms and scales of an evaluation's options (--set) and each
// `--assume 'INPUT in LO..HI'` (or SET.FIELD, or count(SET)). None, with the message in `error`,
// when an assumption is not one. `export --indigo --assume` reads them too.
std::optional<BoundsOptions> read_bounds_options(const checked::Contract& c, const EvalOptions& eval_options,
                                                 const std::vector<std::string>& assumptions, std::string& error);

class BoundsCommand {
 public:
  explicit BoundsCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, format_ = "text", witness_;
  std::vector<std::string> assumptions_, sets_;
  bool smallest_ = false;
};

}  // namespace utfall
