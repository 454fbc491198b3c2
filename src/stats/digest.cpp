#include "querylens/stats/digest.h"

#include <algorithm>

#include "querylens/sql/shape_registry.h"

namespace querylens::stats {

bool parse_rank_by(std::string_view text, RankBy* out) {
  if (text == "total")
    *out = RankBy::kTotal;
  else if (text == "calls")
    *out = RankBy::kCalls;
  else if (text == "mean")
    *out = RankBy::kMean;
  else if (text == "p99")
    *out = RankBy::kP99;
  else
    return false;
  return true;
}

ShapeStats& Digest::stats_for(const QueryShape* shape) {
  if (shape == last_shape_) return *last_stats_;
  auto [it, inserted] = by_shape_.try_emplace(shape);
  if (inserted) it->second.shape = shape;
  last_shape_ = shape;
  last_stats_ = &it->second;
  return it->second;
}

void Digest::count_call(ShapeStats& s, int64_t start_us, int64_t rows) {
  ++s.calls;
  ++total_calls_;
  if (rows > 0) s.rows += rows;
  if (start_us > 0) {
    if (s.first_seen_us == 0 || start_us < s.first_seen_us) s.first_seen_us = start_us;
    if (start_us > s.last_seen_us) s.last_seen_us = start_us;
    if (first_seen_us_ == 0 || start_us < first_seen_us_) first_seen_us_ = start_us;
    if (start_us > last_seen_us_) last_seen_us_ = start_us;
  }
}

// Inline into add() and add_timed(), its two callers: a call of its own per event was ~2% of
// a log digest's instructions (callgrind).
[[gnu::always_inline]] inline void Digest::record_duration(ShapeStats& s, int64_t duration_ns,
                                                           int latency_bucket) {
  ++s.timed_calls;
  s.total_ns += duration_ns;
  total_ns_ += duration_ns;
  if (s.timed_calls == 1 || duration_ns < s.min_ns) s.min_ns = duration_ns;
  if (duration_ns > s.max_ns) s.max_ns = duration_ns;
  s.latency.record_in_bucket(duration_ns, latency_bucket);
}

const ShapeStats& Digest::add(const QueryEvent& event) {
  return add(event, event.timed() ? LatencyHistogram::bucket_of(event.duration_ns) : 0);
}

const ShapeStats& Digest::add(const QueryEvent& event, int latency_bucket) {
  const QueryShape* shape = event.shape ? event.shape : shapes_.classify(event.sql);
  ShapeStats& s = stats_for(shape);
  count_call(s, event.start_us, event.rows);
  if (track_literals_) [[unlikely]]
    s.literals.observe(event.sql);
  if (event.timed()) {
    record_duration(s, event.duration_ns, latency_bucket);
    if (event.duration_ns > s.sample_duration_ns) {
      s.sample.assign(event.sql);
      s.sample_duration_ns = event.duration_ns;
    }
  } else if (s.sample.empty()) {
    s.sample.assign(event.sql);
  }
  if (event.failed()) {
    ++s.errors;
    ++total_errors_;
    s.last_error.assign(event.error);
  }
  return s;
}

void Digest::add_timed(const QueryShape* shape, int64_t duration_ns, int64_t start_us,
                       int64_t rows) {
  ShapeStats& s = stats_for(shape);
  count_call(s, start_us, rows);
  record_duration(s, duration_ns, LatencyHistogram::bucket_of(duration_ns));
}

void Digest::add_aggregate(std::string_view sample, const AggregateStats& a) {
  if (a.calls == 0) return;
  ShapeStats& s = stats_for(shapes_.classify(sample));
  if (s.timed_calls == 0 || a.min_ns < s.min_ns) s.min_ns = a.min_ns;
  s.max_ns = std::max(s.max_ns, a.max_ns);
  s.calls += a.calls;
  s.timed_calls += a.calls;
  s.total_ns += a.total_ns;
  s.rows += a.rows;
  if (s.sample.empty() || a.max_ns > s.sample_duration_ns) {
    s.sample.assign(sample);
    s.sample_duration_ns = a.max_ns;
  }
  total_calls_ += a.calls;
  total_ns_ += a.total_ns;
}

void Digest::merge(const Digest& other) {
  for (const auto& [shape, o] : other.by_shape_) {
    ShapeStats& s = stats_for(shape);
    s.calls += o.calls;
    if (o.timed_calls && (s.timed_calls == 0 || o.min_ns < s.min_ns)) s.min_ns = o.min_ns;
    s.max_ns = std::max(s.max_ns, o.max_ns);
    s.timed_calls += o.timed_calls;
    s.total_ns += o.total_ns;
    s.latency.merge(o.latency);
    s.rows += o.rows;
    s.errors += o.errors;
    s.literals.merge(o.literals);
    if (!o.last_error.empty()) s.last_error = o.last_error;
    if (o.first_seen_us && (s.first_seen_us == 0 || o.first_seen_us < s.first_seen_us))
      s.first_seen_us = o.first_seen_us;
    s.last_seen_us = std::max(s.last_seen_us, o.last_seen_us);
    if (o.sample_duration_ns > s.sample_duration_ns || s.sample.empty()) {
      s.sample = o.sample;
      s.sample_duration_ns = o.sample_duration_ns;
    }
  }
  total_calls_ += other.total_calls_;
  total_errors_ += other.total_errors_;
  total_ns_ += other.total_ns_;
  if (other.first_seen_us_ && (first_seen_us_ == 0 || other.first_seen_us_ < first_seen_us_))
    first_seen_us_ = other.first_seen_us_;
  last_seen_us_ = std::max(last_seen_us_, other.last_seen_us_);
}

std::vector<const ShapeStats*> Digest::ranked(RankBy by, size_t limit) const {
  std::vector<std::pair<int64_t, const ShapeStats*>> keyed;
  keyed.reserve(by_shape_.size());
  for (const auto& [shape, s] : by_shape_) {
    int64_t key = 0;
    switch (by) {
      case RankBy::kTotal:
        key = s.timed_calls ? s.total_ns : -1;
        break;
      case RankBy::kCalls:
        key = static_cast<int64_t>(s.calls);
        break;
      case RankBy::kMean:
        key = s.timed_calls ? s.mean_ns() : -1;
        break;
      case RankBy::kP99:
        key = s.has_distribution() ? s.latency.quantile(0.99) : s.timed_calls ? s.max_ns : -1;
        break;
    }
    keyed.emplace_back(key, &s);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    if (a.second->calls != b.second->calls) return a.second->calls > b.second->calls;
    return a.second->shape->fingerprint < b.second->shape->fingerprint;
  });
  if (limit != 0 && keyed.size() > limit) keyed.resize(limit);
  std::vector<const ShapeStats*> out;
  out.reserve(keyed.size());
  for (const auto& k : keyed) out.push_back(k.second);
  return out;
}

const ShapeStats* Digest::find(uint64_t fingerprint) const {
  for (const auto& [shape, s] : by_shape_) {
    if (shape->fingerprint == fingerprint) return &s;
  }
  return nullptr;
}

}  // namespace querylens::stats
