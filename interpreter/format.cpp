// Format: the printer (interpreter/format.hpp).
//
// Two steps. The printer walks the tree and makes `Line`s: the text of each line, its depth,
// the source range it stands for, and how it lines up with its neighbours. The layout then
// aligns runs of lines, puts the comments back between them by their source positions, and
// keeps a blank line where the source had one.
#include "interpreter/format.hpp"

#include <algorithm>
#include <functional>

#include "interpreter/format_source.hpp"
#include "interpreter/parse.hpp"

namespace utfall {
namespace {

using format_detail::Comment;
using format_detail::SourceScan;
using W = grammar::Keyword;

// The keywords as written out (`out`), and as the source spells them (`in`), where the printer
// reads the source for a position (grammar/keywords.hpp).
struct Words {
  grammar::Language out = grammar::Language::english, in = grammar::Language::english;
  std::string operator()(W k) const { return std::string(grammar::spelling(k, out)); }
  std::string_view source(W k) const { return grammar::spelling(k, in); }
};

// Lines of one kind in a run line up where head and tail meet.
enum class Align { none, term, let, input, party, field, tier, row, set };

struct Line {
  int depth = 0;
  std::string head, tail;
  Align align = Align::none;
  std::size_t begin = 0, end = 0;  // the source range the line stands for
  bool opens = false, closes = false;  // ends with `{`, is `}`
  // A line that goes on with the value of the definition above it (`+ x`): it stands under
  // that line's `=`, which the alignment places.
  bool continues = false;
  std::size_t column = 0;
};

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A name as written: the parser reads it in NFC, which may compose a letter that a name cannot
// hold (U+1F00); the spelling as written reads back to the same name.
std::string spelled(const ast::Name& n) {
  const auto& r = n.range;
  if (!r.source || r.end_offset <= r.begin.offset || r.end_offset > r.source->text.size()) return n.text;
  return r.source->text.substr(r.begin.offset, r.end_offset - r.begin.offset);
}

std::string unit_text(const ast::UnitSpelling& u, const Words& w) {
  std::string out;
  for (const auto& n : u.numerator) out += (out.empty() ? "" : " ") + spelled(n);
  for (const auto& d : u.denominator) {
    out += ' ';
    out += w(W::per_);
    out += ' ';
    out += spelled(d);
  }
  return out;
}

std::string binary_text(ast::BinaryOp op, const Words& w) {
  using B = ast::BinaryOp;
  switch (op) {
    case B::add: return "+";
    case B::subtract: return "-";
    case B::multiply: return "*";
    case B::divide: return "/";
    case B::less: return "<";
    case B::less_equal: return "<=";
    case B::greater: return ">";
    case B::greater_equal: return ">=";
    case B::equal: return "=";
    case B::not_equal: return "!=";
    case B::logical_and: return w(W::and_);
    case B::logical_or: return w(W::or_);
  }
  return "?";
}

// The grammar's precedence (grammar/grammar.hpp), loosest first; an `if` binds loosest of all
// because its `else` branch runs on to the end of the expression.
constexpr int kIf = 0, kOr = 1, kAnd = 2, kNot = 3, kCompare = 4, kAdd = 5, kMultiply = 6, kNegate = 7, kAt = 8, kPrimary = 9;
int binary_precedence(ast::BinaryOp op) {
  using B = ast::BinaryOp;
  switch (op) {
    case B::logical_or: return kOr;
    case B::logical_and: return kAnd;
    case B::add:
    case B::subtract: return kAdd;
    case B::multiply:
    case B::divide: return kMultiply;
    case B::less:
    case B::less_equal:
    case B::greater:
    case B::greater_equal:
    case B::equal:
    case B::not_equal: return kCompare;
  }
  return kPrimary;
}

struct Precedence {
  int operator()(const ast::Binary& b) const { return binary_precedence(b.op); }
  int operator()(const ast::Unary& u) const { return u.op == ast::UnaryOp::negate ? kNegate : kNot; }
  int operator()(const ast::At&) const { return kAt; }
  int operator()(const ast::If&) const { return kIf; }
  int operator()(const auto&) const { return kPrimary; }
};
int precedence(const ast::Expr& e) { return ast::visit(Precedence{}, e.node); }

// Prints an expression on one line.
struct ExprPrinter {
  const SourceScan& scan;
  Words w;

  std::string print(const ast::Expr& e) const { return ast::visit([&](const auto& n) { return (*this)(n, e); }, e.node); }
  // `e` where an operand of precedence at least `least` stands.
  std::string operand(const ast::Expr& e, int least) const {
    return precedence(e) < least ? "(" + print(e) + ")" : print(e);
  }

