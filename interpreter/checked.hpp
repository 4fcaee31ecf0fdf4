// The checked contract: what `check` gives and `evaluate` takes.
//
// Every name is resolved to an index, every expression has its type, the calendar is a list of
// periods, and every payment knows its clause. A `checked::Contract` is immutable once built:
// a host compiles it once and evaluates it many times, from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "interpreter/dates.hpp"
#include "interpreter/node_memory.hpp"
#include "interpreter/number.hpp"
#include "interpreter/source.hpp"
#include "interpreter/stack.hpp"
#include "interpreter/types.hpp"

namespace utfall::checked {

struct PeriodValue {
  int index;  // into the calendar; may lie outside it after period arithmetic
  bool operator==(const PeriodValue&) const = default;
};
// A date: whole days since 1970-01-01 (interpreter/dates.hpp).
struct DateValue {
  std::int64_t day;
  bool operator==(const DateValue&) const = default;
};
using Value = std::variant<Number, bool, PeriodValue, std::string, DateValue>;
// The kind of type a value has (its unit is static: types.hpp).
inline TypeKind kind_of(const Value& v) {
  constexpr TypeKind kinds[] = {TypeKind::number, TypeKind::boolean, TypeKind::period, TypeKind::text, TypeKind::date};
  return kinds[v.index()];
}

struct Expr;
using ExprPtr = std::unique_ptr<const Expr>;

enum class Op { add, subtract, multiply, divide, less, less_equal, greater, greater_equal, equal, not_equal, logical_and, logical_or, negate, logical_not, period_add,
                date_subtract };  // date - date: the days between

struct Const { Value value; };
struct InputRef { int input; };
struct TermRef { int term; };
struct DefRef { int def; };
struct PaymentRef { int payment; };      // what the payment paid in the period
struct WaterfallRef { int waterfall; };  // what the waterfall paid in the period, all payees
// A data field of a bound participant; with `linked` >= 0, that field of the record the link
// field `field` names (c.person.alder: docs/language.md §8.5).
struct FieldRef { int binder; int set; int field; int linked = -1; };
// A `for each` definition of a bound participant; with `link_field` >= 0, the definition of
// the record that the link field `link_field` of the bound record (of the input `set`) names.
struct ParticipantDefRef { int binder; int def; int set = -1; int link_field = -1; };
struct CurrentPeriod {};
struct Unary { Op op; ExprPtr operand; };
struct Binary { Op op; ExprPtr lhs, rhs; };
struct If { ExprPtr condition, then_branch, else_branch; };
struct Builtin { int id; std::vector<ExprPtr> args; };  // see stdlib/builtins.hpp
struct Round { ExprPtr operand, step; RoundingMode mode; };
struct ToDate { ExprPtr operand; };
struct Previous { ExprPtr operand, fallback; };
struct At { ExprPtr operand; int period; };
struct OverPeriods { ExprPtr body; int first, last; };
struct OverParticipants { bool is_count; ExprPtr body; int set; int binder; ExprPtr filter; };
struct TableLookup { int table; ExprPtr key; };
// The dates of a period (start_of, end_of, days_in) or the period of a date (period_of),
// docs/language.md §13.15.
struct CalendarDate {
  enum class Part { start, end, days, period_of } part;
  ExprPtr operand;
};
// add_days(d, n), add_months(d, n, RULE): the date d moved by n whole days or months; where the
// day of d is missing from the month reached, `month_end` says which day it becomes (none: an
// error at evaluation), docs/language.md §13.15.
struct DateShift {
  enum class Unit { days, months } unit;
  dates::MonthEnd month_end;
  ExprPtr operand;  // the date
  ExprPtr step;     // how many days or months, a plain number
};

struct Expr {
  using Node = std::variant<Const, InputRef, TermRef, DefRef, PaymentRef, WaterfallRef, FieldRef, ParticipantDefRef,
                            CurrentPeriod, Unary, Binary, If, Builtin, Round, ToDate, Previous, At, OverPeriods,
                            OverParticipants, TableLookup, CalendarDate, DateShift>;
  Node node;
  Type type;
  SourceRange range;

