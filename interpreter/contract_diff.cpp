#include "interpreter/contract_diff.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace utfall {
namespace {

using checked::Contract;
using checked::Expr;
using checked::ExprPtr;

std::string written(const SourceRange& r) { return written_text(r); }
std::string written(const ExprPtr& e) { return e ? written(e->range) : std::string(); }

std::string period_name(const Contract& c, int index) {
  return index >= 0 && static_cast<std::size_t>(index) < c.periods.size() ? c.periods[index] : fmt::format("#{}", index);
}
struct RuleKeys {
  explicit RuleKeys(const Contract& c);
  std::vector<std::string> payments, waterfalls;
};

// Whether two checked expressions of two contracts compute the same thing: the same tree, each
// reference naming the same thing by name.
struct SameExpr {
  const Contract& a;
  const Contract& b;
  const RuleKeys& keys_a;
  const RuleKeys& keys_b;

  bool operator()(const ExprPtr& x, const ExprPtr& y) const {
    if (!x || !y) return !x && !y;
    return (*this)(*x, *y);
  }
  bool operator()(const Expr& x, const Expr& y) const {
    if (x.node.index() != y.node.index() || x.type.to_string() != y.type.to_string()) return false;
    return std::visit([&](const auto& n) { return same(n, std::get<std::decay_t<decltype(n)>>(y.node)); }, x.node);
  }

