// Sweep: blocks of cases handed out through one atomic counter; each thread evaluates in its own
// Workspace and writes only the results of the cases it took.
#include "interpreter/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "interpreter/thread_pool.hpp"

namespace utfall {

unsigned sweep_threads(unsigned requested) {
  if (requested == 0) requested = std::thread::hardware_concurrency();
  return std::clamp(requested, 1u, kMaxSweepThreads);
}

unsigned sweep_threads(unsigned requested, std::size_t items) {
  return static_cast<unsigned>(std::min<std::size_t>(sweep_threads(requested), std::max<std::size_t>(items, 1)));
}

std::size_t sweep_block(std::size_t n, unsigned threads) {
  return std::clamp<std::size_t>(n / (std::size_t{sweep_threads(threads)} * 8), 16, 256);
}

namespace {

// Runs loop(worker) on `count` threads, worker 0 on this one, and returns when all have. When
// the system refuses a thread, the threads already started do the work.
// With a pool, on its threads instead, unless it cannot run here (a forked child).
template <typename Loop>
void on_threads(unsigned count, Loop& loop, ThreadPool* pool = nullptr) {
  if (count == 1) return loop(0);
  if (pool && pool->run(count, std::function<void(unsigned)>(std::ref(loop))) > 0) return;
  std::vector<std::jthread> started;
  started.reserve(count - 1);
  try {
    for (unsigned w = 1; w < count; ++w) started.emplace_back(std::ref(loop), w);
  } catch (const std::system_error&) {  // no more threads to be had (a ulimit): go on with those started
  }
  loop(0);
}  // the jthreads join here

}  // namespace

void parallel_for(std::size_t n, unsigned threads, const std::function<void(unsigned, std::size_t)>& work, ThreadPool* pool) {
  unsigned count = sweep_threads(threads, n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  // Runs of consecutive cases, about 32 per thread, at most 64 cases: a shared counter touched
  // once per case costs a cache line passed between cores every time, and neighbouring results
  // written by two threads share cache lines; runs keep both local and still balance.
  const std::size_t grain = std::clamp<std::size_t>(n / (std::size_t{count} * 32), 1, 64);
  auto loop = [&](unsigned worker) {
    try {
      for (std::size_t start; !stop.load(std::memory_order_relaxed) && (start = next.fetch_add(grain, std::memory_order_relaxed)) < n;)
        for (std::size_t i = start, end = std::min(n, start + grain); i < end && !stop.load(std::memory_order_relaxed); ++i)
          work(worker, i);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };
  on_threads(count, loop, pool);
  if (error) std::rethrow_exception(error);
}

void ordered_for(std::size_t n, unsigned threads, std::size_t window, const std::function<void(unsigned, std::size_t)>& work,
                 const std::function<void(std::size_t)>& finish) {
  const unsigned count = sweep_threads(threads, n);
  window = std::max<std::size_t>(window, 1);
  std::mutex m;
  std::condition_variable room;  // signalled when an item is finished (or on a stop)
  std::size_t next = 0;          // the first item no thread has taken
  std::size_t finished = 0;      // items 0 .. finished-1 are finished
  bool finishing = false;        // a thread is in the finishing loop
  bool stop = false;
  std::exception_ptr error;
  std::vector<char> done(window, 0);  // done[i % window]: item i worked, not yet finished
  auto loop = [&](unsigned worker) {
    std::unique_lock lock(m);
    try {
      for (;;) {
        room.wait(lock, [&] { return stop || next >= n || next < finished + window; });
        if (stop || next >= n) return;
        const std::size_t i = next++;
        lock.unlock();
        work(worker, i);
        lock.lock();
        done[i % window] = 1;
        if (finishing) continue;  // the thread finishing will come to it
        finishing = true;
        while (!stop && finished < n && done[finished % window]) {
          done[finished % window] = 0;
          lock.unlock();
          finish(finished);  // only this thread touches `finished` while `finishing`
          lock.lock();
          ++finished;
          room.notify_all();
        }
        finishing = false;
      }
    } catch (...) {
      if (!lock.owns_lock()) lock.lock();
      if (!error) error = std::current_exception();
      stop = true;
      room.notify_all();
    }
  };
  on_threads(count, loop);
  if (error) std::rethrow_exception(error);
}

std::vector<Evaluation> sweep(const checked::Contract& contract, const std::vector<SweepCase>& cases, unsigned threads) {
  std::vector<Evaluation> results(cases.size());
  // Blocks of consecutive cases, each evaluated together (evaluate_each: on the fixed-point
  // path's lanes where it takes them).
  const std::size_t block = sweep_block(cases.size(), threads);
  const std::size_t blocks = (cases.size() + block - 1) / block;
  struct Worker {
    Workspace workspace;
    std::vector<const Dataset*> data;
    std::vector<const EvalOptions*> options;
  };
  std::vector<Worker> workers(sweep_threads(threads, blocks));
  parallel_for(blocks, static_cast<unsigned>(workers.size()), [&](unsigned worker, std::size_t b) {
    Worker& w = workers[worker];
    const std::size_t first = b * block, last = std::min(cases.size(), first + block);
    w.data.clear(), w.options.clear();
    for (std::size_t i = first; i < last; ++i) w.data.push_back(cases[i].data), w.options.push_back(&cases[i].options);
    evaluate_each(contract, w.data.data(), w.options.data(), last - first, w.workspace, results.data() + first);
  });
  return results;
}

}  // namespace utfall
