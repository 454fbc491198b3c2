// explain_statement() on a real SQLite database: each SQLite check provoked by a schema and
// data built here, with and without --analyze; the write-safety contract; parameters; the
// statement timeout; and the connection left as it was found.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/explain/explain.h"

namespace querylens::explain {
namespace {

class ExplainSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = db::connect(db::parse_database_url("sqlite::memory:"), db::ConnectOptions{});
    // 2000 users, 20000 posts: user_id = i % 2000 + 1 (10 posts each), created_at = i, and
    // a title equal to the author's email so a join on it matches.
    db_->execute_script(R"(
      CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, country TEXT);
      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
                          created_at INTEGER NOT NULL, title TEXT);
      CREATE INDEX posts_user ON posts (user_id);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
        INSERT INTO users SELECT i, 'u' || i || '@x', 'c' || (i % 7) FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
        INSERT INTO posts SELECT i, i % 2000 + 1, i, 'u' || (i % 2000 + 1) || '@x' FROM n;
    )");
    options_.checks.large_table_rows = 1000;  // users (2000) large, posts (20000) ten times so
  }

  void TearDown() override {
    // Whatever a test did, explain leaves the connection outside any transaction.
    EXPECT_FALSE(db_->in_transaction());
    EXPECT_EQ(db_->statement_timeout(), 0);
  }

  ExplainResult explain(std::string_view sql, bool analyze = false) {
    ExplainOptions options = options_;
    options.analyze = analyze;
    return explain_statement(*db_, sql, options);
  }

  int64_t count(std::string_view sql) {
    return std::get<int64_t>(db_->query(sql).rows.at(0).at(0));
  }

  std::unique_ptr<db::Connection> db_;
  ExplainOptions options_;
};

std::vector<const plan::PlanFinding*> with_rule(const ExplainResult& r, std::string_view rule) {
  std::vector<const plan::PlanFinding*> out;
  for (const plan::PlanFinding& f : r.findings) {
    if (f.finding.rule == rule) out.push_back(&f);
  }
  return out;
}

const plan::PlanNode* node_typed(const plan::Plan& plan, std::string_view type) {
  for (const plan::PlanNode& n : plan.nodes) {
    if (n.node_type == type) return &n;
  }
  return nullptr;
}

TEST_F(ExplainSqliteTest, FullScanOfALargeFilteredTableAndItsFix) {
  const std::string sql = "SELECT id, title FROM posts WHERE created_at > 19990";
  ExplainResult r = explain(sql);
  EXPECT_EQ(r.plan.engine, plan::Engine::kSqlite);
  EXPECT_FALSE(r.plan.analyzed);
  EXPECT_FALSE(r.plan.sqlite.has_value());
  ASSERT_EQ(r.plan.nodes.size(), 1u);
  EXPECT_EQ(r.plan.root().detail, "SCAN posts");
  EXPECT_EQ(r.plan.table_rows.at("posts"), 20000);
  auto scans = with_rule(r, "sqlite-full-scan");
  ASSERT_EQ(scans.size(), 1u);
  EXPECT_EQ(scans[0]->finding.severity, Severity::kHigh);  // filtered, 20000 >= 10 × 1000
  EXPECT_EQ(scans[0]->finding.fix_sql,
            R"(CREATE INDEX "posts_created_at_idx" ON "posts" ("created_at");)");

  ExplainResult ran = explain(sql, /*analyze=*/true);
  ASSERT_TRUE(ran.plan.analyzed);
  ASSERT_TRUE(ran.plan.sqlite.has_value());
  EXPECT_EQ(ran.plan.sqlite->rows, 10);
  EXPECT_GE(ran.plan.sqlite->fullscan_steps, 19999);
  EXPECT_LE(ran.plan.sqlite->fullscan_steps, 20000);
  EXPECT_GT(ran.plan.sqlite->vm_steps, 20000);
  ASSERT_TRUE(ran.plan.execution_ms.has_value());
  EXPECT_GT(*ran.plan.execution_ms, 0.0);
  EXPECT_EQ(with_rule(ran, "sqlite-full-scan").size(), 1u);

  // The statement cache hands back the same statement: a second run counts only itself.
  ExplainResult again = explain(sql, /*analyze=*/true);
  EXPECT_EQ(again.plan.sqlite->fullscan_steps, ran.plan.sqlite->fullscan_steps);
  EXPECT_EQ(again.plan.sqlite->vm_steps, ran.plan.sqlite->vm_steps);

  // The recommended fix is valid SQLite and removes the scan.
  db_->execute_script(scans[0]->finding.fix_sql);
  ExplainResult fixed = explain(sql, /*analyze=*/true);
  EXPECT_EQ(fixed.plan.root().node_type, "SEARCH");
  EXPECT_EQ(fixed.plan.root().index, "posts_created_at_idx");
  EXPECT_TRUE(with_rule(fixed, "sqlite-full-scan").empty());
  EXPECT_EQ(fixed.plan.sqlite->fullscan_steps, 0);
  EXPECT_EQ(fixed.plan.sqlite->rows, 10);
}

