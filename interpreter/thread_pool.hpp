// A pool of threads kept between parallel loops, for a host that sweeps again and again (a
// fund's model calling Engine::sweep in a loop): the threads, their malloc arenas and caches,
// and whatever the caller keeps per worker (a warm Session) outlive one loop, where starting
// fifteen threads per call cost more than the 10 000 evaluations they were started for.
//
// One loop at a time: the caller serializes (Engine::sweep holds a lock, and takes fresh
// threads when another sweep holds the pool). A pool made before a fork() is not used in the
// child, whose copy has no threads: run() says so and the caller takes fresh threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace utfall {

class ThreadPool {
 public:
  ThreadPool();
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Calls loop(worker) for every worker in [0, count): worker 0 on the calling thread, the
  // others on the pool's threads (started as needed and kept), and returns when all have
  // returned. When the system refuses a thread, fewer workers run: the number that ran is
  // returned, at least 1 when loop ran at all. `loop` must not throw (it catches its own).
  // Returns 0, having run nothing, in a child process forked after the pool had threads.
  unsigned run(unsigned count, const std::function<void(unsigned worker)>& loop);

  // Threads started so far (the calling thread not counted).
  std::size_t threads() const;

 private:
  void work(unsigned worker);  // the body of pool thread `worker` (1, 2, ...)

  mutable std::mutex m_;
  std::condition_variable wake_;  // a new loop, or the pool ends
  std::condition_variable done_;  // a worker finished its part of the loop
  std::uint64_t generation_ = 0;  // loops started
  unsigned count_ = 0;            // workers of the current loop
  unsigned remaining_ = 0;        // pool workers of the current loop not yet returned
  const std::function<void(unsigned)>* loop_ = nullptr;
  bool stopping_ = false;
  // Held by pointer so that a forked child, which has the handles but not the threads, can
  // leave them alone (joining them there would wait forever).
  std::unique_ptr<std::vector<std::thread>> pool_;
  const int pid_;  // the process that made the pool
};

}  // namespace utfall