  std::string operator()(const ast::NumberLit& n, const ast::Expr& e) const {
    if (n.unlimited) return w(W::unlimited_) + " " + unit_text(n.unit, w);
    std::string digits = e.range.source ? scan.number_text(e.range.begin.offset, e.range.end_offset) : std::string();
    if (digits.empty()) digits = n.percent ? (n.value * Number::from_int(100)).to_string() : n.value.to_string();
    if (n.percent) return digits + " %";
    return n.unit.empty() ? digits : digits + " " + unit_text(n.unit, w);
  }
  std::string operator()(const ast::BoolLit& b, const ast::Expr&) const { return b.value ? w(W::true_) : w(W::false_); }
  std::string operator()(const ast::PeriodLit& p, const ast::Expr&) const { return "@" + p.period.name; }
  std::string operator()(const ast::CurrentPeriod&, const ast::Expr&) const { return w(W::period_); }
  std::string operator()(const ast::TextLit& t, const ast::Expr&) const { return quoted(t.value); }
  std::string operator()(const ast::DateLit& d, const ast::Expr&) const { return w(W::date_) + " " + d.text; }
  std::string operator()(const ast::NameRef& n, const ast::Expr&) const { return spelled(n.name); }
  std::string operator()(const ast::FieldRef& f, const ast::Expr&) const {
    return spelled(f.binder) + "." + spelled(f.field) + (f.linked ? "." + spelled(*f.linked) : "");
  }
  std::string operator()(const ast::Unary& u, const ast::Expr&) const {
    if (u.op == ast::UnaryOp::negate) return "-" + operand(*u.operand, kNegate);
    return w(W::not_) + " " + operand(*u.operand, kNot);
  }
  std::string operator()(const ast::Binary& b, const ast::Expr&) const {
    const int p = binary_precedence(b.op);
    // Comparisons do not chain: neither side may be one without brackets.
    return operand(*b.lhs, p == kCompare ? p + 1 : p) + " " + binary_text(b.op, w) + " " + operand(*b.rhs, p + 1);
  }
  std::string operator()(const ast::If& i, const ast::Expr&) const {
    return w(W::if_) + " " + operand(*i.condition, kOr) + " " + w(W::then_) + " " + operand(*i.then_branch, kOr) + " " + w(W::else_) + " " +
           print(*i.else_branch);
  }
  std::string operator()(const ast::Call& c, const ast::Expr&) const {
    std::string out = spelled(c.callee) + "(";
    for (std::size_t k = 0; k < c.args.size(); ++k) out += (k ? ", " : "") + print(*c.args[k]);
    return out + ")";
  }
  std::string operator()(const ast::At& a, const ast::Expr&) const { return operand(*a.operand, kPrimary) + " @ " + a.period.name; }
  std::string operator()(const ast::OverParticipants& o, const ast::Expr&) const {
    std::string range = spelled(o.binder) + " " + w(W::in_) + " " + spelled(o.set) + (o.filter ? " " + w(W::where_) + " " + print(*o.filter) : "");
    return o.is_count ? w(W::count_) + "(" + range + ")" : w(W::sum_) + "(" + print(*o.body) + " " + w(W::for_) + " " + range + ")";
  }
  std::string operator()(const ast::OverPeriods& o, const ast::Expr&) const {
    return w(W::sum_) + "(" + print(*o.body) + " " + w(W::over_) + " " + o.first.name + " .. " + o.last.name + ")";
  }
};

std::size_t end_of(const ast::Expr* e, std::size_t otherwise) { return e ? std::max<std::size_t>(e->range.end_offset, otherwise) : otherwise; }

// Walks the tree and makes the lines.
class Printer {
 public:
  Printer(const ast::Contract& contract, const SourceScan& scan, const FormatOptions& options)
      : contract_(contract), scan_(scan), options_(options), w_(words(contract, options)), expr_{scan, w_} {}

  std::vector<Line> lines() {
    using Item = std::pair<std::size_t, std::function<void()>>;
    std::vector<Item> items;
    const auto& c = contract_;
    if (c.header && c.header->range.source)
      items.emplace_back(scan_.words_back(c.header->range.begin.offset, 1), [this] { header(); });
    if (c.header)
      for (const auto& cur : c.header->currencies)
        items.emplace_back(scan_.words_back(cur.code.range.begin.offset, 1), [this, &cur] { currency(cur); });
    for (const auto& p : c.parties) items.emplace_back(scan_.words_back(p.id.range.begin.offset, 1), [this, &p] { party(p); });
    for (const auto& u : c.units) items.emplace_back(scan_.words_back(u.singular.range.begin.offset, 1), [this, &u] { unit(u); });
    if (c.calendar) items.emplace_back(c.calendar->range.begin.offset, [this] { calendar(*contract_.calendar); });
    for (const auto& i : c.inputs) items.emplace_back(scan_.words_back(i.name.range.begin.offset, 1), [this, &i] { input(i); });
    for (const auto& t : c.terms)
      items.emplace_back(scan_.words_back(t.name.range.begin.offset, 1), [this, &t] {
        definition(w_(W::term_) + " " + spelled(t.name), *t.value, Align::term, begin_of(t.name, 1));
      });
    for (const auto& cl : c.clauses) {
      std::size_t open = 0, close = 0;
      if (cl.range.source) {
        open = scan_.next_open(cl.range.end_offset);
        close = scan_.matching_close(open);
        items.emplace_back(scan_.words_back(cl.range.begin.offset, 1), [this, &cl, open, close] { clause(cl, open, close); });
      }
      for (const auto& item : cl.items) {
        const std::size_t at = item_begin(item);
        if (!cl.range.source || at < open || at > close) items.emplace_back(at, [this, &item] { clause_item(item); });
      }
    }
    for (const auto& e : c.examples) items.emplace_back(scan_.words_back(e.range.begin.offset, 1), [this, &e] { example(e); });
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.first < b.first; });
    for (auto& [at, print] : items) print();
    return std::move(lines_);
  }

