// Timeline — the workload minute by minute: calls, errors, slow calls, and latency quantiles.
//
// Fed with timed, timestamped events (others are ignored). One small LatencyHistogram per
// minute that saw traffic: a month of continuous traffic is ~43k minutes, a few tens of MB at
// worst, and an hour-long log a few hundred KB. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>

#include "querylens/core/query_event.h"
#include "querylens/stats/histogram.h"

namespace querylens::stats {

struct MinuteStats {
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t slow = 0;
  int64_t total_ns = 0;
  LatencyHistogram latency;
};

class Timeline {
 public:
  // Calls slower than slow_ns count as slow (the slow-query threshold).
  explicit Timeline(int64_t slow_ns) : slow_ns_(slow_ns) {}

  void add(const QueryEvent& event) {
    add(event, event.timed() ? LatencyHistogram::bucket_of(event.duration_ns) : 0);
  }
  // add() for a caller that has the latency's bucket already: `latency_bucket` =
  // LatencyHistogram::bucket_of(event.duration_ns) when the event is timed (else unused).
  void add(const QueryEvent& event, int latency_bucket);
  // Adds another timeline's minutes (with the same slow threshold).
  void merge(const Timeline& other);
  // Minute start (Unix microseconds, a multiple of 60 s) → its statistics, in time order.
  const std::map<int64_t, MinuteStats>& minutes() const { return minutes_; }

 private:
  int64_t slow_ns_;
  std::map<int64_t, MinuteStats> minutes_;
  std::map<int64_t, MinuteStats>::iterator last_ = minutes_.end();  // logs are mostly in order
};

}  // namespace querylens::stats
