// The grammar of utfall contracts, as PEGTL rules. Rules only: the actions that build the AST
// live in interpreter/parse.cpp, and the messages for committed failures are in
// grammar/errors.hpp.
//
// Shape of the language (docs/language.md is the reference):
//   contract "Title"            currency SEK            party kommun "Kommunen"
//   unit placement plural placements                    periods yearly 2025 .. 2029
//   input x : SEK per period    input ungdomar : participants { inskriven : period, ... }
//   term pris = 500_000 SEK per placement
//   clause "3.2" "Återbetalning" { let ...  pay ...  waterfall ...  table ...  for each ... }
//   example "plan" data "plan.csv" { set pris = ...  expect kommun -> fonden in 2027 = ...
//                                    expect aterbetalning in total = ...  expect net kommun in 2027 = ... }
//
// The grammar is LL(1) at every point where an action runs: each alternative starts with a
// keyword or a distinct character, and after it the parser commits with must<>, so no action
// ever runs for input that is later given back. Units after a number must stay on its line.
#pragma once

#include <cstring>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include "grammar/keywords.hpp"

namespace utfall::grammar {

namespace p = tao::pegtl;

// ---- Lexical ----

// `#` to the end of the line.
struct comment : p::seq<p::one<'#'>, p::until<p::eolf>> {};
// Spaces, line ends and comments between tokens: the text of star<sor<space, comment>>, read in
// one loop. The parser tries it between almost every two tokens; as PEGTL rules it cost about
// a tenth of parsing.
struct ws {
  using rule_t = ws;
  using subs_t = p::empty_list;
  template <p::apply_mode, p::rewind_mode, template <typename...> class, template <typename...> class, typename ParseInput,
            typename... States>
  static bool match(ParseInput& in, States&&...) {
    const char* const begin = in.current();
    const char* const end = in.end();
    const char* at = begin;
    while (at != end) {
      const char c = *at;
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f') {
        ++at;
      } else if (c == '#') {  // a comment: to its line's end and past it (an eol of lf_crlf ends in '\n')
        const void* eol = std::memchr(at, '\n', static_cast<std::size_t>(end - at));
        at = eol ? static_cast<const char*>(eol) + 1 : end;
      } else {
        break;
      }
    }
    in.bump(static_cast<std::size_t>(at - begin));
    return true;
  }
};
// Spaces and tabs only: a unit after a number stays on its line.
struct blanks : p::star<p::blank> {};

// Letters: ASCII, '_', and the letter blocks of Latin-1, Latin Extended, Greek, Cyrillic.
struct ident_letter
    : p::sor<p::ranges<'a', 'z', 'A', 'Z', '_'>,
             p::utf8::ranges<0xC0, 0xD6, 0xD8, 0xF6, 0xF8, 0x24F, 0x370, 0x3FF, 0x400, 0x4FF, 0x1E00, 0x1EFF>> {};
// Combining diacritical marks continue a name: `a` + U+0308 is read, and normalised to `ä`.
struct ident_mark : p::utf8::range<0x300, 0x36F> {};
// Any other character beyond ASCII where a name stands is taken into the name so that the
// parser refuses it by name (E104): an invisible U+200B, a bidi control, a no-break space.
struct ident_stray : p::utf8::range<0x80, 0x10FFFF> {};
struct ident_first : p::sor<ident_letter, ident_stray> {};
struct ident_part : p::sor<ident_letter, p::digit, ident_mark> {};
struct ident_other : p::sor<ident_part, ident_stray> {};
struct raw_ident : p::seq<ident_first, p::star<ident_other>> {};

// The set of keywords a parse reads (grammar/keywords.hpp says how a file chooses): from the
// parse's state, the last one with a `language` member; a parse without one reads English.
template <typename... States>
constexpr Language state_language(const States&... st) noexcept {
  Language language = Language::english;
  (..., [&](const auto& s) {
    if constexpr (requires { s.language; }) language = s.language;
  }(st));
  return language;
}

