// Check, expressions: resolve each name, type each expression with its unit (docs/language.md §13, §14).
#include "interpreter/checker.hpp"

#include <stdexcept>

#include "interpreter/dates.hpp"
#include "interpreter/unicode.hpp"
#include "stdlib/builtins.hpp"

namespace utfall::check_internal {

std::optional<int> Checker::participant_set(const ast::Name& n) {
  const Symbol* s = find_global(n.text);
  if (!s || s->kind != SymbolKind::input || !c_.inputs[s->index].participants) {
    error(DiagKind::name, "E204", text("`{}` is not a participant input", n.text), n.range, suggest(n.text));
    return std::nullopt;
  }
  return s->index;
}

// ---- expressions ----

ExprPtr Checker::expr(const ast::Expr& e) {
  // Each definition's expression is bounded by the parser (1000 operators), and chains of
  // definitions by E703 (400), but not their product, which is what the stack holds.
  if (typing_depth_ >= max_depth_ || stack_.exhausted()) {
    error(DiagKind::limit, "E703",
          text("expressions and the definitions they use nest too deep: more than {} levels, or {} of stack",
               max_depth_, byte_size_text(stack_.allowed())),
          e.range);
    return nullptr;
  }
  ++typing_depth_;
  struct Leave {
    std::size_t& depth;
    ~Leave() { --depth; }
  } leave{typing_depth_};
  return ast::visit(
      [&](const auto& n) -> ExprPtr {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::NumberLit>) {
          if (n.unlimited) {
            error(DiagKind::type, "E323", text("`unlimited` is a value only a term can have, written as its whole value"), e.range,
                  text("declare the term `term NAME = unlimited SEK` and write the limit as its bare name: `capped at NAME`"));
            return nullptr;
          }
          auto u = unit(n.unit);
          if (!u) return nullptr;
          return make(checked::Const{n.value}, Type::number(*u), e.range);
        } else if constexpr (std::is_same_v<T, ast::BoolLit>) {
          return make(checked::Const{n.value}, Type::boolean(), e.range);
        } else if constexpr (std::is_same_v<T, ast::PeriodLit>) {
          auto p = period(n.period);
          if (!p) return nullptr;
          return make(checked::Const{checked::PeriodValue{*p}}, Type::period(), e.range);
        } else if constexpr (std::is_same_v<T, ast::DateLit>) {
          if (auto why = dates::why_not_a_date(n.text)) {
            error(DiagKind::structure, "E428", not_a_date_text(n.text, *why), e.range);
            return nullptr;
          }
          return make(checked::Const{checked::DateValue{dates::parse(n.text)}}, Type::date(), e.range);
        } else if constexpr (std::is_same_v<T, ast::TextLit>) {
          // Read in NFC, as data text is (data.cpp): "ä" is one text however it was typed.
          return make(checked::Const{nfc(n.value)}, Type::text(), e.range);
        } else if constexpr (std::is_same_v<T, ast::CurrentPeriod>) {
          if (term_context_) {
            error(DiagKind::type, "E305", text("a term is a constant and cannot depend on the period"), e.range);
            return nullptr;
          }
          return make(checked::CurrentPeriod{}, Type::period(), e.range);
        } else if constexpr (std::is_same_v<T, ast::NameRef>) {
          return name_ref(e, n);
        } else if constexpr (std::is_same_v<T, ast::FieldRef>) {
          auto b = std::find_if(binders_.rbegin(), binders_.rend(), [&](const Binder& x) { return x.name == n.binder.text; });
          if (b == binders_.rend()) {
            error(DiagKind::name, "E205", text("`{}` is not a participant in scope here", n.binder.text), n.binder.range,
                  text("bind one with `sum(... for u in SET)`, `count(u in SET)` or `for each u in SET`"));
            return nullptr;
          }
          const auto& input = c_.inputs[b->set];
          for (std::size_t i = 0; i < input.fields.size(); ++i)
            if (input.fields[i].name == n.field.text) {
              if (n.linked) return linked_field(e, n, *b, static_cast<int>(i));
              return make(checked::FieldRef{b->slot, b->set, static_cast<int>(i)}, input.fields[i].type, e.range);
            }
          if (n.linked) {
            error(DiagKind::name, "E206", text("the records `{}` have no field `{}`", input.name, n.field.text), n.field.range);
            return nullptr;
          }
          for (std::size_t i = 0; i < c_.participant_defs.size(); ++i) {
            const auto& d = c_.participant_defs[i];
            if (d.set == b->set && d.name == n.field.text) {
              depend({node_pdef, static_cast<int>(i)}, e.range);
              if (!ensure({node_pdef, static_cast<int>(i)}, e.range)) return nullptr;
              return make(checked::ParticipantDefRef{b->slot, static_cast<int>(i)}, d.type, e.range);
            }
          }
          error(DiagKind::name, "E206", text("the participants `{}` have no field or definition `{}`", input.name, n.field.text),
                n.field.range);
          return nullptr;
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          auto x = expr(*n.operand);
          if (!x) return nullptr;
          if (n.op == ast::UnaryOp::negate) {
            if (x->type.kind != TypeKind::number) {
              error(DiagKind::type, "E306", text("cannot negate a {}", x->type.describe()), e.range);
              return nullptr;
            }
            Type t = x->type;
            return make(checked::Unary{Op::negate, std::move(x)}, t, e.range);
          }
          if (x->type.kind != TypeKind::boolean) {
            error(DiagKind::type, "E307", text("`not` needs a boolean, but this is {}", x->type.describe()), n.operand->range);
            return nullptr;
          }
          return make(checked::Unary{Op::logical_not, std::move(x)}, Type::boolean(), e.range);
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          return binary(e, n);
        } else if constexpr (std::is_same_v<T, ast::If>) {
          auto c = expr(*n.condition);
          auto t = expr(*n.then_branch);
          auto f = expr(*n.else_branch);
          if (!c || !t || !f) return nullptr;
          if (c->type.kind != TypeKind::boolean) {
            error(DiagKind::type, "E307", text("the condition of `if` must be boolean, but this is {}", c->type.describe()),
                  n.condition->range);
            return nullptr;
          }
          if (!(t->type == f->type)) {
            error(DiagKind::type, "E308",
                  text("the branches of `if` differ: {} and {}", t->type.describe(), f->type.describe()), e.range);
            return nullptr;
          }
          Type ty = t->type;
          return make(checked::If{std::move(c), std::move(t), std::move(f)}, ty, e.range);
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          return call(e, n);
        } else if constexpr (std::is_same_v<T, ast::At>) {
          auto p = period(n.period);
          if (term_context_) {
            error(DiagKind::type, "E305", text("a term is a constant and cannot depend on the period"), e.range);
            return nullptr;
          }
          auto x = absolute_periods([&] { return expr(*n.operand); });
          if (!p || !x) return nullptr;
          Type t = x->type;
          return make(checked::At{std::move(x), *p}, t, e.range);
        } else if constexpr (std::is_same_v<T, ast::OverPeriods>) {
          auto first = period(n.first), last = period(n.last);
          auto x = absolute_periods([&] { return expr(*n.body); });
          if (!first || !last || !x) return nullptr;
          if (*last < *first) {
            error(DiagKind::structure, "E408", text("the periods run backwards: the last comes before the first"), e.range);
            return nullptr;
          }
          if (x->type.kind != TypeKind::number) {
            error(DiagKind::type, "E309", text("sum(...) needs numbers, but this is {}", x->type.describe()), n.body->range);
            return nullptr;
          }
          Type t = x->type;
          return make(checked::OverPeriods{std::move(x), *first, *last}, t, e.range);
        } else if constexpr (std::is_same_v<T, ast::OverParticipants>) {
          return over_participants(e, n);
        }
      },
      e.node);
}

