// The records of one participant input (Dataset::participants[input]): each record's values, in
// the order of the input's fields, one record after another in a few blocks of memory (the
// cells' words, their tags, the texts, the values kept whole). A million records are a few
// allocations, not a million, and regions for the kernel's huge pages (a vector per record cost
// a malloc, a free, a 24-byte header and the allocator's 16 bytes each, and scattered the
// records over the heap; bench/README.md).
//
// A value is kept as a cell of nine bytes, not as a checked::Value (40 bytes and a destructor):
// a word and a tag that says what the word is. A decimal of at most 18 places whose digits fit
// int64 (nearly every number in a data file) is its digits, with its places as the tag; a truth
// value, a period or a date is its integer; a text is its place in one block of text. Only a
// number that is not such a decimal (a fraction given by a host, a number of many digits) is
// kept whole, as a Value beside the cells. The lanes (fast_participants.cpp) read a decimal's
// digits from its cell as they are; the general evaluator is given the Value back, the same as
// the one stored (a decimal's Number is the fraction digits / 10^places, reduced, as before).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/checked.hpp"

namespace utfall {

class ParticipantRecords {
 public:
  // A text longer than this is kept whole, not in the block of texts (16 MiB - 1 bytes).
  static constexpr std::size_t kMaxTextLength = (std::size_t{1} << 24) - 1;
  // What a cell's word holds: tags 0 to 18 are a decimal's places.
  enum Tag : std::uint8_t { kMaxPlaces = 18, kBool = 19, kPeriod = 20, kDate = 21, kText = 22, kWhole = 23 };
  struct Cell {
    std::uint8_t tag;
    std::int64_t word;  // a decimal's digits; 0 or 1; a period's index; a date's day; else a place
    bool is_decimal() const { return tag <= kMaxPlaces; }
  };

  // One record's values, read through the records (valid while they are not changed).
  class Record {
   public:
    Record(const ParticipantRecords* r, std::size_t i) : r_(r), i_(i) {}
    std::size_t size() const { return r_->width(i_); }
    const checked::Value operator[](std::size_t f) const { return r_->value(i_, f); }

   private:
    const ParticipantRecords* r_;
    std::size_t i_;
  };

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Record operator[](std::size_t r) const { return {this, r}; }
  // The fields of record r (r < size()).
  std::size_t width(std::size_t r) const { return bounds_.empty() ? width_ : bounds_[r + 1] - bounds_[r]; }
  // Field f of record r (f < width(r)): its cell, its value, or its text (a text field only).
  Cell cell(std::size_t r, std::size_t f) const {
    const std::size_t i = first(r) + f;
    return {tags_[i], words_[i]};
  }
  // The value is made anew: const, so that an assignment to it, which would change nothing kept,
  // does not compile (set() gives a value).
  const checked::Value value(std::size_t r, std::size_t f) const;
  std::string_view text(std::size_t r, std::size_t f) const;
  // Whether some value is kept whole (or was, before set() gave its place another).
  bool keeps_whole_values() const { return !whole_.empty(); }
  // Gives field f of record r (f < width(r)) another value (for tests and hosts that mend data).
  void set(std::size_t r, std::size_t f, const checked::Value& v);

  // Room for `records` more records of `fields` values each; a block of a few megabytes or more
  // is offered to the kernel for huge pages (Linux; elsewhere nothing).
  void reserve(std::size_t records, std::size_t fields);
  void push_back(const std::vector<checked::Value>& record) {
    start_record();
    try {
      for (const auto& v : record) add(v);
    } catch (...) {  // no memory: the records as they were
      drop_record();
      throw;
    }
    end_record();
  }
  // A record value by value: start_record, add each of its values, then end_record; or
  // drop_record to take back the record started, with its values.
  void start_record() { open_ = {words_.size(), texts_.size(), whole_.size()}; }
  void add(const checked::Value& v) { push(encode(v)); }
  // A decimal, digits * 10^-places, as Number::to_decimal64 gives it (places <= kMaxPlaces, no
  // trailing zeros): the value add(Number::fraction(digits, 10^places)) would keep.
  void add_decimal(std::int64_t digits, int places) {
    if (places < 0 || places > kMaxPlaces) throw std::logic_error("ParticipantRecords::add_decimal: places out of range");
    push({static_cast<std::uint8_t>(places), digits});
  }
  // A text, as add(std::string(text)) would keep it.
  void add_text(std::string_view text) { push(text_cell(text)); }
  void end_record() {
    if (bounds_.empty() && size_ > 0 && words_.size() - open_.cells == width_) {
      ++size_;  // the common record: as wide as those before it
      return;
    }
    end_other_record();
  }
  void drop_record();
  void clear() { *this = ParticipantRecords(); }

  class const_iterator {
   public:
    const_iterator(const ParticipantRecords* r, std::size_t i) : r_(r), i_(i) {}
    Record operator*() const { return (*r_)[i_]; }
    const_iterator& operator++() { return ++i_, *this; }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const ParticipantRecords* r_;
    std::size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

 private:
  // The records of a participant input are all as wide as its fields: record r lies at
  // r * width_, with no start kept per record (8 MB for a million). Records of other widths
  // (built by hand) keep their bounds in `bounds_`.
  void end_other_record();  // the first record, or one after a record of another width
  std::size_t first(std::size_t r) const { return bounds_.empty() ? r * width_ : bounds_[r]; }
  Cell encode(const checked::Value& v);  // a text or a value kept whole is stored here
  Cell text_cell(std::string_view text);  // the text stored here (or kept whole)
  void push(Cell c) {
    tags_.push_back(c.tag);
    try {
      words_.push_back(c.word);
    } catch (...) {  // no memory: the cells as they were
      tags_.pop_back();
      throw;
    }
  }

  // A text's place in texts_: its start in the low 40 bits, its length in the high 24; a
  // longer text, or one beyond, is kept whole.
  static constexpr int kStartBits = 40;
  static constexpr std::uint64_t kMaxStart = (std::uint64_t{1} << kStartBits) - 1, kMaxLength = kMaxTextLength;

  std::vector<std::int64_t> words_;   // per cell, records one after another
  std::vector<std::uint8_t> tags_;    // per cell
  std::string texts_;                 // every text, one after another
  std::vector<checked::Value> whole_;  // the values kept whole (kWhole: the word is the place)
  std::size_t size_ = 0, width_ = 0;
  struct Open {
    std::size_t cells = 0, texts = 0, whole = 0;
  } open_;                           // where the record being made starts
  std::vector<std::size_t> bounds_;  // empty, or size_ + 1: record r is [bounds_[r], bounds_[r + 1])
};

}  // namespace utfall
