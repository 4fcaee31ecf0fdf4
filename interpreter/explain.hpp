// Explain: an evaluation's traces -> an audit statement (text) or its JSON form.
//
// Takes the `Evaluation` that `evaluate` gave with `EvalOptions::trace` set and presents it:
// for each payment, the clause, every value it used with its formula, each rounding, netting,
// floor and cap, and what was paid. Nothing is computed here; the statement only shows what
// evaluation recorded, so the text, the JSON and the payments can never disagree.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "interpreter/evaluate.hpp"

namespace utfall {

// Which payments to explain; an empty field matches all.
struct ExplainFilter {
  std::optional<int> period;
  std::optional<int> payer, payee;
  // Selects payments PAYER->PAYEE (or PAYER → PAYEE), e.g. "kommun->utfallsfonden"; the error
  // to show when the text is not that or names no party of the contract.
  std::optional<std::string> set_payment(const checked::Contract& contract, const std::string& text);
  bool matches(const PaymentLine& line) const {
    return (!period || line.period == *period) && (!payer || line.payer == *payer) && (!payee || line.payee == *payee);
  }
};

// The statement as text, for a reader with a desk calculator; control characters escaped.
// `wording`: its words and numbers in English or Swedish (`utfall explain --lang sv`).
std::string explanation_text(const checked::Contract& contract, const Evaluation& evaluation, const ExplainFilter& filter = {},
                             const Wording& wording = {});

// The same as JSON: {"contract", "currency", "explanations": [{"period", "clause", "clause_title",
// "rule", "waterfall", "line", "payments": [{"from", "to", "amount"}], "steps": [{"kind", "depth",
// "label", "formula", "value", "unit", "note", "period", "line"}]}]}. Amounts are exact decimal strings.
// Labels and notes in `wording`'s words (their numbers stay in English: JSON is read by programs).
nlohmann::ordered_json explanation_json(const checked::Contract& contract, const Evaluation& evaluation,
                                        const ExplainFilter& filter = {}, const Wording& wording = {});

}  // namespace utfall