const Symbol* Checker::find_global(const std::string& name) {
  RecentGlobal& recent = recent_globals_[plain_hash(name) % recent_globals_.size()];
  if (recent.name && *recent.name == name) return recent.symbol;
  auto* entry = globals_.find(name);
  if (!entry) return nullptr;
  recent = {&entry->first, &entry->second};
  return &entry->second;
}

ExprPtr Checker::name_ref(const ast::Expr& e, const ast::NameRef& n) {
  const Symbol* found = find_global(n.name.text);
  if (!found) {
    if (rounding_mode_from_name(n.name.text)) {
      error(DiagKind::name, "E207", text("`{}` is a rounding mode; it belongs in round(x, step, {})", n.name.text, n.name.text),
            n.name.range);
      return nullptr;
    }
    if (n.name.text == "last_day" || n.name.text == "next_day") {
      error(DiagKind::name, "E208", text("unknown name `{}`", n.name.text), n.name.range,
            text("`{}` is a month-end rule; it belongs in add_months(d, n, {})", n.name.text, n.name.text));
      return nullptr;
    }
    auto hint = field_hint(n.name.text);
    error(DiagKind::name, "E208", text("unknown name `{}`", n.name.text), n.name.range, hint.empty() ? suggest(n.name.text) : hint);
    return nullptr;
  }
  const Symbol& s = *found;
  if (term_context_ && s.kind != SymbolKind::term) {
    error(DiagKind::type, "E305", text("a term is a constant; it cannot use `{}`", n.name.text), e.range);
    return nullptr;
  }
  switch (s.kind) {
    case SymbolKind::input: {
      const auto& in = c_.inputs[s.index];
      if (in.participants) {
        error(DiagKind::type, "E310", text("`{}` is a set of participants; use it in sum(...) or count(...)", in.name), e.range);
        return nullptr;
      }
      return make(checked::InputRef{s.index}, in.type, e.range);
    }
    case SymbolKind::term:
      depend({node_term, s.index}, e.range);
      if (!ensure({node_term, s.index}, e.range)) return nullptr;
      return make(checked::TermRef{s.index}, c_.terms[s.index].type, e.range);
    case SymbolKind::def:
      depend({node_def, s.index}, e.range);
      if (!ensure({node_def, s.index}, e.range)) return nullptr;
      return make(checked::DefRef{s.index}, c_.defs[s.index].type, e.range);
    case SymbolKind::payment:
    case SymbolKind::waterfall: {
      bool pay = s.kind == SymbolKind::payment;
      depend({pay ? node_payment : node_waterfall, s.index}, e.range);
      int currency = rule_currency(!pay, s.index, e.range);
      Type t = Type::number(c_.currencies[currency].unit);
      if (pay) return make(checked::PaymentRef{s.index}, t, e.range);
      return make(checked::WaterfallRef{s.index}, t, e.range);
    }
    case SymbolKind::table:
      error(DiagKind::type, "E311", text("`{}` is a table; look a value up with {}(x)", n.name.text, n.name.text), e.range);
      return nullptr;
  }
  return nullptr;
}

