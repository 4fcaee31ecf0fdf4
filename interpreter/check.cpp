// Check: resolve names, type every expression with its unit, build the calendar, verify tables,
// find cycles, and hand forward an immutable checked::Contract.
#include "interpreter/check.hpp"
#include "interpreter/stack.hpp"
#include "interpreter/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "stdlib/builtins.hpp"

namespace utfall {
namespace {

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

struct Binder {
  std::string name;
  int set;
  int slot;
};

class Checker {
 public:
  Checker(checked::Contract& out, Diagnostics& diags)
      : c_(out), diags_(diags), stack_base_(stack_here()), stack_(stack_base_, CheckOptions{}.max_stack_bytes) {}

  void run(const ast::Contract& a);
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
  std::map<std::string, Symbol, std::less<>> globals_;
  std::map<std::string, std::string, std::less<>> unit_names_;  // spelling -> dimension
  std::vector<Unit::Spelling> spellings_;
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
  struct Link {
    Node target;
    SourceRange range;
    bool absolute;
  };
  std::map<Node, std::vector<Link>> links_;
  // Expressions being typed, counted through the definitions they use (see CheckOptions).
  std::size_t typing_depth_ = 0;
  std::map<Node, std::vector<std::pair<Node, SourceRange>>> deps_;
  std::map<Node, std::string> node_names_;
  bool term_context_ = false;  // terms may use only literals and other terms
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
  std::map<Node, DefSource> sources_;
  enum class Typing { pending, active, typed, failed };
  std::map<Node, Typing> state_;
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
  void report_cycle(std::size_t from, Node n, const SourceRange& via);