TEST_F(ExplainSqliteTest, AutomaticIndexOnAnUnindexedJoinColumn) {
  const std::string sql = "SELECT count(*) FROM users u JOIN posts p ON p.title = u.email";
  ExplainResult r = explain(sql);
  const plan::PlanNode* search = node_typed(r.plan, "SEARCH");
  ASSERT_NE(search, nullptr);
  EXPECT_TRUE(search->automatic_index);
  // 3.36+ prints the alias only: the runner puts the table back.
  EXPECT_EQ(search->relation, "posts");
  EXPECT_EQ(search->alias, "p");
  auto automatic = with_rule(r, "sqlite-automatic-index");
  ASSERT_EQ(automatic.size(), 1u);
  EXPECT_EQ(automatic[0]->finding.severity, Severity::kMedium);
  EXPECT_EQ(automatic[0]->finding.tables, (std::vector<std::string>{"posts"}));
  EXPECT_EQ(automatic[0]->finding.fix_sql,
            R"(CREATE INDEX "posts_title_idx" ON "posts" ("title");)");
  // users is scanned whole (2000 rows, large here) but not filtered: medium.
  auto scans = with_rule(r, "sqlite-full-scan");
  ASSERT_EQ(scans.size(), 1u);
  EXPECT_EQ(scans[0]->finding.tables, (std::vector<std::string>{"users"}));
  EXPECT_EQ(scans[0]->finding.severity, Severity::kMedium);

  ExplainResult ran = explain(sql, /*analyze=*/true);
  EXPECT_EQ(ran.plan.sqlite->rows, 1);  // count(*): one row
  // Every post goes into the automatic index (SQLite's counter misses the first one).
  EXPECT_GE(ran.plan.sqlite->autoindex_rows, 19999);
  EXPECT_LE(ran.plan.sqlite->autoindex_rows, 20000);
  auto big = with_rule(ran, "sqlite-automatic-index");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0]->finding.severity, Severity::kHigh);  // 20000 rows into it per run

  db_->execute_script(automatic[0]->finding.fix_sql);
  ExplainResult fixed = explain(sql, /*analyze=*/true);
  EXPECT_TRUE(with_rule(fixed, "sqlite-automatic-index").empty());
  EXPECT_EQ(fixed.plan.sqlite->autoindex_rows, 0);
}

TEST_F(ExplainSqliteTest, TempBTreeForOrderBy) {
  const std::string sql = "SELECT * FROM posts WHERE user_id = 7 ORDER BY created_at";
  ExplainResult r = explain(sql);
  ASSERT_NE(node_typed(r.plan, "USE TEMP B-TREE"), nullptr);
  auto sorts = with_rule(r, "sqlite-temp-btree");
  ASSERT_EQ(sorts.size(), 1u);
  EXPECT_EQ(sorts[0]->finding.severity, Severity::kLow);
  EXPECT_EQ(sorts[0]->finding.fix_sql,
            R"(CREATE INDEX "posts_user_id_created_at_idx" ON "posts" ("user_id", "created_at");)");
  EXPECT_TRUE(with_rule(r, "sqlite-full-scan").empty());  // it searches posts_user

  ExplainResult ran = explain(sql, /*analyze=*/true);
  EXPECT_EQ(ran.plan.sqlite->rows, 10);
  EXPECT_EQ(ran.plan.sqlite->sorts, 1);
  auto sorted = with_rule(ran, "sqlite-temp-btree");
  ASSERT_EQ(sorted.size(), 1u);
  EXPECT_EQ(sorted[0]->finding.severity, Severity::kMedium);  // sorted, on a large table

  db_->execute_script(sorts[0]->finding.fix_sql);
  ExplainResult fixed = explain(sql, /*analyze=*/true);
  EXPECT_EQ(node_typed(fixed.plan, "USE TEMP B-TREE"), nullptr);
  EXPECT_EQ(fixed.plan.sqlite->sorts, 0);
  EXPECT_TRUE(with_rule(fixed, "sqlite-temp-btree").empty());
}

