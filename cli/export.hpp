// `utfall export --indigo`: a contract's payments, prices and maxima in the shape of the INDIGO
// impact bond data standard (Government Outcomes Lab, University of Oxford), so that a fund can
// publish a project's figures in the field's own format.
//
//   utfall export --indigo CONTRACT [--data FILE...] [--set TERM=VALUE]... [--payer PARTY]...
//                 [--assume 'INPUT in LO..HI']... [--organisation PARTY=ORG-ID]...
//                 [--payment-type planned|actual] [-o FILE]
//
// The contract is evaluated as `utfall run` evaluates it (the same diagnostics and exit codes);
// the document is one INDIGO project: its name, every payment of the run as an outcome payment
// with its period's first and last day, the totals and the most each payer can pay
// (interpreter/bounds.hpp) per payer and for the project, the clauses that pay as outcome
// metrics, and the constant prices per unit that the checked contract states as outcome
// pricings. Amounts are JSON numbers, as the standard asks, written with utfall's exact digits
// (never through a double). docs/indigo.md has the mapping field by field and what is left out.
// Registered on the app by `ExportCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace utfall {

class ExportCommand {
 public:
  explicit ExportCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  bool indigo_ = false;
  std::string contract_, output_, payment_type_;
  std::vector<std::string> data_, sets_, assumptions_, payers_, organisations_;
};

}  // namespace utfall
