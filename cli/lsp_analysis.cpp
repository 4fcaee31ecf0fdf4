// The documents of `utfall lsp` and the answers drawn from them (cli/lsp_analysis.hpp).
#include "cli/lsp_analysis.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "interpreter/format.hpp"
#include "interpreter/literate.hpp"
#include "interpreter/pipeline.hpp"

namespace utfall::lsp {
namespace {

// UTF-16 code units of the UTF-8 text [begin, end): one for each code point, two for a code
// point of four bytes (outside the Basic Multilingual Plane).
std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (const unsigned char byte : text) {
    if ((byte & 0xC0) != 0x80) ++units;
    if (byte >= 0xF0) ++units;
  }
  return units;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> file_path(std::string_view uri) {
  constexpr std::string_view scheme = "file://";
  if (!uri.starts_with(scheme)) return std::nullopt;
  uri.remove_prefix(scheme.size());
  if (uri.starts_with("localhost/")) uri.remove_prefix(9);
  std::string path;
  for (std::size_t k = 0; k < uri.size(); ++k) {
    if (uri[k] == '%' && k + 2 < uri.size() && hex_digit(uri[k + 1]) >= 0 && hex_digit(uri[k + 2]) >= 0) {
      path += static_cast<char>(hex_digit(uri[k + 1]) * 16 + hex_digit(uri[k + 2]));
      k += 2;
    } else {
      path += uri[k];
    }
  }
  return path;
}

namespace {

// LSP's DiagnosticSeverity and SymbolKind, the values used here.
int severity_code(Severity s) { return s == Severity::error ? 1 : s == Severity::warning ? 2 : 3; }
enum SymbolKind { kModule = 2, kField = 8, kFunction = 12, kVariable = 13, kConstant = 14, kArray = 18, kObject = 19, kEvent = 24 };

}  // namespace

LineIndex::LineIndex(SourcePtr source) : source_(std::move(source)) {
  starts_.push_back(0);
  const std::string& text = source_->text;
  for (std::size_t k = 0; k < text.size(); ++k)
    if (text[k] == '\n') starts_.push_back(k + 1);
}

json LineIndex::position(std::size_t offset) const {
  offset = std::min(offset, source_->text.size());
  const std::size_t line = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
  const std::string_view before = std::string_view(source_->text).substr(starts_[line], offset - starts_[line]);
  return {{"line", line}, {"character", utf16_units(before)}};
}

json LineIndex::range(std::size_t begin, std::size_t end) const {
  return {{"start", position(begin)}, {"end", position(std::max(begin, end))}};
}

std::optional<std::size_t> LineIndex::offset(const json& position) const {
  if (!position.is_object() || !position.contains("line") || !position.contains("character") ||
      !position["line"].is_number_unsigned() || !position["character"].is_number_unsigned())
    return std::nullopt;
  const std::string& text = source_->text;
  const auto line = position["line"].get<std::size_t>();
  if (line >= starts_.size()) return text.size();
  const std::size_t end = line + 1 < starts_.size() ? starts_[line + 1] - 1 : text.size();  // before its '\n'
  std::size_t at = starts_[line], units = 0;
  const auto wanted = position["character"].get<std::size_t>();
  while (at < end && units < wanted) {
    const auto byte = static_cast<unsigned char>(text[at]);
    units += byte >= 0xF0 ? 2 : 1;
    ++at;
    while (at < end && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;  // the rest of the code point
  }
  return at;
}

// Parse, then check, as `compile` (interpreter/pipeline.hpp) chains them; kept apart here
// because the requests after it need the tree too, which `compile` does not hand back.
Document analyze(std::string uri, std::string text) {
  Document d;
  d.uri = std::move(uri);
  d.text = std::move(text);
  const auto path = file_path(d.uri);
  const std::string name = path.value_or(d.uri);
  std::vector<LiterateHeading> headings;
  std::string code = d.text;
  if (is_literate(name)) {
    auto literate = literate_code(d.text);
    code = std::move(literate.code);
    headings = std::move(literate.headings);
  }
  d.source = std::make_shared<Source>(Source{name, std::move(code)});
  d.lines = std::make_shared<LineIndex>(d.source);
  auto parsed = parse_contract(d.source);
  d.diagnostics = std::move(parsed.diagnostics);
  if (parsed.contract) {
    d.tree = std::make_shared<const ast::Contract>(std::move(*parsed.contract));
    auto checked = check(*d.tree);
    d.diagnostics.insert(d.diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    d.contract = std::move(checked.contract);
    if (d.contract && path) {  // as `utfall check` does: the examples' files are named, not read
      auto outside = example_data_diagnostics(*d.contract, std::filesystem::path(*path).parent_path().string());
      d.diagnostics.insert(d.diagnostics.end(), outside.begin(), outside.end());
    }
  }
  if (!headings.empty()) note_headings(d.diagnostics, d.source, headings);
  return d;
}

std::string apply_changes(std::string text, const json& changes) {
  if (!changes.is_array()) return text;
  for (const auto& change : changes) {
    if (!change.is_object() || !change.contains("text") || !change["text"].is_string()) continue;
    if (!change.contains("range")) {
      text = change["text"].get<std::string>();
      continue;
    }
    const LineIndex lines(std::make_shared<Source>(Source{"", text}));
    const auto& range = change["range"];
    const auto begin = range.is_object() ? lines.offset(range.value("start", json())) : std::nullopt;
    const auto end = range.is_object() ? lines.offset(range.value("end", json())) : std::nullopt;
    if (!begin || !end || *end < *begin) continue;
    text.replace(*begin, *end - *begin, change["text"].get<std::string>());
  }
  return text;
}

json diagnostics_params(const Document& document, Language language) {
  // A range in the document, or at its start when the diagnostic has none there.
  auto range_of = [&](const std::optional<OwnedRange>& r) {
    if (!r || r->source != document.source) return document.lines->range(0, 0);
    return document.lines->range(r->begin.offset, r->end_offset);
  };
  auto out = json::array();
  for (const auto& d : document.diagnostics) {
    std::string message = message_in(d, language);
    if (!d.suggestion.empty()) message.append("\n").append(suggestion_in(d, language));
    json item = {{"range", range_of(d.range)}, {"severity", severity_code(d.severity)}, {"source", "utfall"}, {"message", message}};
    if (!d.code.empty()) item["code"] = d.code;
    auto related = json::array();
    for (const auto& note : d.related)
      if (note.range.source == document.source)
        related.push_back({{"location", {{"uri", document.uri}, {"range", range_of(note.range)}}}, {"message", note_in(note, language)}});
    if (!related.empty()) item["relatedInformation"] = std::move(related);
    out.push_back(std::move(item));
  }
  return {{"uri", document.uri}, {"diagnostics", std::move(out)}};
}

std::size_t declaration_start(const Source& source, std::size_t offset) {
  const std::string& text = source.text;
  std::size_t start = offset == 0 ? 0 : text.rfind('\n', offset - 1);
  start = start == std::string::npos || offset == 0 ? 0 : start + 1;
  while (start < offset && (text[start] == ' ' || text[start] == '\t')) ++start;
  return start;
}

std::size_t code_end(const Source& source, std::size_t offset) {
  const std::string& text = source.text;
  std::size_t end = offset;
  for (bool quoted = false; end < text.size() && text[end] != '\n' && (quoted || text[end] != '#'); ++end) {
    if (text[end] == '\\' && quoted) ++end;  // an escaped character inside a string
    else if (text[end] == '"') quoted = !quoted;
  }
  end = std::min(end, text.size());
  while (end > offset && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r')) --end;
  return end;
}

std::size_t block_end(const Source& source, std::size_t offset) {
  const std::string& text = source.text;
  int depth = 0;
  for (std::size_t k = offset; k < text.size(); ++k) {
    if (text[k] == '#') {
      k = text.find('\n', k);
      if (k == std::string::npos) break;
    } else if (text[k] == '"') {
      for (++k; k < text.size() && text[k] != '"'; ++k)
        if (text[k] == '\\') ++k;
    } else if (text[k] == '{') {
      ++depth;
    } else if (text[k] == '}' && depth > 0 && --depth == 0) {
      return k + 1;
    }
  }
  return text.size();
}

std::size_t trimmed_end(const Source& source, std::size_t begin, std::size_t end) {
  const std::string& text = source.text;
  end = std::min(end, text.size());
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  if (end == begin) return end;
  const std::size_t line = std::max(begin, declaration_start(source, end - 1));  // a comment on the last line ends no code
  return std::max(line, std::min(end, code_end(source, line)));
}

std::size_t input_end(const Source& source, const ast::InputDecl& in) {
  if (in.participants) return block_end(source, in.name.range.end_offset);
  return std::max<std::size_t>({code_end(source, in.name.range.end_offset), in.type.range.end_offset, in.periods.range.end_offset});
}

std::string type_in(const checked::Contract& contract, const std::string& name) {
  for (const auto& t : contract.terms)
    if (t.name == name) return t.type.to_string();
  for (const auto& x : contract.defs)
    if (x.name == name) return x.type.to_string();
  for (const auto& i : contract.inputs)
    if (i.name == name) return i.participants ? "participants" : i.type.to_string() + " per period";
  for (const auto& p : contract.payments)
    if (p.name == name) return Type::number(contract.currencies[p.currency].unit).to_string();
  for (const auto& w : contract.waterfalls)
    if (w.name == name) return Type::number(contract.currencies[w.currency].unit).to_string();
  return {};
}

std::string type_of(const Document& d, const std::string& name) { return d.contract ? type_in(*d.contract, name) : std::string(); }

void keep_last_good(Document& now, const Document& before) {
  if (!now.tree) now.last_tree = before.tree ? before.tree : before.last_tree;
  if (!now.contract) now.last_contract = before.contract ? before.contract : before.last_contract;
}

namespace {

// The DocumentSymbols of a tree. A declaration's range runs from the first word of the line its
// name stands on (its keyword: `term`, `let`, `input`, `clause`) to the end of what it declares:
// a value's end, or for a declaration with a block its `}`, found in the text (the tree's range
// of a clause or an example covers only its number or name, and a tier's or a payment's runs on
// over the blanks and comments after it).
class Symbols {
 public:
  explicit Symbols(const Document& document) : d_(document), source_(*document.source) {}

  json contract() const {
    const auto& tree = *d_.tree;
    auto out = json::array();
    for (const auto& p : tree.parties)
      out.push_back(symbol(p.id.text, kObject, declaration_start(source_, p.id.range.begin.offset),
                           code_end(source_, p.id.range.end_offset), p.id.range, p.display));
    for (const auto& in : tree.inputs) out.push_back(input(in));
    for (const auto& t : tree.terms) out.push_back(named(t.name, t.value.get(), kConstant, type_of(d_, t.name.text)));
    for (const auto& c : tree.clauses) {
      if (!c.number.empty()) out.push_back(clause(c));
      else  // the items written outside any clause (interpreter/parse.cpp): at the top, as written
        for (const auto& item : c.items) ast::visit([&](const auto& x) { out.push_back(this->item(x)); }, item);
    }
    for (const auto& e : tree.examples) out.push_back(block("example \"" + e.name + "\"", kEvent, e.range.begin.offset));
    return out;
  }

 private:
  SourceRange span(std::size_t begin, std::size_t end) const {
    SourceRange r;
    r.begin.offset = begin;
    r.end_offset = end;
    return r;
  }

  json symbol(const std::string& name, int kind, std::size_t begin, std::size_t end, const SourceRange& selection,
              const std::string& detail = {}) const {
    end = std::max<std::size_t>(end, selection.end_offset);
    json s = {{"name", name}, {"kind", kind}, {"range", d_.lines->range(begin, end)},
              {"selectionRange", d_.lines->range(selection.begin.offset, selection.end_offset)}};
    if (!detail.empty()) s["detail"] = detail;
    return s;
  }
  // A `term` or `let`: from its keyword to the end of its value.
  json named(const ast::Name& name, const ast::Expr* value, int kind, const std::string& detail) const {
    const std::size_t end = value ? value->range.end_offset : name.range.end_offset;
    return symbol(name.text, kind, declaration_start(source_, name.range.begin.offset), end, name.range, detail);
  }

  // A declaration with a block (a clause, an example, a waterfall, a table): from its keyword to
  // its `}`; selected, its first line.
  json block(const std::string& name, int kind, std::size_t offset, std::optional<SourceRange> selection = std::nullopt,
             const std::string& detail = {}) const {
    const std::size_t begin = declaration_start(source_, offset);
    return symbol(name, kind, begin, block_end(source_, begin), selection.value_or(span(begin, code_end(source_, begin))), detail);
  }

  json input(const ast::InputDecl& in) const {
    auto fields = json::array();
    for (const auto& f : in.fields)
      fields.push_back(symbol(f.name.text, kField, f.name.range.begin.offset, f.type.range.end_offset, f.name.range));
    auto s = symbol(in.name.text, kField, declaration_start(source_, in.name.range.begin.offset), input_end(source_, in), in.name.range,
                    type_of(d_, in.name.text));
    if (!fields.empty()) s["children"] = std::move(fields);
    return s;
  }

  json clause(const ast::ClauseDecl& c) const {
    auto items = json::array();
    for (const auto& item : c.items) ast::visit([&](const auto& x) { items.push_back(this->item(x)); }, item);
    auto s = block(c.number + " " + c.title, kModule, c.range.begin.offset);
    s["children"] = std::move(items);
    return s;
  }

  json item(const ast::LetDecl& let) const { return named(let.name, let.value.get(), kVariable, type_of(d_, let.name.text)); }
  json item(const ast::ForEachDecl& each) const {
    auto lets = json::array();
    for (const auto& let : each.lets) lets.push_back(named(let.name, let.value.get(), kVariable, {}));
    auto s = block("for each " + each.binder.text + " in " + each.set.text, kObject, each.binder.range.begin.offset,
                   span(each.binder.range.begin.offset, each.set.range.end_offset));
    s["children"] = std::move(lets);
    return s;
  }
  json item(const ast::PaymentDecl& p) const {
    const std::string flow = p.payer.text + " -> " + p.payee.text;
    const SourceRange selection = p.name ? p.name->range : span(p.payer.range.begin.offset, p.payee.range.end_offset);
    const std::size_t begin = declaration_start(source_, p.range.begin.offset);
    return symbol(p.name ? p.name->text : flow, kFunction, begin, trimmed_end(source_, begin, p.range.end_offset), selection,
                  p.name ? flow : "");
  }
  json item(const ast::WaterfallDecl& w) const {
    auto tiers = json::array();
    for (const auto& t : w.tiers) {
      const std::size_t begin = declaration_start(source_, t.range.begin.offset);
      tiers.push_back(symbol(t.name ? t.name->text : t.payee.text, kField, begin, trimmed_end(source_, begin, t.range.end_offset),
                             t.name ? t.name->range : t.payee.range, t.name ? t.payee.text : ""));
    }
    const SourceRange selection = w.name ? w.name->range : w.payer.range;
    auto s = block(w.name ? w.name->text : "waterfall " + w.payer.text, kFunction, w.range.begin.offset, selection,
                   "paid by " + w.payer.text);
    s["children"] = std::move(tiers);
    return s;
  }
  json item(const ast::TableDecl& t) const {
    return block(t.name.text, kArray, t.range.begin.offset, t.name.range, t.kind == ast::TableDecl::Kind::step ? "table" : "scale");
  }

  const Document& d_;
  const Source& source_;
};

}  // namespace

json document_symbols(const Document& document) {
  if (!document.tree) return json::array();
  return Symbols(document).contract();
}

std::variant<json, std::string> formatting(const Document& document, Language language) {
  FormatOptions options;
  std::optional<std::string> formatted;
  Diagnostics problems;
  if (is_literate(document.source->name)) {
    auto done = format_literate(document.source->name, document.text, options);
    formatted = std::move(done.text);
    problems = std::move(done.diagnostics);
  } else if (document.tree) {
    formatted = format_contract(*document.tree, options);
  } else {
    problems = document.diagnostics;
  }
  if (!formatted) {
    const auto first = std::find_if(problems.begin(), problems.end(), [](const Diagnostic& d) { return d.severity == Severity::error; });
    return first == problems.end() ? std::string("the contract cannot be formatted") : render_short(*first, language);
  }
  if (*formatted == document.text) return json::array();
  const LineIndex whole(std::make_shared<Source>(Source{"", document.text}));
  return json::array({{{"range", whole.range(0, document.text.size())}, {"newText", std::move(*formatted)}}});
}

}  // namespace utfall::lsp
