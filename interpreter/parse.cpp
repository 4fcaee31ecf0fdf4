// Parse: PEGTL actions that build the AST from grammar/grammar.hpp.
//
// The builder keeps a stack of finished expressions and a few "pending" slots for the parts of
// the declaration being read (names, units, caps, a payment). Every action runs only after its
// rule matched, and the grammar commits (must<>) before any point where it could give input
// back, so the stacks never hold the remains of a failed alternative.
#include "interpreter/parse.hpp"

#include <tao/pegtl.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "grammar/errors.hpp"
#include "grammar/grammar.hpp"
#include "interpreter/names.hpp"
#include "interpreter/parse_expr.hpp"
#include "interpreter/stack.hpp"
#include "interpreter/text_hash.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

namespace p = tao::pegtl;
namespace g = grammar;

// A syntax error whose message is a sentence of the message table (interpreter/messages.hpp):
// `run` makes it a diagnostic that keeps the phrase, so that it can be drawn in Swedish too.
struct text_error : p::parse_error {
  Text text;
  template <typename Position>
  text_error(Text message, Position&& where)
      : p::parse_error(message.in(Language::en), std::forward<Position>(where)), text(std::move(message)) {}
};

// A parse stopped by a limit rather than by a syntax error: reported with the limit's code and
// kind (exit 5), at the position where the limit was passed.
struct limit_error : text_error {
  const char* code;
  template <typename Position>
  limit_error(const char* limit_code, Text message, Position&& where)
      : text_error(std::move(message), std::forward<Position>(where)), code(limit_code) {}
};

// A character that may not stand in a name or a clause number (E104, interpreter/names.hpp).
struct refused_error : text_error {
  using text_error::text_error;
};
// Refuses the character at byte `at` of `text` (one line), which begins at `where`.
[[noreturn]] void refuse(std::string_view text, std::size_t at, bool clause_number, const p::position& where) {
  std::size_t i = at;
  throw refused_error(refused_character_text(next_code_point(text, i), clause_number),
                      p::position(where.byte + at, where.line, where.column + at, where.source));
}

struct Builder {
  SourcePtr source;
  g::Language language = g::Language::english;  // the set of keywords the file is written in
  bool given = false;                            // by the caller (ParseOptions::language), not its first word
  const char* base = nullptr;
  std::size_t max_nesting = 200;
  std::size_t depth = 0;
  std::optional<StackGuard> stack;  // set when the parse begins, from its frame
  // The hand-written reader of expressions (parse_expr.hpp): whether it is tried, and the byte
  // before which it is not tried again, having declined an expression that reached there (an
  // expression the rules read after a decline holds expressions the reader would decline again).
  bool use_reader = true;
  std::size_t reader_declined_to = 0;

  std::vector<ast::ExprPtr> exprs;
  ast::Contract contract;

  // pending pieces of what is being read
  std::optional<Number> number;
  SourceRange number_range;
  ast::UnitSpelling unit;
  bool percent = false;
  std::string string;
  std::vector<ast::Name> names;        // decl_name stack
  std::vector<std::size_t> call_marks;  // exprs.size() when a call's arguments begin
  std::optional<ast::Name> field;
  std::optional<ast::Name> linked;  // c.person.alder: the field of the linked record
  std::optional<ast::Name> link;    // a field's `key of SET`
  std::optional<ast::PaymentDecl::AtMost> at_most;  // being read
  std::vector<ast::PeriodRef> periods;  // period references not yet consumed

  struct RangeFrame {
    ast::Name binder, set;
    ast::ExprPtr filter;
  };
  std::vector<RangeFrame> ranges;

  ast::TypeSpelling type;
  ast::RangeDecl allowed;  // of the series or field being read
  ast::Applicability applicability;
  std::optional<ast::Name> label;
  std::vector<ast::Cap> caps;
  ast::Cap::Scope cap_scope = ast::Cap::Scope::per_period;
  std::optional<ast::Rounding> rounding;
  bool netted = false;
  ast::PaymentDecl payment;
  ast::WaterfallDecl waterfall;
  ast::Tier tier;
  ast::TableDecl table;
  ast::TableRow row;
  std::vector<ast::FieldDecl> fields;
  bool in_foreach = false;
  std::vector<ast::LetDecl> foreach_lets;
  ast::ForEachDecl foreach;
  ast::InputDecl input;
  std::optional<ast::Name> plural;
  ast::CalendarDecl calendar;
  std::optional<ast::PeriodDates> period_dates;  // of the listed period being read
  ast::ExampleDecl example;
  ast::Expectation expectation;
  bool expect_total = false;
  bool party_has_display = false;
  bool in_clause = false;
  bool over_pending = false;
  // Every distinct name as first written, for the confusable check (interpreter/names.hpp).
  std::vector<ast::Name> spellings;
  TextIndex spelled;  // of `spellings`

  // Names are read in NFC, so that one name has one spelling; a sign among the letter blocks
  // of the grammar is refused like a stray character (names.hpp).
  ast::Name spelling(std::string text, SourceRange r) {
    // Most names are ASCII letters, digits and `_` alone: nothing to refuse, nothing to normalise.
    const auto plain = [](char c) { return ascii_name_char(static_cast<unsigned char>(c)); };
    if (!std::all_of(text.begin(), text.end(), plain)) {
      if (auto at = first_not_in_name(text))
        refuse(text, *at, false, p::position(r.begin.offset, r.begin.line, r.begin.column, source->name));
      text = nfc(text);
    }
    ast::Name n{std::move(text), std::move(r)};
    record(n);
    return n;
  }
  // A name already in NFC and free of refused signs, as the expression reader gives them.
  void record(const ast::Name& n) {
    std::string* slot = n.text.size() <= kRecentLength ? &recent[recent_slot(n.text)] : nullptr;
    if (slot && *slot == n.text) return;  // recorded already
    spelled.find_or_add(n.text, [&](std::uint32_t i) -> const std::string& { return spellings[i].text; }, [&] {
      spellings.push_back(n);
      return spellings.size() - 1;
    });
    if (slot) *slot = n.text;
  }
  // In front of `spelled`: the last short name recorded in each of these slots, chosen by a
  // plain hash of its text. A contract names its parties, terms and units again in every clause;
  // such a name is found here without SipHash and a probe of a large table (17 names a clause,
  // 13 of them repeats, in scenario_bench's contract). A slot only cuts the work short: a name
  // not in its slot is looked up in `spelled` as before. Only names a string holds in place (15
  // bytes) use the slots, so the slots allocate nothing, and the extra work for a name, hashed
  // by FNV-1a a byte at a time, is bounded: texts chosen to share a slot cost a few nanoseconds
  // more a name, and long names what they did.
  static constexpr std::size_t kRecentLength = 15;
  std::array<std::string, 128> recent;
  static std::size_t recent_slot(std::string_view text) { return plain_hash(text) % 128; }