// Zero-width: the file is written in `L`.
template <Language L>
struct written_in {
  using rule_t = written_in;
  using subs_t = p::empty_list;
  template <p::apply_mode, p::rewind_mode, template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput&, const States&... st) noexcept {
    return state_language(st...) == L;
  }
};

// A keyword in the file's set. It ends where a name could not go on (a letter beyond ASCII,
// such as `ä`, goes on: `betalar_x` and `förändring` are names): before a stray character the
// keyword stands, and the stray is refused as the next token (`then` + U+00A0 is `then`, then
// E104).
template <typename English, typename Swedish>
struct kw : p::seq<p::sor<p::seq<written_in<Language::english>, English>, p::seq<written_in<Language::swedish>, Swedish>>,
                   p::not_at<ident_part>> {};

// kw_and, kw_or, ...: one rule a row of the table of spellings.
#define UTFALL_KW(name, english, swedish) \
  struct kw_##name : kw<TAO_PEGTL_STRING(english), TAO_PEGTL_STRING(swedish)> {};
UTFALL_KEYWORDS(UTFALL_KW)
#undef UTFALL_KW

// Reserved words cannot be names: a reserved keyword of the file's set (the rows before
// `minor`), followed by no character that continues a name, as `kw` reads it. The run of
// name characters (`ident_part`) is read once and looked up, rather than tried against each
// keyword in turn (that was a tenth of the time a large contract took to parse). Consumes the
// word.
struct reserved {
  using rule_t = reserved;
  using subs_t = p::empty_list;
  template <p::apply_mode, p::rewind_mode, template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, const States&... st) {
    p::memory_input<> run(in.current(), in.end(), "");
    p::parse<p::star<ident_part>>(run);
    const std::string_view word(in.current(), static_cast<std::size_t>(run.current() - in.current()));
    if (!is_reserved(word, state_language(st...))) return false;
    in.bump_in_this_line(word.size());
    return true;
  }
};

struct identifier : p::seq<p::not_at<reserved>, raw_ident> {};

// "text" with \" and \\ escapes, on one line.
struct string_char : p::sor<p::seq<p::one<'\\'>, p::one<'"', '\\'>>, p::not_one<'"', '\\', '\n', '\r'>> {};
struct string_body : p::star<string_char> {};
struct string_close : p::one<'"'> {};
struct string_lit : p::seq<p::one<'"'>, string_body, p::must<string_close>> {};

// 7_000_000 or 0.075: an underscore only between digits.
struct digits : p::seq<p::digit, p::star<p::opt<p::one<'_'>>, p::digit>> {};
struct fraction_digits : p::seq<p::one<'.'>, p::not_at<p::one<'.'>>, p::must<digits>> {};
struct number_digits : p::seq<digits, p::opt<fraction_digits>> {};

// Period names: 2027, 2025Q1, 2025-03, H1_2026.
struct period_name : p::plus<p::sor<p::alnum, p::one<'_', '-'>>> {};
struct period_ref : p::seq<p::opt<p::one<'@'>>, period_name> {};
struct dotdot : p::string<'.', '.'> {};
struct arrow : p::string<'-', '>'> {};

// ---- Units ----

// A unit starts with a letter: "7__0" is a malformed number, not 7 of a unit "__0".
struct unit_name : p::seq<p::not_at<p::one<'_'>>, identifier> {};
// `per participant` is the scope of a cap (`capped at X per participant`), never a unit.
struct unit_per_name : p::seq<p::not_at<kw_participant>, identifier> {};
struct unit_per : p::seq<blanks, kw_per, blanks, unit_per_name> {};
// SEK, placements, SEK per placement
struct unit_spelling : p::seq<unit_name, p::star<unit_per>> {};
struct percent_sign : p::one<'%'> {};
struct number_unit : p::sor<percent_sign, unit_spelling> {};

// ---- Expressions ----