 private:
  const ast::Contract& contract_;
  const SourceScan& scan_;
  const FormatOptions& options_;
  Words w_;
  ExprPrinter expr_;
  std::vector<Line> lines_;
  int depth_ = 0;

  static Words words(const ast::Contract& contract, const FormatOptions& options) {
    const auto in = contract.source ? grammar::language_of(contract.source->text) : grammar::Language::english;
    return Words{options.language.value_or(in), in};
  }
  void add(Line line) { lines_.push_back(std::move(line)); }
  std::size_t begin_of(const ast::Name& name, int words) const { return scan_.words_back(name.range.begin.offset, words); }
  // One past the first keyword `k`, as the source spells it, in [from, to) of the source.
  std::size_t found(W k, std::size_t from, std::size_t to) const { return scan_.find_word(w_.source(k), from, to) + w_.source(k).size(); }
  void open_line(std::string text, std::size_t begin, std::size_t open) {
    Line l{depth_, std::move(text) + " {", "", Align::none, begin, open + 1};
    l.opens = true;
    add(std::move(l));
    ++depth_;
  }
  void close_line(std::size_t close) {
    --depth_;
    Line l{depth_, "}", "", Align::none, close, close + 1};
    l.closes = true;
    add(std::move(l));
  }

  // `term x = VALUE`, `let`, `set`: on one line, or where that would pass the width and the
  // value is a chain of `+ -`, `and` or `or`, one operand a line with its operator first.
  void definition(std::string head, const ast::Expr& value, Align align, std::size_t begin) {
    std::string text = " = " + expr_.print(value);
    auto* chain = std::get_if<ast::Binary>(&value.node);
    if (!chain || 2 * static_cast<std::size_t>(depth_) + code_points(head + text) <= options_.width) {
      add(Line{depth_, std::move(head), std::move(text), align, begin, value.range.end_offset});
      return;
    }
    const int p = binary_precedence(chain->op);
    std::vector<const ast::Binary*> links;  // from the last operator back to the first
    for (const ast::Expr* e = &value; e;) {
      auto* b = std::get_if<ast::Binary>(&e->node);
      if (!b || binary_precedence(b->op) != p || p == kCompare || (p == kMultiply)) break;
      links.push_back(b);
      e = b->lhs.get();
    }
    if (links.empty()) {
      add(Line{depth_, std::move(head), std::move(text), align, begin, value.range.end_offset});
      return;
    }
    const ast::Expr& first = *links.back()->lhs;
    add(Line{depth_, std::move(head), " = " + expr_.operand(first, p), align, begin, first.range.end_offset});
    for (auto it = links.rbegin(); it != links.rend(); ++it) {
      const ast::Expr& rhs = *(*it)->rhs;
      Line l{depth_, "", binary_text((*it)->op, w_) + " " + expr_.operand(rhs, p + 1), Align::none,
             scan_.words_back(rhs.range.begin.offset, 1), rhs.range.end_offset};
      l.continues = true;
      add(std::move(l));
    }
  }

