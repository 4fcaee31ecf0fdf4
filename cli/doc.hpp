// `utfall doc`: the contract as a document for the parties, one self-contained HTML file.
//
//   utfall doc CONTRACT [--data FILE...] [--set TERM=VALUE]... [--lang en|sv] [--browser PATH] -o FILE.html|FILE.pdf
//
// The title, the parties, the calendar, the currencies, the inputs with their units, the terms
// with their values, then each clause with its number, title and rules as written; a literate
// contract (docs/language.md §2.10) is shown as its Markdown, prose and rules in the order the
// parties wrote them (rendered with Debian's libcmark where the build has it, else as text).
// With --data, the payment schedule on that data; the examples written in the contract are shown
// with their expectations. Nothing is loaded from elsewhere; the page prints as it shows (A4,
// headings kept with what follows them). With `-o FILE.pdf` the same page is printed by a
// headless browser (cli/pdf.hpp); exit 1, and no file, when that cannot be done.
// Registered on the app by `DocCommand`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace utfall {

class DocCommand {
 public:
  explicit DocCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string contract_, output_, lang_ = "en", browser_ = "chromium";
  std::vector<std::string> data_, sets_;
};

}  // namespace utfall
