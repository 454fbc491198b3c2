// DigestObserver — feeds a Digest from an EventHub, built so the application's thread pays as
// little as possible per statement (the instrumentation budget in docs/PERFORMANCE.md).
//
// Most events need no text: timed, succeeded, classified, and not slower than the slowest
// statement already sampled for their shape. Those become a 32-byte record in the publishing
// thread's own lane — a single-producer ring, so the application's thread writes its record
// and one index, with no lock and no atomic read-modify-write — and a background thread folds
// the lanes into the digest every few milliseconds. Every other event (an error, a new
// slowest sample, untimed, unclassified), any event that finds its lane full, and the events
// of threads beyond kMaxLanes go straight into the digest under the lock: nothing is ever
// dropped. with_digest() folds the lanes first, so a read sees every event whose on_query()
// returned before it. A thread's lane is handed to a new thread once the first has exited
// (its last records stay queued for the drainer), so a server that churns threads keeps at
// most as many lanes as it had threads publishing at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "querylens/capture/observer.h"
#include "querylens/stats/digest.h"

namespace querylens::stats {

class DigestObserver : public QueryObserver {
 public:
  explicit DigestObserver(sql::ShapeRegistry& shapes);
  ~DigestObserver() override;
  DigestObserver(const DigestObserver&) = delete;
  DigestObserver& operator=(const DigestObserver&) = delete;

  void on_query(const QueryEvent& event) override;

  // Runs f(const Digest&) with every event published so far folded in; no event lands halfway.
  template <typename F>
  auto with_digest(F&& f) const {
    std::lock_guard lock(mutex_);
    drain_locked();
    return f(static_cast<const Digest&>(digest_));
  }

  // Events folded in from a lane / that went straight into the digest (tests, benchmarks).
  uint64_t laned_events() const { return laned_.load(std::memory_order_relaxed); }
  uint64_t direct_events() const { return direct_.load(std::memory_order_relaxed); }
  // Lanes created so far (each belongs to one live thread at a time).
  size_t lane_count() const;

  static constexpr size_t kMaxLanes = 64;  // threads beyond this publish directly

  struct Lane;  // defined in digest_observer.cpp

 private:
  Lane* lane_for_this_thread();
  [[gnu::noinline]] void on_query_slow(const QueryEvent& event);
  [[gnu::noinline]] void request_drain();  // a lane is half full: wake the drainer early
  std::shared_ptr<Lane> acquire_lane();
  void add_directly(const QueryEvent& event, Lane* lane);  // lane: this thread's, or null
  void drain_locked() const;
  void drain_periodically(std::stop_token stop);

  const uint64_t id_;  // unique per observer, never reused: keys the per-thread caches
  mutable std::mutex mutex_;
  mutable Digest digest_;
  std::vector<std::shared_ptr<Lane>> lanes_;  // under mutex_
  std::condition_variable_any wake_;
  std::atomic<bool> drain_requested_{false};  // a lane is half full: drain before the period
  mutable std::atomic<uint64_t> laned_{0};
  std::atomic<uint64_t> direct_{0};
  std::jthread drainer_;  // last: stopped and joined before the members above go away
};

}  // namespace querylens::stats