  // From the input's iterator, which tracks the line and column as it goes: PEGTL's position()
  // would copy the source's name into a string of its own at every range (a heap allocation
  // for a name past 15 bytes, some 18 per clause).
  template <typename Input>
  SourceRange range(const Input& in) const {
    static_assert(Input::input_t::tracking_mode_v == p::tracking_mode::eager);
    const auto& at = in.iterator();
    return SourceRange{source.get(), source_position(at.byte, at.line, at.column), source_index(static_cast<std::size_t>(in.end() - base))};
  }
  SourceRange span(const SourceRange& a, const SourceRange& b) const { return SourceRange{source.get(), a.begin, b.end_offset}; }

  ast::ExprPtr pop() {
    auto e = std::move(exprs.back());
    exprs.pop_back();
    return e;
  }
  // The height of the tree is bounded as well as the nesting of parentheses: a flat chain of
  // 20 000 `+` is as deep for the checker and evaluator as 20 000 parentheses.
  static constexpr int max_height = 1000;
  template <typename Node>
  void push(Node node, SourceRange r) {
    int height = 1;
    auto child = [&](const ast::ExprPtr& e) {
      if (e) height = std::max(height, e->height + 1);
    };
    if constexpr (requires { node.lhs; }) child(node.lhs), child(node.rhs);
    if constexpr (requires { node.operand; }) child(node.operand);
    if constexpr (requires { node.condition; }) child(node.condition), child(node.then_branch), child(node.else_branch);
    if constexpr (requires { node.args; }) for (const auto& a : node.args) child(a);
    if constexpr (requires { node.body; }) child(node.body);
    if constexpr (requires { node.filter; }) child(node.filter);
    if (height > max_height)
      throw limit_error("E706", fmt_height(), p::position(p::internal::iterator(r.source->text.data() + r.begin.offset, r.begin.offset, r.begin.line, r.begin.column), r.source->name));
    auto e = std::make_unique<ast::Expr>(std::move(node), std::move(r));
    e->height = height;
    exprs.push_back(std::move(e));
  }
  static Text fmt_height() { return text("the expression nests deeper than the limit of {} operators", max_height); }
  ast::Name pop_name() {
    auto n = std::move(names.back());
    names.pop_back();
    return n;
  }
  ast::PeriodRef pop_period() {
    auto r = std::move(periods.back());
    periods.pop_back();
    return r;
  }
  ast::UnitSpelling take_unit() { return std::exchange(unit, {}); }

  // Where the items of a clause go; items outside any clause form a clause without number.
  ast::ClauseDecl& clause() {
    if (!in_clause) {
      for (auto& c : contract.clauses)
        if (c.number.empty()) return c;
      contract.clauses.emplace_back();
    }
    return contract.clauses.back();
  }
  // An item of the clause being read. A clause mostly holds two or more (a definition and the
  // payment that reads it): room for two at the first, not one and then two.
  template <typename Item>
  void add_item(Item&& item) {
    auto& items = clause().items;
    if (items.empty()) items.reserve(2);
    items.emplace_back(std::forward<Item>(item));
  }
};

template <typename Input>
ast::Name name_of(Builder& b, const Input& in) {
  return b.spelling(in.string(), b.range(in));
}

// The identifier at the start of a matched `name:` label.
template <typename Input>
ast::Name label_of(Builder& b, const Input& in) {
  std::string text = in.string();
  std::size_t end = 0;
  while (end < text.size() && text[end] != ':' && text[end] != ' ' && text[end] != '\t' && text[end] != '\n' &&
         text[end] != '\r' && text[end] != '#')
    ++end;
  auto r = b.range(in);
  r.end_offset = r.begin.offset + end;
  return b.spelling(text.substr(0, end), r);
}

template <typename Rule>
struct action : p::nothing<Rule> {};

// A character beyond ASCII where a name stands that is not a letter of a name (§2.3).
template <>
struct action<g::ident_stray> {
  template <typename Input>
  static void apply(const Input& in, Builder&) { refuse(in.string_view(), 0, false, in.position()); }
};

// ---- literals ----
template <>
struct action<g::number_digits> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (in.size() > 10000) throw limit_error("E704", text("a number literal longer than 10000 characters (the limit on the size of numbers)"), in);
    b.number = Number::parse_decimal(in.string());
    if (!b.number) throw text_error(text("malformed number"), in);
    b.number_range = b.range(in);
  }
};
template <>
struct action<g::unit_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.unit.numerator.push_back(name_of(b, in)); }
};
template <>
struct action<g::unit_per_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.unit.denominator.push_back(name_of(b, in)); }
};
template <>
struct action<g::percent_sign> {
  static void apply0(Builder& b) { b.percent = true; }
};
template <>
struct action<g::number_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    ast::NumberLit lit;
    lit.value = *b.number;
    lit.percent = std::exchange(b.percent, false);
    if (lit.percent) lit.value = lit.value / Number::from_int(100);
    lit.unit = b.take_unit();
    b.push(std::move(lit), b.range(in));
  }
};
template <>
struct action<g::unlimited_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    ast::NumberLit lit;
    lit.value = Number::from_int(0);
    lit.unlimited = true;
    lit.unit = b.take_unit();
    b.push(std::move(lit), b.range(in));
  }
};
template <>
struct action<g::string_body> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.string.clear();
    std::string_view s(in.begin(), in.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      b.string += s[i];
    }
  }
};
template <>
struct action<g::true_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.push(ast::BoolLit{true}, b.range(in)); }
};
template <>
struct action<g::false_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.push(ast::BoolLit{false}, b.range(in)); }
};
template <>
struct action<g::current_period> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.push(ast::CurrentPeriod{}, b.range(in)); }
};
template <>
struct action<g::period_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.periods.push_back(ast::PeriodRef{in.string(), b.range(in)}); }
};
template <>
struct action<g::text_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.push(ast::TextLit{b.string}, b.range(in)); }
};
template <>
struct action<g::date_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    std::string s = in.string();
    b.push(ast::DateLit{s.substr(s.size() - 10)}, b.range(in));
  }
};
template <>
struct action<g::period_lit> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.push(ast::PeriodLit{b.pop_period()}, b.range(in)); }
};