  // ---- diagnostics ----
  void error(DiagKind kind, std::string code, std::string message, const SourceRange& range,
             std::string suggestion = {}) {
    Diagnostic d;
    d.kind = kind;
    d.code = std::move(code);
    d.message = std::move(message);
    d.range = range;
    d.suggestion = std::move(suggestion);
    if (clause_ >= 0 && clause_ < static_cast<int>(c_.clauses.size()) && !c_.clauses[clause_].number.empty())
      d.clause = c_.clauses[clause_].label();
    diags_.push_back(std::move(d));
  }
  void warning(std::string code, std::string message, const SourceRange& range) {
    Diagnostic d;
    d.severity = Severity::warning;
    d.kind = DiagKind::name;
    d.code = std::move(code);
    d.message = std::move(message);
    d.range = range;
    diags_.push_back(std::move(d));
  }
  std::string suggest(std::string_view name) const {
    // The closest global name by edit distance, when it is close.
    std::string best;
    std::size_t best_d = 3;
    for (const auto& [g, _] : globals_) {
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
    return best.empty() ? std::string{} : fmt::format("did you mean `{}`?", best);
  }
  // When `name` is a field or a per-participant definition of a participant input: how to
  // read it, through a participant in scope of that input if there is one.
  std::string field_hint(std::string_view name) const {
    auto read_through = [&](int set, const char* what) {
      const std::string& input = c_.inputs[set].name;
      auto b = std::find_if(binders_.rbegin(), binders_.rend(), [&](const Binder& x) { return x.set == set; });
      if (b != binders_.rend()) return fmt::format("`{}` is {} of `{}`: write `{}.{}`", name, what, input, b->name, name);
      return fmt::format("`{}` is {} of `{}`: read it through a participant, `u.{}` inside `for each u in {}`", name, what, input,
                         name, input);
    };
    for (std::size_t i = 0; i < c_.inputs.size(); ++i)
      for (const auto& f : c_.inputs[i].fields)
        if (c_.inputs[i].participants && f.name == name) return read_through(int(i), "a field");
    for (const auto& d : c_.participant_defs)
      if (d.name == name && d.set >= 0) return read_through(d.set, "a definition for each participant");
    return {};
  }

  // ---- declarations ----
  void header(const ast::Contract& a);
  void calendar(const ast::Contract& a);
  void declare(const std::string& name, SymbolKind kind, int index, const SourceRange& range);
  std::optional<int> period(const ast::PeriodRef& ref);
  checked::Applicability applicability(const ast::Applicability& a);
  std::optional<int> party(const ast::Name& n);
  std::optional<Unit> unit(const ast::UnitSpelling& s);
  std::optional<Type> type(const ast::TypeSpelling& t, bool* percent);
  std::optional<RoundingMode> mode(const ast::Name& n);
  std::optional<checked::Rounding> rounding(const std::optional<ast::Rounding>& r, const Type& of);
  ExprPtr money(const ast::ExprPtr& e, const char* what);
  ExprPtr typed(const ast::ExprPtr& e, const Type& want, const char* what);
  void table(const ast::TableDecl& t, int index);
  std::optional<Number> constant(const ast::Expr& e, Type* type);
  void find_cycles();
  void find_cycles_across_periods();

  // ---- expressions ----
  ExprPtr expr(const ast::Expr& e);
  // Not const: a node about to be freed is emptied first (checked.hpp).
  ExprPtr make(checked::Expr&& e) { return std::make_unique<checked::Expr>(std::move(e)); }
  ExprPtr name_ref(const ast::Expr& e, const ast::NameRef& n);
  ExprPtr call(const ast::Expr& e, const ast::Call& n);
  ExprPtr binary(const ast::Expr& e, const ast::Binary& n);
  ExprPtr over_participants(const ast::Expr& e, const ast::OverParticipants& n);
  std::optional<int> participant_set(const ast::Name& n);
  void depend(Node target, const SourceRange& range) {
    if (!current_) return;
    if (previous_depth_ == 0) deps_[*current_].push_back({target, range});
    links_[*current_].push_back({target, range, absolute_depth_ > 0});
  }
  Unit unit_with_spellings(Unit u) const {
    u.set_spellings(spellings_);
    return u;
  }
};

// ---------------------------------------------------------------------------------------------

void Checker::header(const ast::Contract& a) {
  c_.minor_unit = Number::fraction(1, 100);
  if (!a.header || a.header->currency.text.empty()) {
    Diagnostic d;
    d.kind = DiagKind::structure;
    d.code = "E401";
    d.message = "the contract declares no currency (add `currency SEK`)";
    d.range = SourceRange{a.source, {}, 0};
    diags_.push_back(std::move(d));
    return;
  }
  c_.title = a.header->title;
  c_.currency = a.header->currency.text;
  unit_names_[c_.currency] = c_.currency;
  if (a.header->minor_unit) {
    if (a.header->minor_unit->sign() <= 0)
      error(DiagKind::structure, "E402", "the minor unit of the currency must be positive", a.header->currency.range);
    else
      c_.minor_unit = *a.header->minor_unit;
  }
  for (const auto& u : a.units) {
    for (const ast::Name* n : {&u.singular, u.plural ? &*u.plural : nullptr}) {
      if (!n) continue;
      if (unit_names_.count(n->text))
        error(DiagKind::name, "E201", fmt::format("the unit `{}` is declared twice", n->text), n->range);
      unit_names_[n->text] = u.singular.text;
    }
    spellings_.push_back({u.singular.text, u.plural ? u.plural->text : u.singular.text});
  }
  c_.units = spellings_;
  c_.money = unit_with_spellings(Unit::of(c_.currency));
  for (const auto& p : a.parties) {
    if (party(p.id).has_value() && c_.party_index(p.id.text))
      error(DiagKind::name, "E201", fmt::format("the party `{}` is declared twice", p.id.text), p.id.range);
    c_.parties.push_back({p.id.text, p.display});
  }
}

std::optional<int> Checker::party(const ast::Name& n) {
  if (auto i = c_.party_index(n.text)) return i;
  return std::nullopt;
}

static std::string two_digits(int v) { return fmt::format("{:02}", v); }

void Checker::calendar(const ast::Contract& a) {
  if (!a.calendar) {
    Diagnostic d;
    d.kind = DiagKind::structure;
    d.code = "E403";
    d.message = "the contract declares no periods (add, for example, `periods yearly 2025 .. 2029`)";
    d.range = SourceRange{a.source, {}, 0};
    diags_.push_back(std::move(d));
    return;
  }
  const auto& cal = *a.calendar;
  using K = ast::CalendarDecl::Kind;
  if (cal.kind == K::named) {
    if (cal.names.size() > max_periods_) {
      error(DiagKind::limit, "E702", fmt::format("the calendar lists {} periods, more than the limit of {}", cal.names.size(), max_periods_),
            cal.range);
      return;
    }
    std::set<std::string_view> seen;
    for (const auto& n : cal.names) {
      if (!seen.insert(n.name).second)
        error(DiagKind::structure, "E404", fmt::format("the period `{}` is listed twice", n.name), n.range);
      c_.periods.push_back(n.name);
    }
    return;
  }
  // yearly: 2025; quarterly: 2025Q1; monthly: 2025-01
  auto parse = [&](const ast::PeriodRef& r) -> std::optional<std::pair<int, int>> {
    const std::string& s = r.name;
    auto digits = [](std::string_view t) {
      return !t.empty() && t.size() <= 4 && std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    };
    if (cal.kind == K::yearly && digits(s)) return std::pair{std::stoi(s), 0};
    if (cal.kind == K::quarterly && s.size() == 6 && digits(s.substr(0, 4)) && s[4] == 'Q' && s[5] >= '1' && s[5] <= '4')
      return std::pair{std::stoi(s.substr(0, 4)), s[5] - '1'};
    if (cal.kind == K::monthly && s.size() == 7 && digits(s.substr(0, 4)) && s[4] == '-' && digits(s.substr(5))) {
      int m = std::stoi(s.substr(5));
      if (m >= 1 && m <= 12) return std::pair{std::stoi(s.substr(0, 4)), m - 1};
    }
    const char* form = cal.kind == K::yearly ? "a year such as 2025" : cal.kind == K::quarterly ? "a quarter such as 2025Q1" : "a month such as 2025-01";
    error(DiagKind::structure, "E405", fmt::format("`{}` is not {}", s, form), r.range);
    return std::nullopt;
  };
  auto first = parse(cal.names.at(0)), last = parse(cal.names.at(1));
  if (!first || !last) return;
  int per_year = cal.kind == K::yearly ? 1 : cal.kind == K::quarterly ? 4 : 12;
  long a0 = long(first->first) * per_year + first->second, a1 = long(last->first) * per_year + last->second;
  if (a1 < a0) {
    error(DiagKind::structure, "E406", "the last period comes before the first", cal.range);
    return;
  }
  if (a1 - a0 + 1 > static_cast<long>(max_periods_)) {
    error(DiagKind::limit, "E702", fmt::format("the calendar has {} periods, more than the limit of {}", a1 - a0 + 1, max_periods_), cal.range);
    return;
  }
  for (long k = a0; k <= a1; ++k) {
    int year = int(k / per_year), sub = int(k % per_year);
    if (cal.kind == K::yearly) c_.periods.push_back(std::to_string(year));
    else if (cal.kind == K::quarterly) c_.periods.push_back(fmt::format("{}Q{}", year, sub + 1));
    else c_.periods.push_back(fmt::format("{}-{}", year, two_digits(sub + 1)));
  }
}

std::optional<int> Checker::period(const ast::PeriodRef& ref) {
  if (auto i = c_.period_index(ref.name)) return i;
  std::string range = c_.periods.empty() ? "" : fmt::format(" ({} .. {})", c_.periods.front(), c_.periods.back());
  error(DiagKind::structure, "E407", fmt::format("`{}` is not a period of the calendar{}", ref.name, range), ref.range);
  return std::nullopt;
}

checked::Applicability Checker::applicability(const ast::Applicability& a) {
  checked::Applicability r{0, static_cast<int>(c_.periods.size()) - 1};
  if (a.from) r.first = period(*a.from).value_or(r.first);
  bool same = a.from && a.until && a.from->range.begin.offset == a.until->range.begin.offset;  // `in P`
  if (a.until) r.last = same ? r.first : period(*a.until).value_or(r.last);
  if (r.last < r.first) error(DiagKind::structure, "E408", "the periods run backwards: the last comes before the first", a.range);
  return r;
}

void Checker::declare(const std::string& name, SymbolKind kind, int index, const SourceRange& range) {
  auto [it, fresh] = globals_.emplace(name, Symbol{kind, index, range});
  if (!fresh) {
    Diagnostic d;
    d.kind = DiagKind::name;
    d.code = "E202";
    d.message = fmt::format("`{}` is declared twice", name);
    d.range = range;
    d.related.push_back({it->second.range, "first declared here"});
    diags_.push_back(std::move(d));
  }
}

std::optional<Unit> Checker::unit(const ast::UnitSpelling& s) {
  Unit u;
  bool ok = true;
  auto dim = [&](const ast::Name& n) -> std::optional<Unit> {
    auto it = unit_names_.find(n.text);
    if (it != unit_names_.end()) return Unit::of(it->second);
    if (implicit_units_) return Unit::of(n.text);
    std::string hint = globals_.count(n.text) ? fmt::format("`{}` is a name, not a unit; write an operator between a number and a name", n.text)
                                               : fmt::format("declare it with `unit {}`", n.text);
    error(DiagKind::type, "E301", fmt::format("unknown unit `{}`", n.text), n.range, hint);
    ok = false;
    return std::nullopt;
  };
  for (const auto& n : s.numerator)
    if (auto d = dim(n)) u = u * *d;
  for (const auto& n : s.denominator)
    if (auto d = dim(n)) u = u / *d;
  if (!ok) return std::nullopt;
  return unit_with_spellings(u);
}

std::optional<Type> Checker::type(const ast::TypeSpelling& t, bool* percent) {
  using K = ast::TypeSpelling::Kind;
  if (percent) *percent = t.kind == K::percent;
  switch (t.kind) {
    case K::number:
    case K::ratio:
    case K::percent: return Type::number();
    case K::boolean: return Type::boolean();
    case K::period: return Type::period();
    case K::text: return Type::text();
    case K::unit:
      if (auto u = unit(t.unit)) return Type::number(*u);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<RoundingMode> Checker::mode(const ast::Name& n) {
  if (auto m = rounding_mode_from_name(n.text)) return m;
  error(DiagKind::name, "E203", fmt::format("`{}` is not a rounding mode", n.text), n.range,
        "use half_up, half_down, half_even, up, down, ceiling or floor");
  return std::nullopt;
}

std::optional<checked::Rounding> Checker::rounding(const std::optional<ast::Rounding>& r, const Type& of) {
  if (!r) return std::nullopt;
  auto m = mode(r->mode);
  auto step = expr(*r->step);
  if (step && !(step->type == of) && !(step->type == Type::number())) {
    error(DiagKind::type, "E302", fmt::format("the rounding step is {}, but the value is {}", step->type.to_string(), of.to_string()),
          r->step->range);
    return std::nullopt;
  }
  if (!m || !step) return std::nullopt;
  return checked::Rounding{std::move(step), *m, r->range};
}

ExprPtr Checker::typed(const ast::ExprPtr& e, const Type& want, const char* what) {
  if (!e) return nullptr;
  auto x = expr(*e);
  if (x && !(x->type == want)) {
    error(DiagKind::type, "E303", fmt::format("{} must be {}, but this is {}", what, want.to_string(), x->type.to_string()), e->range);
    return nullptr;
  }
  return x;
}

ExprPtr Checker::money(const ast::ExprPtr& e, const char* what) { return typed(e, Type::number(c_.money), what); }

std::optional<Number> Checker::constant(const ast::Expr& e, Type* t) {
  // Table bounds are constants: literals with units, negation and arithmetic on them.
  if (auto* lit = std::get_if<ast::NumberLit>(&e.node)) {
    auto u = unit(lit->unit);
    if (!u) return std::nullopt;
    *t = Type::number(*u);
    return lit->value;
  }
  if (auto* un = std::get_if<ast::Unary>(&e.node); un && un->op == ast::UnaryOp::negate) {
    auto v = constant(*un->operand, t);
    if (v) return -*v;
    return std::nullopt;
  }
  error(DiagKind::structure, "E409", "a table bound must be a number written out (with its unit)", e.range);
  return std::nullopt;
}

void Checker::table(const ast::TableDecl& t, int index) {
  checked::Table out;
  out.name = t.name.text;
  out.scale = t.kind == ast::TableDecl::Kind::scale;
  out.clause = clause_;
  out.range = t.range;
  bool ok = true, have_key = false, have_value = false;
  for (const auto& row : t.rows) {
    checked::TableRow r;
    r.lower_closed = row.lower_closed;
    r.upper_closed = row.upper_closed;
    for (auto [src, dst] : {std::pair{&row.lower, &r.lower}, std::pair{&row.upper, &r.upper}}) {
      if (!*src) continue;
      Type kt;
      auto v = constant(**src, &kt);
      if (!v) { ok = false; continue; }
      if (have_key && !(kt == out.key_type)) {
        error(DiagKind::type, "E304", fmt::format("this bound is {}, but the table's keys are {}", kt.to_string(), out.key_type.to_string()), (*src)->range);
        ok = false;
      }
      out.key_type = kt;
      have_key = true;
      *dst = *v;
    }
    Type vt;
    auto v = constant(*row.value, &vt);
    if (!v) { ok = false; continue; }
    if (have_value && !(vt == out.value_type)) {
      error(DiagKind::type, "E304", fmt::format("this value is {}, but the table's values are {}", vt.to_string(), out.value_type.to_string()), row.value->range);
      ok = false;
    }
    out.value_type = vt;
    have_value = true;
    r.value = *v;
    out.rows.push_back(std::move(r));
  }
  if (t.rows.empty() || (out.scale && t.rows.size() < 2)) {
    error(DiagKind::structure, "E410", out.scale ? "a scale needs at least two points" : "a table needs at least one row", t.range);
    ok = false;
  }
  if (ok && out.scale) {
    for (std::size_t i = 1; i < out.rows.size(); ++i)
      if (!(*out.rows[i - 1].lower < *out.rows[i].lower)) {
        error(DiagKind::structure, "E411", "the points of a scale must increase strictly", t.rows[i].range);
        ok = false;
      }
  } else if (ok) {
    // Sort by lower bound (an open lower end first) and require each row to end where the next begins.
    std::vector<std::size_t> order(out.rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto key = [&](std::size_t i) { return out.rows[i].lower; };
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      if (!key(x)) return key(y).has_value();
      if (!key(y)) return false;
      return *key(x) < *key(y);
    });
    for (std::size_t k = 0; k < order.size(); ++k) {
      const auto& r = out.rows[order[k]];
      const auto& src = t.rows[order[k]];
      if (r.lower && r.upper && (*r.upper < *r.lower || (*r.upper == *r.lower && !(r.lower_closed && r.upper_closed)))) {
        error(DiagKind::structure, "E412", "this interval is empty", src.range);
        ok = false;
      }
      if (k > 0 && !r.lower) {
        error(DiagKind::structure, "E413", "only the first interval can be open below", src.range);
        ok = false;
      }
      if (k + 1 == order.size()) break;
      const auto& next = out.rows[order[k + 1]];
      const auto& next_src = t.rows[order[k + 1]];
      if (!r.upper) {
        error(DiagKind::structure, "E414", "this interval is open above and overlaps the next", src.range);
        ok = false;
        continue;
      }
      if (!next.lower) continue;
      bool gap = *r.upper < *next.lower || (*r.upper == *next.lower && !r.upper_closed && !next.lower_closed);
      bool overlap = *next.lower < *r.upper || (*r.upper == *next.lower && r.upper_closed && next.lower_closed);
      if (gap || overlap) {
        Diagnostic d;
        d.kind = DiagKind::structure;
        d.code = gap ? "E415" : "E416";
        d.message = fmt::format("the table `{}` has {} between this interval and the next at {}", t.name.text,
                                gap ? "a gap" : "an overlap", (gap ? *r.upper : *next.lower).to_string());
        d.range = src.range;
        d.related.push_back({next_src.range, "the next interval"});
        diags_.push_back(std::move(d));
        ok = false;
      }
    }
    std::vector<checked::TableRow> sorted;
    for (auto i : order) sorted.push_back(out.rows[i]);
    out.rows = std::move(sorted);
  }
  (void)index;
  c_.tables.push_back(std::move(out));
}

std::optional<int> Checker::participant_set(const ast::Name& n) {
  auto it = globals_.find(n.text);
  if (it == globals_.end() || it->second.kind != SymbolKind::input || !c_.inputs[it->second.index].participants) {
    error(DiagKind::name, "E204", fmt::format("`{}` is not a participant input", n.text), n.range, suggest(n.text));
    return std::nullopt;
  }
  return it->second.index;
}

// ---- expressions ----

ExprPtr Checker::expr(const ast::Expr& e) {
  // Each definition's expression is bounded by the parser (1000 operators), and chains of
  // definitions by E703 (400), but not their product, which is what the stack holds.
  if (typing_depth_ >= max_depth_ || stack_.exhausted()) {
    error(DiagKind::limit, "E703",
          fmt::format("expressions and the definitions they use nest too deep: more than {} levels, or {} of stack",
                      max_depth_, byte_size_text(stack_.allowed())),
          e.range);
    return nullptr;
  }
  ++typing_depth_;
  struct Leave {
    std::size_t& depth;
    ~Leave() { --depth; }
  } leave{typing_depth_};
  return std::visit(
      [&](const auto& n) -> ExprPtr {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::NumberLit>) {
          auto u = unit(n.unit);
          if (!u) return nullptr;
          return make({checked::Const{n.value}, Type::number(*u), e.range});
        } else if constexpr (std::is_same_v<T, ast::BoolLit>) {
          return make({checked::Const{n.value}, Type::boolean(), e.range});
        } else if constexpr (std::is_same_v<T, ast::PeriodLit>) {
          auto p = period(n.period);
          if (!p) return nullptr;
          return make({checked::Const{checked::PeriodValue{*p}}, Type::period(), e.range});
        } else if constexpr (std::is_same_v<T, ast::CurrentPeriod>) {
          if (term_context_) {
            error(DiagKind::type, "E305", "a term is a constant and cannot depend on the period", e.range);
            return nullptr;
          }
          return make({checked::CurrentPeriod{}, Type::period(), e.range});
        } else if constexpr (std::is_same_v<T, ast::NameRef>) {
          return name_ref(e, n);
        } else if constexpr (std::is_same_v<T, ast::FieldRef>) {
          auto b = std::find_if(binders_.rbegin(), binders_.rend(), [&](const Binder& x) { return x.name == n.binder.text; });
          if (b == binders_.rend()) {
            error(DiagKind::name, "E205", fmt::format("`{}` is not a participant in scope here", n.binder.text), n.binder.range,
                  "bind one with `sum(... for u in SET)`, `count(u in SET)` or `for each u in SET`");
            return nullptr;
          }
          const auto& input = c_.inputs[b->set];
          for (std::size_t i = 0; i < input.fields.size(); ++i)
            if (input.fields[i].name == n.field.text)
              return make({checked::FieldRef{b->slot, b->set, static_cast<int>(i)}, input.fields[i].type, e.range});
          for (std::size_t i = 0; i < c_.participant_defs.size(); ++i) {
            const auto& d = c_.participant_defs[i];
            if (d.set == b->set && d.name == n.field.text) {
              depend({node_pdef, static_cast<int>(i)}, e.range);
              if (!ensure({node_pdef, static_cast<int>(i)}, e.range)) return nullptr;
              return make({checked::ParticipantDefRef{b->slot, static_cast<int>(i)}, d.type, e.range});
            }
          }
          error(DiagKind::name, "E206", fmt::format("the participants `{}` have no field or definition `{}`", input.name, n.field.text),
                n.field.range);
          return nullptr;
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          auto x = expr(*n.operand);
          if (!x) return nullptr;
          if (n.op == ast::UnaryOp::negate) {
            if (x->type.kind != TypeKind::number) {
              error(DiagKind::type, "E306", fmt::format("cannot negate a {}", x->type.to_string()), e.range);
              return nullptr;
            }
            Type t = x->type;
            return make({checked::Unary{Op::negate, std::move(x)}, t, e.range});
          }
          if (x->type.kind != TypeKind::boolean) {
            error(DiagKind::type, "E307", fmt::format("`not` needs a boolean, but this is {}", x->type.to_string()), n.operand->range);
            return nullptr;
          }
          return make({checked::Unary{Op::logical_not, std::move(x)}, Type::boolean(), e.range});
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          return binary(e, n);
        } else if constexpr (std::is_same_v<T, ast::If>) {
          auto c = expr(*n.condition);
          auto t = expr(*n.then_branch);
          auto f = expr(*n.else_branch);
          if (!c || !t || !f) return nullptr;
          if (c->type.kind != TypeKind::boolean) {
            error(DiagKind::type, "E307", fmt::format("the condition of `if` must be boolean, but this is {}", c->type.to_string()),
                  n.condition->range);
            return nullptr;
          }
          if (!(t->type == f->type)) {
            error(DiagKind::type, "E308",
                  fmt::format("the branches of `if` differ: {} and {}", t->type.to_string(), f->type.to_string()), e.range);
            return nullptr;
          }
          Type ty = t->type;
          return make({checked::If{std::move(c), std::move(t), std::move(f)}, ty, e.range});
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          return call(e, n);
        } else if constexpr (std::is_same_v<T, ast::At>) {
          auto p = period(n.period);
          if (term_context_) {
            error(DiagKind::type, "E305", "a term is a constant and cannot depend on the period", e.range);
            return nullptr;
          }
          auto x = absolute_periods([&] { return expr(*n.operand); });
          if (!p || !x) return nullptr;
          Type t = x->type;
          return make({checked::At{std::move(x), *p}, t, e.range});
        } else if constexpr (std::is_same_v<T, ast::OverPeriods>) {
          auto first = period(n.first), last = period(n.last);
          auto x = absolute_periods([&] { return expr(*n.body); });
          if (!first || !last || !x) return nullptr;
          if (*last < *first) {
            error(DiagKind::structure, "E408", "the periods run backwards: the last comes before the first", e.range);
            return nullptr;
          }
          if (x->type.kind != TypeKind::number) {
            error(DiagKind::type, "E309", fmt::format("sum(...) needs numbers, but this is {}", x->type.to_string()), n.body->range);
            return nullptr;
          }
          Type t = x->type;
          return make({checked::OverPeriods{std::move(x), *first, *last}, t, e.range});
        } else if constexpr (std::is_same_v<T, ast::OverParticipants>) {
          return over_participants(e, n);
        }
      },
      e.node);
}

ExprPtr Checker::name_ref(const ast::Expr& e, const ast::NameRef& n) {
  auto it = globals_.find(n.name.text);
  if (it == globals_.end()) {
    if (rounding_mode_from_name(n.name.text)) {
      error(DiagKind::name, "E207", fmt::format("`{}` is a rounding mode; it belongs in round(x, step, {})", n.name.text, n.name.text),
            n.name.range);
      return nullptr;
    }
    auto hint = field_hint(n.name.text);
    error(DiagKind::name, "E208", fmt::format("unknown name `{}`", n.name.text), n.name.range, hint.empty() ? suggest(n.name.text) : hint);
    return nullptr;
  }
  const Symbol& s = it->second;
  if (term_context_ && s.kind != SymbolKind::term) {
    error(DiagKind::type, "E305", fmt::format("a term is a constant; it cannot use `{}`", n.name.text), e.range);
    return nullptr;
  }
  switch (s.kind) {
    case SymbolKind::input: {
      const auto& in = c_.inputs[s.index];
      if (in.participants) {
        error(DiagKind::type, "E310", fmt::format("`{}` is a set of participants; use it in sum(...) or count(...)", in.name), e.range);
        return nullptr;
      }
      return make({checked::InputRef{s.index}, in.type, e.range});
    }
    case SymbolKind::term:
      depend({node_term, s.index}, e.range);
      if (!ensure({node_term, s.index}, e.range)) return nullptr;
      return make({checked::TermRef{s.index}, c_.terms[s.index].type, e.range});
    case SymbolKind::def:
      depend({node_def, s.index}, e.range);
      if (!ensure({node_def, s.index}, e.range)) return nullptr;
      return make({checked::DefRef{s.index}, c_.defs[s.index].type, e.range});
    case SymbolKind::payment:
      depend({node_payment, s.index}, e.range);
      return make({checked::PaymentRef{s.index}, Type::number(c_.money), e.range});
    case SymbolKind::waterfall:
      depend({node_waterfall, s.index}, e.range);
      return make({checked::WaterfallRef{s.index}, Type::number(c_.money), e.range});
    case SymbolKind::table:
      error(DiagKind::type, "E311", fmt::format("`{}` is a table; look a value up with {}(x)", n.name.text, n.name.text), e.range);
      return nullptr;
  }
  return nullptr;
}

ExprPtr Checker::call(const ast::Expr& e, const ast::Call& n) {
  const std::string& f = n.callee.text;
  auto arity = [&](std::size_t lo, std::size_t hi) {
    if (n.args.size() < lo || n.args.size() > hi) {
      std::string want = lo == hi ? std::to_string(lo) : hi == SIZE_MAX ? fmt::format("at least {}", lo) : fmt::format("{} to {}", lo, hi);
      error(DiagKind::type, "E312", fmt::format("{}(...) takes {} arguments, not {}", f, want, n.args.size()), e.range);
      return false;
    }
    return true;
  };
  // A table lookup.
  if (auto it = globals_.find(f); it != globals_.end() && it->second.kind == SymbolKind::table) {
    if (!arity(1, 1)) return nullptr;
    auto key = expr(*n.args[0]);
    if (!key) return nullptr;
    const auto& t = c_.tables[it->second.index];
    if (!(key->type == t.key_type)) {
      error(DiagKind::type, "E313", fmt::format("the table `{}` is keyed by {}, but this is {}", f, t.key_type.to_string(), key->type.to_string()),
            n.args[0]->range);
      return nullptr;
    }
    Type vt = t.value_type;
    return make({checked::TableLookup{it->second.index, std::move(key)}, vt, e.range});
  }
  auto id = stdlib::find_builtin(f);
  if (!id) {
    error(DiagKind::name, "E209", fmt::format("unknown function `{}`", f), n.callee.range,
          "the functions are min, max, clamp, abs, round, to_date, previous, and the tables of the contract");
    return nullptr;
  }
  if (f == "round") {
    if (!arity(3, 3)) return nullptr;
    auto x = expr(*n.args[0]);
    auto step = expr(*n.args[1]);
    const auto* mode_name = std::get_if<ast::NameRef>(&n.args[2]->node);
    std::optional<RoundingMode> m;
    if (!mode_name)
      error(DiagKind::type, "E314", "the third argument of round is a rounding mode such as half_even", n.args[2]->range);
    else
      m = mode(mode_name->name);
    if (!x || !step || !m) return nullptr;
    if (x->type.kind != TypeKind::number || (!(step->type == x->type) && !(step->type == Type::number()))) {
      error(DiagKind::type, "E302", fmt::format("round needs a number and a step of its unit (or a plain step), not {} and {}",
                                                x->type.to_string(), step->type.to_string()), e.range);
      return nullptr;
    }
    Type t = x->type;
    return make({checked::Round{std::move(x), std::move(step), *m}, t, e.range});
  }
  if (f == "to_date" || f == "previous") {
    if (term_context_) {
      error(DiagKind::type, "E305", "a term is a constant and cannot depend on the period", e.range);
      return nullptr;
    }
    if (f == "to_date") {
      if (!arity(1, 1)) return nullptr;
      auto x = expr(*n.args[0]);
      if (!x) return nullptr;
      if (x->type.kind != TypeKind::number) {
        error(DiagKind::type, "E309", fmt::format("to_date needs a number, but this is {}", x->type.to_string()), n.args[0]->range);
        return nullptr;
      }
      Type t = x->type;
      return make({checked::ToDate{std::move(x)}, t, e.range});
    }
    if (!arity(2, 2)) return nullptr;
    ++previous_depth_;
    auto x = expr(*n.args[0]);
    --previous_depth_;
    auto fb = expr(*n.args[1]);
    if (!x || !fb) return nullptr;
    if (!(x->type == fb->type)) {
      error(DiagKind::type, "E315", fmt::format("the fallback of previous is {}, but the value is {}", fb->type.to_string(), x->type.to_string()),
            n.args[1]->range);
      return nullptr;
    }
    Type t = x->type;
    return make({checked::Previous{std::move(x), std::move(fb)}, t, e.range});
  }
  const auto& b = stdlib::builtins()[*id];
  std::size_t lo = 1, hi = 1;
  if (b.signature == stdlib::Signature::same_unit_variadic) lo = 2, hi = SIZE_MAX;
  if (b.signature == stdlib::Signature::same_unit_3) lo = hi = 3;
  if (!arity(lo, hi)) return nullptr;
  std::vector<ExprPtr> args;
  bool ok = true;
  for (const auto& a : n.args) {
    auto x = expr(*a);
    if (!x) { ok = false; continue; }
    if (x->type.kind != TypeKind::number) {
      error(DiagKind::type, "E316", fmt::format("{} needs numbers, but this is {}", f, x->type.to_string()), a->range);
      ok = false;
      continue;
    }
    if (!args.empty() && !(args.front()->type == x->type)) {
      error(DiagKind::type, "E317", fmt::format("the arguments of {} must have one unit: {} and {}", f, args.front()->type.to_string(), x->type.to_string()),
            a->range, "write `0 " + args.front()->type.to_string() + "` rather than `0` for a zero of that unit");
      ok = false;
      continue;
    }
    args.push_back(std::move(x));
  }
  if (!ok) return nullptr;
  Type t = args.front()->type;
  return make({checked::Builtin{*id, std::move(args)}, t, e.range});
}

static const char* op_text(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::add: return "+";
    case ast::BinaryOp::subtract: return "-";
    case ast::BinaryOp::multiply: return "*";
    case ast::BinaryOp::divide: return "/";
    case ast::BinaryOp::less: return "<";
    case ast::BinaryOp::less_equal: return "<=";
    case ast::BinaryOp::greater: return ">";
    case ast::BinaryOp::greater_equal: return ">=";
    case ast::BinaryOp::equal: return "=";
    case ast::BinaryOp::not_equal: return "!=";
    case ast::BinaryOp::logical_and: return "and";
    case ast::BinaryOp::logical_or: return "or";
  }
  return "?";
}

ExprPtr Checker::binary(const ast::Expr& e, const ast::Binary& n) {
  auto l = expr(*n.lhs);
  auto r = expr(*n.rhs);
  if (!l || !r) return nullptr;
  using B = ast::BinaryOp;
  const Type lt = l->type, rt = r->type;
  auto fail = [&](std::string msg) -> ExprPtr {
    error(DiagKind::type, "E318", std::move(msg), e.range);
    return nullptr;
  };
  auto node = [&](Op op, Type t) { return make({checked::Binary{op, std::move(l), std::move(r)}, std::move(t), e.range}); };
  switch (n.op) {
    case B::logical_and:
    case B::logical_or:
      if (lt.kind != TypeKind::boolean || rt.kind != TypeKind::boolean)
        return fail(fmt::format("`{}` needs booleans, not {} and {}", op_text(n.op), lt.to_string(), rt.to_string()));
      return node(n.op == B::logical_and ? Op::logical_and : Op::logical_or, Type::boolean());
    case B::add:
    case B::subtract:
      if (n.op == B::add && lt.kind == TypeKind::period && rt == Type::number()) return node(Op::period_add, Type::period());
      if (n.op == B::subtract && lt.kind == TypeKind::period && rt == Type::number()) {  // p - k is p + -k
        auto range = r->range;
        r = make({checked::Unary{Op::negate, std::move(r)}, Type::number(), std::move(range)});
        return node(Op::period_add, Type::period());
      }
      if (lt.kind != TypeKind::number || rt.kind != TypeKind::number || !(lt.unit == rt.unit))
        return fail(fmt::format("cannot {} {} and {}", n.op == B::add ? "add" : "subtract", lt.to_string(), rt.to_string()));
      return node(n.op == B::add ? Op::add : Op::subtract, lt);
    case B::multiply:
    case B::divide:
      if (lt.kind != TypeKind::number || rt.kind != TypeKind::number)
        return fail(fmt::format("cannot {} {} by {}", n.op == B::multiply ? "multiply" : "divide", lt.to_string(), rt.to_string()));
      return node(n.op == B::multiply ? Op::multiply : Op::divide,
                  Type::number(unit_with_spellings(n.op == B::multiply ? lt.unit * rt.unit : lt.unit / rt.unit)));
    default: {
      bool ordered = n.op != B::equal && n.op != B::not_equal;
      bool same = lt == rt;
      bool comparable = same && (lt.kind == TypeKind::number || lt.kind == TypeKind::period || !ordered);
      if (!comparable)
        return fail(fmt::format("cannot compare {} with {} using `{}`", lt.to_string(), rt.to_string(), op_text(n.op)));
      Op op = n.op == B::less ? Op::less : n.op == B::less_equal ? Op::less_equal : n.op == B::greater ? Op::greater
            : n.op == B::greater_equal ? Op::greater_equal : n.op == B::equal ? Op::equal : Op::not_equal;
      return node(op, Type::boolean());
    }
  }
}

ExprPtr Checker::over_participants(const ast::Expr& e, const ast::OverParticipants& n) {
  if (term_context_) {
    error(DiagKind::type, "E305", "a term is a constant and cannot depend on data", e.range);
    return nullptr;
  }
  auto set = participant_set(n.set);
  if (!set) return nullptr;
  int slot = binder_count_++;
  binders_.push_back({n.binder.text, *set, slot});
  ExprPtr filter, body;
  bool ok = true;
  if (n.filter) {
    filter = expr(*n.filter);
    if (filter && filter->type.kind != TypeKind::boolean) {
      error(DiagKind::type, "E307", fmt::format("the condition after `where` must be boolean, but this is {}", filter->type.to_string()),
            n.filter->range);
      ok = false;
    }
    ok = ok && filter;
  }
  if (n.body) {
    body = expr(*n.body);
    if (body && body->type.kind != TypeKind::number) {
      error(DiagKind::type, "E309", fmt::format("sum(...) needs numbers, but this is {}", body->type.to_string()), n.body->range);
      ok = false;
    }
    ok = ok && body;
  }
  binders_.pop_back();
  if (!ok) return nullptr;
  Type t = n.is_count ? Type::number() : body->type;
  return make({checked::OverParticipants{n.is_count, std::move(body), *set, slot, std::move(filter)}, t, e.range});
}

bool Checker::ensure(Node n, const SourceRange& via) {
  if (sources_.empty()) return true;  // a standalone expression: everything is typed already
  auto& state = state_[n];
  if (state == Typing::typed) return true;
  if (state == Typing::failed) {
    ++failed_references_;
    return false;
  }
  if (state == Typing::active) {
    auto on = std::find_if(typing_stack_.begin(), typing_stack_.end(), [&](const Frame& f) { return f.node == n; });
    report_cycle(static_cast<std::size_t>(on - typing_stack_.begin()), n, via);
    ++failed_references_;
    return false;
  }
  const DefSource& src = sources_.at(n);
  if (src.set < 0 && n.first == node_pdef) {  // its set is unknown (E204 was reported)
    state = Typing::failed;
    ++failed_references_;
    return false;
  }
  if (typing_stack_.size() >= 400) {
    error(DiagKind::limit, "E703", "definitions depend on each other more than 400 deep", src.expr->range);
    state = Typing::failed;
    return false;
  }
  state = Typing::active;
  typing_stack_.push_back({n, previous_depth_ > 0});
  // Type it in its own context (clause, binders, previous()), then restore the caller's.
  auto saved_current = current_;
  int saved_clause = clause_, saved_previous = previous_depth_, saved_absolute = absolute_depth_;
  bool saved_term = term_context_;
  auto saved_binders = std::move(binders_);
  binders_.clear();
  current_ = n;
  clause_ = src.clause;
  previous_depth_ = 0;
  absolute_depth_ = 0;
  term_context_ = n.first == node_term;
  if (n.first == node_pdef) {
    c_.participant_defs[n.second].binder = binder_count_;
    binders_.push_back({src.binder, src.set, binder_count_++});
  }
  std::size_t errors_before = diags_.size(), failed_before = failed_references_;
  auto r = expr(*src.expr);
  binders_ = std::move(saved_binders);
  current_ = saved_current;
  clause_ = saved_clause;
  previous_depth_ = saved_previous;
  absolute_depth_ = saved_absolute;
  term_context_ = saved_term;
  typing_stack_.pop_back();
  if (!r) {
    state_[n] = Typing::failed;
    // Every failure is reported where it is found: a definition fails silently only through
    // one that failed (or a cycle) already reported. Anything else is a bug in the checker.
    if (diags_.size() == errors_before && failed_references_ == failed_before)
      error(DiagKind::internal, "E903", fmt::format("internal error: `{}` could not be typed, and no reason was found (a bug in utfall)",
                                                    node_names_[n]), src.expr->range);
    return false;
  }
  Type t = r->type;
  if (n.first == node_term) {
    c_.terms[n.second].type = t;
    c_.terms[n.second].value = std::move(r);
  } else if (n.first == node_def) {
    c_.defs[n.second].type = t;
    c_.defs[n.second].value = std::move(r);
  } else {
    c_.participant_defs[n.second].type = t;
    c_.participant_defs[n.second].value = std::move(r);
  }
  state_[n] = Typing::typed;
  return true;
}

// A reference to a definition that is being typed closes a cycle: the stack from `from` on,
// and the reference `via` written in the innermost one (the clause being typed now). Through
// previous() the values may be well defined, but the type is not (E215); otherwise the value
// needs itself in the same period (E210).
void Checker::report_cycle(std::size_t from, Node n, const SourceRange& via) {
  bool through_previous = previous_depth_ > 0;
  std::vector<std::string> names;
  for (std::size_t k = from; k < typing_stack_.size(); ++k) {
    names.push_back(node_names_[typing_stack_[k].node]);
    if (k > from) through_previous = through_previous || typing_stack_[k].through_previous;
  }
  names.push_back(node_names_[n]);
  bool fresh = false;
  for (std::size_t k = from; k < typing_stack_.size(); ++k) fresh = cycle_reported_.insert(typing_stack_[k].node).second || fresh;
  if (!fresh) return;
  if (through_previous)
    error(DiagKind::name, "E215",
          names.size() == 2 ? fmt::format("`{}` refers to itself, so its type cannot be found", names.front())
                            : fmt::format("the type of `{}` cannot be found: {}", names.front(), fmt::join(names, " -> ")),
          via,
          "a value may use its own earlier values through previous(x, fallback) only when x is another definition; "
          "or use to_date / sum over periods");
  else
    error(DiagKind::name, "E210", fmt::format("`{}` depends on itself: {}", names.front(), fmt::join(names, " -> ")), via,
          "a value may use its own earlier values only through previous(x, fallback)");
}

// Depth-first search without recursion (a chain of 100 000 payments is 100 000 deep); the path
// from the root is `stack`, so a circle is reported with its names.
void Checker::find_cycles() {
  std::map<Node, int> state;  // 0 new, 1 on the path, 2 done
  std::vector<std::pair<Node, SourceRange>> stack;
  std::set<Node> reported;
  struct Frame {
    Node node;
    std::size_t next = 0;
  };
  for (const auto& [root, _] : node_names_) {
    if (state[root] != 0) continue;
    std::vector<Frame> frames{{root}};
    state[root] = 1;
    while (!frames.empty()) {
      Frame& f = frames.back();
      const auto& edges = deps_[f.node];
      if (f.next == edges.size()) {
        state[f.node] = 2;
        frames.pop_back();
        if (!stack.empty()) stack.pop_back();
        continue;
      }
      const auto& [m, range] = edges[f.next++];
      if (state[m] == 0) {
        stack.push_back({m, range});
        state[m] = 1;
        frames.push_back({m});
        continue;
      }
      if (state[m] != 1 || reported.count(m) || cycle_reported_.count(m)) continue;
      reported.insert(m);
      // The cycle is the part of the path from m on, closed by this reference.
      std::vector<std::string> names;
      auto it = std::find_if(stack.begin(), stack.end(), [&, target = m](const auto& s) { return s.first == target; });
      it = it == stack.end() ? stack.begin() : it + 1;
      for (auto k = it; k != stack.end(); ++k) names.push_back(node_names_[k->first]);
      names.push_back(node_names_[m]);
      Diagnostic d;
      d.kind = DiagKind::name;
      d.code = "E210";
      d.message = fmt::format("`{}` depends on itself: {} -> {}", node_names_[m], node_names_[m], fmt::join(names, " -> "));
      d.range = range;
      d.suggestion = "a value may use its own earlier values only through previous(x, fallback)";
      diags_.push_back(std::move(d));
    }
  }
  if (reported.empty() && cycle_reported_.empty()) find_cycles_across_periods();
}

// Strongly connected components of all references (Tarjan's algorithm, without recursion); a
// reference by `@` or `sum(... over ...)` inside a component closes a circle through previous().
void Checker::find_cycles_across_periods() {
  std::map<Node, int> index, low;
  std::map<Node, bool> on_stack;
  std::map<Node, int> component;
  std::vector<Node> stack;
  int counter = 0, components = 0;
  struct Frame {
    Node node;
    std::size_t next = 0;
  };
  for (const auto& [root, _] : node_names_) {
    if (index.count(root)) continue;
    std::vector<Frame> frames{{root}};
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      Frame& f = frames.back();
      const auto& edges = links_[f.node];
      if (f.next < edges.size()) {
        Node m = edges[f.next++].target;
        if (!index.count(m)) {
          index[m] = low[m] = counter++;
          stack.push_back(m);
          on_stack[m] = true;
          frames.push_back({m});
        } else if (on_stack[m]) {
          low[f.node] = std::min(low[f.node], index[m]);
        }
        continue;
      }
      Node n = f.node;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().node] = std::min(low[frames.back().node], low[n]);
      if (low[n] != index[n]) continue;
      Node m;
      do {
        m = stack.back();
        stack.pop_back();
        on_stack[m] = false;
        component[m] = components;
      } while (m != n);
      ++components;
    }
  }
  std::set<int> reported;
  for (const auto& [from, links] : links_)
    for (const auto& l : links) {
      if (!l.absolute || component[from] != component[l.target] || !reported.insert(component[from]).second) continue;
      Diagnostic d;
      d.kind = DiagKind::name;
      d.code = "E210";
      d.message = fmt::format("`{}` may depend on itself: it uses `{}` in a named period (`@` or `sum(... over ...)`), and `{}` "
                              "depends on `{}`, at most through previous()",
                              node_names_[from], node_names_[l.target], node_names_[l.target], node_names_[from]);
      d.range = l.range;
      d.suggestion = "previous(x, fallback) only looks back if nothing in the circle names a period with `@` or `over`";
      diags_.push_back(std::move(d));
    }
}

