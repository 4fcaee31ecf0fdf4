// The expectations of an example, judged against an evaluation (docs/language.md §20).
//
// Takes a checked contract, the data and options an example was evaluated with, the evaluation,
// and one of the example's expectations; gives the expected and the actual value, whether they
// are equal, and the clauses involved. The lines between two parties and a party's net position
// are summed from the evaluation's lines; a payment, waterfall or definition is read through the
// expression the checker built for it (checked::Expectation::actual), which may fail on the data
// like any expression: then there is no actual value and the diagnostics say why.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "interpreter/evaluate.hpp"

namespace utfall {

struct ExpectationOutcome {
  bool passed = false;
  Text what;  // "kommun -> fonden in 2027", "aterbetalning in total", "net kommun in 2027"
  std::optional<checked::Value> expected, actual;
  std::set<std::string> clauses;  // labels of the clauses whose lines or definition it reads
  Diagnostics diagnostics;         // why there is no actual value
};

ExpectationOutcome judge_expectation(const checked::Contract& contract, const Dataset& data, const EvalOptions& options,
                                     const Evaluation& evaluation, const checked::Expectation& expectation);

// A value for a person: money with the minor unit's places and the currency ("6.00 SEK"),
// another number with its unit, a boolean, a period, a text in quotes.
std::string shown_value(const checked::Contract& contract, const checked::Value& value, const Type& type);

}  // namespace utfall