  Expr(Node n, Type t, SourceRange r) : node(std::move(n)), type(std::move(t)), range(std::move(r)) {}
  Expr(Expr&&) = default;
  ~Expr();  // frees the tree below without recursion, on any thread's stack (stack.hpp)
  // Cut from blocks of nodes (node_memory.hpp), not one allocation each.
  static void* operator new(std::size_t size) { return node_memory::allocate(node_memory::Kind::checked, size); }
  static void operator delete(void* node) noexcept { node_memory::release(node); }
};
static_assert(alignof(Expr) <= node_memory::alignment);

// The children of each kind of node, set aside for `free_tree`.
struct SetAsideChildren {
  SetAside<ExprPtr>& rest;
  void operator()(Const&) {}
  void operator()(InputRef&) {}
  void operator()(TermRef&) {}
  void operator()(DefRef&) {}
  void operator()(PaymentRef&) {}
  void operator()(WaterfallRef&) {}
  void operator()(FieldRef&) {}
  void operator()(ParticipantDefRef&) {}
  void operator()(CurrentPeriod&) {}
  void operator()(Unary& n) { set_aside(rest, n.operand); }
  void operator()(Binary& n) { set_aside(rest, n.lhs, n.rhs); }
  void operator()(If& n) { set_aside(rest, n.condition, n.then_branch, n.else_branch); }
  void operator()(Builtin& n) {
    for (auto& arg : n.args) set_aside(rest, arg);
  }
  void operator()(Round& n) { set_aside(rest, n.operand, n.step); }
  void operator()(ToDate& n) { set_aside(rest, n.operand); }
  void operator()(Previous& n) { set_aside(rest, n.operand, n.fallback); }
  void operator()(At& n) { set_aside(rest, n.operand); }
  void operator()(OverPeriods& n) { set_aside(rest, n.body); }
  void operator()(OverParticipants& n) { set_aside(rest, n.body, n.filter); }
  void operator()(TableLookup& n) { set_aside(rest, n.key); }
  void operator()(CalendarDate& n) { set_aside(rest, n.operand); }
  void operator()(DateShift& n) { set_aside(rest, n.operand, n.step); }
};
// A node is reached through a pointer to const, but every node is made non-const (check.cpp), so
// a node about to be freed may be emptied first. The kinds before Unary hold no node: such a
// node, half of a tree, has nothing to set aside and returns at once.
inline Expr::~Expr() {
  if (node.index() < kind_index<Unary, Node>::value) return;
  free_tree<ExprPtr>(*this, [](const Expr& e, SetAside<ExprPtr>& rest) {
    std::visit(SetAsideChildren{rest}, const_cast<Expr&>(e).node);
  });
}

struct Clause {
  std::string number, title;
  std::string label() const { return title.empty() ? number : number + " " + title; }
};

struct Party { std::string id, display; };

// The values an input or a field may take, as declared (docs/language.md §8.4): each bound
// inclusive, an exact number in the input's unit (a percentage as its fraction: `100 %` is 1),
// absent when not declared; `whole`: integers only. Data outside is E532 when it is bound
// (`outside_range`, data.hpp), on every path data enters. Kept in this plain form for analyses
// that reason from the declarations, such as the bounds of payments (`utfall bounds`).
struct DeclaredRange {
  std::optional<Number> lower, upper;
  bool whole = false;
  bool any() const { return whole || lower || upper; }
};

// `link` >= 0: the field holds the `id` of a record of that input, its field `link_key`
// (docs/language.md §8.5); -2: a link that the checker refused.
struct Field { std::string name; Type type; bool percent = false; DeclaredRange allowed; int link = -1, link_key = -1; };

struct Input {
  std::string name;
  bool participants = false;
  Type type;            // series
  bool percent = false; // series of percentages: data "92" means 0.92
  int first = 0, last = 0;  // series: periods that have data
  std::vector<Field> fields;
  DeclaredRange allowed;  // series
  SourceRange range;
};

// `percent`: the term is written as a percentage (`30 %`); a new value for it must be written
// with `%` too, since a bare `25` reads two ways (docs/language.md §9.1, E319).
// `unlimited`: declared `unlimited UNIT` (docs/language.md §9.2); `value` is then a 0 that means
// nothing and is never read. `other_use`: the first use of the term that is not a limit written
// as its bare name (`capped at takbelopp`, `up to takbelopp`); a term so used can never be
// unlimited (E322).
struct Term {
  std::string name; Type type; ExprPtr value; SourceRange range; bool percent = false;
  bool unlimited = false;
  std::optional<SourceRange> other_use;
};
// `looks_back`: the value uses its own earlier values, through previous() (docs/language.md
// §11.1): `let saldo = previous(saldo, 0 SEK) + x`, or a circle of definitions through it.
struct Def { std::string name; Type type; ExprPtr value; int clause; SourceRange range; bool looks_back = false; };
// A definition per participant of `set`, read as u.name.
struct ParticipantDef {
  std::string name; int set; Type type; ExprPtr value; int clause; SourceRange range; int binder = -1; bool looks_back = false;
};

struct Applicability { int first = 0, last = 0; };

struct Rounding { ExprPtr step; RoundingMode mode; SourceRange range; };

struct Payment {
  std::string name;  // "" when unnamed
  int payer, payee;
  int clause;
  ExprPtr amount;
  ExprPtr condition;           // may be null
  Applicability periods;
  int set = -1, binder = -1;   // per participant when set >= 0
  ExprPtr filter;              // may be null
  ExprPtr cap_period, cap_total, cap_participant, floor;  // may be null
  std::optional<Rounding> rounding;
  bool netted = false;
  int currency = 0;  // index into Contract::currencies: the currency of the amount
  // at most `at_most` records per value of `per_keys` over the whole calendar; 0: no such limit
  // (docs/language.md §16.6).
  int at_most = 0;
  std::vector<ExprPtr> per_keys;
  SourceRange range;
};

struct Tier {
  enum class Kind { up_to, share_of_rest, rest } kind;
  std::string name;
  int payee;
  ExprPtr amount, cap;  // may be null
  std::optional<Rounding> rounding;
  SourceRange range;
};

struct Waterfall {
  std::string name;
  int payer;
  int clause;
  ExprPtr pool;
  Applicability periods;
  bool netted = false;
  std::vector<Tier> tiers;
  std::vector<int> payees;  // distinct payees other than the payer, in order of first tier
  int currency = 0;  // index into Contract::currencies: the currency of the pool
  SourceRange range;
};

struct TableRow {
  std::optional<Number> lower, upper;
  std::optional<std::string> key;  // a text table's key, in NFC; then lower and upper are empty
  bool lower_closed = true, upper_closed = false;
  Value value;
};
struct Table {
  std::string name;
  bool scale = false;
  Type key_type, value_type;  // key_type text: keyed by text, every row has a `key`
  std::vector<TableRow> rows;  // sorted (by lower bound, or text keys by their bytes); scale: lower = the point
  int clause;
  SourceRange range;
};

// What an example expects (docs/language.md §20). A flow sums the lines from `payer` to `payee`;
// a net position sums the lines to `party` less those from it; a value reads a payment,
// waterfall or definition through `actual`, an expression built by the checker: `NAME @ P` for
// a period, `sum(NAME over FIRST .. LAST)` for the total. `expected` has the type of what is
// expected (money for flows and net positions); a text is held in `text` instead.
struct Expectation {
  enum class Kind { flow, value, net } kind = Kind::flow;
  int payer = -1, payee = -1;  // flow
  int party = -1;              // net
  ExprPtr actual;              // value
  std::string subject;         // value: the name, as written
  int clause = -1;             // value: the clause of what is named, -1 when outside clauses
  std::optional<int> period;   // none: total
  ExprPtr expected;            // null when `text` holds the expected value
  std::optional<std::string> text;
  Type type;                   // of the expected value
  int currency = 0;            // flow, net: the currency whose payments are summed
  SourceRange range;
};
struct Example {
  std::string name;
  std::vector<Located> data_files;  // relative to the contract's folder, as written
  std::vector<std::pair<int, ExprPtr>> overrides;
  std::vector<int> unlimited;  // terms the example sets to `unlimited`
  std::vector<Expectation> expectations;
  SourceRange range;
};

// A currency of the contract (docs/language.md §4.1): its code, its minor unit, and itself as a unit.
struct Currency {
  std::string code;
  Number minor_unit;
  Unit unit;
};

struct Contract {
  SourcePtr source;  // what the ranges of every node name: kept while the contract is
  std::string title;
  // The contract's first currency: `currencies[0]`, kept apart for the many places that need
  // only it (a contract with one currency).
  std::string currency;
  Number minor_unit;
  Unit money;  // the currency as a unit
  std::vector<Currency> currencies;  // every `currency` line, in order; at least one once checked
  std::vector<Unit::Spelling> units;  // the declared counted units, for expressions checked later (REPL, --set)
  std::vector<std::string> periods;
  // The dates of the periods of a yearly, quarterly or monthly calendar: period i is span
  // number `span_base + i` of `months_per_period` months, counted from January of year 0, so
  // that periods outside the calendar have dates too. 0: a listed calendar, without dates.
  int months_per_period = 0;
  std::int64_t span_base = 0;
  // The first and last day of each period of a listed calendar that declares them
  // (`H1_2026 = 2026-01-01 .. 2026-06-30`), in calendar order; empty for any other calendar.
  struct PeriodSpan {
    std::int64_t first, last;
  };
  std::vector<PeriodSpan> listed_dates;
  // Whether the periods have dates (start_of, end_of, days_in, period_of may be used).
  bool dated() const { return months_per_period > 0 || !listed_dates.empty(); }
  std::vector<Party> parties;
  std::vector<Clause> clauses;
  std::vector<Input> inputs;
  std::vector<Term> terms;
  std::vector<Def> defs;
  std::vector<ParticipantDef> participant_defs;
  std::vector<Payment> payments;
  std::vector<Waterfall> waterfalls;
  std::vector<Table> tables;
  std::vector<Example> examples;
  int binder_count = 0;  // slots for participants bound by sum/count/for each

  // Lookups by a name as a host gives it (`--set`, a data column, the API), read in NFC as the
  // contract's names are (interpreter/names.cpp).
  std::optional<int> period_index(std::string_view name) const;
  std::optional<int> party_index(std::string_view id) const;
  std::optional<int> term_index(std::string_view name) const;
  std::optional<int> input_index(std::string_view name) const;
  // The currency whose unit is `u`; none for any other unit.
  std::optional<int> currency_index(const Unit& u) const;
  // The codes of every currency, in order, joined as prose: "SEK", "SEK and EUR",
  // "SEK, EUR or NOK" with `conjunction` "or".
  std::string currency_codes(std::string_view conjunction) const;
  // The currency of a payment line's rule (a payment or a waterfall).
  int line_currency(bool waterfall, int rule_index) const {
    return waterfall ? waterfalls[rule_index].currency : payments[rule_index].currency;
  }
};

}  // namespace utfall::checked