  bool same(const checked::Const& x, const checked::Const& y) const {
    if (auto* p = std::get_if<checked::PeriodValue>(&x.value))
      return std::holds_alternative<checked::PeriodValue>(y.value) &&
             period_name(a, p->index) == period_name(b, std::get<checked::PeriodValue>(y.value).index);
    return x.value == y.value;
  }
  bool same(const checked::InputRef& x, const checked::InputRef& y) const { return a.inputs[x.input].name == b.inputs[y.input].name; }
  bool same(const checked::TermRef& x, const checked::TermRef& y) const { return a.terms[x.term].name == b.terms[y.term].name; }
  bool same(const checked::DefRef& x, const checked::DefRef& y) const { return a.defs[x.def].name == b.defs[y.def].name; }
  bool same(const checked::PaymentRef& x, const checked::PaymentRef& y) const {
    return keys_a.payments[x.payment] == keys_b.payments[y.payment];
  }
  bool same(const checked::WaterfallRef& x, const checked::WaterfallRef& y) const {
    return keys_a.waterfalls[x.waterfall] == keys_b.waterfalls[y.waterfall];
  }
  bool same(const checked::FieldRef& x, const checked::FieldRef& y) const {
    const auto &sa = a.inputs[x.set], &sb = b.inputs[y.set];
    if (sa.name != sb.name || sa.fields[x.field].name != sb.fields[y.field].name || (x.linked < 0) != (y.linked < 0)) return false;
    if (x.linked < 0) return true;
    const auto &la = sa.fields[x.field], &lb = sb.fields[y.field];
    if (la.link < 0 || lb.link < 0) return la.link == lb.link;
    return a.inputs[la.link].fields[x.linked].name == b.inputs[lb.link].fields[y.linked].name;
  }
  bool same(const checked::ParticipantDefRef& x, const checked::ParticipantDefRef& y) const {
    if (a.participant_defs[x.def].name != b.participant_defs[y.def].name || (x.set < 0) != (y.set < 0)) return false;
    if (x.set < 0) return true;
    if (a.inputs[x.set].name != b.inputs[y.set].name || (x.link_field < 0) != (y.link_field < 0)) return false;
    return x.link_field < 0 || a.inputs[x.set].fields[x.link_field].name == b.inputs[y.set].fields[y.link_field].name;
  }
  bool same(const checked::CurrentPeriod&, const checked::CurrentPeriod&) const { return true; }
  bool same(const checked::Unary& x, const checked::Unary& y) const { return x.op == y.op && (*this)(x.operand, y.operand); }
  bool same(const checked::Binary& x, const checked::Binary& y) const {
    return x.op == y.op && (*this)(x.lhs, y.lhs) && (*this)(x.rhs, y.rhs);
  }
  bool same(const checked::If& x, const checked::If& y) const {
    return (*this)(x.condition, y.condition) && (*this)(x.then_branch, y.then_branch) && (*this)(x.else_branch, y.else_branch);
  }
  bool same(const checked::Builtin& x, const checked::Builtin& y) const {
    if (x.id != y.id || x.args.size() != y.args.size()) return false;
    for (std::size_t i = 0; i < x.args.size(); ++i)
      if (!(*this)(x.args[i], y.args[i])) return false;
    return true;
  }
  bool same(const checked::Round& x, const checked::Round& y) const {
    return x.mode == y.mode && (*this)(x.operand, y.operand) && (*this)(x.step, y.step);
  }
  bool same(const checked::ToDate& x, const checked::ToDate& y) const { return (*this)(x.operand, y.operand); }
  bool same(const checked::Previous& x, const checked::Previous& y) const {
    return (*this)(x.operand, y.operand) && (*this)(x.fallback, y.fallback);
  }
  bool same(const checked::At& x, const checked::At& y) const {
    return period_name(a, x.period) == period_name(b, y.period) && (*this)(x.operand, y.operand);
  }
  bool same(const checked::OverPeriods& x, const checked::OverPeriods& y) const {
    return period_name(a, x.first) == period_name(b, y.first) && period_name(a, x.last) == period_name(b, y.last) &&
           (*this)(x.body, y.body);
  }
  bool same(const checked::OverParticipants& x, const checked::OverParticipants& y) const {
    return x.is_count == y.is_count && a.inputs[x.set].name == b.inputs[y.set].name && (*this)(x.body, y.body) &&
           (*this)(x.filter, y.filter);
  }
  bool same(const checked::TableLookup& x, const checked::TableLookup& y) const {
    return a.tables[x.table].name == b.tables[y.table].name && (*this)(x.key, y.key);
  }
  bool same(const checked::CalendarDate& x, const checked::CalendarDate& y) const {
    return x.part == y.part && (*this)(x.operand, y.operand);
  }
  bool same(const checked::DateShift& x, const checked::DateShift& y) const {
    return x.unit == y.unit && x.month_end == y.month_end && (*this)(x.operand, y.operand) && (*this)(x.step, y.step);
  }
};

// The key of each rule: its name, or for an unnamed one what it is called by:
// `PAYER -> PAYEE in clause N` for a payment, `PAYER pays in clause N` for a waterfall (with `#2`,
// `#3` for a second and third such rule of one clause). Computed once per contract.
template <class Rule, class Describe>
std::vector<std::string> rule_keys(const std::vector<Rule>& rules, Describe describe) {
  std::vector<std::string> keys;
  std::map<std::string, int> seen;
  for (const auto& r : rules) {
    if (!r.name.empty()) {
      keys.push_back(r.name);
      continue;
    }
    std::string mine = describe(r);
    int before = seen[mine]++;
    keys.push_back(before ? fmt::format("{} #{}", mine, before + 1) : mine);
  }
  return keys;
}
RuleKeys::RuleKeys(const Contract& c)
    : payments(rule_keys(c.payments, [&](const checked::Payment& p) {
        return fmt::format("{} -> {} in clause {}", c.parties[p.payer].id, c.parties[p.payee].id, c.clauses[p.clause].number);
      })),
      waterfalls(rule_keys(c.waterfalls, [&](const checked::Waterfall& w) {
        return fmt::format("{} pays in clause {}", c.parties[w.payer].id, c.clauses[w.clause].number);
      })) {}

std::string periods_text(const Contract& c, const checked::Applicability& a) {
  if (c.periods.empty()) return {};
  if (a.first == 0 && a.last + 1 == static_cast<int>(c.periods.size())) return "every period";
  return a.first == a.last ? period_name(c, a.first) : period_name(c, a.first) + " .. " + period_name(c, a.last);
}
std::string rounding_text(const std::optional<checked::Rounding>& r) {
  return r ? fmt::format("rounded {} to {}", rounding_mode_name(r->mode), written(r->step)) : std::string();
}
std::string calendar_text(const Contract& c) {
  if (c.periods.empty()) return "no periods";
  return fmt::format("{} .. {} ({} periods)", c.periods.front(), c.periods.back(), c.periods.size());
}

// The key of a declaration matched by its name.
constexpr auto by_name = [](const Contract&, const auto& x, std::size_t) { return x.name; };

class Differ {
 public:
  Differ(const Contract& a, const Contract& b) : a_(a), b_(b), keys_a_(a), keys_b_(b), same_{a, b, keys_a_, keys_b_} {}

