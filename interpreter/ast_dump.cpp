// The tree as an S-expression without source positions (interpreter/format.hpp, `dump_ast`).
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
std::string unit(const ast::UnitSpelling& u) {
  std::string out = "(unit";
  for (const auto& n : u.numerator) out += " " + q(n.text);
  out += " /";
  for (const auto& d : u.denominator) out += " " + q(d.text);
  return out + ")";
}
std::string opt_name(const std::optional<ast::Name>& n) { return n ? q(n->text) : "-"; }
std::string opt_period(const std::optional<ast::PeriodRef>& p) { return p ? q(p->name) : "-"; }

std::string expr(const ast::ExprPtr& e);

struct Dump {
  std::string operator()(const ast::NumberLit& n) const {
    return "(number " + num(n.value) + (n.percent ? " %" : "") + (n.unlimited ? " unlimited " : " ") + unit(n.unit) + ")";
  }
  std::string operator()(const ast::BoolLit& b) const { return b.value ? "true" : "false"; }
  std::string operator()(const ast::PeriodLit& p) const { return "(period-lit " + q(p.period.name) + ")"; }
  std::string operator()(const ast::CurrentPeriod&) const { return "period"; }
  std::string operator()(const ast::TextLit& t) const { return "(text " + q(t.value) + ")"; }
  std::string operator()(const ast::DateLit& d) const { return "(date " + d.text + ")"; }
  std::string operator()(const ast::NameRef& n) const { return "(name " + q(n.name.text) + ")"; }
  std::string operator()(const ast::FieldRef& f) const {
    return "(field " + q(f.binder.text) + " " + q(f.field.text) + " " + opt_name(f.linked) + ")";
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
    std::string out = "(call " + q(c.callee.text);
    for (const auto& a : c.args) out += " " + expr(a);
    return out + ")";
  }
  std::string operator()(const ast::At& a) const { return "(at " + expr(a.operand) + " " + q(a.period.name) + ")"; }
  std::string operator()(const ast::OverParticipants& o) const {
    return std::string(o.is_count ? "(count " : "(sum-for ") + expr(o.body) + " " + q(o.binder.text) + " " + q(o.set.text) + " " +
           expr(o.filter) + ")";
  }
  std::string operator()(const ast::OverPeriods& o) const {
    return "(sum-over " + expr(o.body) + " " + q(o.first.name) + " " + q(o.last.name) + ")";
  }
};
std::string expr(const ast::ExprPtr& e) { return e ? std::visit(Dump{}, e->node) : "-"; }

std::string type(const ast::TypeSpelling& t) { return "(type " + std::to_string(static_cast<int>(t.kind)) + " " + unit(t.unit) + ")"; }
std::string applicability(const ast::Applicability& a) { return "(periods " + opt_period(a.from) + " " + opt_period(a.until) + ")"; }
std::string allowed(const ast::RangeDecl& r) {
  return std::string("(allowed ") + (r.whole ? "whole " : "") + expr(r.lower) + " " + expr(r.upper) + ")";
}
std::string rounding(const std::optional<ast::Rounding>& r) {
  return r ? "(rounded " + q(r->mode.text) + " " + expr(r->step) + ")" : "-";
}
std::string let(const ast::LetDecl& l) { return "\n  (let " + q(l.name.text) + " " + expr(l.value) + ")"; }

struct DumpItem {
  std::string operator()(const ast::LetDecl& l) const { return let(l); }
  std::string operator()(const ast::ForEachDecl& f) const {
    std::string out = "\n  (for-each " + q(f.binder.text) + " " + q(f.set.text);
    for (const auto& l : f.lets) out += let(l);
    return out + ")";
  }
  std::string operator()(const ast::PaymentDecl& p) const {
    std::string out = "\n  (pay " + opt_name(p.name) + " " + q(p.payer.text) + " " + q(p.payee.text) + " " + opt_name(p.binder) + " " +
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
    std::string out = "\n  (waterfall " + opt_name(w.name) + " " + q(w.payer.text) + " " + expr(w.pool) + " " + applicability(w.periods) +
                      (w.netted ? " netted" : "");
    for (const auto& t : w.tiers)
      out += "\n    (tier " + std::to_string(static_cast<int>(t.kind)) + " " + opt_name(t.name) + " " + q(t.payee.text) + " " +
             expr(t.amount) + " " + expr(t.cap) + " " + rounding(t.rounding) + ")";
    return out + ")";
  }
  std::string operator()(const ast::TableDecl& t) const {
    std::string out = "\n  (table " + std::to_string(static_cast<int>(t.kind)) + " " + q(t.name.text);
    for (const auto& r : t.rows)
      out += "\n    (row " + std::string(r.lower_closed ? "[" : "(") + expr(r.lower) + " " + expr(r.upper) + (r.upper_closed ? "]" : ")") +
             " " + (r.key ? q(*r.key) : "-") + " " + expr(r.value) + ")";
    return out + ")";
  }
};

}  // namespace

std::string dump_ast(const ast::Contract& c) {
  std::string out = "(contract";
  if (c.header) {
    out += "\n(header " + q(c.header->title);
    for (const auto& cur : c.header->currencies) out += " (currency " + q(cur.code.text) + " " + (cur.minor_unit ? num(*cur.minor_unit) : "-") + ")";
    out += ")";
  }
  for (const auto& p : c.parties) out += "\n(party " + q(p.id.text) + " " + q(p.display) + ")";
  for (const auto& u : c.units) out += "\n(unit " + q(u.singular.text) + " " + opt_name(u.plural) + ")";
  if (c.calendar) {
    out += "\n(calendar " + std::to_string(static_cast<int>(c.calendar->kind));
    for (const auto& n : c.calendar->names) out += " " + q(n.name);
    for (const auto& d : c.calendar->dates) out += d ? " (" + d->first + " " + d->last + ")" : " -";
    out += ")";
  }
  for (const auto& i : c.inputs) {
    out += "\n(input " + q(i.name.text) + (i.participants ? " participants" : " series") + " " + type(i.type) + " " + applicability(i.periods) +
           " " + allowed(i.allowed);
    for (const auto& f : i.fields) out += "\n  (field " + q(f.name.text) + " " + type(f.type) + " " + allowed(f.allowed) + " " + opt_name(f.link) + ")";
    out += ")";
  }
  for (const auto& t : c.terms) out += "\n(term " + q(t.name.text) + " " + expr(t.value) + ")";
  for (const auto& cl : c.clauses) {
    out += "\n(clause " + q(cl.number) + " " + q(cl.title);
    for (const auto& item : cl.items) out += std::visit(DumpItem{}, item);
    out += ")";
  }
  for (const auto& e : c.examples) {
    out += "\n(example " + q(e.name) + " (data";
    for (const auto& f : e.data_files) out += " " + q(f.text);
    out += ")";
    for (const auto& [name, value] : e.overrides) out += "\n  (set " + q(name.text) + " " + expr(value) + ")";
    for (const auto& x : e.expectations)
      out += "\n  (expect " + std::to_string(static_cast<int>(x.kind)) + " " + q(x.name.text) + " " + q(x.payee.text) + " " +
             opt_period(x.period) + " " + expr(x.value) + " " + (x.text ? q(x.text->text) : "-") + ")";
    out += ")";
  }
  return out + ")\n";
}

}  // namespace utfall
