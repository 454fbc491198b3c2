// QueryRow::latency (the chart bars built from the histogram) and the JSON of latency and timeline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "querylens/report/render.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

struct Capture {
  sql::ShapeRegistry shapes;
  stats::Digest digest{shapes};
  void add(const std::string& sql, int64_t duration_ns) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = duration_ns;
    digest.add(e);
  }
};

void expect_well_formed(const QueryRow& row) {
  ASSERT_FALSE(row.latency.empty());
  EXPECT_LE(row.latency.size(), 24u);
  uint64_t total = 0;
  for (size_t i = 0; i < row.latency.size(); ++i) {
    const LatencyBar& bar = row.latency[i];
    EXPECT_LT(bar.lower_ms, bar.upper_ms);
    EXPECT_GT(bar.count, 0u);
    if (i > 0) {
      EXPECT_LE(row.latency[i - 1].upper_ms, bar.lower_ms);
    }
    total += bar.count;
  }
  EXPECT_EQ(total, row.timed_calls);
  EXPECT_LE(row.latency.front().lower_ms, row.min_ms);
  EXPECT_GT(row.latency.back().upper_ms, row.max_ms);
}

TEST(ReportLatencyTest, WideDistributionIsMergedToAtMost24Bars) {
  Capture c;
  // 10 µs … 10 s: six decades, hundreds of histogram buckets.
  for (int64_t ns = 10'000; ns <= 10'000'000'000; ns = ns * 11 / 10) c.add("SELECT 1", ns);
  const Report r = build_report(c.digest, {}, {});
  expect_well_formed(r.queries[0]);
  EXPECT_GT(r.queries[0].latency.size(), 12u);
}

TEST(ReportLatencyTest, NarrowDistributionKeepsBucketsAndUntimedHasNone) {
  Capture c;
  for (int i = 0; i < 10; ++i) c.add("SELECT 1", 1'000'000 + i * 1'000);  // 1.000 … 1.009 ms
  c.add("UPDATE counters SET n = n + 1", kUnknown);
  const Report r = build_report(c.digest, {}, {});
  expect_well_formed(r.queries[0]);
  EXPECT_EQ(r.queries[0].latency.size(), 1u);  // one histogram bucket spans them all
  ASSERT_EQ(r.queries.size(), 2u);
  EXPECT_TRUE(r.queries[1].latency.empty());
}

TEST(ReportLatencyTest, JsonCarriesLatencyAndTimeline) {
  Capture c;
  for (int i = 0; i < 3; ++i) c.add("SELECT 1", 2'000'000);
  Report r = build_report(c.digest, {}, {});
  r.timeline = {{1'790'000'040'000'000, 3, 1, 0, 2.0, 2.0, 2.0}};
  const auto j = nlohmann::json::parse(render_json(r));
  ASSERT_EQ(j["queries"][0]["latency"].size(), 1u);
  EXPECT_EQ(j["queries"][0]["latency"][0]["count"], 3);
  EXPECT_LE(j["queries"][0]["latency"][0]["lower_ms"].get<double>(), 2.0);
  EXPECT_GT(j["queries"][0]["latency"][0]["upper_ms"].get<double>(), 2.0);
  ASSERT_EQ(j["timeline"].size(), 1u);
  EXPECT_EQ(j["timeline"][0]["minute"], "2026-09-21T14:14:00.000000Z");
  EXPECT_EQ(j["timeline"][0]["calls"], 3);
  EXPECT_EQ(j["timeline"][0]["errors"], 1);
  EXPECT_EQ(j["timeline"][0]["p95_ms"], 2.0);
}

}  // namespace
}  // namespace querylens::report