  void header() {
    const auto& h = *contract_.header;
    add(Line{depth_, w_(W::contract_) + " " + quoted(h.title), "", Align::none, scan_.words_back(h.range.begin.offset, 1), h.range.end_offset});
  }
  void currency(const ast::CurrencyDecl& c) {
    std::string text = w_(W::currency_) + " " + spelled(c.code);
    std::size_t end = c.code.range.end_offset;
    if (c.minor_unit) {
      const std::size_t minor = scan_.next_code(c.code.range.end_offset);
      const std::size_t digits = scan_.next_code(minor + w_.source(W::minor_).size());
      std::string written = scan_.number_text(digits, digits + 10001);
      if (written.empty()) written = c.minor_unit->to_string();
      text += " " + w_(W::minor_) + " " + written;
      end = digits + written.size();
    }
    add(Line{depth_, text, "", Align::none, begin_of(c.code, 1), end});
  }
  void party(const ast::PartyDecl& p) {
    const bool display = p.display != p.id.text;
    add(Line{depth_, w_(W::party_) + " " + spelled(p.id), display ? " " + quoted(p.display) : "", display ? Align::party : Align::none,
             begin_of(p.id, 1), scan_.next_code(p.id.range.end_offset)});
    // The display name, where written, ends the declaration.
    if (display) lines_.back().end = scan_.string_end(lines_.back().end);
    else lines_.back().end = p.id.range.end_offset;
  }
  void unit(const ast::UnitDecl& u) {
    add(Line{depth_, w_(W::unit_) + " " + spelled(u.singular) + (u.plural ? " " + w_(W::plural_) + " " + spelled(*u.plural) : ""), "", Align::none, begin_of(u.singular, 1),
             u.plural ? u.plural->range.end_offset : u.singular.range.end_offset});
  }
  static std::string entry_text(const ast::PeriodRef& name, const std::optional<ast::PeriodDates>& dates) {
    return name.name + (dates ? " = " + dates->first + " .. " + dates->last : "");
  }
  void calendar(const ast::CalendarDecl& c) {
    using K = ast::CalendarDecl::Kind;
    const std::size_t begin = c.range.begin.offset, end = c.range.end_offset;
    if (c.kind != K::named) {
      const auto kind = w_(c.kind == K::yearly ? W::yearly_ : c.kind == K::quarterly ? W::quarterly_ : W::monthly_);
      add(Line{depth_, w_(W::periods_) + " " + kind + " " + c.names.front().name + " .. " + c.names.back().name, "", Align::none,
               begin, end});
      return;
    }
    std::string one = w_(W::periods_) + " ";
    for (std::size_t k = 0; k < c.names.size(); ++k) one += (k ? ", " : "") + entry_text(c.names[k], c.dates[k]);
    const bool commented = std::any_of(scan_.comments().begin(), scan_.comments().end(),
                                       [&](const Comment& k) { return k.begin > begin && k.begin < end; });
    if (!commented && code_points(one) + 2 * static_cast<std::size_t>(depth_) <= options_.width) {
      add(Line{depth_, one, "", Align::none, begin, end});
      return;
    }
    // One period a line, so that the comments between them keep their places.
    for (std::size_t k = 0; k < c.names.size(); ++k) {
      const std::size_t first = k == 0 ? begin : c.names[k].range.begin.offset;
      const std::size_t last = c.dates[k] ? c.dates[k]->range.end_offset : c.names[k].range.end_offset;
      add(Line{k == 0 ? depth_ : depth_ + 1, (k == 0 ? w_(W::periods_) + " " : "") + entry_text(c.names[k], c.dates[k]) + (k + 1 < c.names.size() ? "," : ""),
               "", Align::none, first, last});
    }
  }

  std::string type_text(const ast::TypeSpelling& t) const {
    using K = ast::TypeSpelling::Kind;
    switch (t.kind) {
      case K::unit: return unit_text(t.unit, w_);
      case K::number: return w_(W::number_);
      case K::ratio: return w_(W::ratio_);
      case K::percent: return w_(W::percent_);
      case K::boolean: return w_(W::boolean_);
      case K::period: return w_(W::period_);
      case K::text: return w_(W::text_);
      case K::date: return w_(W::date_);
    }
    return "?";
  }
  // A bound is a `unary` in the grammar.
  std::string range_text(const ast::RangeDecl& r) const {
    std::string out = r.whole ? " " + w_(W::whole_) : "";
    if (r.lower && r.upper)
      return out + " " + w_(W::between_) + " " + expr_.operand(*r.lower, kNegate) + " " + w_(W::and_) + " " + expr_.operand(*r.upper, kNegate);
    if (r.lower) out += " " + w_(W::at_) + " " + w_(W::least_) + " " + expr_.operand(*r.lower, kNegate);
    if (r.upper) out += " " + w_(W::at_) + " " + w_(W::most_) + " " + expr_.operand(*r.upper, kNegate);
    return out;
  }
  std::size_t range_end(const ast::RangeDecl& r, std::size_t otherwise) const {
    std::size_t end = end_of(r.upper.get(), end_of(r.lower.get(), otherwise));
    if (r.whole) end = std::max(end, found(W::whole_, otherwise, contract_.source->text.size()));
    return end;
  }
  std::string applicability_text(const ast::Applicability& a) const {
    if (a.from && a.until) return w_(W::in_) + " " + a.from->name + (a.from->name == a.until->name ? "" : " .. " + a.until->name);
    if (a.from) return w_(W::from_) + " " + a.from->name;
    if (a.until) return w_(W::until_) + " " + a.until->name;
    return "";
  }
  std::size_t applicability_end(const ast::Applicability& a) const {
    std::size_t end = a.range.end_offset;
    if (a.from) end = std::max<std::size_t>(end, a.from->range.end_offset);
    if (a.until) end = std::max<std::size_t>(end, a.until->range.end_offset);
    return end;
  }

