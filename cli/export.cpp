// `utfall export --indigo`: evaluates the contract, bounds its flows and writes one INDIGO project
// (docs/indigo.md has the mapping). The document is built as an nlohmann tree and written by a
// writer of its own, so that an amount goes from utfall's exact digits to the file untouched.
#include "cli/export.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include "cli/bounds.hpp"
#include "cli/output.hpp"
#include "interpreter/bounds.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/version.hpp"

namespace utfall {
namespace {

using json = nlohmann::ordered_json;
using cli::report;
int usage(const std::string& message) { return cli::usage("export", message); }

constexpr const char* kSource = "utfall";  // the id of the document's one source
constexpr const char* kPlan = "calendar";  // the id of its one outcome payment plan

// --- exact numbers ----------------------------------------------------------------------------
//
// INDIGO writes an amount as a JSON number. nlohmann holds a number as a double, which keeps
// about 16 digits (12345678901234567.89 would come out as 12345678901234568), so an amount is
// held in the tree as an object whose one key is kExactKey and written as its digits by
// write_json. No field of the standard has that key, and no text from the contract can become a
// key: contract text only ever stands as a value.
const std::string kExactKey = "\x01utfall-exact";

json exact_number(std::string digits) {
  // utfall's amounts are plain decimals ("26700000.00", "-5"): JSON numbers as they are.
  static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?)");
  if (!std::regex_match(digits, number)) throw std::logic_error("an amount that is not a JSON number: " + digits);
  json j = json::object();
  j[kExactKey] = std::move(digits);
  return j;
}

// As json::dump(2), but an exact number is written as its digits.
void write_json(std::string& out, const json& j, int depth) {
  if (j.is_object() && j.size() == 1 && j.contains(kExactKey)) {
    out += j[kExactKey].get_ref<const std::string&>();
    return;
  }
  if (!j.is_object() && !j.is_array()) {
    out += j.dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  if (j.empty()) {
    out += j.is_object() ? "{}" : "[]";
    return;
  }
  const std::string pad(2 * depth + 2, ' ');
  out += j.is_object() ? "{\n" : "[\n";
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it != j.begin()) out += ",\n";
    out += pad;
    if (j.is_object()) out += json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace) + ": ";
    write_json(out, *it, depth + 1);
  }
  out += "\n" + std::string(2 * depth, ' ') + (j.is_object() ? "}" : "]");
}

// --- the standard's small shapes --------------------------------------------------------------

// Most INDIGO fields are objects `{"value": ...}`.
json value_of(json v) {
  json j = json::object();
  j["value"] = std::move(v);
  return j;
}

// `{"currency": {"value": CODE}, "amount": {"value": N}}`
json money_of(const std::string& code, std::string digits) {
  json j = json::object();
  j["currency"] = value_of(code);
  j["amount"] = value_of(exact_number(std::move(digits)));
  return j;
}

// The first day of period `first` and the last of period `last` (YYYY-MM-DD); none for a listed
// calendar that declares no dates.
struct Span {
  std::string start, end;
};
std::optional<Span> period_span(const checked::Contract& c, int first, int last) {
  if (const int months = c.months_per_period; months > 0)
    return Span{dates::format(dates::span_start(c.span_base + first, months)),
                dates::format(dates::span_start(c.span_base + last + 1, months) - 1)};
  if (!c.listed_dates.empty()) return Span{dates::format(c.listed_dates[first].first), dates::format(c.listed_dates[last].last)};
  return std::nullopt;
}

// `{"start_date": {"value": ...}, "end_date": {"value": ...}}`
json period_of(const Span& span) {
  json j = json::object();
  j["start_date"] = value_of(span.start);
  j["end_date"] = value_of(span.end);
  return j;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + ("`" + n + "`");
  return out;
}

std::string party_ids(const checked::Contract& c) {
  std::vector<std::string> ids;
  for (const auto& p : c.parties) ids.push_back(p.id);
  return quoted_list(ids);
}

// --- the command line's choices ---------------------------------------------------------------

// What the command line chose beyond the contract and its data.
struct Choices {
  std::vector<std::string> organisation;  // per party: the id written for it
  std::vector<bool> outcome_payer;        // per party: whether its payments are written
  bool payers_named = false;              // --payer was given
  std::string payment_type;               // "Planned", "Actual" or "" (not written)
  std::string contract_file;              // the file names, without their folders
  std::vector<std::string> data_files, sets, assumptions;
};

// The parties that pay under some rule of the contract.
std::vector<bool> paying_parties(const checked::Contract& c) {
  std::vector<bool> pays(c.parties.size(), false);
  for (const auto& p : c.payments) pays[p.payer] = true;
  for (const auto& w : c.waterfalls) pays[w.payer] = true;
  return pays;
}

