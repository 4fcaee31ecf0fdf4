// Returns: one party's cash flows under an evaluated contract and the investor's measures on
// them (`utfall returns`, docs/cli.md). Takes the checked contract, its evaluation, the party,
// the amounts the party paid outside the contract (`outlays`: the fund's capital to the provider
// where the contract only has the repayment) and, optionally, an annual discount rate; gives per
// currency the flows in, out and net per period, the totals, the money multiple, the payback
// period, the NPV at the rate and the IRR. Pure: no printing, no floating point.
//
// Time. Each period's flows are dated at its end (the day after its last day), and time is
// counted in years from the start of the first period. A yearly calendar has whole years (t = 1,
// 2, ...): the NPV is exact. A quarterly or monthly calendar counts whole months (t = months/12);
// a listed calendar with dates counts days (t = days/365). There the discount factor
// (1+r)^-t is irrational and the NPV is computed to within `kPrecision` (an interval of exact
// rationals around it, narrowed until it is that tight). A listed calendar without dates has no
// time: no NPV and no IRR, with the reason.
//
// IRR: the annual rate r > -100 % at which the flows' present value is zero, found by bisection
// on the discount factor w = (1+r)^(-1/n) of one time unit (n units a year), with w an exact
// dyadic rational, so every sign is decided exactly; the bisection stops when the bracket of r
// is narrower than kPrecision / 10 and the rate shown (its midpoint to 10 decimals) is within
// kPrecision of the true one. Only where the net flows, in time order, change sign exactly once
// (Descartes' rule of signs: then there is exactly one such rate); otherwise no IRR, with the
// reason.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/evaluate.hpp"
#include "interpreter/number.hpp"

namespace utfall {

// 1e-10: the precision of an IRR, and of an NPV where it is not exact.
Number returns_precision();

// An amount the party paid outside the contract: in `period` (an index), of `currency` (an index).
struct Outlay {
  int period = 0;
  int currency = 0;
  Number amount;
};

// A measure that may be missing; `reason` says why when it is.
struct Measure {
  std::optional<Number> value;
  bool exact = true;  // false: within returns_precision() of the true value
  std::string reason;
};

struct PeriodFlows {
  Number in, out, outlay;  // `out` includes `outlay`
  Number net() const { return in - out; }
};

struct CurrencyReturns {
  int currency = 0;
  std::vector<PeriodFlows> periods;  // one per period of the contract
  Number in, out, net;
  Measure multiple;  // in / out
  std::optional<int> payback;  // the period
  std::string payback_reason;
  std::optional<Number> payback_years;  // from the start of the first period to the payback period's end
  Measure npv, irr;
};

struct Returns {
  int party = 0;
  bool timed = false;  // the periods have dates (NPV, IRR, years)
  std::string time_reason;  // why not, when not
  // Years from the start of the first period to the end of each period (empty when not timed).
  std::vector<Number> years;
  std::string origin;  // the first period's first day, YYYY-MM-DD (empty when not timed)
  std::optional<Number> discount;
  std::vector<CurrencyReturns> currencies;  // those the party has a flow in (the first currency when none)
};

Returns compute_returns(const checked::Contract& contract, const Evaluation& evaluation, int party,
                        const std::vector<Outlay>& outlays, const std::optional<Number>& discount);

}  // namespace utfall
