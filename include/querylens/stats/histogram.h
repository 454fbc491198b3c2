// LatencyHistogram — log-bucketed latency distribution with bounded size and error.
//
// Buckets: values below 32 ns are exact; above, each power of two is split into 32 equal
// sub-buckets, so a bucket spans at most 1/32 of its lower bound and its midpoint is within
// 1/64 (1.6%) of any value in it: quantiles have ≤ 2% relative error. Range 1 ns … 2^46 ns
// (19.5 h); larger values land in the last bucket (max() stays exact). Only the span of buckets
// actually touched is allocated, 4 bytes each: at most 1,376 buckets = 5.4 KiB per shape, and
// a shape whose latencies stay within one decade uses a few hundred bytes.
// Counts are 32-bit; a bucket about to overflow halves every bucket (the shape of the
// distribution, which is all a quantile needs, is kept). Not thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace querylens::stats {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 5;  // 32 sub-buckets per power of two
  static constexpr int kMaxExponent = 46;   // 2^46 ns ≈ 19.5 hours
  static constexpr int kBucketCount = ((kMaxExponent - kSubBucketBits + 1) << kSubBucketBits) + 32;

  // Inline: the common case (a bucket already allocated, far from overflow) is a handful of
  // instructions on the instrumented hot path (docs/PERFORMANCE.md).
  void record(int64_t value_ns) { record_in_bucket(value_ns, bucket_of(value_ns)); }
  // record() for a value whose bucket the caller has found already, `bucket` =
  // bucket_of(value_ns): an event recorded in several histograms (its shape's, its minute's,
  // the workload's) finds it once.
  void record_in_bucket(int64_t value_ns, int bucket) {
    if (value_ns < 0) value_ns = 0;
    if (count_ == 0 || value_ns < min_) min_ = value_ns;
    if (count_ == 0 || value_ns > max_) max_ = value_ns;
    ++count_;
    size_t offset = static_cast<size_t>(bucket - first_);  // wraps when below first_
    if (offset < buckets_.size() && buckets_[offset] < std::numeric_limits<uint32_t>::max())
        [[likely]] {
      ++buckets_[offset];
      ++weight_;
      return;
    }
    add_to_bucket(bucket, 1);
  }
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  // Nearest-rank quantile, q in [0, 1]; 0 when empty. Clamped to [min(), max()].
  int64_t quantile(double q) const;
  size_t memory_bytes() const { return sizeof(*this) + buckets_.capacity() * sizeof(uint32_t); }

  // Exposed for tests and renderers (bucket bounds for a latency chart).
  // Bucket layout: 0..31 hold the values 0..31 exactly. For v ≥ 32 with highest set bit e
  // (5 ≤ e ≤ kMaxExponent), the bucket is 32 + (e - 5) * 32 + the 5 bits below the top bit.
  static int bucket_of(int64_t value_ns) {
    if (value_ns < 32) return value_ns < 0 ? 0 : static_cast<int>(value_ns);
    uint64_t v = static_cast<uint64_t>(value_ns);
    int e = 63 - std::countl_zero(v);
    if (e > kMaxExponent) return kBucketCount - 1;
    int sub = static_cast<int>((v >> (e - kSubBucketBits)) & 31);
    return 32 + ((e - kSubBucketBits) << kSubBucketBits) + sub;
  }
  static int64_t bucket_lower(int bucket);
  static int64_t bucket_upper(int bucket);  // exclusive
  // (bucket, weight) pairs of non-empty buckets, in order; weights are relative counts.
  std::vector<std::pair<int, uint64_t>> nonempty_buckets() const;

 private:
  void add_to_bucket(int bucket, uint64_t n);
  void halve();

  std::vector<uint32_t> buckets_;  // buckets_[i] counts bucket (first_ + i)
  int first_ = 0;
  uint64_t count_ = 0;   // true number of recorded values
  uint64_t weight_ = 0;  // sum of buckets_ (differs from count_ after halving)
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace querylens::stats
