#include "interpreter/explain.hpp"

#include <fmt/format.h>

#include <set>

#include "interpreter/version.hpp"
#include "interpreter/unicode.hpp"

namespace utfall {
namespace {

// The traces the filter selects, in the order of the lines, each with its lines.
std::vector<std::pair<int, std::vector<const PaymentLine*>>> selected(const Evaluation& ev, const ExplainFilter& filter) {
  std::vector<std::pair<int, std::vector<const PaymentLine*>>> out;
  std::map<int, std::size_t> index;
  for (const auto& line : ev.lines) {
    if (line.trace < 0 || !filter.matches(line)) continue;
    auto [it, fresh] = index.emplace(line.trace, out.size());
    if (fresh) out.push_back({line.trace, {}});
    out[it->second].second.push_back(&line);
  }
  return out;
}

std::string rule_name(const checked::Contract& c, const PaymentTrace& trace, const Wording& say) {
  if (trace.waterfall) {
    const auto& w = c.waterfalls[trace.rule_index];
    return w.name.empty() ? say("waterfall") : say("waterfall {}", w.name);
  }
  const auto& p = c.payments[trace.rule_index];
  return p.name.empty() ? say("payment") : say("payment {}", p.name);
}

int rule_line(const checked::Contract& c, const PaymentTrace& trace) {
  const auto& r = trace.waterfall ? c.waterfalls[trace.rule_index].range : c.payments[trace.rule_index].range;
  return r.source ? static_cast<int>(r.begin.line) : 0;
}


}  // namespace

std::optional<std::string> ExplainFilter::set_payment(const checked::Contract& c, const std::string& text) {
  auto trim = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    return s;
  };
  for (std::string arrow : {"→", "->"}) {
    auto at = text.find(arrow);
    if (at == std::string::npos) continue;
    std::string from = trim(text.substr(0, at)), to = trim(text.substr(at + arrow.size()));
    auto a = c.party_index(from), b = c.party_index(to);
    if (!a || !b) {
      std::string error = fmt::format("no party `{}` in the contract (parties: ", !a ? from : to);
      for (std::size_t i = 0; i < c.parties.size(); ++i) error += (i ? ", " : "") + c.parties[i].id;
      return error + ")";
    }
    payer = a, payee = b;
    return std::nullopt;
  }
  return fmt::format("`{}` is not a payment; write PAYER->PAYEE, e.g. kommun->utfallsfonden", text);
}

std::string explanation_text(const checked::Contract& c, const Evaluation& ev, const ExplainFilter& filter, const Wording& say) {
  std::string out;
  std::string file = c.source ? c.source->name : "contract";
  out += c.title.empty() ? say("(untitled contract)") : c.title;
  out += "\n" + say("Explanation of the payments, in {}", currency_list(c)) + "\n";
  auto chosen = selected(ev, filter);
  if (chosen.empty()) out += "\n" + say("No payment matches.") + "\n";
  for (const auto& [index, lines] : chosen) {
    const auto& trace = ev.traces[index];
    const auto& clause = c.clauses[trace.clause];
    std::string cited = clause.title.empty() ? say("clause {}", clause.number) : say("clause {} \"{}\"", clause.number, clause.title);
    out += fmt::format("\n{} · {} · {} ({}:{})\n", c.periods[trace.period], cited, rule_name(c, trace, say), file,
                       rule_line(c, trace));
    for (const auto* l : lines) {
      const int currency = c.line_currency(l->waterfall, l->rule_index);
      out += fmt::format("  {} → {}: {} {}\n", c.parties[l->payer].id, c.parties[l->payee].id,
                         say.number(format_money(c, l->amount, true, currency)), c.currencies[currency].code);
    }
    out += "\n";
    for (const auto& s : trace.steps) {
      const std::string label = s.label.in(say.words, say.numbers);
      std::string left(2 + 2 * static_cast<std::size_t>(s.depth), ' ');
      left += label;
      if (s.period >= 0 && s.period != trace.period &&
          (s.kind == TraceStep::Kind::input || s.kind == TraceStep::Kind::definition))
        left += " " + say("in {}", c.periods[s.period]);
      if (!s.formula.empty() && s.formula != label) left += " = " + s.formula;
      std::string line = left;
      if (!s.value.text.empty()) {
        std::size_t pad = code_points(left) < 56 ? 56 - code_points(left) : 1;
        line += std::string(pad, ' ') + "= " + say.number(with_thousands_separators(s.value.text)) +
                (s.value.unit.empty() ? "" : " " + s.value.unit);
      }
      const std::string note = s.note.in(say.words, say.numbers);
      if (!note.empty() || s.line > 0) {
        std::string where = s.line > 0 ? say("line {}", s.line) : "";
        line += "   (" + note + (note.empty() || where.empty() ? "" : ", ") + where + ")";
      }
      out += line + "\n";
    }
  }
  return terminal_text(out);  // titles and formulas come from the contract: no control character reaches a terminal
}

nlohmann::ordered_json explanation_json(const checked::Contract& c, const Evaluation& ev, const ExplainFilter& filter,
                                        const Wording& say) {
  nlohmann::ordered_json j;
  j["version"] = json_version;
  j["contract"] = c.title;
  j["currency"] = c.currency;
  auto list = nlohmann::ordered_json::array();
  for (const auto& [index, lines] : selected(ev, filter)) {
    const auto& trace = ev.traces[index];
    nlohmann::ordered_json e;
    e["period"] = c.periods[trace.period];
    e["clause"] = c.clauses[trace.clause].number;
    e["clause_title"] = c.clauses[trace.clause].title;
    e["rule"] = trace.waterfall ? c.waterfalls[trace.rule_index].name : c.payments[trace.rule_index].name;
    e["waterfall"] = trace.waterfall;
    e["line"] = rule_line(c, trace);
    auto payments = nlohmann::ordered_json::array();
    for (const auto* l : lines) {
      const int currency = c.line_currency(l->waterfall, l->rule_index);
      payments.push_back({{"from", c.parties[l->payer].id}, {"to", c.parties[l->payee].id},
                          {"amount", format_money(c, l->amount, false, currency)}, {"currency", c.currencies[currency].code}});
    }
    e["payments"] = std::move(payments);
    auto steps = nlohmann::ordered_json::array();
    for (const auto& s : trace.steps) {
      nlohmann::ordered_json js;
      js["kind"] = std::string(to_string(s.kind));
      js["depth"] = s.depth;
      js["label"] = s.label.in(say.words, Language::en);
      js["formula"] = s.formula;
      js["value"] = s.value.text;
      js["unit"] = s.value.unit;
      js["note"] = s.note.in(say.words, Language::en);
      js["period"] = s.period >= 0 ? nlohmann::ordered_json(c.periods[s.period]) : nlohmann::ordered_json(nullptr);
      js["line"] = s.line;
      steps.push_back(std::move(js));
    }
    e["steps"] = std::move(steps);
    list.push_back(std::move(e));
  }
  j["explanations"] = std::move(list);
  return j;
}

}  // namespace utfall