// `--payer PARTY`: only these parties' payments are outcome payments; every paying party when
// none is named. A message in `error` when a name is no party, or a party that never pays.
std::optional<std::vector<bool>> read_payers(const checked::Contract& c, const std::vector<std::string>& names, std::string& error) {
  const auto pays = paying_parties(c);
  if (names.empty()) return pays;
  std::vector<bool> chosen(c.parties.size(), false);
  for (const auto& name : names) {
    auto p = c.party_index(name);
    if (!p) {
      error = fmt::format("--payer {} is not a party of the contract (its parties: {})", name, party_ids(c));
      return std::nullopt;
    }
    if (!pays[*p]) {
      error = fmt::format("--payer {}: the contract has no payment that `{}` makes", name, name);
      return std::nullopt;
    }
    chosen[*p] = true;
  }
  return chosen;
}

// `--organisation PARTY=ORG-ID`: the id written for the party (an INDIGO organisation id such as
// INDIGO-ORG-0001); the party's own id where none is given. A message in `error` when a spec is
// not one, names no party, gives a party twice, or gives an empty id.
std::optional<std::vector<std::string>> read_organisations(const checked::Contract& c, const std::vector<std::string>& specs,
                                                           std::string& error) {
  std::vector<std::string> ids;
  for (const auto& p : c.parties) ids.push_back(p.id);
  std::set<int> given;
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      error = fmt::format("--organisation '{}': expected PARTY=ORG-ID, such as kommun=INDIGO-ORG-0001", spec);
      return std::nullopt;
    }
    const std::string party = spec.substr(0, eq);
    auto p = c.party_index(party);
    if (!p) {
      error = fmt::format("--organisation '{}': `{}` is not a party of the contract (its parties: {})", spec, party, party_ids(c));
      return std::nullopt;
    }
    if (!given.insert(*p).second) {
      error = fmt::format("--organisation: `{}` is given an organisation twice", party);
      return std::nullopt;
    }
    ids[*p] = spec.substr(eq + 1);
  }
  return ids;
}

// --- the document -----------------------------------------------------------------------------

// A constant price per unit that a payment states: `pay ...: amount PRICE * COUNT` with PRICE a
// term or a literal in money per a counted unit and COUNT in that unit, or a payment per record
// (`for each u in SET`) of a term or literal in money. Nothing for any other amount: a price is
// written only where the checked contract states one.
struct Pricing {
  Number price;
  std::string per;  // "SEK per placement", "SEK per record of `ungdomar`"
};

class Indigo {
 public:
  Indigo(const checked::Contract& c, const Evaluation& ev, const EvalOptions& options, const Bounds& bounds, const Choices& choices)
      : c_(c), ev_(ev), options_(options), bounds_(bounds), choices_(choices) {
    for (const auto& p : c.payments)
      if (choices.outcome_payer[p.payer]) commitments_.insert({p.payer, p.currency});
    for (const auto& w : c.waterfalls)
      if (choices.outcome_payer[w.payer]) commitments_.insert({w.payer, w.currency});
    for (const auto& l : ev.lines)
      if (choices.outcome_payer[l.payer]) totals_[{l.payer, c.line_currency(l.waterfall, l.rule_index)}] += l.amount;
  }

  json document() const {
    json j = json::object();
    j["name"] = value_of(c_.title);
    j["notes"] = value_of(notes());
    j["overall_project_finance"] = overall();
    j["outcome_payment_commitments"] = commitments();
    j["outcome_metrics"] = metrics();
    j["outcome_pricings"] = pricings();
    j["outcome_payment_plans"] = plans();
    j["outcome_payments"] = payments();
    j["sources"] = sources();
    return j;
  }

 private:
  std::string money(const Number& n, int currency) const { return format_money(c_, n, false, currency); }
  const std::string& code(int currency) const { return c_.currencies[currency].code; }

  std::string provenance() const {
    std::string text = fmt::format("utfall {} from the contract file `{}`", version_text, choices_.contract_file);
    if (!choices_.data_files.empty()) text += fmt::format(" with the data {}", quoted_list(choices_.data_files));
    if (!choices_.sets.empty()) text += fmt::format(" and the terms set {}", quoted_list(choices_.sets));
    if (!choices_.assumptions.empty()) text += fmt::format(", assuming {} of the data", quoted_list(choices_.assumptions));
    return text;
  }

