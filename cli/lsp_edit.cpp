// The requests of `utfall lsp` that find, rename and complete names (cli/lsp_analysis.hpp):
// textDocument/references, prepareRename, rename and completion. The names and their sites are
// those of cli/lsp_names.hpp.
//
// References and rename read the tree of the text as it is, so they answer only while it parses.
// Completion must answer while the user is typing, in a text that seldom parses: it takes the
// names from the tree when there is one, else from the last tree of the document that parsed,
// and adds the names that the text itself declares (a `term`, `let`, ... followed by a name);
// the word before the cursor, a `.` or `->` before it, and what `u` is bound to in `u.` are
// read from the text.
#include <algorithm>
#include <map>
#include <set>

#include "cli/lsp_names.hpp"
#include "grammar/keywords.hpp"
#include "interpreter/names.hpp"
#include "stdlib/builtins.hpp"

namespace utfall::lsp {
namespace {

using grammar::Keyword;

bool name_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b >= 0x80;
}

// A word of the text: a run of name bytes outside comments and strings.
struct Word {
  std::string_view text;
  std::size_t offset;
};

std::vector<Word> words(std::string_view text) {
  std::vector<Word> out;
  for (std::size_t k = 0; k < text.size();) {
    if (text[k] == '#') {
      while (k < text.size() && text[k] != '\n') ++k;
    } else if (text[k] == '"') {
      for (++k; k < text.size() && text[k] != '"' && text[k] != '\n'; ++k)
        if (text[k] == '\\') ++k;
      ++k;
    } else if (name_byte(text[k])) {
      const std::size_t begin = k;
      while (k < text.size() && name_byte(text[k])) ++k;
      out.push_back({text.substr(begin, k - begin), begin});
    } else {
      ++k;
    }
  }
  return out;
}

// LSP's CompletionItemKind, the values used here.
enum CompletionKind { kFunction = 3, kField = 5, kVariable = 6, kClass = 7, kKeyword = 14, kConstant = 21, kEvent = 23 };

int completion_kind(Kind kind) {
  switch (kind) {
    case Kind::party: return kClass;
    case Kind::input: return kField;
    case Kind::term: return kConstant;
    case Kind::definition: return kVariable;
    case Kind::table: return kFunction;
    case Kind::payment:
    case Kind::waterfall: return kEvent;
  }
  return kVariable;
}
const char* kind_detail(Kind kind) { return kind_word(kind, Language::en); }

json item(const std::string& label, int kind, const std::string& detail, char rank) {
  json x = {{"label", label}, {"kind", kind}, {"sortText", std::string(1, rank) + label}};
  if (!detail.empty()) x["detail"] = detail;
  return x;
}

// The names declared in the text itself: a declaring keyword of the file's set followed by a
// word. For a text that does not parse; the kinds are those of the keywords, the types unknown.
std::vector<std::pair<std::string, Kind>> scanned_declarations(const std::vector<Word>& ws, grammar::Language language) {
  constexpr std::pair<Keyword, Kind> declaring[] = {{Keyword::party_, Kind::party}, {Keyword::input_, Kind::input},
                                                    {Keyword::term_, Kind::term},   {Keyword::let_, Kind::definition},
                                                    {Keyword::table_, Kind::table}, {Keyword::scale_, Kind::table}};
  std::vector<std::pair<std::string, Kind>> out;
  for (std::size_t k = 0; k + 1 < ws.size(); ++k)
    for (const auto& [keyword, kind] : declaring)
      if (ws[k].text == grammar::spelling(keyword, language) && !grammar::is_keyword(ws[k + 1].text, language))
        out.emplace_back(std::string(ws[k + 1].text), kind);
  return out;
}

// The set that `binder` is bound to nearest `offset`: the word after `binder in` (`for each u in
// SET`, `sum(... for u in SET)`, `count(u in SET ...)`) that is one of `sets`.
std::optional<std::string> bound_set(const std::vector<Word>& ws, std::string_view binder, std::size_t offset,
                                     grammar::Language language, const std::set<std::string>& sets) {
  std::optional<std::string> best;
  std::size_t best_distance = std::string::npos;
  for (std::size_t k = 0; k + 2 < ws.size(); ++k) {
    if (ws[k].text != binder || ws[k + 1].text != grammar::spelling(Keyword::in_, language)) continue;
    if (!sets.count(std::string(ws[k + 2].text))) continue;
    const std::size_t distance = ws[k].offset > offset ? ws[k].offset - offset : offset - ws[k].offset;
    if (distance < best_distance) best = std::string(ws[k + 2].text), best_distance = distance;
  }
  return best;
}

// What the cursor completes: the start of the word being typed, and what stands before it.
struct Context {
  std::size_t word_begin;
  std::optional<std::string> binder;  // `u.` before the word
  bool party = false;                 // a payer or payee: after `->`, `pay` or `rest to`
};

Context context_at(std::string_view text, std::size_t offset, const std::vector<Word>& ws, grammar::Language language) {
  Context c{offset, std::nullopt};
  while (c.word_begin > 0 && name_byte(text[c.word_begin - 1])) --c.word_begin;
  if (c.word_begin > 0 && text[c.word_begin - 1] == '.') {
    std::size_t b = c.word_begin - 1;
    while (b > 0 && name_byte(text[b - 1])) --b;
    if (b < c.word_begin - 1) c.binder = std::string(text.substr(b, c.word_begin - 1 - b));
    return c;
  }
  std::size_t before = c.word_begin;
  while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
  if (before >= 2 && text.substr(before - 2, 2) == "->") {
    c.party = true;
    return c;
  }
  // The words before the cursor's word.
  const auto next = std::lower_bound(ws.begin(), ws.end(), c.word_begin, [](const Word& w, std::size_t at) { return w.offset < at; });
  const std::size_t n = static_cast<std::size_t>(next - ws.begin());
  auto word_back = [&](std::size_t back, Keyword keyword) {
    return n >= back && ws[n - back].text == grammar::spelling(keyword, language);
  };
  c.party = word_back(1, Keyword::pay_) || (word_back(1, Keyword::to_) && word_back(2, Keyword::rest_));
  return c;
}

// The fields of the participant input `set`, and the definitions per participant of it.
json member_items(const ast::Contract* tree, const checked::Contract* contract, const std::string& set) {
  auto out = json::array();
  if (contract) {
    for (std::size_t i = 0; i < contract->inputs.size(); ++i) {
      const auto& in = contract->inputs[i];
      if (in.name != set || !in.participants) continue;
      for (const auto& f : in.fields) out.push_back(item(f.name, kField, f.percent ? "%" : f.type.to_string(), '0'));
      for (const auto& def : contract->participant_defs)
        if (def.set == static_cast<int>(i)) out.push_back(item(def.name, kVariable, def.type.to_string(), '0'));
    }
    return out;
  }
  if (tree)
    for (const auto& in : tree->inputs)
      if (in.name.text == set && in.participants)
        for (const auto& f : in.fields) out.push_back(item(f.name.text, kField, {}, '0'));
  return out;
}

}  // namespace

