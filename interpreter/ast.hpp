// The abstract syntax tree: what `parse` gives and `check` takes.
//
// The tree mirrors the text of a contract: names are still names, units are still spellings,
// nothing is resolved or typed. Every node carries the source range it came from so that
// diagnostics and explanations can point at it. Expression nodes are a `std::variant` of small
// structs, so a new kind of node fails to compile until every stage handles it.
#pragma once

#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "interpreter/node_memory.hpp"
#include "interpreter/number.hpp"
#include "interpreter/source.hpp"
#include "interpreter/stack.hpp"

namespace utfall::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Name {
  std::string text;
  SourceRange range;
};

// A unit as written: "SEK", "SEK per placement", "%" is not a unit but a scale (see NumberLit).
struct UnitSpelling {
  std::vector<Name> numerator;
  std::vector<Name> denominator;
  bool empty() const { return numerator.empty() && denominator.empty(); }
};

// A reference to a period: a name from the calendar ("2027", "2025Q1").
struct PeriodRef {
  std::string name;
  SourceRange range;
};

enum class UnaryOp { negate, logical_not };
enum class BinaryOp { add, subtract, multiply, divide, less, less_equal, greater, greater_equal, equal, not_equal, logical_and, logical_or };

struct NumberLit {
  Number value;  // already scaled: "30 %" holds 0.3
  bool percent = false;
  UnitSpelling unit;
  // `unlimited SEK`: no limit, with its unit (docs/language.md §9.2); `value` is then 0 and
  // means nothing. Only the whole value of a term, or a new value for one, may be unlimited.
  bool unlimited = false;
};
struct BoolLit {
  bool value;
};
struct PeriodLit {  // @2027
  PeriodRef period;
};
struct CurrentPeriod {};  // `period`
struct DateLit {  // date 2025-03-31: the digits as written, checked by the checker
  std::string text;
};
struct TextLit {  // "m01", as written with its escapes undone (not yet in NFC)
  std::string value;
};
struct NameRef {
  Name name;
};
struct FieldRef {  // u.stabil: a field (or per-participant definition) of a bound participant
  Name binder;
  Name field;
  std::optional<Name> linked;  // c.person.alder: a field of the record that the link `field` names
};
struct Unary {
  UnaryOp op;
  ExprPtr operand;
};
struct Binary {
  BinaryOp op;
  ExprPtr lhs, rhs;
};
struct If {
  ExprPtr condition, then_branch, else_branch;
};
struct Call {  // min(a, b), round(x, 0.01, half_even), to_date(x), a table lookup tariff(x)
  Name callee;
  std::vector<ExprPtr> args;
};
struct At {  // x @ 2027: x evaluated in another period
  ExprPtr operand;
  PeriodRef period;
};
// sum(EXPR for u in SET where COND) and count(u in SET where COND)
struct OverParticipants {
  bool is_count = false;
  ExprPtr body;  // null for count
  Name binder;
  Name set;
  ExprPtr filter;  // may be null
};
// sum(EXPR over P .. Q): EXPR evaluated in each period from P through Q.
struct OverPeriods {
  ExprPtr body;
  PeriodRef first, last;
};

// A kind of node held in its own allocation: the kinds that are large and rarely written (a
// participant's field, a sum over participants or periods) would otherwise make every node as
// large as they are, and a contract is mostly small nodes (ast::Expr is 136 bytes, not 216).
// `ast::visit` opens it, so that a visitor sees the kind itself. The box is cut from the syntax
// tree's node memory, as the nodes are (node_memory.hpp): a payment's box is 1 KiB, 10 MB of a
// contract of 10 000 clauses, given a page fault per 2 MiB with the nodes instead of per 4 KiB.
template <typename T>
class Boxed {
  static_assert(alignof(T) <= node_memory::alignment);
  struct Free {
    void operator()(T* held) const noexcept {
      held->~T();
      node_memory::release(held);
    }
  };

 public:
  Boxed(T value) : held_(make(std::move(value))) {}  // NOLINT: converts, as a node kind
  T& operator*() { return *held_; }
  const T& operator*() const { return *held_; }
  T* operator->() { return held_.get(); }
  const T* operator->() const { return held_.get(); }
  explicit operator bool() const { return held_ != nullptr; }  // false only once moved from

