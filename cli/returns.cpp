// `utfall returns`: loads and evaluates the contract as `run` does, reads --party, --discount and
// --outlay against it, and prints compute_returns (interpreter/returns.hpp) as a table with the
// measures under it (text) or as one object (json).
#include "cli/returns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/output.hpp"
#include "interpreter/version.hpp"
#include "interpreter/pipeline.hpp"
#include "interpreter/returns.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

using json = nlohmann::ordered_json;

using cli::report;
int usage(const std::string& message) { return cli::usage("returns", message); }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") + 1 - b);
}

// An annual rate: `5 %`, `5%` or `0.05`; a number of 1 or more (or -1 or less) without `%`
// reads two ways (5 is 5 % or 500 %) and is refused, as the language refuses `--set` (E319).
std::optional<Number> parse_rate(const std::string& text, std::string& error) {
  std::string t = trim(text);
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t = trim(t.substr(0, t.size() - 1));
  auto n = Number::parse_decimal(t);
  if (!n) {
    error = fmt::format("--discount '{}': expected an annual rate such as `5 %` or `0.05`", text);
    return std::nullopt;
  }
  const Number one = Number::from_int(1);
  if (!percent && n->abs() >= one) {
    error = fmt::format("--discount '{}' reads two ways ({} % or {} %): write the rate with `%` (`{} %`) or as a fraction", text, t,
                        (*n * Number::from_int(100)).to_string(), t);
    return std::nullopt;
  }
  Number rate = percent ? *n / Number::from_int(100) : *n;
  if (rate <= -one) {
    error = fmt::format("--discount '{}': a discount rate must be above -100 %", text);
    return std::nullopt;
  }
  return rate;
}

// The multiple: its exact decimal when that has at most four places, else rounded to four.
struct Shown {
  std::string text;
  bool rounded = false;
};
Shown four_places(const Number& x) {
  const Number step = Number::fraction(1, 10'000);
  if (x.is_multiple_of(step)) return {x.to_string(), false};
  return {*x.round(step, RoundingMode::half_even).to_fixed(4), true};
}

std::string percent_text(const Number& rate) { return (rate * Number::from_int(100)).to_string(); }

class Report {
 public:
  Report(const checked::Contract& c, const Returns& r) : c_(c), r_(r) {}
  std::string text() const;
  std::string json_text() const;

 private:
  const checked::Contract& c_;
  const Returns& r_;

  std::string money(const CurrencyReturns& cr, const Number& n, bool separators) const {
    return format_money(c_, n, separators, cr.currency);
  }
  Number npv_shown(const CurrencyReturns& cr) const {
    return cr.npv.value->round(c_.currencies[cr.currency].minor_unit, RoundingMode::half_even);
  }
  // Exact where it terminates (3, 0.25), else to two places: `≈ 9.01` (3287/365).
  std::string years_text(const Number& y) const {
    if (y.is_terminating()) return y.to_string();
    return "≈ " + *y.round(Number::fraction(1, 100), RoundingMode::half_even).to_fixed(2);
  }
  std::string block(const CurrencyReturns& cr) const;
  json currency_json(const CurrencyReturns& cr) const;
};

std::string Report::block(const CurrencyReturns& cr) const {
  const std::string& code = c_.currencies[cr.currency].code;
  std::vector<std::vector<std::string>> rows{{"period", "in", "out", "net", "cumulative"}};
  Number cumulative;
  for (std::size_t i = 0; i < cr.periods.size(); ++i) {
    const auto& p = cr.periods[i];
    cumulative += p.net();
    rows.push_back({c_.periods[i], money(cr, p.in, true), money(cr, p.out, true), money(cr, p.net(), true), money(cr, cumulative, true)});
  }
  rows.push_back({"total", money(cr, cr.in, true), money(cr, cr.out, true), money(cr, cr.net, true), ""});
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], code_points(row[k]));
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (std::size_t k = 0; k < row.size(); ++k) {
      std::string pad(width[k] - code_points(row[k]), ' ');
      s += (k ? "  " : "") + (k == 0 ? row[k] + pad : pad + row[k]);
    }
    out += s.substr(0, s.find_last_not_of(' ') + 1) + "\n";
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == rows.size() - 1 || i == 1) {
      std::size_t all = 0;
      for (auto w : width) all += w + 2;
      out += std::string(all - 2, '-') + "\n";
    }
    line(rows[i]);
  }
  out += "\n";
  if (cr.multiple.value) {
    auto m = four_places(*cr.multiple.value);
    out += fmt::format("money multiple (in / out): {}{}\n", m.text,
                       m.rounded ? fmt::format(" (rounded to 4 decimals; exactly {})", cr.multiple.value->to_fraction_string()) : "");
  } else {
    out += fmt::format("money multiple (in / out): none: {}\n", cr.multiple.reason);
  }
  if (cr.payback) {
    out += fmt::format("payback period: {}", c_.periods[*cr.payback]);
    if (cr.payback_years) out += fmt::format(" (its end is {} years after {})", years_text(*cr.payback_years), r_.origin);
    out += "\n";
  } else {
    out += fmt::format("payback period: none: {}\n", cr.payback_reason);
  }
  if (r_.discount) {
    std::string rate = percent_text(*r_.discount) + " %";
    if (!cr.npv.value) out += fmt::format("NPV at {}: none: {}\n", rate, cr.npv.reason);
    else {
      const Number shown = npv_shown(cr);
      std::string how = cr.npv.exact ? (shown == *cr.npv.value ? "exact" : "exact value rounded to the minor unit")
                                     : "computed to within 1e-10, shown rounded to the minor unit";
      out += fmt::format("NPV at {} a year, at {}: {} {} ({})\n", rate, r_.origin, money(cr, shown, true), code, how);
    }
  }
  if (cr.irr.value)
    out += fmt::format("IRR: {} % a year ({}, by exact bisection: within 1e-10)\n", percent_text(*cr.irr.value),
                       *cr.irr.value->to_fixed(10));
  else
    out += fmt::format("IRR: none: {}\n", cr.irr.reason);
  return out;
}

