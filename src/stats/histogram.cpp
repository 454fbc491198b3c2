#include "querylens/stats/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace querylens::stats {

int64_t LatencyHistogram::bucket_lower(int bucket) {
  if (bucket < 32) return bucket;
  int e = ((bucket - 32) >> kSubBucketBits) + kSubBucketBits;
  int sub = (bucket - 32) & 31;
  return (int64_t{1} << e) + (int64_t{sub} << (e - kSubBucketBits));
}

int64_t LatencyHistogram::bucket_upper(int bucket) {
  if (bucket < 32) return bucket + 1;
  int e = ((bucket - 32) >> kSubBucketBits) + kSubBucketBits;
  return bucket_lower(bucket) + (int64_t{1} << (e - kSubBucketBits));
}

void LatencyHistogram::add_to_bucket(int bucket, uint64_t n) {
  if (buckets_.empty()) {
    first_ = bucket;
    buckets_.assign(1, 0);
  } else if (bucket < first_) {
    buckets_.insert(buckets_.begin(), static_cast<size_t>(first_ - bucket), 0);
    first_ = bucket;
  } else if (bucket >= first_ + static_cast<int>(buckets_.size())) {
    buckets_.resize(static_cast<size_t>(bucket - first_ + 1), 0);
  }
  uint32_t& slot = buckets_[static_cast<size_t>(bucket - first_)];
  while (uint64_t{slot} + n > std::numeric_limits<uint32_t>::max()) {
    halve();
    n = (n + 1) / 2;
  }
  slot += static_cast<uint32_t>(n);
  weight_ += n;
}

void LatencyHistogram::halve() {
  weight_ = 0;
  for (uint32_t& b : buckets_) {
    b = b == 0 ? 0 : (b + 1) / 2;  // a non-empty bucket stays non-empty
    weight_ += b;
  }
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  for (size_t i = 0; i < other.buckets_.size(); ++i) {
    if (other.buckets_[i]) add_to_bucket(other.first_ + static_cast<int>(i), other.buckets_[i]);
  }
}

int64_t LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0.0) return min_;
  if (q >= 1.0) return max_;
  // Nearest rank: the smallest value with at least q of the weight at or below it.
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(weight_)));
  rank = std::clamp<uint64_t>(rank, 1, weight_);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      int bucket = first_ + static_cast<int>(i);
      if (bucket == kBucketCount - 1) return max_;  // the open-ended overflow bucket
      int64_t lower = bucket_lower(bucket);
      int64_t upper = bucket_upper(bucket);
      // The midpoint is within half a bucket width of every value in the bucket.
      int64_t estimate = bucket < 32 ? lower : lower + (upper - lower) / 2;
      return std::clamp(estimate, min_, max_);
    }
  }
  return max_;
}

std::vector<std::pair<int, uint64_t>> LatencyHistogram::nonempty_buckets() const {
  std::vector<std::pair<int, uint64_t>> out;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i]) out.emplace_back(first_ + static_cast<int>(i), buckets_[i]);
  }
  return out;
}

}  // namespace querylens::stats
