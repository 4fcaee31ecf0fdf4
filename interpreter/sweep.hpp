// Sweep: one checked contract, many evaluations, on all cores.
//
// Takes a contract and a list of cases (a bound data set and evaluation options, e.g. term
// overrides) and gives one Evaluation per case, in the order of the cases. Each thread works
// in its own Workspace; the contract and the data sets are only read. Every evaluation is a
// pure function of its case, so the results do not depend on the number of threads or on
// how the cases fall to them.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "interpreter/evaluate.hpp"

namespace utfall {

class ThreadPool;

// At most this many threads: more would only cost memory (one Workspace each), and asking the
// system for 100 000 threads fails.
constexpr unsigned kMaxSweepThreads = 256;
// The threads a sweep uses: `requested`, or all cores when 0 (at least 1, at most kMaxSweepThreads).
unsigned sweep_threads(unsigned requested);
// The threads worth starting for `items` pieces of work: sweep_threads(requested), at most one
// a piece, at least 1 (no work still runs on the caller's thread).
unsigned sweep_threads(unsigned requested, std::size_t items);

// How many consecutive cases of a sweep of n cases on `threads` threads are evaluated together
// (one evaluate_each): 256 where there are cases enough, fewer so that every thread has about
// eight blocks to take (16 threads over 10 000 cases: blocks of 78, not 40 blocks of 256 that
// leave threads idle at the end), at least 16 so a block still pays for itself.
std::size_t sweep_block(std::size_t n, unsigned threads);

// Calls work(worker, i) for every i in [0, n) on min(threads, n) threads, worker being the
// thread's number in [0, threads). Cases are handed out in runs of consecutive ones, about 32
// runs per thread and at most 64 cases a run, so uneven cases balance.
// The first exception thrown by `work` is rethrown once every thread has stopped. When the
// system refuses a thread, the threads already started do the work.
// With a pool, its threads work (ThreadPool::run), started only where it has too few.
void parallel_for(std::size_t n, unsigned threads, const std::function<void(unsigned worker, std::size_t i)>& work,
                  ThreadPool* pool = nullptr);

// Calls work(worker, i) for every i in [0, n) on min(threads, n) threads, and finish(i) for every
// i in order 0, 1, ..., each once work(·, i) has returned: one finish at a time, on whichever
// thread completed the item it waited for, while the others go on working. At most `window`
// items are worked but not yet finished (a thread waits for room), so a writer keeps that many
// blocks of output in memory, not the whole run. No barrier between items, one pool of threads
// for the whole loop. The first exception thrown by either is rethrown once every thread has
// stopped; no finish is called after it.
void ordered_for(std::size_t n, unsigned threads, std::size_t window, const std::function<void(unsigned worker, std::size_t i)>& work,
                 const std::function<void(std::size_t i)>& finish);

struct SweepCase {
  const Dataset* data;  // bound for the contract; may be shared by many cases
  EvalOptions options;
};

// One Evaluation per case, results[i] for cases[i].
std::vector<Evaluation> sweep(const checked::Contract& contract, const std::vector<SweepCase>& cases, unsigned threads = 0);

}  // namespace utfall