// The definition that `operand` names, written alone (`saldo`, or `u.saldo` of a participant in
// scope), when it has no type yet: it is being typed (it uses its own earlier values), or it
// comes later. None otherwise, and outside a contract (a REPL or --set expression).
std::optional<Node> Checker::definition_without_type(const ast::Expr& operand) {
  if (sources_.empty()) return std::nullopt;
  std::optional<Node> n;
  if (const auto* name = std::get_if<ast::NameRef>(&operand.node)) {
    if (const Symbol* s = find_global(name->name.text); s && s->kind == SymbolKind::def) n = Node{node_def, s->index};
  } else if (const auto* field = ast::node_if<ast::FieldRef>(&operand.node)) {
    auto b = std::find_if(binders_.rbegin(), binders_.rend(), [&](const Binder& x) { return x.name == field->binder.text; });
    if (b == binders_.rend()) return std::nullopt;
    const auto& fields = c_.inputs[b->set].fields;
    if (std::any_of(fields.begin(), fields.end(), [&](const checked::Field& f) { return f.name == field->field.text; }))
      return std::nullopt;
    for (std::size_t i = 0; i < c_.participant_defs.size(); ++i)
      if (c_.participant_defs[i].set == b->set && c_.participant_defs[i].name == field->field.text) n = Node{node_pdef, int(i)};
  }
  if (!n || state_[*n] == Typing::typed || state_[*n] == Typing::failed) return std::nullopt;
  return n;
}