// ---- the whole contract ----

void Checker::run(const ast::Contract& a) {
  c_.source = a.source;
  header(a);
  calendar(a);
  if (has_errors(diags_)) return;  // without currency and calendar nothing else can be typed
  clause_ = -1;

  // Declare every global name first, so that order in the file does not matter.
  for (std::size_t i = 0; i < a.inputs.size(); ++i) declare(a.inputs[i].name.text, SymbolKind::input, int(i), a.inputs[i].name.range);
  for (std::size_t i = 0; i < a.terms.size(); ++i) declare(a.terms[i].name.text, SymbolKind::term, int(i), a.terms[i].name.range);
  int defs = 0, pays = 0, falls = 0, tables = 0;
  for (const auto& cl : a.clauses) {
    for (const auto& item : cl.items) {
      if (auto* l = std::get_if<ast::LetDecl>(&item)) declare(l->name.text, SymbolKind::def, defs++, l->name.range);
      if (auto* p = std::get_if<ast::PaymentDecl>(&item); p && p->name) declare(p->name->text, SymbolKind::payment, pays, p->name->range);
      if (std::holds_alternative<ast::PaymentDecl>(item)) ++pays;
      if (auto* w = std::get_if<ast::WaterfallDecl>(&item); w && w->name) declare(w->name->text, SymbolKind::waterfall, falls, w->name->range);
      if (std::holds_alternative<ast::WaterfallDecl>(item)) ++falls;
      if (auto* t = std::get_if<ast::TableDecl>(&item)) declare(t->name.text, SymbolKind::table, tables++, t->name.range);
    }
  }

  // Inputs
  for (const auto& in : a.inputs) {
    checked::Input out;
    out.name = in.name.text;
    out.participants = in.participants;
    out.range = in.name.range;
    if (in.participants) {
      std::set<std::string> seen;
      for (const auto& f : in.fields) {
        if (!seen.insert(f.name.text).second)
          error(DiagKind::name, "E211", fmt::format("the field `{}` is declared twice", f.name.text), f.name.range);
        bool percent = false;
        auto t = type(f.type, &percent);
        out.fields.push_back({f.name.text, t.value_or(Type::number()), percent});
      }
    } else {
      bool percent = false;
      out.type = type(in.type, &percent).value_or(Type::number());
      out.percent = percent;
      auto ap = applicability(in.periods);
      out.first = ap.first;
      out.last = ap.last;
    }
    c_.inputs.push_back(std::move(out));
  }

  // Clauses (numbers and titles first: diagnostics cite them)
  std::set<std::string> numbers;
  for (const auto& cl : a.clauses) {
    if (!cl.number.empty() && !numbers.insert(cl.number).second)
      error(DiagKind::structure, "E417", fmt::format("clause {} is declared twice", cl.number), cl.range);
    c_.clauses.push_back({cl.number, cl.title});
  }

  // Tables first: definitions may look values up in them.
  int table_index = 0;
  for (std::size_t ci = 0; ci < a.clauses.size(); ++ci) {
    clause_ = int(ci);
    for (const auto& item : a.clauses[ci].items)
      if (auto* t = std::get_if<ast::TableDecl>(&item)) table(*t, table_index++);
  }
  clause_ = -1;

  // Terms, definitions and per-participant definitions. A definition's type comes from its
  // expression, which may use other definitions declared anywhere: each is typed on demand
  // (ensure), once; a reference to one that failed is not reported again.
  for (const auto& t : a.terms) {
    Node n{node_term, int(c_.terms.size())};
    c_.terms.push_back({t.name.text, Type::number(), nullptr, t.name.range, ast::written_as_percent(*t.value)});
    node_names_[n] = t.name.text;
    sources_[n] = {t.value.get(), -1, -1, ""};
  }
  for (std::size_t ci = 0; ci < a.clauses.size(); ++ci)
    for (const auto& item : a.clauses[ci].items) {
      if (auto* l = std::get_if<ast::LetDecl>(&item)) {
        Node n{node_def, int(c_.defs.size())};
        c_.defs.push_back({l->name.text, Type::number(), nullptr, int(ci), l->name.range});
        node_names_[n] = l->name.text;
        sources_[n] = {l->value.get(), int(ci), -1, ""};
      }
      if (auto* f = std::get_if<ast::ForEachDecl>(&item)) {
        clause_ = int(ci);
        auto set = participant_set(f->set);
        for (const auto& l : f->lets) {
          Node n{node_pdef, int(c_.participant_defs.size())};
          c_.participant_defs.push_back({l.name.text, set.value_or(-1), Type::number(), nullptr, int(ci), l.name.range, -1});
          node_names_[n] = f->binder.text + "." + l.name.text;
          sources_[n] = {l.value.get(), int(ci), set.value_or(-1), f->binder.text};
        }
      }
    }
  clause_ = -1;
  for (const auto& [n, _] : sources_) ensure(n, {});

  // Tables, payments and waterfalls, clause by clause.
  int pay_index = 0, fall_index = 0;
  for (std::size_t ci = 0; ci < a.clauses.size(); ++ci) {
    clause_ = int(ci);
    for (const auto& item : a.clauses[ci].items) {
      if (auto* p = std::get_if<ast::PaymentDecl>(&item)) {
        current_ = Node{node_payment, pay_index};
        node_names_[*current_] = p->name ? p->name->text : fmt::format("payment {} -> {}", p->payer.text, p->payee.text);
        checked::Payment out;
        out.name = p->name ? p->name->text : "";
        out.clause = int(ci);
        out.range = p->range;
        auto payer = party(p->payer), payee = party(p->payee);
        for (auto [id, n] : {std::pair{payer, &p->payer}, std::pair{payee, &p->payee}})
          if (!id) error(DiagKind::name, "E212", fmt::format("`{}` is not a declared party", n->text), n->range, "declare it with `party " + n->text + "`");
        if (payer && payee && *payer == *payee)
          error(DiagKind::structure, "E418", "a party cannot pay itself", p->payee.range);
        out.payer = payer.value_or(-1);
        out.payee = payee.value_or(-1);
        out.periods = applicability(p->periods);
        if (p->set) {
          auto set = participant_set(*p->set);
          if (set) {
            out.set = *set;
            out.binder = binder_count_++;
            binders_.push_back({p->binder->text, *set, out.binder});
          }
        }
        if (!p->amount) error(DiagKind::structure, "E419", "the payment has no `amount`", p->range);
        out.amount = money(p->amount, "the amount of a payment");
        if (p->filter) out.filter = typed(p->filter, Type::boolean(), "the condition after `where`");
        // A per-participant payment rounds each participant's amount (§16.3): its step may use `u`.
        out.rounding = rounding(p->rounding, Type::number(c_.money));
        auto caps_in_order = std::vector<const ast::Cap*>{};
        for (const auto& cap : p->caps) if (cap.scope == ast::Cap::Scope::per_participant) caps_in_order.push_back(&cap);
        for (const auto& cap : p->caps) if (cap.scope != ast::Cap::Scope::per_participant) caps_in_order.push_back(&cap);
        for (const auto* cap_ptr : caps_in_order) {
          const auto& cap = *cap_ptr;
          using S = ast::Cap::Scope;
          // The participant is in scope for the amount, the filter and the per-participant
          // cap only: the other caps and the floor apply to the sum over participants.
          if (out.set >= 0 && cap.scope != S::per_participant && binders_.size() && binders_.back().slot == out.binder)
            binders_.pop_back();
          if (cap.scope == S::per_participant && out.set < 0) {
            error(DiagKind::structure, "E420", "a cap per participant needs a payment `for each` participant", cap.range);
            continue;
          }
          auto& slot = cap.scope == S::per_period ? out.cap_period : cap.scope == S::in_total ? out.cap_total : out.cap_participant;
          if (slot) error(DiagKind::structure, "E421", "this payment already has a cap of this kind", cap.range);
          slot = money(cap.amount, "a cap");
        }
        if (out.set >= 0 && binders_.size() && binders_.back().slot == out.binder) binders_.pop_back();
        if (p->floor) out.floor = money(p->floor, "a floor (`at least`)");
        if (p->condition) out.condition = typed(p->condition, Type::boolean(), "the condition after `when`");
        out.netted = p->netted;
        c_.payments.push_back(std::move(out));
        ++pay_index;
      }
      if (auto* w = std::get_if<ast::WaterfallDecl>(&item)) {
        current_ = Node{node_waterfall, fall_index};
        node_names_[*current_] = w->name ? w->name->text : fmt::format("waterfall of {}", w->payer.text);
        checked::Waterfall out;
        out.name = w->name ? w->name->text : "";
        out.clause = int(ci);
        out.range = w->range;
        auto payer = party(w->payer);
        if (!payer) error(DiagKind::name, "E212", fmt::format("`{}` is not a declared party", w->payer.text), w->payer.range);
        out.payer = payer.value_or(-1);
        out.pool = money(w->pool, "the pool of a waterfall");
        out.periods = applicability(w->periods);
        out.netted = w->netted;
        if (w->tiers.empty()) error(DiagKind::structure, "E422", "a waterfall needs at least one tier", w->range);
        for (std::size_t k = 0; k < w->tiers.size(); ++k) {
          const auto& t = w->tiers[k];
          checked::Tier tier;
          tier.kind = static_cast<checked::Tier::Kind>(t.kind);
          tier.name = t.name ? t.name->text : "";
          tier.range = t.range;
          auto payee = party(t.payee);
          if (!payee) error(DiagKind::name, "E212", fmt::format("`{}` is not a declared party", t.payee.text), t.payee.range);
          tier.payee = payee.value_or(-1);
          if (t.kind == ast::Tier::Kind::rest && k + 1 != w->tiers.size())
            error(DiagKind::structure, "E423", "`rest to` must be the last tier", t.range);
          if (t.kind == ast::Tier::Kind::up_to) tier.amount = money(t.amount, "the limit of a tier");
          if (t.kind == ast::Tier::Kind::share_of_rest) tier.amount = typed(t.amount, Type::number(), "a share");
          if (t.cap) tier.cap = money(t.cap, "the cap of a tier");
          tier.rounding = rounding(t.rounding, Type::number(c_.money));
          if (payee && payer && *payee != *payer &&
              std::find(out.payees.begin(), out.payees.end(), *payee) == out.payees.end())
            out.payees.push_back(*payee);
          out.tiers.push_back(std::move(tier));
        }
        c_.waterfalls.push_back(std::move(out));
        ++fall_index;
      }
    }
  }
  current_.reset();
  clause_ = -1;
  find_cycles();
  c_.binder_count = binder_count_;

  // Examples
  for (const auto& ex : a.examples) {
    checked::Example out;
    out.name = ex.name;
    out.data_files = ex.data_files;
    out.range = ex.range;
    for (const auto& [name, value] : ex.overrides) {
      auto t = c_.term_index(name.text);
      if (!t) {
        error(DiagKind::name, "E213", fmt::format("`{}` is not a term", name.text), name.range, suggest(name.text));
        continue;
      }
      if (auto d = ambiguous_percent(c_.terms[*t], *value)) {
        diags_.push_back(std::move(*d));
        continue;
      }
      term_context_ = true;
      auto v = typed(value, c_.terms[*t].type, "the new value of the term");
      term_context_ = false;
      if (v) out.overrides.emplace_back(*t, std::move(v));
    }
    for (const auto& e : ex.expectations) {
      checked::Expectation x;
      auto payer = party(e.payer), payee = party(e.payee);
      for (auto [id, n] : {std::pair{payer, &e.payer}, std::pair{payee, &e.payee}})
        if (!id) error(DiagKind::name, "E212", fmt::format("`{}` is not a declared party", n->text), n->range);
      if (e.period) x.period = period(*e.period);
      term_context_ = true;
      x.amount = money(e.amount, "an expected amount");
      term_context_ = false;
      x.payer = payer.value_or(-1);
      x.payee = payee.value_or(-1);
      x.range = e.range;
      out.expectations.push_back(std::move(x));
    }
    c_.examples.push_back(std::move(out));
  }

  // Inputs that nothing uses are probably a mistake in the contract or its data.
  std::vector<bool> used(c_.inputs.size());
  std::function<void(const checked::Expr&)> mark = [&](const checked::Expr& x) {
    std::visit([&](const auto& n) {
      using T = std::decay_t<decltype(n)>;
      if constexpr (std::is_same_v<T, checked::InputRef>) used[n.input] = true;
      if constexpr (std::is_same_v<T, checked::OverParticipants>) used[n.set] = true;
      if constexpr (requires { n.operand; }) if (n.operand) mark(*n.operand);
      if constexpr (requires { n.lhs; }) { mark(*n.lhs); mark(*n.rhs); }
      if constexpr (requires { n.args; }) for (const auto& a2 : n.args) mark(*a2);
      if constexpr (requires { n.condition; }) { mark(*n.condition); mark(*n.then_branch); mark(*n.else_branch); }
      if constexpr (requires { n.body; }) if (n.body) mark(*n.body);
      if constexpr (requires { n.filter; }) if (n.filter) mark(*n.filter);
      if constexpr (requires { n.step; }) mark(*n.step);
      if constexpr (requires { n.fallback; }) mark(*n.fallback);
      if constexpr (requires { n.key; }) mark(*n.key);
    }, x.node);
  };
  auto mark_ptr = [&](const ExprPtr& x) { if (x) mark(*x); };
  for (const auto& d : c_.defs) mark_ptr(d.value);
  for (const auto& d : c_.participant_defs) mark_ptr(d.value);
  for (const auto& p : c_.payments) {
    for (const auto* x : {&p.amount, &p.condition, &p.filter, &p.cap_period, &p.cap_total, &p.cap_participant, &p.floor}) mark_ptr(*x);
    if (p.set >= 0) used[p.set] = true;
  }
  for (const auto& w : c_.waterfalls) {
    mark_ptr(w.pool);
    for (const auto& t : w.tiers) { mark_ptr(t.amount); mark_ptr(t.cap); }
  }
  // Only a contract without errors is judged for this: a failed expression may be the user.
  for (std::size_t i = 0; i < used.size() && !has_errors(diags_); ++i)
    if (!used[i]) warning("W201", fmt::format("the input `{}` is declared but never used", c_.inputs[i].name), c_.inputs[i].range);
}

