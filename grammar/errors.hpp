// The messages shown when the parser has committed (inside must<>) and the input does not
// match. One table, so that every committed rule has a message: parse.cpp static_asserts it.
// Each message is a sentence of the message table (interpreter/phrases/check.inc), found when
// compiled, so that a message without its Swedish is a compile error too.
#pragma once

#include <cstddef>
#include <optional>

#include "grammar/grammar.hpp"
#include "interpreter/messages.hpp"

namespace utfall::grammar {

// A committed rule's message: the row of its sentence, or none for a rule that has no message,
// which parse.cpp refuses to compile.
struct ErrorMessage {
  std::optional<PhraseId> phrase;
  constexpr ErrorMessage() = default;
  template <std::size_t N>
  consteval ErrorMessage(const char (&english)[N]) : phrase(PhraseId(english)) {}  // NOLINT: implicit by design
};

template <typename Rule>
inline constexpr ErrorMessage error_message{};

template <> inline constexpr ErrorMessage error_message<add_expr> = "expected an expression after the operator";
template <> inline constexpr ErrorMessage error_message<amount_expr> = "expected the amount after `amount`";
template <> inline constexpr ErrorMessage error_message<and_expr> = "expected an expression after `or`";
template <> inline constexpr ErrorMessage error_message<arrow> = "expected `->` between payer and payee";
template <> inline constexpr ErrorMessage error_message<at_most_count> = "expected `once` or a whole number and `times` after `at most` (as in `at most once per c.person`)";
template <> inline constexpr ErrorMessage error_message<at_most_key> = "expected what the records are counted per after `per` (as in `per c.person`)";
template <> inline constexpr ErrorMessage error_message<at_period> = "expected a period name after `@` (for example `@2027`)";
template <> inline constexpr ErrorMessage error_message<binder_name> = "expected a name for each participant (as in `u in ungdomar`)";
template <> inline constexpr ErrorMessage error_message<block_close> = "expected `}}` to close the block (or a declaration that belongs in it)";
template <> inline constexpr ErrorMessage error_message<block_open> = "expected `{{` to open the block";
template <> inline constexpr ErrorMessage error_message<calendar_body> = "expected `yearly`, `quarterly` or `monthly` with a range (`yearly 2025 .. 2029`), or a list of period names";
template <> inline constexpr ErrorMessage error_message<calendar_dates> = "expected the period's first day, `..` and its last day, as in `H1_2026 = 2026-01-01 .. 2026-06-30`";
template <> inline constexpr ErrorMessage error_message<calendar_days_dotdot> = "expected `..` between the period's first and last day";
template <> inline constexpr ErrorMessage error_message<calendar_entry> = "expected a period name (for example `2025`), or one with its dates (`H1_2026 = 2026-01-01 .. 2026-06-30`)";
template <> inline constexpr ErrorMessage error_message<calendar_last_day> = "expected the period's last day, written YYYY-MM-DD";
template <> inline constexpr ErrorMessage error_message<calendar_period> = "expected a period name (for example `2025`)";
template <> inline constexpr ErrorMessage error_message<cap_item> = "expected the cap amount after `capped at`";
template <> inline constexpr ErrorMessage error_message<clause_number> = "expected the clause number as a string, as in `clause \"3.2\" \"Återbetalning\"`";
template <> inline constexpr ErrorMessage error_message<kw_per> = "expected `per` and what the records are counted per (as in `at most once per c.person`)";
template <> inline constexpr ErrorMessage error_message<kw_times> = "expected `times` after the number (as in `at most 2 times per c.person`)";
template <> inline constexpr ErrorMessage error_message<link_set> = "expected the name of a record input after `key of`";
template <> inline constexpr ErrorMessage error_message<linked_field_name> = "expected a field of the linked record after `.`";
template <> inline constexpr ErrorMessage error_message<not_operand> = "expected an expression after `not`";
template <> inline constexpr ErrorMessage error_message<colon> = "expected `:` after the name";
template <> inline constexpr ErrorMessage error_message<condition_expr> = "expected a condition after `when`";
template <> inline constexpr ErrorMessage error_message<currency_name> = "expected a currency code after `currency` (for example `SEK`)";
template <> inline constexpr ErrorMessage error_message<decl_name> = "expected a name (a letter or `_` first; keywords cannot be names)";
template <> inline constexpr ErrorMessage error_message<declaration_expected> = "expected a declaration: contract, currency, party, unit, periods, input, term, let, clause, table, scale or example";
template <> inline constexpr ErrorMessage error_message<digits> = "expected digits after the decimal point";
template <> inline constexpr ErrorMessage error_message<dotdot> = "expected `..` between the first and last period";
template <> inline constexpr ErrorMessage error_message<each_binder> = "expected a name for each participant after `for each`";
template <> inline constexpr ErrorMessage error_message<each_filter> = "expected a condition after `where`";
template <> inline constexpr ErrorMessage error_message<each_set> = "expected the name of a participant input after `in`";
template <> inline constexpr ErrorMessage error_message<equals> = "expected `=`";
template <> inline constexpr ErrorMessage error_message<example_file> = "expected a data file name as a string";
template <> inline constexpr ErrorMessage error_message<example_name> = "expected the example name as a string";
template <> inline constexpr ErrorMessage error_message<expect_net_party> = "expected a party after `net`";
template <> inline constexpr ErrorMessage error_message<expect_payee> = "expected the payee after `->`";
template <> inline constexpr ErrorMessage error_message<expect_subject> = "expected what is expected after `expect`: `PAYER -> PAYEE`, the name of a payment, waterfall or definition, or `net PARTY`";
template <> inline constexpr ErrorMessage error_message<expect_target> = "expected a period or `total` after `in`";
template <> inline constexpr ErrorMessage error_message<expect_value> = "expected the expected value after `=`";
template <> inline constexpr ErrorMessage error_message<expect_when> = "expected `in PERIOD` or `in total` after what is expected";
template <> inline constexpr ErrorMessage error_message<expr> = "expected an expression";
template <> inline constexpr ErrorMessage error_message<expression_end> = "unexpected text after the end of the expression";
template <> inline constexpr ErrorMessage error_message<field_name> = "expected a field name after `.`";
template <> inline constexpr ErrorMessage error_message<fields_close> = "expected `}}` or another field (`name : type`)";
template <> inline constexpr ErrorMessage error_message<fields_open> = "expected `{{` and the fields of the records";
template <> inline constexpr ErrorMessage error_message<floor_amount> = "expected the amount after `at least`";
template <> inline constexpr ErrorMessage error_message<foreach_binder> = "expected a name for each participant after `for each`";
template <> inline constexpr ErrorMessage error_message<foreach_set> = "expected the name of a participant input after `in`";
template <> inline constexpr ErrorMessage error_message<from_period> = "expected a period after `from`";
template <> inline constexpr ErrorMessage error_message<in_first> = "expected a period after `in`";
template <> inline constexpr ErrorMessage error_message<in_last> = "expected the last period after `..`";
template <> inline constexpr ErrorMessage error_message<input_body> = "expected a series type (`SEK per period`), or `participants {{ ... }}` or `records {{ ... }}`";
template <> inline constexpr ErrorMessage error_message<kw_at> = "expected `at` after `capped`";
template <> inline constexpr ErrorMessage error_message<kw_each> = "expected `each` after `for`";
template <> inline constexpr ErrorMessage error_message<kw_else> = "expected `else` (an `if` needs both branches)";
template <> inline constexpr ErrorMessage error_message<kw_in> = "expected `in`";
template <> inline constexpr ErrorMessage error_message<kw_least> = "expected `least` after `at`";
template <> inline constexpr ErrorMessage error_message<kw_of> = "expected `of rest` after the share";
template <> inline constexpr ErrorMessage error_message<kw_participant> = "expected `period` or `participant` after `per`";
template <> inline constexpr ErrorMessage error_message<kw_pays> = "expected `pays` after the payer of the waterfall";
template <> inline constexpr ErrorMessage error_message<kw_period> = "expected `period`";
template <> inline constexpr ErrorMessage error_message<kw_rest> = "expected `rest` after `of`";
template <> inline constexpr ErrorMessage error_message<kw_then> = "expected `then` after the condition";
template <> inline constexpr ErrorMessage error_message<kw_to> = "expected `to`";
template <> inline constexpr ErrorMessage error_message<mul_expr> = "expected an expression after the operator";
template <> inline constexpr ErrorMessage error_message<not_expr> = "expected an expression after `and`";
template <> inline constexpr ErrorMessage error_message<number_digits> = "expected a number";
template <> inline constexpr ErrorMessage error_message<one_link_only> = "one link is followed at a time: read `c.person.FIELD`, not a field of a field of a linked record";
template <> inline constexpr ErrorMessage error_message<open_paren> = "expected `(`";
template <> inline constexpr ErrorMessage error_message<over_first> = "expected the first period after `over`";
template <> inline constexpr ErrorMessage error_message<over_last> = "expected the last period after `..`";
template <> inline constexpr ErrorMessage error_message<paren_close> = "expected `)`";
template <> inline constexpr ErrorMessage error_message<payee_name> = "expected the payee after `->`";
template <> inline constexpr ErrorMessage error_message<payer_name> = "expected the payer (a party) after `pay`";
template <> inline constexpr ErrorMessage error_message<period_name> = "expected a period name";
template <> inline constexpr ErrorMessage error_message<plural_name> = "expected the plural spelling after `plural`";
template <> inline constexpr ErrorMessage error_message<range_and> = "expected `and` between the bounds of `between`";
template <> inline constexpr ErrorMessage error_message<range_at_kind> = "expected `least` or `most` after `at`";
template <> inline constexpr ErrorMessage error_message<range_high> = "expected the upper bound (a number with the input's unit)";
template <> inline constexpr ErrorMessage error_message<range_low> = "expected the lower bound (a number with the input's unit)";
template <> inline constexpr ErrorMessage error_message<rest_payee> = "expected the party that keeps the rest after `rest to`";
template <> inline constexpr ErrorMessage error_message<rounding_mode> = "expected a rounding mode (half_up, half_down, half_even, up, down, ceiling, floor)";
template <> inline constexpr ErrorMessage error_message<rounding_step> = "expected the rounding step after `to` (for example `0.01`)";
template <> inline constexpr ErrorMessage error_message<row_close> = "expected `)` or `]` to close the interval";
template <> inline constexpr ErrorMessage error_message<row_comma> = "expected `,` between the bounds of the interval";
template <> inline constexpr ErrorMessage error_message<row_value> = "expected the value after `->`";
template <> inline constexpr ErrorMessage error_message<series_marker> = "expected `per period` after the type of a series";
template <> inline constexpr ErrorMessage error_message<set_name> = "expected the name of a participant input";
template <> inline constexpr ErrorMessage error_message<set_term> = "expected a term name after `set`";
template <> inline constexpr ErrorMessage error_message<set_value> = "expected a value after `=`";
template <> inline constexpr ErrorMessage error_message<string_close> = "unterminated string: expected `\"` before the end of the line";
template <> inline constexpr ErrorMessage error_message<sum_tail> = "expected `for u in SET` or `over FIRST .. LAST` in sum(...)";
template <> inline constexpr ErrorMessage error_message<tier> = "expected a tier: `PAYEE up to LIMIT`, `PAYEE SHARE of rest`, or `rest to PARTY`";
template <> inline constexpr ErrorMessage error_message<tier_kind> = "expected `up to LIMIT` or `SHARE of rest` after the payee";
template <> inline constexpr ErrorMessage error_message<tier_limit> = "expected the limit after `up to`";
template <> inline constexpr ErrorMessage error_message<tier_payee> = "expected the payee of the tier";
template <> inline constexpr ErrorMessage error_message<title_string> = "expected the contract title as a string";
template <> inline constexpr ErrorMessage error_message<type_spelling> = "expected a type: a unit (SEK, placements, SEK per placement), number, ratio, percent, boolean, period or text";
template <> inline constexpr ErrorMessage error_message<unary> = "expected an expression after `-`";
template <> inline constexpr ErrorMessage error_message<until_period> = "expected a period after `until`";
template <> inline constexpr ErrorMessage error_message<waterfall_payer> = "expected the payer (a party) after `waterfall`";
template <> inline constexpr ErrorMessage error_message<waterfall_pool> = "expected the pool after `pays`";

}  // namespace utfall::grammar
