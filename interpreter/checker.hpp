// The checker's state, shared by its parts: declarations and the calendar (check.cpp),
// expressions (check_expr.cpp), and the order and cycles of definitions (check_cycles.cpp).
// Internal to the checker; hosts use check.hpp.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include <boost/container/small_vector.hpp>

#include "interpreter/check.hpp"
#include "interpreter/dates.hpp"
#include "interpreter/stack.hpp"
#include "interpreter/text_hash.hpp"

namespace utfall::check_internal {

// Calls `visit` on `x` and every node below it, parents first (the checker's analyses of a
// whole contract: inputs never used, terms used as numbers; check_unlimited.cpp). A template,
// so that `visit` is called directly at each of the contract's nodes, not through a
// std::function. The depth is the tree's height, which the parser bounds.
template <typename Visit>
void each_node(const checked::Expr& x, Visit&& visit) {
  visit(x);
  std::visit([&](const auto& n) {
    if constexpr (requires { n.operand; }) if (n.operand) each_node(*n.operand, visit);
    if constexpr (requires { n.lhs; }) { each_node(*n.lhs, visit); each_node(*n.rhs, visit); }
    if constexpr (requires { n.args; }) for (const auto& a : n.args) each_node(*a, visit);
    if constexpr (requires { n.condition; }) {
      each_node(*n.condition, visit); each_node(*n.then_branch, visit); each_node(*n.else_branch, visit);
    }
    if constexpr (requires { n.body; }) if (n.body) each_node(*n.body, visit);
    if constexpr (requires { n.filter; }) if (n.filter) each_node(*n.filter, visit);
    if constexpr (requires { n.step; }) each_node(*n.step, visit);
    if constexpr (requires { n.fallback; }) each_node(*n.fallback, visit);
    if constexpr (requires { n.key; }) each_node(*n.key, visit);
  }, x.node);
}

using checked::ExprPtr;
using checked::Op;

// What a global name stands for.
enum class SymbolKind { input, term, def, payment, waterfall, table };
struct Symbol {
  SymbolKind kind;
  int index;
  SourceRange range;
};
// A node of the dependency graph: (kind, index) of a term, def, participant def, payment or waterfall.
using Node = std::pair<int, int>;
constexpr int node_term = 0, node_def = 1, node_pdef = 2, node_payment = 3, node_waterfall = 4;

// Values keyed by node, as a std::map<Node, T> would hold them, but in one list per kind of node
// indexed by the node's index: the checker looks one up at every reference, and a tree of
// pairs cost a chain of comparisons and an allocation per entry. A value stays where it is when
// others are added (a deque grows at its end without moving its elements), so a reference to it
// may be kept, as into a map. `each` visits the entries in the map's order: by kind, then index.
template <typename T>
class NodeMap {
 public:
  T& operator[](Node n) {
    auto& slots = slots_.at(static_cast<std::size_t>(n.first));
    if (n.second < 0) throw std::logic_error("checker: a node with a negative index");
    if (static_cast<std::size_t>(n.second) >= slots.size()) slots.resize(static_cast<std::size_t>(n.second) + 1);
    auto& slot = slots[static_cast<std::size_t>(n.second)];
    if (!slot) {
      slot.emplace();
      ++size_;
    }
    return *slot;
  }
  const T& at(Node n) const {
    if (const T* value = find(n)) return *value;
    throw std::out_of_range("checker: no entry for a node");
  }
  const T* find(Node n) const {
    if (n.first < 0 || static_cast<std::size_t>(n.first) >= slots_.size() || n.second < 0) return nullptr;
    const auto& slots = slots_[static_cast<std::size_t>(n.first)];
    if (static_cast<std::size_t>(n.second) >= slots.size() || !slots[static_cast<std::size_t>(n.second)]) return nullptr;
    return &*slots[static_cast<std::size_t>(n.second)];
  }
  bool empty() const { return size_ == 0; }
  template <typename F>
  void each(F&& f) const {
    for (std::size_t kind = 0; kind < slots_.size(); ++kind)
      for (std::size_t i = 0; i < slots_[kind].size(); ++i)
        if (slots_[kind][i]) f(Node{static_cast<int>(kind), static_cast<int>(i)}, *slots_[kind][i]);
  }