// ---- expressions ----
// A bracketed expression's range includes its brackets: explain prints a formula as written
// (`3 * (x + 1 SEK)`, not `3 * (x + 1 SEK`), and a caret under it covers what was written.
template <>
struct action<g::paren_expr> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (!b.exprs.empty() && b.exprs.back()) b.exprs.back()->range = b.range(in);
  }
};
template <>
struct action<g::if_expr> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto e = b.pop(), t = b.pop(), c = b.pop();
    b.push(ast::If{std::move(c), std::move(t), std::move(e)}, b.range(in));
  }
};
template <>
struct action<g::binder_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.ranges.push_back({name_of(b, in), {}, nullptr}); }
};
template <>
struct action<g::set_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.ranges.back().set = name_of(b, in); }
};
template <>
struct action<g::where_clause> {
  static void apply0(Builder& b) { b.ranges.back().filter = b.pop(); }
};
template <>
struct action<g::sum_expr> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    // sum_over leaves two period references; sum_for leaves a range frame.
    if (b.over_pending) {
      b.over_pending = false;
      auto last = b.pop_period(), first = b.pop_period();
      b.push(ast::OverPeriods{b.pop(), std::move(first), std::move(last)}, b.range(in));
      return;
    }
    auto frame = std::move(b.ranges.back());
    b.ranges.pop_back();
    b.push(ast::OverParticipants{false, b.pop(), std::move(frame.binder), std::move(frame.set), std::move(frame.filter)},
           b.range(in));
  }
};
template <>
struct action<g::sum_over> {
  static void apply0(Builder& b) { b.over_pending = true; }
};
template <>
struct action<g::count_expr> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto frame = std::move(b.ranges.back());
    b.ranges.pop_back();
    b.push(ast::OverParticipants{true, nullptr, std::move(frame.binder), std::move(frame.set), std::move(frame.filter)},
           b.range(in));
  }
};
template <>
struct action<g::callee> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.push(ast::NameRef{name_of(b, in)}, b.range(in));
    b.call_marks.push_back(b.exprs.size());
  }
};
template <>
struct action<g::call_args> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    std::size_t mark = b.call_marks.back();
    std::vector<ast::ExprPtr> args;
    for (std::size_t i = mark; i < b.exprs.size(); ++i) args.push_back(std::move(b.exprs[i]));
    b.exprs.resize(mark);
    auto callee = b.pop();
    auto name = std::get<ast::NameRef>(callee->node).name;
    b.push(ast::Call{std::move(name), std::move(args)}, b.span(callee->range, b.range(in)));
  }
};
template <>
struct action<g::field_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.field = name_of(b, in); }
};
template <>
struct action<g::field_access> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto binder = b.pop();
    auto name = std::get<ast::NameRef>(binder->node).name;
    b.push(ast::FieldRef{std::move(name), std::move(*b.field), std::exchange(b.linked, {})}, b.span(binder->range, b.range(in)));
  }
};
template <>
struct action<g::linked_field_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.linked = name_of(b, in); }
};
template <>
struct action<g::name_expr> {
  static void apply0(Builder& b) { b.call_marks.pop_back(); }
};
template <>
struct action<g::at_suffix> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto operand = b.pop();
    auto r = b.span(operand->range, b.range(in));
    b.push(ast::At{std::move(operand), b.pop_period()}, r);
  }
};

template <ast::UnaryOp Op>
struct unary_action {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto operand = b.pop();
    b.push(ast::Unary{Op, std::move(operand)}, b.range(in));
  }
};
template <>
struct action<g::negation> : unary_action<ast::UnaryOp::negate> {};
template <>
struct action<g::logical_not> : unary_action<ast::UnaryOp::logical_not> {};

template <ast::BinaryOp Op>
struct binary_action {
  static void apply0(Builder& b) {
    auto rhs = b.pop(), lhs = b.pop();
    auto r = b.span(lhs->range, rhs->range);
    b.push(ast::Binary{Op, std::move(lhs), std::move(rhs)}, r);
  }
};
template <> struct action<g::op_mul> : binary_action<ast::BinaryOp::multiply> {};
template <> struct action<g::op_div> : binary_action<ast::BinaryOp::divide> {};
template <> struct action<g::op_add> : binary_action<ast::BinaryOp::add> {};
template <> struct action<g::op_sub> : binary_action<ast::BinaryOp::subtract> {};
template <> struct action<g::op_lt> : binary_action<ast::BinaryOp::less> {};
template <> struct action<g::op_le> : binary_action<ast::BinaryOp::less_equal> {};
template <> struct action<g::op_gt> : binary_action<ast::BinaryOp::greater> {};
template <> struct action<g::op_ge> : binary_action<ast::BinaryOp::greater_equal> {};
template <> struct action<g::op_eq> : binary_action<ast::BinaryOp::equal> {};
template <> struct action<g::op_ne> : binary_action<ast::BinaryOp::not_equal> {};
template <> struct action<g::op_and> : binary_action<ast::BinaryOp::logical_and> {};
template <> struct action<g::op_or> : binary_action<ast::BinaryOp::logical_or> {};