void Checker::add_globals_from_contract() {
  for (std::size_t i = 0; i < c_.inputs.size(); ++i) globals_.emplace(c_.inputs[i].name, Symbol{SymbolKind::input, int(i), {}});
  for (std::size_t i = 0; i < c_.terms.size(); ++i) globals_.emplace(c_.terms[i].name, Symbol{SymbolKind::term, int(i), {}});
  for (std::size_t i = 0; i < c_.defs.size(); ++i) globals_.emplace(c_.defs[i].name, Symbol{SymbolKind::def, int(i), {}});
  for (std::size_t i = 0; i < c_.payments.size(); ++i)
    if (!c_.payments[i].name.empty()) globals_.emplace(c_.payments[i].name, Symbol{SymbolKind::payment, int(i), {}});
  for (std::size_t i = 0; i < c_.waterfalls.size(); ++i)
    if (!c_.waterfalls[i].name.empty()) globals_.emplace(c_.waterfalls[i].name, Symbol{SymbolKind::waterfall, int(i), {}});
  for (std::size_t i = 0; i < c_.tables.size(); ++i) globals_.emplace(c_.tables[i].name, Symbol{SymbolKind::table, int(i), {}});
  if (!c_.currency.empty()) unit_names_[c_.currency] = c_.currency;
  for (const auto& s : c_.units) {
    unit_names_.emplace(s.singular, s.singular);
    unit_names_.emplace(s.plural, s.singular);
  }
  spellings_ = c_.units;
}

}  // namespace