  std::string notes() const {
    std::vector<std::string> payers;
    for (std::size_t p = 0; p < c_.parties.size(); ++p)
      if (choices_.outcome_payer[p]) payers.push_back(c_.parties[p].id);
    std::string orgs;
    for (std::size_t p = 0; p < c_.parties.size(); ++p)
      orgs += fmt::format("{}`{}` ({}) as `{}`", orgs.empty() ? "" : ", ", c_.parties[p].id, c_.parties[p].display, choices_.organisation[p]);
    return fmt::format(
        "Computed by {}. Every payment the contract makes in this run {}is written as an outcome payment, with the "
        "period's first and last day. Organisations are written by these ids: {}; an id that is a party's own id in the "
        "contract is to be replaced by the organisation's INDIGO id before the data is shared.",
        provenance(), choices_.payers_named ? fmt::format("by {} ", quoted_list(payers)) : "", orgs);
  }

  // The most the payer can pay in the currency: the sum of the largest totals of its flows over
  // all data the inputs' declared ranges allow; none, with why, when some flow has no bound.
  std::pair<std::optional<Number>, std::string> most(int payer, int currency) const {
    if (!bounds_.ok)
      return {std::nullopt, bounds_.diagnostics.empty() ? "the bounds could not be computed" : bounds_.diagnostics.front().message};
    Number sum;
    for (const auto& f : bounds_.flows) {
      if (f.payer != payer || f.currency != currency) continue;
      if (!f.total.hi) return {std::nullopt, fmt::format("the payments to `{}` have no upper bound: {}", c_.parties[f.payee].id, f.total.why_hi)};
      sum += *f.total.hi;
    }
    return {sum, {}};
  }

  Number total(int payer, int currency) const {
    auto it = totals_.find({payer, currency});
    return it == totals_.end() ? Number{} : it->second;
  }

  json overall() const {
    json j = json::object();
    std::set<int> currencies;
    for (const auto& [payer, currency] : commitments_) currencies.insert(currency);
    if (currencies.size() != 1) {
      j["notes"] = currencies.empty() ? "No party's payments are written."
                                      : "The payments are in several currencies; each payer's figures are in outcome_payment_commitments.";
      return j;
    }
    const int currency = *currencies.begin();
    std::optional<Number> sum = Number{};
    std::string why;
    Number paid;
    for (const auto& [payer, cur] : commitments_) {
      auto [m, reason] = most(payer, cur);
      if (!m && sum) why = fmt::format("`{}`: {}", c_.parties[payer].id, reason);
      if (!m) sum.reset();
      else if (sum) *sum += *m;
      paid += total(payer, cur);
    }
    if (sum) j["maximum_potential_outcome_payment_v2"] = money_of(code(currency), money(*sum, currency));
    j["total_outcome_payments_made"] = money_of(code(currency), money(paid, currency));
    j["source_ids"] = kSource;
    j["notes"] = sum ? "The maximum is the sum of the payers' maxima in outcome_payment_commitments; the total is the sum of "
                       "every outcome payment written."
                     : fmt::format("No maximum is written: {}. The total is the sum of every outcome payment written.", why);
    return j;
  }

  json commitments() const {
    json out = json::array();
    const auto span = c_.periods.empty() ? std::nullopt : period_span(c_, 0, static_cast<int>(c_.periods.size()) - 1);
    for (const auto& [payer, currency] : commitments_) {
      json j = json::object();
      j["organisation_id"] = value_of(choices_.organisation[payer]);
      auto [m, why] = most(payer, currency);
      if (m) j["maximum_potential_outcome_payment"] = money_of(code(currency), money(*m, currency));
      if (span) j["period"] = period_of(*span);
      j["total_outcome_payments"] = money_of(code(currency), money(total(payer, currency), currency));
      j["source_ids"] = kSource;
      j["notes"] = fmt::format("The party `{}` ({}) of the contract. {}", c_.parties[payer].id, c_.parties[payer].display,
                               m ? fmt::format("The maximum is the most it can pay under the contract over all data the inputs' "
                                               "declared ranges{} allow (as `utfall bounds` computes it, summed over its payees): "
                                               "a bound, not necessarily reached.",
                                               choices_.assumptions.empty() ? "" : " and the assumptions")
                                 : fmt::format("No maximum is written: {}.", why));
      out.push_back(std::move(j));
    }
    return out;
  }

  // The clauses with a rule whose payer's payments are written, in the contract's order.
  std::vector<int> paying_clauses() const {
    std::set<int> clauses;
    for (const auto& p : c_.payments)
      if (choices_.outcome_payer[p.payer]) clauses.insert(p.clause);
    for (const auto& w : c_.waterfalls)
      if (choices_.outcome_payer[w.payer]) clauses.insert(w.clause);
    return {clauses.begin(), clauses.end()};
  }