// ---- header, parties, units, calendar ----
template <>
struct action<g::decl_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.names.push_back(name_of(b, in)); }
};
template <>
struct action<g::title_string> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (!b.contract.header) b.contract.header.emplace();
    if (!b.contract.header->title.empty()) throw text_error(text("the contract title is given twice"), in);
    b.contract.header->title = b.string;
    b.contract.header->range = b.range(in);
  }
};
template <>
struct action<g::currency_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (!b.contract.header) b.contract.header.emplace();
    b.contract.header->currencies.push_back({name_of(b, in), std::nullopt});
  }
};
template <>
struct action<g::minor_unit> {
  static void apply0(Builder& b) { b.contract.header->currencies.back().minor_unit = *b.number; }
};
template <>
struct action<g::party_display> {
  static void apply0(Builder& b) { b.party_has_display = true; }
};
template <>
struct action<g::party_decl> {
  static void apply0(Builder& b) {
    auto id = b.pop_name();
    std::string display = std::exchange(b.party_has_display, false) ? b.string : id.text;
    b.contract.parties.push_back(ast::PartyDecl{std::move(id), std::move(display)});
  }
};
template <>
struct action<g::plural_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.plural = name_of(b, in); }
};
template <>
struct action<g::unit_decl> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    ast::UnitDecl unit{b.pop_name(), std::exchange(b.plural, {})};
    // `per participant` is the scope of a cap, so no unit may be read there (docs/language.md §2.4).
    if (unit.singular.text == "participant" || (unit.plural && unit.plural->text == "participant"))
      throw text_error(text("`participant` cannot be the name of a unit: `per participant` is the scope of a cap"), in);
    b.contract.units.push_back(std::move(unit));
  }
};
template <>
struct action<g::kw_yearly> {
  static void apply0(Builder& b) { b.calendar.kind = ast::CalendarDecl::Kind::yearly; }
};
template <>
struct action<g::kw_quarterly> {
  static void apply0(Builder& b) { b.calendar.kind = ast::CalendarDecl::Kind::quarterly; }
};
template <>
struct action<g::kw_monthly> {
  static void apply0(Builder& b) { b.calendar.kind = ast::CalendarDecl::Kind::monthly; }
};
template <>
struct action<g::calendar_first_day> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.period_dates = ast::PeriodDates{in.string(), {}, {}}; }
};
template <>
struct action<g::calendar_last_day> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.period_dates->last = in.string(); }
};
template <>
struct action<g::calendar_dates> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.period_dates->range = b.range(in); }
};
template <>
struct action<g::calendar_entry> {
  static void apply0(Builder& b) { b.calendar.dates.push_back(std::exchange(b.period_dates, std::nullopt)); }
};
template <>
struct action<g::calendar_list> {
  static void apply0(Builder& b) { b.calendar.kind = ast::CalendarDecl::Kind::named; }
};
template <>
struct action<g::periods_decl> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (b.contract.calendar) throw text_error(text("the calendar (`periods`) is given twice"), in);
    b.calendar.names = std::move(b.periods);
    b.periods.clear();
    b.calendar.range = b.range(in);
    b.contract.calendar = std::exchange(b.calendar, {});
  }
};

// A modifier of a payment, a tier or a series is written once: a second one would silently
// replace the first, so it is an error at the second.
template <typename Input>
void given_once(const Input& in, bool already, PhraseId given_twice) {
  if (already) throw text_error(text(given_twice), in);
}

// ---- applicability ----
template <>
struct action<g::from_period> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.applicability.from.has_value(), "the first period (`from` or `in`) is given twice; write it once");
    b.applicability.from = b.pop_period();
  }
};
template <>
struct action<g::until_period> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.applicability.until.has_value(), "the last period (`until` or `in`) is given twice; write it once");
    b.applicability.until = b.pop_period();
  }
};
template <>
struct action<g::in_first> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.applicability.from || b.applicability.until, "the period range (`from`, `until` or `in`) is given twice; write it once");
    auto r = b.pop_period();
    b.applicability.from = r;
    b.applicability.until = r;
  }
};
template <>
struct action<g::in_last> {
  static void apply0(Builder& b) { b.applicability.until = b.pop_period(); }
};
template <>
struct action<g::applicability> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (b.applicability.range.source == nullptr) b.applicability.range = b.range(in);
  }
};

// ---- types and inputs ----
template <ast::TypeSpelling::Kind K>
struct type_action {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.type = ast::TypeSpelling{K, {}, b.range(in)};
    if constexpr (K == ast::TypeSpelling::Kind::unit) b.type.unit = b.take_unit();
  }
};
template <> struct action<g::type_number> : type_action<ast::TypeSpelling::Kind::number> {};
template <> struct action<g::type_ratio> : type_action<ast::TypeSpelling::Kind::ratio> {};
template <> struct action<g::type_percent> : type_action<ast::TypeSpelling::Kind::percent> {};
template <> struct action<g::type_boolean> : type_action<ast::TypeSpelling::Kind::boolean> {};
template <> struct action<g::type_period> : type_action<ast::TypeSpelling::Kind::period> {};
template <> struct action<g::type_text> : type_action<ast::TypeSpelling::Kind::text> {};
template <> struct action<g::type_date> : type_action<ast::TypeSpelling::Kind::date> {};
template <> struct action<g::type_unit> : type_action<ast::TypeSpelling::Kind::unit> {};

template <>
struct action<g::field_decl> {
  static void apply0(Builder& b) {
    b.fields.push_back(ast::FieldDecl{b.pop_name(), std::move(b.type), std::exchange(b.allowed, {}), std::exchange(b.link, {})});
  }
};
template <>
struct action<g::link_set> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.link = name_of(b, in); }
};
template <>
struct action<g::range_whole> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (std::exchange(b.allowed.whole, true)) throw text_error(text("`whole` is given twice; write it once"), in);
  }
};
template <>
struct action<g::range_low> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (b.allowed.lower) throw text_error(text("the lower bound (`at least`, `between`) is given twice; write it once"), in);
    b.allowed.lower = b.pop();
  }
};
template <>
struct action<g::range_high> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    if (b.allowed.upper) throw text_error(text("the upper bound (`at most`, `between`) is given twice; write it once"), in);
    b.allowed.upper = b.pop();
  }
};
template <>
struct action<g::participants_body> {
  static void apply0(Builder& b) {
    b.input.participants = true;
    b.input.fields = std::move(b.fields);
    b.fields.clear();
  }
};
template <>
struct action<g::series_body> {
  static void apply0(Builder& b) {
    b.input.type = std::move(b.type);
    b.input.periods = std::exchange(b.applicability, {});
    b.input.allowed = std::exchange(b.allowed, {});
  }
};
template <>
struct action<g::input_decl> {
  static void apply0(Builder& b) {
    b.input.name = b.pop_name();
    b.contract.inputs.push_back(std::exchange(b.input, {}));
  }
};
template <>
struct action<g::term_decl> {
  static void apply0(Builder& b) {
    auto value = b.pop();
    b.contract.terms.push_back(ast::TermDecl{b.pop_name(), std::move(value)});
  }
};
template <>
struct action<g::let_decl> {
  static void apply0(Builder& b) {
    auto value = b.pop();
    ast::LetDecl let{b.pop_name(), std::move(value)};
    if (b.in_foreach)
      b.foreach_lets.push_back(std::move(let));
    else
      b.add_item(std::move(let));
  }
};

