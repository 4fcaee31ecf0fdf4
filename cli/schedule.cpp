#include "cli/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "interpreter/unicode.hpp"

namespace utfall {

static std::string with_separators(const checked::Contract& c, const Number& n, int currency, const Wording& say) {
  return say.number(format_money(c, n, true, currency));
}

namespace {
struct Flow {
  int payer, payee, clause, currency;
  bool operator<(const Flow& o) const {
    return std::tie(clause, payer, payee, currency) < std::tie(o.clause, o.payer, o.payee, o.currency);
  }
};
}  // namespace

// The records `at most N per KEY` set aside, one line each: period, flow, rule and where the
// record was read.
static std::string not_paid_text(const checked::Contract& c, const Evaluation& ev, const Dataset* data, const Wording& say) {
  if (ev.not_paid.empty()) return {};
  std::string out = "\n" +
                    (ev.not_paid.size() == 1 ? say("Not paid, beyond `at most` (§16.6): 1 record")
                                             : say("Not paid, beyond `at most` (§16.6): {} records", ev.not_paid.size())) +
                    "\n";
  auto in_order = ev.not_paid;  // by period, then in the order of the clauses
  std::stable_sort(in_order.begin(), in_order.end(), [](const auto& a, const auto& b) { return a.period < b.period; });
  for (const auto& x : in_order) {
    const auto& pay = c.payments[x.payment];
    std::string rule = pay.name.empty() ? "" : " `" + pay.name + "`";
    std::string where = say("record {} of {}", x.record + 1, c.inputs[pay.set].name);
    if (data && std::size_t(pay.set) < data->sources.size() && std::size_t(x.record) < data->sources[pay.set].rows.size()) {
      const auto& src = data->sources[pay.set];
      where = say("{} row {} (line {})", src.file, src.rows[x.record].row, src.rows[x.record].line);
    }
    out += fmt::format("  {}  {} → {}  {}{}  {}\n", c.periods[x.period], c.parties[pay.payer].id, c.parties[pay.payee].id,
                       say("clause {}", c.clauses[pay.clause].number), rule, where);
  }
  return out;
}

std::string schedule_table(const checked::Contract& c, const Evaluation& ev, const Dataset* data, const Wording& say) {
  std::string out;
  std::map<Flow, std::map<int, Number>> cells;
  std::vector<Flow> flows;
  for (const auto& l : ev.lines) {
    Flow f{l.payer, l.payee, l.clause, c.line_currency(l.waterfall, l.rule_index)};
    if (!cells.count(f)) flows.push_back(f);
    cells[f][l.period] += l.amount;
  }
  std::sort(flows.begin(), flows.end());
  // With several currencies, each column says its currency; a column never mixes two.
  const bool several = c.currencies.size() > 1;
  out += fmt::format("{}\n{}\n\n", c.title.empty() ? say("(untitled contract)") : c.title, say("Payments in {}", currency_list(c)));
  if (flows.empty()) {
    out += say("No payments.") + "\n" + not_paid_text(c, ev, data, say);
    return terminal_text(out);
  }
  std::vector<std::string> head;
  std::vector<std::string> sub;
  for (const auto& f : flows) {
    head.push_back(fmt::format("{} → {}", c.parties[f.payer].id, c.parties[f.payee].id));
    std::string clause = c.clauses[f.clause].number.empty() ? "" : say("clause {}", c.clauses[f.clause].number);
    if (several) clause += (clause.empty() ? "" : ", ") + c.currencies[f.currency].code;
    sub.push_back(std::move(clause));
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<Number> totals(flows.size());
  for (std::size_t t = 0; t < c.periods.size(); ++t) {
    std::vector<std::string> row{c.periods[t]};
    for (std::size_t k = 0; k < flows.size(); ++k) {
      auto& per = cells[flows[k]];
      auto it = per.find(static_cast<int>(t));
      Number v = it == per.end() ? Number{} : it->second;
      totals[k] += v;
      row.push_back(it == per.end() ? "–" : with_separators(c, v, flows[k].currency, say));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> total_row{say("total")};
  for (std::size_t k = 0; k < totals.size(); ++k) total_row.push_back(with_separators(c, totals[k], flows[k].currency, say));
  auto width = [](const std::string& s) { return code_points(s); };
  std::vector<std::size_t> w(flows.size() + 1, 6);
  for (std::size_t k = 0; k < flows.size(); ++k) w[k + 1] = std::max({width(head[k]), width(sub[k]), width(total_row[k + 1])});
  for (const auto& r : rows)
    for (std::size_t k = 0; k < r.size(); ++k) w[k] = std::max(w[k], width(r[k]));
  auto line = [&](const std::vector<std::string>& cols, bool first_left) {
    std::string text;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      std::string pad(w[k] - std::min(w[k], width(cols[k])), ' ');
      text += (k == 0 && first_left) ? cols[k] + pad : pad + cols[k];
      if (k + 1 < cols.size()) text += "  ";
    }
    out += text + "\n";
  };
  std::vector<std::string> h{say("period")}, s{""};
  h.insert(h.end(), head.begin(), head.end());
  s.insert(s.end(), sub.begin(), sub.end());
  line(h, true);
  line(s, true);
  std::string rule;
  for (std::size_t k = 0; k < w.size(); ++k) rule += std::string(w[k], '-') + (k + 1 < w.size() ? "  " : "");
  out += rule + "\n";
  for (const auto& r : rows) line(r, true);
  out += rule + "\n";
  line(total_row, true);
  out += not_paid_text(c, ev, data, say);
  return terminal_text(out);  // the title comes from the contract: no control character reaches a terminal
}


}  // namespace utfall