// previous(d, fallback) of a definition d without a type yet: the fallback gives the type (it
// is typed first, and outside previous: it is a value of the first period), and d's own type,
// once found, must be the same (E315, in ensure). So a definition may use its own earlier
// values, alone or through a circle of definitions, in any order of declaration.
ExprPtr Checker::previous_before_type(const ast::Expr& e, const ast::Call& n, Node own) {
  auto fb = expr(*n.args[1]);
  if (!fb) return nullptr;
  const ast::Expr& operand = *n.args[0];
  ++previous_depth_;
  depend(own, operand.range);
  --previous_depth_;
  assumed_types_.insert({own, {fb->type, n.args[1]->range, clause_}});
  Type t = fb->type;
  ExprPtr x;
  if (own.first == node_def) {
    x = make(checked::DefRef{own.second}, t, operand.range);
  } else {
    const auto& field = *ast::node_if<ast::FieldRef>(&operand.node);  // a definition of a participant
    auto b = std::find_if(binders_.rbegin(), binders_.rend(), [&](const Binder& y) { return y.name == field.binder.text; });
    x = make(checked::ParticipantDefRef{b->slot, own.second}, t, operand.range);
  }
  return make(checked::Previous{std::move(x), std::move(fb)}, t, e.range);
}

// start_of(P), end_of(P), days_in(P): the first and last day of a period and the days from one
// to the other, both counted; period_of(d): the period a date falls in (docs/language.md §13.15).
ExprPtr Checker::calendar_date(const ast::Expr& e, const ast::Call& n) {
  const std::string& f = n.callee.text;
  using Part = checked::CalendarDate::Part;
  const Part part = f == "start_of" ? Part::start : f == "end_of" ? Part::end : f == "days_in" ? Part::days : Part::period_of;
  if (n.args.size() != 1) {
    error(DiagKind::type, "E312", text("{}(...) takes 1 argument, not {}", f, n.args.size()), e.range);
    return nullptr;
  }
  auto x = expr(*n.args[0]);
  if (!x) return nullptr;
  const Type want = part == Part::period_of ? Type::date() : Type::period();
  if (!(x->type == want)) {
    error(DiagKind::type, "E303", text("{} needs a {}, but this is {}", f, want.describe(), x->type.describe()), n.args[0]->range);
    return nullptr;
  }
  if (!c_.dated()) {
    error(DiagKind::type, "E324",
          text("{}: the periods of this calendar have no dates; a listed calendar has them when each period gives its "
               "first and last day (`periods H1_2026 = 2026-01-01 .. 2026-06-30, ...`)", f),
          e.range);
    return nullptr;
  }
  Type t = part == Part::period_of ? Type::period() : part == Part::days ? Type::number() : Type::date();
  return make(checked::CalendarDate{part, std::move(x)}, t, e.range);
}