// ---- for each ----
template <>
struct action<g::foreach_binder> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.foreach.binder = name_of(b, in); }
};
template <>
struct action<g::foreach_set> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.foreach.set = name_of(b, in);
    b.in_foreach = true;
  }
};
template <>
struct action<g::for_each_decl> {
  static void apply0(Builder& b) {
    b.in_foreach = false;
    b.foreach.lets = std::move(b.foreach_lets);
    b.foreach_lets.clear();
    b.add_item(std::exchange(b.foreach, {}));
  }
};

// ---- payments ----
template <>
struct action<g::rounding_mode> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.rounding.has_value(), "the rounding (`rounded`) is given twice; write it once");
    b.rounding.emplace();
    b.rounding->mode = name_of(b, in);
  }
};
template <>
struct action<g::rounding> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.rounding->step = b.pop();
    b.rounding->range = b.range(in);
  }
};
template <>
struct action<g::scope_per_period> {
  static void apply0(Builder& b) { b.cap_scope = ast::Cap::Scope::per_period; }
};
template <>
struct action<g::scope_per_participant> {
  static void apply0(Builder& b) { b.cap_scope = ast::Cap::Scope::per_participant; }
};
template <>
struct action<g::scope_in_total> {
  static void apply0(Builder& b) { b.cap_scope = ast::Cap::Scope::in_total; }
};
template <>
struct action<g::cap_item> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.caps.push_back(ast::Cap{std::exchange(b.cap_scope, ast::Cap::Scope::per_period), b.pop(), b.range(in)});
  }
};
template <>
struct action<g::kw_once> {
  static void apply0(Builder& b) { b.at_most.emplace().count = Number::from_int(1); }
};
template <>
struct action<g::at_most_times> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    std::string digits;
    for (char ch : in.string_view())
      if (ch != '_') digits += ch;
    b.at_most.emplace().count = *Number::parse_decimal(digits);
  }
};
template <>
struct action<g::at_most_key> {
  static void apply0(Builder& b) { b.at_most->keys.push_back(b.pop()); }
};
template <>
struct action<g::at_most_clause> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.payment.at_most.has_value(), "the limit (`at most ... per`) is given twice; write it once");
    b.at_most->range = b.range(in);
    b.payment.at_most = std::exchange(b.at_most, {});
  }
};
template <>
struct action<g::floor_amount> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.payment.floor != nullptr, "the floor (`at least`) is given twice; write it once");
    b.payment.floor = b.pop();
  }
};
template <>
struct action<g::amount_expr> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.payment.amount != nullptr, "the amount (`amount`) is given twice; write it once");
    b.payment.amount = b.pop();
  }
};
template <>
struct action<g::condition_expr> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    given_once(in, b.payment.condition != nullptr, "the condition (`when`) is given twice; write it once");
    b.payment.condition = b.pop();
  }
};
template <>
struct action<g::netted_flag> {
  static void apply0(Builder& b) { b.netted = true; }
};
template <>
struct action<g::each_binder> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.payment.binder = name_of(b, in); }
};
template <>
struct action<g::each_set> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.payment.set = name_of(b, in); }
};
template <>
struct action<g::each_filter> {
  static void apply0(Builder& b) { b.payment.filter = b.pop(); }
};
template <>
struct action<g::item_label> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.label = label_of(b, in); }
};
template <>
struct action<g::payer_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.payment.name = std::exchange(b.label, {});
    b.payment.payer = name_of(b, in);
  }
};
template <>
struct action<g::payee_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.payment.payee = name_of(b, in); }
};
template <>
struct action<g::payment_decl> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto& pay = b.payment;
    pay.periods = std::exchange(b.applicability, {});
    pay.caps = std::move(b.caps);
    b.caps.clear();
    pay.rounding = std::exchange(b.rounding, {});
    pay.netted = std::exchange(b.netted, false);
    pay.range = b.range(in);
    b.add_item(ast::Boxed<ast::PaymentDecl>(std::exchange(b.payment, {})));
  }
};

// ---- waterfalls ----
template <>
struct action<g::waterfall_payer> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.waterfall.name = std::exchange(b.label, {});
    b.waterfall.payer = name_of(b, in);
  }
};
template <>
struct action<g::waterfall_pool> {
  static void apply0(Builder& b) {
    b.waterfall.pool = b.pop();
    b.waterfall.periods = std::exchange(b.applicability, {});
  }
};
template <>
struct action<g::block_open> {
  // The applicability and netting of a waterfall are read before its tiers.
  static void apply0(Builder& b) {
    if (b.waterfall.pool) {
      if (!b.applicability.empty()) b.waterfall.periods = std::exchange(b.applicability, {});
      b.waterfall.netted = b.waterfall.netted || std::exchange(b.netted, false);
    }
  }
};
template <>
struct action<g::tier_payee> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.tier.name = std::exchange(b.label, {});
    b.tier.payee = name_of(b, in);
  }
};
template <>
struct action<g::tier_limit> {
  static void apply0(Builder& b) {
    b.tier.kind = ast::Tier::Kind::up_to;
    b.tier.amount = b.pop();
  }
};
template <>
struct action<g::tier_share> {
  static void apply0(Builder& b) {
    b.tier.kind = ast::Tier::Kind::share_of_rest;
    b.tier.amount = b.pop();
  }
};
template <>
struct action<g::plain_tier> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto& t = b.tier;
    if (!b.caps.empty()) {
      if (b.caps.size() > 1) throw text_error(text("a tier takes one cap (its cap over the cumulative pool)"), in);
      if (b.caps.front().scope != ast::Cap::Scope::per_period)
        throw text_error(text("a tier's cap limits the tier in each period (write `capped at X` or `capped at X per period`); "
                              "`in total` and `per participant` are for payments"), in);
      t.cap = std::move(b.caps.front().amount);
      b.caps.clear();
    }
    t.rounding = std::exchange(b.rounding, {});
    t.range = b.range(in);
    b.waterfall.tiers.push_back(std::exchange(b.tier, {}));
  }
};
template <>
struct action<g::rest_payee> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    ast::Tier t;
    t.kind = ast::Tier::Kind::rest;
    t.payee = name_of(b, in);
    t.range = b.range(in);
    b.waterfall.tiers.push_back(std::move(t));
  }
};
template <>
struct action<g::waterfall_decl> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.waterfall.range = b.range(in);
    b.add_item(ast::Boxed<ast::WaterfallDecl>(std::exchange(b.waterfall, {})));
  }
};

