#include "querylens/stats/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace querylens::stats {
namespace {

int64_t exact_quantile(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

void expect_within_2_percent(const std::vector<int64_t>& values, const LatencyHistogram& h) {
  for (double q : {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    double exact = static_cast<double>(exact_quantile(values, q));
    double estimate = static_cast<double>(h.quantile(q));
    EXPECT_LE(std::abs(estimate - exact), 0.02 * exact + 1e-9)
        << "q=" << q << " exact=" << exact << " est=" << estimate;
  }
}

TEST(HistogramTest, QuantilesWithin2PercentOfExactOnRandomSamples) {
  std::mt19937_64 rng(12345);
  // Log-normal latencies (the usual shape), uniform, and a bimodal cache-hit / miss mix.
  std::lognormal_distribution<double> lognormal(std::log(2e6), 1.2);
  std::uniform_int_distribution<int64_t> uniform(1, 5'000'000'000);
  std::bernoulli_distribution hit(0.9);
  std::normal_distribution<double> fast(80'000, 5'000), slow(40e6, 8e6);
  for (int dist = 0; dist < 3; ++dist) {
    for (size_t n : {1u, 7u, 100u, 10'000u, 50'000u}) {
      LatencyHistogram h;
      std::vector<int64_t> values;
      for (size_t i = 0; i < n; ++i) {
        double v = dist == 0   ? lognormal(rng)
                   : dist == 1 ? static_cast<double>(uniform(rng))
                               : (hit(rng) ? fast(rng) : slow(rng));
        int64_t ns = std::max<int64_t>(1, static_cast<int64_t>(v));
        values.push_back(ns);
        h.record(ns);
      }
      SCOPED_TRACE(testing::Message() << "distribution " << dist << " n=" << n);
      EXPECT_EQ(h.count(), n);
      EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
      EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
      expect_within_2_percent(values, h);
      EXPECT_LE(h.memory_bytes(), 8u * 1024u);
    }
  }
}

TEST(HistogramTest, WorstCaseMemoryIsBoundedBy8KiB) {
  LatencyHistogram h;
  h.record(0);
  h.record(int64_t{1} << 62);  // beyond the range: lands in the last bucket
  for (int b = 0; b < LatencyHistogram::kBucketCount; ++b)
    h.record(LatencyHistogram::bucket_lower(b));
  EXPECT_LE(h.memory_bytes(), 8u * 1024u);
  EXPECT_EQ(h.max(), int64_t{1} << 62);
  EXPECT_EQ(h.quantile(1.0), int64_t{1} << 62);
}

TEST(HistogramTest, BucketBoundsAreContiguous) {
  for (int b = 0; b + 1 < LatencyHistogram::kBucketCount; ++b) {
    ASSERT_EQ(LatencyHistogram::bucket_upper(b), LatencyHistogram::bucket_lower(b + 1)) << b;
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_lower(b)), b);
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_upper(b) - 1), b);
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(std::log(1e5), 2.0);
  LatencyHistogram a, b, all;
  std::vector<int64_t> values;
  for (int i = 0; i < 5000; ++i) {
    int64_t v = static_cast<int64_t>(d(rng)) + 1;
    values.push_back(v);
    (i % 2 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double q : {0.5, 0.95, 0.99}) EXPECT_EQ(a.quantile(q), all.quantile(q));
  expect_within_2_percent(values, a);
}

// record_in_bucket() with the bucket a caller found (analysis: once for three histograms)
// records what record() does.
TEST(HistogramTest, RecordInBucketEqualsRecord) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> d(std::log(1e6), 3.0);
  std::vector<int64_t> values = {-5,
                                 0,
                                 1,
                                 31,
                                 32,
                                 33,
                                 63,
                                 64,
                                 int64_t{1} << 46,
                                 (int64_t{1} << 47) + 3,
                                 std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 5000; ++i) values.push_back(static_cast<int64_t>(d(rng)));
  LatencyHistogram plain, given;
  for (int64_t v : values) {
    plain.record(v);
    given.record_in_bucket(v, LatencyHistogram::bucket_of(v));
  }
  EXPECT_EQ(given.count(), plain.count());
  EXPECT_EQ(given.min(), plain.min());
  EXPECT_EQ(given.max(), plain.max());
  EXPECT_EQ(given.nonempty_buckets(), plain.nonempty_buckets());
  for (double q : {0.0, 0.5, 0.99, 1.0}) EXPECT_EQ(given.quantile(q), plain.quantile(q));
}

TEST(HistogramTest, EmptyHistogram) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.99), 0);
  EXPECT_EQ(h.min(), 0);
}

}  // namespace
}  // namespace querylens::stats
