#include "interpreter/records.hpp"

#include <stdexcept>

#include "interpreter/huge_pages.hpp"

namespace utfall {

void ParticipantRecords::reserve(std::size_t records, std::size_t fields) {
  reserve_offering_huge_pages(words_, words_.size() + records * fields, Growth::exact);
  reserve_offering_huge_pages(tags_, tags_.size() + records * fields, Growth::exact);
}

ParticipantRecords::Cell ParticipantRecords::encode(const checked::Value& v) {
  std::uint8_t tag = kWhole;
  std::int64_t word = 0;
  if (const auto* n = std::get_if<Number>(&v)) {
    if (auto d = n->to_decimal64()) tag = static_cast<std::uint8_t>(d->places), word = d->digits;
  } else if (const auto* b = std::get_if<bool>(&v)) {
    tag = kBool, word = *b ? 1 : 0;
  } else if (const auto* p = std::get_if<checked::PeriodValue>(&v)) {
    tag = kPeriod, word = p->index;
  } else if (const auto* d = std::get_if<checked::DateValue>(&v)) {
    tag = kDate, word = d->day;
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    return text_cell(*s);
  }
  if (tag == kWhole) {
    word = static_cast<std::int64_t>(whole_.size());
    whole_.push_back(v);
  }
  return {tag, word};
}

ParticipantRecords::Cell ParticipantRecords::text_cell(std::string_view text) {
  if (texts_.size() > kMaxStart || text.size() > kMaxLength) {
    whole_.emplace_back(std::string(text));
    return {kWhole, static_cast<std::int64_t>(whole_.size() - 1)};
  }
  const Cell c{kText, static_cast<std::int64_t>(texts_.size() | (std::uint64_t{text.size()} << kStartBits))};
  texts_ += text;
  return c;
}

const checked::Value ParticipantRecords::value(std::size_t r, std::size_t f) const {
  const Cell c = cell(r, f);
  if (c.is_decimal()) return Number::decimal(c.word, c.tag);
  switch (c.tag) {
    case kBool: return c.word != 0;
    case kPeriod: return checked::PeriodValue{static_cast<int>(c.word)};
    case kDate: return checked::DateValue{c.word};
    case kText: return std::string(text(r, f));
    default: return whole_[static_cast<std::size_t>(c.word)];
  }
}

std::string_view ParticipantRecords::text(std::size_t r, std::size_t f) const {
  const Cell c = cell(r, f);
  if (c.tag == kWhole)
    if (const auto* s = std::get_if<std::string>(&whole_[static_cast<std::size_t>(c.word)])) return *s;
  if (c.tag != kText) throw std::logic_error("ParticipantRecords::text: the field is not a text");
  const auto word = static_cast<std::uint64_t>(c.word);
  return std::string_view(texts_).substr(word & kMaxStart, word >> kStartBits);
}

void ParticipantRecords::set(std::size_t r, std::size_t f, const checked::Value& v) {
  const Cell c = encode(v);
  tags_[first(r) + f] = c.tag, words_[first(r) + f] = c.word;
}

void ParticipantRecords::drop_record() {
  words_.resize(open_.cells), tags_.resize(open_.cells);
  texts_.resize(open_.texts), whole_.resize(open_.whole);
}

void ParticipantRecords::end_other_record() {
  const std::size_t width = words_.size() - open_.cells;
  if (size_ == 0) {
    width_ = width;
  } else if (bounds_.empty() && width != width_) {  // a second width: bounds for every record from now on
    bounds_.reserve(size_ + 2);
    for (std::size_t r = 0; r <= size_; ++r) bounds_.push_back(r * width_);
  }
  if (!bounds_.empty()) bounds_.push_back(words_.size());
  ++size_;
}

}  // namespace utfall