  void input(const ast::InputDecl& i) {
    const std::size_t begin = begin_of(i.name, 1);
    if (i.participants) {
      const std::size_t open = scan_.next_open(i.name.range.end_offset), close = scan_.matching_close(open);
      open_line(w_(W::input_) + " " + spelled(i.name) + " : " + w_(W::participants_), begin, open);
      for (const auto& f : i.fields) {
        std::string tail = " : " + type_text(f.type) + (f.link ? " " + w_(W::key_) + " " + w_(W::of_) + " " + spelled(*f.link) : "") + range_text(f.allowed);
        std::size_t end = std::max(f.type.range.end_offset, f.link ? f.link->range.end_offset : 0);
        add(Line{depth_, spelled(f.name), std::move(tail), Align::field, f.name.range.begin.offset, range_end(f.allowed, end)});
      }
      close_line(close);
      return;
    }
    std::string tail = " : " + type_text(i.type) + " " + w_(W::per_) + " " + w_(W::period_);
    if (!i.periods.empty()) tail += " " + applicability_text(i.periods);
    tail += range_text(i.allowed);
    std::size_t end = found(W::period_, i.type.range.end_offset, contract_.source->text.size());
    end = range_end(i.allowed, std::max(end, applicability_end(i.periods)));
    add(Line{depth_, w_(W::input_) + " " + spelled(i.name), std::move(tail), Align::input, begin, end});
  }

  void let(const ast::LetDecl& l) {
    definition(w_(W::let_) + " " + spelled(l.name), *l.value, Align::let, begin_of(l.name, 1));
  }

  struct ItemBegin {
    const Printer& p;
    std::size_t operator()(const ast::LetDecl& l) const { return p.begin_of(l.name, 1); }
    std::size_t operator()(const ast::ForEachDecl& f) const { return p.begin_of(f.binder, 2); }
    std::size_t operator()(const ast::PaymentDecl& d) const { return d.range.begin.offset; }
    std::size_t operator()(const ast::WaterfallDecl& w) const { return w.range.begin.offset; }
    std::size_t operator()(const ast::TableDecl& t) const { return t.range.begin.offset; }
  };
  std::size_t item_begin(const ast::ClauseItem& item) const { return ast::visit(ItemBegin{*this}, item); }

  struct ItemPrinter {
    Printer& p;
    void operator()(const ast::LetDecl& l) const { p.let(l); }
    void operator()(const ast::ForEachDecl& f) const { p.for_each(f); }
    void operator()(const ast::PaymentDecl& d) const { p.payment(d); }
    void operator()(const ast::WaterfallDecl& w) const { p.waterfall(w); }
    void operator()(const ast::TableDecl& t) const { p.table(t); }
  };
  void clause_item(const ast::ClauseItem& item) { ast::visit(ItemPrinter{*this}, item); }

  void clause(const ast::ClauseDecl& c, std::size_t open, std::size_t close) {
    open_line(w_(W::clause_) + " " + quoted(c.number) + (c.title.empty() ? "" : " " + quoted(c.title)), scan_.words_back(c.range.begin.offset, 1), open);
    for (const auto& item : c.items) {
      const std::size_t at = item_begin(item);
      if (at >= open && at <= close) clause_item(item);
    }
    close_line(close);
  }

  void for_each(const ast::ForEachDecl& f) {
    const std::size_t open = scan_.next_open(f.set.range.end_offset);
    open_line(w_(W::for_) + " " + w_(W::each_) + " " + spelled(f.binder) + " " + w_(W::in_) + " " + spelled(f.set), begin_of(f.binder, 2), open);
    for (const auto& l : f.lets) let(l);
    close_line(scan_.matching_close(open));
  }

  // A modifier of a payment or a tier: its text and where it stands in the source.
  struct Modifier {
    std::size_t begin, end;
    std::string text;
  };
  std::string rounding_text(const ast::Rounding& r) const {
    return w_(W::rounded_) + " " + spelled(r.mode) + " " + w_(W::to_) + " " + expr_.print(*r.step);
  }
  static void sort(std::vector<Modifier>& mods) {
    std::stable_sort(mods.begin(), mods.end(), [](const Modifier& a, const Modifier& b) { return a.begin < b.begin; });
  }