// ---- tables ----
template <>
struct action<g::row_open_closed> {
  static void apply0(Builder& b) { b.row.lower_closed = true; }
};
template <>
struct action<g::row_open_open> {
  static void apply0(Builder& b) { b.row.lower_closed = false; }
};
template <>
struct action<g::row_close_closed> {
  static void apply0(Builder& b) { b.row.upper_closed = true; }
};
template <>
struct action<g::row_close_open> {
  static void apply0(Builder& b) { b.row.upper_closed = false; }
};
template <>
struct action<g::row_lower> {
  static void apply0(Builder& b) { b.row.lower = b.pop(); }
};
template <>
struct action<g::point_x> {
  static void apply0(Builder& b) { b.row.lower = b.pop(); }
};
template <>
struct action<g::row_upper> {
  static void apply0(Builder& b) { b.row.upper = b.pop(); }
};
template <>
struct action<g::row_value> {
  static void apply0(Builder& b) { b.row.value = b.pop(); }
};
template <typename Input>
static void finish_row(const Input& in, Builder& b) {
  b.row.range = b.range(in);
  b.table.rows.push_back(std::exchange(b.row, {}));
}
template <>
struct action<g::step_row> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { finish_row(in, b); }
};
template <>
struct action<g::text_key> {
  static void apply0(Builder& b) { b.row.key = b.string; }
};
template <>
struct action<g::text_row> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { finish_row(in, b); }
};
template <>
struct action<g::scale_point> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { finish_row(in, b); }
};
template <ast::TableDecl::Kind K>
struct table_action {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.table.kind = K;
    b.table.name = b.pop_name();
    b.table.range = b.range(in);
    b.add_item(std::exchange(b.table, {}));
  }
};
template <> struct action<g::table_decl> : table_action<ast::TableDecl::Kind::step> {};
template <> struct action<g::scale_decl> : table_action<ast::TableDecl::Kind::scale> {};

// ---- clauses ----
template <>
struct action<g::clause_number> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    // The offset in the text as written (with its quote and escapes), for the position.
    if (auto at = first_unseen(in.string_view())) refuse(in.string_view(), *at, true, in.position());
    b.contract.clauses.emplace_back();
    b.contract.clauses.back().number = nfc(b.string);
    b.contract.clauses.back().range = b.range(in);
    b.in_clause = true;
  }
};
template <>
struct action<g::clause_title> {
  static void apply0(Builder& b) { b.contract.clauses.back().title = b.string; }
};
template <>
struct action<g::clause_decl> {
  static void apply0(Builder& b) { b.in_clause = false; }
};

// ---- examples ----
template <>
struct action<g::example_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.example.name = b.string;
    b.example.range = b.range(in);
  }
};
template <>
struct action<g::example_file> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.example.data_files.push_back({b.string, b.range(in)}); }
};
template <>
struct action<g::set_term> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.names.push_back(name_of(b, in)); }
};
template <>
struct action<g::set_value> {
  static void apply0(Builder& b) {
    auto value = b.pop();
    b.example.overrides.emplace_back(b.pop_name(), std::move(value));
  }
};
template <>
struct action<g::expect_name> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.expectation.kind = ast::Expectation::Kind::named;
    b.expectation.name = name_of(b, in);
  }
};
template <>
struct action<g::expect_payee> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.expectation.kind = ast::Expectation::Kind::flow;
    b.expectation.payee = name_of(b, in);
  }
};
template <>
struct action<g::expect_net_party> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    b.expectation.kind = ast::Expectation::Kind::net;
    b.expectation.name = name_of(b, in);
  }
};
template <>
struct action<g::expect_text> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) { b.expectation.text = Located{b.string, b.range(in)}; }
};
template <>
struct action<g::expect_total> {
  static void apply0(Builder& b) { b.expect_total = true; }
};
template <>
struct action<g::expect_stmt> {
  template <typename Input>
  static void apply(const Input& in, Builder& b) {
    auto& e = b.expectation;
    if (!e.text) e.value = b.pop();
    if (!std::exchange(b.expect_total, false)) e.period = b.pop_period();
    e.range = b.range(in);
    b.example.expectations.push_back(std::exchange(b.expectation, {}));
  }
};
template <>
struct action<g::example_decl> {
  static void apply0(Builder& b) { b.contract.examples.push_back(std::exchange(b.example, {})); }
};

// The control adds the messages of grammar/errors.hpp to committed failures and bounds the
// nesting depth (each level of nesting passes through `primary` or `negation`).
template <typename Rule>
struct control : p::normal<Rule> {
  static constexpr bool nests =
      std::is_same_v<Rule, g::primary> || std::is_same_v<Rule, g::negation> || std::is_same_v<Rule, g::logical_not>;