struct expr;

// A number with an optional unit or percent sign on the same line.
struct number_lit : p::seq<number_digits, p::opt<blanks, number_unit>> {};
// `unlimited SEK`: no limit, with its unit (a term's value only: docs/language.md §9.2).
struct unlimited_lit : p::seq<kw_unlimited, blanks, unit_spelling> {};
struct true_lit : kw_true {};
struct false_lit : kw_false {};
struct current_period : kw_period {};
struct period_lit : p::seq<p::one<'@'>, p::must<period_name>> {};
// "m01": a text literal, compared with text from data (docs/language.md §13.3).
struct text_lit : string_lit {};
// date 2025-03-31: the word `date` keeps a date apart from a period name (`2025-03`) and from
// arithmetic (`2025 - 03 - 31`); anything else after `date` leaves `date` a name.
struct date_digits : p::seq<p::rep<4, p::digit>, p::one<'-'>, p::rep<2, p::digit>, p::one<'-'>, p::rep<2, p::digit>,
                            p::not_at<p::sor<p::alnum, p::one<'_', '-'>>>> {};
struct date_lit : p::seq<kw_date, p::plus<p::one<' '>>, date_digits> {};

struct paren_close : p::one<')'> {};
struct paren_expr : p::seq<p::one<'('>, ws, p::must<expr>, ws, p::must<paren_close>> {};

struct if_then : p::seq<ws, p::must<kw_then>, ws, p::must<expr>> {};
struct if_else : p::seq<ws, p::must<kw_else>, ws, p::must<expr>> {};
struct if_expr : p::seq<kw_if, ws, p::must<expr>, if_then, if_else> {};

struct binder_name : identifier {};
struct set_name : identifier {};
struct where_clause : p::seq<kw_where, ws, p::must<expr>> {};
struct participant_range : p::seq<p::must<binder_name>, ws, p::must<kw_in>, ws, p::must<set_name>, ws, p::opt<where_clause>> {};
struct sum_for : p::seq<kw_for, ws, participant_range> {};
struct over_first : period_ref {};
struct over_last : period_ref {};
struct sum_over : p::seq<kw_over, ws, p::must<over_first>, ws, p::must<dotdot>, ws, p::must<over_last>> {};
struct sum_tail : p::sor<sum_for, sum_over> {};
struct open_paren : p::one<'('> {};
// sum(x for u in set where c), sum(x over 2016 .. 2018)
struct sum_expr : p::seq<kw_sum, ws, p::must<open_paren>, ws, p::must<expr>, ws, p::must<sum_tail>, ws, p::must<paren_close>> {};
// count(u in set where c)
struct count_expr : p::seq<kw_count, ws, p::must<open_paren>, ws, participant_range, ws, p::must<paren_close>> {};

struct callee : identifier {};
struct call_arg : p::seq<expr> {};
struct call_args : p::seq<p::one<'('>, ws, p::opt<p::list<call_arg, p::one<','>, p::space>>, ws, p::must<paren_close>> {};
struct field_name : identifier {};
struct linked_field_name : identifier {};
// c.person.alder: a field of the record that the link field `person` names
// One link is followed at a time: `c.person.chef.namn` is refused where the third `.` stands.
struct one_link_only : p::not_at<p::one<'.'>, ident_first> {};
struct linked_access : p::seq<p::one<'.'>, p::not_at<p::one<'.'>>, p::must<linked_field_name>, p::must<one_link_only>> {};
struct field_access : p::seq<p::one<'.'>, p::not_at<p::one<'.'>>, p::must<field_name>, p::opt<linked_access>> {};
// A name, a call f(...), a field u.f, or a field of a linked record c.person.f
struct name_expr : p::seq<callee, p::sor<p::seq<ws, call_args>, field_access, p::success>> {};

struct primary
    : p::sor<paren_expr, if_expr, sum_expr, count_expr, number_lit, true_lit, false_lit, current_period, period_lit,
             text_lit, unlimited_lit, date_lit, name_expr> {};

