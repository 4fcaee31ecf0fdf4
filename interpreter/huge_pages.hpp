// Large blocks of data (a table's cells, the records of participants) offered to the kernel for
// transparent huge pages: one page fault per 2 MiB instead of per 4 KiB, where the kernel gives
// them on request (Linux, `madvise` or `always` mode). A hint: nothing else changes.
#pragma once

#include <algorithm>
#include <cstddef>

namespace utfall {

// Offers the whole 2 MiB pages inside [data, data + bytes), when there are any.
void offer_huge_pages(const void* data, std::size_t bytes);

enum class Growth { exact, doubling };

// Makes room for at least `n` elements in `v`, when it has less, and offers its new buffer huge
// pages: exactly `n`, or with doubling as `resize` would grow (for a buffer reused as it grows).
template <class Vector>
void reserve_offering_huge_pages(Vector& v, std::size_t n, Growth growth) {
  if (v.capacity() >= n) return;
  v.reserve(growth == Growth::doubling ? std::max(n, 2 * v.capacity()) : n);
  offer_huge_pages(v.data(), v.capacity() * sizeof(typename Vector::value_type));
}

}  // namespace utfall
