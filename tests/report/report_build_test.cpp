// build_report(): ranking, unit conversion, summary, finding order, secrets kept out.
#include <gtest/gtest.h>

#include <string>

#include "querylens/report/render.h"
#include "querylens/report/report.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

constexpr int64_t kMs = 1'000'000;              // ns
constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z, µs

struct Capture {
  sql::ShapeRegistry shapes;
  stats::Digest digest{shapes};
  void add(const std::string& sql, int64_t duration_ns, int64_t start_us = 0,
           std::string_view error = {}, int64_t rows = 1) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = duration_ns;
    e.start_us = start_us;
    e.error = error;
    e.rows = rows;
    digest.add(e);
  }
};

Finding finding(std::string rule, Severity severity, std::string title) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = severity;
  f.title = std::move(title);
  return f;
}

TEST(ReportBuildTest, RanksShapesAndConvertsTimes) {
  Capture c;
  for (int i = 1; i <= 100; ++i) {
    c.add("SELECT * FROM users WHERE id = " + std::to_string(i), i * kMs, kT0 + i, {}, 1);
  }
  c.add("SELECT * FROM posts ORDER BY created_at", 3000 * kMs, kT0 + 500, {}, 40);
  c.add("SELECT * FROM posts ORDER BY created_at", 1000 * kMs, kT0 + 600,
        "canceling statement due to statement timeout", 0);
  c.add("DELETE FROM sessions WHERE expires_at < now()", kUnknown);  // from a .sql file

  ReportOptions options;
  options.rank_by = stats::RankBy::kTotal;
  const Report r = build_report(c.digest, {}, options);

  EXPECT_EQ(r.summary.tool_version, kToolVersion);
  EXPECT_EQ(r.summary.tool_version, "0.1.0");
  EXPECT_EQ(r.summary.events, 103u);
  EXPECT_EQ(r.summary.shapes, 3u);
  EXPECT_EQ(r.summary.errors, 1u);
  EXPECT_DOUBLE_EQ(r.summary.total_ms, 5050.0 + 4000.0);
  EXPECT_EQ(r.summary.first_seen_us, kT0 + 1);
  EXPECT_EQ(r.summary.last_seen_us, kT0 + 600);
  EXPECT_EQ(r.summary.ranked_by, "total");
  EXPECT_EQ(r.summary.generated_at.size(), std::string("2026-11-21T10:15:02.123456Z").size());
  EXPECT_EQ(r.summary.generated_at.back(), 'Z');

  ASSERT_EQ(r.queries.size(), 3u);
  const QueryRow& users = r.queries[0];  // 5,050 ms beats 4,000 ms
  EXPECT_EQ(users.rank, 1);
  EXPECT_EQ(users.calls, 100u);
  EXPECT_EQ(users.timed_calls, 100u);
  EXPECT_EQ(users.fingerprint.size(), 16u);
  EXPECT_NE(users.query.find("$1"), std::string::npos) << users.query;
  EXPECT_DOUBLE_EQ(users.total_ms, 5050.0);
  EXPECT_DOUBLE_EQ(users.mean_ms, 50.5);
  EXPECT_DOUBLE_EQ(users.min_ms, 1.0);
  EXPECT_DOUBLE_EQ(users.max_ms, 100.0);
  EXPECT_NEAR(users.p50_ms, 50.0, 50.0 * 0.02);
  EXPECT_NEAR(users.p95_ms, 95.0, 95.0 * 0.02);
  EXPECT_NEAR(users.p99_ms, 99.0, 99.0 * 0.02);
  EXPECT_NEAR(users.share, 5050.0 / 9050.0, 1e-12);
  EXPECT_EQ(users.rows, 100);
  EXPECT_EQ(users.sample, "SELECT * FROM users WHERE id = 100");  // the slowest
  EXPECT_EQ(users.first_seen_us, kT0 + 1);
  EXPECT_EQ(users.last_seen_us, kT0 + 100);

  const QueryRow& posts = r.queries[1];
  EXPECT_EQ(posts.rank, 2);
  EXPECT_EQ(posts.errors, 1u);
  EXPECT_EQ(posts.rows, 40);
  EXPECT_DOUBLE_EQ(posts.max_ms, 3000.0);

  const QueryRow& untimed = r.queries[2];
  EXPECT_EQ(untimed.rank, 3);
  EXPECT_EQ(untimed.calls, 1u);
  EXPECT_EQ(untimed.timed_calls, 0u);
  EXPECT_EQ(untimed.total_ms, 0.0);
  EXPECT_EQ(untimed.p95_ms, 0.0);
  EXPECT_EQ(untimed.share, 0.0);
  EXPECT_EQ(untimed.first_seen_us, 0);
}

