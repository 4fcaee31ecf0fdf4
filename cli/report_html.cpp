#include "cli/report_html.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "cli/report_scripts.hpp"
#include "cli/returns.hpp"
#include "interpreter/explain.hpp"
#include "interpreter/version.hpp"

namespace utfall::cli {
namespace {

using json = nlohmann::ordered_json;

// The page's words in each language. Diagnostics and explanations keep the engine's English.
struct Words {
  const char* lang;
  const char* report;  // after the title
  const char* contract_file;
  const char* data_files;
  const char* periods;
  const char* currencies;
  const char* summary;
  const char* flow;
  const char* total;
  const char* party;
  const char* pays;
  const char* receives;
  const char* net;
  const char* returns_of;
  const char* schedule;
  const char* period;
  const char* clause;
  const char* charts;
  const char* cumulative_title;
  const char* cumulative_axis;
  const char* payoff_title;  // {} the varied name
  const char* payoff_axis;
  const char* current_value;
  const char* no_charts;
  const char* explanations;
  const char* explanations_note;
  const char* exact_note;
  const char* rounded_note;
  const char* distribution_title;  // {} the flow
  const char* distribution_axis;
  const char* runs_axis;
  const char* distribution_heading;
  const char* distribution_note;  // {0} runs, {1} seed, {2} draws, {3} failed
  const char* mean;
  const char* sd;
  const char* format_locale;  // d3-format's locale for the charts' axes (JSON)
  const char* generated;
};

constexpr Words kEnglish{
    "en",
    "report",
    "Contract",
    "Data",
    "Periods",
    "Currencies",
    "Summary",
    "Flow",
    "Total",
    "Party",
    "Pays",
    "Receives",
    "Net",
    "Returns of",
    "Payment schedule",
    "Period",
    "clause",
    "Charts",
    "Cumulative payments per flow",
    "Cumulative payment",
    "Payoff: the total of each flow against {}",
    "Total payment",
    "the contract's value",
    "This utfall was built without the chart libraries (npm was not available at build time), so this report has no charts.",
    "Explanation of each payment",
    "Each payment with the values it used, its roundings, floors, caps and netting, as `utfall explain` gives them.",
    "Every amount is exact, computed in decimal arithmetic from the contract and the data named above.",
    "The payoff curve is drawn from the exact totals, rounded to the minor unit for the picture only.",
    "Distribution of the total {} over the runs",
    "Total payment",
    "Runs",
    "Simulation",
    "{0} runs with seed {1}, drawing {2}; {3} failed. Every payment of every run is exact; the statistics describe the distribution only approximately, as any sample does. Percentiles by nearest rank.",
    "mean",
    "sd",
    R"({"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]})",
    "Made by utfall {}",
};

constexpr Words kSwedish{
    "sv",
    "rapport",
    "Avtal",
    "Data",
    "Perioder",
    "Valutor",
    "Sammanfattning",
    "Betalningsflöde",
    "Totalt",
    "Part",
    "Betalar",
    "Erhåller",
    "Netto",
    "Avkastning för",
    "Betalningsplan",
    "Period",
    "punkt",
    "Diagram",
    "Ackumulerade betalningar per flöde",
    "Ackumulerad betalning",
    "Utfallskurva: varje flödes totala betalning mot {}",
    "Total betalning",
    "avtalets värde",
    "Denna utfall är byggd utan diagrambiblioteken (npm fanns inte när den byggdes), så rapporten saknar diagram.",
    "Förklaring av varje betalning",
    "Varje betalning med de värden den bygger på, avrundningar, golv, tak och avräkning, som `utfall explain` visar dem.",
    "Alla belopp är exakta, beräknade med decimal aritmetik ur avtalet och de data som anges ovan.",
    "Utfallskurvan ritas från de exakta summorna, avrundade till minsta enhet endast för bilden.",
    "Fördelning av den totala betalningen {} över körningarna",
    "Total betalning",
    "Körningar",
    "Simulering",
    "{0} körningar med fröet {1}, där {2} dras slumpvis; {3} misslyckades. Varje betalning i varje körning är exakt; statistiken beskriver fördelningen endast ungefärligt, som varje urval. Percentiler enligt närmaste rang.",
    "medelvärde",
    "standardavvikelse",
    R"({"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", ""]})",
    "Skapad av utfall {}",
};

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON inside <script>: `</` and `<!--` cannot occur in it (both only ever inside JSON strings,
// where `<\/` and `<\u0021--` mean the same).
std::string script_json(const json& j) {
  std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace), out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "</") == 0) out += "<\\/", ++i;
    else if (text.compare(i, 4, "<!--") == 0) out += "<\\u0021--", i += 3;
    else out += text[i];
  }
  return out;
}

