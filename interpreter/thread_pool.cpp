// ThreadPool: threads that sleep on a condition variable between loops; a loop is a
// generation, each pool thread below its count runs its part once and reports back.
#include "interpreter/thread_pool.hpp"

#include <unistd.h>

#include <system_error>

namespace utfall {

ThreadPool::ThreadPool() : pool_(std::make_unique<std::vector<std::thread>>()), pid_(static_cast<int>(::getpid())) {}

ThreadPool::~ThreadPool() {
  if (static_cast<int>(::getpid()) != pid_) {
    (void)pool_.release();  // a forked child: its parent's threads are not here to join
    return;
  }
  {
    std::lock_guard lock(m_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : *pool_) t.join();
}

std::size_t ThreadPool::threads() const {
  std::lock_guard lock(m_);
  return pool_->size();
}

void ThreadPool::work(unsigned worker) {
  std::uint64_t seen = 0;
  std::unique_lock lock(m_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    if (worker >= count_) continue;  // not asked for in this loop
    const auto* loop = loop_;
    lock.unlock();
    (*loop)(worker);
    lock.lock();
    if (--remaining_ == 0) done_.notify_one();
  }
}

unsigned ThreadPool::run(unsigned count, const std::function<void(unsigned)>& loop) {
  if (static_cast<int>(::getpid()) != pid_) return 0;
  if (count == 0) return 0;
  {
    std::lock_guard lock(m_);
    try {
      while (pool_->size() + 1 < count) {
        const auto worker = static_cast<unsigned>(pool_->size() + 1);
        pool_->emplace_back([this, worker] { work(worker); });
      }
    } catch (const std::system_error&) {  // no more threads to be had: those started do the work
      count = static_cast<unsigned>(pool_->size() + 1);
    }
    count_ = count;
    remaining_ = count - 1;
    loop_ = &loop;
    ++generation_;
  }
  if (count > 1) wake_.notify_all();
  loop(0);
  std::unique_lock lock(m_);
  done_.wait(lock, [&] { return remaining_ == 0; });
  loop_ = nullptr;
  return count;
}

}  // namespace utfall
