// `utfall fmt`: contracts in the canonical layout of interpreter/format.hpp.
//
//   utfall fmt CONTRACT              print the contract, formatted, on standard output
//   utfall fmt --write CONTRACT...   rewrite each file that is not formatted (whole or not at all)
//   utfall fmt --check CONTRACT...   write nothing; print a unified diff for each file that is
//                                    not formatted and exit 1; exit 0 when all are
//   --lang sv|en                     write the keywords in Swedish or English (by default in
//                                    the set the file is written in, grammar/keywords.hpp)
//
// A literate contract (a .md file) is formatted in place: each of its `utfall` blocks, every
// other byte of the Markdown as it was (interpreter/format.hpp, `format_literate`).
// A file that does not parse is reported like `utfall check` reports it (exit 2, 5 for a
// limit) and left as it is; the other files are still formatted. Registered by `FmtCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace utfall {

class FmtCommand {
 public:
  explicit FmtCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  std::optional<std::string> formatted(const std::string& file, const std::string& text, int& code) const;

  CLI::App* command_;
  std::vector<std::string> files_;
  std::string lang_;
  bool check_ = false, write_ = false, ast_ = false;
};

// The unified diff (3 lines of context) that turns `before` into `after`, with `name` in the
// header; empty when they are equal.
std::string unified_diff(const std::string& name, const std::string& before, const std::string& after);

}  // namespace utfall
