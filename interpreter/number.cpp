// Exact numbers: see number.hpp for the contract.
//
// The fast path keeps |num_| <= INT64_MAX (never INT64_MIN, so negation cannot overflow) and
// 0 < den_ <= INT64_MAX. Every fast operation is done in 128 bits, where the products of two
// such words and the sum of two products always fit, and reduced with 64-bit gcds wherever
// the algebra allows (Knuth's rational add and cross-cancelled multiply, TAOCP 4.5.1). A
// result that does not fit goes to Boost's cpp_rational; a Boost result that fits comes back.
#include "interpreter/number.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace utfall {

namespace mp = boost::multiprecision;

struct Number::Big {
  mp::cpp_rational v;
};

namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
using u64 = std::uint64_t;
using i64 = std::int64_t;

constexpr i64 kMax = std::numeric_limits<i64>::max();

constexpr std::array<u64, 20> kPow10 = [] {
  std::array<u64, 20> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}();

constexpr i128 pow10_i128(int n) {
  i128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

bool fits(i128 v) { return v >= -kMax && v <= kMax; }
u128 uabs(i128 v) { return v < 0 ? -static_cast<u128>(v) : static_cast<u128>(v); }
u64 uabs64(i64 v) { return v < 0 ? -static_cast<u64>(v) : static_cast<u64>(v); }

int ctz128(u128 v) {
  const u64 lo = static_cast<u64>(v);
  return lo != 0 ? __builtin_ctzll(lo) : 64 + __builtin_ctzll(static_cast<u64>(v >> 64));
}

// gcd(a, 0) == a. One Euclid step first: money operands are often a long numerator against a
// small denominator (923333337 and 200), where a single division beats ~30 binary steps.
u64 gcd64(u64 a, u64 b) {
  if (a < b) std::swap(a, b);
  if (b == 0) return a;
  a %= b;
  if (a == 0) return b;
  const int shift = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  while (b != 0) {
    b >>= __builtin_ctzll(b);
    if (a > b) std::swap(a, b);
    b -= a;
  }
  return a << shift;
}

// gcd(a, 0) == a. Drops to 64-bit arithmetic as soon as either operand fits in a word.
u128 gcd128(u128 a, u128 b) {
  if (a == 0) return b;
  if (b == 0) return a;
  if ((a >> 64) == 0 && (b >> 64) == 0) return gcd64(static_cast<u64>(a), static_cast<u64>(b));
  if ((b >> 64) == 0) return gcd64(static_cast<u64>(a % b), static_cast<u64>(b));
  if ((a >> 64) == 0) return gcd64(static_cast<u64>(b % a), static_cast<u64>(a));
  const int shift = ctz128(a | b);  // binary gcd for two genuinely wide operands
  a >>= ctz128(a);
  while (b != 0) {
    b >>= ctz128(b);
    if (a > b) std::swap(a, b);
    b -= a;
  }
  return a << shift;
}

mp::cpp_int to_cpp_int(i128 v) {
  const u128 m = uabs(v);
  mp::cpp_int r = static_cast<u64>(m >> 64);
  r <<= 64;
  r |= static_cast<u64>(m);
  return v < 0 ? mp::cpp_int(-r) : r;
}

bool fits(const mp::cpp_int& v) { return v >= -kMax && v <= kMax; }

// Numerator and denominator without a copy where Boost allows it: 1.74's numerator() and
// denominator() return by value, but its backend exposes the boost::rational it wraps.
template <class R>
decltype(auto) num_of(const R& r) {
  if constexpr (requires { r.backend().data().numerator(); })
    return (r.backend().data().numerator());
  else
    return mp::numerator(r);
}
template <class R>
decltype(auto) den_of(const R& r) {
  if constexpr (requires { r.backend().data().denominator(); })
    return (r.backend().data().denominator());
  else
    return mp::denominator(r);
}

std::string u128_to_string(u128 v) {
  char buf[40];
  char* end = buf + sizeof buf;
  char* p = end;
  while (v > std::numeric_limits<u64>::max()) {  // 128-bit division only for the digits beyond 64 bits
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  u64 w = static_cast<u64>(v);
  do {
    *--p = static_cast<char>('0' + static_cast<int>(w % 10));
    w /= 10;
  } while (w != 0);
  return std::string(p, end);
}

// Places `scale` decimals into an unsigned digit string: ("5", 3) -> "0.005".
std::string place_point(std::string digits, int scale) {
  if (scale <= 0) return digits;
  const auto s = static_cast<std::size_t>(scale);
  if (digits.size() <= s) digits.insert(0, s + 1 - digits.size(), '0');
  digits.insert(digits.size() - s, 1, '.');
  return digits;
}

// For a denominator 2^a 5^b: max(a, b), the number of decimals of the exact expansion, and
// the factor 10^k / den; nullopt when another prime divides the denominator.
std::optional<int> terminating_places(u64 den) {
  int twos = __builtin_ctzll(den);
  den >>= twos;
  int fives = 0;
  while (den % 5 == 0) {
    den /= 5;
    ++fives;
  }
  if (den != 1) return std::nullopt;
  return std::max(twos, fives);
}

std::optional<int> terminating_places(mp::cpp_int den) {
  const auto twos = static_cast<int>(mp::lsb(den));
  den >>= twos;
  int fives = 0;
  mp::cpp_int q, r;
  for (;;) {
    mp::divide_qr(den, mp::cpp_int(5), q, r);
    if (!r.is_zero()) break;
    den.swap(q);
    ++fives;
  }
  if (den != 1) return std::nullopt;
  return std::max(twos, fives);
}

std::size_t digits_from_bits(std::size_t bits) { return bits * 30103 / 100000 + 1; }

// Validated digits of a decimal literal; see Number::parse_decimal for the grammar.
struct DecimalScan {
  bool negative = false;
  std::string_view body;  // digits, '_' and at most one '.', validated
  int scale = 0;          // digits after the point
  int significant = 0;    // digits after leading zeros
};

// One run of digits, each '_' between two digits. Advances i; false when malformed.
bool scan_digits(std::string_view t, std::size_t& i, int& count) {
  if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
  for (;;) {
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      ++i;
      ++count;
    }
    if (i < t.size() && t[i] == '_') {
      ++i;
      if (i >= t.size() || t[i] < '0' || t[i] > '9') return false;
      continue;
    }
    return true;
  }
}

std::optional<DecimalScan> scan_decimal(std::string_view t, bool allow_point) {
  DecimalScan s;
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) {
    s.negative = t[i] == '-';
    ++i;
  }
  const std::size_t start = i;
  int int_digits = 0;
  if (!scan_digits(t, i, int_digits)) return std::nullopt;
  if (allow_point && i < t.size() && t[i] == '.') {
    ++i;
    if (!scan_digits(t, i, s.scale)) return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  s.body = t.substr(start);
  bool leading = true;
  for (char c : s.body) {
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++s.significant;
  }
  return s;
}

// The digits of a scanned literal as one integer (the point ignored).
mp::cpp_int big_digits(std::string_view body) {
  mp::cpp_int v;
  u64 chunk = 0;
  int n = 0;
  for (char c : body) {
    if (c < '0' || c > '9') continue;
    chunk = chunk * 10 + static_cast<u64>(c - '0');
    if (++n == 18) {
      v = v * kPow10[18] + chunk;
      chunk = 0;
      n = 0;
    }
  }
  if (n > 0) v = v * kPow10[static_cast<std::size_t>(n)] + chunk;
  return v;
}

}  // namespace

