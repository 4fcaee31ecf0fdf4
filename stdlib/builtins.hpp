// Built-in functions: one registry record each (name, signature, implementation, one line of
// documentation). The checker reads the signature to type a call; the evaluator calls the
// implementation and never checks the arguments again.
//
// Functions whose arguments are not all evaluated in the current period (to_date, previous)
// or take a rounding mode (round) are special forms: they are listed here for documentation and
// name lookup, and the checker builds dedicated nodes for them.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "interpreter/number.hpp"

namespace utfall::stdlib {

enum class Signature {
  same_unit_variadic,  // f(x, y, ...): all numbers of one unit -> that unit (min, max)
  same_unit_3,         // f(x, lo, hi): three numbers of one unit -> that unit (clamp)
  same_unit_1,         // f(x): a number -> same unit (abs)
  special,             // handled by the checker (round, to_date, previous)
};

struct Builtin {
  std::string_view name;
  Signature signature;
  Number (*apply)(std::span<const Number> args);  // null for special forms
  std::string_view doc;
};

const std::vector<Builtin>& builtins();
std::optional<int> find_builtin(std::string_view name);

}  // namespace utfall::stdlib
