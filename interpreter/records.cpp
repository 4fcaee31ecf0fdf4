#include "interpreter/records.hpp"

#include "interpreter/huge_pages.hpp"

namespace utfall {

void ParticipantRecords::reserve(std::size_t records, std::size_t fields) {
  const std::size_t before = values_.capacity();
  values_.reserve(values_.size() + records * fields);
  starts_.reserve(starts_.size() + records);
  if (values_.capacity() != before) offer_huge_pages(values_.data(), values_.capacity() * sizeof(checked::Value));
  offer_huge_pages(starts_.data(), starts_.capacity() * sizeof(std::size_t));
}

}  // namespace utfall
