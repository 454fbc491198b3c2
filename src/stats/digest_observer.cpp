#include "querylens/stats/digest_observer.h"

#include <chrono>

namespace querylens::stats {
namespace {

constexpr auto kDrainPeriod = std::chrono::milliseconds(10);

std::atomic<uint64_t> next_observer_id{1};
std::atomic<size_t> next_thread_index{0};

// Threads are spread over the lanes in the order they first publish: the first kLanes
// threads of a pool each get a lane of their own. Constant-initialized, so reading it costs
// no thread_local initialization guard.
constexpr size_t kNoIndex = ~size_t{0};
thread_local size_t thread_index = kNoIndex;

size_t this_thread_index() {
  if (thread_index == kNoIndex) [[unlikely]] {
    thread_index = next_thread_index.fetch_add(1, std::memory_order_relaxed);
  }
  return thread_index;
}

// What this thread last learned, per shape, of the slowest sample's duration: an event no
// slower cannot replace the sample, so it needs no text. Direct-mapped by shape address;
// a collision or another observer only sends an event down the direct path.
struct KnownSample {
  uint64_t observer = 0;
  const QueryShape* shape = nullptr;
  int64_t sample_ns = 0;
};
constexpr size_t kKnownSlots = 64;
thread_local std::array<KnownSample, kKnownSlots> known_samples;

KnownSample& known_slot(const QueryShape* shape) {
  return known_samples[(reinterpret_cast<uintptr_t>(shape) >> 6) & (kKnownSlots - 1)];
}

}  // namespace

// A bounded multi-producer ring (Vyukov's sequence-numbered cells) with one consumer at a
// time: whoever holds the observer's mutex.
struct DigestObserver::Lane {
  static constexpr uint64_t kSize = 1024;  // a power of two

  struct Cell {
    std::atomic<uint64_t> sequence;
    const QueryShape* shape;
    int64_t duration_ns;
    int64_t start_us;
    int64_t rows;
  };

  Lane() : cells(new Cell[kSize]) {
    for (uint64_t i = 0; i < kSize; ++i) cells[i].sequence.store(i, std::memory_order_relaxed);
  }

  // False when the lane is full. `nudge` is set on every (kSize / 2)-th record, when the
  // drainer should be woken early.
  bool try_push(const QueryEvent& event, bool* nudge) {
    uint64_t pos = enqueue.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells[pos & (kSize - 1)];
      uint64_t sequence = cell.sequence.load(std::memory_order_acquire);
      auto lag = static_cast<int64_t>(sequence - pos);
      if (lag == 0) {
        if (enqueue.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          cell.shape = event.shape;
          cell.duration_ns = event.duration_ns;
          cell.start_us = event.start_us;
          cell.rows = event.rows;
          cell.sequence.store(pos + 1, std::memory_order_release);
          *nudge = (pos & (kSize / 2 - 1)) == kSize / 2 - 1;
          return true;
        }
      } else if (lag < 0) {
        return false;  // the cell still holds a record from a lap ago: full
      } else {
        pos = enqueue.load(std::memory_order_relaxed);
      }
    }
  }

  template <typename F>
  void drain(F&& fold) {
    for (;;) {
      Cell& cell = cells[dequeue & (kSize - 1)];
      if (cell.sequence.load(std::memory_order_acquire) != dequeue + 1) return;  // empty
      fold(cell);
      cell.sequence.store(dequeue + kSize, std::memory_order_release);
      ++dequeue;
    }
  }

  alignas(64) std::atomic<uint64_t> enqueue{0};
  alignas(64) uint64_t dequeue = 0;  // the consumer's; read and written under the mutex
  std::unique_ptr<Cell[]> cells;
};

DigestObserver::DigestObserver(sql::ShapeRegistry& shapes)
    : id_(next_observer_id.fetch_add(1, std::memory_order_relaxed)), digest_(shapes) {
  for (auto& lane : lanes_) lane = std::make_unique<Lane>();
  drainer_ = std::jthread([this](std::stop_token stop) { drain_periodically(stop); });
}

DigestObserver::~DigestObserver() {
  drainer_.request_stop();
  if (drainer_.joinable()) drainer_.join();
}

void DigestObserver::on_query(const QueryEvent& event) {
  if (event.shape != nullptr && event.timed() && !event.failed()) {
    const KnownSample& known = known_slot(event.shape);
    if (known.observer == id_ && known.shape == event.shape &&
        event.duration_ns <= known.sample_ns) {
      bool nudge = false;
      if (lanes_[this_thread_index() & (kLanes - 1)]->try_push(event, &nudge)) {
        if (nudge) {
          drain_requested_.store(true, std::memory_order_relaxed);
          wake_.notify_one();
        }
        return;
      }
    }
  }
  add_directly(event);
}

void DigestObserver::add_directly(const QueryEvent& event) {
  direct_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  const ShapeStats& stats = digest_.add(event);
  if (event.shape != nullptr && stats.shape == event.shape) {
    known_slot(event.shape) = {id_, event.shape, stats.sample_duration_ns};
  }
}

void DigestObserver::drain_locked() const {
  uint64_t drained = 0;
  for (const auto& lane : lanes_) {
    lane->drain([this, &drained](const Lane::Cell& cell) {
      digest_.add_timed(cell.shape, cell.duration_ns, cell.start_us, cell.rows);
      ++drained;
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
