// Exact numbers.
//
// `Number` is the one value type for every quantity that can flow into a payment. It is an
// exact rational: + - * / never round, 1/3 stays 1/3, and comparisons are exact, so
// (100 - 80) / 100 >= 20 % is true and 1/3 * 3 == 1. Values are built from decimal digit
// strings (never from `double`; there is no conversion from floating point at all).
//
// Representation: a fast path holds numerator and denominator in 64-bit words, with every
// operation computed in 128 bits and reduced; a value that does not fit falls back to
// Boost.Multiprecision's `cpp_rational`, and a big result that fits again returns to the fast
// path. Both forms are always reduced, with a positive denominator, so equal values have
// equal representations.
//
// Rounding is the only lossy operation and happens only through `round(step, mode)`.
// Operations never check size limits themselves; a caller that must bound work (the
// evaluator, `utfall eval`) asks `decimal_digits()` after each step.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace utfall {

// How `Number::round` resolves a value that lies between two multiples of the step.
// Worked examples with step 0.01 (ties are exactly half a step away from both neighbours):
//   half_up    2.345 -> 2.35, -2.345 -> -2.35   (ties away from zero)
//   half_down  2.345 -> 2.34, -2.345 -> -2.34   (ties toward zero)
//   half_even  2.345 -> 2.34, 2.355 -> 2.36     (ties to the even last digit, "banker's")
//   up         2.341 -> 2.35, -2.341 -> -2.35   (away from zero, whenever inexact)
//   down       2.349 -> 2.34, -2.349 -> -2.34   (toward zero, truncation)
//   ceiling    2.341 -> 2.35, -2.349 -> -2.34   (toward +infinity)
//   floor      2.349 -> 2.34, -2.341 -> -2.35   (toward -infinity)
enum class RoundingMode { half_up, half_down, half_even, up, down, ceiling, floor };

std::optional<RoundingMode> rounding_mode_from_name(std::string_view name);

// The one rounding decision, shared by Number::round and the fixed-point path (fast_eval.hpp):
// for a quotient fl + rem/den with 0 <= rem < den, whether `mode` gives fl + 1 rather than fl.
// `exact`: rem == 0; `half`: the sign of 2*rem - den; `negative`: fl < 0; `fl_odd`: fl is odd.
// (Inline: the fixed-point path calls it once per rounded value.)
inline bool rounds_to_next(RoundingMode mode, bool exact, int half, bool negative, bool fl_odd) {
  if (exact) return false;
  switch (mode) {
    case RoundingMode::floor: return false;
    case RoundingMode::ceiling: return true;
    case RoundingMode::down: return negative;
    case RoundingMode::up: return !negative;
    case RoundingMode::half_up: return half > 0 || (half == 0 && !negative);
    case RoundingMode::half_down: return half > 0 || (half == 0 && negative);
    case RoundingMode::half_even: return half > 0 || (half == 0 && fl_odd);
  }
  return false;
}

std::string_view rounding_mode_name(RoundingMode mode);

// Raised by division by zero and by rounding with a step that is not positive. Callers that
// know a source position catch it and turn it into a positioned diagnostic.
class ArithmeticError : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

class Number {
 public:
  Number() = default;  // zero
  static Number from_int(std::int64_t value);
  // numerator / denominator, reduced; throws ArithmeticError when denominator is 0.
  static Number fraction(std::int64_t numerator, std::int64_t denominator);
  // digits / 10^places, reduced (the same Number as fraction(digits, 10^places), without a
  // gcd: only the 2s and 5s it shares with the power of ten are taken out). `places` from 0 to
  // 18; std::invalid_argument otherwise.
  static Number decimal(std::int64_t digits, int places);
  // 10^exponent, exactly (10^-31 is 1/10^31). Beyond 10^±18 it is read from a text of |exponent|
  // zeros: the callers' exponents are tens (a minor unit's places, a data set's, a search's).
  static Number power_of_ten(int exponent);

  // Parses an exact decimal: optional '-' or '+', digits with optional single '_' between
  // digits, optional '.' followed by digits ("7_000_000", "-0.075", "12.50", "007").
  // No exponent, no spaces, no thousands commas. Returns nullopt on anything else.
  // With `places` > 0, the decimal divided by 10^places exactly ("54.7", 2 -> 0.547: a percent);
  // `places` from 0 to 38 (nullopt otherwise).
  static std::optional<Number> parse_decimal(std::string_view text, int places = 0);
  // Parses "n/d" or a decimal; used to read back what to_string() prints.
  static std::optional<Number> parse_exact(std::string_view text);

