// `utfall returns`: one party's cash flows and the investor's measures on them.
//
//   utfall returns CONTRACT [--data FILE...] --party NAME [--discount RATE] [--outlay PERIOD=AMOUNT]...
//                  [--set TERM=VALUE]... [--format text|json]
//
// The contract is evaluated as `utfall run` would (the same diagnostics and exit codes); then,
// per currency, the party's flows per period (in: paid to it, out: paid by it, net), the totals,
// the money multiple, the payback period, the NPV at --discount and the IRR
// (interpreter/returns.hpp has the time convention and the precision). `--outlay` adds amounts
// the party paid outside the contract, such as a fund's capital to the provider where the
// contract only has the repayment. docs/cli.md has the text and the JSON. Registered on the app
// by `ReturnsCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/returns.hpp"

namespace utfall {

// One --outlay: `PERIOD=AMOUNT` or `PERIOD=AMOUNT CODE` (the code where the contract has several
// currencies); none, with the message in `error`, when it is not one. `simulate --outlay` reads it too.
std::optional<Outlay> parse_outlay(const checked::Contract& c, const std::string& spec, std::string& error);

// `--party NAME` and its `--outlay PERIOD=AMOUNT`s, as `returns`, `simulate` and `report` read
// them: the party (none when NAME is empty) and the outlays; none, with the message in `error`,
// when NAME is no party of the contract, an outlay is not one, or there are outlays but no party.
struct PartyOption {
  std::optional<int> party;
  std::vector<Outlay> outlays;
};
std::optional<PartyOption> read_party_option(const checked::Contract& c, const std::string& party, const std::vector<std::string>& outlays,
                                             std::string& error);

// The text `utfall returns` prints; `utfall report` shows it too.
std::string returns_text(const checked::Contract& contract, const Returns& returns);

class ReturnsCommand {
 public:
  explicit ReturnsCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, party_, discount_, format_ = "text";
  std::vector<std::string> data_, sets_, outlays_;
};

}  // namespace utfall