// A bundled library inside <script>: a `</script` in it would end the element early. Only that
// is rewritten (to `<\/script`, the same inside a string, a regular expression or a comment,
// the only places it can be); `</` alone is left, since `/</g` is a regular expression.
std::string script_text(std::string_view code) {
  std::string out(code);
  auto closes = [&](std::size_t at) {
    static constexpr std::string_view tag = "</script";
    if (out.size() - at < tag.size()) return false;
    for (std::size_t k = 0; k < tag.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(out[at + k])) != tag[k]) return false;
    return true;
  };
  for (std::size_t at = 0; (at = out.find("</", at)) != std::string::npos; at += 2)
    if (closes(at)) out.replace(at, 2, "<\\/");
  return out;
}

// A value placed on a chart's axis: its exact decimal, or six places of a fraction that has none.
std::string chart_number(const Number& x) {
  return x.is_terminating() ? x.to_string() : *x.round(Number::fraction(1, 1'000'000), RoundingMode::half_even).to_fixed(6);
}

class Page {
 public:
  // Only the payment schedule's section (for `utfall doc`).
  std::string schedule_section() {
    schedule();
    return std::move(out_);
  }
  explicit Page(const ReportInput& in)
      : in_(in), c_(*in.contract), ev_(*in.evaluation), w_(in.lang == "sv" ? kSwedish : kEnglish), flows_(flows_of(ev_, c_)),
        cells_(c_.periods.size(), std::vector<Number>(flows_.size())), totals_(flows_.size()) {
    for (const auto& l : ev_.lines) {
      const auto f = static_cast<std::size_t>(std::find(flows_.begin(), flows_.end(), flow_of(l)) - flows_.begin());
      cells_[static_cast<std::size_t>(l.period)][f] += l.amount;
      totals_[f] += l.amount;
    }
  }
  std::string html();

 private:
  const ReportInput& in_;
  const checked::Contract& c_;
  const Evaluation& ev_;
  const Words& w_;
  std::vector<Flow> flows_;
  std::vector<std::vector<Number>> cells_;  // per period and flow: the amount paid
  std::vector<Number> totals_;              // per flow
  std::string out_;
  json charts_ = json::array();

  std::string money(const Number& amount, int currency) const;
  std::string amount_cell(const Number& amount, int currency) const;
  std::string flow_name(const Flow& f) const;
  Flow flow_of(const PaymentLine& l) const { return {l.payer, l.payee, c_.line_currency(l.waterfall, l.rule_index)}; }
  void header();
  void summary();
  void schedule();
  void charts();
  json cumulative_chart(int currency) const;
  json payoff_chart(int currency) const;
  json distribution_chart(const Simulated::FlowDistribution& d) const;
  static Number units(std::int64_t value, int places);
  void simulation();
  void explanations();
  void scripts();
};

// The separators of the page's language: `26,700,000.00`, or `26 700 000,00` with no-break spaces.
std::string Page::money(const Number& amount, int currency) const {
  std::string text = format_money(c_, amount, true, currency);
  return w_.lang == std::string_view("en") ? text : swedish_number(text);
}

std::string Page::amount_cell(const Number& amount, int currency) const {
  return fmt::format("<td class=\"amount\" data-amount=\"{}\">{}</td>", escape(format_money(c_, amount, false, currency)),
                     escape(money(amount, currency)));
}

std::string Page::flow_name(const Flow& f) const {
  std::string name = c_.parties[f.payer].id + " → " + c_.parties[f.payee].id;
  if (c_.currencies.size() > 1) name += " (" + c_.currencies[f.currency].code + ")";
  return name;
}

