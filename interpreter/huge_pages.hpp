// Large blocks of data (a table's cells, the records of participants) offered to the kernel for
// transparent huge pages: one page fault per 2 MiB instead of per 4 KiB, where the kernel gives
// them on request (Linux, `madvise` or `always` mode). A hint: nothing else changes.
#pragma once

#include <cstddef>

namespace utfall {

// Offers the whole 2 MiB pages inside [data, data + bytes), when there are any.
void offer_huge_pages(const void* data, std::size_t bytes);

}  // namespace utfall
