// The tree as an S-expression (interpreter/format.hpp, `dump_ast`), without source positions
// or, for the tests of the parser's expression reader, with them.
//
// Written apart from the printer of format.cpp and sharing none of its code, so that a test
// can compare the trees of a contract and of its formatted text, both read by the parser.
// Numbers are dumped as exact values, names and texts with their lengths; every field of every node.
#include <string>

#include "interpreter/format.hpp"

namespace utfall {
namespace {

// A text as its length and its bytes: unambiguous whatever it holds.
std::string q(std::string_view text) { return std::to_string(text.size()) + ":" + std::string(text); }
std::string num(const Number& n) { return n.to_fraction_string(); }
std::string opt_period(const std::optional<ast::PeriodRef>& p) { return p ? q(p->name) : "-"; }
// Where a range lies: "@offset:line:column-end".
std::string at(const SourceRange& r) {
  return "@" + std::to_string(r.begin.offset) + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + "-" +
         std::to_string(r.end_offset);
}

class Dumper {
 public:
  explicit Dumper(bool positions) : positions_(positions) {}
  std::string contract(const ast::Contract& c) const;

 private:
  bool positions_;

  // A name as `q` writes it, with its range where positions are dumped.
  std::string q(const ast::Name& n) const { return utfall::q(n.text) + (positions_ ? at(n.range) : ""); }
  static std::string q(std::string_view text) { return utfall::q(text); }
  std::string unit(const ast::UnitSpelling& u) const {
    std::string out = "(unit";
    for (const auto& n : u.numerator) out += " " + q(n);
    out += " /";
    for (const auto& d : u.denominator) out += " " + q(d);
    return out + ")";
  }
  std::string opt_name(const std::optional<ast::Name>& n) const { return n ? q(*n) : "-"; }

