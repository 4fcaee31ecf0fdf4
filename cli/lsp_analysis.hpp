// What `utfall lsp` (cli/lsp.hpp) knows about each open document, and the answers it gives
// from it, as the JSON values of the Language Server Protocol.
//
// `analyze` takes a document's text and runs the library's own pipeline on it, the functions
// `utfall check` runs: parse (the keyword set by the file's first word, grammar/keywords.hpp),
// then check, then the examples' data-file names (E424). A literate contract (a .md URI) is
// read as `utfall check` reads the file: the code of its `utfall` blocks, on the Markdown's
// lines. The `Document` keeps the tree and the checked contract for the requests that follow;
// nothing is re-read until the editor sends the next text.
//
// Positions: the core counts byte columns (interpreter/source.hpp), LSP counts 0-based lines and
// UTF-16 code units, so `å` is one unit and a character outside the Basic Multilingual Plane two.
// `LineIndex` converts both ways.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include <nlohmann/json.hpp>

#include "interpreter/check.hpp"
#include "interpreter/messages.hpp"

namespace utfall::lsp {

using json = nlohmann::json;

// Byte offsets of one text <-> LSP positions ({"line", "character"}).
class LineIndex {
 public:
  explicit LineIndex(SourcePtr source);
  json position(std::size_t offset) const;
  // The byte offset of an LSP position: a character past its line's end is the line's end, a
  // line past the text's end is the text's end; none when the position is not two numbers.
  std::optional<std::size_t> offset(const json& position) const;
  json range(std::size_t begin, std::size_t end) const;

 private:
  SourcePtr source_;
  std::vector<std::size_t> starts_;  // the offset of each line's first byte
};

struct Document {
  std::string uri;
  std::string text;  // as the editor sent it
  SourcePtr source;  // what was parsed: the text, or a literate contract's code
  std::shared_ptr<const LineIndex> lines;  // of `source`
  std::shared_ptr<const ast::Contract> tree;          // set when it parses
  std::shared_ptr<const checked::Contract> contract;  // set when it checks
  Diagnostics diagnostics;                            // of both phases, and the examples' files
  // While the text does not parse (or check), the tree (or checked contract) of the last text of
  // this document that did: the names, types and fields that completion offers as the user types.
  std::shared_ptr<const ast::Contract> last_tree;
  std::shared_ptr<const checked::Contract> last_contract;
};

Document analyze(std::string uri, std::string text);
// The path of a `file:` URI (file:///home/a/avtal.utfall, percent-escapes undone); none for
// another scheme.
std::optional<std::string> file_path(std::string_view uri);
// Sets `now`'s last good tree and contract from the document it replaces.
void keep_last_good(Document& now, const Document& before);

// A text with LSP `contentChanges` applied (each the whole text, or a range and its new text).
std::string apply_changes(std::string text, const json& changes);

// The `params` of textDocument/publishDiagnostics; messages in `language`.
json diagnostics_params(const Document& document, Language language);

// textDocument/documentSymbol: a DocumentSymbol tree (clauses hold their items); empty when the
// document does not parse.
json document_symbols(const Document& document);

// textDocument/formatting: the TextEdits (one replacing the whole text, none when it is already
// formatted), or why it cannot be formatted (it does not parse).
std::variant<json, std::string> formatting(const Document& document, Language language);

// textDocument/definition: the Location of the declaration of the name at `position` (a term, a
// definition, an input, a party or a table), or null (cli/lsp_names.cpp).
json definition(const Document& document, const json& position);
// The data files that the workspace names for its contracts (the setting `utfall.data`, from
// `initializationOptions.data` or workspace/didChangeConfiguration): an object from a contract's
// path, relative to the workspace's root, or a glob of such paths (`*` and `?` within a folder's
// name, `**/` any folders), to one data file, relative to the root or absolute. Without a root,
// a contract's path is matched whole and a data file is relative to the contract's folder.
struct DataSettings {
  std::string root;
  json files = json::object();
};
// A data file named for a contract: its path to read, and as the setting wrote it.
struct NamedData {
  std::string path, written;
};
// The data file that `settings` name for the document at `uri`, the first that matches; none
// when none does or the document is not a file (cli/lsp_values.cpp).
std::optional<NamedData> named_data(const DataSettings& settings, const std::string& uri);

// textDocument/hover: of the same names, what it is, its type as the checker gave it, its
// declaration as written, and its values under the named data file, else in the contract's first
// example; or null.
json hover(const Document& document, const json& position, Language language, const std::optional<NamedData>& data);

// The requests that find, edit and complete names (cli/lsp_edit.cpp). A request that cannot be
// answered throws `Refused` with the JSON-RPC error code to answer.
struct Refused {
  int code;
  std::string message;
};
constexpr int kInvalidParams = -32602, kRequestFailed = -32803;
// textDocument/references: the Locations of every site of the declaration at `position` (its
// own name too when `include_declaration`), in the order of the text; null when there is none.
json references(const Document& document, const json& position, bool include_declaration);
// textDocument/prepareRename: the range and text of the declared name at `position`, or null.
json prepare_rename(const Document& document, const json& position);
// textDocument/rename: a WorkspaceEdit renaming every site of the declaration at `position` to
// `new_name`. Refused when the document does not parse, nothing declared stands there, the new
// name is not a name of the file's keyword set, is one of its keywords or a built-in function,
// or is declared already, or when the renamed text would not check as well as the text does
// (then the refusal names the first error, in `language`).
json rename(const Document& document, const json& position, const std::string& new_name, Language language);
// textDocument/completion: the CompletionItems at `position`; see docs/cli.md.
json completion(const Document& document, const json& position);

// Shared by the outline and the names.
// The first non-blank byte of the line `offset` is on: where a declaration's keyword stands.
std::size_t declaration_start(const Source& source, std::size_t offset);
// The end of the code on the line `offset` is on: before a comment and the blanks before it.
std::size_t code_end(const Source& source, std::size_t offset);
// One past the `}` that closes the first `{` at or after `offset` (strings and comments skipped):
// the end of a clause, waterfall, table, example, `for each` or set of participants.
std::size_t block_end(const Source& source, std::size_t offset);
// The end of the code in [begin, end): before the blanks and comments that end it (the tree's
// range of a tier or a payment runs on to the next word).
std::size_t trimmed_end(const Source& source, std::size_t begin, std::size_t end);
// The end of an input's declaration: the end of its line's code, or the `}` of its fields.
std::size_t input_end(const Source& source, const ast::InputDecl& input);
// The type the checker gave the term, definition or input `name` ("SEK", "SEK per period",
// "participants"); empty when the contract does not check, or does not declare it.
std::string type_of(const Document& document, const std::string& name);
std::string type_in(const checked::Contract& contract, const std::string& name);

}  // namespace utfall::lsp
