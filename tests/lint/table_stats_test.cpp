// lint --db: table sizes from the catalog feed order-without-limit (SQLite here, PostgreSQL
// when scripts/test provides a server), through the library and through the real binary.
#include "querylens/lint/table_stats.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "querylens/core/error.h"
#include "querylens/db/database.h"
#include "querylens/lint/lint.h"
#include "support/cli_run.h"

namespace querylens::lint {
namespace {

using testing::TempDir;

// `rows` rows into `table` (one integer column id), through a recursive CTE.
std::string fill(const std::string& table, int rows) {
  return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(rows) + ") INSERT INTO " + table + " (id) SELECT i FROM n;";
}

// big: 200 rows, small: 5, "We""ird": 150 (a name that needs quoting).
std::string make_sqlite_db(const TempDir& dir) {
  std::string path = dir.file("app.db");
  auto database = db::Database::open("sqlite:" + path);
  auto conn = database->connect();
  conn->execute_script(
      "CREATE TABLE big (id INTEGER PRIMARY KEY); CREATE TABLE small (id INTEGER PRIMARY KEY);"
      "CREATE TABLE \"We\"\"ird\" (id INTEGER);" +
      fill("big", 200) + fill("small", 5) + fill("\"We\"\"ird\"", 150));
  return path;
}

std::vector<const LintFinding*> order_findings(const LintResult& r) {
  std::vector<const LintFinding*> out;
  for (const LintFinding& f : r.findings) {
    if (f.finding.rule == "order-without-limit") out.push_back(&f);
  }
  return out;
}

const char* kScript =
    "SELECT id FROM small ORDER BY id;\n"
    "SELECT id FROM big ORDER BY id;\n"
    "SELECT id FROM big ORDER BY id LIMIT 10;\n";

TEST(TableStatsTest, SqliteCountsTablesAndQuotesNames) {
  TempDir dir;
  std::string path = make_sqlite_db(dir);
  auto database = db::Database::open("sqlite:" + path);
  auto conn = database->connect();
  std::map<std::string, int64_t> rows = read_table_rows(*conn);
  EXPECT_EQ(rows["big"], 200);
  EXPECT_EQ(rows["small"], 5);
  EXPECT_EQ(rows["We\"ird"], 150);
  EXPECT_EQ(rows["we\"ird"], 150);  // how libpg_query names an unquoted reference
}

TEST(TableStatsTest, SqlitePrefersSqliteStat1) {
  TempDir dir;
  std::string path = make_sqlite_db(dir);
  auto database = db::Database::open("sqlite:" + path);
  auto conn = database->connect();
  conn->execute_script(
      "CREATE INDEX big_id ON big (id); ANALYZE; "
      "INSERT INTO big (id) VALUES (1000), (1001);");
  std::map<std::string, int64_t> rows = read_table_rows(*conn);
  EXPECT_EQ(rows["big"], 200);  // the estimate ANALYZE recorded, not a fresh count
}

TEST(TableStatsTest, OrderWithoutLimitFiresOnlyForTheLargeTable) {
  TempDir dir;
  LintOptions options;
  options.table_rows = load_table_rows("sqlite:" + make_sqlite_db(dir));
  options.large_table_rows = 100;
  LintResult r;
  lint_script(kScript, "q.sql", options, r);
  auto found = order_findings(r);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->statement, 2u);
  EXPECT_EQ(found[0]->finding.tables, std::vector<std::string>{"big"});
  EXPECT_NE(found[0]->finding.title.find("~200 rows"), std::string::npos)
      << found[0]->finding.title;
}

TEST(TableStatsTest, QualifiedNamesMatchOnlyTheirSchema) {
  LintOptions options;
  options.table_rows = {{"public.big", 5000}, {"big", 5000}, {"archive.old", 5000}};
  options.large_table_rows = 100;
  LintResult r;
  lint_script(
      "SELECT id FROM public.big ORDER BY id;\n"
      "SELECT id FROM other.big ORDER BY id;\n"
      "SELECT id FROM old ORDER BY id;\n"
      "SELECT id FROM archive.old ORDER BY id;\n",
      "q.sql", options, r);
  auto found = order_findings(r);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]->statement, 1u);
  EXPECT_EQ(found[0]->finding.tables, std::vector<std::string>{"public.big"});
  EXPECT_EQ(found[1]->statement, 4u);
}

