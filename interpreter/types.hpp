// Units and types.
//
// A `Unit` is a product of named dimensions with integer exponents: the currency (SEK), counted
// things (placements, children), and their quotients (SEK per placement = SEK^1 placement^-1).
// A dimensionless unit is a plain number, ratio or percentage. The algebra is the one a reader
// expects: adding or comparing needs equal units, multiplying and dividing combine them.
//
// A `Type` is what the checker knows of a value before anything runs: a number with a unit, a
// boolean, a period of the calendar, text (participant identifiers), or a date (ISO 8601). Values at run time do
// not carry units: units are a static property, checked once.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "interpreter/messages.hpp"

namespace utfall {

class Unit {
 public:
  Unit() = default;  // dimensionless
  static Unit of(std::string dimension) {
    Unit u;
    u.rep_ = std::make_shared<const Rep>(Rep{Dimensions{{std::move(dimension), 1}}, nullptr});
    return u;
  }
  friend Unit operator*(const Unit& a, const Unit& b) { return combine(a, b, 1); }
  friend Unit operator/(const Unit& a, const Unit& b) { return combine(a, b, -1); }
  friend bool operator==(const Unit& a, const Unit& b) { return a.rep_ == b.rep_ || a.dimensions() == b.dimensions(); }
  bool dimensionless() const { return !rep_; }
  using Dimensions = std::vector<std::pair<std::string, int>>;
  const Dimensions& dimensions() const {
    static const Dimensions none;
    return rep_ ? rep_->dims : none;
  }
  // "SEK", "placements", "SEK per placement", "" for dimensionless. The plural of a counted
  // unit is used where it stands alone or on top; the singular after "per".
  std::string to_string() const;

  // Display names of counted units: singular and plural spellings.
  struct Spelling {
    std::string singular;
    std::string plural;
  };
  // For display only, not part of equality; a dimensionless unit is written without them.
  void set_spellings(std::shared_ptr<const std::vector<Spelling>> spellings);
  std::shared_ptr<const std::vector<Spelling>> spelling_list() const { return rep_ ? rep_->spellings : nullptr; }

 private:
  static Unit combine(const Unit& a, const Unit& b, int sign);
  struct Rep {
    Dimensions dims;  // sorted by name, exponents non-zero, never empty
    std::shared_ptr<const std::vector<Spelling>> spellings;  // may be null
  };
  const std::vector<Spelling>* spellings() const { return rep_ ? rep_->spellings.get() : nullptr; }
  // Null when dimensionless. Shared and never changed once made, so a copy of a unit (of every
  // type the checker passes around) is one pointer: one count to raise and lower, an atomic
  // operation of some 6 ns, where the dimensions and the spellings each had their own.
  std::shared_ptr<const Rep> rep_;
};

enum class TypeKind { number, boolean, period, text, date };

struct Type {
  TypeKind kind = TypeKind::number;
  Unit unit;  // for numbers
  static Type number(Unit u = {}) { return {TypeKind::number, std::move(u)}; }
  static Type boolean() { return {TypeKind::boolean, {}}; }
  static Type period() { return {TypeKind::period, {}}; }
  static Type text() { return {TypeKind::text, {}}; }
  static Type date() { return {TypeKind::date, {}}; }
  bool operator==(const Type& o) const { return kind == o.kind && (kind != TypeKind::number || unit == o.unit); }
  // "SEK", "number", "boolean", "period", "text", "SEK per placement".
  std::string to_string() const;
  // As a message names it, in the reader's language: a unit as written ("SEK per placement"),
  // a kind by its word ("number" is "tal" in Swedish).
  Text describe() const;
};

}  // namespace utfall
