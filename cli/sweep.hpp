// `utfall sweep`: one contract evaluated over many term values on all cores.
//
//   utfall sweep CONTRACT --data FILE... --vary 'TERM=FROM..TO step STEP' [--vary 'TERM=V1,V2']...
//                [--set TERM=VALUE]... [--threads N] [--format table|csv|json]
//
// Every combination of the varied values is one evaluation (the first --vary varies slowest);
// each prints the totals per payer -> payee (json: every payment too). The output does not
// depend on --threads. The command is registered on the app by `SweepCommand`; main only
// asks whether it was chosen and runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace utfall {

class SweepCommand {
 public:
  explicit SweepCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, format_ = "table", dialect_ = "plain", output_;
  std::vector<std::string> data_, sets_, vary_;
  unsigned threads_ = 0;
};

}  // namespace utfall