std::string Report::text() const {
  const auto& party = c_.parties[r_.party];
  std::string out = (c_.title.empty() ? "(untitled contract)" : c_.title) + "\n";
  out += fmt::format("Returns of {} ({}): in = paid to it, out = paid by it{}, net = in - out\n", party.id, party.display,
                     r_.currencies.size() > 0 && std::any_of(r_.currencies.begin(), r_.currencies.end(), [](const CurrencyReturns& cr) {
                       return std::any_of(cr.periods.begin(), cr.periods.end(), [](const PeriodFlows& p) { return !p.outlay.is_zero(); });
                     })
                         ? " (with the --outlay amounts)"
                         : "");
  if (r_.timed)
    out += fmt::format("Time: each period's flows at its end, in years from {} (the start of the first period)\n", r_.origin);
  else
    out += fmt::format("Time: none; {}\n", r_.time_reason);
  for (const auto& cr : r_.currencies) {
    out += fmt::format("\n{}:\n", c_.currencies[cr.currency].code);
    out += block(cr);
  }
  return terminal_text(out);
}

json Report::currency_json(const CurrencyReturns& cr) const {
  json j;
  j["currency"] = c_.currencies[cr.currency].code;
  auto periods = json::array();
  Number cumulative, outlays;
  for (std::size_t i = 0; i < cr.periods.size(); ++i) {
    const auto& p = cr.periods[i];
    cumulative += p.net();
    outlays += p.outlay;
    json pj;
    pj["period"] = c_.periods[i];
    pj["years"] = r_.timed ? json(r_.years[i].to_fraction_string()) : json(nullptr);
    pj["in"] = money(cr, p.in, false);
    pj["out"] = money(cr, p.out, false);
    pj["outlay"] = money(cr, p.outlay, false);
    pj["net"] = money(cr, p.net(), false);
    pj["cumulative"] = money(cr, cumulative, false);
    periods.push_back(std::move(pj));
  }
  j["periods"] = std::move(periods);
  j["total"] = {{"in", money(cr, cr.in, false)}, {"out", money(cr, cr.out, false)}, {"outlay", money(cr, outlays, false)},
                {"net", money(cr, cr.net, false)}};
  if (cr.multiple.value) {
    auto m = four_places(*cr.multiple.value);
    j["multiple"] = {{"value", m.text}, {"exact", cr.multiple.value->to_fraction_string()}, {"rounded", m.rounded}};
  } else {
    j["multiple"] = {{"value", nullptr}, {"reason", cr.multiple.reason}};
  }
  if (cr.payback)
    j["payback"] = {{"period", c_.periods[*cr.payback]},
                    {"years", cr.payback_years ? json(cr.payback_years->to_fraction_string()) : json(nullptr)}};
  else
    j["payback"] = {{"period", nullptr}, {"reason", cr.payback_reason}};
  if (!r_.discount) j["npv"] = nullptr;
  else if (!cr.npv.value) j["npv"] = {{"rate", r_.discount->to_string()}, {"value", nullptr}, {"reason", cr.npv.reason}};
  else
    j["npv"] = {{"rate", r_.discount->to_string()},
                {"value", money(cr, npv_shown(cr), false)},
                {"exact", cr.npv.exact ? json(cr.npv.value->to_fraction_string()) : json(nullptr)},
                {"within", cr.npv.exact ? json(nullptr) : json("1e-10")}};
  if (cr.irr.value)
    j["irr"] = {{"value", *cr.irr.value->to_fixed(10)}, {"percent", percent_text(*cr.irr.value)}, {"within", "1e-10"}};
  else
    j["irr"] = {{"value", nullptr}, {"reason", cr.irr.reason}};
  return j;
}