TEST(ReportBuildTest, RankByAndTopAreHonoured) {
  Capture c;
  for (int i = 0; i < 10; ++i) c.add("SELECT 1", 1 * kMs);
  c.add("SELECT pg_sleep(2)", 2000 * kMs);
  c.add("SELECT * FROM a", 5 * kMs);

  ReportOptions by_calls;
  by_calls.rank_by = stats::RankBy::kCalls;
  by_calls.top = 1;
  Report r = build_report(c.digest, {}, by_calls);
  ASSERT_EQ(r.queries.size(), 1u);
  EXPECT_EQ(r.queries[0].calls, 10u);
  EXPECT_EQ(r.summary.shapes, 3u);  // the summary counts every shape, not only the top
  EXPECT_EQ(r.summary.ranked_by, "calls");

  ReportOptions by_mean;
  by_mean.rank_by = stats::RankBy::kMean;
  by_mean.top = 0;  // all
  r = build_report(c.digest, {}, by_mean);
  ASSERT_EQ(r.queries.size(), 3u);
  EXPECT_DOUBLE_EQ(r.queries[0].mean_ms, 2000.0);
  EXPECT_DOUBLE_EQ(r.queries[2].mean_ms, 1.0);
  EXPECT_EQ(r.summary.ranked_by, "mean");
}

TEST(ReportBuildTest, FindingsOrderedBySeverityThenRuleKeepingTheAnalyzersOrder) {
  Capture c;
  std::vector<Finding> findings = {
      finding("seq-scan", Severity::kMedium, "b"),
      finding("n-plus-one", Severity::kHigh, "z"),
      finding("seq-scan", Severity::kMedium, "a"),
      finding("select-star", Severity::kLow, "x"),
      finding("missing-index", Severity::kCritical, "y"),
      finding("index-unused", Severity::kMedium, "q"),
  };
  const Report r = build_report(c.digest, std::move(findings), {});
  std::vector<std::string> order;
  for (const Finding& f : r.findings) order.push_back(f.rule + "/" + f.title);
  EXPECT_EQ(order, (std::vector<std::string>{"missing-index/y", "n-plus-one/z", "index-unused/q",
                                             "seq-scan/b", "seq-scan/a", "select-star/x"}));
}

TEST(ReportBuildTest, EmptyDigest) {
  Capture c;
  ReportOptions options;
  options.skipped_inputs = 2;
  const Report r = build_report(c.digest, {}, options);
  EXPECT_TRUE(r.queries.empty());
  EXPECT_EQ(r.summary.events, 0u);
  EXPECT_EQ(r.summary.shapes, 0u);
  EXPECT_EQ(r.summary.total_ms, 0.0);
  EXPECT_EQ(r.summary.skipped_inputs, 2u);
}

// Regression guard: a report is pasted into tickets and CI logs; it must carry no password,
// neither from a source URL nor from a captured statement.
TEST(ReportBuildTest, NoPasswordReachesAnyRendering) {
  Capture c;
  c.add("ALTER ROLE app PASSWORD 'hunter2'", 3 * kMs);
  c.add("SELECT dblink_connect('host=db user=app password=hunter2')", 2 * kMs);
  ReportOptions options;
  options.sources = {"postgresql://app:hunter2@db.internal:5432/prod",
                     "host=db dbname=prod password=hunter2", "logs/postgresql.log"};
  const Report r = build_report(c.digest, {}, options);
  ASSERT_EQ(r.summary.sources.size(), 3u);
  EXPECT_EQ(r.summary.sources[2], "logs/postgresql.log");
  EXPECT_NE(r.summary.sources[0].find("db.internal"), std::string::npos);
  for (Format format : {Format::kText, Format::kJson, Format::kMarkdown}) {
    const std::string out = render(r, format);
    EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  }
}

TEST(ReportBuildTest, ParseFormatAndDispatch) {
  EXPECT_EQ(parse_format("text"), Format::kText);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_EQ(parse_format("md"), Format::kMarkdown);
  EXPECT_EQ(parse_format("markdown"), Format::kMarkdown);
  EXPECT_EQ(parse_format("JSON"), Format::kJson);
  EXPECT_EQ(parse_format("html"), Format::kHtml);
  EXPECT_EQ(parse_format("pdf"), std::nullopt);
  EXPECT_EQ(parse_format(""), std::nullopt);

  Capture c;
  c.add("SELECT 1", kMs);
  const Report r = build_report(c.digest, {}, {});
  EXPECT_EQ(render(r, Format::kJson), render_json(r));
  EXPECT_EQ(render(r, Format::kMarkdown), render_markdown(r));
  TextOptions narrow;
  narrow.width = 60;
  EXPECT_EQ(render(r, Format::kText, narrow), render_text(r, narrow));
}

}  // namespace
}  // namespace querylens::report