// x @ 2027
struct at_period : p::seq<period_name> {};
struct at_suffix : p::seq<ws, p::one<'@'>, ws, p::must<at_period>> {};
struct postfix : p::seq<primary, p::opt<at_suffix>> {};

struct unary;
struct negation : p::seq<p::one<'-'>, p::not_at<p::one<'>'>>, ws, p::must<unary>> {};
struct unary : p::sor<negation, postfix> {};

// Operator precedence, loosest first: or, and, not, comparison (not chained), + -, * /, unary -, @.
// The blanks before an operator are read once per level, ahead of the operators of that level
// (and given back when none follows), not once per operator tried.
struct op_mul : p::seq<p::one<'*'>, ws, p::must<unary>> {};
struct op_div : p::seq<p::one<'/'>, ws, p::must<unary>> {};
struct mul_expr : p::seq<unary, p::star<ws, p::sor<op_mul, op_div>>> {};
struct op_add : p::seq<p::one<'+'>, ws, p::must<mul_expr>> {};
struct op_sub : p::seq<p::one<'-'>, p::not_at<p::one<'>'>>, ws, p::must<mul_expr>> {};
struct add_expr : p::seq<mul_expr, p::star<ws, p::sor<op_add, op_sub>>> {};
struct op_le : p::seq<p::string<'<', '='>, ws, p::must<add_expr>> {};
struct op_ge : p::seq<p::string<'>', '='>, ws, p::must<add_expr>> {};
struct op_ne : p::seq<p::string<'!', '='>, ws, p::must<add_expr>> {};
struct op_lt : p::seq<p::one<'<'>, ws, p::must<add_expr>> {};
struct op_gt : p::seq<p::one<'>'>, ws, p::must<add_expr>> {};
struct op_eq : p::seq<p::one<'='>, p::not_at<p::one<'='>>, ws, p::must<add_expr>> {};
struct cmp_expr : p::seq<add_expr, p::opt<ws, p::sor<op_le, op_ge, op_ne, op_lt, op_gt, op_eq>>> {};
struct not_expr;
struct not_operand : p::seq<not_expr> {};
struct logical_not : p::seq<kw_not, ws, p::must<not_operand>> {};
struct not_expr : p::sor<logical_not, cmp_expr> {};
struct op_and : p::seq<kw_and, ws, p::must<not_expr>> {};
struct and_expr : p::seq<not_expr, p::star<ws, op_and>> {};
struct op_or : p::seq<kw_or, ws, p::must<and_expr>> {};
// The parser's hand-written reader of expressions (interpreter/parse_expr.hpp) tries an
// expression first and reads the common forms as the rules above would; where it declines, the
// rules read it. With no control to run the reader, nothing matches here. A change to the
// rules of expressions needs the same change in the reader.
struct expr_reader : p::failure {};
struct expr : p::sor<expr_reader, p::seq<and_expr, p::star<ws, op_or>>> {};

// ---- Declarations ----

struct decl_name : identifier {};
struct equals : p::one<'='> {};
struct colon : p::one<':'> {};

struct title_string : string_lit {};
struct contract_decl : p::seq<kw_contract, ws, p::must<title_string>> {};
struct currency_name : identifier {};
struct minor_unit : p::seq<kw_minor, ws, p::must<number_digits>> {};
struct currency_decl : p::seq<kw_currency, ws, p::must<currency_name>, p::opt<ws, minor_unit>> {};

struct party_display : string_lit {};
struct party_decl : p::seq<kw_party, ws, p::must<decl_name>, p::opt<ws, party_display>> {};

struct plural_name : identifier {};
struct unit_decl : p::seq<kw_unit, ws, p::must<decl_name>, p::opt<ws, kw_plural, ws, p::must<plural_name>>> {};

