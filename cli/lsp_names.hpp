// The names of a contract as `utfall lsp` (cli/lsp.hpp) sees them, shared by the requests that
// read them (definition and hover, cli/lsp_names.cpp) and those that edit or complete them
// (references, rename and completion, cli/lsp_edit.cpp).
//
// A name is found where the parser put it: every `ast::Name` of the tree (a reference in an
// expression, a table called, a payer or payee, a set, a declaration's own name) has its range.
// It is resolved as the checker resolves a plain name: against the contract's terms,
// definitions (`let` in any clause), inputs, parties, tables and named payments and waterfalls
// (`pay x: ...`, `waterfall x: ...`), which share one namespace, so two sites with the same text
// name the same declaration. A binder (`u` of `for each u in ...`)
// and what is read through it (`u.stabil`) are not sites.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/lsp_analysis.hpp"

namespace utfall::lsp {

enum class Kind { party, input, term, definition, table, payment, waterfall };
// "party", "input", ... in English; "part", "uppgift", ... in Swedish.
const char* kind_word(Kind kind, Language language);

// A name declared at the top of the contract's namespace.
struct Declared {
  std::string name;
  Kind kind;
  SourceRange name_range;
  std::size_t begin = 0, end = 0;  // the declaration, as the outline draws it
  std::string type;                // as the checker typed it; empty when it does not check
};

// Every declared name of `tree` (offsets into its own source), typed from `contract` where given.
std::vector<Declared> declarations(const ast::Contract& tree, const checked::Contract* contract);

// Every name of the tree that may refer to a declaration: references in expressions (read
// without recursion: an expression may nest a thousand levels), tables called, payers and
// payees, sets, and the declarations' own names.
class Sites {
 public:
  explicit Sites(const ast::Contract& tree);

  // The name whose range holds `offset` (its end included: the cursor just after a name).
  const ast::Name* at(std::size_t offset) const;
  const std::vector<const ast::Name*>& all() const { return names_; }

 private:
  void add(const ast::RangeDecl& r);
  void add(const ast::ExprPtr& root);
  void item(const ast::LetDecl& let);
  void item(const ast::ForEachDecl& each);
  void item(const ast::PaymentDecl& p);
  void item(const ast::WaterfallDecl& w);
  void item(const ast::TableDecl& t);

  std::vector<const ast::Name*> names_;
};

// For hover: the value of the term, definition, series input, payment or waterfall `x` under
// the data file `data` when one is named, else in the contract's first example (its data files
// read from the contract's folder, its `set` lines applied): a table of one value per period (once
// for a term), as Markdown, that says where the values come from; a short note when the named
// file cannot be read; empty when the contract does not check or has no example and no data is
// named, or the example's data cannot be read (cli/lsp_values.cpp).
std::string values_shown(const Document& document, const Declared& x, Language language, const std::optional<NamedData>& data);

// The declaration of the name at `position` of a document that parses, if it has one.
std::optional<Declared> declared_at(const Document& document, const json& position);

}  // namespace utfall::lsp