std::string Page::html() {
  out_ += fmt::format("<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n", w_.lang);
  out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out_ += fmt::format("<title>{} — {}</title>\n", escape(c_.title), w_.report);
  out_ += page_style();
  // Before anything else runs: every error a script meets is kept and shown (a test reads it).
  out_ += R"(<script>
window.utfallErrors = [];
(function () {
  function note(text) {
    window.utfallErrors.push(text);
    var shown = document.getElementById('utfall-errors');
    if (shown) shown.textContent = window.utfallErrors.join('\n');
  }
  window.addEventListener('error', function (e) { note('error: ' + e.message); });
  window.addEventListener('unhandledrejection', function (e) { note('unhandled rejection: ' + e.reason); });
  var original = console.error;
  console.error = function () { note('console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
})();
</script>
</head>
<body>
)";
  header();
  summary();
  schedule();
  charts();
  simulation();
  explanations();
  out_ += fmt::format("<footer><p class=\"note\">{}{}</p></footer>\n", fmt::format(fmt::runtime(w_.generated), version_text),
                      chart_scripts() ? escape(fmt::format(" · {}", chart_scripts()->versions)) : "");
  out_ += "<pre id=\"utfall-errors\"></pre>\n";
  scripts();
  out_ += "</body>\n</html>\n";
  return std::move(out_);
}

void Page::header() {
  out_ += fmt::format("<header>\n<h1>{}</h1>\n", escape(c_.title));
  out_ += fmt::format("<p class=\"meta\">{}: {}</p>\n", w_.contract_file, escape(in_.contract_file));
  if (!in_.data_files.empty()) {
    std::string files;
    for (const auto& f : in_.data_files) files += (files.empty() ? "" : ", ") + escape(f);
    out_ += fmt::format("<p class=\"meta\">{}: {}</p>\n", w_.data_files, files);
  }
  if (!c_.periods.empty())
    out_ += fmt::format("<p class=\"meta\">{}: {} – {} ({})</p>\n", w_.periods, escape(c_.periods.front()), escape(c_.periods.back()),
                        c_.periods.size());
  out_ += fmt::format("<p class=\"meta\">{}: {}</p>\n", w_.currencies, escape(currency_list(c_)));
  out_ += fmt::format("<p class=\"note\">{}</p>\n</header>\n", w_.exact_note);
}

void Page::summary() {
  out_ += fmt::format("<section id=\"summary\">\n<h2>{}</h2>\n", w_.summary);
  out_ += fmt::format("<table class=\"flows\">\n<tr><th>{}</th><th class=\"amount\">{}</th></tr>\n", w_.flow, w_.total);
  for (std::size_t f = 0; f < flows_.size(); ++f)
    out_ += fmt::format("<tr data-flow=\"{}\"><td>{}</td>{}</tr>\n", escape(flow_name(flows_[f])), escape(flow_name(flows_[f])),
                        amount_cell(totals_[f], flows_[f].currency));
  out_ += "</table>\n";

  // Each party, per currency: what it pays, what it receives, and the difference.
  out_ += fmt::format("<table class=\"parties\">\n<tr><th>{}</th><th class=\"amount\">{}</th><th class=\"amount\">{}</th><th class=\"amount\">{}</th></tr>\n",
                      w_.party, w_.pays, w_.receives, w_.net);
  for (std::size_t p = 0; p < c_.parties.size(); ++p)
    for (std::size_t k = 0; k < c_.currencies.size(); ++k) {
      // From the flows' totals: a party with no flow in a currency but the first has no row in it.
      const int currency = static_cast<int>(k), party = static_cast<int>(p);
      Number pays, receives;
      bool any = false;
      for (std::size_t f = 0; f < flows_.size(); ++f) {
        if (flows_[f].currency != currency) continue;
        if (flows_[f].payer == party) pays += totals_[f], any = true;
        if (flows_[f].payee == party) receives += totals_[f], any = true;
      }
      if (!any && k > 0) continue;
      std::string name = c_.parties[p].display.empty() ? c_.parties[p].id : c_.parties[p].display;
      out_ += fmt::format("<tr data-party=\"{}\" data-currency=\"{}\"><td>{}</td>{}{}{}</tr>\n", escape(c_.parties[p].id),
                          escape(c_.currencies[k].code), escape(name), amount_cell(pays, currency), amount_cell(receives, currency),
                          amount_cell(receives - pays, currency));
    }
  out_ += "</table>\n";
  if (in_.returns) {
    out_ += fmt::format("<h3>{} {}</h3>\n<pre class=\"returns\">{}</pre>\n", w_.returns_of, escape(c_.parties[in_.returns->party].id),
                        escape(returns_text(c_, *in_.returns)));
  }
  out_ += "</section>\n";
}

void Page::schedule() {
  out_ += fmt::format("<section id=\"schedule\">\n<h2>{}</h2>\n<table class=\"schedule\">\n<tr><th>{}</th>", w_.schedule, w_.period);
  for (const auto& f : flows_) {
    // The clauses each flow's payments come from, under its name.
    std::vector<std::string> clauses;
    for (const auto& l : ev_.lines)
      if (flow_of(l) == f && std::find(clauses.begin(), clauses.end(), c_.clauses[l.clause].number) == clauses.end())
        clauses.push_back(c_.clauses[l.clause].number);
    out_ += fmt::format("<th class=\"amount\">{}<br><small>{} {}</small></th>", escape(flow_name(f)), w_.clause,
                        escape(fmt::format("{}", fmt::join(clauses, ", "))));
  }
  out_ += "</tr>\n";
  for (std::size_t t = 0; t < c_.periods.size(); ++t) {
    out_ += fmt::format("<tr data-period=\"{}\"><td>{}</td>", escape(c_.periods[t]), escape(c_.periods[t]));
    for (std::size_t f = 0; f < flows_.size(); ++f) out_ += amount_cell(cells_[t][f], flows_[f].currency);
    out_ += "</tr>\n";
  }
  out_ += fmt::format("<tr class=\"total\"><td>{}</td>", w_.total);
  for (std::size_t f = 0; f < flows_.size(); ++f) out_ += amount_cell(totals_[f], flows_[f].currency);
  out_ += "</tr>\n</table>\n</section>\n";
}

json Page::cumulative_chart(int currency) const {
  json values = json::array();
  for (std::size_t f = 0; f < flows_.size(); ++f) {
    if (flows_[f].currency != currency) continue;
    Number cumulative;
    for (std::size_t t = 0; t < c_.periods.size(); ++t) {
      cumulative += cells_[t][f];
      values.push_back({{"period", c_.periods[t]},
                        {"flow", flow_name(flows_[f])},
                        {"amount", format_money(c_, cumulative, false, currency)},
                        {"shown", money(cumulative, currency) + " " + c_.currencies[currency].code}});
    }
  }
  const std::string code = c_.currencies[currency].code;
  return {{"width", "container"},
          {"height", 300},
          {"title", c_.currencies.size() > 1 ? fmt::format("{} ({})", w_.cumulative_title, code) : std::string(w_.cumulative_title)},
          {"data", {{"values", values}}},
          {"transform", json::array({{{"calculate", "toNumber(datum.amount)"}, {"as", "value"}}})},
          {"mark", {{"type", "line"}, {"point", true}}},
          {"encoding",
           {{"x", {{"field", "period"}, {"type", "ordinal"}, {"sort", c_.periods}, {"title", w_.period}}},
            {"y", {{"field", "value"}, {"type", "quantitative"}, {"title", fmt::format("{} ({})", w_.cumulative_axis, code)}}},
            {"color", {{"field", "flow"}, {"type", "nominal"}, {"title", w_.flow}}},
            {"tooltip", json::array({{{"field", "period"}, {"title", w_.period}},
                                     {{"field", "flow"}, {"title", w_.flow}},
                                     {{"field", "shown"}, {"title", w_.cumulative_axis}}})}}}};
}

json Page::payoff_chart(int currency) const {
  const Payoff& p = *in_.payoff;
  const Number& minor = c_.currencies[static_cast<std::size_t>(currency)].minor_unit;
  json values = json::array();
  for (const auto& point : p.points)
    for (std::size_t f = 0; f < p.flows.size(); ++f) {
      if (p.flows[f].currency != currency) continue;
      const Number total = point.totals[f].round(minor, RoundingMode::half_even);
      values.push_back({{"x", chart_number(p.varied.in_unit(point.x))},
                        {"x_shown", p.varied.shown(point.x)},
                        {"flow", flow_name(p.flows[f])},
                        {"amount", format_money(c_, total, false, currency)},
                        {"shown", money(total, currency) + " " + c_.currencies[static_cast<std::size_t>(currency)].code}});
    }
  const std::string code = c_.currencies[static_cast<std::size_t>(currency)].code;
  const std::string axis = p.varied.unit.empty() ? p.varied.name : fmt::format("{} ({})", p.varied.name, p.varied.unit);
  json line = {{"mark", {{"type", "line"}, {"point", true}}},
               {"encoding",
                {{"x", {{"field", "x_value"}, {"type", "quantitative"}, {"title", axis}, {"scale", {{"zero", false}, {"nice", false}}}}},
                 {"y", {{"field", "value"}, {"type", "quantitative"}, {"title", fmt::format("{} ({})", w_.payoff_axis, code)}}},
                 {"color", {{"field", "flow"}, {"type", "nominal"}, {"title", w_.flow}}},
                 {"tooltip", json::array({{{"field", "x_shown"}, {"title", p.varied.name}},
                                          {{"field", "flow"}, {"title", w_.flow}},
                                          {{"field", "shown"}, {"title", w_.payoff_axis}}})}}}};
  json layers = json::array({line});
  // A rule where the contract's own value lies, when it lies in the range.
  if (p.current && p.varied.low <= *p.current && *p.current <= p.varied.high) {
    layers.push_back({{"data", {{"values", json::array({{{"x", chart_number(p.varied.in_unit(*p.current))},
                                                          {"label", fmt::format("{}: {}", w_.current_value, p.varied.shown(*p.current))}}})}}},
                      {"transform", json::array({{{"calculate", "toNumber(datum.x)"}, {"as", "x_value"}}})},
                      {"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", "#777"}}},
                      {"encoding", {{"x", {{"field", "x_value"}, {"type", "quantitative"}}}, {"tooltip", {{"field", "label"}}}}}});
  }
  return {{"width", "container"},
          {"height", 300},
          {"title", fmt::format(fmt::runtime(w_.payoff_title), p.varied.name) + (c_.currencies.size() > 1 ? " (" + code + ")" : "")},
          {"data", {{"values", values}}},
          {"transform", json::array({{{"calculate", "toNumber(datum.x)"}, {"as", "x_value"}}, {{"calculate", "toNumber(datum.amount)"}, {"as", "value"}}})},
          {"layer", layers}};
}

