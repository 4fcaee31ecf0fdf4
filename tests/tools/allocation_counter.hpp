// Counts every allocation of the program that includes this header: it replaces the global
// operator new (and its deletes) with malloc/free plus a counter, and can make one of a
// thread's allocations fail (fail_after). Include it in exactly one file of a program
// (scenario_bench, utfall_api_tests), never in a library. The count is process-wide on purpose
// (allocations(): every thread's); nothing else about allocation changes.
// Each thread counts in a slot of its own, a cache line apart, so that threads allocating side
// by side (Engine::sweep in scenario_bench) do not wait on one shared counter: one counter
// cost two threads a third of their speed.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace allocation_counter {
constexpr unsigned kSlots = 256;  // threads beyond that share slots, still counted exactly
struct alignas(64) Slot {
  std::atomic<std::uint64_t> count{0};
};
inline Slot slots[kSlots];
inline std::atomic<unsigned> next_slot{0};
inline std::atomic<std::uint64_t>& mine() {
  thread_local const unsigned slot = next_slot.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return slots[slot].count;
}
// For tests of what running out of memory leaves behind: how many more of this thread's
// allocations succeed before one throws std::bad_alloc (after which it is -1 again); -1: none.
inline thread_local std::int64_t fail_after = -1;

// Runs `call` with this thread's allocation k failing: whether it threw std::bad_alloc, and
// whether allocation k was made (and so failed). A test asserts on the result, after: its own
// macros allocate, and must not run while a failure is armed.
struct Failure {
  bool thrown = false, failed = false;
};
template <typename Call>
Failure failing(std::int64_t k, Call&& call) {
  Failure out;
  fail_after = k;
  try {
    call();
  } catch (const std::bad_alloc&) {
    out.thrown = true;
  }
  out.failed = fail_after < 0;
  fail_after = -1;
  return out;
}
}  // namespace allocation_counter

// Every thread's allocations so far.
inline std::uint64_t allocations() {
  std::uint64_t total = 0;
  for (const auto& slot : allocation_counter::slots) total += slot.count.load(std::memory_order_relaxed);
  return total;
}

// GCC 12 takes the free() below for a mismatch with the new it inlined; it is the pair we define.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  allocation_counter::mine().fetch_add(1, std::memory_order_relaxed);
  if (allocation_counter::fail_after >= 0 && allocation_counter::fail_after-- == 0) throw std::bad_alloc();
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