std::optional<Diagnostic> ambiguous_percent(const checked::Term& term, const ast::Expr& value) {
  auto bare = ast::bare_number(value);
  if (!term.percent || !bare) return std::nullopt;
  const Number as_written = *bare;
  const Number hundred = Number::from_int(100);
  std::string text = as_written.to_string();
  Diagnostic d;
  d.kind = DiagKind::type;
  d.code = "E319";
  d.message = fmt::format("`{}` is a percentage (written with %), and the bare number `{}` reads two ways: {} % (that is {}) "
                          "or the number {} (that is {} %)", term.name, text, text, (as_written / hundred).to_string(), text,
                          (as_written * hundred).to_string());
  d.range = value.range;
  d.suggestion = fmt::format("write `{} %` for {} %, or `{} %` for the number {}", text, text, (as_written * hundred).to_string(), text);
  return d;
}

// Both entries run where the stack holds the checker's budget (stack.hpp).
CheckResult check(const ast::Contract& contract, const CheckOptions& options) {
  return with_stack(options.max_stack_bytes, [&] {
    CheckResult result;
    auto out = std::make_shared<checked::Contract>();
    Checker checker(*out, result.diagnostics);
    checker.set_max_periods(options.max_periods);
    checker.set_max_depth(options.max_depth, options.max_stack_bytes);
    checker.run(contract);
    // A second opinion on every type and scope (verify.hpp): a checker defect stops here.
    if (!has_errors(result.diagnostics))
      for (auto& d : verify(*out)) result.diagnostics.push_back(std::move(d));
    if (!has_errors(result.diagnostics)) result.contract = std::move(out);
    return result;
  });
}

ExpressionCheckResult check_expression(const ast::Expr& expr, const checked::Contract* context) {
  return with_stack(CheckOptions{}.max_stack_bytes, [&] {
    ExpressionCheckResult result;
    checked::Contract empty;
    // The checker may add binder slots; for a standalone expression they live in a scratch
    // copy. The checker only reads the contract when it checks an expression (binder slots
    // past the contract's own are counted in the checker, and the evaluator grows its slots).
    checked::Contract& c = context ? const_cast<checked::Contract&>(*context) : empty;
    Checker checker(c, result.diagnostics);
    checker.start_binders_at(c.binder_count);
    checker.outside_clauses();
    if (context) checker.add_globals_from_contract();
    else checker.set_implicit_units();
    result.expr = checker.expression(expr);
    return result;
  });
}

}  // namespace utfall