void Page::charts() {
  out_ += fmt::format("<section id=\"charts\">\n<h2>{}</h2>\n", w_.charts);
  std::vector<std::pair<std::string, json>> specs;
  for (std::size_t k = 0; k < c_.currencies.size(); ++k)
    if (std::any_of(flows_.begin(), flows_.end(), [&](const Flow& f) { return f.currency == static_cast<int>(k); }))
      specs.emplace_back(fmt::format("chart-cumulative-{}", c_.currencies[k].code), cumulative_chart(static_cast<int>(k)));
  if (in_.payoff)
    for (std::size_t k = 0; k < c_.currencies.size(); ++k)
      if (std::any_of(in_.payoff->flows.begin(), in_.payoff->flows.end(), [&](const Flow& f) { return f.currency == static_cast<int>(k); }))
        specs.emplace_back(fmt::format("chart-payoff-{}", c_.currencies[k].code), payoff_chart(static_cast<int>(k)));
  if (!chart_scripts()) out_ += fmt::format("<p class=\"note\" id=\"no-charts\">{}</p>\n", w_.no_charts);
  for (auto& [id, spec] : specs) {
    out_ += fmt::format("<figure><div class=\"chart\" id=\"{}\"></div></figure>\n", escape(id));
    charts_.push_back({{"id", id}, {"spec", std::move(spec)}});
  }
  if (in_.payoff) out_ += fmt::format("<p class=\"note\">{}</p>\n", w_.rounded_note);
  out_ += "</section>\n";
}