 private:
  static T* make(T&& value) {
    void* at = node_memory::allocate(node_memory::Kind::syntax, sizeof(T));
    try {
      return new (at) T(std::move(value));
    } catch (...) {
      node_memory::release(at);
      throw;
    }
  }
  std::unique_ptr<T, Free> held_;
};

struct Expr {
  using Node = std::variant<NumberLit, BoolLit, PeriodLit, CurrentPeriod, TextLit, DateLit, NameRef, Boxed<FieldRef>, Unary, Binary, If,
                            Call, At, Boxed<OverParticipants>, Boxed<OverPeriods>>;
  Node node;
  SourceRange range;
  int height = 1;  // of the tree below and including this node; bounded by the parser

  Expr(Node n, SourceRange r) : node(std::move(n)), range(std::move(r)) {}
  Expr(Expr&&) = default;
  ~Expr();  // frees the tree below without recursion, on any thread's stack (stack.hpp)
  // Cut from blocks of nodes (node_memory.hpp), not one allocation each.
  static void* operator new(std::size_t size) { return node_memory::allocate(node_memory::Kind::syntax, size); }
  static void operator delete(void* node) noexcept { node_memory::release(node); }
};
static_assert(alignof(Expr) <= node_memory::alignment);
// Where a kind grows past this, box it (above) rather than grow every node: a contract of
// 10 000 clauses is some 200 000 nodes, and their memory is most of a check's time.
static_assert(sizeof(void*) != 8 || sizeof(Expr) <= 136, "a node kind grew: box it");

template <typename T>
T& unboxed(T& n) { return n; }
template <typename T>
T& unboxed(Boxed<T>& n) { return *n; }
template <typename T>
const T& unboxed(const Boxed<T>& n) { return *n; }

// The variants that hold some kinds boxed: an expression node, and a clause item (below).
template <typename Variant>
struct holds_boxes : std::false_type {};
template <>
struct holds_boxes<Expr::Node> : std::true_type {};

// std::visit over a node (or clause item), with the boxed kinds opened: `f` is called with the
// kind itself.
template <typename F, typename N>
  requires holds_boxes<std::remove_const_t<N>>::value
decltype(auto) visit(F&& f, N& node) {
  return std::visit([&](auto& held) -> decltype(auto) { return f(unboxed(held)); }, node);
}
template <typename T, typename Variant>
struct is_kind_of;
template <typename T, typename... Kinds>
struct is_kind_of<T, std::variant<Kinds...>> : std::bool_constant<(std::is_same_v<T, Kinds> || ...)> {};
// The node's (or clause item's) kind, or null when it is another kind; the boxed kinds are
// asked for by themselves.
template <typename T, typename N>
  requires holds_boxes<std::remove_const_t<N>>::value
auto* node_if(N* node) {
  using Held = std::conditional_t<is_kind_of<Boxed<T>, std::remove_const_t<N>>::value, Boxed<T>, T>;
  auto* held = std::get_if<Held>(node);
  return held ? &unboxed(*held) : nullptr;
}

// The children of each kind of node, set aside for `free_tree`.
struct SetAsideChildren {
  SetAside<ExprPtr>& rest;
  void operator()(NumberLit&) {}
  void operator()(BoolLit&) {}
  void operator()(PeriodLit&) {}
  void operator()(CurrentPeriod&) {}
  void operator()(TextLit&) {}
  void operator()(DateLit&) {}
  void operator()(NameRef&) {}
  void operator()(FieldRef&) {}
  void operator()(Unary& n) { set_aside(rest, n.operand); }
  void operator()(Binary& n) { set_aside(rest, n.lhs, n.rhs); }
  void operator()(If& n) { set_aside(rest, n.condition, n.then_branch, n.else_branch); }
  void operator()(Call& n) {
    for (auto& arg : n.args) set_aside(rest, arg);
  }
  void operator()(At& n) { set_aside(rest, n.operand); }
  void operator()(OverParticipants& n) { set_aside(rest, n.body, n.filter); }
  void operator()(OverPeriods& n) { set_aside(rest, n.body); }
  // A boxed kind: its box is empty in a node that was moved from.
  template <typename T>
  void operator()(Boxed<T>& n) {
    if (n) (*this)(*n);
  }
};
// The kinds before Unary hold no node: such a node, half of a tree, has nothing to set aside.
inline Expr::~Expr() {
  if (node.index() < kind_index<Unary, Node>::value) return;
  free_tree<ExprPtr>(*this, [](Expr& e, SetAside<ExprPtr>& rest) { std::visit(SetAsideChildren{rest}, e.node); });
}