 private:
  std::array<std::deque<std::optional<T>>, node_waterfall + 1> slots_;
  std::size_t size_ = 0;
};

struct Binder {
  std::string name;
  int set;
  int slot;
};

// The currency of every payment and waterfall, by index (docs/language.md §4.1).
struct RuleCurrencies {
  std::vector<int> payments, waterfalls;
  // (waterfall, index, currency): a rule that failed to check in that currency in a pass where
  // every assumption that could be tested held, so that currency is not tried for it again.
  std::set<std::tuple<bool, int, int>> failed_cleanly;
};
RuleCurrencies rule_currencies(const checked::Contract& c);
// "`2025-02-30` is not a date: 2025-02 has 28 days", one sentence of the message table per reason.
Text not_a_date_text(const std::string& text, const dates::NotADate& why);
// How many times a contract with several currencies may be checked before a rule named ahead of
// itself must have the currency it was assumed to have (E336).
constexpr int kCurrencyPasses = 4;

class Checker {
 public:
  Checker(checked::Contract& out, Diagnostics& diags)
      : c_(out), diags_(diags), stack_base_(stack_here()), stack_(stack_base_, CheckOptions{}.max_stack_bytes) {}
  Checker(const Checker&) = delete;  // it keeps pointers into its own maps (depend)
  Checker& operator=(const Checker&) = delete;

  void run(const ast::Contract& a);
  // What a rule named before it is checked is assumed to be in (the first currency when not
  // given); on the `last` pass a wrong assumption is E336 rather than a reason to check again.
  void assume_currencies(RuleCurrencies assumed, bool last) {
    assumed_ = std::move(assumed);
    last_pass_ = last;
  }
  // What the next pass should assume, or none when this run's check is final: every assumption
  // held, or this was the last pass (docs/language.md §4.1).
  std::optional<RuleCurrencies> next_assumptions() const;
  ExprPtr expression(const ast::Expr& e) { return expr(e); }
  void set_implicit_units() { implicit_units_ = true; }
  void add_globals_from_contract();
  void start_binders_at(int n) { binder_count_ = n; }
  void outside_clauses() { clause_ = -1; }
  void set_max_periods(std::size_t n) { max_periods_ = n; }
  void set_max_depth(std::size_t depth, std::size_t stack_bytes) {
    max_depth_ = depth;
    stack_ = StackGuard(stack_base_, stack_bytes);
  }