Number Page::units(std::int64_t value, int places) {
  std::int64_t scale = 1;
  for (int k = 0; k < places; ++k) scale *= 10;
  return Number::fraction(value, scale);
}

// A histogram of the runs' totals: bars of whole units, their ends exact decimals.
json Page::distribution_chart(const Simulated::FlowDistribution& d) const {
  json values = json::array();
  const int currency = d.flow.currency;
  for (std::size_t k = 0; k < d.counts.size(); ++k) {
    const std::int64_t from = d.summary.min + static_cast<std::int64_t>(k) * d.bin_width, to = from + d.bin_width;
    const Number low = units(from, d.places), high = units(to, d.places);
    values.push_back({{"from", low.to_string()},
                      {"to", high.to_string()},
                      {"runs", d.counts[k]},
                      {"shown", fmt::format("{} – {} {}", money(low, currency), money(high, currency),
                                            c_.currencies[static_cast<std::size_t>(currency)].code)}});
  }
  const std::string code = c_.currencies[static_cast<std::size_t>(currency)].code;
  return {{"width", "container"},
          {"height", 240},
          {"title", fmt::format(fmt::runtime(w_.distribution_title), flow_name(d.flow))},
          {"data", {{"values", values}}},
          {"transform", json::array({{{"calculate", "toNumber(datum.from)"}, {"as", "from_value"}},
                                     {{"calculate", "toNumber(datum.to)"}, {"as", "to_value"}}})},
          {"mark", {{"type", "bar"}}},
          {"encoding",
           {{"x", {{"field", "from_value"}, {"type", "quantitative"}, {"bin", {{"binned", true}}},
                   {"title", fmt::format("{} ({})", w_.distribution_axis, code)}, {"scale", {{"zero", false}}}}},
            {"x2", {{"field", "to_value"}}},
            {"y", {{"field", "runs"}, {"type", "quantitative"}, {"title", w_.runs_axis}}},
            {"tooltip", json::array({{{"field", "shown"}, {"title", w_.distribution_axis}}, {{"field", "runs"}, {"title", w_.runs_axis}}})}}}};
}

