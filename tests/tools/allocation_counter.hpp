// Counts every allocation of the program that includes this header: it replaces the global
// operator new (and its deletes) with malloc/free plus a counter. Include it in exactly one
// file of a program (scenario_bench, utfall_api_tests), never in a library. The counter is
// process-wide on purpose; nothing else about allocation changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

// GCC 12 takes the free() below for a mismatch with the new it inlined; it is the pair we define.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static std::atomic<std::uint64_t> g_allocations{0};
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