  friend Number operator+(const Number& a, const Number& b);
  friend Number operator-(const Number& a, const Number& b);
  friend Number operator*(const Number& a, const Number& b);
  friend Number operator/(const Number& a, const Number& b);  // throws ArithmeticError on 0
  Number operator-() const;
  Number& operator+=(const Number& b) { return *this = *this + b; }
  Number& operator-=(const Number& b) { return *this = *this - b; }

  friend bool operator==(const Number& a, const Number& b);
  friend std::strong_ordering operator<=>(const Number& a, const Number& b);

  int sign() const;  // -1, 0, 1
  bool is_zero() const { return sign() == 0; }
  bool is_integer() const;
  Number abs() const { return sign() < 0 ? -*this : *this; }
  // True when the value has a finite decimal expansion (denominator of the form 2^a 5^b).
  bool is_terminating() const;
  // True when value is an integer multiple of step (step > 0).
  bool is_multiple_of(const Number& step) const;

  // The multiple of `step` (> 0) chosen by `mode`. Throws ArithmeticError if step <= 0.
  Number round(const Number& step, RoundingMode mode) const;

  // Decimal digits of the larger of numerator and denominator (an estimate within one digit);
  // the measure of size for limits.
  std::size_t decimal_digits() const;
  // 64-bit words of the larger of numerator and denominator (1 for any value on the fast
  // path): the measure of the work that arithmetic on the value does (EvalLimits::max_work).
  std::size_t words() const;

  // Exact decimal text for terminating values: no exponent, no trailing zeros after the
  // point, no trailing point ("9000000", "0.3", "-4616666.685"). For a non-terminating value,
  // the fraction followed by a marked approximation: "1/3 (≈ 0.3333333333…)".
  std::string to_string() const;
  // Exactly `places` decimals ("26700000.00"). Returns nullopt when the value is not exact
  // at that many places: it never rounds.
  std::optional<std::string> to_fixed(int places) const;
  // "n/d" (or "n" for integers), always exact.
  std::string to_fraction_string() const;
  // Numerator and denominator as decimal strings (denominator > 0).
  std::string numerator_string() const;
  std::string denominator_string() const;
  // Fits in int64 exactly (integer values only).
  std::optional<std::int64_t> to_int64() const;
  // A finite decimal whose digits fit in int64, as digits * 10^-places with 0 <= places <= 18
  // and no trailing zeros beyond what the value needs (4616666.685 -> {4616666685, 3},
  // 7000000 -> {7000000, 0}); nullopt for any other value. Exact, never rounds: the way into
  // the fixed-point evaluation (fast_eval.hpp).
  struct Decimal64 {
    std::int64_t digits;
    int places;
  };
  std::optional<Decimal64> to_decimal64() const;
  // The value times 10^places as an int64, when that is a whole number that fits (0 <= places
  // <= 18): 26700000.5 at 2 places -> 2670000050; nullopt for 1/3, for 0.005 at 2 places, and
  // for any value too large. Exact, never rounds; one division, for formatting amounts.
  std::optional<std::int64_t> scaled_to(int places) const;

 private:
  struct Big;
  // Fast path: num_/den_ reduced with den_ > 0, valid when big_ is null.
  std::int64_t num_ = 0;
  std::int64_t den_ = 1;
  // Slow path: shared and immutable, so copies are cheap and threads can share values.
  std::shared_ptr<const Big> big_;

  static Number from_big(Big&& value);
  // __extension__: __int128 is a GCC/Clang extension; keeps -Wpedantic quiet where included.
  __extension__ static Number from_i128(__int128 num, __int128 den);  // reduces; falls back to Big
  Big to_big() const;
};

// A decimal of at most 18 digits with an optional sign and at most one point, between digits
// ("-4616666.685", "0.3", "7"; not "1.", ".5", "1_000" or "1e3"): its digits and decimals as
// written, trailing zeros kept. Nothing for any other text. One pass and no allocation: the
// common literal and data cell (Number::parse_decimal, and the binder's cells of participants).
struct ShortDecimal {
  std::uint64_t digits = 0;  // below 10^18
  int fraction = 0;          // decimals after the point
  bool negative = false;
};
std::optional<ShortDecimal> short_decimal(std::string_view text);

}  // namespace utfall