  struct Dump;
  struct DumpItem;
  std::string expr(const ast::ExprPtr& e) const;
  std::string type(const ast::TypeSpelling& t) const;
  std::string applicability(const ast::Applicability& a) const;
  std::string allowed(const ast::RangeDecl& r) const;
  std::string rounding(const std::optional<ast::Rounding>& r) const;
  std::string let(const ast::LetDecl& l) const;
};

struct Dumper::Dump {
  const Dumper& d;
  std::string q(const ast::Name& n) const { return d.q(n); }
  static std::string q(std::string_view text) { return utfall::q(text); }
  std::string unit(const ast::UnitSpelling& u) const { return d.unit(u); }
  std::string opt_name(const std::optional<ast::Name>& n) const { return d.opt_name(n); }
  std::string expr(const ast::ExprPtr& e) const { return d.expr(e); }
  std::string operator()(const ast::NumberLit& n) const {
    return "(number " + num(n.value) + (n.percent ? " %" : "") + (n.unlimited ? " unlimited " : " ") + unit(n.unit) + ")";
  }
  std::string operator()(const ast::BoolLit& b) const { return b.value ? "true" : "false"; }
  std::string operator()(const ast::PeriodLit& p) const { return "(period-lit " + q(p.period.name) + ")"; }
  std::string operator()(const ast::CurrentPeriod&) const { return "period"; }
  std::string operator()(const ast::TextLit& t) const { return "(text " + q(t.value) + ")"; }
  std::string operator()(const ast::DateLit& d) const { return "(date " + d.text + ")"; }
  std::string operator()(const ast::NameRef& n) const { return "(name " + q(n.name) + ")"; }
  std::string operator()(const ast::FieldRef& f) const {
    return "(field " + q(f.binder) + " " + q(f.field) + " " + opt_name(f.linked) + ")";
  }
  std::string operator()(const ast::Unary& u) const {
    return std::string(u.op == ast::UnaryOp::negate ? "(neg " : "(not ") + expr(u.operand) + ")";
  }
  std::string operator()(const ast::Binary& b) const {
    return "(binary " + std::to_string(static_cast<int>(b.op)) + " " + expr(b.lhs) + " " + expr(b.rhs) + ")";
  }
  std::string operator()(const ast::If& i) const {
    return "(if " + expr(i.condition) + " " + expr(i.then_branch) + " " + expr(i.else_branch) + ")";
  }
  std::string operator()(const ast::Call& c) const {
    std::string out = "(call " + q(c.callee);
    for (const auto& a : c.args) out += " " + expr(a);
    return out + ")";
  }
  std::string operator()(const ast::At& a) const { return "(at " + expr(a.operand) + " " + q(a.period.name) + ")"; }
  std::string operator()(const ast::OverParticipants& o) const {
    return std::string(o.is_count ? "(count " : "(sum-for ") + expr(o.body) + " " + q(o.binder) + " " + q(o.set) + " " +
           expr(o.filter) + ")";
  }
  std::string operator()(const ast::OverPeriods& o) const {
    return "(sum-over " + expr(o.body) + " " + q(o.first.name) + " " + q(o.last.name) + ")";
  }
};
std::string Dumper::expr(const ast::ExprPtr& e) const {
  if (!e) return "-";
  return ast::visit(Dump{*this}, e->node) + (positions_ ? at(e->range) + "^" + std::to_string(e->height) : "");
}

std::string Dumper::type(const ast::TypeSpelling& t) const { return "(type " + std::to_string(static_cast<int>(t.kind)) + " " + unit(t.unit) + ")"; }
std::string Dumper::applicability(const ast::Applicability& a) const { return "(periods " + opt_period(a.from) + " " + opt_period(a.until) + ")"; }
std::string Dumper::allowed(const ast::RangeDecl& r) const {
  return std::string("(allowed ") + (r.whole ? "whole " : "") + expr(r.lower) + " " + expr(r.upper) + ")";
}
std::string Dumper::rounding(const std::optional<ast::Rounding>& r) const {
  return r ? "(rounded " + q(r->mode) + " " + expr(r->step) + ")" : "-";
}
std::string Dumper::let(const ast::LetDecl& l) const { return "\n  (let " + q(l.name) + " " + expr(l.value) + ")"; }

struct Dumper::DumpItem {
  const Dumper& d;
  std::string q(const ast::Name& n) const { return d.q(n); }
  static std::string q(std::string_view text) { return utfall::q(text); }
  std::string opt_name(const std::optional<ast::Name>& n) const { return d.opt_name(n); }
  std::string expr(const ast::ExprPtr& e) const { return d.expr(e); }
  std::string applicability(const ast::Applicability& a) const { return d.applicability(a); }
  std::string rounding(const std::optional<ast::Rounding>& r) const { return d.rounding(r); }
  std::string let(const ast::LetDecl& l) const { return d.let(l); }
  std::string operator()(const ast::LetDecl& l) const { return let(l); }
  std::string operator()(const ast::ForEachDecl& f) const {
    std::string out = "\n  (for-each " + q(f.binder) + " " + q(f.set);
    for (const auto& l : f.lets) out += let(l);
    return out + ")";
  }
  std::string operator()(const ast::PaymentDecl& p) const {
    std::string out = "\n  (pay " + opt_name(p.name) + " " + q(p.payer) + " " + q(p.payee) + " " + opt_name(p.binder) + " " +
                      opt_name(p.set) + " " + expr(p.filter) + " " + expr(p.amount) + " " + expr(p.condition) + " " +
                      applicability(p.periods) + " (caps";
    for (const auto& c : p.caps) out += " (" + std::to_string(static_cast<int>(c.scope)) + " " + expr(c.amount) + ")";
    out += ") " + expr(p.floor) + " " + rounding(p.rounding) + (p.netted ? " netted" : "");
    if (p.at_most) {
      out += " (at-most " + num(p.at_most->count);
      for (const auto& k : p.at_most->keys) out += " " + expr(k);
      out += ")";
    }
    return out + ")";
  }
  std::string operator()(const ast::WaterfallDecl& w) const {
    std::string out = "\n  (waterfall " + opt_name(w.name) + " " + q(w.payer) + " " + expr(w.pool) + " " + applicability(w.periods) +
                      (w.netted ? " netted" : "");
    for (const auto& t : w.tiers)
      out += "\n    (tier " + std::to_string(static_cast<int>(t.kind)) + " " + opt_name(t.name) + " " + q(t.payee) + " " +
             expr(t.amount) + " " + expr(t.cap) + " " + rounding(t.rounding) + ")";
    return out + ")";
  }
  std::string operator()(const ast::TableDecl& t) const {
    std::string out = "\n  (table " + std::to_string(static_cast<int>(t.kind)) + " " + q(t.name);
    for (const auto& r : t.rows)
      out += "\n    (row " + std::string(r.lower_closed ? "[" : "(") + expr(r.lower) + " " + expr(r.upper) + (r.upper_closed ? "]" : ")") +
             " " + (r.key ? q(*r.key) : "-") + " " + expr(r.value) + ")";
    return out + ")";
  }
};

std::string Dumper::contract(const ast::Contract& c) const {
  std::string out = "(contract";
  if (c.header) {
    out += "\n(header " + q(c.header->title);
    for (const auto& cur : c.header->currencies) out += " (currency " + q(cur.code) + " " + (cur.minor_unit ? num(*cur.minor_unit) : "-") + ")";
    out += ")";
  }
  for (const auto& p : c.parties) out += "\n(party " + q(p.id) + " " + q(p.display) + ")";
  for (const auto& u : c.units) out += "\n(unit " + q(u.singular) + " " + opt_name(u.plural) + ")";
  if (c.calendar) {
    out += "\n(calendar " + std::to_string(static_cast<int>(c.calendar->kind));
    for (const auto& n : c.calendar->names) out += " " + q(n.name);
    for (const auto& d : c.calendar->dates) out += d ? " (" + d->first + " " + d->last + ")" : " -";
    out += ")";
  }
  for (const auto& i : c.inputs) {
    out += "\n(input " + q(i.name) + (i.participants ? " participants" : " series") + " " + type(i.type) + " " + applicability(i.periods) +
           " " + allowed(i.allowed);
    for (const auto& f : i.fields) out += "\n  (field " + q(f.name) + " " + type(f.type) + " " + allowed(f.allowed) + " " + opt_name(f.link) + ")";
    out += ")";
  }
  for (const auto& t : c.terms) out += "\n(term " + q(t.name) + " " + expr(t.value) + ")";
  for (const auto& cl : c.clauses) {
    out += "\n(clause " + q(cl.number) + " " + q(cl.title);
    for (const auto& item : cl.items) out += ast::visit(DumpItem{*this}, item);
    out += ")";
  }
  for (const auto& e : c.examples) {
    out += "\n(example " + q(e.name) + " (data";
    for (const auto& f : e.data_files) out += " " + q(f.text);
    out += ")";
    for (const auto& [name, value] : e.overrides) out += "\n  (set " + q(name) + " " + expr(value) + ")";
    for (const auto& x : e.expectations)
      out += "\n  (expect " + std::to_string(static_cast<int>(x.kind)) + " " + q(x.name) + " " + q(x.payee) + " " +
             opt_period(x.period) + " " + expr(x.value) + " " + (x.text ? q(x.text->text) : "-") + ")";
    out += ")";
  }
  return out + ")\n";
}

}  // namespace

std::string dump_ast(const ast::Contract& contract, bool positions) { return Dumper(positions).contract(contract); }

}  // namespace utfall
