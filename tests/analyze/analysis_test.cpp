// Analysis fed through single_feeder() (no lock per event: a reader thread's part) against
// the same events through on_query(): the same report.
#include "querylens/analyze/analysis.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace querylens::analyze {
namespace {

std::vector<QueryEvent> some_events(std::vector<std::string>* texts) {
  *texts = {"SELECT * FROM t WHERE id = 1",
            "select * from t where id = 2",
            "UPDATE t SET a = 'x' WHERE id = 3",
            "SELECT 1",
            "BEGIN",
            "COMMIT"};
  std::vector<QueryEvent> events;
  for (int round = 0; round < 5; ++round) {
    for (size_t k = 0; k < texts->size(); ++k) {
      QueryEvent e;
      e.sql = (*texts)[k];
      e.start_us = 1709648521000000 + round * 60'000'000LL + static_cast<int64_t>(k);
      e.duration_ns = 1000 * static_cast<int64_t>(1 + k + round);
      if (k == 2 && round == 3) e.error = "deadlock detected";
      e.session = "4242";
      events.push_back(e);
    }
  }
  return events;
}

TEST(AnalysisTest, SingleFeederGivesWhatOnQueryGives) {
  std::vector<std::string> texts;
  std::vector<QueryEvent> events = some_events(&texts);
  sql::ShapeRegistry shapes_a, shapes_b;
  Analysis locked(shapes_a, AnalyzeOptions{}), unlocked(shapes_b, AnalyzeOptions{});
  QueryObserver& feeder = unlocked.single_feeder();
  for (const QueryEvent& e : events) {
    locked.on_query(e);
    feeder.on_query(e);
  }
  EXPECT_EQ(locked.events(), unlocked.events());
  report::ReportOptions options;
  options.top = 0;
  report::Report a = locked.report(options), b = unlocked.report(options);
  ASSERT_EQ(a.queries.size(), b.queries.size());
  ASSERT_FALSE(a.queries.empty());
  for (size_t i = 0; i < a.queries.size(); ++i) {
    EXPECT_EQ(a.queries[i].fingerprint, b.queries[i].fingerprint);
    EXPECT_EQ(a.queries[i].calls, b.queries[i].calls);
    EXPECT_EQ(a.queries[i].errors, b.queries[i].errors);
    EXPECT_EQ(a.queries[i].total_ms, b.queries[i].total_ms);
    EXPECT_EQ(a.queries[i].p95_ms, b.queries[i].p95_ms);
    EXPECT_EQ(a.queries[i].sample, b.queries[i].sample);
  }
  EXPECT_EQ(a.timeline.size(), b.timeline.size());
  EXPECT_EQ(a.findings.size(), b.findings.size());
}

}  // namespace
}  // namespace querylens::analyze
