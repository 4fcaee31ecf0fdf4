// `utfall compare`: two versions of a contract on the same data, or two or more data sets under
// one contract, side by side.
//
//   utfall compare OLD NEW [--data FILE...] [--set TERM=VALUE]... [--format text|json|csv]
//   utfall compare CONTRACT --scenario NAME=FILE[,FILE]... [--data FILE...] [--set ...] [--format ...]
//
// Each side is evaluated as `utfall run` would (the same diagnostics and exit codes); then, per
// flow (payer id, payee id, currency code) and period, each side's amount and the difference
// NEW - OLD (each later scenario less the first), with totals. Flows are rows and periods are
// columns, in the calendar order of NEW with OLD's own periods merged in. For two versions the
// changes between the checked contracts follow (interpreter/contract_diff.hpp). docs/cli.md
// has the table, the CSV and the JSON. Registered on the app by `CompareCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace utfall {

class CompareCommand {
 public:
  explicit CompareCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string format_ = "text", dialect_ = "plain", output_;
  std::vector<std::string> contracts_, data_, sets_, scenarios_;
};

}  // namespace utfall