std::optional<ShortDecimal> short_decimal(std::string_view t) {
  ShortDecimal s;
  std::size_t i = 0;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) s.negative = t[0] == '-', i = 1;
  int count = 0, before = -1;  // digits read; digits before the point (-1: no point yet)
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      if (++count > 18) return std::nullopt;
      s.digits = s.digits * 10 + static_cast<std::uint64_t>(c - '0');
    } else if (c == '.' && before < 0 && count > 0) {
      before = count;
    } else {
      return std::nullopt;
    }
  }
  if (count == 0 || before == count) return std::nullopt;  // "", "-", "1."
  s.fraction = before < 0 ? 0 : count - before;
  return s;
}

// ---------------------------------------------------------------- rounding mode names

std::optional<RoundingMode> rounding_mode_from_name(std::string_view name) {
  static constexpr std::pair<std::string_view, RoundingMode> kNames[] = {
      {"half_up", RoundingMode::half_up}, {"half_down", RoundingMode::half_down},
      {"half_even", RoundingMode::half_even}, {"up", RoundingMode::up},
      {"down", RoundingMode::down}, {"ceiling", RoundingMode::ceiling},
      {"floor", RoundingMode::floor}};
  for (const auto& [text, mode] : kNames)
    if (text == name) return mode;
  return std::nullopt;
}

