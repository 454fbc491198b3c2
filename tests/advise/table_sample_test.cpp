// The SQLite what-if's table sample: distinct counts per key prefix and widths, checked
// against the same numbers computed by SQLite itself on a real database.
#include "advise/table_sample.h"

#include <gtest/gtest.h>

#include "querylens/db/database.h"

namespace querylens::advise::detail {
namespace {

class TableSampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = db::Database::open("sqlite::memory:");
    conn_ = std::make_unique<db::PooledConnection>(db_->connect());
    (*conn_)->execute_script(
        "CREATE TABLE t (a INTEGER, b TEXT, c TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
        "INSERT INTO t SELECT i % 7, 'b' || (i % 13), CASE WHEN i % 5 = 0 THEN NULL ELSE "
        "'v' || i END FROM n;");
    table_.name = "t";
    table_.columns = {"a", "b", "c"};
    table_.rows = 5000;
  }
  int64_t sqlite_count(const std::string& sql) {
    return std::get<int64_t>((*conn_)->query(sql).rows.at(0).at(0));
  }
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<db::PooledConnection> conn_;
  TableInfo table_;
};

TEST_F(TableSampleTest, WholeTableGivesExactDistinctPrefixes) {
  TableSample s = TableSample::read(**conn_, table_, 100000);
  EXPECT_EQ(s.rows(), 5000u);
  EXPECT_DOUBLE_EQ(s.scale(), 1.0);
  const std::vector<size_t> d = s.distinct_prefixes({"a", "b", "c"});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(static_cast<int64_t>(d[0]), sqlite_count("SELECT count(DISTINCT a) FROM t"));
  EXPECT_EQ(static_cast<int64_t>(d[1]),
            sqlite_count("SELECT count(*) FROM (SELECT DISTINCT a, b FROM t)"));
  // NULL is one group, as in an index (count(DISTINCT) would leave it out).
  EXPECT_EQ(static_cast<int64_t>(d[2]),
            sqlite_count("SELECT count(*) FROM (SELECT DISTINCT a, b, c FROM t)"));
  // Order matters: (b, a) is a different prefix from (b).
  EXPECT_EQ(static_cast<int64_t>(s.distinct_prefixes({"b"})[0]), 13);
  EXPECT_NEAR(s.avg_width("B"),
              std::get<double>((*conn_)->query("SELECT avg(length(b)) FROM t").rows[0][0]), 1e-9);
  EXPECT_TRUE(s.has("C"));
  EXPECT_FALSE(s.has("missing"));
}

TEST_F(TableSampleTest, SampleScalesToTheTable) {
  TableSample s = TableSample::read(**conn_, table_, 1000);
  // Each row kept with probability 1000/5000: about 1000 rows (well within 5 sigma).
  EXPECT_GT(s.rows(), 800u);
  EXPECT_LT(s.rows(), 1200u);
  EXPECT_NEAR(s.scale() * static_cast<double>(s.rows()), 5000.0, 1e-6);
  // A low-cardinality column is fully seen by the sample.
  EXPECT_EQ(s.distinct_prefixes({"a"})[0], 7u);
}

}  // namespace
}  // namespace querylens::advise::detail
