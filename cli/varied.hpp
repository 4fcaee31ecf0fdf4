// One varied value: a term, or scale(INPUT), over a range LO..HI. `utfall solve --vary NAME
// --range LO..HI` searches it for a goal's boundaries; `utfall report --payoff 'NAME=LO..HI'`
// draws the payments against it. LO and HI are read as --set reads a value of NAME (the same
// units, the same reading of percentages), and shown back in the unit they were written in.
#pragma once

#include <optional>
#include <string>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall::cli {

struct Varied {
  std::string name;          // as given, trimmed
  std::optional<int> term;   // the term, or
  std::optional<int> input;  // the input that scale(INPUT) scales
  Number low, high;          // low < high, in the value's own terms (30 % is 3/10)
  std::string unit;          // as the range was written: "%", "SEK", or empty
  // Sets the value to x in `options`.
  void set(EvalOptions& options, const Number& x) const;
  // x in the unit the range was written in: "0.3" -> "30 %"; a fraction as the fraction.
  std::string shown(const Number& x) const;
  Number in_unit(const Number& x) const;  // x as a number of `unit` (30 % -> 30)
};

// NAME: a term of the contract, or scale(INPUT); the error as `utfall COMMAND` prints it (the
// exit code) when it is neither. `option` names the option in messages ("--vary").
struct VariedResult {
  std::optional<Varied> varied;
  int code = 0;
};
VariedResult read_varied_name(const checked::Contract& contract, const std::string& name, std::string_view command,
                              std::string_view option);
// LO..HI for `varied` (whose name read_varied_name set); `option` names it in messages ("--range").
VariedResult read_varied_range(const checked::Contract& contract, Varied varied, const std::string& range,
                               std::string_view command, std::string_view option);

}  // namespace utfall::cli
