// advise on the test PostgreSQL (HypoPG): a seq-scan query made cheaper by a hypothetical
// index, a $1 shape planned generically, a partial index over `status = 2`, unused and
// duplicate indexes with sizes, no real index created, nothing left behind by hypopg, and the
// cost cache.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "querylens/advise/advise.h"
#include "querylens/db/connection.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

int64_t count(db::Connection& conn, const std::string& sql, const db::Params& params = {}) {
  db::ResultSet rs = conn.query(sql, params);
  return std::get<int64_t>(rs.rows.at(0).at(0));
}

class AdvisePostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    QUERYLENS_REQUIRE_PG_URL(url);
    url_ = url;
    conn_ = db::connect(db::parse_database_url(url), {});
    schema_ = testing::unique_name("ql_advise");
    conn_->execute_script("CREATE SCHEMA " + schema_ + "; SET search_path = " + schema_ +
                          ", public");
    conn_->execute_script(R"(
      CREATE TABLE accounts (id int PRIMARY KEY, email text, region int);
      INSERT INTO accounts SELECT g, 'a' || g || '@x', g % 10 FROM generate_series(1, 5000) g;
      CREATE INDEX accounts_region ON accounts (region);
      CREATE TABLE tickets (id int PRIMARY KEY, account_id int, status int,
                            opened_at timestamptz, note text);
      INSERT INTO tickets SELECT g, 1 + g % 5000, g % 4, now() - g * interval '1 minute',
                                 md5(g::text)
        FROM generate_series(1, 100000) g;
      CREATE INDEX tickets_status_a ON tickets (status);
      CREATE INDEX tickets_status_b ON tickets (status);
      ANALYZE accounts; ANALYZE tickets;)");
  }
  void TearDown() override {
    if (conn_) conn_->execute_script("DROP SCHEMA " + schema_ + " CASCADE");
  }

  std::unique_ptr<db::Connection> open() {
    auto conn = open_read_only(url_);
    conn->execute_script("SET search_path = " + schema_ + ", public");
    return conn;
  }
  int64_t real_indexes() {
    return count(*conn_, "SELECT count(*) FROM pg_indexes WHERE schemaname = $1", {schema_});
  }

  std::string url_, schema_;
  std::unique_ptr<db::Connection> conn_;
};

