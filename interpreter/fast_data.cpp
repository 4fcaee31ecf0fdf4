// What the fixed-point path (fast_eval.hpp) reads besides the program: the lines a contract
// pays whatever the data, and a data set's series in fixed point.
#include <algorithm>

#include "interpreter/fast_eval.hpp"

namespace utfall::fast {

std::vector<Line> lines(const checked::Contract& c) {
  std::vector<Line> out;
  for (int t = 0; t < static_cast<int>(c.periods.size()); ++t)
    for (int ci = 0; ci < static_cast<int>(c.clauses.size()); ++ci) {
      for (std::size_t p = 0; p < c.payments.size(); ++p) {
        const auto& pay = c.payments[p];
        if (pay.clause == ci && t >= pay.periods.first && t <= pay.periods.last)
          out.push_back({t, pay.payer, pay.payee, ci, false, static_cast<int>(p)});
      }
      for (std::size_t w = 0; w < c.waterfalls.size(); ++w) {
        const auto& fall = c.waterfalls[w];
        if (fall.clause == ci && t >= fall.periods.first && t <= fall.periods.last)
          for (int payee : fall.payees) out.push_back({t, fall.payer, payee, ci, true, static_cast<int>(w)});
      }
    }
  return out;
}

Columns read_columns(const checked::Contract& c, const Dataset& data) {
  Columns out;
  out.periods = c.periods.size();
  out.cells.resize(c.inputs.size() * out.periods);
  for (std::size_t i = 0; i < c.inputs.size() && i < data.series.size(); ++i) {
    if (c.inputs[i].participants) continue;
    for (std::size_t t = 0; t < out.periods && t < data.series[i].size(); ++t) {
      const auto& v = data.series[i][t];
      if (!v) continue;
      Columns::Cell& cell = out.cells[i * out.periods + t];
      const auto* n = std::get_if<Number>(&*v);
      auto d = n ? n->to_decimal64() : std::nullopt;
      if (d && d->places <= 18) cell = {d->digits, static_cast<std::int8_t>(d->places), Columns::State::fixed};
      else cell.state = Columns::State::other;
    }
  }
  return out;
}

}  // namespace utfall::fast