json references(const Document& d, const json& position, bool include_declaration) {
  const auto x = declared_at(d, position);
  if (!x) return nullptr;
  const Sites all(*d.tree);
  std::vector<const ast::Name*> sites;
  for (const auto* name : all.all())
    if (name->text == x->name && (include_declaration || name->range.begin.offset != x->name_range.begin.offset)) sites.push_back(name);
  std::sort(sites.begin(), sites.end(), [](auto* a, auto* b) { return a->range.begin.offset < b->range.begin.offset; });
  auto out = json::array();
  for (const auto* name : sites)
    out.push_back({{"uri", d.uri}, {"range", d.lines->range(name->range.begin.offset, name->range.end_offset)}});
  return out;
}

json prepare_rename(const Document& d, const json& position) {
  if (!d.tree) throw Refused{kRequestFailed, "the contract does not parse: names are renamed only in a contract that parses"};
  if (!declared_at(d, position)) return nullptr;
  const ast::Name* name = Sites(*d.tree).at(*d.lines->offset(position));
  return {{"range", d.lines->range(name->range.begin.offset, name->range.end_offset)}, {"placeholder", name->text}};
}

namespace {

// Why `new_name` cannot replace `old` in `d`; nothing when it can.
std::optional<std::string> refused_name(const Document& d, const Declared& old, const std::string& new_name) {
  const auto language = grammar::language_of(d.source->text);
  if (new_name.empty() || (new_name[0] >= '0' && new_name[0] <= '9') || first_not_in_name(new_name))
    return "`" + new_name + "` is not a name: a name is letters, digits and `_`, and does not begin with a digit";
  if (grammar::is_keyword(new_name, language))
    return "`" + new_name + "` is a keyword in " + std::string(grammar::language_with_article(language)) + " contract";
  if (stdlib::find_builtin(new_name)) return "`" + new_name + "` is a built-in function";
  if (new_name == old.name) return std::nullopt;
  for (const auto& x : declarations(*d.tree, d.contract.get()))
    if (x.name == new_name)
      return "`" + new_name + "` is declared already, as a " + kind_detail(x.kind) + " on line " +
             std::to_string(x.name_range.begin.line);
  return std::nullopt;
}

std::size_t errors_in(const Diagnostics& diagnostics) {
  return static_cast<std::size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& x) { return x.severity == Severity::error; }));
}

}  // namespace