struct calendar_kind : p::sor<kw_yearly, kw_quarterly, kw_monthly> {};
struct calendar_period : p::seq<period_name> {};
struct calendar_range : p::seq<calendar_kind, ws, p::must<calendar_period>, ws, p::must<dotdot>, ws, p::must<calendar_period>> {};
// H1_2026 = 2026-01-01 .. 2026-06-30: a listed period with its first and last day, written
// without the word `date` (no arithmetic can stand here to be mistaken for it).
struct calendar_first_day : date_digits {};
struct calendar_last_day : date_digits {};
struct calendar_days_dotdot : dotdot {};
struct calendar_dates
    : p::seq<calendar_first_day, ws, p::must<calendar_days_dotdot>, ws, p::must<calendar_last_day>> {};
struct calendar_entry : p::seq<calendar_period, p::opt<ws, p::one<'='>, ws, p::must<calendar_dates>>> {};
// The periods may stand on several lines, with comments between them.
struct calendar_list : p::list_must<calendar_entry, p::one<','>, p::sor<p::space, comment>> {};
struct calendar_body : p::sor<calendar_range, calendar_list> {};
struct periods_decl : p::seq<kw_periods, ws, p::must<calendar_body>> {};

// Applicability: from P, until P, in P, in P .. Q
struct from_period : period_ref {};
struct until_period : period_ref {};
struct in_first : period_ref {};
struct in_last : period_ref {};
struct apply_from : p::seq<kw_from, ws, p::must<from_period>> {};
struct apply_until : p::seq<kw_until, ws, p::must<until_period>> {};
struct apply_in : p::seq<kw_in, ws, p::must<in_first>, p::opt<ws, dotdot, ws, p::must<in_last>>> {};
struct applicability : p::sor<apply_from, apply_until, apply_in> {};

struct type_number : kw_number {};
struct type_ratio : kw_ratio {};
struct type_percent : kw_percent {};
struct type_boolean : kw_boolean {};
struct type_period : kw_period {};
struct type_text : kw_text {};
struct type_date : kw_date {};
struct type_unit : unit_spelling {};
struct type_spelling
    : p::sor<type_number, type_ratio, type_percent, type_boolean, type_period, type_text, type_date, type_unit> {};

// A declared range of a number (docs/language.md §8.4): `whole`, `at least X`, `at most Y`,
// `between X and Y`, each bound a number written out with the input's unit. `whole` and
// `between` are words only here, and not before `:`, so a field may still be called `whole`.
struct range_low : unary {};
struct range_high : unary {};
struct range_whole : p::seq<kw_whole, p::not_at<ws, colon>> {};
struct range_least : p::seq<kw_least, ws, p::must<range_low>> {};
struct range_most : p::seq<kw_most, ws, p::must<range_high>> {};
struct range_at_kind : p::sor<range_least, range_most> {};
struct range_at : p::seq<kw_at, ws, p::must<range_at_kind>> {};
struct range_and : kw_and {};
struct range_between
    : p::seq<kw_between, p::not_at<ws, colon>, ws, p::must<range_low>, ws, p::must<range_and>, ws, p::must<range_high>> {};
struct range_item : p::sor<range_whole, range_at, range_between> {};

// person : text key of deltagare: the field holds the `id` of a record of `deltagare`. `key`
// is a word only here, before `of`, so a field may still be called `key`.
struct link_set : identifier {};
struct field_link : p::seq<kw_key, ws, kw_of, ws, p::must<link_set>> {};
struct field_decl
    : p::seq<decl_name, ws, p::must<colon>, ws, p::must<type_spelling>, p::opt<ws, field_link>, p::star<ws, range_item>> {};
