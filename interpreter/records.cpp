#include "interpreter/records.hpp"

#include "interpreter/huge_pages.hpp"

namespace utfall {

void ParticipantRecords::reserve(std::size_t records, std::size_t fields) {
  reserve_offering_huge_pages(values_, values_.size() + records * fields, Growth::exact);
}

void ParticipantRecords::end_other_record() {
  const std::size_t width = values_.size() - open_;
  if (size_ == 0) {
    width_ = width;
  } else if (bounds_.empty() && width != width_) {  // a second width: bounds for every record from now on
    bounds_.reserve(size_ + 2);
    for (std::size_t r = 0; r <= size_; ++r) bounds_.push_back(r * width_);
  }
  if (!bounds_.empty()) bounds_.push_back(values_.size());
  ++size_;
}

}  // namespace utfall