json rename(const Document& d, const json& position, const std::string& new_name, Language language) {
  if (!d.tree) throw Refused{kRequestFailed, "the contract does not parse: names are renamed only in a contract that parses"};
  const auto x = declared_at(d, position);
  if (!x) throw Refused{kInvalidParams, "nothing declared stands here: a term, definition, input, party, table, payment or waterfall is renamed"};
  if (auto why = refused_name(d, *x, new_name)) throw Refused{kInvalidParams, *why};
  auto edits = json::array();
  for (const auto& site : references(d, position, true))
    edits.push_back({{"range", site["range"]}, {"newText", new_name}});
  // The renamed text must check as well as this one does: a name the checks above do not foresee
  // (a unit's, a binder's, one confusable with another) is refused rather than written.
  std::string renamed = d.text;
  for (auto e = edits.rbegin(); e != edits.rend(); ++e)
    renamed = apply_changes(std::move(renamed), json::array({{{"range", (*e)["range"]}, {"text", new_name}}}));
  const Document after = analyze(d.uri, renamed);
  if (!after.tree || errors_in(after.diagnostics) > errors_in(d.diagnostics)) {
    const auto first = std::find_if(after.diagnostics.begin(), after.diagnostics.end(),
                                    [](const Diagnostic& x) { return x.severity == Severity::error; });
    throw Refused{kInvalidParams, "renamed, the contract would not check: " +
                                      (first == after.diagnostics.end() ? std::string("it does not parse") : render_short(*first, language))};
  }
  return {{"changes", {{d.uri, std::move(edits)}}}};
}

json completion(const Document& d, const json& position) {
  const auto offset = d.lines->offset(position);
  if (!offset) throw Refused{kInvalidParams, "`position` is not a position"};
  const std::string_view text = d.source->text;
  const auto language = grammar::language_of(text);
  const auto ws = words(text);
  const Context c = context_at(text, *offset, ws, language);
  const ast::Contract* tree = d.tree ? d.tree.get() : d.last_tree.get();
  const checked::Contract* contract = d.contract ? d.contract.get() : d.last_contract.get();

  if (c.binder) {
    std::set<std::string> sets;
    if (contract)
      for (const auto& in : contract->inputs)
        if (in.participants) sets.insert(in.name);
    if (tree)
      for (const auto& in : tree->inputs)
        if (in.participants) sets.insert(in.name.text);
    const auto set = bound_set(ws, *c.binder, *offset, language, sets);
    return {{"isIncomplete", false}, {"items", set ? member_items(tree, contract, *set) : json::array()}};
  }

  auto items = json::array();
  std::set<std::string> seen;
  auto add_name = [&](const std::string& name, Kind kind, const std::string& type) {
    if ((c.party && kind != Kind::party) || !seen.insert(name).second) return;
    items.push_back(item(name, completion_kind(kind), type.empty() ? kind_detail(kind) : type, '0'));
  };
  if (tree)
    for (const auto& x : declarations(*tree, contract)) add_name(x.name, x.kind, x.type);
  if (!d.tree)
    for (const auto& [name, kind] : scanned_declarations(ws, language))
      if (!(name.size() == 0 || (ws.size() && false))) add_name(name, kind, {});
  if (!c.party) {
    for (const auto& b : stdlib::builtins()) items.push_back(item(std::string(b.name), kFunction, std::string(b.doc), '1'));
    std::set<std::string_view> keywords;
    for (const auto& row : grammar::keyword_spellings) keywords.insert(language == grammar::Language::swedish ? row.swedish : row.english);
    for (const auto& k : keywords) items.push_back(item(std::string(k), kKeyword, {}, '2'));
  }
  return {{"isIncomplete", false}, {"items", std::move(items)}};
}

}  // namespace utfall::lsp
