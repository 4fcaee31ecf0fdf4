// What the fixed-point path (fast_eval.hpp) knows of a contract and its data before any run:
// the lines every evaluation pays (`lines`) and the series data in fixed point (`read_columns`).
// Both depend only on the checked contract and the bound data, not on the program, so they live
// apart from the engine.
#include <algorithm>

#include "interpreter/clause_order.hpp"
#include "interpreter/fast_eval.hpp"

namespace utfall::fast {

// The order of Evaluator::run (evaluate.cpp): a payment has a line in every period of its
// range (its `applies` is true there whatever its `when`), a waterfall one per payee in every
// period of its range.
std::vector<Line> lines(const checked::Contract& c) {
  std::vector<Line> out;
  auto in_range = [](const checked::Applicability& a, int t) { return t >= a.first && t <= a.last; };
  const int periods = static_cast<int>(c.periods.size());
  for (int t = 0; t < periods; ++t)
    in_clause_order(
        c,
        [&](int p) {
          const auto& pay = c.payments[static_cast<std::size_t>(p)];
          if (in_range(pay.periods, t)) out.push_back({t, pay.payer, pay.payee, pay.clause, false, p});
        },
        [&](int w) {
          const auto& fall = c.waterfalls[static_cast<std::size_t>(w)];
          if (in_range(fall.periods, t))
            for (int payee : fall.payees) out.push_back({t, fall.payer, payee, fall.clause, true, w});
        });
  return out;
}

Columns read_columns(const checked::Contract& c, const Dataset& data) {
  Columns out;
  read_columns(c, data, out);
  return out;
}

void read_columns(const checked::Contract& c, const Dataset& data, Columns& out) {
  out.periods = c.periods.size();
  out.resize(c.inputs.size() * out.periods);
  for (std::size_t i = 0; i < c.inputs.size() && i < data.series.size(); ++i) {
    if (c.inputs[i].participants) continue;
    for (std::size_t t = 0; t < out.periods && t < data.series[i].size(); ++t) {
      const auto& v = data.series[i][t];
      if (!v) continue;
      Columns::Cell& cell = out.cells()[i * out.periods + t];
      const auto* n = std::get_if<Number>(&*v);
      auto d = n ? n->to_decimal64() : std::nullopt;
      if (d && d->places <= 18) cell = {d->digits, static_cast<std::int8_t>(d->places), Columns::State::fixed};
      else cell.state = Columns::State::other;
    }
    // One scale for the set's column where it fits (the most places in it): the sets of a batch
    // then mostly share a column's scale too, and the path reads them without rescaling each.
    Columns::Cell* column = out.cells() + i * out.periods;
    std::int8_t places = 0;
    for (std::size_t t = 0; t < out.periods; ++t)
      if (column[t].state == Columns::State::fixed) places = std::max(places, column[t].places);
    for (std::size_t t = 0; t < out.periods; ++t) {
      Columns::Cell& cell = column[t];
      if (cell.state != Columns::State::fixed) continue;
      std::int64_t scaled = cell.digits;
      int k = cell.places;
      while (k < places && !__builtin_mul_overflow(scaled, 10, &scaled)) ++k;
      if (k == places) cell.digits = scaled, cell.places = places;
    }
  }
}

}  // namespace utfall::fast
