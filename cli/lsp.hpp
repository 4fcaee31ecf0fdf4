// `utfall lsp`: a Language Server Protocol server on standard input and output, for editors.
//
//   utfall lsp [--lang en|sv]        serve until the editor says `exit` or closes the input;
//                                    --lang: the diagnostics' messages in English or Swedish
//
// The stream is JSON-RPC 2.0 in LSP's framing: each message is `Content-Length: N` (other
// headers are read and ignored), an empty line, and N bytes of JSON. Nothing else is written
// on standard output; standard error says why the server stopped when the stream breaks.
//
// What it answers (docs/cli.md, `utfall lsp`), all from the library's own pipeline
// (cli/lsp_analysis.hpp):
//   initialize, initialized, shutdown, exit   the lifecycle; the capabilities are those below
//   textDocument/didOpen, didChange, didClose the documents, synchronised whole (Full); after
//                                             each open and change the checker's diagnostics
//                                             are published, and an empty list on close
//   textDocument/documentSymbol               parties, inputs, terms, clauses with their
//                                             definitions, payments, waterfalls and tables
//   textDocument/formatting                   the layout of `utfall fmt`
//   textDocument/definition, hover            the declaration of a term, definition, input,
//                                             party, table or named payment or waterfall, its
//                                             kind and type, and its values under the data file
//                                             the workspace names for the contract, else in its
//                                             first example (lsp_names.cpp, lsp_values.cpp)
//   workspace/didChangeConfiguration          `utfall.data`: the data files named for contracts
//                                             (also initializationOptions.data)
//   textDocument/references                   every site of such a name (lsp_edit.cpp)
//   textDocument/prepareRename, rename        every site renamed, where the new name is free
//                                             and the renamed contract checks
//   textDocument/completion                   names, their types, fields after `u.`, parties,
//                                             built-in functions, the file's keywords; also
//                                             while the text does not parse
//
// Errors: an unknown request is -32601; a rename refused is -32602 (or -32803 when the text does
// not parse); a message that is not JSON is -32700 and one that is
// not a request or notification -32600, and the server reads on; a request before `initialize`
// is -32002, one after `shutdown` -32600. A stream that breaks the framing (no or a bad
// Content-Length, a length over 64 MiB, a header line over 8 KiB, the input ending inside a
// message) cannot be read on: the server says so on standard error and exits 1.
//
// Exit code: 0 when `exit` (or the end of the input) comes after `shutdown`, else 1.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

#include "interpreter/messages.hpp"

namespace utfall {

class LspCommand {
 public:
  explicit LspCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  int run() const;  // the exit code

 private:
  CLI::App* command_;
  std::string lang_ = "en";
};

// Serves the protocol on `in` and `out` until `exit` or the end of `in`; the exit code.
int serve_lsp(std::istream& in, std::ostream& out, Language language);

}  // namespace utfall