 private:
  checked::Contract& c_;
  Diagnostics& diags_;
  bool implicit_units_ = false;
  std::size_t max_periods_ = CheckOptions{}.max_periods;
  std::size_t max_depth_ = CheckOptions{}.max_depth;
  std::uintptr_t stack_base_;  // the frame that made the checker, where its recursion starts
  StackGuard stack_;
  // Looked up for every name in every expression: hashed (a tree of 10 000 names compared
  // strings some 14 times a lookup), under the keyed hash, so that no contract can choose names
  // that share a run of slots (TextTable, text_hash.hpp). Walked only for suggest(), which sorts
  // what it walks.
  TextTable<Symbol> globals_;
  // In front of globals_: the last global found through each slot, chosen by plain_hash. A
  // contract names its inputs, terms and tables again in every clause; such a name is found
  // here, in 4 KiB that stay in cache, not through SipHash and a probe of a table of 20 000
  // names. Entries point into globals_, whose entries never move and are never erased.
  struct RecentGlobal {
    const std::string* name = nullptr;
    const Symbol* symbol = nullptr;
  };
  std::array<RecentGlobal, 256> recent_globals_{};
  const Symbol* find_global(const std::string& name);  // null when not declared
  // Spelling -> the unit of its dimension ("placements" and "placement" -> placement). One unit
  // per dimension, made once: every unit written in the contract is then built from these, and
  // two equal units mostly compare by pointer. With implicit units, a name not declared is
  // added here at its first use, as its own dimension.
  std::map<std::string, Unit, std::less<>> unit_names_;
  // The declared counted units, shared by every unit the checker makes (a copy of a type is
  // then a pointer, not the list).
  std::shared_ptr<const std::vector<Unit::Spelling>> spellings_;
  std::vector<Binder> binders_;
  int clause_ = 0;
  // dependency tracking
  std::optional<Node> current_;
  int previous_depth_ = 0;  // inside previous(): references look back in time
  // `x @ P` and `sum(... over P .. Q)` name their periods outright, so inside previous() they
  // may still reach the current period or a later one: their references are dependencies
  // like any other, and a value that reaches itself through them is a cycle (E210).
  template <class F>
  auto absolute_periods(F&& f) {
    int saved = previous_depth_;
    previous_depth_ = 0;
    ++absolute_depth_;
    auto r = f();
    --absolute_depth_;
    previous_depth_ = saved;
    return r;
  }
  int absolute_depth_ = 0;  // inside `x @ P` or `sum(... over ...)`
  // Every reference, through previous() too, and whether it names its period outright. A
  // value that reaches itself through previous() and an `@`/`over` reference may come back
  // to the same period (p uses q @ 2027, q uses previous(p): p in 2026 needs itself), so a
  // circle with such a reference in it is an error too (E210), found by components.
  // An edge keeps the reference's range where it is, in the syntax tree (which outlives the
  // check), not a copy of it: some 40 000 edges for 10 000 clauses.
  struct Link {
    Node target;
    const SourceRange* range;
    bool absolute;
  };
  // A node's references, the first four in place: most expressions make no more, and a list
  // of its own for each of 20 000 nodes was 40 000 allocations at 10 000 clauses.
  using Links = boost::container::small_vector<Link, 4>;
  using Deps = boost::container::small_vector<std::pair<Node, const SourceRange*>, 4>;
  NodeMap<Links> links_;
  // Expressions being typed, counted through the definitions they use (see CheckOptions).
  std::size_t typing_depth_ = 0;
  NodeMap<Deps> deps_;
  NodeMap<std::string> node_names_;
  bool term_context_ = false;  // terms may use only literals and other terms
  // The expression whose conversion between currencies is rounded by what encloses it: the
  // first argument of `round`, or a payment's amount with `rounded` (§4.1); null when none.
  const ast::Expr* rounded_conversion_ = nullptr;
  // Rules named before they were checked, with the currency assumed for each (RuleCurrencies).
  struct Assumption {
    bool waterfall;
    int index, currency;
    SourceRange range;
    bool self = false;  // named in its own amount or pool (`previous(p, 0 EUR)` in p)
  };
  RuleCurrencies assumed_;
  bool last_pass_ = true;
  std::vector<Assumption> assumptions_;
  int rule_currency(bool waterfall, int index, const SourceRange& range);
  void report_wrong_assumptions();  // E336, on the last pass
  int binder_count_ = 0;
  // The expressions of terms, definitions and per-participant definitions, each typed on demand
  // (ensure) in its own scope, whatever the order of clauses and items. Keyed by node, so
  // nothing depends on the order in which they were collected.
  struct DefSource {
    const ast::Expr* expr;
    int clause;
    int set;             // per-participant: the set, or -1
    std::string binder;  // per-participant: the name bound in `for each`
  };
  NodeMap<DefSource> sources_;
  enum class Typing { pending, active, typed, failed };
  NodeMap<Typing> state_;
  // The definitions being typed, innermost last, each with whether the reference that reached
  // it is inside previous(): a reference to one of them is a cycle, and the stack from it on is
  // the cycle as written.
  struct Frame {
    Node node;
    bool through_previous;
  };
  std::vector<Frame> typing_stack_;
  std::set<Node> cycle_reported_;  // on a cycle already reported (E210/E215)
  std::size_t failed_references_ = 0;  // references to definitions that failed or close a cycle
  // Types a term or definition now if it is not typed yet; true when it has a type. `via` is
  // the reference that needs it (for the cycle it may close).
  bool ensure(Node n, const SourceRange& via);
  // previous(d, fallback) met before d had a type took the fallback's type: d's must be it too.
  struct AssumedType {
    Type type;
    SourceRange fallback;
    int clause;
  };
  std::multimap<Node, AssumedType> assumed_types_;
  std::optional<Node> definition_without_type(const ast::Expr& operand);
  ExprPtr previous_before_type(const ast::Expr& e, const ast::Call& n, Node own);
  void check_assumed_types(Node n, const Type& t);
  void report_cycle(std::size_t from, Node n, const SourceRange& via);