struct fields_close : p::one<'}'> {};
struct field_sep : p::seq<ws, p::opt<p::one<','>>, ws> {};
struct fields_open : p::one<'{'> {};
// `records` and `participants` are one thing (docs/language.md §8.2).
struct participants_word : p::sor<kw_participants, kw_records> {};
struct participants_body : p::seq<participants_word, ws, p::must<fields_open>, ws, p::star<field_decl, field_sep>, p::must<fields_close>> {};
struct series_marker : p::seq<kw_per, ws, p::must<kw_period>> {};
struct series_modifier : p::sor<applicability, range_item> {};
struct series_body : p::seq<type_spelling, ws, p::must<series_marker>, p::star<ws, series_modifier>> {};
struct input_body : p::sor<participants_body, series_body> {};
struct input_decl : p::seq<kw_input, ws, p::must<decl_name>, ws, p::must<colon>, ws, p::must<input_body>> {};

struct term_decl : p::seq<kw_term, ws, p::must<decl_name>, ws, p::must<equals>, ws, p::must<expr>> {};
struct let_decl : p::seq<kw_let, ws, p::must<decl_name>, ws, p::must<equals>, ws, p::must<expr>> {};

struct block_open : p::one<'{'> {};
struct block_close : p::one<'}'> {};

// for each u in ungdomar { let ... }
struct foreach_binder : identifier {};
struct foreach_set : identifier {};
struct for_each_decl
    : p::seq<kw_for, ws, p::must<kw_each>, ws, p::must<foreach_binder>, ws, p::must<kw_in>, ws, p::must<foreach_set>,
             ws, p::must<block_open>, ws, p::star<let_decl, ws>, p::must<block_close>> {};

// rounded half_even to 0.01 (the mode first, so that it cannot be read as a unit of the step)
struct rounding_step : expr {};
struct rounding_mode : identifier {};
struct rounding : p::seq<kw_rounded, ws, p::must<rounding_mode>, ws, p::must<kw_to>, ws, p::must<rounding_step>> {};

// capped at X per period, Y in total, Z per participant
struct cap_amount : expr {};
struct scope_per_period : p::seq<kw_per, ws, kw_period> {};
struct scope_per_participant : p::seq<kw_per, ws, p::must<kw_participant>> {};
struct scope_in_total : p::seq<kw_in, ws, kw_total> {};
struct cap_scope : p::sor<scope_per_period, scope_per_participant, scope_in_total> {};
struct cap_item : p::seq<cap_amount, ws, p::opt<cap_scope>> {};
// A comma after a cap starts another cap, unless another modifier follows it (a tier's
// `capped at X, rounded down to 1`).
struct cap_more : p::seq<ws, p::one<','>, ws, p::not_at<p::sor<kw_rounded, kw_capped, kw_at>>, p::must<cap_item>> {};
struct caps : p::seq<kw_capped, ws, p::must<kw_at>, ws, p::must<cap_item>, p::star<cap_more>> {};

// at most once per c.person | at most 2 times per c.person, c.outcome (docs/language.md §16.6)
struct at_most_times : digits {};
struct at_most_count : p::sor<kw_once, p::seq<at_most_times, ws, p::must<kw_times>>> {};
struct at_most_key : expr {};
struct at_most_more : p::seq<ws, p::one<','>, ws, p::not_at<p::sor<kw_rounded, kw_capped, kw_at>>, p::must<at_most_key>> {};
struct at_most_clause
    : p::seq<kw_at, ws, kw_most, ws, p::must<at_most_count>, ws, p::must<kw_per>, ws, p::must<at_most_key>, p::star<at_most_more>> {};
struct floor_amount : expr {};
struct floor_clause : p::seq<kw_at, ws, p::must<kw_least>, ws, p::must<floor_amount>> {};
struct amount_expr : expr {};
struct amount_clause : p::seq<kw_amount, ws, p::must<amount_expr>> {};
struct condition_expr : expr {};
struct when_clause : p::seq<kw_when, ws, p::must<condition_expr>> {};
struct netted_flag : kw_netted {};
struct each_binder : identifier {};
struct each_set : identifier {};
struct each_filter : expr {};
struct each_clause
    : p::seq<kw_for, ws, p::must<kw_each>, ws, p::must<each_binder>, ws, p::must<kw_in>, ws, p::must<each_set>,
             p::opt<ws, kw_where, ws, p::must<each_filter>>> {};