  template <typename Input>
  [[noreturn]] static void raise(const Input& in, const Builder& b) {
    static_assert(g::error_message<Rule>.phrase.has_value(), "every rule under must<> needs a message in grammar/errors.hpp");
    // A name expected (a field's too): is a reserved word there?
    if constexpr (std::is_base_of_v<g::identifier, Rule> || std::is_same_v<Rule, g::fields_close> ||
                  std::is_same_v<Rule, g::expect_subject>) {
      p::memory_input<> rest(in.current(), in.end(), "");
      if (p::parse<g::reserved>(rest, b)) {
        std::string word(in.current(), rest.current());
        throw text_error(text("`{}` is a reserved word and cannot be a name; choose another, such as `{}_`", word, word), in);
      }
    }
    throw text_error(text(*g::error_message<Rule>.phrase), in);
  }
  template <typename Input>
  static void start(const Input& in, Builder& b) {
    if constexpr (nests) {
      if (++b.depth > b.max_nesting) {
        b.depth = 0;
        throw limit_error("E706", text("expressions nest deeper than the limit of {} levels", b.max_nesting), in);
      }
      // The limit may be configured beyond what the stack holds (stack.hpp).
      if (b.stack->exhausted()) {
        b.depth = 0;
        throw limit_error("E706", text("expressions nest deeper than {} of stack holds", byte_size_text(b.stack->allowed())), in);
      }
    }
  }
  template <typename Input>
  static void success(const Input&, Builder& b) {
    if constexpr (nests) --b.depth;
  }
  template <typename Input>
  static void failure(const Input&, Builder& b) {
    if constexpr (nests) --b.depth;
  }
};

// The expression reader in front of the rules of `expr`. It is tried where its nesting and the
// stack leave a wide margin, so that neither the parser's limit on nesting nor its stack check
// could stop what it reads; declined, the rules read the expression.
template <>
struct control<g::expr_reader> : p::normal<g::expr_reader> {
  static constexpr std::size_t reader_levels = 16;
  static constexpr std::size_t reader_stack_margin = 512u << 10;

  template <p::apply_mode A, p::rewind_mode, template <typename...> class, template <typename...> class, typename Input>
  static bool match(Input& in, Builder& b) {
    if constexpr (A != p::apply_mode::action) {
      return false;
    } else {
      if (!b.use_reader || in.byte() < b.reader_declined_to || b.depth >= b.max_nesting) return false;
      if (b.stack->left() < reader_stack_margin) return false;
      const expression_reader::Limits limits{std::min(reader_levels, b.max_nesting - b.depth), Builder::max_height};
      auto out = expression_reader::read_expression(b.source, source_position(in.byte(), in.line(), in.column()), b.language, limits);
      if (!out.read) {
        b.reader_declined_to = out.looked_to;
        return false;
      }
      for (const auto* name : out.read->names) b.record(*name);
      b.exprs.push_back(std::move(out.read->expr));
      // The reader tracked the line and column as it read: set, not counted again by a bump.
      static_assert(Input::tracking_mode_v == p::tracking_mode::eager);
      const Position& end = out.read->end;
      in.iterator() = p::internal::iterator(b.base + end.offset, end.offset, end.line, end.column);
      return true;
    }
  }
};

// Where the parser stopped at a keyword of the other set (`pay` in a Swedish file), the message
// says so: which set the file is written in, what chose it, and the spelling to write.
// With the set `given` by the caller, there is no first word to name: it is the contract's.
std::optional<Text> other_set_keyword(const std::string& text, std::size_t at, g::Language language, bool given) {
  const auto here = g::first_word(std::string_view(text).substr(std::min(at, text.size())));
  const auto word = here.word;
  if (word.empty() || here.offset != 0) return std::nullopt;
  const auto other = language == g::Language::swedish ? g::Language::english : g::Language::swedish;
  if (!g::is_keyword(word, other) || g::is_keyword(word, language)) return std::nullopt;
  // The spellings to write instead: one, or two where one word of the other set stands for two
  // keywords (`till`: `to` or `at`); "or" is a word of the sentence, so each count has its phrase.
  std::vector<std::string> instead;
  for (const auto& row : g::keyword_spellings) {
    const auto [theirs, ours] = other == g::Language::english ? std::pair(row.english, row.swedish) : std::pair(row.swedish, row.english);
    if (theirs != word || std::find(instead.begin(), instead.end(), ours) != instead.end()) continue;
    instead.emplace_back(ours);
  }
  instead.resize(std::min<std::size_t>(instead.size(), 2));
  // [the file is read in Swedish][two spellings to write]
  const std::size_t sv = language == g::Language::swedish, two = instead.size() > 1;
  if (given) {
    static constexpr PhraseId read_in[2][2] = {
        {"`{}` is a Swedish keyword, but this is read in English, the set the contract is written in: write `{}` "
         "(docs/svenska.md)",
         "`{}` is a Swedish keyword, but this is read in English, the set the contract is written in: write `{}` or `{}` "
         "(docs/svenska.md)"},
        {"`{}` is an English keyword, but this is read in Swedish, the set the contract is written in: write `{}` "
         "(docs/svenska.md)",
         "`{}` is an English keyword, but this is read in Swedish, the set the contract is written in: write `{}` or `{}` "
         "(docs/svenska.md)"}};
    std::vector<std::string> args{std::string(word)};
    args.insert(args.end(), instead.begin(), instead.end());
    return Text(read_in[sv][two].index(), std::move(args));
  }
  const auto first = g::first_word(text);
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < first.offset; ++i) {
    if (text[i] == '\n') ++line, column = 1;
    else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  static constexpr PhraseId written_in[2][2] = {
      {"`{}` is a Swedish keyword, but this file is written in English (its first word, `{}` at line {} column {}, says "
       "so): write `{}`, or write the whole file in Swedish (docs/svenska.md)",
       "`{}` is a Swedish keyword, but this file is written in English (its first word, `{}` at line {} column {}, says "
       "so): write `{}` or `{}`, or write the whole file in Swedish (docs/svenska.md)"},
      {"`{}` is an English keyword, but this file is written in Swedish (its first word, `{}` at line {} column {}, says "
       "so): write `{}`, or write the whole file in English (docs/svenska.md)",
       "`{}` is an English keyword, but this file is written in Swedish (its first word, `{}` at line {} column {}, says "
       "so): write `{}` or `{}`, or write the whole file in English (docs/svenska.md)"}};
  std::vector<std::string> args{std::string(word), std::string(first.word), std::to_string(line), std::to_string(column)};
  args.insert(args.end(), instead.begin(), instead.end());
  return Text(written_in[sv][two].index(), std::move(args));
}