  // ---- diagnostics ----
  void error(DiagKind kind, std::string code, Text message, const SourceRange& range, Text suggestion = {}) {
    Diagnostic d;
    d.kind = kind;
    d.code = std::move(code);
    set_message(d, std::move(message));
    d.range = range;
    set_suggestion(d, std::move(suggestion));
    if (clause_ >= 0 && clause_ < static_cast<int>(c_.clauses.size()) && !c_.clauses[clause_].number.empty())
      d.clause = c_.clauses[clause_].label();
    diags_.push_back(std::move(d));
  }
  void warning(std::string code, Text message, const SourceRange& range) {
    Diagnostic d;
    d.severity = Severity::warning;
    d.kind = DiagKind::name;
    d.code = std::move(code);
    set_message(d, std::move(message));
    d.range = range;
    diags_.push_back(std::move(d));
  }
  Text suggest(std::string_view name) const {
    std::vector<std::string_view> names;
    for (const auto& [g, _] : globals_) names.push_back(g);
    std::sort(names.begin(), names.end());  // equally close names: the first in this order
    return closest(name, names);
  }
  // The closest of `names` by edit distance, when it is close.
  static Text closest(std::string_view name, const std::vector<std::string_view>& names) {
    std::string_view best;
    std::size_t best_d = 3;
    for (std::string_view g : names) {
      std::vector<std::size_t> row(g.size() + 1);
      for (std::size_t j = 0; j <= g.size(); ++j) row[j] = j;
      for (std::size_t i = 1; i <= name.size(); ++i) {
        std::size_t prev = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= g.size(); ++j) {
          std::size_t cur = row[j];
          row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (name[i - 1] == g[j - 1] ? 0 : 1)});
          prev = cur;
        }
      }
      if (row[g.size()] < best_d) {
        best_d = row[g.size()];
        best = g;
      }
    }
    return best.empty() ? Text{} : text("did you mean `{}`?", best);
  }
  // When `name` is a field or a per-participant definition of a participant input: how to
  // read it, through a participant in scope of that input if there is one.
  Text field_hint(std::string_view name) const {
    auto read_through = [&](int set, bool field) {
      const std::string& input = c_.inputs[set].name;
      auto b = std::find_if(binders_.rbegin(), binders_.rend(), [&](const Binder& x) { return x.set == set; });
      if (b != binders_.rend())
        return field ? text("`{}` is a field of `{}`: write `{}.{}`", name, input, b->name, name)
                     : text("`{}` is a definition for each participant of `{}`: write `{}.{}`", name, input, b->name, name);
      return field ? text("`{}` is a field of `{}`: read it through a participant, `u.{}` inside `for each u in {}`", name, input,
                          name, input)
                   : text("`{}` is a definition for each participant of `{}`: read it through a participant, `u.{}` inside "
                          "`for each u in {}`",
                          name, input, name, input);
    };
    for (std::size_t i = 0; i < c_.inputs.size(); ++i)
      for (const auto& f : c_.inputs[i].fields)
        if (c_.inputs[i].participants && f.name == name) return read_through(int(i), true);
    for (const auto& d : c_.participant_defs)
      if (d.name == name && d.set >= 0) return read_through(d.set, false);
    return {};
  }

  // ---- declarations ----
  void header(const ast::Contract& a);
  void calendar(const ast::Contract& a);
  void listed_dates(const ast::CalendarDecl& cal);
  void links(const ast::Contract& a);
  void at_most(const ast::PaymentDecl::AtMost& limit, checked::Payment& out);
  ExprPtr linked_field(const ast::Expr& e, const ast::FieldRef& n, const Binder& b, int field);
  void declare(const std::string& name, SymbolKind kind, int index, const SourceRange& range);
  std::optional<int> period(const ast::PeriodRef& ref);
  checked::Applicability applicability(const ast::Applicability& a);
  std::optional<int> party(const ast::Name& n);
  std::optional<Unit> unit(const ast::UnitSpelling& s);
  std::optional<Type> type(const ast::TypeSpelling& t, bool* percent);
  checked::DeclaredRange declared_range(const ast::RangeDecl& r, const std::string& name, const Type& type, bool percent,
                                        const SourceRange& at);
  std::optional<Number> range_bound(const ast::Expr& e, const std::string& name, const Type& type, bool percent);
  std::optional<RoundingMode> mode(const ast::Name& n);
  std::optional<checked::Rounding> rounding(const std::optional<ast::Rounding>& r, const Type& of);
  // A value in the currency `currency` (an index into c_.currencies); `mismatch` is the whole
  // sentence when it is not, with the type wanted and the type found.
  ExprPtr money(const ast::ExprPtr& e, PhraseId mismatch, int currency = 0);
  // The sentence for an amount in none of the currencies: one for a contract with one currency
  // (`SEK`), one for several (`SEK, EUR` or `NOK`), since the "or" is a word of the sentence.
  struct Mismatch {
    PhraseId one, several;
  };
  // A payment's amount or a waterfall's pool: a value in any of the contract's currencies,
  // whose index is stored in `currency`. With `rounded`, the amount may be a conversion from
  // another currency (its rounding is stated by the payment).
  ExprPtr amount(const ast::ExprPtr& e, Mismatch mismatch, bool rounded, int& currency);
  // Whether `x * y` or `x / y` of these units converts between currencies: its result is a
  // currency and an operand holds another, whose index it returns (docs/language.md §4.1).
  std::optional<int> converts(const Unit& result, const Unit& lhs, const Unit& rhs) const;
  [[gnu::noinline]] void unrounded_conversion(const ast::Expr& e, int from, const Unit& result);
  // `mismatch` takes the type wanted and the type found, after `subject` when one is given.
  ExprPtr typed(const ast::ExprPtr& e, const Type& want, PhraseId mismatch, const std::string& subject = {});
  void table(const ast::TableDecl& t, int index);
  void text_table(const ast::TableDecl& t, checked::Table& out);
  std::optional<Number> constant(const ast::Expr& e, Type* type);
  // ---- examples (check_examples.cpp) ----
  checked::Example example(const ast::ExampleDecl& ex);
  checked::Expectation expectation(const ast::Expectation& e);
  bool expected_thing(const ast::Expectation& e, checked::Expectation& x);
  // `name`: what the expectation names, or empty for an amount between parties.
  ExprPtr expected_value(const ast::Expectation& e, const Type& want, const std::string& name);
  void find_cycles();
  // ---- unlimited terms (check_unlimited.cpp) ----
  ExprPtr unlimited_value(const ast::Expr& e);
  // Each term's first use other than a bare limit (E322), and which inputs are read: one walk.
  std::vector<bool> find_uses();
  void find_cycles_across_periods();

  // ---- expressions ----
  ExprPtr expr(const ast::Expr& e);
  // Not const: a node about to be freed is emptied first (checked.hpp).
  // A node made in its place: (node, type, range), or a node already made.
  template <typename... Parts>
  ExprPtr make(Parts&&... parts) {
    return std::make_unique<checked::Expr>(std::forward<Parts>(parts)...);
  }
  ExprPtr name_ref(const ast::Expr& e, const ast::NameRef& n);
  ExprPtr call(const ast::Expr& e, const ast::Call& n);
  ExprPtr special_form(const ast::Expr& e, const ast::Call& n);
  bool arity(const ast::Expr& e, const ast::Call& n, std::size_t lo, std::size_t hi);  // E312 if not
  ExprPtr calendar_date(const ast::Expr& e, const ast::Call& n);
  ExprPtr date_shift(const ast::Expr& e, const ast::Call& n);
  ExprPtr binary(const ast::Expr& e, const ast::Binary& n);
  ExprPtr over_participants(const ast::Expr& e, const ast::OverParticipants& n);
  std::optional<int> participant_set(const ast::Name& n);
  // `range` is that of the referring node of the contract's syntax tree, which outlives the
  // checker: the edge points at it. (The examples' expressions that the checker makes itself
  // are typed after the graph is searched, with no `current_`, so they record no edge.)
  void depend(Node target, const SourceRange& range) {
    if (!current_) return;
    // The lists of the node being typed, found once for its run of references (a map's
    // elements stay where they are; an entry is made only when something is added to it).
    if (!edges_of_ || *edges_of_ != *current_) edges_of_ = *current_, deps_at_ = nullptr, links_at_ = nullptr;
    if (previous_depth_ == 0) (deps_at_ ? *deps_at_ : *(deps_at_ = &deps_[*current_])).push_back({target, &range});
    (links_at_ ? *links_at_ : *(links_at_ = &links_[*current_])).push_back({target, &range, absolute_depth_ > 0});
  }
  std::optional<Node> edges_of_;
  Deps* deps_at_ = nullptr;
  Links* links_at_ = nullptr;
  Unit unit_with_spellings(Unit u) const {
    u.set_spellings(spellings_);
    return u;
  }
};

}  // namespace utfall::check_internal
