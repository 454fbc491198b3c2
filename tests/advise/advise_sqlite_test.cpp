// advise on a real SQLite file built here: the recommendation and its column order, the
// what-if copy's plans, existing indexes (serving, duplicate, redundant), budgets, the cost
// cache, and the user's file byte-for-byte unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "querylens/advise/advise.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class AdviseSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("app.db");
    auto conn = db::connect(db::parse_database_url("sqlite:" + path_), {});
    // 2000 users (200 with events); 40000 events (200 per user, created_at = i); 8000 orders.
    conn->execute_script(R"(
      CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT,
                          deleted_at INTEGER);
      CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                           kind TEXT NOT NULL, created_at INTEGER NOT NULL, payload TEXT);
      CREATE INDEX events_kind ON events (kind);
      CREATE INDEX events_kind_dup ON events (kind);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, status TEXT,
                           total INTEGER);
      CREATE INDEX orders_status ON orders (status);
      CREATE INDEX orders_status_total ON orders (status, total);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
        INSERT INTO users SELECT i, 'u' || i || '@x', 'name ' || i,
                                 CASE WHEN i % 10 = 0 THEN i END FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
        INSERT INTO events SELECT i, i % 200 + 1, 'k' || (i % 50), i, hex(randomblob(20)) FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
        INSERT INTO orders SELECT i, i % 2000 + 1, 's' || (i % 5), i % 997 FROM n;
    )");
    conn.reset();
    before_ = read_bytes(path_);
    ASSERT_GT(before_.size(), 100000u);
  }

  void TearDown() override {
    // Whatever advise did, the user's database file is exactly what it was.
    EXPECT_TRUE(read_bytes(path_) == before_) << "the SQLite file changed";
  }

  AdviseResult run(const std::vector<std::pair<std::string, uint64_t>>& queries,
                   AdviseOptions options = {}) {
    std::vector<WorkloadQuery> w;
    for (const auto& [sql, calls] : queries) w.push_back(make_workload_query(sql, calls, 1.0));
    auto conn = open_read_only("sqlite:" + path_);
    return advise(*conn, std::move(w), options);
  }

  static const Recommendation* on(const AdviseResult& r, const std::string& table) {
    for (const Recommendation& x : r.indexes) {
      if (x.index.table == table) return &x;
    }
    return nullptr;
  }

  testing::TempDir dir_;
  std::string path_;
  std::string before_;
};

const char* kFeed =
    "SELECT id, kind, created_at FROM events WHERE user_id = ? "
    "ORDER BY created_at DESC LIMIT 20";

TEST_F(AdviseSqlite, RecommendsEqualityThenOrderColumnAndThePlannerUsesIt) {
  AdviseResult r = run({{kFeed, 1000}});
  const Recommendation* x = on(r, "events");
  ASSERT_NE(x, nullptr) << render_text(r);
  ASSERT_GE(x->index.keys.size(), 2u);
  EXPECT_EQ(x->index.keys[0].column, "user_id");
  EXPECT_EQ(x->index.keys[1].column, "created_at");
  EXPECT_TRUE(x->index.keys[1].descending);
  ASSERT_EQ(x->queries.size(), 1u) << render_text(r);
  const QueryEffect& e = x->queries[0];
  EXPECT_LT(e.cost_after * 10, e.cost_before) << e.plan_before << " → " << e.plan_after;
  EXPECT_NE(e.plan_before.find("SCAN events"), std::string::npos) << e.plan_before;
  EXPECT_NE(e.plan_before.find("TEMP B-TREE"), std::string::npos) << e.plan_before;
  EXPECT_NE(e.plan_after.find("SEARCH events USING"), std::string::npos) << e.plan_after;
  EXPECT_EQ(e.plan_after.find("TEMP B-TREE"), std::string::npos) << e.plan_after;
  EXPECT_NE(create_index_sql(x->index, Engine::kSqlite)
                .find("CREATE INDEX IF NOT EXISTS \"events_user_id_created_at"),
            std::string::npos);
  EXPECT_NE(create_index_sql(x->index, Engine::kSqlite)
                .find("ON \"events\" (\"user_id\", \"created_at\" DESC"),
            std::string::npos);
  EXPECT_GT(x->size_bytes, 40000 * 4);
  EXPECT_DOUBLE_EQ(x->share, 1.0);
  EXPECT_GT(r.whatif_calls, 0);
  EXPECT_LT(r.cost_after, r.cost_before);
}

TEST_F(AdviseSqlite, NoRecommendationWhereAnExistingIndexServes) {
  AdviseResult r = run({{"SELECT count(*) FROM events WHERE kind = ?", 500},
                        {"SELECT email FROM users WHERE id = ?", 500}});
  EXPECT_TRUE(r.indexes.empty()) << render_text(r);
}

TEST_F(AdviseSqlite, DuplicateAndRedundantIndexesWithDropSql) {
  AdviseResult r = run({{kFeed, 10}, {"SELECT total FROM orders WHERE status = ?", 10}});
  std::map<std::string, const DropSuggestion*> drops;
  for (const DropSuggestion& d : r.drops) drops[d.index] = &d;
  ASSERT_EQ(drops.count("events_kind_dup"), 1u) << render_text(r);
  EXPECT_EQ(drops["events_kind_dup"]->rule, "duplicate-index");
  EXPECT_EQ(drops["events_kind_dup"]->because_of, "events_kind");
  EXPECT_EQ(drops["events_kind_dup"]->sql, "DROP INDEX IF EXISTS \"events_kind_dup\";");
  ASSERT_EQ(drops.count("orders_status"), 1u);
  EXPECT_EQ(drops["orders_status"]->rule, "redundant-index");
  EXPECT_EQ(drops["orders_status"]->sql, "DROP INDEX IF EXISTS \"orders_status\";");
  EXPECT_EQ(drops.count("events_kind"), 0u);
  EXPECT_EQ(drops.count("orders_status_total"), 0u);
  EXPECT_EQ(r.drops.size(), 2u);
  EXPECT_EQ(r.findings.size(), 2u);
}

