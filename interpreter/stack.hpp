// The stack that recursion runs on.
//
// The parser, the checker, the general evaluator and the fixed-point lowering recurse as deep
// as the input nests, within the limits of docs/language.md §25. Each stage measures the stack
// it has used from its entry with a `StackGuard` and stops with a limit diagnostic (E703, E706)
// when it reaches its budget, or the end of the thread's own stack, whichever comes first:
// whatever the input and however the limits are configured, recursion never overflows.
//
// `with_stack` gives a stage the stack its budget needs: it runs the stage where it is called
// when the calling thread has that much left, and otherwise on a thread of its own with that
// stack, waiting for it. So a host's small thread (Rust's 2 MiB, 256 KiB, a shell's
// `ulimit -s 256`) gives the same answers as the command line's 8 MiB; it only costs a thread
// start for each stage run there. Should that thread not start, the stage runs in place and
// the guard stops it early, with the diagnostic, never a crash.
//
// Freeing a tree is not a stage: a host drops a contract on whatever thread it likes. So the
// trees free themselves without recursion (`free_tree`), on any stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace utfall {

// What must remain below the deepest check of a guard: one level of recursion between two
// checks, building and throwing the diagnostic, and library calls at the leaves. Sanitizers
// make frames several times larger.
// A thread of its own is made larger still by `stack_slack`: glibc puts the thread's static TLS
// in its stack (ThreadSanitizer's state alone is most of a MiB), and frames sit above the stage.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::size_t stack_reserve = 512u << 10;
inline constexpr std::size_t stack_slack = 2u << 20;
#else
inline constexpr std::size_t stack_reserve = 96u << 10;
inline constexpr std::size_t stack_slack = 256u << 10;
#endif

// The address of the caller's frame (stacks grow down on every platform utfall builds for).
[[gnu::always_inline]] inline std::uintptr_t stack_here() {
  return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
}

// Bytes of stack this thread has below `here`, less `stack_reserve`; nullopt when the thread's
// stack cannot be found out (then only budgets measured from an entry bound the recursion).
std::optional<std::size_t> stack_left(std::uintptr_t here);

class StackGuard {
 public:
  // Allows `budget` bytes below the frame that makes the guard, and never beyond this
  // thread's own stack less the reserve.
  [[gnu::always_inline]] explicit StackGuard(std::size_t budget) : StackGuard(stack_here(), budget) {}
  StackGuard(std::uintptr_t base, std::size_t budget);

  // True when the caller's frame lies beyond what the guard allows.
  [[gnu::always_inline]] bool exhausted() const { return stack_here() < floor_; }
  // The bytes the caller's frame may still go down before the guard says exhausted.
  [[gnu::always_inline]] std::size_t left() const {
    const auto here = stack_here();
    return here > floor_ ? static_cast<std::size_t>(here - floor_) : 0;
  }
  // The bytes allowed from the entry, for messages: the budget, or less on a small thread.
  std::size_t allowed() const { return allowed_; }

 private:
  std::uintptr_t floor_;
  std::size_t allowed_;
};

// "6 MiB", "184 KiB": a stack size for messages.
std::string byte_size_text(std::size_t bytes);

namespace detail {
// Runs `body` on a new thread with `bytes` of stack and waits for it; false when no thread
// could be started (then `body` has not run).
bool run_on_thread(std::size_t bytes, const std::function<void()>& body);
}  // namespace detail

// Calls `f()` with at least `bytes` of stack below its frame (see the header's paragraph).
// Exceptions thrown by `f` reach the caller.
template <typename F>
auto with_stack(std::size_t bytes, F&& f) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  auto left = stack_left(stack_here());
  if (!left || *left >= bytes) return f();
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<R>, char, R>> result;
  // With the slack, a guard made in `f` allows all of `bytes`, as it does on a large stack.
  bool ran = detail::run_on_thread(bytes + stack_reserve + stack_slack, [&] {
    try {
      if constexpr (std::is_void_v<R>) {
        f();
        result.emplace();
      } else {
        result.emplace(f());
      }
    } catch (...) {
      error = std::current_exception();
    }
  });
  if (!ran) return f();
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<R>) return std::move(*result);
}

// The nodes set aside while a tree is freed (below). Most trees are one expression of a clause,
// a few nodes wide: the first 32 take no allocation (a contract of 10 000 clauses frees some
// 40 000 trees, and a list on the heap for each was 140 000 allocations).
template <typename Ptr>
using SetAside = boost::container::small_vector<Ptr, 32>;

// For the destructor of a tree's node whose children are owned through `Ptr`: frees the tree
// below `root` loop-wise, however deep. `take(node, list)` moves a node's children into the list
// (with `set_aside`); a node is freed only once its children are taken, so its own destructor
// finds none and frees nothing more.
template <typename Ptr, typename Node, typename Take>
void free_tree(Node& root, Take take) noexcept {
  SetAside<Ptr> rest;
  take(root, rest);
  while (!rest.empty()) {
    Ptr next = std::move(rest.back());
    rest.pop_back();
    take(*next, rest);
  }
}

// The place of kind `T` among the kinds of the variant `Node`; a kind not in it does not compile.
template <typename T, typename Node>
struct kind_index;
template <typename T, typename... Kinds>
struct kind_index<T, std::variant<Kinds...>> {
  static constexpr std::size_t value = [] {
    constexpr bool same[] = {std::is_same_v<T, Kinds>...};
    std::size_t i = 0;
    while (i < sizeof...(Kinds) && !same[i]) ++i;
    return i;
  }();
  static_assert(value < sizeof...(Kinds), "kind_index: the kind is not in the variant");
};

// Moves the non-null `children` into `rest`. A child that finds no memory for its place stays
// with its parent, to be freed with it by recursion, as it would be without `free_tree`.
template <typename Ptr, typename... Children>
void set_aside(SetAside<Ptr>& rest, Children&... children) noexcept {
  auto one = [&](Ptr& child) {
    if (!child) return;
    try {
      rest.push_back(std::move(child));  // on failure, `child` is left as it was
    } catch (...) {
    }
  };
  (one(children), ...);
}

}  // namespace utfall