// add_days(d, n), add_months(d, n), add_months(d, n, RULE): the date d moved by n whole days or
// months; RULE says which day a month without the day of d gives (docs/language.md §13.15).
ExprPtr Checker::date_shift(const ast::Expr& e, const ast::Call& n) {
  const std::string& f = n.callee.text;
  const bool by_months = f == "add_months";
  if (n.args.size() < 2 || n.args.size() > (by_months ? 3u : 2u)) {
    error(DiagKind::type, "E312", by_months ? text("{}(...) takes 2 or 3 arguments, not {}", f, n.args.size()) : text("{}(...) takes {} arguments, not {}", f, 2, n.args.size()), e.range);
    return nullptr;
  }
  auto d = expr(*n.args[0]);
  auto k = expr(*n.args[1]);
  std::optional<dates::MonthEnd> rule = dates::MonthEnd::none;
  if (n.args.size() == 3) {
    const auto* word = std::get_if<ast::NameRef>(&n.args[2]->node);
    const std::string text = word ? word->name.text : "";
    rule = text == "last_day" ? std::optional{dates::MonthEnd::last_day}
           : text == "next_day" ? std::optional{dates::MonthEnd::next_day}
                                : std::nullopt;
    if (!rule)
      error(DiagKind::type, "E330",
            utfall::text("the third argument of add_months is a month-end rule: last_day (the last day of the month reached) or next_day "
                         "(the day after it, the first of the next month)"),
            n.args[2]->range);
  }
  if (!d || !k || !rule) return nullptr;
  if (d->type.kind != TypeKind::date) {
    error(DiagKind::type, "E303", text("{} moves a date, but this is {}", f, d->type.describe()), n.args[0]->range);
    return nullptr;
  }
  if (!(k->type == Type::number())) {
    error(DiagKind::type, "E303",
          by_months ? text("{} moves by a plain number of months, but this is {}", f, k->type.describe())
                    : text("{} moves by a plain number of days, but this is {}", f, k->type.describe()),
          n.args[1]->range);
    return nullptr;
  }
  using Unit = checked::DateShift::Unit;
  return make(checked::DateShift{by_months ? Unit::months : Unit::days, *rule, std::move(d), std::move(k)}, Type::date(), e.range);
}

bool Checker::arity(const ast::Expr& e, const ast::Call& n, std::size_t lo, std::size_t hi) {
  if (n.args.size() >= lo && n.args.size() <= hi) return true;
  const std::string& f = n.callee.text;
  error(DiagKind::type, "E312",
        lo == hi           ? text("{}(...) takes {} arguments, not {}", f, lo, n.args.size())
        : hi == SIZE_MAX ? text("{}(...) takes at least {} arguments, not {}", f, lo, n.args.size())
                         : text("{}(...) takes {} to {} arguments, not {}", f, lo, hi, n.args.size()),
        e.range);
  return false;
}

// round, to_date, previous and the calendar's functions (stdlib/builtins.hpp).
ExprPtr Checker::special_form(const ast::Expr& e, const ast::Call& n) {
  const std::string& f = n.callee.text;
  auto arity = [&](std::size_t lo, std::size_t hi) { return this->arity(e, n, lo, hi); };
  if (f == "start_of" || f == "end_of" || f == "days_in" || f == "period_of") return calendar_date(e, n);
  if (f == "add_days" || f == "add_months") return date_shift(e, n);
  if (f == "round") {
    if (!arity(3, 3)) return nullptr;
    auto outer = std::exchange(rounded_conversion_, n.args[0].get());
    auto x = expr(*n.args[0]);
    rounded_conversion_ = outer;
    auto step = expr(*n.args[1]);
    const auto* mode_name = std::get_if<ast::NameRef>(&n.args[2]->node);
    std::optional<RoundingMode> m;
    if (!mode_name)
      error(DiagKind::type, "E314", text("the third argument of round is a rounding mode such as half_even"), n.args[2]->range);
    else
      m = mode(mode_name->name);
    if (!x || !step || !m) return nullptr;
    if (x->type.kind != TypeKind::number || (!(step->type == x->type) && !(step->type == Type::number()))) {
      error(DiagKind::type, "E302", text("round needs a number and a step of its unit (or a plain step), not {} and {}",
                                         x->type.describe(), step->type.describe()), e.range);
      return nullptr;
    }
    Type t = x->type;
    return make(checked::Round{std::move(x), std::move(step), *m}, t, e.range);
  }
  if (f == "to_date" || f == "previous") {
    if (term_context_) {
      error(DiagKind::type, "E305", text("a term is a constant and cannot depend on the period"), e.range);
      return nullptr;
    }
    if (f == "to_date") {
      if (!arity(1, 1)) return nullptr;
      auto x = expr(*n.args[0]);
      if (!x) return nullptr;
      if (x->type.kind != TypeKind::number) {
        error(DiagKind::type, "E309", text("to_date needs a number, but this is {}", x->type.describe()), n.args[0]->range);
        return nullptr;
      }
      Type t = x->type;
      return make(checked::ToDate{std::move(x)}, t, e.range);
    }
    if (!arity(2, 2)) return nullptr;
    if (auto own = definition_without_type(*n.args[0])) return previous_before_type(e, n, *own);
    ++previous_depth_;
    auto x = expr(*n.args[0]);
    --previous_depth_;
    auto fb = expr(*n.args[1]);
    if (!x || !fb) return nullptr;
    if (!(x->type == fb->type)) {
      error(DiagKind::type, "E315", text("the fallback of previous is {}, but the value is {}", fb->type.describe(), x->type.describe()),
            n.args[1]->range);
      return nullptr;
    }
    Type t = x->type;
    return make(checked::Previous{std::move(x), std::move(fb)}, t, e.range);
  }
  throw std::logic_error("checker: no rule for the special form " + f);
}

