#include "querylens/stats/timeline.h"

namespace querylens::stats {

void Timeline::add(const QueryEvent& event, int latency_bucket) {
  if (!event.timed() || event.start_us <= 0) return;
  constexpr int64_t kMinuteUs = 60'000'000;
  int64_t minute = event.start_us - event.start_us % kMinuteUs;
  if (last_ == minutes_.end() || last_->first != minute) last_ = minutes_.try_emplace(minute).first;
  MinuteStats& m = last_->second;
  ++m.calls;
  if (event.failed()) ++m.errors;
  if (event.duration_ns > slow_ns_) ++m.slow;
  m.total_ns += event.duration_ns;
  m.latency.record_in_bucket(event.duration_ns, latency_bucket);
}

void Timeline::merge(const Timeline& other) {
  for (const auto& [minute, o] : other.minutes_) {
    MinuteStats& m = minutes_[minute];
    m.calls += o.calls;
    m.errors += o.errors;
    m.slow += o.slow;
    m.total_ns += o.total_ns;
    m.latency.merge(o.latency);
  }
}

}  // namespace querylens::stats