TEST(TableStatsTest, MissingSqliteFileIsADatabaseErrorAndIsNotCreated) {
  TempDir dir;
  std::string path = dir.file("missing.db");
  try {
    (void)load_table_rows("sqlite:" + path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDatabase);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

// --- the real binary --------------------------------------------------------------------------

using querylens::testing::CliRun;
using querylens::testing::run_cli;

TEST(TableStatsTest, CliDbOptionReportsLargeTables) {
  TempDir dir;
  make_sqlite_db(dir);
  std::ofstream(dir.file("q.sql")) << kScript;
  CliRun r = run_cli(dir, "lint --db sqlite:app.db --large-table-rows 100 --format json q.sql");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  int seen = 0;
  for (const auto& f : j["findings"]) {
    if (f["rule"] != "order-without-limit") continue;
    ++seen;
    EXPECT_EQ(f["statement"], 2);
    EXPECT_EQ(f["tables"], nlohmann::json::array({"big"}));
  }
  EXPECT_EQ(seen, 1) << r.out;
  // The default threshold (100000): nothing is large.
  r = run_cli(dir, "lint --db sqlite:app.db --format json q.sql");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("order-without-limit"), std::string::npos) << r.out;
}

TEST(TableStatsTest, CliConnectionErrorExits3WithoutThePassword) {
  TempDir dir;
  std::ofstream(dir.file("q.sql")) << kScript;
  CliRun r = run_cli(
      dir, "lint --db 'postgresql://ql:hunter2@/nodb?host=/nonexistent-ql-dir&port=1' q.sql");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("***"), std::string::npos) << r.err;
  r = run_cli(dir, "lint --db sqlite:missing.db q.sql");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing.db")));
}

// --- PostgreSQL -------------------------------------------------------------------------------

TEST(TableStatsTest, PostgresReltuplesAfterAnalyze) {
  QUERYLENS_REQUIRE_PG_URL(url);
  std::string table = "ql_lint_rows_" + std::to_string(::getpid()) + "_" +
                      std::to_string(std::random_device{}() % 1000000);
  auto database = db::Database::open(url);
  auto conn = database->connect();
  struct Drop {
    db::Connection& conn;
    std::string table;
    ~Drop() {
      try {
        conn.execute_script("DROP TABLE IF EXISTS public." + table);
      } catch (...) {
      }
    }
  } drop{*conn, table};
  conn->execute_script("CREATE TABLE public." + table + " (id int); INSERT INTO public." + table +
                       " SELECT generate_series(1, 2000); ANALYZE public." + table + ";");

  std::map<std::string, int64_t> rows = read_table_rows(*conn);
  ASSERT_TRUE(rows.count("public." + table));
  EXPECT_EQ(rows["public." + table], 2000);
  EXPECT_EQ(rows[table], 2000);  // public is on the search_path

  LintOptions options;
  options.table_rows = load_table_rows(url);
  options.large_table_rows = 1000;
  LintResult r;
  lint_script("SELECT id FROM " + table + " ORDER BY id;\nSELECT id FROM public." + table +
                  " ORDER BY id;\nSELECT id FROM " + table + " ORDER BY id LIMIT 5;\n",
              "q.sql", options, r);
  auto found = order_findings(r);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]->finding.tables, std::vector<std::string>{table});
  EXPECT_EQ(found[1]->finding.tables, std::vector<std::string>{"public." + table});
}

}  // namespace
}  // namespace querylens::lint