// ---- Declarations ----

// A type as written in an input or field declaration.
struct TypeSpelling {
  enum class Kind { unit, number, ratio, percent, boolean, period, text, date } kind = Kind::number;
  UnitSpelling unit;  // for Kind::unit
  SourceRange range;
};

// Periods in which a payment, a waterfall or a series applies.
struct Applicability {
  std::optional<PeriodRef> from;   // from P (inclusive)
  std::optional<PeriodRef> until;  // until P (inclusive)
  SourceRange range;
  bool empty() const { return !from && !until; }
};

struct CurrencyDecl {
  Name code;
  std::optional<Number> minor_unit;  // `currency SEK minor 0.01`; default 0.01
};
struct ContractHeader {
  std::string title;
  std::vector<CurrencyDecl> currencies;  // in the order written; the first is the contract's own
  SourceRange range;
};
struct PartyDecl {
  Name id;
  std::string display;
};
struct UnitDecl {
  Name singular;
  std::optional<Name> plural;
};
// The first and last day of a listed period, as written: `H1_2026 = 2026-01-01 .. 2026-06-30`.
struct PeriodDates {
  std::string first, last;  // YYYY-MM-DD, checked by the checker
  SourceRange range;
};
struct CalendarDecl {
  enum class Kind { yearly, quarterly, monthly, named } kind = Kind::yearly;
  std::vector<PeriodRef> names;  // yearly/quarterly/monthly: first and last; named: all
  std::vector<std::optional<PeriodDates>> dates;  // named: one per name, empty where none is written
  SourceRange range;
};
// whole, at least X, at most Y, between X and Y (docs/language.md §8.4)
struct RangeDecl {
  bool whole = false;
  ExprPtr lower, upper;  // numbers written out; null when not given
  bool empty() const { return !whole && !lower && !upper; }
};
struct FieldDecl {
  Name name;
  TypeSpelling type;
  RangeDecl allowed;
  std::optional<Name> link;  // `key of SET`: the field holds the `id` of a record of SET
};
struct InputDecl {
  Name name;
  bool participants = false;
  TypeSpelling type;              // series
  Applicability periods;          // series: the periods that have data (default all)
  std::vector<FieldDecl> fields;  // participants
  RangeDecl allowed;              // series
};
struct TermDecl {
  Name name;
  ExprPtr value;
};
struct LetDecl {
  Name name;
  ExprPtr value;
};
// for each u in SET { let ... }: definitions per participant, read as u.name.
struct ForEachDecl {
  Name binder;
  Name set;
  std::vector<LetDecl> lets;
};
struct Rounding {
  ExprPtr step;
  Name mode;
  SourceRange range;
};
struct Cap {
  enum class Scope { per_period, in_total, per_participant } scope = Scope::per_period;
  ExprPtr amount;
  SourceRange range;
};
struct PaymentDecl {
  std::optional<Name> name;
  Name payer, payee;
  // per participant: for each u in SET where COND
  std::optional<Name> binder;
  std::optional<Name> set;
  ExprPtr filter;
  ExprPtr amount;
  ExprPtr condition;  // when
  Applicability periods;
  std::vector<Cap> caps;
  ExprPtr floor;  // at least
  std::optional<Rounding> rounding;
  bool netted = false;
  // at most N per KEY, ...: each key pays for at most N records (docs/language.md §16.6)
  struct AtMost {
    Number count;
    std::vector<ExprPtr> keys;
    SourceRange range;
  };
  std::optional<AtMost> at_most;
  SourceRange range;
};
struct Tier {
  enum class Kind { up_to, share_of_rest, rest } kind = Kind::up_to;
  std::optional<Name> name;
  Name payee;
  ExprPtr amount;  // the limit (up_to) or the share (share_of_rest)
  ExprPtr cap;     // capped at
  std::optional<Rounding> rounding;
  SourceRange range;
};
struct WaterfallDecl {
  std::optional<Name> name;
  Name payer;
  ExprPtr pool;
  Applicability periods;
  bool netted = false;
  std::vector<Tier> tiers;
  SourceRange range;
};
struct TableRow {
  // step tables: [lower, upper) with explicit bounds; a missing bound is open-ended
  ExprPtr lower, upper;
  // text tables: "m01" -> value; set exactly for a text row (then lower and upper are null)
  std::optional<std::string> key;
  bool lower_closed = true, upper_closed = false;
  ExprPtr value;
  SourceRange range;
};
struct TableDecl {
  enum class Kind { step, scale } kind = Kind::step;
  Name name;
  std::vector<TableRow> rows;  // scale: lower = the point, value = its value
  SourceRange range;
};
// What a clause holds, in the order written. A payment (about 1 000 bytes) and a waterfall (480)
// are boxed, as the large kinds of expression node are: unboxed, every item of every clause was
// as large as a payment, a fifth of the memory a check of 10 000 clauses held at its peak.
// `ast::visit` and `ast::node_if` open the boxes.
using ClauseItem = std::variant<LetDecl, ForEachDecl, Boxed<PaymentDecl>, Boxed<WaterfallDecl>, TableDecl>;
static_assert(sizeof(void*) != 8 || sizeof(ClauseItem) <= 192, "a clause item grew: box it");
template <>
struct holds_boxes<ClauseItem> : std::true_type {};