  void payment(const ast::PaymentDecl& d) {
    std::string head = w_(W::pay_) + " " + (d.name ? spelled(*d.name) + ": " : "") + spelled(d.payer) + " -> " + spelled(d.payee);
    std::size_t head_end = d.payee.range.end_offset;
    if (d.binder && d.set) {
      head += " " + w_(W::for_) + " " + w_(W::each_) + " " + spelled(*d.binder) + " " + w_(W::in_) + " " + spelled(*d.set);
      head_end = d.set->range.end_offset;
      if (d.filter) head += " " + w_(W::where_) + " " + expr_.print(*d.filter), head_end = d.filter->range.end_offset;
    }
    std::vector<Modifier> mods;
    auto keyword = [&](const ast::ExprPtr& e, int words, std::string word) {
      if (e) mods.push_back({scan_.words_back(e->range.begin.offset, words), e->range.end_offset, word + " " + expr_.print(*e)});
    };
    keyword(d.amount, 1, w_(W::amount_));
    keyword(d.condition, 1, w_(W::when_));
    keyword(d.floor, 2, w_(W::at_) + " " + w_(W::least_));
    if (!d.periods.empty()) mods.push_back({d.periods.range.begin.offset, applicability_end(d.periods), applicability_text(d.periods)});
    if (!d.caps.empty()) {
      std::string text = w_(W::capped_) + " " + w_(W::at_) + " ";
      for (std::size_t k = 0; k < d.caps.size(); ++k) {
        const auto& cap = d.caps[k];
        text += (k ? ", " : "") + expr_.print(*cap.amount);
        if (cap.range.end_offset > cap.amount->range.end_offset)  // the scope as written, or none
          text += " " + (cap.scope == ast::Cap::Scope::per_period  ? w_(W::per_) + " " + w_(W::period_)
                         : cap.scope == ast::Cap::Scope::in_total ? w_(W::in_) + " " + w_(W::total_)
                                                                   : w_(W::per_) + " " + w_(W::participant_));
      }
      mods.push_back({scan_.words_back(d.caps.front().range.begin.offset, 2), d.caps.back().range.end_offset, text});
    }
    if (d.rounding) mods.push_back({d.rounding->range.begin.offset, d.rounding->range.end_offset, rounding_text(*d.rounding)});
    if (d.at_most) {
      std::string text = w_(W::at_) + " " + w_(W::most_) + " " +
                         (d.at_most->count == Number::from_int(1) ? w_(W::once_) : d.at_most->count.to_string() + " " + w_(W::times_)) + " " +
                         w_(W::per_) + " ";
      for (std::size_t k = 0; k < d.at_most->keys.size(); ++k) text += (k ? ", " : "") + expr_.print(*d.at_most->keys[k]);
      mods.push_back({d.at_most->range.begin.offset, d.at_most->range.end_offset, text});
    }
    if (d.netted) {
      const std::size_t at = scan_.find_word(w_.source(W::netted_), head_end, d.range.end_offset);
      mods.push_back({at, at + w_.source(W::netted_).size(), w_(W::netted_)});
    }
    sort(mods);
    add(Line{depth_, std::move(head), "", Align::none, d.range.begin.offset, head_end});
    for (auto& m : mods) add(Line{depth_ + 1, std::move(m.text), "", Align::none, m.begin, m.end});
  }

  void waterfall(const ast::WaterfallDecl& w) {
    std::string head = w_(W::waterfall_) + " " + (w.name ? spelled(*w.name) + ": " : "") + spelled(w.payer) + " " + w_(W::pays_) + " " +
                       expr_.print(*w.pool);
    const std::size_t open = scan_.next_open(w.pool->range.end_offset);
    std::vector<Modifier> mods;
    if (!w.periods.empty()) mods.push_back({w.periods.range.begin.offset, 0, applicability_text(w.periods)});
    if (w.netted) mods.push_back({scan_.find_word(w_.source(W::netted_), w.pool->range.end_offset, open), 0, w_(W::netted_)});
    sort(mods);
    for (const auto& m : mods) head += " " + m.text;
    open_line(std::move(head), w.range.begin.offset, open);
    for (const auto& t : w.tiers) tier(t);
    close_line(scan_.matching_close(open));
  }

  void tier(const ast::Tier& t) {
    using K = ast::Tier::Kind;
    if (t.kind == K::rest) {
      add(Line{depth_, w_(W::rest_) + " " + w_(W::to_) + " " + spelled(t.payee), "", Align::none, begin_of(t.payee, 2), t.payee.range.end_offset});
      return;
    }
    std::string body = spelled(t.payee) + (t.kind == K::up_to ? " " + w_(W::up_) + " " + w_(W::to_) + " " + expr_.print(*t.amount)
                                                               : " " + expr_.print(*t.amount) + " " + w_(W::of_) + " " + w_(W::rest_));
    std::size_t body_end = t.kind == K::up_to ? t.amount->range.end_offset : found(W::rest_, t.amount->range.end_offset, t.range.end_offset);
    std::vector<Modifier> mods;
    if (t.rounding) mods.push_back({t.rounding->range.begin.offset, t.rounding->range.end_offset, rounding_text(*t.rounding)});
    if (t.cap) mods.push_back({scan_.words_back(t.cap->range.begin.offset, 2), t.cap->range.end_offset, w_(W::capped_) + " " + w_(W::at_) + " " + expr_.print(*t.cap)});
    sort(mods);
    std::string head = t.name ? spelled(*t.name) + ":" : "";
    std::string tail = (t.name ? " " : "") + body;
    std::string one = tail;
    for (const auto& m : mods) one += ", " + m.text;
    const Align align = t.name ? Align::tier : Align::none;
    if (2 * static_cast<std::size_t>(depth_) + code_points(head + one) <= options_.width) {
      add(Line{depth_, std::move(head), std::move(one), align, t.range.begin.offset, t.range.end_offset});
      return;
    }
    add(Line{depth_, std::move(head), std::move(tail), align, t.range.begin.offset, body_end});
    for (auto& m : mods) add(Line{depth_ + 1, std::move(m.text), "", Align::none, m.begin, m.end});
  }