struct payment_modifier
    : p::sor<amount_clause, when_clause, applicability, caps, at_most_clause, floor_clause, rounding, netted_flag> {};

// pay [name:] payer -> payee
struct item_label : p::seq<identifier, ws, colon> {};
struct payer_name : identifier {};
struct payee_name : identifier {};
struct payment_decl
    : p::seq<kw_pay, ws, p::opt<item_label>, ws, p::must<payer_name>, ws, p::must<arrow>, ws, p::must<payee_name>,
             p::opt<ws, each_clause>, p::star<ws, payment_modifier>> {};

// Waterfall tiers: [name:] payee up to X | [name:] payee SHARE of rest | rest to payee
struct tier_modifier : p::seq<ws, p::opt<p::one<','>>, ws, p::sor<rounding, caps>> {};
struct tier_limit : expr {};
struct tier_up_to : p::seq<kw_up, ws, p::must<kw_to>, ws, p::must<tier_limit>> {};
struct tier_share : expr {};
struct tier_share_of_rest : p::seq<tier_share, ws, p::must<kw_of>, ws, p::must<kw_rest>> {};
struct tier_payee : identifier {};
struct tier_kind : p::sor<tier_up_to, tier_share_of_rest> {};
struct tier_body : p::seq<p::must<tier_payee>, ws, p::must<tier_kind>, p::star<tier_modifier>> {};
struct rest_payee : identifier {};
struct rest_tier : p::seq<kw_rest, ws, p::must<kw_to>, ws, p::must<rest_payee>> {};
struct plain_tier : p::seq<p::opt<item_label>, ws, tier_body> {};
struct tier : p::sor<rest_tier, plain_tier> {};
struct waterfall_payer : identifier {};
struct waterfall_pool : expr {};
struct waterfall_modifier : p::sor<applicability, netted_flag> {};
struct waterfall_decl
    : p::seq<kw_waterfall, ws, p::opt<item_label>, ws, p::must<waterfall_payer>, ws, p::must<kw_pays>, ws,
             p::must<waterfall_pool>, p::star<ws, waterfall_modifier>, ws, p::must<block_open>, ws,
             p::star<p::not_at<block_close>, p::must<tier>, ws>, p::must<block_close>> {};

// Step table rows: [lower, upper) -> value; a bound may be left out for an open end.
struct row_open_closed : p::one<'['> {};
struct row_open_open : p::one<'('> {};
struct row_close_closed : p::one<']'> {};
struct row_close_open : p::one<')'> {};
struct row_close : p::sor<row_close_closed, row_close_open> {};
struct row_lower : expr {};
struct row_upper : expr {};
struct row_value : expr {};
struct row_comma : p::one<','> {};
struct step_row
    : p::seq<p::sor<row_open_closed, row_open_open>, ws, p::opt<row_lower>, ws, p::must<row_comma>, ws,
             p::opt<row_upper>, ws, p::must<row_close>, ws, p::must<arrow>, ws,
             p::must<row_value>> {};
// Scale points: x -> value
struct point_x : expr {};
struct scale_point : p::seq<point_x, ws, p::must<arrow>, ws, p::must<row_value>> {};
// Text table rows: "m01" -> value (a table is keyed by intervals or by text; the checker refuses a mix).
struct text_key : string_lit {};
struct text_row : p::seq<text_key, ws, p::must<arrow>, ws, p::must<row_value>> {};
struct table_row : p::sor<step_row, text_row> {};
struct table_decl
    : p::seq<kw_table, ws, p::must<decl_name>, ws, p::must<block_open>, ws, p::star<table_row, ws>, p::must<block_close>> {};
struct scale_decl
    : p::seq<kw_scale, ws, p::must<decl_name>, ws, p::must<block_open>, ws, p::star<p::not_at<block_close>, scale_point, ws>,
             p::must<block_close>> {};