  json metrics() const {
    json out = json::array();
    for (int k : paying_clauses()) {
      const auto& clause = c_.clauses[k];
      std::vector<std::string> rules;
      for (const auto& p : c_.payments)
        if (p.clause == k && choices_.outcome_payer[p.payer]) rules.push_back(fmt::format("`{} -> {}`", c_.parties[p.payer].id, c_.parties[p.payee].id));
      for (const auto& w : c_.waterfalls)
        if (w.clause == k && choices_.outcome_payer[w.payer])
          rules.push_back(fmt::format("the waterfall {}of `{}`", w.name.empty() ? "" : "`" + w.name + "` ", c_.parties[w.payer].id));
      json j = json::object();
      j["id"] = clause.number;
      j["definition"] = value_of(clause.title.empty() ? clause.number : clause.title);
      j["source_ids"] = kSource;
      j["notes"] = fmt::format("Clause {} of the contract; it pays {}.", clause.label(), fmt::join(rules, ", "));
      out.push_back(std::move(j));
    }
    return out;
  }

  // The number a term or a literal stands for in this run; none for anything else.
  std::optional<Number> constant(const checked::Expr& e) const {
    if (auto* k = std::get_if<checked::Const>(&e.node))
      if (auto* n = std::get_if<Number>(&k->value)) return *n;
    if (auto* t = std::get_if<checked::TermRef>(&e.node)) {
      if (term_unlimited(c_, options_, t->term)) return std::nullopt;
      auto v = evaluate_expression(c_, Dataset{}, e, -1, options_);
      if (v.value)
        if (auto* n = std::get_if<Number>(&*v.value)) return *n;
    }
    return std::nullopt;
  }

  std::optional<Pricing> pricing(int index) const {
    const auto& p = c_.payments[index];
    const auto& amount = *p.amount;
    if (p.set >= 0 && c_.currency_index(amount.type.unit)) {
      if (auto price = constant(amount))
        return Pricing{*price, fmt::format("{} per record of `{}`", code(p.currency), c_.inputs[p.set].name)};
      return std::nullopt;
    }
    auto* product = std::get_if<checked::Binary>(&amount.node);
    if (!product || product->op != checked::Op::multiply || !c_.currency_index(amount.type.unit)) return std::nullopt;
    for (const auto* side : {product->lhs.get(), product->rhs.get()}) {
      const auto* other = side == product->lhs.get() ? product->rhs.get() : product->lhs.get();
      const auto& counted = other->type.unit.dimensions();
      if (counted.size() != 1 || counted[0].second != 1 || c_.currency_index(other->type.unit)) continue;
      if (auto price = constant(*side)) return Pricing{*price, side->type.to_string()};
    }
    return std::nullopt;
  }

  json pricings() const {
    json out = json::array();
    for (std::size_t i = 0; i < c_.payments.size(); ++i) {
      const auto& p = c_.payments[i];
      if (!choices_.outcome_payer[p.payer]) continue;
      auto pricing = this->pricing(static_cast<int>(i));
      if (!pricing) continue;
      const std::string price = money(pricing->price, p.currency);
      json j = json::object();
      j["outcome_metric_id"] = value_of(c_.clauses[p.clause].number);
      j["currency"] = value_of(code(p.currency));
      j["price_per_unit"] = json::object();
      j["price_per_unit"]["amount"] = value_of(exact_number(price));
      j["price_description"] = value_of(fmt::format("{} {}", price, pricing->per));
      j["source_ids"] = kSource;
      j["notes"] = fmt::format("The payment {}{} -> {} of clause {}, as written: {}", p.name.empty() ? "" : "`" + p.name + "` ",
                               c_.parties[p.payer].id, c_.parties[p.payee].id, c_.clauses[p.clause].label(), written_text(p.range));
      out.push_back(std::move(j));
    }
    return out;
  }

  json plans() const {
    json j = json::object();
    j["id"] = value_of(kPlan);
    if (!c_.periods.empty())
      if (auto span = period_span(c_, 0, static_cast<int>(c_.periods.size()) - 1)) j["period"] = period_of(*span);
    j["source_ids"] = kSource;
    j["notes"] = fmt::format("The contract's calendar: the periods {} .. {}.", c_.periods.empty() ? "" : c_.periods.front(),
                             c_.periods.empty() ? "" : c_.periods.back());
    return json::array({j});
  }

