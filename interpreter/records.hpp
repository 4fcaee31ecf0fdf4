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

  std::size_t size() const { return starts_.size(); }
  bool empty() const { return starts_.empty(); }
  // The values of record r (r < size()).
  Record operator[](std::size_t r) const { return {values_.data() + starts_[r], end_of(r) - starts_[r]}; }
  std::span<checked::Value> operator[](std::size_t r) { return {values_.data() + starts_[r], end_of(r) - starts_[r]}; }

  // Room for `records` more records of `fields` values each; a block of a few megabytes or more
  // is offered to the kernel for huge pages (Linux; elsewhere nothing).
  void reserve(std::size_t records, std::size_t fields);
  void push_back(std::vector<checked::Value> record) {
    starts_.push_back(values_.size());
    for (auto& v : record) values_.push_back(std::move(v));
  }
  // A record value by value: start_record, then add each of its values (drop_record takes back
  // the record started last, with its values).
  void start_record() { starts_.push_back(values_.size()); }
  void add(checked::Value&& value) { values_.push_back(std::move(value)); }
  checked::Value& add() { return values_.emplace_back(); }  // a value to be written in place
  void drop_record() {
    values_.erase(values_.begin() + static_cast<std::ptrdiff_t>(starts_.back()), values_.end());
    starts_.pop_back();
  }
  void clear() { values_.clear(), starts_.clear(); }

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
  std::size_t end_of(std::size_t r) const { return r + 1 < starts_.size() ? starts_[r + 1] : values_.size(); }
  std::vector<checked::Value> values_;
  std::vector<std::size_t> starts_;  // per record, its first value in values_
};

}  // namespace utfall