std::string Report::json_text() const {
  json j;
  j["version"] = json_version;
  j["contract"] = c_.title;
  j["party"] = c_.parties[r_.party].id;
  j["party_name"] = c_.parties[r_.party].display;
  j["periods"] = c_.periods;
  if (r_.timed) j["time"] = {{"dated", true}, {"origin", r_.origin}, {"unit", "years"}};
  else j["time"] = {{"dated", false}, {"reason", r_.time_reason}};
  j["discount"] = r_.discount ? json(r_.discount->to_string()) : json(nullptr);
  auto currencies = json::array();
  for (const auto& cr : r_.currencies) currencies.push_back(currency_json(cr));
  j["currencies"] = std::move(currencies);
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string returns_text(const checked::Contract& contract, const Returns& returns) { return Report(contract, returns).text(); }

// `PERIOD=AMOUNT` or `PERIOD=AMOUNT CODE`: the currency is needed where the contract has several.
std::optional<Outlay> parse_outlay(const checked::Contract& c, const std::string& spec, std::string& error) {
  const auto eq = spec.find('=');
  auto fail = [&](const std::string& why) {
    error = fmt::format("--outlay '{}': {}", spec, why);
    return std::nullopt;
  };
  if (eq == std::string::npos) return fail("expected PERIOD=AMOUNT, such as 2025=7_000_000");
  Outlay o;
  const std::string period = trim(spec.substr(0, eq));
  auto p = c.period_index(period);
  if (!p)
    return fail(fmt::format("`{}` is not a period of the contract ({} .. {})", period, c.periods.empty() ? "" : c.periods.front(),
                            c.periods.empty() ? "" : c.periods.back()));
  o.period = *p;
  std::string amount = trim(spec.substr(eq + 1)), code;
  if (auto space = amount.find_last_of(" \t"); space != std::string::npos) {
    code = trim(amount.substr(space + 1));
    amount = trim(amount.substr(0, space));
  }
  auto n = Number::parse_decimal(amount);
  if (!n) return fail(fmt::format("`{}` is not an amount (digits, `_` between them, a `.`: 7_000_000)", amount));
  if (n->sign() < 0) return fail("an outlay is what the party paid: not negative");
  o.amount = *n;
  if (code.empty()) {
    if (c.currencies.size() > 1) return fail(fmt::format("the contract has several currencies ({}): name one after the amount", currency_list(c)));
    o.currency = 0;
  } else {
    auto it = std::find_if(c.currencies.begin(), c.currencies.end(), [&](const checked::Currency& x) { return x.code == code; });
    if (it == c.currencies.end()) return fail(fmt::format("`{}` is not a currency of the contract ({})", code, currency_list(c)));
    o.currency = static_cast<int>(it - c.currencies.begin());
  }
  return o;
}

std::optional<PartyOption> read_party_option(const checked::Contract& c, const std::string& party, const std::vector<std::string>& specs,
                                             std::string& error) {
  PartyOption out;
  if (!party.empty() && !(out.party = c.party_index(party))) {
    std::string known;
    for (const auto& p : c.parties) known += (known.empty() ? "" : ", ") + p.id;
    error = fmt::format("--party {} is not a party of the contract (its parties: {})", party, known);
    return std::nullopt;
  }
  if (!specs.empty() && !out.party) {
    error = "--outlay belongs to --party: name the party who paid it";
    return std::nullopt;
  }
  for (const auto& spec : specs) {
    auto o = parse_outlay(c, spec, error);
    if (!o) return std::nullopt;
    out.outlays.push_back(*o);
  }
  return out;
}

ReturnsCommand::ReturnsCommand(CLI::App& app) {
  command_ = app.add_subcommand("returns", "One party's cash flows per period, money multiple, payback, NPV and IRR");
  command_->add_option("contract", contract_, "the contract file (.utfall)")->required();
  command_->add_option("--data,-d", data_, "data files (CSV or JSON); none when the contract has no inputs");
  command_->add_option("--party", party_, "the party whose returns these are, by its id")->required();
  command_->add_option("--discount", discount_, "an annual discount rate for the NPV: `5 %` or `0.05`");
  command_->add_option("--outlay", outlays_, "PERIOD=AMOUNT [CODE]: an amount the party paid outside the contract, e.g. 2025=7_000_000");
  command_->add_option("--set,-s", sets_, "override a term: TERM=VALUE");
  command_->add_option("--format,-f", format_, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
}

int ReturnsCommand::run() const {
  auto compiled = compile_file(contract_);
  if (!compiled.contract) return report(compiled.diagnostics);
  if (!compiled.diagnostics.empty()) report(compiled.diagnostics);  // warnings
  const auto& c = *compiled.contract;
  std::string error;
  auto party = read_party_option(c, party_, outlays_, error);
  if (!party) return usage(error);
  std::optional<Number> discount;
  if (command_->count("--discount") > 0 && !(discount = parse_rate(discount_, error))) return usage(error);
  EvalOptions options;
  if (auto d = apply_overrides(c, sets_, options); !d.empty()) return std::max(report(d), 64);
  auto bound = load_data(c, data_);
  if (!bound.data) return report(bound.diagnostics);
  auto ev = evaluate(c, *bound.data, options);
  if (!ev.ok) return report(ev.diagnostics);
  const Returns returns = compute_returns(c, ev, *party->party, party->outlays, discount);
  fmt::print("{}", format_ == "json" ? Report(c, returns).json_text() : returns_text(c, returns));
  return 0;
}

}  // namespace utfall