std::string_view rounding_mode_name(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::half_up: return "half_up";
    case RoundingMode::half_down: return "half_down";
    case RoundingMode::half_even: return "half_even";
    case RoundingMode::up: return "up";
    case RoundingMode::down: return "down";
    case RoundingMode::ceiling: return "ceiling";
    case RoundingMode::floor: return "floor";
  }
  return "?";
}

// ---------------------------------------------------------------- construction

Number Number::from_big(Big&& value) {
  const auto& n = num_of(value.v);
  const auto& d = den_of(value.v);
  if (fits(n) && d <= kMax) {
    Number r;
    r.num_ = n.convert_to<i64>();
    r.den_ = d.convert_to<i64>();
    return r;
  }
  Number r;
  r.big_ = std::make_shared<const Big>(std::move(value));
  return r;
}

Number Number::from_i128(i128 num, i128 den) {
  if (den < 0) {  // callers pass magnitudes below 2^127, so negation is safe
    num = -num;
    den = -den;
  }
  if (num == 0) return Number();
  if (fits(num) && den <= kMax) {  // the common case: reduce in machine words
    const auto n64 = static_cast<i64>(num), d64 = static_cast<i64>(den);
    const auto g = static_cast<i64>(gcd64(uabs64(n64), static_cast<u64>(d64)));
    Number r;
    r.num_ = n64 / g;
    r.den_ = d64 / g;
    return r;
  }
  const u128 g = gcd128(uabs(num), static_cast<u128>(den));
  if (g != 1) {
    num /= static_cast<i128>(g);
    den /= static_cast<i128>(g);
  }
  if (fits(num) && den <= kMax) {
    Number r;
    r.num_ = static_cast<i64>(num);
    r.den_ = static_cast<i64>(den);
    return r;
  }
  Number r;
  r.big_ = std::make_shared<const Big>(Big{mp::cpp_rational(to_cpp_int(num), to_cpp_int(den))});
  return r;
}

Number::Big Number::to_big() const {
  if (big_) return *big_;
  if (den_ == 1) return Big{mp::cpp_rational(num_)};
  return Big{mp::cpp_rational(mp::cpp_int(num_), mp::cpp_int(den_))};
}

Number Number::from_int(i64 value) {
  if (value == std::numeric_limits<i64>::min()) return from_i128(value, 1);
  Number r;
  r.num_ = value;
  return r;
}

Number Number::fraction(i64 numerator, i64 denominator) {
  if (denominator == 0) throw ArithmeticError("division by zero");
  return from_i128(numerator, denominator);
}

Number Number::power_of_ten(int exponent) {
  const std::size_t zeros = exponent < 0 ? 0 - static_cast<std::size_t>(exponent) : static_cast<std::size_t>(exponent);
  Number p = zeros <= 18 ? from_int(static_cast<i64>(kPow10[zeros])) : parse_decimal("1" + std::string(zeros, '0')).value();
  return exponent < 0 ? from_int(1) / p : p;
}

Number Number::decimal(i64 digits, int places) {
  if (places < 0 || places > 18) throw std::invalid_argument("Number::decimal: places outside 0 to 18");
  // The denominator's only factors are 2 and 5, so taking out the 2s and the 5s the digits
  // share with it leaves the fraction in lowest terms, as from_i128's gcd would.
  if (digits == 0) return Number();
  if (digits == std::numeric_limits<i64>::min()) return from_i128(digits, static_cast<i128>(kPow10[static_cast<std::size_t>(places)]));
  u64 num = uabs64(digits), den = kPow10[static_cast<std::size_t>(places)];
  const int twos = std::min(std::countr_zero(num), places);
  num >>= twos, den >>= twos;
  for (int fives = 0; fives < places && num % 5 == 0; ++fives) num /= 5, den /= 5;
  Number r;
  r.num_ = digits < 0 ? -static_cast<i64>(num) : static_cast<i64>(num);
  r.den_ = static_cast<i64>(den);
  return r;
}

