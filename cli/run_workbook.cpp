// The sheets of a run's workbook (run_workbook.hpp): "Payments" (one row per payment line, its
// amount as a number in the currency's format and as the exact decimal), "Terms" (each term's
// value in this run: its own, or --set's) and "Inputs" (the series data, one row per period).
#include "cli/run_workbook.hpp"

#include "interpreter/evaluate.hpp"

namespace utfall::cli {

namespace {

std::string exact(const Number& n) { return n.to_string(); }

// A number of a type: its places and unit shown the way the contract writes money, else as it is.
XlsxCell number_of(const checked::Contract& c, const Number& n, const Type& type) {
  for (std::size_t k = 0; k < c.currencies.size(); ++k)
    if (type.unit == Unit::of(c.currencies[k].code))
      return xlsx_number(format_money(c, n, false, static_cast<int>(k)), minor_unit_places(c, static_cast<int>(k)), c.currencies[k].code);
  const std::string text = exact(n);
  return xlsx_number(text.find('/') == std::string::npos ? text : std::string(), -1, type.unit.to_string());
}

}  // namespace

std::vector<XlsxSheet> run_workbook(const checked::Contract& c, const Evaluation& ev, const Dataset& data, const EvalOptions& options) {
  std::vector<XlsxSheet> out;
  XlsxSheet& payments = out.emplace_back();
  payments.name = "Payments";
  payments.header = {"period", "from", "to", "amount", "currency", "amount (exact)", "clause", "clause title", "rule"};
  for (const auto& l : ev.lines) {
    const int currency = c.line_currency(l.waterfall, l.rule_index);
    const std::string amount = format_money(c, l.amount, false, currency);
    const auto& clause = c.clauses[l.clause];
    payments.rows.push_back({xlsx_text(c.periods[l.period]), xlsx_text(c.parties[l.payer].id), xlsx_text(c.parties[l.payee].id),
                             xlsx_number(amount, minor_unit_places(c, currency), c.currencies[currency].code),
                             xlsx_text(c.currencies[currency].code), xlsx_text(amount), xlsx_text(clause.number), xlsx_text(clause.title),
                             xlsx_text(l.rule)});
  }
  XlsxSheet& terms = out.emplace_back();
  terms.name = "Terms";
  terms.header = {"term", "value", "value (exact)", "unit", "set for this run"};
  for (std::size_t k = 0; k < c.terms.size(); ++k) {
    const auto& term = c.terms[k];
    const int index = static_cast<int>(k);
    const bool given = options.term_overrides.count(index) || options.unlimited_terms.count(index);
    const std::string unit = term.type.unit.to_string();
    if (term_unlimited(c, options, index)) {
      terms.rows.push_back({xlsx_text(term.name), xlsx_text("unlimited"), xlsx_text("unlimited"), xlsx_text(unit), xlsx_text(given ? "yes" : "")});
      continue;
    }
    std::optional<checked::Value> value;
    if (auto it = options.term_overrides.find(index); it != options.term_overrides.end()) value = it->second;
    else value = evaluate_expression(c, data, *term.value, -1, options).value;
    if (!value) continue;
    if (const auto* n = std::get_if<Number>(&*value))
      terms.rows.push_back({xlsx_text(term.name), number_of(c, *n, term.type), xlsx_text(exact(*n)), xlsx_text(unit), xlsx_text(given ? "yes" : "")});
    else
      terms.rows.push_back({xlsx_text(term.name), xlsx_text(format_value(c, *value, term.type)), xlsx_text(format_value(c, *value, term.type)),
                            xlsx_text(unit), xlsx_text(given ? "yes" : "")});
  }
  XlsxSheet& inputs = out.emplace_back();
  inputs.name = "Inputs";
  inputs.header = {"period"};
  std::vector<std::size_t> series;
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (!c.inputs[i].participants) {
      series.push_back(i);
      const std::string unit = c.inputs[i].type.unit.to_string();
      inputs.header.push_back(c.inputs[i].name + (unit.empty() ? "" : " (" + unit + ")"));
    }
  for (std::size_t i : series) inputs.header.push_back(c.inputs[i].name + " (exact)");
  for (std::size_t t = 0; t < c.periods.size(); ++t) {
    std::vector<XlsxCell> row = {xlsx_text(c.periods[t])}, exacts;
    for (std::size_t i : series) {
      const auto& v = i < data.series.size() && t < data.series[i].size() ? data.series[i][t] : std::nullopt;
      if (!v) {
        row.push_back(xlsx_text("")), exacts.push_back(xlsx_text(""));
      } else if (const auto* n = std::get_if<Number>(&*v)) {
        const bool percent = c.inputs[i].percent;
        row.push_back(percent ? xlsx_number(exact(*n), -1, "") : number_of(c, *n, c.inputs[i].type));
        exacts.push_back(xlsx_text(exact(*n)));
      } else {
        row.push_back(xlsx_text(format_value(c, *v, c.inputs[i].type))), exacts.push_back(xlsx_text(format_value(c, *v, c.inputs[i].type)));
      }
    }
    row.insert(row.end(), exacts.begin(), exacts.end());
    inputs.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace utfall::cli
