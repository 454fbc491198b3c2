// advise on a real SQLite file: a partial index over a constant predicate (`is_published = 1`)
// when every query on the table carries it, taken by the what-if planner and by SQLite itself
// once built on a copy; none when one query lacks the predicate.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <variant>

#include "advise/advise_test_helpers.h"
#include "querylens/advise/advise.h"
#include "querylens/db/connection.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

constexpr const char* kByAuthor =
    "SELECT id, title FROM posts WHERE author_id = 7 AND is_published = 1";
constexpr const char* kLatest =
    "SELECT id, title FROM posts WHERE is_published = 1 ORDER BY created_at DESC LIMIT 10";

class AdviseSqlitePartial : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("blog.db");
    auto conn = db::connect(db::parse_database_url("sqlite:" + path_), {});
    testing_helpers::create_sqlite_posts(*conn);
  }

  AdviseResult run(const std::vector<std::pair<std::string, uint64_t>>& queries) {
    std::vector<WorkloadQuery> w;
    for (const auto& [sql, calls] : queries) w.push_back(make_workload_query(sql, calls, 1.0));
    auto conn = open_read_only("sqlite:" + path_);
    return advise(*conn, std::move(w), {});
  }

  // SQLite's own plan for `sql` on a copy of the file with `indexes` built and analyzed.
  std::string real_plan(const std::vector<Recommendation>& indexes, const std::string& sql) {
    const std::string copy = dir_.file("copy.db");
    std::filesystem::copy_file(path_, copy, std::filesystem::copy_options::overwrite_existing);
    auto conn = db::connect(db::parse_database_url("sqlite:" + copy), {});
    for (const Recommendation& r : indexes)
      conn->execute_script(create_index_sql(r.index, Engine::kSqlite));
    conn->execute_script("ANALYZE;");
    std::string plan;
    for (const auto& row : conn->query("EXPLAIN QUERY PLAN " + sql).rows) {
      if (const auto* detail = std::get_if<std::string>(&row.back())) plan += *detail + " / ";
    }
    return plan;
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(AdviseSqlitePartial, EveryQueryCarriesTheSameConstant) {
  AdviseResult r = run({{kByAuthor, 500}, {kLatest, 100}});
  const Recommendation* by_author = nullptr;
  for (const Recommendation& x : r.indexes) {
    ASSERT_EQ(x.index.table, "posts");
    EXPECT_EQ(x.index.where_column, "is_published") << render_text(r);
    EXPECT_EQ(x.index.where_value, "1") << render_text(r);
    // Not a key (the predicate selects those rows); SQLite wants it as a trailing covering
    // column, though, before it reads the index alone.
    for (const IndexKey& k : x.index.keys) EXPECT_NE(k.column, "is_published") << render_text(r);
    if (x.index.keys.at(0).column == "author_id") by_author = &x;
  }
  ASSERT_NE(by_author, nullptr) << render_text(r);
  const std::string ddl = create_index_sql(by_author->index, Engine::kSqlite);
  EXPECT_NE(ddl.find("ON \"posts\" (\"author_id\""), std::string::npos) << ddl;
  EXPECT_NE(ddl.find(") WHERE \"is_published\" = 1;"), std::string::npos) << ddl;
  // The what-if planner takes it (the full index was offered too: the partial one is smaller)…
  ASSERT_FALSE(by_author->queries.empty());
  const QueryEffect& e = by_author->queries[0];
  EXPECT_EQ(e.query, 0u);  // kByAuthor
  // (The what-if copy names its indexes itself; every one on posts here is partial.)
  EXPECT_NE(e.plan_after.find("SEARCH posts USING"), std::string::npos) << e.plan_after;
  EXPECT_EQ(e.plan_before.find("USING"), std::string::npos) << e.plan_before;
  EXPECT_LT(e.cost_after * 10, e.cost_before) << e.plan_before << " → " << e.plan_after;
  // …and so does SQLite once it is built.
  const std::string plan = real_plan(r.indexes, kByAuthor);
  EXPECT_NE(plan.find("USING"), std::string::npos) << plan;
  EXPECT_NE(plan.find(by_author->index.name), std::string::npos) << plan;
}

TEST_F(AdviseSqlitePartial, NoPartialIndexWhenOneQueryLacksThePredicate) {
  // Without the third query the advice is partial (the previous test)…
  AdviseResult control = run({{kByAuthor, 500}, {kLatest, 100}});
  ASSERT_FALSE(control.indexes.empty());
  EXPECT_TRUE(control.indexes[0].index.has_where()) << render_text(control);
  // …with it, no index may be.
  AdviseResult r =
      run({{kByAuthor, 500}, {kLatest, 100}, {"SELECT id FROM posts WHERE author_id = 9", 500}});
  ASSERT_FALSE(r.indexes.empty()) << render_text(r);
  for (const Recommendation& x : r.indexes) {
    EXPECT_FALSE(x.index.has_where()) << render_text(r);
  }
}

}  // namespace
}  // namespace querylens::advise