std::optional<Number> Number::parse_decimal(std::string_view text, int places) {
  if (places < 0 || places > 38) return std::nullopt;
  if (const auto s = short_decimal(text); s && s->fraction + places <= 18) {
    const auto digits = static_cast<i64>(s->digits);  // below 10^18
    return decimal(s->negative ? -digits : digits, s->fraction + places);
  }
  const auto s = scan_decimal(text, true);
  if (!s) return std::nullopt;
  const int scale = s->scale + places;
  if (s->significant <= 38 && scale <= 38) {
    u128 v = 0;
    for (char c : s->body)
      if (c >= '0' && c <= '9') v = v * 10 + static_cast<u128>(c - '0');
    const i128 num = s->negative ? -static_cast<i128>(v) : static_cast<i128>(v);
    if (scale == 0 && fits(num)) return from_int(static_cast<i64>(num));
    return from_i128(num, pow10_i128(scale));
  }
  mp::cpp_int v = big_digits(s->body);
  if (s->negative) v = -v;
  return from_big(Big{mp::cpp_rational(v, mp::pow(mp::cpp_int(10), static_cast<unsigned>(scale)))});
}

std::optional<Number> Number::parse_exact(std::string_view text) {
  // Accept what to_string() prints for a non-terminating value: "n/d (≈ …)"; the
  // approximation is a comment and is not checked.
  static constexpr std::string_view kOpen = " (\xE2\x89\x88 ";  // " (≈ "
  static constexpr std::string_view kClose = "\xE2\x80\xA6)";   // "…)"
  if (const auto open = text.find(kOpen); open != std::string_view::npos) {
    if (text.size() < open + kOpen.size() + kClose.size() || !text.ends_with(kClose))
      return std::nullopt;
    text = text.substr(0, open);
    if (text.find('/') == std::string_view::npos) return std::nullopt;
  }
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return parse_decimal(text);
  const std::string_view den_text = text.substr(slash + 1);
  if (!den_text.empty() && (den_text[0] == '-' || den_text[0] == '+')) return std::nullopt;
  const auto n = scan_decimal(text.substr(0, slash), false);
  const auto d = scan_decimal(den_text, false);
  if (!n || !d || d->significant == 0) return std::nullopt;
  return *parse_decimal(text.substr(0, slash)) / *parse_decimal(den_text);
}

// ---------------------------------------------------------------- arithmetic

Number operator+(const Number& a, const Number& b) {
  if (!a.big_ && !b.big_) {
    if (a.den_ == b.den_) {
      const i128 n = static_cast<i128>(a.num_) + b.num_;
      if (a.den_ == 1 && fits(n)) {
        Number r;
        r.num_ = static_cast<i64>(n);
        return r;
      }
      return Number::from_i128(n, a.den_);
    }
    // Knuth: with g = gcd(b, d), gcd(t, g) is the only common factor left to cancel.
    const u64 g = gcd64(static_cast<u64>(a.den_), static_cast<u64>(b.den_));
    const i64 ad = a.den_ / static_cast<i64>(g);
    const i64 bd = b.den_ / static_cast<i64>(g);
    i128 t = static_cast<i128>(a.num_) * bd + static_cast<i128>(b.num_) * ad;
    if (t == 0) return Number();
    i128 den = static_cast<i128>(a.den_) * bd;
    if (g != 1) {
      const u64 g2 = gcd64(static_cast<u64>(uabs(t) % g), g);
      if (g2 != 1) {
        t /= static_cast<i128>(g2);
        den /= static_cast<i128>(g2);
      }
    }
    if (fits(t) && den <= kMax) {
      Number r;
      r.num_ = static_cast<i64>(t);
      r.den_ = static_cast<i64>(den);
      return r;
    }
    return Number::from_i128(t, den);
  }
  Number::Big sa, sb;  // storage for an operand that is on the fast path
  const mp::cpp_rational& x = a.big_ ? a.big_->v : (sa = a.to_big()).v;
  const mp::cpp_rational& y = b.big_ ? b.big_->v : (sb = b.to_big()).v;
  return Number::from_big(Number::Big{x + y});
}

Number operator-(const Number& a, const Number& b) { return a + -b; }

