// One REPL session apart from any terminal: the contract text, the session's definitions, data
// files, overridden data and the current period, and its answer to each input.
//
// cli/repl.cpp reads the lines (libedit at a terminal, plain lines from a pipe) and writes the
// answers; the fuzz target tests/fuzz/fuzz_repl.cpp drives a session with lines of its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/repl.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

class ReplSession {
 public:
  struct Config {
    bool read_files = true;  // false: :load, :reload and :data FILE are refused (a fuzzer's session)
    EvalLimits limits;       // of every evaluation the session runs
  };

  explicit ReplSession(Config config);
  ~ReplSession();
  ReplSession(const ReplSession&) = delete;
  ReplSession& operator=(const ReplSession&) = delete;

  // Loads the options' contract and data (their messages go to err()).
  void start(const ReplOptions& options);
  // Starts from a contract given as text, labelled `label` in messages, as :load would a file.
  void start_text(const std::string& label, std::string text);
  // Answers one whole input (see complete()): a command, a definition, a declaration or an
  // expression. What it prints is in out() and err() until the next input.
  void handle(const std::string& input);
  // Whether `buffer` is a whole input: brackets closed, not ending in an operator or `\`.
  static bool complete(const std::string& buffer);

  const std::string& out() const;
  const std::string& err() const;
  const Diagnostics& diagnostics() const;  // those shown in err()
  bool failed() const;  // the last input gave an error
  bool quit() const;    // :quit was given

  // Names for tab completion: commands, keywords, built-ins and the contract's names.
  std::vector<std::string> names() const;
  std::string prompt() const;

 private:
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace utfall
