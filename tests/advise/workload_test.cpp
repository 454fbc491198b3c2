// The advisor's workload from digest shapes (advise/workload.h): invariant literals kept,
// the rest parameterised, the normalized shape when nothing is known; and the candidates a
// single shape's proven constant gives.
#include "querylens/advise/workload.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::advise {
namespace {

stats::LiteralInvariance observed(std::initializer_list<std::string> statements) {
  stats::LiteralInvariance inv;
  for (const std::string& s : statements) inv.observe(s);
  return inv;
}

TEST(AdviseWorkload, KeepsInvariantLiteralsAndParameterisesTheRest) {
  const std::string a =
      "SELECT id FROM posts WHERE author_id = 7 AND is_published = 1 AND tag IN (1, 2) "
      "AND x = -3 LIMIT 10";
  const std::string b =
      "SELECT id FROM posts WHERE author_id = 9 AND is_published = 1 AND tag IN (5) "
      "AND x = -4 LIMIT 10";
  auto inv = observed({a, b});
  EXPECT_EQ(keep_invariant_literals(b, inv),
            "SELECT id FROM posts WHERE author_id = $1 AND is_published = 1 AND tag IN ($2) "
            "AND x = -$3 LIMIT 10");
  // Nothing invariant, or one call only: nothing to keep.
  EXPECT_EQ(keep_invariant_literals("SELECT 1 FROM t WHERE a = 2",
                                    observed({"SELECT 1 FROM t WHERE a = 2"})),
            std::nullopt);
  EXPECT_EQ(keep_invariant_literals(
                "SELECT a FROM t WHERE b = 2",
                observed({"SELECT a FROM t WHERE b = 1", "SELECT a FROM t WHERE b = 2"})),
            std::nullopt);
}

TEST(AdviseWorkload, ASampleThatDoesNotLineUpIsNotUsed) {
  auto inv =
      observed({"SELECT a FROM t WHERE b = 1 AND c = 2", "SELECT a FROM t WHERE b = 1 AND c = 3"});
  // Another text where the invariant literal was (a redacted sample), another length.
  EXPECT_EQ(keep_invariant_literals("SELECT a FROM t WHERE b = 5 AND c = 2", inv), std::nullopt);
  EXPECT_EQ(keep_invariant_literals("SELECT a FROM t WHERE b = 1", inv), std::nullopt);
  EXPECT_EQ(keep_invariant_literals("SELECT a FROM t WHERE b = 1 AND c = 9", inv),
            "SELECT a FROM t WHERE b = 1 AND c = $1");
}

report::QueryRow row_from(const stats::ShapeStats& s) {
  report::QueryRow row;
  row.query = s.shape->normalized;
  row.parsed = s.shape->parsed;
  row.fingerprint = s.shape->fingerprint_hex();
  row.calls = s.calls;
  row.sample = s.sample;
  row.literals = s.literals;
  return row;
}

TEST(AdviseWorkload, RowsWithTrackedLiteralsKeepTheirConstants) {
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  digest.track_literals(true);
  std::vector<std::string> statements;
  for (int i = 0; i < 40; ++i)
    statements.push_back("SELECT id, title FROM posts WHERE author_id = " + std::to_string(i) +
                         " AND is_published = 1");
  statements.push_back("SELECT id FROM users WHERE id = 1");  // one call: proves nothing
  for (const std::string& s : statements) {
    QueryEvent e;
    e.sql = s;
    digest.add(e);
  }
  std::vector<report::QueryRow> rows;
  for (const stats::ShapeStats* s : digest.ranked(stats::RankBy::kCalls))
    rows.push_back(row_from(*s));
  std::vector<WorkloadQuery> w = workload_from_rows(rows);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].sql, "SELECT id, title FROM posts WHERE author_id = $1 AND is_published = 1");
  EXPECT_EQ(w[0].constant_calls, 40u);
  EXPECT_EQ(w[0].sample, rows[0].sample);
  EXPECT_TRUE(w[0].plannable);
  EXPECT_EQ(w[1].sql, rows[1].query);  // the normalized shape
  EXPECT_EQ(w[1].constant_calls, 0u);
  // Calls known only in aggregate were never compared: the normalized shape then.
  rows[0].calls += 10;
  EXPECT_EQ(workload_from_rows(rows)[0].sql, rows[0].query);
}

Catalog posts_catalog() {
  Catalog c;
  c.engine = Engine::kPostgres;
  TableInfo t;
  t.schema = "app";
  t.name = "posts";
  t.columns = {"id", "author_id", "title", "is_published"};
  t.rows = 10000;
  c.tables["posts"] = t;
  return c;
}

TEST(AdviseWorkload, OneShapesProvenConstantMakesAPartialCandidate) {
  WorkloadQuery q = make_workload_query(
      "SELECT id, title FROM posts WHERE author_id = $1 AND is_published = 1", 40, 1.0);
  // A literal statement alone: its constant is one value among many.
  auto none = generate_candidates({q}, posts_catalog());
  ASSERT_FALSE(none.empty());
  for (const Candidate& c : none) EXPECT_FALSE(c.index.has_where()) << c.index.key();
  // The digest saw it in every one of 40 calls: a flag.
  q.constant_calls = 40;
  auto cs = generate_candidates({q}, posts_catalog());
  auto partial = std::find_if(cs.begin(), cs.end(), [](const Candidate& c) {
    return c.index.key() == "app.posts(author_id,) where is_published = 1";
  });
  ASSERT_NE(partial, cs.end());
  EXPECT_NE(partial->reason.find("every one of 40 calls had is_published = 1"), std::string::npos)
      << partial->reason;
  // One call proves nothing.
  q.constant_calls = 1;
  for (const Candidate& c : generate_candidates({q}, posts_catalog()))
    EXPECT_FALSE(c.index.has_where()) << c.index.key();
}

}  // namespace
}  // namespace querylens::advise
