// QueryObserver and EventHub — how events reach whoever wants them.
//
// The instrumented database layer publishes one QueryEvent per statement to an EventHub; the
// file sources publish what they read the same way. This is the C++ face of SQLAlchemy's
// before/after_cursor_execute and handle_error hooks.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "querylens/core/query_event.h"

namespace querylens {

// A plan the server logged for a statement it ran (auto_explain with log_format = json or
// text): one of plan_json and plan_text is set. Views valid during the on_plan() call.
struct CapturedPlan {
  std::string_view plan_json;  // {"Query Text": …, "Plan": {…}, …} as logged
  std::string_view plan_text;  // "Query Text: …\n<the tree>" (plan/parse.h reads both)
  int64_t duration_ns = kUnknown;
  int64_t start_us = 0;  // 0 = unknown
  std::string_view session;
  std::string_view source;  // "file:line" of the log record, for diagnostics
};

class QueryObserver {
 public:
  virtual ~QueryObserver() = default;
  // Called once per statement, possibly from several threads at once: implementations must be
  // thread-safe when the publisher is a shared Database. Must not throw.
  virtual void on_query(const QueryEvent& event) = 0;
  // Called for each plan a log source carries (file sources only; never on the hot path). The
  // statement itself arrives through on_query() when the log also timed it: a plan is not a
  // second execution. Default: ignored.
  virtual void on_plan(const CapturedPlan& /*plan*/) {}
};

// A fixed set of observer slots read without locks on the hot path: publish() costs one
// atomic load per slot in use, which the instrumentation benchmark (bench/) keeps within 5%
// of a raw SQLite point lookup. Adding and removing take a mutex and are rare.
class EventHub {
 public:
  static constexpr size_t kMaxObservers = 16;

  EventHub() = default;
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Throws Error(kUsage) when kMaxObservers are already registered.
  void add(std::shared_ptr<QueryObserver> observer);
  // A removed observer receives no new events; the hub keeps it alive until the hub is destroyed
  // because a publish() on another thread may still be inside its on_query().
  void remove(const QueryObserver* observer);

  bool empty() const { return active_.load(std::memory_order_acquire) == 0; }
  // Delivers to every observer; an observer that throws is counted and skipped, never
  // propagated into the application's query.
  void publish(const QueryEvent& event) const {  // inline: the instrumented hot path
    size_t used = used_.load(std::memory_order_acquire);
    for (size_t i = 0; i < used; ++i) {
      QueryObserver* observer = slots_[i].load(std::memory_order_acquire);
      if (observer == nullptr) continue;
      try {
        observer->on_query(event);
      } catch (...) {
        // An observer's failure must never fail the application's query.
        failures_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  uint64_t observer_failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<QueryObserver*>, kMaxObservers> slots_{};
  std::atomic<size_t> used_{0};    // slots_[0, used_) may be non-null
  std::atomic<size_t> active_{0};  // non-null slots
  mutable std::atomic<uint64_t> failures_{0};
  std::mutex mutex_;
  std::vector<std::shared_ptr<QueryObserver>> owned_;  // keeps observers alive
};

}  // namespace querylens
