// Bounds: the largest (and smallest) amounts a contract can pay, over all data it allows.
//
// `payment_bounds` reads a checked contract the way the evaluator does, period by period, but
// with every value an interval: an input is the range its declaration allows (docs/language.md
// §8.4) narrowed by the caller's assumptions, a term is its value, and every operation gives an
// interval that holds each value the operation can give for data inside the inputs' intervals
// (interval arithmetic, with both branches of an `if` whose test the data decides, the rows of
// a table that the key can reach, and the number of records of a participant input unknown
// unless assumed). The bounds are sound: no data set allowed by the ranges makes a payment
// larger than its upper bound or smaller than its lower one. They need not be reached: two
// values that move together in the data (a cost that lowers one period's saving and raises the
// next) are taken as independent, so a bound may lie above every amount some data reaches.
// Whether a bound is reached is the business of a search for a witness (bounds_witness.hpp).
//
// An unbounded end carries why: the input with no bound and the definitions, payments and
// tiers it runs through ("`avropat` has no upper bound -> to_date(avropat) -> tier `kapital`").
// A finite upper bound carries the caps and limits that cut it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "interpreter/checked.hpp"
#include "interpreter/diagnostic.hpp"
#include "interpreter/evaluate.hpp"

namespace utfall {

// An interval of numbers; an absent end is unbounded that way. `why_lo`/`why_hi` say what
// makes an absent end absent.
struct Extent {
  std::optional<Number> lo, hi;
  std::string why_lo, why_hi;
  static Extent point(const Number& n) { return Extent{n, n, {}, {}}; }
  static Extent any(const std::string& why) { return Extent{std::nullopt, std::nullopt, why, why}; }
};

// What the caller assumes of the data, beyond the declarations: each bound inclusive, in the
// input's unit (a percentage as its fraction), intersected with the declared range.
struct Assumption {
  enum class Kind { series, field, count } kind = Kind::series;
  int input = -1;
  int field = -1;  // Kind::field
  std::optional<Number> lo, hi;
  std::string text;  // as the user wrote it, for messages
};

struct BoundsOptions {
  std::vector<Assumption> assumptions;
  std::map<int, checked::Value> term_overrides;  // as EvalOptions: term index -> value
  std::set<int> unlimited_terms;
  // As EvalOptions: series input index -> the factor every value is multiplied by (`--set
  // 'scale(INPUT)=F'`); the input's interval is its range times F.
  std::map<int, Number> input_scales;
  // The evaluator's limits on steps, work and digits (E705, E711; an end past max_digits is
  // unbounded), which the analysis keeps to as one evaluation does (docs/language.md §25).
  EvalLimits limits;
  // The memory of the values the analysis keeps for later periods (a definition's, a running
  // sum's, what each rule paid), about: E713 past it. One value a definition and period.
  std::size_t max_kept_bytes = std::size_t{512} << 20;
};

// The bounds of one flow: every payment and waterfall tier from `payer` to `payee` in one
// currency.
struct FlowBounds {
  int payer = 0, payee = 0, currency = 0;
  Extent total;                    // the sum over the calendar
  std::vector<Extent> per_period;  // [period]
  // The caps and limits that cut the upper bounds (of the total or of some period), in the
  // order met: "capped at takbelopp (clause 3.2)".
  std::vector<std::string> limits;
};

struct Bounds {
  bool ok = false;
  std::vector<FlowBounds> flows;  // by payer, payee and currency, as the contract's indices order them
  Diagnostics diagnostics;        // why there are none
};

Bounds payment_bounds(const checked::Contract& contract, const BoundsOptions& options);

// The interval that declarations and assumptions give a series input or a field of a
// participant input (field >= 0), and, for an unbounded end, why: "`avropat` has no upper
// bound".
Extent input_extent(const checked::Contract& contract, const BoundsOptions& options, int input, int field = -1);

}  // namespace utfall