struct ClauseDecl {
  std::string number;
  std::string title;
  std::vector<ClauseItem> items;
  SourceRange range;
};
// expect PAYER -> PAYEE | NAME | net PARTY  in PERIOD | in total  = VALUE
struct Expectation {
  enum class Kind { flow, named, net } kind = Kind::flow;
  Name name;                        // flow: the payer; named: what is named; net: the party
  Name payee;                       // flow only
  std::optional<PeriodRef> period;  // none: the total over all periods
  ExprPtr value;                    // the expected value; null when it is written as a text
  std::optional<Located> text;      // `= "..."`: the expected value of a definition of type text
  SourceRange range;
};
struct ExampleDecl {
  std::string name;
  std::vector<Located> data_files;  // relative to the contract file, as written
  std::vector<std::pair<Name, ExprPtr>> overrides;  // set TERM = VALUE
  std::vector<Expectation> expectations;
  SourceRange range;
};

struct Contract {
  SourcePtr source;  // what the ranges of every node name: kept while the tree is
  std::optional<ContractHeader> header;
  std::vector<PartyDecl> parties;
  std::vector<UnitDecl> units;
  std::optional<CalendarDecl> calendar;
  std::vector<InputDecl> inputs;
  std::vector<TermDecl> terms;
  std::vector<ClauseDecl> clauses;
  std::vector<ExampleDecl> examples;
};

// How a number is written, where a percentage is at stake (docs/language.md §9.1): a literal
// with `%`, or a bare number (no `%`, no unit), each under any number of minus signs.
inline const NumberLit* number_literal(const Expr& e, bool* negated = nullptr) {
  const Expr* x = &e;
  bool odd = false;
  while (auto* u = std::get_if<Unary>(&x->node)) {
    if (u->op != UnaryOp::negate || !u->operand) return nullptr;
    x = u->operand.get();
    odd = !odd;
  }
  if (negated) *negated = odd;
  return std::get_if<NumberLit>(&x->node);
}
inline bool written_as_percent(const Expr& e) {
  auto* n = number_literal(e);
  return n && n->percent;
}
// The value of a bare number as written (its minus signs applied); none for anything else.
inline std::optional<Number> bare_number(const Expr& e) {
  bool negated = false;
  auto* n = number_literal(e, &negated);
  if (!n || n->percent || !n->unit.empty()) return std::nullopt;
  return negated ? -n->value : n->value;
}

}  // namespace utfall::ast