Diagnostic syntax_error(const SourcePtr& source, std::size_t offset, std::size_t line, std::size_t column,
                        std::string code, Text message) {
  Diagnostic d;
  d.kind = DiagKind::syntax;
  d.code = std::move(code);
  set_message(d, std::move(message));
  d.range = OwnedRange{source, source_position(offset, line, column), source_index(offset + 1)};
  return d;
}

// Text the grammar must never see: oversize, NUL bytes, invalid UTF-8. Reported with the position.
std::optional<Diagnostic> check_text(const SourcePtr& source, const ParseOptions& options) {
  const std::string& t = source->text;
  const std::size_t limit = source_limit(options);
  if (t.size() > limit) {
    Diagnostic d;
    d.kind = DiagKind::limit;
    d.code = "E701";
    set_message(d, text("the source is {} bytes, more than the limit of {}", t.size(), limit));
    d.location = source->name;
    return d;
  }
  // The line and column of byte i, for a message (lines are not counted on the way).
  auto fail_at = [&](std::size_t i, const char* code, Text message) {
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(i), '\n'));
    const std::size_t nl = i == 0 ? std::string::npos : t.rfind('\n', i - 1);
    const std::size_t line_start = nl == std::string::npos ? 0 : nl + 1;
    return syntax_error(source, i, line, i - line_start + 1, code, std::move(message));
  };
  for (std::size_t i = 0; i < t.size();) {
    // Past ASCII without NUL (most contracts, throughout) eight bytes at a time.
    i += ascii_without_nul_prefix(std::string_view(t).substr(i));
    if (i == t.size()) break;
    unsigned char c = static_cast<unsigned char>(t[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= t.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(t[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = c >= 0xC2;  // no overlong forms
    if (ok && len == 3) {
      unsigned cp = ((c & 0x0F) << 12) | ((t[i + 1] & 0x3F) << 6) | (t[i + 2] & 0x3F);
      ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok && len == 4) {
      unsigned cp = ((c & 0x07) << 18) | ((t[i + 1] & 0x3F) << 12) | ((t[i + 2] & 0x3F) << 6) | (t[i + 3] & 0x3F);
      ok = cp >= 0x10000 && cp <= 0x10FFFF;
    }
    if (!ok) return fail_at(i, "E102", text("the text is not valid UTF-8"));
    if (c == 0) return fail_at(i, "E103", text("the text contains a NUL byte"));
    i += len;
  }
  return std::nullopt;
}

template <typename Top>
Diagnostics run(Builder& b, const ParseOptions& options) {
  if (auto bad = check_text(b.source, options)) return {*bad};
  b.base = b.source->text.data();
  b.max_nesting = options.max_nesting;
  b.use_reader = options.expression_reader;
  b.stack.emplace(options.max_stack_bytes);
  p::memory_input<p::tracking_mode::eager, p::eol::lf_crlf> in(b.source->text.data(), b.source->text.size(),
                                                                  b.source->name);
  try {
    p::parse<Top, action, control>(in, b);
  } catch (const limit_error& e) {
    const auto& pos = e.positions().front();
    auto d = syntax_error(b.source, pos.byte, pos.line, pos.column, e.code, e.text);
    d.kind = DiagKind::limit;
    return {d};
  } catch (const refused_error& e) {
    const auto& pos = e.positions().front();
    auto d = syntax_error(b.source, pos.byte, pos.line, pos.column, "E104", e.text);
    std::size_t end = pos.byte;
    next_code_point(b.source->text, end);  // the caret covers the whole character, drawn escaped
    d.range->end_offset = end;
    return {d};
  } catch (const p::parse_error& e) {
    // Every error this parser raises is a text_error; PEGTL's own (none expected) is shown as it is.
    const auto& pos = e.positions().front();
    const auto* ours = dynamic_cast<const text_error*>(&e);
    auto message = other_set_keyword(b.source->text, pos.byte, b.language, b.given)
                       .value_or(ours ? ours->text : verbatim(std::string(e.message())));
    return {syntax_error(b.source, pos.byte, pos.line, pos.column, "E101", std::move(message))};
  }
  return {};
}

}  // namespace

// Both entries run where the stack holds the parser's budget (stack.hpp).
ParseResult parse_contract(SourcePtr source, const ParseOptions& options) {
  return with_stack(options.max_stack_bytes, [&] {
    Builder b;
    b.source = source;
    b.language = options.language.value_or(g::language_of(source->text));
    b.given = options.language.has_value();
    b.contract.source = source;
    ParseResult result;
    result.diagnostics = run<g::contract_file>(b, options);
    if (result.diagnostics.empty()) result.diagnostics = confusable_names(b.spellings, b.contract.clauses);
    if (result.diagnostics.empty()) result.contract = std::move(b.contract);
    return result;
  });
}

namespace {
ExpressionParseResult parse_expression_in(SourcePtr source, const ParseOptions& options, g::Language language, bool given) {
  return with_stack(options.max_stack_bytes, [&] {
    Builder b;
    b.source = source;
    b.language = language;
    b.given = given;
    ExpressionParseResult result;
    result.source = source;
    result.diagnostics = run<g::expression_file>(b, options);
    if (result.diagnostics.empty()) result.expr = b.pop();
    return result;
  });
}
}  // namespace

ExpressionParseResult parse_expression(SourcePtr source, const ParseOptions& options) {
  return parse_expression_in(source, options, options.language.value_or(g::Language::english), options.language.has_value());
}

ExpressionParseResult parse_expression_either(SourcePtr source, const ParseOptions& options) {
  const auto language = g::language_of(source->text);
  auto first = parse_expression_in(source, options, language, false);
  if (first.expr) return first;
  const auto other = language == g::Language::english ? g::Language::swedish : g::Language::english;
  auto second = parse_expression_in(source, options, other, false);
  return second.expr ? std::move(second) : std::move(first);
}

}  // namespace utfall
