// Names in an open document of `utfall lsp`: where each is declared (textDocument/definition)
// and what it is (textDocument/hover). See cli/lsp_names.hpp.
#include "cli/lsp_names.hpp"

#include <algorithm>

namespace utfall::lsp {

// The word for each kind, in English and in Swedish (the keywords' words where there is one).
constexpr const char* kKindWords[][2] = {
    {"party", "part"}, {"input", "uppgift"}, {"term", "villkor"}, {"definition", "definition"}, {"table", "tabell"},
    {"payment", "betalning"}, {"waterfall", "betalningsordning"}};
const char* kind_word(Kind kind, Language language) { return kKindWords[static_cast<int>(kind)][language == Language::sv ? 1 : 0]; }

std::vector<Declared> declarations(const ast::Contract& tree, const checked::Contract* contract) {
  const Source& source = *tree.source;
  std::vector<Declared> out;
  auto add = [&](const ast::Name& name, Kind kind, std::size_t end) {
    out.push_back({name.text, kind, name.range, declaration_start(source, name.range.begin.offset), std::max<std::size_t>(end, name.range.end_offset),
                   contract ? type_in(*contract, name.text) : std::string()});
  };
  for (const auto& p : tree.parties) add(p.id, Kind::party, code_end(source, p.id.range.end_offset));
  for (const auto& in : tree.inputs) add(in.name, Kind::input, input_end(source, in));
  for (const auto& t : tree.terms) add(t.name, Kind::term, t.value ? t.value->range.end_offset : 0);
  for (const auto& c : tree.clauses)
    for (const auto& item : c.items) {
      if (auto* let = ast::node_if<ast::LetDecl>(&item)) add(let->name, Kind::definition, let->value ? let->value->range.end_offset : 0);
      if (auto* table = ast::node_if<ast::TableDecl>(&item)) add(table->name, Kind::table, block_end(source, table->name.range.end_offset));
      if (auto* p = ast::node_if<ast::PaymentDecl>(&item); p && p->name)
        add(*p->name, Kind::payment, trimmed_end(source, declaration_start(source, p->range.begin.offset), p->range.end_offset));
      if (auto* w = ast::node_if<ast::WaterfallDecl>(&item); w && w->name)
        add(*w->name, Kind::waterfall, block_end(source, declaration_start(source, w->range.begin.offset)));
    }
  return out;
}

Sites::Sites(const ast::Contract& tree) {
  for (const auto& p : tree.parties) names_.push_back(&p.id);
  for (const auto& in : tree.inputs) {
    names_.push_back(&in.name);
    for (const auto& f : in.fields) add(f.allowed);
    add(in.allowed);
  }
  for (const auto& t : tree.terms) names_.push_back(&t.name), add(t.value);
  for (const auto& c : tree.clauses)
    for (const auto& item : c.items) ast::visit([&](const auto& x) { this->item(x); }, item);
  for (const auto& e : tree.examples) {
    for (const auto& [name, value] : e.overrides) names_.push_back(&name), add(value);
    for (const auto& x : e.expectations) {
      names_.push_back(&x.name);
      if (x.kind == ast::Expectation::Kind::flow) names_.push_back(&x.payee);
      add(x.value);
    }
  }
}

const ast::Name* Sites::at(std::size_t offset) const {
  for (const auto* name : names_)
    if (name->range.begin.offset <= offset && offset <= name->range.end_offset && !name->text.empty()) return name;
  return nullptr;
}

void Sites::add(const ast::RangeDecl& r) { add(r.lower), add(r.upper); }

void Sites::add(const ast::ExprPtr& root) {
  if (!root) return;
  std::vector<const ast::Expr*> stack{root.get()};
  while (!stack.empty()) {
    const ast::Expr* e = stack.back();
    stack.pop_back();
    auto push = [&](const ast::ExprPtr& child) {
      if (child) stack.push_back(child.get());
    };
    ast::visit(
        [&](const auto& n) {
          using N = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<N, ast::NameRef>) names_.push_back(&n.name);
          else if constexpr (std::is_same_v<N, ast::Unary>) push(n.operand);
          else if constexpr (std::is_same_v<N, ast::Binary>) push(n.lhs), push(n.rhs);
          else if constexpr (std::is_same_v<N, ast::If>) push(n.condition), push(n.then_branch), push(n.else_branch);
          else if constexpr (std::is_same_v<N, ast::At>) push(n.operand);
          else if constexpr (std::is_same_v<N, ast::OverPeriods>) push(n.body);
          else if constexpr (std::is_same_v<N, ast::OverParticipants>) names_.push_back(&n.set), push(n.body), push(n.filter);
          else if constexpr (std::is_same_v<N, ast::Call>) {
            names_.push_back(&n.callee);
            for (const auto& arg : n.args) push(arg);
          }
        },
        e->node);
  }
}

void Sites::item(const ast::LetDecl& let) { names_.push_back(&let.name), add(let.value); }
void Sites::item(const ast::ForEachDecl& each) {
  names_.push_back(&each.set);
  for (const auto& let : each.lets) add(let.value);
}
void Sites::item(const ast::PaymentDecl& p) {
  if (p.name) names_.push_back(&*p.name);
  names_.push_back(&p.payer), names_.push_back(&p.payee);
  if (p.set) names_.push_back(&*p.set);
  add(p.filter), add(p.amount), add(p.condition), add(p.floor);
  for (const auto& cap : p.caps) add(cap.amount);
  if (p.rounding) add(p.rounding->step);
  if (p.at_most)
    for (const auto& key : p.at_most->keys) add(key);
}
void Sites::item(const ast::WaterfallDecl& w) {
  if (w.name) names_.push_back(&*w.name);
  names_.push_back(&w.payer), add(w.pool);
  for (const auto& t : w.tiers) {
    names_.push_back(&t.payee), add(t.amount), add(t.cap);
    if (t.rounding) add(t.rounding->step);
  }
}
void Sites::item(const ast::TableDecl& t) {
  names_.push_back(&t.name);
  for (const auto& row : t.rows) add(row.lower), add(row.upper), add(row.value);
}

std::optional<Declared> declared_at(const Document& d, const json& position) {
  if (!d.tree) return std::nullopt;
  const auto offset = d.lines->offset(position);
  if (!offset) return std::nullopt;
  const ast::Name* name = Sites(*d.tree).at(*offset);
  if (!name) return std::nullopt;
  for (auto& x : declarations(*d.tree, d.contract.get()))
    if (x.name == name->text) return std::move(x);
  return std::nullopt;
}

json definition(const Document& document, const json& position) {
  const auto x = declared_at(document, position);
  if (!x) return nullptr;
  return {{"uri", document.uri}, {"range", document.lines->range(x->name_range.begin.offset, x->name_range.end_offset)}};
}

json hover(const Document& document, const json& position, Language language, const std::optional<NamedData>& data) {
  const auto x = declared_at(document, position);
  if (!x) return nullptr;
  std::string heading = std::string("**") + kind_word(x->kind, language) + "** `" + x->name + "`";
  if (!x->type.empty()) heading += ": " + x->type;
  const std::string written = document.source->text.substr(x->begin, x->end - x->begin);
  std::string value = heading + "\n\n```utfall\n" + written + "\n```";
  if (auto values = values_shown(document, *x, language, data); !values.empty()) value += "\n\n" + values;
  return {{"contents", {{"kind", "markdown"}, {"value", std::move(value)}}}};
}

}  // namespace utfall::lsp
