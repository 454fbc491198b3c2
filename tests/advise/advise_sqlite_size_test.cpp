// advise on SQLite, the bytes of the advice: covering variants of one key merged into one
// index (validated by the what-if planner), and the rule that leaves out an index whose gain
// does not pay for its bytes (SelectOptions::size_weight). Found by bench/advise_tpch.sh,
// where five lineitem indexes led by l_orderkey each covered one query.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "advise/advise_test_helpers.h"
#include "querylens/advise/advise.h"
#include "querylens/db/connection.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

class AdviseSqliteSize : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("size.db");
    auto conn = db::connect(db::parse_database_url("sqlite:" + path_), {});
    // 60000 line items: 150 per supplier (400), 30 per part (2000); 1500 customers.
    conn->execute_script(R"(
      CREATE TABLE lineitem (l_orderkey INTEGER NOT NULL, l_linenumber INTEGER NOT NULL,
                             l_partkey INTEGER NOT NULL, l_suppkey INTEGER NOT NULL,
                             l_quantity INTEGER NOT NULL, l_extendedprice REAL NOT NULL,
                             l_shipdate INTEGER NOT NULL, l_comment TEXT,
                             PRIMARY KEY (l_orderkey, l_linenumber));
      CREATE INDEX lineitem_l_partkey ON lineitem (l_partkey);
      CREATE TABLE customer (c_custkey INTEGER PRIMARY KEY, c_phone TEXT NOT NULL,
                             c_comment TEXT);
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59999)
        INSERT INTO lineitem
        SELECT i / 4 + 1, i % 4 + 1, i % 2000 + 1, i % 400 + 1, i % 50 + 1,
               (i % 50 + 1) * 10.5, (i * 7) % 2000, hex(randomblob(16)) FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
        INSERT INTO customer SELECT i, '555-' || (i * 7919 % 100000), hex(randomblob(40)) FROM n;
    )");
  }

  AdviseResult run(const std::vector<std::pair<std::string, uint64_t>>& queries,
                   const AdviseOptions& options) {
    std::vector<WorkloadQuery> w;
    for (const auto& [sql, calls] : queries) w.push_back(make_workload_query(sql, calls, 1.0));
    auto conn = open_read_only("sqlite:" + path_);
    return advise(*conn, std::move(w), options);
  }

  static std::vector<const Recommendation*> on(const AdviseResult& r, const std::string& table) {
    std::vector<const Recommendation*> out;
    for (const Recommendation& x : r.indexes) {
      if (x.index.table == table) out.push_back(&x);
    }
    return out;
  }

  static std::vector<std::string> columns(const IndexDef& d) {
    return testing_helpers::sqlite_index_columns(d);
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(AdviseSqliteSize, CoveringVariantsOfOneKeyAreMergedIntoOneIndex) {
  // Three lookups by supplier, each reading another column: three covering indexes led by
  // l_suppkey, or one holding all three columns that serves each query from the index alone.
  AdviseOptions options;
  options.select.min_gain = 0;
  options.select.size_weight = 0;
  AdviseResult r = run({{"SELECT sum(l_quantity) FROM lineitem WHERE l_suppkey = 17", 100},
                        {"SELECT max(l_extendedprice) FROM lineitem WHERE l_suppkey = 18", 100},
                        {"SELECT min(l_shipdate) FROM lineitem WHERE l_suppkey = 19", 100}},
                       options);
  const std::vector<const Recommendation*> lineitem = on(r, "lineitem");
  ASSERT_EQ(lineitem.size(), 1u) << render_text(r);
  const std::vector<std::string> cols = columns(lineitem[0]->index);
  EXPECT_EQ(cols.at(0), "l_suppkey") << render_text(r);
  EXPECT_EQ(std::set<std::string>(cols.begin() + 1, cols.end()),
            (std::set<std::string>{"l_quantity", "l_extendedprice", "l_shipdate"}))
      << render_text(r);
  // Validated, not assumed: every query's plan reads the merged index alone.
  ASSERT_EQ(lineitem[0]->queries.size(), 3u) << render_text(r);
  for (const QueryEffect& q : lineitem[0]->queries) {
    EXPECT_NE(q.plan_after.find("USING COVERING INDEX"), std::string::npos) << q.plan_after;
    EXPECT_LT(q.cost_after, q.cost_before);
  }
  EXPECT_TRUE(std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
    return n.find("was merged into") != std::string::npos;
  })) << render_text(r);
}

TEST_F(AdviseSqliteSize, MergeIsNotWiderThanTheLimit) {
  // The same lookups with merges limited to two columns: (l_suppkey) and one covering column
  // at most, so no index holds more than two.
  AdviseOptions options;
  options.select.min_gain = 0;
  options.select.size_weight = 0;
  options.select.max_merged_columns = 2;
  AdviseResult r = run({{"SELECT sum(l_quantity) FROM lineitem WHERE l_suppkey = 17", 100},
                        {"SELECT max(l_extendedprice) FROM lineitem WHERE l_suppkey = 18", 100},
                        {"SELECT min(l_shipdate) FROM lineitem WHERE l_suppkey = 19", 100}},
                       options);
  ASSERT_FALSE(on(r, "lineitem").empty()) << render_text(r);
  for (const Recommendation* x : on(r, "lineitem"))
    EXPECT_LE(columns(x->index).size(), 2u) << render_text(r);
}

TEST_F(AdviseSqliteSize, IndexWhoseGainDoesNotPayForItsBytesIsLeftOut) {
  // The scan for '%ab%' is the bulk of the cost and no index helps it. Covering the part
  // lookup, which lineitem_l_partkey already serves, saves 30 row reads per call for an index
  // of a sixth of the data; the phone lookup saves a scan of customer for a few pages.
  const std::vector<std::pair<std::string, uint64_t>> workload = {
      {"SELECT count(*) FROM lineitem WHERE l_comment LIKE '%ab%'", 10},
      {"SELECT l_extendedprice FROM lineitem WHERE l_partkey = 5", 1},
      {"SELECT c_comment FROM customer WHERE c_phone = '555-7919'", 1}};
  AdviseOptions options;
  options.select.min_gain = 0;
  options.select.size_weight = 0;
  AdviseResult all = run(workload, options);
  ASSERT_EQ(on(all, "lineitem").size(), 1u) << render_text(all);  // bytes only rank
  ASSERT_EQ(on(all, "customer").size(), 1u) << render_text(all);

  options.select.size_weight = 0.05;
  AdviseResult weighed = run(workload, options);
  EXPECT_TRUE(on(weighed, "lineitem").empty()) << render_text(weighed);
  ASSERT_EQ(on(weighed, "customer").size(), 1u) << render_text(weighed);
  EXPECT_EQ(on(weighed, "customer")[0]->index.keys.at(0).column, "c_phone");
}

}  // namespace
}  // namespace querylens::advise
