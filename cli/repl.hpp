// `utfall repl`: an interactive session for trying clauses against data.
//
// The session (contract text, redefinitions, data files, overridden data, the current period)
// is kept apart from the terminal: with a terminal, libedit gives line editing, history kept
// between sessions and tab completion; without one (a pipe, a script), lines are read as they
// come, with no prompt, so sessions can be scripted and tested.
#pragma once

#include <string>
#include <vector>

#include "interpreter/messages.hpp"

namespace utfall {

struct ReplOptions {
  std::string contract;           // "" to start from an empty contract
  std::vector<std::string> data;  // data files
  std::string history;            // history file; "" for the default, "-" for none
  Wording wording;                // --lang, --locale: messages, headings and numbers
};

// Runs the session until :quit or end of input. Returns 0, or 1 when input was not from a
// terminal and some input gave an error (so a script can tell).
int run_repl(const ReplOptions& options);

}  // namespace utfall
