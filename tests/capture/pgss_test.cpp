// pg_stat_statements as a source, on the test PostgreSQL (which preloads it).
#include "querylens/capture/pgss.h"

#include <gtest/gtest.h>

#include <random>

#include "querylens/analyze/pipeline.h"
#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "support/test_env.h"

namespace querylens::capture {
namespace {

std::string unique_table() {
  std::random_device rd;
  return "ql_pgss_" + std::to_string(rd() % 1000000000);
}

TEST(PgssTest, SnapshotDifferenceCountsWhatRanInBetween) {
  QUERYLENS_REQUIRE_PG_URL(url);
  auto db = db::Database::open(url);
  auto conn = db->connect();
  std::string table = unique_table();
  conn->execute_script("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
  conn->execute_script("INSERT INTO " + table +
                       " SELECT g, 'v' || g FROM generate_series(1, 100) g");
  PgssSnapshot before = take_pgss_snapshot(*conn);
  for (int i = 1; i <= 7; ++i)
    conn->query("SELECT v FROM " + table + " WHERE id = $1", {int64_t{i}});
  PgssSnapshot after = take_pgss_snapshot(*conn);
  PgssSnapshot diff = pgss_difference(before, after);
  const PgssEntry* lookup = nullptr;
  for (const PgssEntry& e : diff.entries) {
    if (e.query.find(table) != std::string::npos &&
        e.query.find("WHERE id = $1") != std::string::npos)
      lookup = &e;
  }
  ASSERT_NE(lookup, nullptr);
  EXPECT_EQ(lookup->calls, 7u);
  EXPECT_EQ(lookup->rows, 7);
  EXPECT_GT(lookup->total_ms, 0);
  EXPECT_GE(lookup->max_ms, lookup->min_ms);
  // The INSERT ran before the first snapshot: not in the difference.
  for (const PgssEntry& e : diff.entries)
    EXPECT_EQ(e.query.find("INSERT INTO " + table), std::string::npos);
  conn->execute_script("DROP TABLE " + table);
}

TEST(PgssTest, PipelineReportsPgssShapesWithoutMadeUpQuantiles) {
  QUERYLENS_REQUIRE_PG_URL(url);
  auto db = db::Database::open(url);
  auto conn = db->connect();
  std::string table = unique_table();
  conn->execute_script("CREATE TABLE " + table + " (id int PRIMARY KEY)");
  for (int i = 0; i < 5; ++i)
    conn->query("SELECT count(*) FROM " + table + " WHERE id > $1", {int64_t{i}});
  analyze::PipelineOptions options;
  options.sources = {"pgss"};
  options.db_url = url;
  options.report.top = 0;
  Diagnostics diagnostics;
  analyze::PipelineResult result = analyze::run_pipeline(options, diagnostics);
  EXPECT_TRUE(result.failed_sources.empty());
  const report::QueryRow* row = nullptr;
  for (const auto& q : result.report.queries) {
    if (q.query.find(table) != std::string::npos && q.query.find("count(*)") != std::string::npos)
      row = &q;
  }
  ASSERT_NE(row, nullptr);
  EXPECT_GE(row->calls, 5u);
  EXPECT_GT(row->total_ms, 0);
  EXPECT_TRUE(std::isnan(row->p95_ms));  // pg_stat_statements has no distribution
  EXPECT_GE(row->max_ms, row->min_ms);
  conn->execute_script("DROP TABLE " + table);
}

TEST(PgssTest, MissingExtensionAndMissingDbAreClearErrors) {
  QUERYLENS_REQUIRE_PG_URL(url);
  auto db = db::Database::open("sqlite::memory:");
  auto conn = db->connect();
  EXPECT_THROW(take_pgss_snapshot(*conn), Error);
  analyze::PipelineOptions options;
  options.sources = {"pgss"};
  Diagnostics diagnostics;
  try {
    analyze::run_pipeline(options, diagnostics);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("--db"), std::string::npos);
  }
  // A database without the extension: say how to install it.
  auto pg = db::Database::open(url);
  auto pc = pg->connect();
  std::string name = unique_table();
  pc->execute_script("CREATE DATABASE " + name);
  std::string other = url;
  other.replace(other.find("/querylens_test"), std::string("/querylens_test").size(), "/" + name);
  {
    auto odb = db::Database::open(other);
    auto oc = odb->connect();
    try {
      take_pgss_snapshot(*oc);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("CREATE EXTENSION pg_stat_statements"),
                std::string::npos);
    }
  }
  pc->execute_script("DROP DATABASE " + name + " WITH (FORCE)");
}

}  // namespace
}  // namespace querylens::capture
