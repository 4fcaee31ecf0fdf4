// The pipeline in one place, for hosts: read -> parse -> check, data files -> bind, then
// evaluate. Each step is the entry function of its own stage; this header only chains them.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "interpreter/check.hpp"
#include "interpreter/data.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/literate.hpp"
#include "interpreter/parse.hpp"

namespace utfall {

struct Compiled {
  std::shared_ptr<const checked::Contract> contract;  // set when there are no errors
  Diagnostics diagnostics;
};
// parse + check of a contract text.
Compiled compile(SourcePtr source, const ParseOptions& parse_options = {}, const CheckOptions& check_options = {});
// The text of a contract file: a regular file (interpreter/files.hpp), read within the size
// limit; else an io diagnostic (E801: missing, a directory, a FIFO, a device) or E701. Of a
// literate contract (a .md file, interpreter/literate.hpp) the code of its `utfall` blocks, on
// the Markdown's lines, and its headings in `headings` and the Markdown itself in `markdown`
// where given; one without such a block is E105.
std::variant<std::string, Diagnostic> read_contract_file(const std::string& path, const ParseOptions& parse_options = {},
                                                         std::vector<LiterateHeading>* headings = nullptr,
                                                         std::string* markdown = nullptr);
// Reads the file, then compiles it; a file that cannot be read is an io diagnostic. A
// diagnostic in a literate contract notes the heading it sits under.
Compiled compile_file(const std::string& path, const ParseOptions& parse_options = {});

// Reads data files (CSV or JSON) and binds them to the contract's inputs. With a folder
// `beneath`, every file must lie in it (ReadLimits::beneath).
BindResult load_data(const checked::Contract& contract, const std::vector<std::string>& paths, const std::string& beneath = {});

// The data files of an example, named relative to `folder` (the contract's), as paths to read.
// A name that leaves the folder (an absolute path, a `..` component, a link that leads out of
// it) is E424 at the name in the contract instead. Nothing is read (links are followed).
struct ExamplePaths {
  std::vector<std::string> paths;
  Diagnostics diagnostics;
};
ExamplePaths example_data_paths(const checked::Example& example, const std::string& folder);
// E424 for every data file of every example of the contract that leaves `folder`: what
// `utfall check` says about the examples' files without reading them.
Diagnostics example_data_diagnostics(const checked::Contract& contract, const std::string& folder);

// Reads the data files of an example (example_data_paths) and binds them to the contract; when
// a name leaves the folder, its E424 and no file read.
BindResult load_example_data(const checked::Contract& contract, const checked::Example& example, const std::string& folder);

// Parses, checks and evaluates `TERM=VALUE` overrides into `options.term_overrides`, and
// `scale(INPUT)=FACTOR` into `options.input_scales` (INPUT a series of numbers, FACTOR a plain
// number); anything else is E214.
Diagnostics apply_overrides(const checked::Contract& contract, const std::vector<std::string>& assignments,
                            EvalOptions& options);
// What `from` gives terms and inputs (values, `unlimited`, scales) given to `into` as well,
// replacing what `into` gave the same term or input: the overrides of one apply_overrides after
// those of another.
void merge_overrides(const EvalOptions& from, EvalOptions& into);
// The INPUT of a name written `scale(INPUT)` (spaces allowed), or none.
std::optional<std::string> scaled_input(std::string_view name);

}  // namespace utfall