void Page::simulation() {
  if (!in_.simulated) return;
  const Simulated& s = *in_.simulated;
  out_ += fmt::format("<section id=\"simulation\">\n<h2>{}</h2>\n", w_.distribution_heading);
  out_ += fmt::format("<p class=\"note\">{}</p>\n",
                      escape(fmt::format(fmt::runtime(w_.distribution_note), s.runs, s.seed, fmt::join(s.draws, "; "), s.failed)));
  out_ += fmt::format("<div class=\"wide\"><table class=\"distribution\">\n<tr><th>{}</th><th class=\"amount\">{}</th><th class=\"amount\">{}</th>"
                      "<th class=\"amount\">p5</th><th class=\"amount\">p50</th><th class=\"amount\">p95</th>"
                      "<th class=\"amount\">min</th><th class=\"amount\">max</th></tr>\n",
                      w_.flow, w_.mean, w_.sd);
  for (const auto& d : s.flows) {
    const int k = d.flow.currency;
    out_ += fmt::format("<tr data-flow=\"{}\"><td>{}</td>{}{}", escape(flow_name(d.flow)), escape(flow_name(d.flow)),
                        amount_cell(units(d.summary.mean, d.places), k), amount_cell(d.summary.sd * units(1, d.places), k));
    for (auto p : d.summary.percentiles) out_ += amount_cell(units(p, d.places), k);
    out_ += amount_cell(units(d.summary.min, d.places), k) + amount_cell(units(d.summary.max, d.places), k) + "</tr>\n";
  }
  out_ += "</table></div>\n";
  if (!chart_scripts()) out_ += fmt::format("<p class=\"note\">{}</p>\n", w_.no_charts);
  for (std::size_t f = 0; f < s.flows.size(); ++f) {
    const std::string id = fmt::format("chart-distribution-{}", f);
    out_ += fmt::format("<figure><div class=\"chart\" id=\"{}\"></div></figure>\n", id);
    charts_.push_back({{"id", id}, {"spec", distribution_chart(s.flows[f])}});
  }
  out_ += "</section>\n";
}

void Page::explanations() {
  out_ += fmt::format("<section id=\"explanations\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n", w_.explanations, escape(w_.explanations_note));
  const json all = explanation_json(c_, ev_);
  for (const auto& e : all["explanations"]) {
    std::string paid;
    for (const auto& p : e["payments"]) {
      auto currency = std::find_if(c_.currencies.begin(), c_.currencies.end(),
                                   [&](const checked::Currency& x) { return x.code == p["currency"].get<std::string>(); });
      const int k = currency == c_.currencies.end() ? 0 : static_cast<int>(currency - c_.currencies.begin());
      auto amount = Number::parse_decimal(p["amount"].get<std::string>());
      paid += fmt::format("{}{} → {}: {} {}", paid.empty() ? "" : "; ", p["from"].get<std::string>(), p["to"].get<std::string>(),
                          amount ? money(*amount, k) : p["amount"].get<std::string>(), p["currency"].get<std::string>());
    }
    out_ += fmt::format("<details data-period=\"{}\"><summary>{} · {} {} “{}” · {}</summary>\n<table class=\"steps\">\n",
                        escape(e["period"].get<std::string>()), escape(e["period"].get<std::string>()), w_.clause,
                        escape(e["clause"].get<std::string>()), escape(e["clause_title"].get<std::string>()), escape(paid));
    for (const auto& s : e["steps"]) {
      const int depth = s["depth"].get<int>();
      std::string value = s["value"].get<std::string>();
      if (!s["unit"].get<std::string>().empty()) value += " " + s["unit"].get<std::string>();
      out_ += fmt::format("<tr><td style=\"padding-left:{}rem\">{}</td><td class=\"formula\">{}</td><td class=\"amount\">{}</td><td class=\"note\">{}</td></tr>\n",
                          0.5 + 1.25 * depth, escape(s["label"].get<std::string>()), escape(s["formula"].get<std::string>()), escape(value),
                          escape(s["note"].get<std::string>()));
    }
    out_ += "</table>\n</details>\n";
  }
  out_ += "</section>\n";
}

