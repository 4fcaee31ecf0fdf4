// `utfall simulate`: the distribution of what a contract pays when terms and data are drawn at
// random (Monte Carlo).
//
//   utfall simulate CONTRACT [--data FILE...] --draw 'NAME ~ DIST [step S]'... --runs N [--seed S]
//                   [-j T] [--percentiles 5,50,95] [--correlate 'A, B = RHO']... [--set TERM=VALUE]...
//                   [--caps] [--party NAME [--outlay PERIOD=AMOUNT]...] [--format text|json|csv]
//
// The draws are read against the checked contract (NAME a term, INPUT@PERIOD, INPUT or
// scale(INPUT); DIST uniform, normal, triangular, lognormal or empirical), then
// interpreter/simulate.hpp runs them and interpreter/statistics.hpp summarises each flow, each
// party's net position, the caps that bound (--caps) and the party's multiple and IRR (--party).
// docs/cli.md has the rules and the JSON. Registered on the app by `SimulateCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/draw_options.hpp"

namespace utfall {

class SimulateCommand {
 public:
  explicit SimulateCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, party_, percentiles_ = "5,50,95", format_ = "text", dialect_ = "plain", output_;
  std::vector<std::string> data_, sets_, outlays_;
  cli::DrawOptions draw_options_;
  unsigned threads_ = 0;
  bool caps_ = false;
};

}  // namespace utfall
