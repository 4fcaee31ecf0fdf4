// Memory for the nodes of expression trees (ast::Expr, checked::Expr).
//
// A contract of 10 000 clauses is some 400 000 nodes of two sizes, made one after another and
// freed together; through malloc each cost an allocation and a free of its own, a quarter of a
// check's instructions. Here each thread cuts the nodes of a kind from a block of its own, one
// after another (a pointer moved), and a node's memory is not used again: a block is given
// back whole when the last node cut from it is freed, on whatever thread that is. So the memory
// held is that of the live trees, plus at most a part-used block per thread and kind, and the
// blocks that still hold a node that lives on.
//
// A block is 64 KiB, or 2 MiB for a thread building a large tree: one that left its last 64
// blocks of the kind (4 MiB) each at least half full of live nodes. Such a block is aligned to
// a huge page and offered to the kernel as one (huge_pages.hpp): where the kernel gives huge
// pages on request (Linux, transparent huge pages in `madvise` or `always` mode), the nodes of
// a large tree cost a page fault per 2 MiB instead of one per 4 KiB (a third of the check of
// 10 000 clauses on a virtual machine, bench/README.md). A thread that makes small trees and frees
// them (a parsed override, a REPL line) leaves its blocks mostly empty and keeps to 64 KiB
// ones; one whose nodes live on at random takes a huge block now and then, and a 2 MiB block
// that holds one live node holds its 2 MiB.
//
// Each node is preceded by the address of its block; a block counts its live nodes. The thread
// cutting from a block counts what it cuts without atomics and adds that when it leaves the
// block (for a fuller one, or when the thread ends); until then the block's count is held
// above zero. Under AddressSanitizer nodes come from operator new itself, so that a use after
// free is still found; ThreadSanitizer keeps the blocks, to check them.
#pragma once

#include <cstddef>

namespace utfall::node_memory {

enum class Kind { syntax, checked };  // one run of blocks per thread and kind

// Memory for a node of `size` bytes, aligned as a pointer is (a node type with a stricter
// alignment cannot use it: the node types assert theirs).
void* allocate(Kind kind, std::size_t size);
inline constexpr std::size_t alignment = alignof(void*);
void release(void* node) noexcept;

// Blocks held now, all threads (for tests: each freed tree gives its blocks back), and their
// bytes.
std::size_t blocks_held() noexcept;
std::size_t bytes_held() noexcept;
// Whether nodes come from blocks in this build (not under AddressSanitizer).
bool in_blocks() noexcept;

}  // namespace utfall::node_memory
