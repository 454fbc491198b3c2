#include "querylens/stats/digest_observer.h"

#include <array>
#include <chrono>
#include <vector>

namespace querylens::stats {
namespace {

constexpr auto kDrainPeriod = std::chrono::milliseconds(10);

std::atomic<uint64_t> next_observer_id{1};

}  // namespace

// A single-producer ring: one thread appends, whoever holds the observer's mutex drains. The
// producer writes its record and `head`; the consumer reads them and writes `tail` once per
// drain — no cache line is written by both sides per event.
struct DigestObserver::Lane {
  static constexpr uint64_t kSize = 1024;  // a power of two

  struct Record {
    const QueryShape* shape;
    int64_t duration_ns;
    int64_t start_us;
    int64_t rows;
  };

  // False when the lane is full. `nudge` is set when the lane reaches half full: the drainer
  // should be woken before its period.
  bool try_push(const QueryEvent& event, bool* nudge) {
    uint64_t h = head.load(std::memory_order_relaxed);
    if (h - cached_tail >= kSize) [[unlikely]] {
      cached_tail = tail.load(std::memory_order_acquire);
      if (h - cached_tail >= kSize) return false;
    }
    // Ask for the line eight records ahead in write mode now: the drainer's core read it one
    // lap ago, and taking it back when the store needs it stalls the application's thread.
    __builtin_prefetch(&records[(h + 8) & (kSize - 1)], 1, 3);
    records[h & (kSize - 1)] = {event.shape, event.duration_ns, event.start_us, event.rows};
    head.store(h + 1, std::memory_order_release);
    *nudge = h - cached_tail == kSize / 2;
    return true;
  }

  template <typename F>
  uint64_t drain(F&& fold) {
    uint64_t t = tail.load(std::memory_order_relaxed);
    uint64_t h = head.load(std::memory_order_acquire);
    for (uint64_t i = t; i != h; ++i) fold(records[i & (kSize - 1)]);
    tail.store(h, std::memory_order_release);
    return h - t;
  }

  // What the producing thread last learned, per shape, of the slowest sample's duration: an
  // event no slower cannot replace the sample, so it needs no text. Direct-mapped by shape
  // address; a collision only sends an event down the direct path.
  struct KnownSample {
    const QueryShape* shape = nullptr;
    int64_t sample_ns = 0;
  };
  static constexpr size_t kKnownSlots = 64;
  KnownSample& known(const QueryShape* shape) {
    return known_samples[(reinterpret_cast<uintptr_t>(shape) >> 6) & (kKnownSlots - 1)];
  }