TEST_F(AdviseSqlite, MaxIndexesKeepsTheBest) {
  const std::vector<std::pair<std::string, uint64_t>> w = {
      {kFeed, 1000}, {"SELECT total FROM orders WHERE user_id = ?", 500}};
  AdviseResult all = run(w);
  ASSERT_NE(on(all, "events"), nullptr) << render_text(all);
  ASSERT_NE(on(all, "orders"), nullptr) << render_text(all);
  AdviseOptions one;
  one.select.max_indexes = 1;
  AdviseResult best = run(w, one);
  ASSERT_EQ(best.indexes.size(), 1u) << render_text(best);
  EXPECT_EQ(best.indexes[0].index.table, "events");
  // The one slot holds the index that also serves the ORDER BY, not the narrower (user_id)
  // that a per-byte score picks first: it was upgraded in place.
  EXPECT_EQ(best.indexes[0].index.keys.size(), 2u) << render_text(best);
  // A size budget below the events index leaves only what fits.
  AdviseOptions small;
  small.select.max_size_bytes = on(all, "events")->size_bytes - 1;
  AdviseResult fits = run(w, small);
  int64_t total = 0;
  for (const Recommendation& x : fits.indexes) total += x.size_bytes;
  EXPECT_LE(total, small.select.max_size_bytes) << render_text(fits);
}

TEST_F(AdviseSqlite, AliasedTableIsCostedAsItsTable) {
  // SQLite ≥ 3.36 prints "SCAN o": the estimate must still know o is orders (8000 rows).
  AdviseResult r = run({{"SELECT o.total FROM orders o WHERE o.user_id = ?", 100}});
  const Recommendation* x = on(r, "orders");
  ASSERT_NE(x, nullptr) << render_text(r);
  EXPECT_EQ(x->index.keys.at(0).column, "user_id");
  ASSERT_EQ(x->queries.size(), 1u);
  EXPECT_GE(x->queries[0].cost_before, 8000);
  EXPECT_LT(x->queries[0].cost_after * 100, x->queries[0].cost_before);
}

TEST_F(AdviseSqlite, PartialIndexWhenEveryQueryTestsTheSameColumnForNull) {
  AdviseResult r = run({{"SELECT id FROM users WHERE name = ? AND deleted_at IS NULL", 500},
                        {"SELECT count(*) FROM users WHERE deleted_at IS NULL", 5}});
  const Recommendation* x = on(r, "users");
  ASSERT_NE(x, nullptr) << render_text(r);
  EXPECT_EQ(x->index.keys.at(0).column, "name");
  EXPECT_EQ(x->index.where_column, "deleted_at");
  const std::string ddl = create_index_sql(x->index, Engine::kSqlite);
  // SQLite (3.40) calls a partial index covering only when it holds the tested column too.
  EXPECT_NE(ddl.find("ON \"users\" (\"name\""), std::string::npos) << ddl;
  EXPECT_NE(ddl.find(") WHERE \"deleted_at\" IS NULL;"), std::string::npos) << ddl;
  ASSERT_FALSE(x->queries.empty());
  EXPECT_NE(x->queries[0].plan_after.find("SEARCH users USING"), std::string::npos)
      << x->queries[0].plan_after;
}

TEST_F(AdviseSqlite, CostCacheAnswersARepeatedQuestion) {
  auto conn = open_read_only("sqlite:" + path_);
  std::vector<WorkloadQuery> w = {make_workload_query(kFeed, 1, 1)};
  Catalog catalog = read_catalog(*conn, {"events"});
  auto whatif = make_sqlite_whatif(*conn, catalog);
  CostCache cache(*whatif);
  IndexDef d{"", "events", {{"user_id", "", false}}, {}, "", false, "x"};
  const double base = cache.evaluate(0, w[0], {}).cost;
  const double with = cache.evaluate(0, w[0], {&d}).cost;
  EXPECT_LT(with, base);
  EXPECT_EQ(cache.calls(), 2);
  EXPECT_EQ(cache.evaluate(0, w[0], {&d}).cost, with);
  EXPECT_EQ(cache.calls(), 2);
  EXPECT_EQ(cache.hits(), 1);
}

TEST_F(AdviseSqlite, WritesAreRefusedOnTheUsersDatabase) {
  auto conn = open_read_only("sqlite:" + path_);
  EXPECT_THROW(conn->execute_script("CREATE INDEX nope ON events (payload)"), Error);
}

TEST_F(AdviseSqlite, CliEndToEndWithScriptAndJson) {
  testing::spit(dir_.file("w.sql"), std::string(kFeed) + ";\n" + kFeed + ";\n");
  testing::CliRun run =
      testing::run_cli(dir_, "advise w.sql --db sqlite:app.db --format json --script maint.sql");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("\"whatif_calls\""), std::string::npos);
  EXPECT_NE(run.out.find("\"ddl\": \"CREATE INDEX IF NOT EXISTS \\\"events_user_id_created_at"),
            std::string::npos)
      << run.out;
  const std::string script = testing::slurp(dir_.file("maint.sql"));
  EXPECT_NE(script.find("CREATE INDEX IF NOT EXISTS"), std::string::npos) << script;
  EXPECT_NE(script.find("-- DROP INDEX IF EXISTS \"events_kind_dup\";"), std::string::npos)
      << script;
  EXPECT_NE(script.find("ANALYZE \"events\";"), std::string::npos) << script;
}

}  // namespace
}  // namespace querylens::advise
