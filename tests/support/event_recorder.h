// An observer that keeps every event it is shown, for tests.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "querylens/capture/observer.h"
#include "querylens/core/query_event.h"

namespace querylens::testing {

class EventRecorder : public QueryObserver {
 public:
  void on_query(const QueryEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.emplace_back(event);
  }
  // REQUIRES: nothing publishes to this recorder any more (the reference is not guarded).
  const std::vector<OwnedQueryEvent>& events() const { return events_; }
  // The events so far, leaving the recorder empty; safe while others publish.
  std::vector<OwnedQueryEvent> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<OwnedQueryEvent> events_;
};

// The value of tag `name` on the event, or "".
inline std::string tag(const OwnedQueryEvent& event, std::string_view name) {
  for (const auto& [key, value] : event.tags) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace querylens::testing
