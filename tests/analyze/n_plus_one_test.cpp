#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "querylens/analyze/analysis.h"
#include "querylens/sql/shape_registry.h"

namespace querylens::analyze {
namespace {

class NPlusOneTest : public ::testing::Test {
 protected:
  void event(const std::string& session, const std::string& sql, double ms, int64_t rows = 1) {
    QueryEvent e;
    e.sql = sql;
    e.session = session;
    e.duration_ns = static_cast<int64_t>(ms * 1e6);
    e.rows = rows;
    analysis_.on_query(e);
  }
  // A parent query and `children` lookups of `ms` each, in one session.
  void request(const std::string& session, int children, double ms, int64_t parent_rows = 30) {
    event(session, "SELECT id, username FROM users WHERE is_active = true LIMIT 30", 2,
          parent_rows);
    for (int i = 0; i < children; ++i) {
      event(session, "SELECT id, title FROM posts WHERE user_id = " + std::to_string(i + 1), ms, 3);
    }
  }
  std::vector<Finding> findings(const std::string& rule = "n-plus-one") {
    std::vector<Finding> out;
    for (const Finding& f : analysis_.report(report::ReportOptions{}).findings) {
      if (f.rule == rule) out.push_back(f);
    }
    return out;
  }

  sql::ShapeRegistry shapes_;
  Analysis analysis_{shapes_, AnalyzeOptions{}};
};

TEST_F(NPlusOneTest, RepeatedChildQueryAfterParentIsFound) {
  request("s1", 30, 3);  // 90 ms
  request("s1", 20, 3);  // 60 ms
  auto found = findings();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kMedium);
  EXPECT_EQ(found[0].fingerprints.size(), 2u);
  EXPECT_EQ(found[0].fingerprints[0],
            shapes_.classify("SELECT id, title FROM posts WHERE user_id = 1")->fingerprint_hex());
  EXPECT_NE(found[0].detail.find("2 time(s)"), std::string::npos) << found[0].detail;
  EXPECT_NE(found[0].detail.find("at most 30"), std::string::npos) << found[0].detail;
  EXPECT_EQ(found[0].fix_sql,
            "SELECT id, title, user_id FROM posts WHERE user_id = ANY($1);  -- $1 = the array of "
            "parent keys "
            "(SQLite: IN (…) with the keys)");
}

TEST_F(NPlusOneTest, NoBatchedFormWhenTheKeyIsAmbiguous) {
  event("s", "SELECT id FROM users LIMIT 10", 1, 10);
  for (int i = 0; i < 10; ++i) {
    event("s", "SELECT * FROM posts WHERE user_id = " + std::to_string(i) + " AND kind = 2", 8);
  }
  auto found = findings();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].fix_sql.empty()) << found[0].fix_sql;
}

TEST_F(NPlusOneTest, InterleavedSessionsAreSeparated) {
  // Two sessions' loops interleave statement by statement, as in a log of a busy server.
  for (const char* s : {"a", "b"}) event(s, "SELECT id FROM users LIMIT 10", 1, 10);
  for (int i = 0; i < 10; ++i) {
    for (const char* s : {"a", "b"})
      event(s, "SELECT * FROM posts WHERE user_id = " + std::to_string(i), 8);
  }
  auto found = findings();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].detail.find("2 time(s)"), std::string::npos) << found[0].detail;
}

TEST_F(NPlusOneTest, BelowThresholdsIsNotAFinding) {
  request("few", 4, 50);        // 4 repeats: under 5
  request("fast", 40, 1);       // 40 ms in all: under 50 ms
  request("empty", 10, 10, 0);  // the parent returned no rows: these are not its children
  EXPECT_TRUE(findings().empty());
}

TEST_F(NPlusOneTest, RepeatedWritesAreNotNPlusOne) {
  event("w", "SELECT id FROM users LIMIT 10", 1, 10);
  for (int i = 0; i < 20; ++i)
    event("w", "UPDATE posts SET view_count = view_count + 1 WHERE id = " + std::to_string(i), 5);
  EXPECT_TRUE(findings().empty());
}

TEST_F(NPlusOneTest, LongLoopsAreHighSeverity) {
  request("s", 100, 6);  // 600 ms ≥ 10 × 50 ms
  auto found = findings();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kHigh);
}

}  // namespace
}  // namespace querylens::analyze