struct clause_item : p::sor<let_decl, for_each_decl, payment_decl, waterfall_decl, table_decl, scale_decl> {};
struct clause_number : string_lit {};
struct clause_title : string_lit {};
struct clause_decl
    : p::seq<kw_clause, ws, p::must<clause_number>, ws, p::opt<clause_title>, ws, p::must<block_open>, ws,
             p::star<clause_item, ws>, p::must<block_close>> {};

// example "plan" data "plan.csv", "more.json" { set x = ...  expect a -> b in 2027 = ... }
struct example_name : string_lit {};
struct example_file : string_lit {};
struct example_files : p::seq<kw_data, ws, p::must<example_file>, p::star<ws, p::one<','>, ws, p::must<example_file>>> {};
struct set_term : identifier {};
struct set_value : expr {};
struct set_stmt : p::seq<kw_set, ws, p::must<set_term>, ws, p::must<equals>, ws, p::must<set_value>> {};
struct expect_period : period_ref {};
struct expect_total : kw_total {};
struct expect_target : p::sor<expect_total, expect_period> {};
struct expect_when : p::seq<kw_in, ws, p::must<expect_target>> {};
// The expected value: an expression, or a text in quotes for a definition of type text.
struct expect_text : string_lit {};
struct expect_value : p::sor<expect_text, expr> {};
// What is expected: `PAYER -> PAYEE` (the lines between them), `NAME` (a payment, waterfall or
// definition), or `net PARTY` (what the party received less what it paid). `net` is a word only
// here: it is read as one when a name follows it (`in` and `->` cannot be names), so a
// definition called `net` is still expected as `expect net in 2027 = ...`.
struct expect_name : identifier {};
struct expect_payee : identifier {};
struct expect_flow : p::seq<arrow, ws, p::must<expect_payee>> {};
struct expect_net_party : identifier {};
struct expect_net : p::seq<kw_net, ws, p::at<identifier>, p::must<expect_net_party>> {};
struct expect_named : p::seq<expect_name, ws, p::opt<expect_flow>> {};
struct expect_subject : p::sor<expect_net, expect_named> {};
struct expect_stmt
    : p::seq<kw_expect, ws, p::must<expect_subject>, ws, p::must<expect_when>, ws, p::must<equals>, ws,
             p::must<expect_value>> {};
struct example_decl
    : p::seq<kw_example, ws, p::must<example_name>, ws, p::opt<example_files>, ws, p::must<block_open>, ws,
             p::star<p::sor<set_stmt, expect_stmt>, ws>, p::must<block_close>> {};

struct declaration
    : p::sor<contract_decl, currency_decl, party_decl, unit_decl, periods_decl, input_decl, term_decl, let_decl,
             clause_decl, table_decl, scale_decl, example_decl> {};
struct declaration_expected : p::eof {};
struct contract_file : p::seq<p::opt<p::utf8::bom>, ws, p::star<declaration, ws>, p::must<declaration_expected>> {};

// A single expression (utfall eval, the REPL).
struct expression_end : p::eof {};
struct expression_file : p::seq<ws, p::must<expr>, ws, p::must<expression_end>> {};

}  // namespace utfall::grammar

// analyze<>() of the grammar: `written_in` consumes nothing and may succeed.
template <typename Name, utfall::grammar::Language L>
struct tao::pegtl::analyze_traits<Name, utfall::grammar::written_in<L>> : analyze_opt_traits<> {};
// `reserved` consumes a word when it succeeds.
template <typename Name>
struct tao::pegtl::analyze_traits<Name, utfall::grammar::reserved> : analyze_any_traits<> {};
// `ws` consumes nothing and succeeds where no blank or comment follows.
template <typename Name>
struct tao::pegtl::analyze_traits<Name, utfall::grammar::ws> : analyze_opt_traits<> {};