  // The producer's side.
  alignas(64) std::atomic<uint64_t> head{0};
  uint64_t cached_tail = 0;  // the producer's last look at `tail`
  std::array<KnownSample, kKnownSlots> known_samples;
  // The consumer's side.
  alignas(64) std::atomic<uint64_t> tail{0};
  std::atomic<bool> abandoned{false};  // its thread exited: reusable once drained
  alignas(64) std::array<Record, kSize> records;
};

namespace {

// The hot path's per-thread cache: observer id → this thread's lane in it (null: none to be
// had, publish directly). Constant-initialized and trivially destructible, so reading it
// costs no thread_local guard.
struct CachedLane {
  uint64_t observer = 0;
  DigestObserver::Lane* lane = nullptr;
};
constexpr size_t kCachedLanes = 4;  // observers a thread alternates between without a lookup
thread_local std::array<CachedLane, kCachedLanes> cached_lanes;

// Owns this thread's lanes (shared with their observers); read only on the slow path. Its
// destructor runs when the thread exits and marks the lanes reusable.
// Once set (this thread is exiting, its lanes given up), the thread publishes directly.
thread_local bool leases_released = false;
struct LaneLeases {
  std::vector<std::pair<uint64_t, std::shared_ptr<DigestObserver::Lane>>> held;
  ~LaneLeases() {
    // An observer called from a later thread_local destructor must not write a lane that
    // another thread may already own.
    leases_released = true;
    cached_lanes = {};
    for (auto& [observer, lane] : held) lane->abandoned.store(true, std::memory_order_release);
  }
};
thread_local LaneLeases lane_leases;

}  // namespace

DigestObserver::DigestObserver(sql::ShapeRegistry& shapes)
    : id_(next_observer_id.fetch_add(1, std::memory_order_relaxed)), digest_(shapes) {
  drainer_ = std::jthread([this](std::stop_token stop) { drain_periodically(stop); });
}

DigestObserver::~DigestObserver() {
  drainer_.request_stop();
  if (drainer_.joinable()) drainer_.join();
}

// The fast path, kept free of calls so that it needs no saved registers: an event of a shape
// whose sample it cannot replace goes into this thread's cached lane. Everything else — first
// event on this thread, a possibly slower sample, a full lane — tail-calls on_query_slow().
void DigestObserver::on_query(const QueryEvent& event) {
  if (event.shape != nullptr && event.timed() && !event.failed()) [[likely]] {
    const CachedLane& cached = cached_lanes[id_ & (kCachedLanes - 1)];
    if (cached.observer == id_ && cached.lane != nullptr) [[likely]] {
      Lane* lane = cached.lane;
      const Lane::KnownSample& known = lane->known(event.shape);
      bool nudge = false;
      if (known.shape == event.shape && event.duration_ns <= known.sample_ns &&
          lane->try_push(event, &nudge)) [[likely]] {
        if (nudge) [[unlikely]]
          request_drain();
        return;
      }
    }
  }
  on_query_slow(event);
}

void DigestObserver::request_drain() {
  drain_requested_.store(true, std::memory_order_relaxed);
  wake_.notify_one();
}

void DigestObserver::on_query_slow(const QueryEvent& event) {
  Lane* lane = nullptr;
  if (event.shape != nullptr && event.timed() && !event.failed()) {
    const CachedLane& cached = cached_lanes[id_ & (kCachedLanes - 1)];
    lane = cached.observer == id_ ? cached.lane : lane_for_this_thread();
    if (lane != nullptr) {
      const Lane::KnownSample& known = lane->known(event.shape);
      bool nudge = false;
      if (known.shape == event.shape && event.duration_ns <= known.sample_ns &&
          lane->try_push(event, &nudge)) {
        if (nudge) request_drain();
        return;
      }
    }
  }
  add_directly(event, lane);
}

DigestObserver::Lane* DigestObserver::lane_for_this_thread() {
  if (leases_released) return nullptr;
  auto& held = lane_leases.held;
  // Leases of observers that are gone (only this thread still holds their lane) go first.
  std::erase_if(held, [](const auto& lease) { return lease.second.use_count() == 1; });
  std::shared_ptr<Lane> lane;
  for (const auto& [observer, mine] : held) {
    if (observer == id_) lane = mine;
  }
  if (!lane) {
    lane = acquire_lane();
    if (lane) held.emplace_back(id_, lane);
  }
  cached_lanes[id_ & (kCachedLanes - 1)] = {id_, lane.get()};
  return lane.get();
}

std::shared_ptr<DigestObserver::Lane> DigestObserver::acquire_lane() {
  std::lock_guard lock(mutex_);
  for (const auto& lane : lanes_) {
    // The exited thread's last records stay queued: the new producer goes on from its head,
    // and the acquire (then the mutex) orders its writes before the new thread's.
    if (lane->abandoned.load(std::memory_order_acquire)) {
      lane->abandoned.store(false, std::memory_order_relaxed);
      lane->cached_tail = lane->tail.load(std::memory_order_relaxed);
      lane->known_samples = {};
      return lane;
    }
  }
  if (lanes_.size() >= kMaxLanes) return nullptr;
  lanes_.push_back(std::make_shared<Lane>());
  return lanes_.back();
}

size_t DigestObserver::lane_count() const {
  std::lock_guard lock(mutex_);
  return lanes_.size();
}

void DigestObserver::add_directly(const QueryEvent& event, Lane* lane) {
  direct_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  const ShapeStats& stats = digest_.add(event);
  // Only this thread writes its lane's known samples; the mutex makes the value current.
  if (lane != nullptr && stats.shape == event.shape) {
    lane->known(event.shape) = {event.shape, stats.sample_duration_ns};
  }
}

void DigestObserver::drain_locked() const {
  uint64_t drained = 0;
  for (const auto& lane : lanes_) {
    drained += lane->drain([this](const Lane::Record& r) {
      digest_.add_timed(r.shape, r.duration_ns, r.start_us, r.rows);
    });
  }
  laned_.fetch_add(drained, std::memory_order_relaxed);
}

void DigestObserver::drain_periodically(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    // Woken by the period, by a lane half full, or by the destructor. A nudge lost between
    // the check and the wait only delays the drain to the period: a full lane falls back to
    // the direct path, so nothing waits on it.
    wake_.wait_for(lock, stop, kDrainPeriod,
                   [this] { return drain_requested_.load(std::memory_order_relaxed); });
    drain_requested_.store(false, std::memory_order_relaxed);
    drain_locked();
  }
}

}  // namespace querylens::stats
