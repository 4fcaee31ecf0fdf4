// `utfall solve`: break-even, the values of one term or input scale at which a goal changes.
//
//   utfall solve CONTRACT [--data FILE...] --vary NAME --range LO..HI --goal 'CONDITION'
//                [--set TERM=VALUE]... [--precision P] [--grid N] [--max-evaluations N]
//                [--threads N] [--format text|json]
//
// NAME is a term or `scale(INPUT)`; CONDITION compares what an `expect` line names with a
// constant (interpreter/solve.hpp). Prints whether the goal holds at LO and at HI, then every
// boundary: its value, whether it is exact, and on which side the goal holds. docs/cli.md has
// the JSON. Registered on the app by `SolveCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace utfall {

class SolveCommand {
 public:
  explicit SolveCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, vary_, range_, goal_, precision_, format_ = "text";
  std::vector<std::string> data_, sets_;
  int grid_ = 64;
  std::size_t max_evaluations_ = 10'000;
  unsigned threads_ = 0;
};

}  // namespace utfall
