// The records of one participant input (Dataset::participants[input]): each record's values, in
// the order of the input's fields, one record after another in one block of memory. A million
// records are one allocation, not a million, and one region for the kernel's huge pages (a
// vector per record cost a malloc, a free, a 24-byte header and the allocator's 16 bytes each,
// and scattered the records over the heap; bench/README.md).
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "interpreter/checked.hpp"

namespace utfall {

class ParticipantRecords {
 public:
  using Record = std::span<const checked::Value>;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The values of record r (r < size()).
  Record operator[](std::size_t r) const { return {values_.data() + first(r), width(r)}; }
  std::span<checked::Value> operator[](std::size_t r) { return {values_.data() + first(r), width(r)}; }

  // Room for `records` more records of `fields` values each; a block of a few megabytes or more
  // is offered to the kernel for huge pages (Linux; elsewhere nothing).
  void reserve(std::size_t records, std::size_t fields);
  void push_back(std::vector<checked::Value> record) {
    start_record();
    for (auto& v : record) values_.push_back(std::move(v));
    end_record();
  }
  // A record value by value: start_record, add each of its values, then end_record; or
  // drop_record to take back the record started, with its values.
  void start_record() { open_ = values_.size(); }
  checked::Value& add() { return values_.emplace_back(); }  // a value to be written in place
  void end_record() {
    if (bounds_.empty() && size_ > 0 && values_.size() - open_ == width_) {
      ++size_;  // the common record: as wide as those before it
      return;
    }
    end_other_record();
  }
  void drop_record() { values_.erase(values_.begin() + static_cast<std::ptrdiff_t>(open_), values_.end()); }
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
  std::size_t width(std::size_t r) const { return bounds_.empty() ? width_ : bounds_[r + 1] - bounds_[r]; }
  std::vector<checked::Value> values_;
  std::size_t size_ = 0, width_ = 0;
  std::size_t open_ = 0;                // where the record being made starts in values_
  std::vector<std::size_t> bounds_;     // empty, or size_ + 1: record r is [bounds_[r], bounds_[r + 1])
};

}  // namespace utfall
