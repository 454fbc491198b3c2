#include "querylens/stats/digest.h"

#include <gtest/gtest.h>

#include "querylens/sql/shape_registry.h"
#include "querylens/stats/timeline.h"

namespace querylens::stats {
namespace {

QueryEvent event(std::string_view sql, int64_t ms, int64_t start_us = 0,
                 std::string_view error = {}) {
  QueryEvent e;
  e.sql = sql;
  e.duration_ns = ms * 1'000'000;
  e.rows = 1;
  e.start_us = start_us;
  e.error = error;
  return e;
}

TEST(DigestTest, AggregatesPerShapeAndRanks) {
  sql::ShapeRegistry shapes;
  Digest d(shapes);
  for (int i = 1; i <= 100; ++i)
    d.add(event("SELECT * FROM users WHERE id = " + std::to_string(i), i, 1000 + i));
  d.add(event("SELECT * FROM posts", 500, 50));
  d.add(event("SELECT * FROM posts", 700, 60, "canceling statement due to statement timeout"));
  EXPECT_EQ(d.shape_count(), 2u);
  EXPECT_EQ(d.total_calls(), 102u);
  EXPECT_EQ(d.total_errors(), 1u);
  auto by_total = d.ranked(RankBy::kTotal);
  ASSERT_EQ(by_total.size(), 2u);
  const ShapeStats& users = *by_total[0];  // 5050 ms beats 1200 ms
  EXPECT_EQ(users.calls, 100u);
  EXPECT_EQ(users.total_ns, 5050LL * 1'000'000);
  EXPECT_EQ(users.latency.min(), 1'000'000);
  EXPECT_EQ(users.latency.max(), 100'000'000);
  EXPECT_NEAR(static_cast<double>(users.latency.quantile(0.95)), 95e6, 95e6 * 0.02);
  EXPECT_EQ(users.sample, "SELECT * FROM users WHERE id = 100");  // the slowest
  EXPECT_EQ(users.first_seen_us, 1001);
  EXPECT_EQ(users.last_seen_us, 1100);
  auto by_mean = d.ranked(RankBy::kMean);
  EXPECT_EQ(by_mean[0]->shape->normalized, "SELECT * FROM posts");
  EXPECT_EQ(by_mean[0]->errors, 1u);
  EXPECT_EQ(d.ranked(RankBy::kCalls, 1).size(), 1u);
  EXPECT_EQ(d.first_seen_us(), 50);
}

TEST(DigestTest, UntimedEventsCountCallsOnly) {
  sql::ShapeRegistry shapes;
  Digest d(shapes);
  QueryEvent e;
  e.sql = "SELECT 1";
  d.add(e);
  d.add(e);
  auto ranked = d.ranked(RankBy::kTotal);
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_EQ(ranked[0]->calls, 2u);
  EXPECT_EQ(ranked[0]->timed_calls, 0u);
  EXPECT_EQ(ranked[0]->sample, "SELECT 1");
}

TEST(DigestTest, MergeMatchesSingleDigest) {
  sql::ShapeRegistry shapes;
  Digest a(shapes), b(shapes), all(shapes);
  for (int i = 0; i < 50; ++i) {
    std::string sql = "SELECT " + std::to_string(i);
    auto e = event(sql, i + 1, 10 + i);
    (i % 2 ? a : b).add(e);
    all.add(e);
  }
  a.merge(b);
  EXPECT_EQ(a.total_calls(), all.total_calls());
  EXPECT_EQ(a.ranked(RankBy::kTotal)[0]->total_ns, all.ranked(RankBy::kTotal)[0]->total_ns);
  EXPECT_EQ(a.ranked(RankBy::kTotal)[0]->latency.quantile(0.99),
            all.ranked(RankBy::kTotal)[0]->latency.quantile(0.99));
}

// Digest::add() and Timeline::add() with the latency's bucket found by the caller (once for
// all the histograms of an event, analysis.cpp) give what they give finding it themselves.
TEST(DigestTest, AddWithTheBucketEqualsAdd) {
  sql::ShapeRegistry shapes;
  Digest plain(shapes), given(shapes);
  Timeline plain_minutes(5'000'000), given_minutes(5'000'000);
  for (int i = 0; i < 300; ++i) {
    std::string sql = "SELECT " + std::to_string(i % 7);
    QueryEvent e = event(sql, i % 13, 60'000'000LL * (i / 40) + 1);
    if (i % 5 == 0) e.duration_ns = kUnknown;   // untimed: the bucket is not used
    if (i % 9 == 0) e.duration_ns = i * 12345;  // below and above a millisecond
    plain.add(e);
    plain_minutes.add(e);
    int bucket = e.timed() ? LatencyHistogram::bucket_of(e.duration_ns) : 0;
    given.add(e, bucket);
    given_minutes.add(e, bucket);
  }
  ASSERT_EQ(given.shape_count(), plain.shape_count());
  auto a = plain.ranked(RankBy::kTotal), b = given.ranked(RankBy::kTotal);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i]->shape, a[i]->shape);
    EXPECT_EQ(b[i]->calls, a[i]->calls);
    EXPECT_EQ(b[i]->timed_calls, a[i]->timed_calls);
    EXPECT_EQ(b[i]->total_ns, a[i]->total_ns);
    EXPECT_EQ(b[i]->min_ns, a[i]->min_ns);
    EXPECT_EQ(b[i]->max_ns, a[i]->max_ns);
    EXPECT_EQ(b[i]->latency.nonempty_buckets(), a[i]->latency.nonempty_buckets());
  }
  ASSERT_EQ(given_minutes.minutes().size(), plain_minutes.minutes().size());
  for (const auto& [minute, m] : plain_minutes.minutes()) {
    const MinuteStats& g = given_minutes.minutes().at(minute);
    EXPECT_EQ(g.calls, m.calls);
    EXPECT_EQ(g.total_ns, m.total_ns);
    EXPECT_EQ(g.latency.nonempty_buckets(), m.latency.nonempty_buckets());
  }
}

}  // namespace
}  // namespace querylens::stats
