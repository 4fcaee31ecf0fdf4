#include "interpreter/stack.hpp"

#include <pthread.h>

#include <algorithm>

namespace utfall {

namespace {

// The lowest address of this thread's stack; 0 when unknown. Found once per thread: for the
// main thread glibc reads it from the process's memory map, which is not cheap.
std::uintptr_t stack_bottom() {
  thread_local std::uintptr_t bottom = [] {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return std::uintptr_t{0};
    void* address = nullptr;
    std::size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &address, &size);
    pthread_attr_destroy(&attr);
    return rc == 0 ? reinterpret_cast<std::uintptr_t>(address) : std::uintptr_t{0};
  }();
  return bottom;
}

extern "C" void* run_body(void* body) {
  (*static_cast<const std::function<void()>*>(body))();
  return nullptr;
}

}  // namespace

std::optional<std::size_t> stack_left(std::uintptr_t here) {
  std::uintptr_t bottom = stack_bottom();
  if (bottom == 0 || here < bottom) return std::nullopt;
  std::size_t below = here - bottom;
  return below > stack_reserve ? below - stack_reserve : 0;
}

StackGuard::StackGuard(std::uintptr_t base, std::size_t budget) {
  allowed_ = std::min(budget, stack_left(base).value_or(budget));
  floor_ = base > allowed_ ? base - allowed_ : 0;
}

std::string byte_size_text(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

namespace detail {

bool run_on_thread(std::size_t bytes, const std::function<void()>& body) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_t thread;
  bool started = pthread_attr_setstacksize(&attr, bytes) == 0 &&
                 pthread_create(&thread, &attr, run_body, const_cast<std::function<void()>*>(&body)) == 0;
  pthread_attr_destroy(&attr);
  if (started) pthread_join(thread, nullptr);
  return started;
}

}  // namespace detail

}  // namespace utfall