void Page::scripts() {
  out_ += "<script type=\"application/json\" id=\"utfall-chart-specs\">" + script_json(charts_) + "</script>\n";
  out_ += fmt::format("<script type=\"application/json\" id=\"utfall-chart-locale\">{}</script>\n", w_.format_locale);
  auto scripts = chart_scripts();
  if (!scripts) {
    out_ += "<script>document.body.setAttribute('data-charts', 'none');</script>\n";
    return;
  }
  for (std::string_view code : {scripts->vega, scripts->vega_lite, scripts->vega_embed}) out_ += "<script>" + script_text(code) + "</script>\n";
  out_ += R"(<script>
(function () {
  var charts = JSON.parse(document.getElementById('utfall-chart-specs').textContent);
  var locale = JSON.parse(document.getElementById('utfall-chart-locale').textContent);
  Promise.all(charts.map(function (c) { return vegaEmbed('#' + c.id, c.spec, {actions: false, renderer: 'svg', formatLocale: locale}); }))
    .then(function () { document.body.setAttribute('data-charts', window.utfallErrors.length ? 'failed' : 'drawn'); })
    .catch(function (e) { console.error('a chart could not be drawn: ' + e); document.body.setAttribute('data-charts', 'failed'); });
})();
</script>
)";
}

}  // namespace

std::string html_escape(std::string_view text) { return escape(text); }

std::string swedish_number(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == ',') out += "\u00a0";
    else if (ch == '.') out += ',';
    else out += ch;
  }
  return out;
}

std::string page_style() {
  return R"(<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } th, td { padding: .25rem .75rem; border-bottom: 1px solid #e4e4e4; text-align: left; }
th { background: #f4f4f4; } td.amount, th.amount { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #999; } .meta { color: #555; margin: .1rem 0; }
.chart { width: 100%; min-height: 320px; } .wide { overflow-x: auto; } .note { color: #555; font-style: italic; } pre { background: #f7f7f7; padding: .75rem; overflow-x: auto; }
details { margin: .25rem 0; } summary { cursor: pointer; } table.steps td { border: none; padding: .1rem .5rem; vertical-align: top; }
table.steps td.formula { font-family: ui-monospace, monospace; } #utfall-errors:empty { display: none; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { max-width: none; margin: 0; padding: 0; } h1, h2, h3, h4, h5, h6 { break-after: avoid; }
  tr, pre.example, details { break-inside: avoid; } thead { display: table-header-group; } pre { white-space: pre-wrap; overflow: visible; }
  details:not([open]) > *:not(summary) { display: none; } }
</style>
)";
}

std::string schedule_html(const checked::Contract& contract, const Evaluation& evaluation, const std::string& lang) {
  ReportInput input;
  input.contract = &contract;
  input.evaluation = &evaluation;
  input.lang = lang;
  return Page(input).schedule_section();
}

std::vector<Flow> flows_of(const Evaluation& ev, const checked::Contract& c) {
  std::vector<Flow> flows;
  for (const auto& l : ev.lines) {
    Flow f{l.payer, l.payee, c.line_currency(l.waterfall, l.rule_index)};
    if (std::find(flows.begin(), flows.end(), f) == flows.end()) flows.push_back(f);
  }
  return flows;
}

std::string report_html(const ReportInput& input) { return Page(input).html(); }

}  // namespace utfall::cli