  void table(const ast::TableDecl& t) {
    const bool scale = t.kind == ast::TableDecl::Kind::scale;
    const std::size_t open = scan_.next_open(t.name.range.end_offset);
    open_line(w_(scale ? W::scale_ : W::table_) + " " + spelled(t.name), t.range.begin.offset, open);
    for (const auto& r : t.rows) {
      std::string key;
      if (r.key) key = quoted(*r.key);
      else if (scale) key = expr_.print(*r.lower);
      else
        key = std::string(r.lower_closed ? "[" : "(") + (r.lower ? expr_.print(*r.lower) : "") + ", " + (r.upper ? expr_.print(*r.upper) : "") +
              (r.upper_closed ? "]" : ")");
      add(Line{depth_, std::move(key), " -> " + expr_.print(*r.value), Align::row, r.range.begin.offset, r.range.end_offset});
    }
    close_line(t.range.end_offset - 1);
  }

  void example(const ast::ExampleDecl& e) {
    std::string head = w_(W::example_) + " " + quoted(e.name);
    std::size_t after = e.range.end_offset;
    for (std::size_t k = 0; k < e.data_files.size(); ++k) {
      head += (k ? ", " : " " + w_(W::data_) + " ") + quoted(e.data_files[k].text);
      after = e.data_files[k].range.end_offset;
    }
    const std::size_t open = scan_.next_open(after);
    open_line(std::move(head), scan_.words_back(e.range.begin.offset, 1), open);
    std::vector<std::pair<std::size_t, std::function<void()>>> items;
    for (const auto& set : e.overrides)  // not a structured binding: clang 14 cannot capture one
      items.emplace_back(begin_of(set.first, 1), [this, &set] {
        definition(w_(W::set_) + " " + spelled(set.first), *set.second, Align::set, begin_of(set.first, 1));
      });
    for (const auto& x : e.expectations) items.emplace_back(x.range.begin.offset, [this, &x] { expectation(x); });
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [at, print] : items) print();
    close_line(scan_.matching_close(open));
  }

  void expectation(const ast::Expectation& x) {
    using K = ast::Expectation::Kind;
    std::string text = w_(W::expect_) + " ";
    text += x.kind == K::flow ? spelled(x.name) + " -> " + spelled(x.payee) : x.kind == K::net ? w_(W::net_) + " " + spelled(x.name) : spelled(x.name);
    text += " " + w_(W::in_) + " " + (x.period ? x.period->name : w_(W::total_)) + " = ";
    text += x.text ? quoted(x.text->text) : expr_.print(*x.value);
    add(Line{depth_, std::move(text), "", Align::none, x.range.begin.offset, x.range.end_offset});
  }
};

// ---- layout ----

struct OutLine {
  int depth = 0;
  std::string code;     // empty for a blank line or a comment line
  std::string comment;  // a comment: the whole line, or after the code
};

// Lines of one kind, one after another at one depth with no blank line between them in the
// source, line up where head and tail meet.
void align(std::vector<Line>& lines, const SourceScan& scan) {
  for (std::size_t i = 0; i < lines.size();) {
    std::size_t j = i + 1, last = i;  // `last`: the last line of the run that is not a continuation
    if (lines[i].align != Align::none)
      for (; j < lines.size(); ++j) {
        if (lines[j].continues) continue;
        if (lines[j].align != lines[i].align || lines[j].depth != lines[i].depth || scan.blank_line_between(lines[j - 1].end, lines[j].begin))
          break;
        last = j;
      }
    j = last + 1;
    std::size_t width = 0, count = 0;
    for (std::size_t k = i; k < j; ++k)
      if (!lines[k].continues) width = std::max(width, code_points(lines[k].head)), ++count;
    for (std::size_t k = i; k < j; ++k)
      if (!lines[k].continues && count > 1) lines[k].head += std::string(width - code_points(lines[k].head), ' ');
    i = j;
  }
  // A continuation stands under the `=` of the line it continues.
  std::size_t column = 0;
  for (auto& l : lines) {
    if (l.continues) l.column = column;
    else column = code_points(l.head) + 1;
  }
}