  json payments() const {
    json out = json::array();
    for (const auto& l : ev_.lines) {
      if (!choices_.outcome_payer[l.payer]) continue;
      const int currency = c_.line_currency(l.waterfall, l.rule_index);
      json j = json::object();
      j["outcome_payment_plan_id"] = value_of(kPlan);
      j["outcome_metric_id"] = value_of(c_.clauses[l.clause].number);
      if (auto span = period_span(c_, l.period, l.period)) j["period"] = period_of(*span);
      j["payer_organisation_id"] = value_of(choices_.organisation[l.payer]);
      j["recipient_organisation_id"] = value_of(choices_.organisation[l.payee]);
      if (!choices_.payment_type.empty()) j["type"] = value_of(choices_.payment_type);
      j["money"] = money_of(code(currency), money(l.amount, currency));
      j["source_ids"] = kSource;
      j["notes"] = fmt::format("Period {}, clause {}{}.", c_.periods[l.period], c_.clauses[l.clause].label(),
                               l.rule.empty() ? "" : fmt::format(", {} `{}`", l.waterfall ? "waterfall" : "payment", l.rule));
      out.push_back(std::move(j));
    }
    return out;
  }

  json sources() const {
    json j = json::object();
    j["id"] = kSource;
    j["name"] = value_of(fmt::format("utfall {}", version_text));
    j["type"] = value_of("Contract");
    j["notes"] = fmt::format("The contract \"{}\", evaluated by {}.", c_.title, provenance());
    return json::array({j});
  }

  const checked::Contract& c_;
  const Evaluation& ev_;
  const EvalOptions& options_;
  const Bounds& bounds_;
  const Choices& choices_;
  std::set<std::pair<int, int>> commitments_;         // (payer, currency) of the rules written
  std::map<std::pair<int, int>, Number> totals_;      // what each paid in the run
};

}  // namespace

ExportCommand::ExportCommand(CLI::App& app) {
  command_ = app.add_subcommand("export", "The contract's payments, prices and maxima in another standard's format (--indigo)");
  command_->add_flag("--indigo", indigo_, "as an INDIGO impact bond project (Government Outcomes Lab); the only format so far");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON); none when the contract has no inputs");
  command_->add_option("--set,-s", sets_, "override a term: TERM=VALUE");
  command_->add_option("--assume,-a", assumptions_, "'INPUT in LO..HI' (as `utfall bounds` reads it): a range for the data, for the maxima");
  command_->add_option("--payer", payers_, "PARTY: only this party's payments are outcome payments (repeatable; default: every party that pays)");
  command_->add_option("--organisation", organisations_, "PARTY=ORG-ID: the organisation id written for a party, e.g. kommun=INDIGO-ORG-0001 (default: the party's id)");
  command_->add_option("--payment-type", payment_type_, "planned or actual: the type of every outcome payment (default: not written)")
      ->check(CLI::IsMember({"planned", "actual"}));
  command_->add_option("--output,-o", output_, "write the document to FILE (whole or not at all) instead of stdout");
}

int ExportCommand::run() const {
  if (!indigo_) return usage("name the format: --indigo (the INDIGO impact bond data standard, the only one so far)");
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);  // warnings
  const auto& c = *compiled.contract;
  Choices choices;
  std::string error;
  auto payers = read_payers(c, payers_, error);
  if (!payers) return usage(error);
  auto organisations = read_organisations(c, organisations_, error);
  if (!organisations) return usage(error);
  choices.outcome_payer = std::move(*payers);
  choices.payers_named = !payers_.empty();
  choices.organisation = std::move(*organisations);
  if (!payment_type_.empty()) choices.payment_type = payment_type_ == "planned" ? "Planned" : "Actual";
  choices.contract_file = std::filesystem::path(contract_).filename().string();
  for (const auto& f : data_) choices.data_files.push_back(std::filesystem::path(f).filename().string());
  choices.sets = sets_;
  choices.assumptions = assumptions_;
  EvalOptions options;
  if (auto d = apply_overrides(c, sets_, options); !d.empty()) return std::max(report(d), 64);
  auto bounds_options = read_bounds_options(c, options, assumptions_, error);
  if (!bounds_options) return usage(error);
  auto bound = load_data(c, data_);
  if (!bound.data) return report(bound.diagnostics);
  auto ev = evaluate(c, *bound.data, options);
  if (!ev.ok) return report(ev.diagnostics);
  std::string text;
  const Bounds bounds = payment_bounds(c, *bounds_options);
  write_json(text, Indigo(c, ev, options, bounds, choices).document(), 0);
  text += "\n";
  if (output_.empty()) {
    cli::write_stdout(text);
    return 0;
  }
  if (auto problem = cli::write_file_whole(output_, text)) {  // an old file is untouched
    report({*problem});
    return cli::kOutputFailed;
  }
  return 0;
}

}  // namespace utfall