ExprPtr Checker::call(const ast::Expr& e, const ast::Call& n) {
  const std::string& f = n.callee.text;
  auto arity = [&](std::size_t lo, std::size_t hi) { return this->arity(e, n, lo, hi); };
  // A table lookup.
  if (const Symbol* s = find_global(f); s && s->kind == SymbolKind::table) {
    if (!arity(1, 1)) return nullptr;
    auto key = expr(*n.args[0]);
    if (!key) return nullptr;
    const auto& t = c_.tables[s->index];
    if (!(key->type == t.key_type)) {
      error(DiagKind::type, "E313", text("the table `{}` is keyed by {}, but this is {}", f, t.key_type.describe(), key->type.describe()),
            n.args[0]->range);
      return nullptr;
    }
    Type vt = t.value_type;
    return make(checked::TableLookup{s->index, std::move(key)}, vt, e.range);
  }
  auto id = stdlib::find_builtin(f);
  if (!id) {
    error(DiagKind::name, "E209", text("unknown function `{}`", f), n.callee.range,
          text("the functions are min, max, clamp, abs, round, to_date, previous, start_of, end_of, days_in, period_of, add_days, "
               "add_months, and the tables of the contract"));
    return nullptr;
  }
  const auto& b = stdlib::builtins()[*id];
  if (b.signature == stdlib::Signature::special) return special_form(e, n);
  std::size_t lo = 1, hi = 1;
  if (b.signature == stdlib::Signature::same_unit_variadic) lo = 2, hi = SIZE_MAX;
  if (b.signature == stdlib::Signature::same_unit_3) lo = hi = 3;
  if (!arity(lo, hi)) return nullptr;
  std::vector<ExprPtr> args;
  args.reserve(n.args.size());
  bool ok = true;
  for (const auto& a : n.args) {
    auto x = expr(*a);
    if (!x) { ok = false; continue; }
    if (x->type.kind != TypeKind::number) {
      error(DiagKind::type, "E316", text("{} needs numbers, but this is {}", f, x->type.describe()), a->range);
      ok = false;
      continue;
    }
    if (!args.empty() && !(args.front()->type == x->type)) {
      error(DiagKind::type, "E317", text("the arguments of {} must have one unit: {} and {}", f, args.front()->type.describe(), x->type.describe()),
            a->range, text("write `0 {}` rather than `0` for a zero of that unit", args.front()->type.describe()));
      ok = false;
      continue;
    }
    args.push_back(std::move(x));
  }
  if (!ok) return nullptr;
  Type t = args.front()->type;
  return make(checked::Builtin{*id, std::move(args)}, t, e.range);
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

// E335, apart from binary() so that its strings do not widen every frame of the recursion.
void Checker::unrounded_conversion(const ast::Expr& e, int from, const Unit& u) {
  std::string written = e.range.source && e.range.end_offset - e.range.begin.offset <= 60
                            ? e.range.source->text.substr(e.range.begin.offset, e.range.end_offset - e.range.begin.offset)
                            : "…";
  const auto& to = c_.currencies[*c_.currency_index(u)];
  std::string step = Number(to.minor_unit).to_string() + " " + to.code;
  error(DiagKind::type, "E335",
        text("this converts {} to {} without a stated rounding: write round({}, {}, half_even) (or another "
             "mode), or round the payment it is the amount of (`rounded half_even to {}`)",
                    c_.currencies[from].code, to.code, written, step, step),
        e.range);
}

ExprPtr Checker::binary(const ast::Expr& e, const ast::Binary& n) {
  auto l = expr(*n.lhs);
  auto r = expr(*n.rhs);
  if (!l || !r) return nullptr;
  using B = ast::BinaryOp;
  const Type lt = l->type, rt = r->type;
  auto fail = [&](Text msg) -> ExprPtr {
    error(DiagKind::type, "E318", std::move(msg), e.range);
    return nullptr;
  };
  auto node = [&](Op op, Type t) { return make(checked::Binary{op, std::move(l), std::move(r)}, std::move(t), e.range); };
  switch (n.op) {
    case B::logical_and:
    case B::logical_or:
      if (lt.kind != TypeKind::boolean || rt.kind != TypeKind::boolean)
        return fail(n.op == B::logical_and ? text("`and` needs booleans, not {} and {}", lt.describe(), rt.describe())
                                           : text("`or` needs booleans, not {} and {}", lt.describe(), rt.describe()));
      return node(n.op == B::logical_and ? Op::logical_and : Op::logical_or, Type::boolean());
    case B::add:
    case B::subtract:
      if (n.op == B::add && lt.kind == TypeKind::period && rt == Type::number()) return node(Op::period_add, Type::period());
      if (n.op == B::subtract && lt.kind == TypeKind::period && rt == Type::number()) {  // p - k is p + -k
        auto range = r->range;
        r = make(checked::Unary{Op::negate, std::move(r)}, Type::number(), std::move(range));
        return node(Op::period_add, Type::period());
      }
      if (n.op == B::subtract && lt.kind == TypeKind::date && rt.kind == TypeKind::date) return node(Op::date_subtract, Type::number());
      if (lt.kind == TypeKind::date || rt.kind == TypeKind::date)
        return fail(n.op == B::add
                        ? text("cannot add {} and {}: only `date - date` is defined, the number of days between two dates", lt.describe(), rt.describe())
                        : text("cannot subtract {} and {}: only `date - date` is defined, the number of days between two dates", lt.describe(), rt.describe()));
      if (lt.kind != TypeKind::number || rt.kind != TypeKind::number || !(lt.unit == rt.unit))
        return fail(n.op == B::add ? text("cannot add {} and {}", lt.describe(), rt.describe())
                                   : text("cannot subtract {} and {}", lt.describe(), rt.describe()));
      return node(n.op == B::add ? Op::add : Op::subtract, lt);
    case B::multiply:
    case B::divide:
      if (lt.kind != TypeKind::number || rt.kind != TypeKind::number)
        return fail(n.op == B::multiply ? text("cannot multiply {} by {}", lt.describe(), rt.describe())
                                        : text("cannot divide {} by {}", lt.describe(), rt.describe()));
    {
      Unit u = n.op == B::multiply ? lt.unit * rt.unit : lt.unit / rt.unit;
      if (auto from = converts(u, lt.unit, rt.unit); from && rounded_conversion_ != &e) {
        unrounded_conversion(e, *from, u);
        return nullptr;
      }
      return node(n.op == B::multiply ? Op::multiply : Op::divide, Type::number(unit_with_spellings(u)));
    }
    default: {
      bool ordered = n.op != B::equal && n.op != B::not_equal;
      bool same = lt == rt;
      bool comparable = same && (lt.kind == TypeKind::number || lt.kind == TypeKind::period || lt.kind == TypeKind::date || !ordered);
      if (same && lt.kind == TypeKind::text && ordered)
        return fail(text("text has no order: `{}` cannot compare two texts; compare text with `=` or `!=`", op_text(n.op)));
      if ((lt.kind == TypeKind::text) != (rt.kind == TypeKind::text))
        return fail(text("cannot compare {} with {}: text equals only text (write a code in quotes, \"m01\", to "
                         "compare with text)", lt.describe(), rt.describe()));
      if (!comparable)
        return fail(text("cannot compare {} with {} using `{}`", lt.describe(), rt.describe(), op_text(n.op)));
      Op op = n.op == B::less ? Op::less : n.op == B::less_equal ? Op::less_equal : n.op == B::greater ? Op::greater
            : n.op == B::greater_equal ? Op::greater_equal : n.op == B::equal ? Op::equal : Op::not_equal;
      return node(op, Type::boolean());
    }
  }
}

ExprPtr Checker::over_participants(const ast::Expr& e, const ast::OverParticipants& n) {
  if (term_context_) {
    error(DiagKind::type, "E305", text("a term is a constant and cannot depend on data"), e.range);
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
      error(DiagKind::type, "E307", text("the condition after `where` must be boolean, but this is {}", filter->type.describe()),
            n.filter->range);
      ok = false;
    }
    ok = ok && filter;
  }
  if (n.body) {
    body = expr(*n.body);
    if (body && body->type.kind != TypeKind::number) {
      error(DiagKind::type, "E309", text("sum(...) needs numbers, but this is {}", body->type.describe()), n.body->range);
      ok = false;
    }
    ok = ok && body;
  }
  binders_.pop_back();
  if (!ok) return nullptr;
  Type t = n.is_count ? Type::number() : body->type;
  return make(checked::OverParticipants{n.is_count, std::move(body), *set, slot, std::move(filter)}, t, e.range);
}