// Puts the comments back between the lines, and a blank line where the source had one.
std::vector<OutLine> weave(const std::vector<Line>& lines, const SourceScan& scan) {
  const auto& comments = scan.comments();
  std::vector<OutLine> out;
  std::size_t next = 0;            // the first comment not yet placed
  std::size_t previous_end = 0;    // where what was printed last ends in the source
  bool after_open = true;          // nothing printed yet, or just a `{`: no blank line here
  auto put = [&](OutLine line, std::size_t begin, std::size_t end, bool may_follow_blank) {
    if (may_follow_blank && !after_open && scan.blank_line_between(previous_end, begin)) out.push_back(OutLine{});
    out.push_back(std::move(line));
    previous_end = end;
    after_open = false;
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    const int comment_depth = l.closes ? l.depth + 1 : l.depth;
    while (next < comments.size() && comments[next].begin < l.begin) {
      put(OutLine{comment_depth, "", comments[next].text}, comments[next].begin, comments[next].end, true);
      ++next;
    }
    put(OutLine{l.depth, std::string(l.column, ' ') + l.head + l.tail, ""}, l.begin, l.end, !l.closes && !l.continues);
    // The comments within the line, and one after it on the last line it came from: the
    // first goes after the code, any others on lines of their own below it.
    const std::size_t last_line = scan.line_of(l.end > l.begin ? l.end - 1 : l.begin);
    const std::size_t limit = i + 1 < lines.size() ? lines[i + 1].begin : std::string::npos;
    const int below_depth = i + 1 < lines.size() ? (lines[i + 1].closes ? lines[i + 1].depth + 1 : lines[i + 1].depth) : 0;
    std::size_t placed_here = 0;
    while (next < comments.size() && comments[next].begin < limit &&
           (comments[next].begin < l.end || comments[next].line == last_line)) {
      const auto& k = comments[next++];
      if (placed_here++ == 0) {
        out.back().comment = k.text;
        previous_end = k.end;
      } else {
        put(OutLine{below_depth, "", k.text}, k.begin, k.end, false);
      }
    }
    after_open = l.opens && placed_here <= 1;
  }
  for (; next < comments.size(); ++next) put(OutLine{0, "", comments[next].text}, comments[next].begin, comments[next].end, true);
  return out;
}

std::string render(const std::vector<OutLine>& lines) {
  // Trailing comments of consecutive lines start in one column.
  std::vector<std::size_t> column(lines.size(), 0);
  for (std::size_t i = 0; i < lines.size();) {
    auto trails = [&](std::size_t k) { return !lines[k].code.empty() && !lines[k].comment.empty(); };
    if (!trails(i)) {
      ++i;
      continue;
    }
    std::size_t j = i, widest = 0;
    for (; j < lines.size() && trails(j); ++j) widest = std::max(widest, 2 * static_cast<std::size_t>(lines[j].depth) + code_points(lines[j].code));
    for (std::size_t k = i; k < j; ++k) column[k] = widest + 2;
    i = j;
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (l.code.empty() && l.comment.empty()) {
      out += "\n";
      continue;
    }
    std::string text(2 * static_cast<std::size_t>(l.depth), ' ');
    text += l.code;
    if (!l.code.empty() && !l.comment.empty()) text += std::string(column[i] - code_points(text), ' ');
    text += l.comment;
    out += text + "\n";
  }
  return out;
}

}  // namespace

std::string format_contract(const ast::Contract& contract, const FormatOptions& options) {
  static const Source empty;
  const Source& source = contract.source ? *contract.source : empty;
  SourceScan scan(source.text);
  auto lines = Printer(contract, scan, options).lines();
  align(lines, scan);
  return render(weave(lines, scan));
}

std::optional<Diagnostic> translation_problem(const ast::Contract& contract, const std::string& formatted,
                                              grammar::Language language) {
  static const Source empty;
  const Source& source = contract.source ? *contract.source : empty;
  auto again = parse_contract(std::make_shared<Source>(Source{source.name, formatted}));
  if (again.contract && dump_ast(*again.contract) == dump_ast(contract)) return std::nullopt;
  Diagnostic d;
  d.kind = DiagKind::syntax;
  d.code = "E101";
  const bool swedish = language == grammar::Language::swedish;
  set_message(d, swedish ? text("this contract cannot be written in Swedish: it would not read back as the same contract")
                         : text("this contract cannot be written in English: it would not read back as the same contract"));
  // The first name that is a keyword of `language` (and not of the source's set) is the cause.
  const auto from = grammar::language_of(source.text);
  const SourceScan scan(source.text);
  const std::string_view text = source.text;
  for (std::size_t i = scan.next_code(0); i < text.size(); i = scan.next_code(i + 1)) {
    if (text[i] == '"') {
      i = scan.string_end(i) - 1;
      continue;
    }
    const auto word = grammar::first_word(text.substr(i)).word;
    const bool starts = i == 0 || grammar::first_word(text.substr(i - 1)).word.size() != word.size() + 1;
    if (!starts || grammar::first_word(text.substr(i)).offset != 0 || word.empty()) continue;
    if (grammar::is_keyword(word, language) && !grammar::is_keyword(word, from)) {
      const std::size_t line = scan.line_of(i), line_start = text.rfind('\n', i == 0 ? 0 : i - 1);
      const std::size_t first = line == 0 ? 0 : line_start + 1;
      set_message(d, swedish ? utfall::text("the name `{}` is a Swedish keyword, so this contract cannot be written in Swedish; rename "
                                    "it first", word)
                             : utfall::text("the name `{}` is an English keyword, so this contract cannot be written in English; "
                                    "rename it first", word));
      d.range = OwnedRange{contract.source, source_position(i, line + 1, i - first + 1), source_index(i + word.size())};
      break;
    }
    i += word.size() - 1;
  }
  return d;
}

}  // namespace utfall