TEST_F(ExplainSqliteTest, CorrelatedScalarSubquery) {
  const std::string sql =
      "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.title = u.email) AS n "
      "FROM users u WHERE u.id < 5";
  ExplainResult r = explain(sql);
  auto correlated = with_rule(r, "sqlite-correlated-subquery");
  ASSERT_EQ(correlated.size(), 1u);
  const Finding& f = correlated[0]->finding;
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.plan_nodes, (std::vector<std::string>{"CORRELATED SCALAR SUBQUERY 1"}));
  EXPECT_EQ(f.tables, (std::vector<std::string>{"posts"}));
  EXPECT_EQ(f.fix_sql, R"(CREATE INDEX "posts_title_idx" ON "posts" ("title");)");

  ExplainResult ran = explain(sql, /*analyze=*/true);
  EXPECT_EQ(ran.plan.sqlite->rows, 4);
  // Four outer rows, each scanning all of posts.
  EXPECT_GE(ran.plan.sqlite->fullscan_steps, 4 * 19999);
  EXPECT_EQ(with_rule(ran, "sqlite-correlated-subquery").size(), 1u);
}

TEST_F(ExplainSqliteTest, AnalyzedWriteIsRolledBack) {
  const std::string sql = "DELETE FROM posts WHERE user_id = 3";
  ExplainOptions options = options_;
  options.analyze = true;
  options.allow_writes = true;
  ExplainResult r = explain_statement(*db_, sql, options);
  EXPECT_TRUE(r.safety.writes);
  ASSERT_TRUE(r.plan.analyzed);
  EXPECT_EQ(r.plan.sqlite->rows, 10);  // it did delete them, inside the transaction
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20000);
  EXPECT_EQ(count("SELECT count(*) FROM posts WHERE user_id = 3"), 10);

  ExplainResult update = explain_statement(*db_, "UPDATE users SET email = 'x'", options);
  EXPECT_EQ(update.plan.sqlite->rows, 2000);
  EXPECT_EQ(count("SELECT count(*) FROM users WHERE email = 'x'"), 0);
}

TEST_F(ExplainSqliteTest, AnalyzedWriteNeedsAllowWrites) {
  ExplainOptions options = options_;
  options.analyze = true;
  try {
    explain_statement(*db_, "DELETE FROM posts WHERE user_id = 3", options);
    FAIL() << "expected Error(kUsage)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("--allow-writes"), std::string::npos);
  }
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20000);
  // Only planning a write is always allowed, and runs nothing.
  ExplainResult planned = explain("DELETE FROM posts WHERE user_id = 3");
  EXPECT_FALSE(planned.plan.analyzed);
  EXPECT_EQ(planned.plan.root().detail, "SEARCH posts USING INDEX posts_user (user_id=?)");
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20000);
}

TEST_F(ExplainSqliteTest, ParametersArePlannedUnboundAndBoundWhenRun) {
  for (std::string sql :
       {"SELECT id FROM posts WHERE user_id = ?", "SELECT id FROM posts WHERE user_id = $1"}) {
    SCOPED_TRACE(sql);
    ExplainResult planned = explain(sql);
    EXPECT_EQ(planned.safety.max_param, 1);
    EXPECT_FALSE(planned.plan.analyzed);
    EXPECT_EQ(planned.plan.root().index, "posts_user");
    EXPECT_EQ(planned.plan.root().index_columns, (std::vector<std::string>{"user_id"}));

    options_.params = {std::string("7")};
    EXPECT_EQ(explain(sql, true).plan.sqlite->rows, 10);
    options_.params = {};  // missing: a run with NULL would measure nothing, so plan only
    ExplainResult unbound = explain(sql, true);
    EXPECT_FALSE(unbound.plan.analyzed);
    EXPECT_FALSE(unbound.plan.sqlite.has_value());
    EXPECT_NE(unbound.note.find("planned only"), std::string::npos) << unbound.note;
  }
  // $n binds by its number, not by where it appears: user 7's posts after 10000.
  options_.params = {std::string("7"), std::string("10000")};
  ExplainResult named =
      explain("SELECT id FROM posts WHERE created_at > $2 AND user_id = $1", true);
  EXPECT_EQ(named.plan.sqlite->rows, 5);
}