  std::vector<ContractChange> run() {
    if (a_.title != b_.title) add("contract", "title", "title", a_.title, b_.title);
    currencies();
    if (a_.periods != b_.periods) add("calendar", "periods", "periods", calendar_text(a_), calendar_text(b_));
    parties();
    inputs();
    terms();
    tables();
    clauses();
    defs();
    payments();
    waterfalls();
    return std::move(changes_);
  }

 private:
  const Contract& a_;
  const Contract& b_;
  RuleKeys keys_a_, keys_b_;
  SameExpr same_;
  std::vector<ContractChange> changes_;

  void add(std::string kind, std::string name, std::string what, std::string old_text, std::string new_text) {
    changes_.push_back({std::move(kind), std::move(name), std::move(what), std::move(old_text), std::move(new_text)});
  }
  // Two expressions of one part of a declaration: a change when they differ.
  // Where the text is the same, the types differ (a currency renamed): each side then shows its type.
  void expr(const std::string& kind, const std::string& name, const std::string& what, const ExprPtr& x, const ExprPtr& y) {
    if (same_(x, y)) return;
    std::string old_text = written(x), new_text = written(y);
    if (x && y && old_text == new_text) old_text += " (" + x->type.to_string() + ")", new_text += " (" + y->type.to_string() + ")";
    add(kind, name, what, std::move(old_text), std::move(new_text));
  }
  void text(const std::string& kind, const std::string& name, const std::string& what, const std::string& x, const std::string& y) {
    if (x != y) add(kind, name, what, x, y);
  }

  // Declarations matched by key (`key(contract, declaration, index)`): removed ones (in OLD's
  // order), then for each of NEW's in its order, added or compared.
  template <class T, class Key, class Shown, class Compare>
  void matched(const std::string& kind, const std::vector<T>& old_seq, const std::vector<T>& new_seq, Key key, Shown shown,
               Compare compare) {
    std::map<std::string, std::size_t> in_new, in_old;
    for (std::size_t i = 0; i < new_seq.size(); ++i) in_new.emplace(key(b_, new_seq[i], i), i);
    for (std::size_t i = 0; i < old_seq.size(); ++i) in_old.emplace(key(a_, old_seq[i], i), i);
    for (std::size_t i = 0; i < old_seq.size(); ++i)
      if (!in_new.count(key(a_, old_seq[i], i))) add(kind, key(a_, old_seq[i], i), "removed", shown(old_seq[i]), "");
    for (std::size_t i = 0; i < new_seq.size(); ++i) {
      const std::string name = key(b_, new_seq[i], i);
      auto it = in_old.find(name);
      if (it == in_old.end()) add(kind, name, "added", "", shown(new_seq[i]));
      else compare(name, old_seq[it->second], new_seq[i]);
    }
  }

