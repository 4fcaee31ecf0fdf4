// Memory for the nodes of expression trees: see node_memory.hpp.
#include "interpreter/node_memory.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <type_traits>

#include "interpreter/huge_pages.hpp"

namespace utfall::node_memory {
namespace {

// GCC says AddressSanitizer with __SANITIZE_ADDRESS__, clang (the fuzz build) with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define UTFALL_NODES_PLAIN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UTFALL_NODES_PLAIN 1
#endif
#endif
#if defined(UTFALL_NODES_PLAIN)
constexpr bool kBlocks = false;
#else
constexpr bool kBlocks = true;
#endif

constexpr std::size_t kAlign = alignof(void*);  // of every node (node_memory.hpp)
constexpr std::size_t kBlockBytes = std::size_t{64} << 10;
// The blocks of a large tree: one huge page each, once a thread has left this many blocks of a
// kind in a row each at least half full of live nodes (node_memory.hpp).
constexpr std::size_t kHugeBytes = std::size_t{2} << 20;
constexpr int kHugeAfter = 64;
constexpr std::size_t kHeader = sizeof(void*);  // before each node: its block's address
// A block's count while a thread still cuts from it: above any number of nodes a block holds.
constexpr std::int64_t kInUse = std::int64_t{1} << 40;

std::atomic<std::size_t> blocks{0};
std::atomic<std::size_t> bytes{0};  // of the blocks held

struct alignas(16) Block {
  std::atomic<std::int64_t> live{kInUse};
  std::size_t size = kBlockBytes;  // bytes, this header included: kBlockBytes or kHugeBytes
};
static_assert(sizeof(Block) == 16, "a block's header keeps its nodes aligned to 16");

// Throws std::bad_alloc, as `new` of a node would. A huge block's aligned allocation may hold
// the address space of two (glibc maps 4 MiB to align 2 MiB), not their memory.
Block* take_block(bool huge) {
  const std::size_t size = huge ? kHugeBytes : kBlockBytes;
  void* raw = huge ? ::operator new(size, std::align_val_t{kHugeBytes}) : ::operator new(size);
  if (huge) offer_huge_pages(raw, size);  // aligned to its page, so the whole block
  Block* b = new (raw) Block;
  b->size = size;
  blocks.fetch_add(1, std::memory_order_relaxed);
  bytes.fetch_add(size, std::memory_order_relaxed);
  return b;
}

void give_back(Block* b) noexcept {
  const std::size_t size = b->size;
  b->~Block();
  if (size == kHugeBytes)  // unsized: clang builds without sized deallocation
    ::operator delete(static_cast<void*>(b), std::align_val_t{kHugeBytes});
  else
    ::operator delete(static_cast<void*>(b));
  blocks.fetch_sub(1, std::memory_order_relaxed);
  bytes.fetch_sub(size, std::memory_order_relaxed);
}

// The block a thread cuts nodes of one kind from.
struct Cutting {
  Block* block = nullptr;
  std::size_t used = 0;  // bytes of the block used, its header included
  // The block's size, kept here: the block's own line holds `live`, which other threads write
  // as they free its nodes, and is read here only when a block is taken.
  std::size_t capacity = 0;
  std::int64_t cut = 0;  // nodes cut from it
  int full_in_a_row = 0;  // blocks left in a row at least half full of live nodes: a large tree

  void leave() noexcept {
    if (!block) return;
    // The count becomes the nodes cut less those freed; when they are all freed already, this
    // thread gives the block back, else the one that frees the last node does (so the block
    // is not read again here).
    const std::int64_t change = cut - kInUse;
    const std::int64_t live = block->live.fetch_add(change, std::memory_order_acq_rel) + change;
    if (live == 0) give_back(block);
    full_in_a_row = live > 0 && 2 * live >= cut ? std::min(full_in_a_row + 1, kHugeAfter) : 0;
    block = nullptr;
  }
  void renew();  // leaves its block for a new one

  void* cut_node(std::size_t size) {
    const std::size_t need = kHeader + ((size + kAlign - 1) & ~(kAlign - 1));
    if (need > kBlockBytes - sizeof(Block)) throw std::length_error("node_memory: a node larger than a block");
    if (!block || used + need > capacity) renew();
    char* at = reinterpret_cast<char*>(block) + used;
    used += need;
    ++cut;
    new (at) Block*(block);
    return at + kHeader;
  }
};

// Initial-exec: read at a fixed offset from the thread pointer, not through __tls_get_addr as a
// shared library's thread-locals otherwise are (a call for each of 1.4 million nodes of 1 000
// clauses, 1.4 % of a compile). It takes 80 bytes of the static TLS that glibc keeps for
// libraries loaded later (as the Python module loads this one): 1 664 bytes in all, shared with
// libc's own and every other library's of this model. Were they used up, loading the library
// would fail ("cannot allocate memory in static TLS block"), not run wrongly.
// Trivially destructible, so that reading it needs no guard (itself a thread-local, read
// through __tls_get_addr); a thread's blocks are left at its exit by `leave_at_exit` instead.
#if defined(__GNUC__)
#define UTFALL_INITIAL_EXEC __attribute__((tls_model("initial-exec")))
#else
#define UTFALL_INITIAL_EXEC
#endif
static_assert(std::is_trivially_destructible_v<Cutting>);
constinit thread_local Cutting cutting[2] UTFALL_INITIAL_EXEC;

struct LeaveAtExit {
  ~LeaveAtExit() {
    for (auto& c : cutting) c.leave();
  }
};
thread_local LeaveAtExit leave_at_exit;  // constructed (so destroyed at exit) at a thread's first block

void Cutting::renew() {
  static_cast<void>(&leave_at_exit);  // a read through its guard: once a block, not once a node
  leave();
  block = take_block(full_in_a_row >= kHugeAfter);
  capacity = block->size;
  used = sizeof(Block);
  cut = 0;
}

}  // namespace

void* allocate(Kind kind, std::size_t size) {
  if constexpr (!kBlocks) return ::operator new(size);
  return cutting[kind == Kind::syntax ? 0 : 1].cut_node(size);
}

void release(void* node) noexcept {
  if (!node) return;
  if constexpr (!kBlocks) {
    ::operator delete(node);
    return;
  }
  Block* b = *reinterpret_cast<Block**>(static_cast<char*>(node) - kHeader);
  if (b->live.fetch_sub(1, std::memory_order_acq_rel) == 1) give_back(b);
}

std::size_t blocks_held() noexcept { return blocks.load(std::memory_order_relaxed); }

std::size_t bytes_held() noexcept { return bytes.load(std::memory_order_relaxed); }

bool in_blocks() noexcept { return kBlocks; }

}  // namespace utfall::node_memory
