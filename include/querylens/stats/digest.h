// Digest — per-shape aggregation of a QueryEvent stream.
//
// For each shape: calls, timing (total / mean / min / max and a LatencyHistogram for
// p50 / p95 / p99), rows, errors, first and last seen, and the slowest statement as a sample.
// Events without timing (.sql files) count as calls only. Not thread-safe; DigestObserver is
// the thread-safe observer for the instrumented database layer (digest_observer.h).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "querylens/capture/observer.h"
#include "querylens/core/query_event.h"
#include "querylens/stats/histogram.h"
#include "querylens/stats/literal_invariance.h"

namespace querylens::sql {
class ShapeRegistry;
}

namespace querylens::stats {

struct ShapeStats {
  const QueryShape* shape = nullptr;
  uint64_t calls = 0;
  uint64_t timed_calls = 0;
  int64_t total_ns = 0;
  int64_t min_ns = 0;  // over timed calls (0 when none)
  int64_t max_ns = 0;
  LatencyHistogram latency;  // every timed event; aggregates (pg_stat_statements) have none
  int64_t rows = 0;          // sum over calls that reported rows
  uint64_t errors = 0;
  int64_t first_seen_us = 0;  // 0 = unknown
  int64_t last_seen_us = 0;
  std::string sample;  // the slowest statement seen (the first one when untimed)
  int64_t sample_duration_ns = kUnknown;
  std::string last_error;
  // Which literals were the same in every call; empty unless Digest::track_literals is on.
  LiteralInvariance literals;

  int64_t mean_ns() const { return timed_calls ? total_ns / static_cast<int64_t>(timed_calls) : 0; }
  // False when some timed calls came as aggregates without a distribution: then quantiles
  // are unknown, not zero.
  bool has_distribution() const { return timed_calls > 0 && latency.count() == timed_calls; }
};

// Pre-aggregated statistics of one shape (a pg_stat_statements row).
struct AggregateStats {
  uint64_t calls = 0;
  int64_t total_ns = 0;
  int64_t min_ns = 0;
  int64_t max_ns = 0;
  int64_t rows = 0;
};

enum class RankBy { kTotal, kCalls, kMean, kP99 };
// "total" / "calls" / "mean" / "p99"; false when unknown.
bool parse_rank_by(std::string_view text, RankBy* out);

class Digest {
 public:
  // Events without a shape are classified through `shapes` (which must outlive the digest).
  explicit Digest(sql::ShapeRegistry& shapes) : shapes_(shapes) {}

  // Compare each statement's literals with its shape's first (ShapeStats::literals), for the
  // index advisor. Off by default: it lexes every statement again, and add() is on the
  // instrumented layer's and the log reader's hot paths. Set before the first event;
  // add_timed() and add_aggregate() carry no text and are never compared.
  void track_literals(bool on) { track_literals_ = on; }
  bool tracks_literals() const { return track_literals_; }

  // Returns the statistics of the event's shape.
  const ShapeStats& add(const QueryEvent& event);
  // add() for a caller that has the latency's bucket already: `latency_bucket` =
  // LatencyHistogram::bucket_of(event.duration_ns) when the event is timed (else unused).
  const ShapeStats& add(const QueryEvent& event, int latency_bucket);
  // A timed, successful event of a known shape that cannot change its sample (no slower than
  // the sample): what DigestObserver defers, without the statement text.
  void add_timed(const QueryShape* shape, int64_t duration_ns, int64_t start_us, int64_t rows);
  // Adds calls known only in aggregate; `sample` is the statement text to show.
  void add_aggregate(std::string_view sample, const AggregateStats& stats);
  void merge(const Digest& other);

  // Shapes ordered by `by` (descending), ties broken by fingerprint; limit 0 = all.
  std::vector<const ShapeStats*> ranked(RankBy by, size_t limit = 0) const;
  const ShapeStats* find(uint64_t fingerprint) const;
  size_t shape_count() const { return by_shape_.size(); }
  uint64_t total_calls() const { return total_calls_; }
  uint64_t total_errors() const { return total_errors_; }
  int64_t total_ns() const { return total_ns_; }
  int64_t first_seen_us() const { return first_seen_us_; }
  int64_t last_seen_us() const { return last_seen_us_; }
  sql::ShapeRegistry& shapes() const { return shapes_; }

 private:
  sql::ShapeRegistry& shapes_;
  ShapeStats& stats_for(const QueryShape* shape);
  void count_call(ShapeStats& s, int64_t start_us, int64_t rows);
  void record_duration(ShapeStats& s, int64_t duration_ns, int latency_bucket);

  std::unordered_map<const QueryShape*, ShapeStats> by_shape_;
  // The last shape's entry: runs of one shape (loops, the instrumented hot path) skip the hash
  // lookup. Node-based map: the pointer stays valid as the map grows.
  bool track_literals_ = false;
  const QueryShape* last_shape_ = nullptr;
  ShapeStats* last_stats_ = nullptr;
  uint64_t total_calls_ = 0;
  uint64_t total_errors_ = 0;
  int64_t total_ns_ = 0;
  int64_t first_seen_us_ = 0;
  int64_t last_seen_us_ = 0;
};

}  // namespace querylens::stats