  void currencies() {
    auto key = [](const Contract&, const auto& x, std::size_t) { return x.code; };
    auto shown = [](const checked::Currency& x) { return x.code; };
    matched("currency", a_.currencies, b_.currencies, key, shown,
            [&](const std::string& name, const checked::Currency& x, const checked::Currency& y) {
              text("currency", name, "minor unit", x.minor_unit.to_string(), y.minor_unit.to_string());
            });
  }
  void parties() {
    auto key = [](const Contract&, const auto& x, std::size_t) { return x.id; };
    auto shown = [](const checked::Party& x) { return x.display; };
    matched("party", a_.parties, b_.parties, key, shown, [&](const std::string& name, const checked::Party& x, const checked::Party& y) {
      text("party", name, "name", x.display, y.display);
    });
  }
  void inputs() {
    auto shown = [](const checked::Input& x) { return written(x.range); };
    matched("input", a_.inputs, b_.inputs, by_name, shown, [&](const std::string& name, const checked::Input& x, const checked::Input& y) {
      if (written(x.range) != written(y.range)) add("input", name, "declaration", written(x.range), written(y.range));
    });
  }
  void terms() {
    auto shown = [](const checked::Term& x) { return x.unlimited ? std::string("unlimited") : written(x.value); };
    matched("term", a_.terms, b_.terms, by_name, shown, [&](const std::string& name, const checked::Term& x, const checked::Term& y) {
      if (x.unlimited != y.unlimited || (!x.unlimited && !same_(x.value, y.value))) add("term", name, "value", shown(x), shown(y));
    });
  }
  void tables() {
    auto shown = [](const checked::Table& x) { return written(x.range); };
    matched("table", a_.tables, b_.tables, by_name, shown, [&](const std::string& name, const checked::Table& x, const checked::Table& y) {
      bool same_rows = x.scale == y.scale && x.rows.size() == y.rows.size() && x.key_type.to_string() == y.key_type.to_string() &&
                       x.value_type.to_string() == y.value_type.to_string();
      for (std::size_t i = 0; same_rows && i < x.rows.size(); ++i) {
        const auto &r = x.rows[i], &s = y.rows[i];
        same_rows = r.lower == s.lower && r.upper == s.upper && r.key == s.key && r.lower_closed == s.lower_closed &&
                    r.upper_closed == s.upper_closed && r.value == s.value;
      }
      if (!same_rows) add("table", name, "rows", shown(x), shown(y));
    });
  }
  void clauses() {
    auto key = [](const Contract&, const auto& x, std::size_t) { return x.number; };
    auto shown = [](const checked::Clause& x) { return x.label(); };
    matched("clause", a_.clauses, b_.clauses, key, shown, [&](const std::string& name, const checked::Clause& x, const checked::Clause& y) {
      text("clause", name, "title", x.title, y.title);
    });
  }
  void defs() {
    auto shown = [](const checked::Def& x) { return written(x.value); };
    matched("definition", a_.defs, b_.defs, by_name, shown, [&](const std::string& name, const checked::Def& x, const checked::Def& y) {
      expr("definition", name, "value", x.value, y.value);
      text("definition", name, "clause", a_.clauses[x.clause].number, b_.clauses[y.clause].number);
    });
    auto pkey = [](const Contract& c, const checked::ParticipantDef& x, std::size_t) { return c.inputs[x.set].name + "." + x.name; };
    auto pshown = [](const checked::ParticipantDef& x) { return written(x.value); };
    matched("definition", a_.participant_defs, b_.participant_defs, pkey, pshown,
            [&](const std::string& name, const checked::ParticipantDef& x, const checked::ParticipantDef& y) {
              expr("definition", name, "value", x.value, y.value);
            });
  }
  void payments() {
    auto key = [&](const Contract& c, const checked::Payment&, std::size_t i) { return (&c == &a_ ? keys_a_ : keys_b_).payments[i]; };
    auto shown = [](const checked::Payment& x) { return written(x.range); };
    matched("payment", a_.payments, b_.payments, key, shown,
            [&](const std::string& name, const checked::Payment& x, const checked::Payment& y) {
              const std::string k = "payment";
              rule(k, name, x, y);
              text(k, name, "payee", a_.parties[x.payee].id, b_.parties[y.payee].id);
              text(k, name, "for each", x.set >= 0 ? a_.inputs[x.set].name : "", y.set >= 0 ? b_.inputs[y.set].name : "");
              expr(k, name, "amount", x.amount, y.amount);
              expr(k, name, "condition", x.condition, y.condition);
              expr(k, name, "filter", x.filter, y.filter);
              expr(k, name, "cap per period", x.cap_period, y.cap_period);
              expr(k, name, "cap in total", x.cap_total, y.cap_total);
              expr(k, name, "cap per participant", x.cap_participant, y.cap_participant);
              expr(k, name, "floor", x.floor, y.floor);
              modifiers(k, name, x.rounding, y.rounding, x.netted, y.netted);
              bool same_keys = x.at_most == y.at_most && x.per_keys.size() == y.per_keys.size();
              for (std::size_t i = 0; same_keys && i < x.per_keys.size(); ++i) same_keys = same_(x.per_keys[i], y.per_keys[i]);
              if (!same_keys) {
                auto limit = [](const checked::Payment& p) {
                  std::string s = p.at_most ? fmt::format("at most {} per", p.at_most) : std::string();
                  for (const auto& e : p.per_keys) s += " " + written(e);
                  return s;
                };
                add(k, name, "at most per key", limit(x), limit(y));
              }
            });
  }
  // What a payment and a waterfall both have: payer, clause, currency, periods.
  template <class Rule>
  void rule(const std::string& kind, const std::string& name, const Rule& x, const Rule& y) {
    text(kind, name, "payer", a_.parties[x.payer].id, b_.parties[y.payer].id);
    text(kind, name, "clause", a_.clauses[x.clause].number, b_.clauses[y.clause].number);
    text(kind, name, "currency", a_.currencies[x.currency].code, b_.currencies[y.currency].code);
    text(kind, name, "periods", periods_text(a_, x.periods), periods_text(b_, y.periods));
  }
  void modifiers(const std::string& kind, const std::string& name, const std::optional<checked::Rounding>& x,
                 const std::optional<checked::Rounding>& y, bool netted_x, bool netted_y) {
    if (x.has_value() != y.has_value() || (x && (x->mode != y->mode || !same_(x->step, y->step))))
      add(kind, name, "rounding", rounding_text(x), rounding_text(y));
    if (netted_x != netted_y) add(kind, name, "netted", netted_x ? "netted" : "", netted_y ? "netted" : "");
  }
  void waterfalls() {
    auto shown = [](const checked::Waterfall& x) { return written(x.range); };
    auto key = [&](const Contract& c, const checked::Waterfall&, std::size_t i) { return (&c == &a_ ? keys_a_ : keys_b_).waterfalls[i]; };
    matched("waterfall", a_.waterfalls, b_.waterfalls, key, shown,
            [&](const std::string& name, const checked::Waterfall& x, const checked::Waterfall& y) {
              const std::string k = "waterfall";
              rule(k, name, x, y);
              expr(k, name, "pool", x.pool, y.pool);
              modifiers(k, name, std::nullopt, std::nullopt, x.netted, y.netted);
              tiers(name, x, y);
            });
  }
  void tiers(const std::string& waterfall, const checked::Waterfall& x, const checked::Waterfall& y) {
    auto tier_name = [](const checked::Tier& t, std::size_t i) { return t.name.empty() ? fmt::format("tier {}", i + 1) : t.name; };
    auto key = [&](const Contract&, const checked::Tier& t, std::size_t i) { return waterfall + "." + tier_name(t, i); };
    auto shown = [](const checked::Tier& t) { return written(t.range); };
    matched("tier", x.tiers, y.tiers, key, shown, [&](const std::string& name, const checked::Tier& s, const checked::Tier& t) {
      constexpr const char* kinds[] = {"up to", "share of rest", "rest"};
      text("tier", name, "kind", kinds[static_cast<int>(s.kind)], kinds[static_cast<int>(t.kind)]);
      text("tier", name, "payee", a_.parties[s.payee].id, b_.parties[t.payee].id);
      expr("tier", name, s.kind == checked::Tier::Kind::share_of_rest ? "share" : "amount", s.amount, t.amount);
      expr("tier", name, "cap", s.cap, t.cap);
      modifiers("tier", name, s.rounding, t.rounding, false, false);
    });
    // The order of the tiers is the order in which they are paid.
    std::vector<std::string> order_x, order_y;
    for (std::size_t i = 0; i < x.tiers.size(); ++i) order_x.push_back(tier_name(x.tiers[i], i));
    for (std::size_t i = 0; i < y.tiers.size(); ++i) order_y.push_back(tier_name(y.tiers[i], i));
    std::set<std::string> both_x(order_x.begin(), order_x.end()), both_y(order_y.begin(), order_y.end());
    std::vector<std::string> kept_x, kept_y;
    for (const auto& n : order_x)
      if (both_y.count(n)) kept_x.push_back(n);
    for (const auto& n : order_y)
      if (both_x.count(n)) kept_y.push_back(n);
    if (kept_x != kept_y) add("waterfall", waterfall, "order of tiers", fmt::format("{}", fmt::join(order_x, ", ")),
                              fmt::format("{}", fmt::join(order_y, ", ")));
  }
};

}  // namespace

std::vector<ContractChange> diff_contracts(const checked::Contract& old_contract, const checked::Contract& new_contract) {
  return Differ(old_contract, new_contract).run();
}

}  // namespace utfall