TEST_F(AdvisePostgres, HypotheticalIndexLowersCostAndIsRecommended) {
  const int64_t indexes_before = real_indexes();
  auto conn = open();
  std::vector<WorkloadQuery> w = {
      make_workload_query("SELECT id, opened_at FROM tickets WHERE account_id = $1 "
                          "ORDER BY opened_at DESC LIMIT 10",
                          500, 100),
      make_workload_query("SELECT note FROM tickets WHERE account_id = 42", 20, 10)};
  AdviseResult r = advise(*conn, w);
  ASSERT_TRUE(r.notes.empty() || r.notes[0].find("HypoPG") == std::string::npos) << r.notes[0];
  ASSERT_FALSE(r.indexes.empty()) << render_text(r);
  const Recommendation& x = r.indexes[0];
  EXPECT_EQ(x.index.table, "tickets");
  EXPECT_EQ(x.index.schema, schema_);
  EXPECT_EQ(x.index.keys.at(0).column, "account_id");
  EXPECT_GT(x.size_bytes, 1'000'000);  // hypopg_relation_size of 100000 entries
  EXPECT_LT(x.cost_after * 5, x.cost_before) << render_text(r);
  bool generic = false;
  for (const QueryEffect& e : x.queries) {
    EXPECT_LT(e.cost_after, e.cost_before);
    if (r.workload[e.query].sql.find("$1") != std::string::npos) generic = true;
  }
  EXPECT_TRUE(generic) << "the $1 shape was planned (generic plan) and helped";
  EXPECT_NE(create_index_sql(x.index, Engine::kPostgres)
                .find("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"tickets_account_id"),
            std::string::npos);
  EXPECT_NE(create_index_sql(x.index, Engine::kPostgres)
                .find("ON \"" + schema_ + "\".\"tickets\" (\"account_id\""),
            std::string::npos);
  EXPECT_GT(r.whatif_calls, 0);
  // Nothing real was built, and the session's hypothetical indexes are gone.
  EXPECT_EQ(real_indexes(), indexes_before);
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM hypopg()"), 0);
}

TEST_F(AdvisePostgres, PartialIndexOverAConstantPredicateIsHypotheticalToo) {
  auto conn = open();
  std::vector<WorkloadQuery> w = {
      make_workload_query("SELECT id, opened_at FROM tickets WHERE account_id = $1 AND status = 2",
                          500, 100),
      make_workload_query("SELECT note FROM tickets WHERE status = 2 AND account_id = 42", 20, 10)};
  AdviseResult r = advise(*conn, w);
  ASSERT_FALSE(r.indexes.empty()) << render_text(r);
  const Recommendation& x = r.indexes[0];
  EXPECT_EQ(x.index.keys.at(0).column, "account_id") << render_text(r);
  EXPECT_EQ(x.index.where_column, "status");
  EXPECT_EQ(x.index.where_value, "2");
  EXPECT_NE(create_index_sql(x.index, Engine::kPostgres).find(") WHERE \"status\" = 2;"),
            std::string::npos)
      << create_index_sql(x.index, Engine::kPostgres);
  // HypoPG built it with its predicate, and the planner took it for both queries.
  EXPECT_EQ(x.queries.size(), 2u) << render_text(r);
  EXPECT_LT(x.cost_after * 5, x.cost_before) << render_text(r);
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM hypopg()"), 0);
}

// `WHERE is_open` and `is_open = true` (two ways ORMs write a boolean filter) carry one constant:
// a partial index, written as PostgreSQL stores it (`WHERE "is_open"`: HypoPG keeps the text
// as given, and from `= true` the planner proves neither query).
TEST_F(AdvisePostgres, BooleanColumnTestedAloneMakesAPartialIndex) {
  conn_->execute_script(
      "ALTER TABLE tickets ADD COLUMN is_open boolean; UPDATE tickets SET is_open = status = 0; "
      "ANALYZE tickets");
  auto conn = open();
  std::vector<WorkloadQuery> w = {
      make_workload_query("SELECT id, opened_at FROM tickets WHERE account_id = $1 AND is_open",
                          500, 100),
      make_workload_query("SELECT note FROM tickets WHERE is_open = true AND account_id = 42", 20,
                          10)};
  AdviseResult r = advise(*conn, w);
  ASSERT_FALSE(r.indexes.empty()) << render_text(r);
  const Recommendation& x = r.indexes[0];
  EXPECT_EQ(x.index.keys.at(0).column, "account_id") << render_text(r);
  EXPECT_EQ(x.index.where_column, "is_open") << render_text(r);
  EXPECT_EQ(x.index.where_value, "true");
  EXPECT_NE(create_index_sql(x.index, Engine::kPostgres).find(") WHERE \"is_open\";"),
            std::string::npos)
      << create_index_sql(x.index, Engine::kPostgres);
  EXPECT_EQ(x.queries.size(), 2u) << render_text(r);
  EXPECT_LT(x.cost_after * 5, x.cost_before) << render_text(r);
}

// The select list reads `note` inside an expression: the statement model alone cannot prove a
// covering index, EXPLAIN VERBOSE's Output lists can (columns_read), so the advice is an
// index-only scan's (account_id) INCLUDE (note).
TEST_F(AdvisePostgres, ColumnsReadInsideExpressionsMakeACoveringIndex) {
  // An index-only scan needs the visibility map, and VACUUM cannot mark a page all-visible
  // while its rows' asynchronous commit (the test server's synchronous_commit = off) is not
  // yet flushed — a synchronous commit flushes the WAL first — nor while a test running
  // beside this one holds a snapshot older than the rows: VACUUM again until it could.
  conn_->execute_script("SET synchronous_commit = on");
  conn_->execute_script("ANALYZE tickets");
  int64_t all_visible = 0;
  for (int attempt = 0; attempt < 150 && all_visible == 0; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    conn_->execute_script("VACUUM tickets");
    all_visible = count(*conn_,
                        "SELECT relallvisible::bigint FROM pg_class WHERE relname = 'tickets' "
                        "AND relnamespace = $1::regnamespace",
                        {schema_});
  }
  ASSERT_GT(all_visible, 0) << "no VACUUM in 30 s could mark the table all-visible";
  auto conn = open();
  std::vector<WorkloadQuery> w = {make_workload_query(
      "SELECT account_id, upper(note) || '!' FROM tickets WHERE account_id = $1", 500, 100)};
  AdviseResult r = advise(*conn, w);
  ASSERT_FALSE(r.indexes.empty()) << render_text(r);
  const Recommendation& x = r.indexes[0];
  ASSERT_EQ(x.index.keys.size(), 1u) << render_text(r);
  EXPECT_EQ(x.index.keys[0].column, "account_id");
  EXPECT_EQ(x.index.include, (std::vector<std::string>{"note"})) << render_text(r);
  EXPECT_NE(create_index_sql(x.index, Engine::kPostgres).find("INCLUDE (\"note\")"),
            std::string::npos)
      << create_index_sql(x.index, Engine::kPostgres);
  ASSERT_EQ(x.queries.size(), 1u);
  EXPECT_NE(x.queries[0].plan_after.find("Index Only Scan"), std::string::npos)
      << x.queries[0].plan_after;
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM hypopg()"), 0);
}

TEST_F(AdvisePostgres, UnusedAndDuplicateIndexesWithSizes) {
  auto conn = open();
  AdviseResult r =
      advise(*conn, {make_workload_query("SELECT email FROM accounts WHERE id = $1", 10, 1),
                     make_workload_query("SELECT id FROM tickets WHERE status = $1", 10, 1)});
  std::map<std::string, const DropSuggestion*> drops;
  for (const DropSuggestion& d : r.drops) drops[d.index] = &d;
  ASSERT_EQ(drops.count("tickets_status_b"), 1u) << render_text(r);
  EXPECT_EQ(drops["tickets_status_b"]->rule, "duplicate-index");
  EXPECT_EQ(drops["tickets_status_b"]->because_of, "tickets_status_a");
  EXPECT_GT(drops["tickets_status_b"]->size_bytes, 100'000);
  EXPECT_EQ(drops["tickets_status_b"]->sql,
            "DROP INDEX CONCURRENTLY IF EXISTS \"" + schema_ + "\".\"tickets_status_b\";");
  ASSERT_EQ(drops.count("accounts_region"), 1u) << render_text(r);
  EXPECT_EQ(drops["accounts_region"]->rule, "unused-index");
  EXPECT_GT(drops["accounts_region"]->size_bytes, 0);
  // The primary keys back constraints: never suggested, scanned or not.
  EXPECT_EQ(drops.count("accounts_pkey"), 0u);
  EXPECT_EQ(drops.count("tickets_pkey"), 0u);
}

TEST_F(AdvisePostgres, CostCacheAddsNoCallsForARepeatedEvaluation) {
  auto conn = open();
  std::vector<WorkloadQuery> w = {
      make_workload_query("SELECT id FROM tickets WHERE account_id = $1", 1, 1)};
  Catalog catalog = read_catalog(*conn, {"tickets"});
  auto whatif = make_postgres_whatif(*conn, catalog);
  CostCache cache(*whatif);
  IndexDef d{schema_, "tickets", {{"account_id", "", false}}, {}, "", false, "x"};
  const Evaluation base = cache.evaluate(0, w[0], {});
  const Evaluation with = cache.evaluate(0, w[0], {&d});
  EXPECT_NE(base.plan.find("Seq Scan"), std::string::npos) << base.plan;
  EXPECT_LT(with.cost * 10, base.cost) << with.plan;
  ASSERT_EQ(with.used.size(), 1u) << with.plan;
  EXPECT_EQ(with.used[0], d.key());
  EXPECT_EQ(cache.calls(), 2);
  cache.evaluate(0, w[0], {&d});
  cache.evaluate(0, w[0], {});
  EXPECT_EQ(cache.calls(), 2);
  EXPECT_EQ(cache.hits(), 2);
  whatif.reset();  // hypopg_reset()
  EXPECT_EQ(count(*conn, "SELECT count(*) FROM hypopg()"), 0);
}

}  // namespace
}  // namespace querylens::advise
