// Verify: a second opinion on a checked contract, before anything evaluates it.
//
// Takes a `checked::Contract` that `check` built without errors and recomputes the type of
// every expression from the types of its parts, by the rules of docs/language.md §14, without
// the checker's state: what a name refers to, which participant is in scope, what a payment's
// amount and caps must be. Gives one internal diagnostic (E904, "a bug in utfall") for each
// node whose recorded type or scope disagrees. `check` runs it on every contract it returns,
// so a checker defect (a definition typed from another's expression, a participant reference
// outside its `for each`) stops at its source instead of crashing or paying a wrong amount.
#pragma once

#include "interpreter/checked.hpp"
#include "interpreter/diagnostic.hpp"

namespace utfall {

Diagnostics verify(const checked::Contract& contract);

}  // namespace utfall