Number Number::operator-() const {
  if (!big_) {
    Number r = *this;
    r.num_ = -num_;
    return r;
  }
  Number r;
  r.big_ = std::make_shared<const Big>(Big{-big_->v});
  return r;
}

namespace {
// a/b * c/d for fast operands, cross-cancelled so the result is already reduced.
struct Product {
  i128 num;
  i128 den;
};
Product fast_product(i64 a, i64 b, i64 c, i64 d) {
  const i64 g1 = static_cast<i64>(gcd64(uabs64(a), static_cast<u64>(d)));
  const i64 g2 = static_cast<i64>(gcd64(uabs64(c), static_cast<u64>(b)));
  return {static_cast<i128>(a / g1) * (c / g2), static_cast<i128>(b / g2) * (d / g1)};
}
}  // namespace

Number operator*(const Number& a, const Number& b) {
  if (!a.big_ && !b.big_) {
    if (a.num_ == 0 || b.num_ == 0) return Number();
    const Product p = (a.den_ == 1 && b.den_ == 1)
                          ? Product{static_cast<i128>(a.num_) * b.num_, 1}
                          : fast_product(a.num_, a.den_, b.num_, b.den_);
    if (fits(p.num) && p.den <= kMax) {
      Number r;
      r.num_ = static_cast<i64>(p.num);
      r.den_ = static_cast<i64>(p.den);
      return r;
    }
    return Number::from_i128(p.num, p.den);
  }
  Number::Big sa, sb;  // storage for an operand that is on the fast path
  const mp::cpp_rational& x = a.big_ ? a.big_->v : (sa = a.to_big()).v;
  const mp::cpp_rational& y = b.big_ ? b.big_->v : (sb = b.to_big()).v;
  return Number::from_big(Number::Big{x * y});
}

Number operator/(const Number& a, const Number& b) {
  if (b.is_zero()) throw ArithmeticError("division by zero");
  if (!a.big_ && !b.big_) {
    if (a.num_ == 0) return Number();
    // a/b / (c/d) = a/b * (±d)/|c|
    const i64 c = b.num_ < 0 ? -b.num_ : b.num_;
    const i64 d = b.num_ < 0 ? -b.den_ : b.den_;
    const Product p = fast_product(a.num_, a.den_, d, c);
    if (fits(p.num) && p.den <= kMax) {
      Number r;
      r.num_ = static_cast<i64>(p.num);
      r.den_ = static_cast<i64>(p.den);
      return r;
    }
    return Number::from_i128(p.num, p.den);
  }
  Number::Big sa, sb;  // storage for an operand that is on the fast path
  const mp::cpp_rational& x = a.big_ ? a.big_->v : (sa = a.to_big()).v;
  const mp::cpp_rational& y = b.big_ ? b.big_->v : (sb = b.to_big()).v;
  return Number::from_big(Number::Big{x / y});
}

// ---------------------------------------------------------------- comparison

bool operator==(const Number& a, const Number& b) {
  // Both forms are canonical and a big value never fits the fast path.
  if (!a.big_ && !b.big_) return a.num_ == b.num_ && a.den_ == b.den_;
  if (a.big_ && b.big_) return a.big_->v == b.big_->v;
  return false;
}

