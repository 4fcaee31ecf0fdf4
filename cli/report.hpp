// `utfall report`: the contract's results as one self-contained HTML file.
//
//   utfall report CONTRACT [--data FILE...] -o FILE.html [--lang en|sv] [--set TERM=VALUE]...
//                 [--payoff 'NAME=LO..HI' [--payoff-points N] [-j T]] [--party NAME [--outlay PERIOD=AMOUNT]...]
//                 [--draw 'NAME ~ DIST'... [--runs N] [--seed S] [--correlate 'A, B = RHO']...]
//
// The contract is evaluated as `utfall run` evaluates it (the same diagnostics and exit codes),
// with every payment traced as `utfall explain` traces it. --payoff evaluates it again at N
// evenly spaced values of NAME (a term, or scale(INPUT)) from LO to HI, as `utfall sweep` would,
// with payments allowed to be any amount (as `utfall solve` does) so that every point of the
// curve exists; --party adds that party's returns (`utfall returns`); --draw simulates it as
// `utfall simulate` does (10 000 runs unless --runs says) and adds each flow's distribution. cli/report_html.hpp
// makes the page; docs/cli.md shows it. Registered on the app by `ReportCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/draw_options.hpp"

namespace utfall {

class ReportCommand {
 public:
  explicit ReportCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, output_, lang_ = "en", payoff_, party_;
  std::vector<std::string> data_, sets_, outlays_;
  cli::DrawOptions draw_options_;
  int payoff_points_ = 41;
  unsigned threads_ = 0;
};

}  // namespace utfall
