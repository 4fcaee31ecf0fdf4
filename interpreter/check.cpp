// Check: resolve names, type every expression with its unit, build the calendar, verify tables,
// find cycles, and hand forward an immutable checked::Contract.
#include "interpreter/checker.hpp"
#include "interpreter/dates.hpp"
#include "interpreter/unicode.hpp"
#include "interpreter/verify.hpp"

#include "stdlib/builtins.hpp"

namespace utfall {
namespace check_internal {

void Checker::header(const ast::Contract& a) {
  c_.minor_unit = Number::fraction(1, 100);
  if (!a.header || a.header->currencies.empty()) {
    Diagnostic d;
    d.kind = DiagKind::structure;
    d.code = "E401";
    set_message(d, text("the contract declares no currency (add `currency SEK`)"));
    d.range = OwnedRange{a.source, {}, 0};
    diags_.push_back(std::move(d));
    return;
  }
  c_.title = a.header->title;
  for (const auto& decl : a.header->currencies) {
    if (unit_names_.count(decl.code.text)) {
      error(DiagKind::name, "E201", text("the currency `{}` is declared twice", decl.code.text), decl.code.range);
      continue;
    }
    Unit& unit = unit_names_[decl.code.text] = Unit::of(decl.code.text);
    checked::Currency cur{decl.code.text, Number::fraction(1, 100), unit};
    if (decl.minor_unit) {
      if (decl.minor_unit->sign() <= 0)
        error(DiagKind::structure, "E402", text("the minor unit of `{}` must be positive", decl.code.text), decl.code.range);
      else
        cur.minor_unit = *decl.minor_unit;
    }
    c_.currencies.push_back(std::move(cur));
  }
  c_.currency = c_.currencies[0].code;
  c_.minor_unit = c_.currencies[0].minor_unit;
  for (const auto& u : a.units) c_.units.push_back({u.singular.text, u.plural ? u.plural->text : u.singular.text});
  // Every unit the checker makes is built from these, spelled once, so that two units of one
  // dimension mostly share it and compare by pointer.
  spellings_ = std::make_shared<const std::vector<Unit::Spelling>>(c_.units);
  for (auto& cur : c_.currencies) unit_names_[cur.code] = cur.unit = unit_with_spellings(cur.unit);
  c_.money = c_.currencies[0].unit;  // the same dimension as every `SEK` written
  for (const auto& u : a.units) {  // a unit named as a currency replaces it, after E201
    const Unit dimension = unit_with_spellings(Unit::of(u.singular.text));
    for (const ast::Name* n : {&u.singular, u.plural ? &*u.plural : nullptr}) {
      if (!n) continue;
      if (unit_names_.count(n->text))
        error(DiagKind::name, "E201", text("the unit `{}` is declared twice", n->text), n->range);
      unit_names_[n->text] = dimension;
    }
  }
  for (const auto& p : a.parties) {
    if (party(p.id).has_value() && c_.party_index(p.id.text))
      error(DiagKind::name, "E201", text("the party `{}` is declared twice", p.id.text), p.id.range);
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
    set_message(d, text("the contract declares no periods (add, for example, `periods yearly 2025 .. 2029`)"));
    d.range = OwnedRange{a.source, {}, 0};
    diags_.push_back(std::move(d));
    return;
  }
  const auto& cal = *a.calendar;
  using K = ast::CalendarDecl::Kind;
  if (cal.kind == K::named) {
    if (cal.names.size() > max_periods_) {
      error(DiagKind::limit, "E702", text("the calendar lists {} periods, more than the limit of {}", cal.names.size(), max_periods_),
            cal.range);
      return;
    }
    std::set<std::string_view> seen;
    for (const auto& n : cal.names) {
      if (!seen.insert(n.name).second)
        error(DiagKind::structure, "E404", text("the period `{}` is listed twice", n.name), n.range);
      c_.periods.push_back(n.name);
    }
    listed_dates(cal);
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
    error(DiagKind::structure, "E405",
          cal.kind == K::yearly      ? text("`{}` is not a year such as 2025", s)
          : cal.kind == K::quarterly ? text("`{}` is not a quarter such as 2025Q1", s)
                                     : text("`{}` is not a month such as 2025-01", s),
          r.range);
    return std::nullopt;
  };
  auto first = parse(cal.names.at(0)), last = parse(cal.names.at(1));
  if (!first || !last) return;
  int per_year = cal.kind == K::yearly ? 1 : cal.kind == K::quarterly ? 4 : 12;
  long a0 = long(first->first) * per_year + first->second, a1 = long(last->first) * per_year + last->second;
  if (a1 < a0) {
    error(DiagKind::structure, "E406", text("the last period comes before the first"), cal.range);
    return;
  }
  if (a1 - a0 + 1 > static_cast<long>(max_periods_)) {
    error(DiagKind::limit, "E702", text("the calendar has {} periods, more than the limit of {}", a1 - a0 + 1, max_periods_), cal.range);
    return;
  }
  c_.months_per_period = 12 / per_year;
  c_.span_base = a0;
  for (long k = a0; k <= a1; ++k) {
    int year = int(k / per_year), sub = int(k % per_year);
    if (cal.kind == K::yearly) c_.periods.push_back(std::to_string(year));
    else if (cal.kind == K::quarterly) c_.periods.push_back(fmt::format("{}Q{}", year, sub + 1));
    else c_.periods.push_back(fmt::format("{}-{}", year, two_digits(sub + 1)));
  }
}

// The first and last day of each listed period, when they are given (docs/language.md §7): all
// periods or none; each a day of the calendar, ending no earlier than it starts and starting
// after the period before it ends. Gaps between periods are allowed.
void Checker::listed_dates(const ast::CalendarDecl& cal) {
  const auto given = std::count_if(cal.dates.begin(), cal.dates.end(), [](const auto& d) { return d.has_value(); });
  if (given == 0 || cal.dates.size() != cal.names.size()) return;
  if (static_cast<std::size_t>(given) < cal.names.size()) {
    const auto with = std::find_if(cal.dates.begin(), cal.dates.end(), [](const auto& d) { return d.has_value(); });
    const auto without = std::find_if(cal.dates.begin(), cal.dates.end(), [](const auto& d) { return !d.has_value(); });
    const auto& name = cal.names[without - cal.dates.begin()];
    error(DiagKind::structure, "E433",
          text("the period `{}` gives no dates, but `{}` does: either every listed period gives its first and last day "
               "(`{} = YYYY-MM-DD .. YYYY-MM-DD`) or none does",
               name.name, cal.names[with - cal.dates.begin()].name, name.name),
          name.range);
    return;
  }
  std::vector<checked::Contract::PeriodSpan> spans;
  bool ok = true;
  for (std::size_t i = 0; i < cal.names.size(); ++i) {
    const auto& d = *cal.dates[i];
    auto why_first = dates::why_not_a_date(d.first), why_last = dates::why_not_a_date(d.last);
    if (why_first || why_last) {
      const std::string& text = why_first ? d.first : d.last;
      error(DiagKind::structure, "E428", not_a_date_text(text, why_first ? *why_first : *why_last), d.range);
      ok = false;
      spans.clear();  // the next period is not compared with one that has no dates
      continue;
    }
    checked::Contract::PeriodSpan span{dates::parse(d.first), dates::parse(d.last)};
    if (span.last < span.first) {
      error(DiagKind::structure, "E434",
            text("the period `{}` ends on {}, before it starts on {}", cal.names[i].name, d.last, d.first), d.range);
      ok = false;
    } else if (!spans.empty() && span.first <= spans.back().last) {
      error(DiagKind::structure, "E435",
            text("the period `{}` starts on {}, not after the period before it, `{}`, ends on {}: listed periods follow "
                 "one another in time without overlapping",
                 cal.names[i].name, d.first, cal.names[i - 1].name, dates::format(spans.back().last)),
            d.range);
      ok = false;
    }
    spans.push_back(span);
  }
  if (ok) c_.listed_dates = std::move(spans);
}

std::optional<int> Checker::period(const ast::PeriodRef& ref) {
  if (auto i = c_.period_index(ref.name)) return i;
  error(DiagKind::structure, "E407",
        c_.periods.empty() ? text("`{}` is not a period of the calendar", ref.name)
                           : text("`{}` is not a period of the calendar ({} .. {})", ref.name, c_.periods.front(), c_.periods.back()),
        ref.range);
  return std::nullopt;
}

checked::Applicability Checker::applicability(const ast::Applicability& a) {
  checked::Applicability r{0, static_cast<int>(c_.periods.size()) - 1};
  if (a.from) r.first = period(*a.from).value_or(r.first);
  bool same = a.from && a.until && a.from->range.begin.offset == a.until->range.begin.offset;  // `in P`
  if (a.until) r.last = same ? r.first : period(*a.until).value_or(r.last);
  if (r.last < r.first) error(DiagKind::structure, "E408", text("the periods run backwards: the last comes before the first"), a.range);
  return r;
}

void Checker::declare(const std::string& name, SymbolKind kind, int index, const SourceRange& range) {
  auto [entry, fresh] = globals_.emplace(name, Symbol{kind, index, range});
  if (!fresh) {
    Diagnostic d;
    d.kind = DiagKind::name;
    d.code = "E202";
    set_message(d, text("`{}` is declared twice", name));
    d.range = range;
    d.related.push_back(related_note(entry->second.range, text("first declared here")));
    diags_.push_back(std::move(d));
  }
}

std::optional<Unit> Checker::unit(const ast::UnitSpelling& s) {
  Unit u;
  bool ok = true;
  auto dim = [&](const ast::Name& n) -> std::optional<Unit> {
    auto it = unit_names_.find(n.text);
    if (it != unit_names_.end()) return it->second;
    if (implicit_units_) return unit_names_.emplace(n.text, unit_with_spellings(Unit::of(n.text))).first->second;  // its own dimension, made once
    Text hint = globals_.contains(n.text) ? text("`{}` is a name, not a unit; write an operator between a number and a name", n.text)
                                        : text("declare it with `unit {}`", n.text);
    error(DiagKind::type, "E301", text("unknown unit `{}`", n.text), n.range, hint);
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
    case K::date: return Type::date();
    case K::unit:
      if (auto u = unit(t.unit)) return Type::number(*u);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<RoundingMode> Checker::mode(const ast::Name& n) {
  if (auto m = rounding_mode_from_name(n.text)) return m;
  error(DiagKind::name, "E203", text("`{}` is not a rounding mode", n.text), n.range,
        text("use half_up, half_down, half_even, up, down, ceiling or floor"));
  return std::nullopt;
}

std::optional<checked::Rounding> Checker::rounding(const std::optional<ast::Rounding>& r, const Type& of) {
  if (!r) return std::nullopt;
  auto m = mode(r->mode);
  auto step = expr(*r->step);
  if (step && !(step->type == of) && !(step->type == Type::number())) {
    error(DiagKind::type, "E302", text("the rounding step is {}, but the value is {}", step->type.describe(), of.describe()),
          r->step->range);
    return std::nullopt;
  }
  if (!m || !step) return std::nullopt;
  return checked::Rounding{std::move(step), *m, r->range};
}

ExprPtr Checker::typed(const ast::ExprPtr& e, const Type& want, PhraseId mismatch, const std::string& subject) {
  if (!e) return nullptr;
  auto x = expr(*e);
  if (x && !(x->type == want)) {
    error(DiagKind::type, "E303",
          subject.empty() ? text(mismatch, want.describe(), x->type.describe())
                          : text(mismatch, subject, want.describe(), x->type.describe()),
          e->range);
    return nullptr;
  }
  return x;
}

ExprPtr Checker::money(const ast::ExprPtr& e, PhraseId mismatch, int currency) {
  return typed(e, Type::number(c_.currencies[currency].unit), mismatch);
}

ExprPtr Checker::amount(const ast::ExprPtr& e, Mismatch mismatch, bool rounded, int& currency) {
  currency = 0;
  if (!e) return nullptr;
  auto outer = std::exchange(rounded_conversion_, rounded ? e.get() : nullptr);
  auto x = expr(*e);
  rounded_conversion_ = outer;
  if (!x) return nullptr;
  if (auto i = c_.currency_index(x->type.unit); i && x->type.kind == TypeKind::number) {
    currency = *i;
    return x;
  }
  // "SEK, EUR or NOK": the last "or" is a word of the sentence, so several currencies are another phrase.
  const auto& all = c_.currencies;
  std::string but_last;
  for (std::size_t i = 0; i + 1 < all.size(); ++i) but_last += (i > 0 ? ", " : "") + all[i].code;
  error(DiagKind::type, "E303",
        all.size() == 1 ? text(mismatch.one, all[0].code, x->type.describe())
                        : text(mismatch.several, but_last, all.back().code, x->type.describe()),
        e->range);
  return nullptr;
}

Text not_a_date_text(const std::string& text, const dates::NotADate& why) {
  using R = dates::NotADate::Reason;
  switch (why.reason) {
    case R::form: return utfall::text("`{}` is not a date: a date is written YYYY-MM-DD (ISO 8601), such as 2025-03-31", text);
    case R::year_zero:
      return utfall::text("`{}` is not a date: the year 0000 is not a year of the calendar (the first is 0001)", text);
    case R::month: return utfall::text("`{}` is not a date: {} is not a month (01 .. 12)", text, fmt::format("{:02}", why.month));
    case R::day:
      return utfall::text("`{}` is not a date: {} has {} days", text, fmt::format("{:04}-{:02}", why.year, why.month), why.days);
  }
  return utfall::text("`{}` is not a date: a date is written YYYY-MM-DD (ISO 8601), such as 2025-03-31", text);
}

RuleCurrencies rule_currencies(const checked::Contract& c) {
  RuleCurrencies out;
  for (const auto& p : c.payments) out.payments.push_back(p.currency);
  for (const auto& w : c.waterfalls) out.waterfalls.push_back(w.currency);
  return out;
}

// What a rule paid is in its own currency, known once the rule is checked. A rule named before
// that (a definition that uses a payment: definitions are checked first) has the currency the
// previous pass found, or the first; run() checks afterwards that it was right.
int Checker::rule_currency(bool waterfall, int index, const SourceRange& range) {
  const std::size_t checked_so_far = waterfall ? c_.waterfalls.size() : c_.payments.size();
  if (std::size_t(index) < checked_so_far) return waterfall ? c_.waterfalls[index].currency : c_.payments[index].currency;
  if (c_.currencies.size() < 2) return 0;
  const auto& known = waterfall ? assumed_.waterfalls : assumed_.payments;
  int currency = std::size_t(index) < known.size() ? known[index] : 0;
  const bool self = current_ && *current_ == Node{waterfall ? node_waterfall : node_payment, index};
  assumptions_.push_back({waterfall, index, currency, range, self});
  return currency;
}

// A rule's currency as found, or none when its amount (or pool) failed to check.
static std::optional<int> found_currency(const checked::Contract& c, bool waterfall, int index) {
  if (waterfall) {
    if (std::size_t(index) >= c.waterfalls.size() || !c.waterfalls[index].pool) return std::nullopt;
    return c.waterfalls[index].currency;
  }
  if (std::size_t(index) >= c.payments.size() || !c.payments[index].amount) return std::nullopt;
  return c.payments[index].currency;
}

std::optional<RuleCurrencies> Checker::next_assumptions() const {
  if (last_pass_ || assumptions_.empty()) return std::nullopt;  // run() has reported what did not hold
  RuleCurrencies next = rule_currencies(c_);
  next.failed_cleanly = assumed_.failed_cleanly;
  // A rule found in another currency than assumed: the next pass assumes what was found. A rule
  // that failed to check may have failed because of what it was assumed to be, when it reads
  // itself (a payment that reads its own earlier value, `previous(p, 0 EUR)`): the next pass
  // tries the next currency for it. Another rule that failed keeps its assumption while any
  // assumption was wrong, since that may be why it failed (it reads a definition of a rule
  // assumed wrongly); once all that checked were right, it too tries the next currency.
  // A currency a rule failed in while every other assumption held is not tried for it again;
  // in such a pass the others are tried in turn, coming round to the first, so that a rule that
  // reads itself, moved on while another assumption was wrong, can come back to the currency it
  // left. While an assumption is wrong, a rule that reads itself moves on but does not come
  // round: at the last currency it waits, as it did, for the pass that settles the others.
  bool wrong = false, again = false;
  std::set<std::pair<bool, int>> self, moved;
  for (const auto& a : assumptions_) {
    auto actual = found_currency(c_, a.waterfall, a.index);
    if (actual && *actual != a.currency) wrong = again = true;
    if (a.self) self.insert({a.waterfall, a.index});
  }
  const int currencies = int(c_.currencies.size());
  for (const auto& a : assumptions_) {
    if (found_currency(c_, a.waterfall, a.index) || !moved.insert({a.waterfall, a.index}).second) continue;
    auto& slot = (a.waterfall ? next.waterfalls : next.payments)[a.index];
    slot = a.currency;
    if (wrong && !self.count({a.waterfall, a.index})) continue;
    if (!wrong) next.failed_cleanly.insert({a.waterfall, a.index, a.currency});
    for (int step = 1; step < currencies; ++step) {
      if (wrong && a.currency + step >= currencies) break;
      const int candidate = (a.currency + step) % currencies;
      if (next.failed_cleanly.count({a.waterfall, a.index, candidate})) continue;
      slot = candidate;
      again = true;
      break;
    }
  }
  if (!again) return std::nullopt;
  return next;
}

void Checker::report_wrong_assumptions() {
  if (!last_pass_) return;
  for (const auto& a : assumptions_) {
    auto actual = found_currency(c_, a.waterfall, a.index);
    if (!actual || *actual == a.currency) continue;
    const auto& name = a.waterfall ? c_.waterfalls[a.index].name : c_.payments[a.index].name;
    error(DiagKind::type, "E336",
          text("the currency of `{}` could not be settled: what it pays depends on rules that are named before "
               "they are written, {} deep; name `{}` after it, or write it before what names it",
               name, kCurrencyPasses, name),
          a.range);
  }
}

std::optional<int> Checker::converts(const Unit& result, const Unit& lhs, const Unit& rhs) const {
  auto target = c_.currency_index(result);
  if (!target || c_.currencies.size() < 2) return std::nullopt;
  for (const Unit* u : {&lhs, &rhs})
    for (const auto& [dim, power] : u->dimensions())
      for (std::size_t i = 0; i < c_.currencies.size(); ++i)
        if (int(i) != *target && c_.currencies[i].code == dim) return int(i);
  return std::nullopt;
}

std::optional<Number> Checker::constant(const ast::Expr& e, Type* t) {
  // Table bounds are constants: literals with units, negation and arithmetic on them.
  if (auto* lit = std::get_if<ast::NumberLit>(&e.node); lit && !lit->unlimited) {
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
  error(DiagKind::structure, "E409", text("a table bound must be a number written out (with its unit)"), e.range);
  return std::nullopt;
}

// A table keyed by text ("m01" -> 1_200 SEK): every row keyed by text, no key twice (after NFC),
// the values of one unit; rows sorted by key for lookup.
void Checker::text_table(const ast::TableDecl& t, checked::Table& out) {
  out.key_type = Type::text();
  bool have_value = false;
  std::map<std::string, const ast::TableRow*> seen;
  for (const auto& row : t.rows) {
    if (!row.key) {
      error(DiagKind::structure, "E426",
            text("the table `{}` is keyed by text, but this row is an interval; a table is keyed by one or the other",
                 t.name.text),
            row.range);
      continue;
    }
    std::string key = nfc(*row.key);
    if (auto [it, fresh] = seen.emplace(key, &row); !fresh) {
      Diagnostic d;
      d.kind = DiagKind::structure;
      d.code = "E425";
      set_message(d, text("the table `{}` has the key \"{}\" twice", t.name.text, key));
      d.range = row.range;
      d.related.push_back(related_note(it->second->range, text("the first row with this key")));
      diags_.push_back(std::move(d));
      continue;
    }
    Type vt;
    auto v = constant(*row.value, &vt);
    if (!v) continue;
    if (have_value && !(vt == out.value_type)) {
      error(DiagKind::type, "E304", text("this value is {}, but the table's values are {}", vt.describe(), out.value_type.describe()), row.value->range);
      continue;
    }
    out.value_type = vt;
    have_value = true;
    checked::TableRow r;
    r.key = std::move(key);
    r.value = *v;
    out.rows.push_back(std::move(r));
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const checked::TableRow& a, const checked::TableRow& b) { return *a.key < *b.key; });
}

void Checker::table(const ast::TableDecl& t, int index) {
  checked::Table out;
  out.name = t.name.text;
  out.scale = t.kind == ast::TableDecl::Kind::scale;
  out.clause = clause_;
  out.range = t.range;
  bool ok = true, have_key = false, have_value = false;
  if (!out.scale && !t.rows.empty() && t.rows.front().key) {
    text_table(t, out);
    c_.tables.push_back(std::move(out));
    return;
  }
  for (const auto& row : t.rows) {
    if (row.key) {
      error(DiagKind::structure, "E426",
            text("the table `{}` is keyed by intervals of numbers, but this row is keyed by text; a table is keyed "
                 "by one or the other", t.name.text),
            row.range);
      ok = false;
      continue;
    }
    checked::TableRow r;
    r.lower_closed = row.lower_closed;
    r.upper_closed = row.upper_closed;
    for (auto [src, dst] : {std::pair{&row.lower, &r.lower}, std::pair{&row.upper, &r.upper}}) {
      if (!*src) continue;
      Type kt;
      auto v = constant(**src, &kt);
      if (!v) { ok = false; continue; }
      if (have_key && !(kt == out.key_type)) {
        error(DiagKind::type, "E304", text("this bound is {}, but the table's keys are {}", kt.describe(), out.key_type.describe()), (*src)->range);
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
      error(DiagKind::type, "E304", text("this value is {}, but the table's values are {}", vt.describe(), out.value_type.describe()), row.value->range);
      ok = false;
    }
    out.value_type = vt;
    have_value = true;
    r.value = *v;
    out.rows.push_back(std::move(r));
  }
  if (t.rows.empty() || (out.scale && t.rows.size() < 2)) {
    error(DiagKind::structure, "E410", out.scale ? text("a scale needs at least two points") : text("a table needs at least one row"), t.range);
    ok = false;
  }
  if (ok && out.scale) {
    for (std::size_t i = 1; i < out.rows.size(); ++i)
      if (!(*out.rows[i - 1].lower < *out.rows[i].lower)) {
        error(DiagKind::structure, "E411", text("the points of a scale must increase strictly"), t.rows[i].range);
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
        error(DiagKind::structure, "E412", text("this interval is empty"), src.range);
        ok = false;
      }
      if (k > 0 && !r.lower) {
        error(DiagKind::structure, "E413", text("only the first interval can be open below"), src.range);
        ok = false;
      }
      if (k + 1 == order.size()) break;
      const auto& next = out.rows[order[k + 1]];
      const auto& next_src = t.rows[order[k + 1]];
      if (!r.upper) {
        error(DiagKind::structure, "E414", text("this interval is open above and overlaps the next"), src.range);
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
        const std::string at = (gap ? *r.upper : *next.lower).to_string();
        set_message(d, gap ? text("the table `{}` has a gap between this interval and the next at {}", t.name.text, at)
                           : text("the table `{}` has an overlap between this interval and the next at {}", t.name.text, at));
        d.range = src.range;
        d.related.push_back(related_note(next_src.range, text("the next interval")));
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

// ---- the whole contract ----

// Link fields (`person : text key of deltagare`, docs/language.md §8.5): the target is a record
// input with a text field `id`, and the link field is text. A refused link is marked -2, so
// that reading through it is not reported again.
void Checker::links(const ast::Contract& a) {
  for (std::size_t i = 0; i < a.inputs.size(); ++i) {
    if (!a.inputs[i].participants) continue;
    for (std::size_t f = 0; f < a.inputs[i].fields.size(); ++f) {
      const auto& decl = a.inputs[i].fields[f];
      if (!decl.link) continue;
      auto& field = c_.inputs[i].fields[f];
      field.link = -2;
      const auto& target = *decl.link;
      auto* g = globals_.find(target.text);
      if (!g || g->second.kind != SymbolKind::input || !c_.inputs[g->second.index].participants) {
        error(DiagKind::name, "E218",
              !g ? text("`{}` is not declared; a link names a record input", target.text)
                 : text("`{}` is not a record input; a link names one", target.text),
              target.range, !g ? suggest(target.text) : Text{});
        continue;
      }
      const int set = g->second.index;
      const auto& fields = c_.inputs[set].fields;
      auto id = std::find_if(fields.begin(), fields.end(), [](const checked::Field& x) { return x.name == "id"; });
      bool ok = true;
      if (id == fields.end() || id->type.kind != TypeKind::text) {
        error(DiagKind::type, "E219",
              id == fields.end() ? text("`{}` has no field `id`: a link names a record by its `id`", target.text)
                                 : text("the field `id` of `{}` is {}, but a link names a record by a text `id`",
                                        target.text, id->type.describe()),
              target.range, text("declare `id : text` in `{}`", target.text));
        ok = false;
      }
      if (field.type.kind != TypeKind::text) {
        error(DiagKind::type, "E325", text("the link `{}` is {}, but a link holds the text `id` of a record", decl.name.text,
                                           field.type.describe()),
              decl.type.range, text("declare it `{} : text key of {}`", decl.name.text, target.text));
        ok = false;
      }
      if (!ok) continue;
      field.link = set;
      field.link_key = static_cast<int>(id - fields.begin());
    }
  }
}

// at most N per KEY, ... (docs/language.md §16.6): a whole count from 1, and keys of any type
// but `unlimited`, read for each record like the filter.
void Checker::at_most(const ast::PaymentDecl::AtMost& limit, checked::Payment& out) {
  if (out.set < 0) {
    error(DiagKind::structure, "E327", text("`at most ... per` counts the records paid, so it needs a payment `for each` record"),
          limit.range, text("write `pay ... for each c in SET where ... at most once per c.KEY`"));
    return;
  }
  const Number most = Number::from_int(1'000'000'000);
  if (limit.count.sign() <= 0 || most < limit.count) {
    error(DiagKind::structure, "E328",
          text("`at most {} times` must allow from 1 to 1000000000 records per key", limit.count.to_string()), limit.range);
    return;
  }
  out.at_most = static_cast<int>(limit.count.to_int64().value_or(1));
  for (const auto& key : limit.keys) {
    auto x = expr(*key);
    if (!x) {
      out.at_most = 0;
      continue;
    }
    out.per_keys.push_back(std::move(x));
  }
  if (out.per_keys.size() != limit.keys.size()) out.per_keys.clear(), out.at_most = 0;
}

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
      if (auto* l = ast::node_if<ast::LetDecl>(&item)) declare(l->name.text, SymbolKind::def, defs++, l->name.range);
      if (auto* p = ast::node_if<ast::PaymentDecl>(&item); p && p->name) declare(p->name->text, SymbolKind::payment, pays, p->name->range);
      if (ast::node_if<ast::PaymentDecl>(&item)) ++pays;
      if (auto* w = ast::node_if<ast::WaterfallDecl>(&item); w && w->name) declare(w->name->text, SymbolKind::waterfall, falls, w->name->range);
      if (ast::node_if<ast::WaterfallDecl>(&item)) ++falls;
      if (auto* t = ast::node_if<ast::TableDecl>(&item)) declare(t->name.text, SymbolKind::table, tables++, t->name.range);
    }
  }
  // Room for the checked rules at once, as many as were declared: grown by doubling, 10 000
  // payments (280 bytes each) were moved again at each doubling and held twice while moved.
  c_.defs.reserve(std::size_t(defs));
  c_.payments.reserve(std::size_t(pays));
  c_.waterfalls.reserve(std::size_t(falls));

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
          error(DiagKind::name, "E211", text("the field `{}` is declared twice", f.name.text), f.name.range);
        bool percent = false;
        auto t = type(f.type, &percent);
        auto ft = t.value_or(Type::number());
        out.fields.push_back({f.name.text, ft, percent, t ? declared_range(f.allowed, f.name.text, ft, percent, f.name.range)
                                                          : checked::DeclaredRange{}});
      }
    } else {
      bool percent = false;
      out.type = type(in.type, &percent).value_or(Type::number());
      out.percent = percent;
      out.allowed = declared_range(in.allowed, in.name.text, out.type, percent, in.name.range);
      auto ap = applicability(in.periods);
      out.first = ap.first;
      out.last = ap.last;
    }
    c_.inputs.push_back(std::move(out));
  }
  links(a);

  // Clauses (numbers and titles first: diagnostics cite them)
  TextIndex numbers;  // places in a.clauses: fewer than kMostPlaces, as a source is under 4 GiB
  auto number_of = [&](std::uint32_t i) -> const std::string& { return a.clauses[i].number; };
  c_.clauses.reserve(a.clauses.size());
  for (std::size_t i = 0; i < a.clauses.size(); ++i) {
    const auto& cl = a.clauses[i];
    if (!cl.number.empty() && !numbers.find_or_add(cl.number, number_of, [i] { return i; }).second)
      error(DiagKind::structure, "E417", text("clause {} is declared twice", cl.number), cl.range);
    c_.clauses.push_back({cl.number, cl.title});
  }

  // Tables first: definitions may look values up in them.
  int table_index = 0;
  for (std::size_t ci = 0; ci < a.clauses.size(); ++ci) {
    clause_ = int(ci);
    for (const auto& item : a.clauses[ci].items)
      if (auto* t = ast::node_if<ast::TableDecl>(&item)) table(*t, table_index++);
  }
  clause_ = -1;

  // Terms, definitions and per-participant definitions. A definition's type comes from its
  // expression, which may use other definitions declared anywhere: each is typed on demand
  // (ensure), once; a reference to one that failed is not reported again.
  for (const auto& t : a.terms) {
    Node n{node_term, int(c_.terms.size())};
    c_.terms.push_back({t.name.text, Type::number(), nullptr, t.name.range, ast::written_as_percent(*t.value), false, std::nullopt});
    node_names_[n] = t.name.text;
    sources_[n] = {t.value.get(), -1, -1, ""};
  }
  for (std::size_t ci = 0; ci < a.clauses.size(); ++ci)
    for (const auto& item : a.clauses[ci].items) {
      if (auto* l = ast::node_if<ast::LetDecl>(&item)) {
        Node n{node_def, int(c_.defs.size())};
        c_.defs.push_back({l->name.text, Type::number(), nullptr, int(ci), l->name.range});
        node_names_[n] = l->name.text;
        sources_[n] = {l->value.get(), int(ci), -1, ""};
      }
      if (auto* f = ast::node_if<ast::ForEachDecl>(&item)) {
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
  sources_.each([&](Node n, const DefSource&) { ensure(n, {}); });

  // Tables, payments and waterfalls, clause by clause.
  int pay_index = 0, fall_index = 0;
  for (std::size_t ci = 0; ci < a.clauses.size(); ++ci) {
    clause_ = int(ci);
    for (const auto& item : a.clauses[ci].items) {
      if (auto* p = ast::node_if<ast::PaymentDecl>(&item)) {
        current_ = Node{node_payment, pay_index};
        node_names_[*current_] = p->name ? p->name->text : fmt::format("payment {} -> {}", p->payer.text, p->payee.text);
        checked::Payment out;
        out.name = p->name ? p->name->text : "";
        out.clause = int(ci);
        out.range = p->range;
        auto payer = party(p->payer), payee = party(p->payee);
        for (auto [id, n] : {std::pair{payer, &p->payer}, std::pair{payee, &p->payee}})
          if (!id) error(DiagKind::name, "E212", text("`{}` is not a declared party", n->text), n->range, text("declare it with `party {}`", n->text));
        if (payer && payee && *payer == *payee)
          error(DiagKind::structure, "E418", text("a party cannot pay itself"), p->payee.range);
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
        if (!p->amount) error(DiagKind::structure, "E419", text("the payment has no `amount`"), p->range);
        out.amount = amount(p->amount, {"the amount of a payment must be {}, but this is {}", "the amount of a payment must be {} or {}, but this is {}"}, p->rounding.has_value(), out.currency);
        if (p->filter) out.filter = typed(p->filter, Type::boolean(), "the condition after `where` must be {}, but this is {}");
        if (p->at_most) at_most(*p->at_most, out);
        // A per-participant payment rounds each participant's amount (§16.3): its step may use `u`.
        out.rounding = rounding(p->rounding, Type::number(c_.currencies[out.currency].unit));
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
            error(DiagKind::structure, "E420", text("a cap per participant needs a payment `for each` participant"), cap.range);
            continue;
          }
          auto& slot = cap.scope == S::per_period ? out.cap_period : cap.scope == S::in_total ? out.cap_total : out.cap_participant;
          if (slot) error(DiagKind::structure, "E421", text("this payment already has a cap of this kind"), cap.range);
          slot = money(cap.amount, "a cap must be {}, but this is {}", out.currency);
        }
        if (out.set >= 0 && binders_.size() && binders_.back().slot == out.binder) binders_.pop_back();
        if (p->floor) out.floor = money(p->floor, "a floor (`at least`) must be {}, but this is {}", out.currency);
        if (p->condition) out.condition = typed(p->condition, Type::boolean(), "the condition after `when` must be {}, but this is {}");
        out.netted = p->netted;
        c_.payments.push_back(std::move(out));
        ++pay_index;
      }
      if (auto* w = ast::node_if<ast::WaterfallDecl>(&item)) {
        current_ = Node{node_waterfall, fall_index};
        node_names_[*current_] = w->name ? w->name->text : fmt::format("waterfall of {}", w->payer.text);
        checked::Waterfall out;
        out.name = w->name ? w->name->text : "";
        out.clause = int(ci);
        out.range = w->range;
        auto payer = party(w->payer);
        if (!payer) error(DiagKind::name, "E212", text("`{}` is not a declared party", w->payer.text), w->payer.range);
        out.payer = payer.value_or(-1);
        out.pool = amount(w->pool, {"the pool of a waterfall must be {}, but this is {}", "the pool of a waterfall must be {} or {}, but this is {}"}, false, out.currency);
        out.periods = applicability(w->periods);
        out.netted = w->netted;
        if (w->tiers.empty()) error(DiagKind::structure, "E422", text("a waterfall needs at least one tier"), w->range);
        for (std::size_t k = 0; k < w->tiers.size(); ++k) {
          const auto& t = w->tiers[k];
          checked::Tier tier;
          tier.kind = static_cast<checked::Tier::Kind>(t.kind);
          tier.name = t.name ? t.name->text : "";
          tier.range = t.range;
          auto payee = party(t.payee);
          if (!payee) error(DiagKind::name, "E212", text("`{}` is not a declared party", t.payee.text), t.payee.range);
          tier.payee = payee.value_or(-1);
          if (t.kind == ast::Tier::Kind::rest && k + 1 != w->tiers.size())
            error(DiagKind::structure, "E423", text("`rest to` must be the last tier"), t.range);
          if (t.kind == ast::Tier::Kind::up_to) tier.amount = money(t.amount, "the limit of a tier must be {}, but this is {}", out.currency);
          if (t.kind == ast::Tier::Kind::share_of_rest) tier.amount = typed(t.amount, Type::number(), "a share must be {}, but this is {}");
          if (t.cap) tier.cap = money(t.cap, "the cap of a tier must be {}, but this is {}", out.currency);
          tier.rounding = rounding(t.rounding, Type::number(c_.currencies[out.currency].unit));
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
  report_wrong_assumptions();
  find_cycles();
  c_.binder_count = binder_count_;

  for (const auto& ex : a.examples) c_.examples.push_back(example(ex));
  // Inputs that nothing uses are probably a mistake in the contract or its data.
  std::vector<bool> used = find_uses();
  for (const auto& in : c_.inputs)  // a link reads its target's records
    for (const auto& f : in.fields)
      if (f.link >= 0) used[f.link] = true;
  for (const auto& p : c_.payments)
    if (p.set >= 0) used[p.set] = true;
  // Only a contract without errors is judged for this: a failed expression may be the user.
  for (std::size_t i = 0; i < used.size() && !has_errors(diags_); ++i)
    if (!used[i]) warning("W201", text("the input `{}` is declared but never used", c_.inputs[i].name), c_.inputs[i].range);
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
  // The compiled contract's own spellings, which its units hold already: so that units made
  // here share theirs, rather than each being spelled again.
  spellings_ = c_.money.spelling_list();
  if (!spellings_) spellings_ = std::make_shared<const std::vector<Unit::Spelling>>(c_.units);
  for (const auto& cur : c_.currencies) unit_names_[cur.code] = unit_with_spellings(cur.unit);
  for (const auto& s : c_.units) {
    const Unit dimension = unit_with_spellings(Unit::of(s.singular));
    unit_names_.emplace(s.singular, dimension);
    unit_names_.emplace(s.plural, dimension);
  }
}

}  // namespace check_internal

using check_internal::Checker;

std::optional<Diagnostic> ambiguous_percent(const checked::Term& term, const ast::Expr& value) {
  auto bare = ast::bare_number(value);
  if (!term.percent || !bare) return std::nullopt;
  const Number as_written = *bare;
  const Number hundred = Number::from_int(100);
  std::string text = as_written.to_string();
  Diagnostic d;
  d.kind = DiagKind::type;
  d.code = "E319";
  set_message(d, utfall::text("`{}` is a percentage (written with %), and the bare number `{}` reads two ways: {} % (that is {}) "
                               "or the number {} (that is {} %)", term.name, text, text, (as_written / hundred).to_string(), text,
                               (as_written * hundred).to_string()));
  d.range = value.range;
  set_suggestion(d, utfall::text("write `{} %` for {} %, or `{} %` for the number {}", text, text, (as_written * hundred).to_string(), text));
  return d;
}

// Both entries run where the stack holds the checker's budget (stack.hpp).
CheckResult check(const ast::Contract& contract, const CheckOptions& options) {
  return with_stack(options.max_stack_bytes, [&] {
    CheckResult result;
    auto out = std::make_shared<checked::Contract>();
    // With several currencies, a rule named before it is checked has the currency it had in
    // the pass before (the first pass assumes the first currency); the contract is checked
    // again until every rule's currency is the one assumed (docs/language.md §4.1). One
    // currency, or rules named only after them: one pass.
    check_internal::RuleCurrencies assumed;
    for (int pass = 1;; ++pass) {
      Checker checker(*out, result.diagnostics);
      checker.set_max_periods(options.max_periods);
      checker.set_max_depth(options.max_depth, options.max_stack_bytes);
      checker.assume_currencies(assumed, pass == check_internal::kCurrencyPasses);
      checker.run(contract);
      auto next = checker.next_assumptions();
      if (!next) break;
      assumed = std::move(*next);
      *out = checked::Contract{};
      result.diagnostics.clear();
    }
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