// c.person.alder: a field (or per-record definition) of the record that the link field
// `field` of the bound record names (docs/language.md §8.5).
ExprPtr Checker::linked_field(const ast::Expr& e, const ast::FieldRef& n, const Binder& b, int field) {
  const auto& link = c_.inputs[b.set].fields[field];
  if (link.link == -2) {  // the link itself was refused (E218, E219, E325): not reported again
    ++failed_references_;
    return nullptr;
  }
  if (link.link < 0) {
    error(DiagKind::name, "E326",
          text("`{}.{}` is not a link, so it has no field `{}`", n.binder.text, n.field.text, n.linked->text),
          n.linked->range, text("only a field declared `key of SET` names a record whose fields can be read"));
    return nullptr;
  }
  const auto& target = c_.inputs[link.link];
  for (std::size_t i = 0; i < target.fields.size(); ++i)
    if (target.fields[i].name == n.linked->text)
      return make(checked::FieldRef{b.slot, b.set, field, static_cast<int>(i)}, target.fields[i].type, e.range);
  for (std::size_t i = 0; i < c_.participant_defs.size(); ++i) {
    const auto& d = c_.participant_defs[i];
    if (d.set == link.link && d.name == n.linked->text) {
      depend({node_pdef, static_cast<int>(i)}, e.range);
      if (!ensure({node_pdef, static_cast<int>(i)}, e.range)) return nullptr;
      return make(checked::ParticipantDefRef{b.slot, static_cast<int>(i), b.set, field}, d.type, e.range);
    }
  }
  error(DiagKind::name, "E206",
        text("the records `{}` (linked by `{}.{}`) have no field or definition `{}`", target.name, n.binder.text,
             n.field.text, n.linked->text),
        n.linked->range);
  return nullptr;
}

}  // namespace utfall::check_internal