std::strong_ordering operator<=>(const Number& a, const Number& b) {
  if (!a.big_ && !b.big_) {
    if (a.den_ == b.den_) return a.num_ <=> b.num_;
    const i128 l = static_cast<i128>(a.num_) * b.den_;
    const i128 r = static_cast<i128>(b.num_) * a.den_;
    return l < r ? std::strong_ordering::less
                 : (l > r ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
  if (a.sign() != b.sign()) return a.sign() <=> b.sign();
  Number::Big sa, sb;  // storage for an operand that is on the fast path
  const mp::cpp_rational& x = a.big_ ? a.big_->v : (sa = a.to_big()).v;
  const mp::cpp_rational& y = b.big_ ? b.big_->v : (sb = b.to_big()).v;
  // Cross-multiplied: Boost 1.74 compares rationals with a loop of big divisions, 10x slower.
  const mp::cpp_int l = num_of(x) * den_of(y), r = num_of(y) * den_of(x);
  return l.compare(r) <=> 0;
}

// ---------------------------------------------------------------- predicates

int Number::sign() const {
  if (!big_) return (num_ > 0) - (num_ < 0);
  return big_->v.sign();
}

bool Number::is_integer() const {
  return big_ ? mp::denominator(big_->v) == 1 : den_ == 1;
}

bool Number::is_terminating() const {
  return big_ ? terminating_places(mp::denominator(big_->v)).has_value()
              : terminating_places(static_cast<u64>(den_)).has_value();
}

bool Number::is_multiple_of(const Number& step) const {
  if (step.sign() <= 0) throw ArithmeticError("step must be positive");
  return (*this / step).is_integer();
}

// ---------------------------------------------------------------- rounding

Number Number::round(const Number& step, RoundingMode mode) const {
  if (step.sign() <= 0) throw ArithmeticError("rounding step must be positive");
  if (!big_ && !step.big_) {
    // q = (num_/den_) / (step.num_/step.den_) = N / D with D > 0, all within 127 bits.
    const i128 N = static_cast<i128>(num_) * step.den_;
    const i128 D = static_cast<i128>(den_) * step.num_;
    i128 fl, rem;
    if (fits(N) && D <= kMax) {
      const i64 n64 = static_cast<i64>(N), d64 = static_cast<i64>(D);
      i64 q = n64 / d64, r = n64 % d64;
      if (r < 0) {
        --q;
        r += d64;
      }
      fl = q;
      rem = r;
    } else {
      fl = N / D;
      rem = N % D;
      if (rem < 0) {
        --fl;
        rem += D;
      }
    }
    const int half = 2 * rem < D ? -1 : (2 * rem > D ? 1 : 0);
    const i128 n = fl + (rounds_to_next(mode, rem == 0, half, fl < 0, (fl & 1) != 0) ? 1 : 0);
    if (fits(n)) return from_int(static_cast<i64>(n)) * step;
    return from_big(Big{mp::cpp_rational(to_cpp_int(n)) * step.to_big().v});
  }
  Big sx, ss;
  const mp::cpp_rational& x = big_ ? big_->v : (sx = to_big()).v;
  const mp::cpp_rational& s = step.big_ ? step.big_->v : (ss = step.to_big()).v;
  const auto& p = num_of(s);
  const auto& q = den_of(s);
  // x / s = (n q) / (d p), left unreduced: the floor, the parity of the floor and the
  // comparison of the remainder with half of D do not depend on reduction.
  const mp::cpp_int N = num_of(x) * q, D = den_of(x) * p;
  mp::cpp_int fl, rem;
  mp::divide_qr(N, D, fl, rem);  // truncates toward zero
  if (rem.sign() < 0) {
    --fl;
    rem += D;
  }
  const mp::cpp_int twice = rem * 2;
  const int half = twice < D ? -1 : (twice > D ? 1 : 0);
  if (rounds_to_next(mode, rem.is_zero(), half, fl.sign() < 0, mp::bit_test(fl, 0))) ++fl;
  return from_big(Big{mp::cpp_rational(fl * p, q)});
}

// ---------------------------------------------------------------- size and text

std::size_t Number::decimal_digits() const {
  if (!big_) {
    const u64 m = std::max(uabs64(num_), static_cast<u64>(den_));
    return digits_from_bits(static_cast<std::size_t>(64 - __builtin_clzll(m)));
  }
  const mp::cpp_int n = mp::abs(mp::numerator(big_->v));
  const mp::cpp_int d = mp::denominator(big_->v);
  const auto bits = static_cast<std::size_t>(std::max(mp::msb(n), mp::msb(d))) + 1;
  return digits_from_bits(bits);
}

std::size_t Number::words() const {
  if (!big_) return 1;
  const auto& v = big_->v;
  const auto bits = static_cast<std::size_t>(std::max(mp::msb(mp::abs(mp::numerator(v))), mp::msb(mp::denominator(v)))) + 1;
  return (bits + 63) / 64;
}

namespace {
// The exact decimal expansion as (unsigned digits of |value| * 10^places, places), or
// nullopt for a value that does not terminate.
struct Scaled {
  std::string digits;
  int places;
};

std::optional<Scaled> scaled_fast(i64 num, i64 den) {
  const auto k = terminating_places(static_cast<u64>(den));
  if (!k) return std::nullopt;
  if (*k > 19) return std::nullopt;  // caller retries in Boost
  const u64 factor = kPow10[static_cast<std::size_t>(*k)] / static_cast<u64>(den);
  return Scaled{u128_to_string(static_cast<u128>(uabs64(num)) * factor), *k};
}

std::optional<Scaled> scaled_big(const mp::cpp_rational& v) {
  const mp::cpp_int d = mp::denominator(v);
  const auto k = terminating_places(d);
  if (!k) return std::nullopt;
  const mp::cpp_int factor = mp::pow(mp::cpp_int(10), static_cast<unsigned>(*k)) / d;
  const mp::cpp_int digits = mp::abs(mp::numerator(v)) * factor;
  return Scaled{digits.str(), *k};
}

// "0.3333333333" for |num|/den, truncated at ten decimals.
std::string approximation(const mp::cpp_int& abs_num, const mp::cpp_int& den) {
  const mp::cpp_int t = abs_num * kPow10[10] / den;
  return place_point(t.str(), 10);
}
}  // namespace

std::string Number::to_string() const {
  std::optional<Scaled> s;
  if (!big_) s = scaled_fast(num_, den_);
  if (!s && (big_ || is_terminating())) s = scaled_big(to_big().v);
  const std::string sign_text = sign() < 0 ? "-" : "";
  if (s) return sign_text + place_point(std::move(s->digits), s->places);
  std::string approx;
  if (!big_) {
    const u128 t = static_cast<u128>(uabs64(num_)) * kPow10[10] / static_cast<u64>(den_);
    approx = place_point(u128_to_string(t), 10);
  } else {
    approx = approximation(mp::abs(mp::numerator(big_->v)), mp::denominator(big_->v));
  }
  return to_fraction_string() + " (\xE2\x89\x88 " + sign_text + approx + "\xE2\x80\xA6)";
}

std::optional<std::string> Number::to_fixed(int places) const {
  if (places < 0) return std::nullopt;
  std::optional<Scaled> s;
  if (!big_) s = scaled_fast(num_, den_);
  if (!s && (big_ || is_terminating())) s = scaled_big(to_big().v);
  if (!s || s->places > places) return std::nullopt;
  std::string digits = std::move(s->digits);
  digits.append(static_cast<std::size_t>(places - s->places), '0');
  return (sign() < 0 ? "-" : "") + place_point(std::move(digits), places);
}

std::string Number::to_fraction_string() const {
  if (!big_) return den_ == 1 ? std::to_string(num_) : std::to_string(num_) + "/" + std::to_string(den_);
  const mp::cpp_int d = mp::denominator(big_->v);
  return d == 1 ? mp::numerator(big_->v).str() : mp::numerator(big_->v).str() + "/" + d.str();
}

std::string Number::numerator_string() const {
  return big_ ? mp::numerator(big_->v).str() : std::to_string(num_);
}

std::string Number::denominator_string() const {
  return big_ ? mp::denominator(big_->v).str() : std::to_string(den_);
}

std::optional<std::int64_t> Number::to_int64() const {
  if (!big_ && den_ == 1) return num_;
  return std::nullopt;  // a big value never fits in int64 (canonical form)
}

std::optional<Number::Decimal64> Number::to_decimal64() const {
  if (big_) return std::nullopt;
  const auto k = terminating_places(static_cast<u64>(den_));
  if (!k || *k > 18) return std::nullopt;
  const auto factor = static_cast<i64>(kPow10[static_cast<std::size_t>(*k)] / static_cast<u64>(den_));
  i64 digits;
  if (__builtin_mul_overflow(num_, factor, &digits)) return std::nullopt;
  return Decimal64{digits, *k};
}

std::optional<std::int64_t> Number::scaled_to(int places) const {
  if (big_ || places < 0 || places > 18) return std::nullopt;
  u64 per = kPow10[static_cast<std::size_t>(places)];  // 10^places / den_; a whole number (most amounts) needs no division
  if (den_ != 1) {
    if (per % static_cast<u64>(den_) != 0) return std::nullopt;  // den_ > 0 and reduced
    per /= static_cast<u64>(den_);
  }
  i64 digits;
  if (__builtin_mul_overflow(num_, static_cast<i64>(per), &digits)) return std::nullopt;
  return digits;
}

}  // namespace utfall