TEST_F(ExplainSqliteTest, StatementTimeoutCancelsALongRun) {
  ExplainOptions options = options_;
  options.analyze = true;
  options.timeout_ms = 200;
  const auto start = std::chrono::steady_clock::now();
  try {
    explain_statement(*db_,
                      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                      "WHERE x < 1000000000) SELECT count(*) FROM c",
                      options);
    FAIL() << "expected Error(kDatabase)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
    EXPECT_NE(std::string(e.what()).find("statement timeout of 200 ms"), std::string::npos)
        << e.what();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  // The connection works afterwards, without the timeout (TearDown checks it is 0 again).
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20000);
}

TEST_F(ExplainSqliteTest, TimeoutDuringAWriteStillLeavesDataUntouched) {
  ExplainOptions options = options_;
  options.analyze = true;
  options.allow_writes = true;
  options.timeout_ms = 100;
  EXPECT_THROW(explain_statement(*db_,
                                 "INSERT INTO posts (user_id, created_at) "
                                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                 "WHERE x < 1000000000) SELECT 1, x FROM c",
                                 options),
               Error);
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20000);
}

TEST_F(ExplainSqliteTest, ConnectionTimeoutCoversScriptsAndZeroTurnsItOff) {
  const std::string slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) "
      "SELECT count(*) FROM c";
  db_->set_statement_timeout(1);
  EXPECT_EQ(db_->statement_timeout(), 1);
  try {
    db_->execute_script(slow);
    FAIL() << "expected Error(kDatabase)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
    EXPECT_NE(std::string(e.what()).find("statement timeout of 1 ms"), std::string::npos);
  }
  EXPECT_THROW(db_->query(slow), Error);
  // Short statements between still run: the deadline starts with each execution.
  EXPECT_EQ(count("SELECT count(*) FROM users"), 2000);
  db_->set_statement_timeout(0);
  EXPECT_EQ(count(slow), 1000000);
  EXPECT_THROW(db_->set_statement_timeout(-1), Error);
}

TEST_F(ExplainSqliteTest, TableSizesComeFromSqliteStat1WhenAnalyzed) {
  db_->execute_script("ANALYZE");
  // Rows added after ANALYZE: the statistics still say 20000, and the runner trusts them
  // rather than counting the table.
  db_->execute_script("INSERT INTO posts (user_id, created_at) VALUES (1, 1), (2, 2)");
  ExplainResult r = explain("SELECT * FROM posts WHERE created_at > 5");
  EXPECT_EQ(r.plan.table_rows.at("posts"), 20000);
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20002);
}

TEST_F(ExplainSqliteTest, RefusesWhatTheSafetyRulesRefuse) {
  for (std::string sql : {"DROP TABLE posts", "SELECT 1; SELECT 2", "EXPLAIN SELECT 1"}) {
    SCOPED_TRACE(sql);
    try {
      explain(sql);
      FAIL() << "expected Error(kUsage)";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    }
  }
  EXPECT_EQ(count("SELECT count(*) FROM posts"), 20000);
}

TEST_F(ExplainSqliteTest, CteAndConstantRowsAreNotTables) {
  ExplainResult r = explain(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000) "
      "SELECT count(*) FROM c",
      true);
  EXPECT_EQ(r.plan.sqlite->rows, 1);
  EXPECT_EQ(r.plan.table_rows.count("c"), 0u);  // count(*) of a CTE name fails: skipped
  EXPECT_TRUE(with_rule(r, "sqlite-full-scan").empty());
}

}  // namespace
}  // namespace querylens::explain
