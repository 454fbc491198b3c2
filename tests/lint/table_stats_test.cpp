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
#include "querylens/lint/schema.h"
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

// Drops public.<table> when the test ends, passed or not.
struct DropTableOnExit {
  db::Connection& conn;
  std::string table;
  ~DropTableOnExit() {
    try {
      conn.execute_script("DROP TABLE IF EXISTS public." + table);
    } catch (...) {
    }
  }
};

TEST(TableStatsTest, PostgresReltuplesAfterAnalyze) {
  QUERYLENS_REQUIRE_PG_URL(url);
  std::string table = "ql_lint_rows_" + std::to_string(::getpid()) + "_" +
                      std::to_string(std::random_device{}() % 1000000);
  auto database = db::Database::open(url);
  auto conn = database->connect();
  DropTableOnExit drop{*conn, table};
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

// lint --db: unqualified columns resolve to their table, and a wrapped column that leads an
// index is worse than one no index serves.
const LintFinding* find_rule(const LintResult& r, std::string_view rule, size_t statement) {
  for (const LintFinding& f : r.findings) {
    if (f.finding.rule == rule && f.statement == statement) return &f;
  }
  return nullptr;
}

TEST(LintSchemaTest, SqliteResolvesColumnsAndRatesByExistingIndexes) {
  TempDir dir;
  std::string path = dir.file("shop.db");
  {
    auto database = db::Database::open("sqlite:" + path);
    database->connect()->execute_script(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); "
        "CREATE INDEX users_email ON users (email); "
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, note TEXT);");
  }
  const std::string script =
      "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE lower(email) = 'a';\n"
      "SELECT id FROM orders WHERE lower(note) = 'b';\n"
      "SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE note LIKE '%x';\n";
  LintOptions with_db;
  load_database_facts("sqlite:" + path, with_db);
  ASSERT_TRUE(with_db.schema.count("users"));
  EXPECT_TRUE(with_db.schema["users"].indexed_columns.count("email"));
  EXPECT_TRUE(with_db.schema["users"].indexed_columns.count("id"));  // INTEGER PRIMARY KEY
  EXPECT_FALSE(with_db.schema["orders"].indexed_columns.count("note"));
  LintResult r;
  lint_script(script, "q.sql", with_db, r);
  const LintFinding* email = find_rule(r, "non-sargable-predicate", 1);
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->finding.severity, Severity::kHigh);  // users_email is thrown away
  EXPECT_EQ(email->finding.tables, std::vector<std::string>{"users"});
  EXPECT_EQ(email->finding.fix_sql, "CREATE INDEX ON \"users\" ((lower(\"email\")));");
  const LintFinding* note = find_rule(r, "non-sargable-predicate", 2);
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->finding.severity, Severity::kLow);  // nothing to lose: the table is scanned
  const LintFinding* like = find_rule(r, "leading-wildcard-like", 3);
  ASSERT_NE(like, nullptr);
  EXPECT_EQ(like->finding.tables, std::vector<std::string>{"orders"});  // `note` resolved

  LintResult plain;
  lint_script(script, "q.sql", LintOptions{}, plain);
  const LintFinding* unknown = find_rule(plain, "non-sargable-predicate", 1);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->finding.severity, Severity::kMedium);
  EXPECT_TRUE(unknown->finding.tables.empty());  // the text alone does not say whose email
}

TEST(LintSchemaTest, PostgresCatalogColumnsAndLeadingIndexColumns) {
  QUERYLENS_REQUIRE_PG_URL(url);
  std::string table = "lint_schema_" + std::to_string(std::random_device{}() % 1000000);
  auto database = db::Database::open(url);
  auto conn = database->connect();
  DropTableOnExit drop{*conn, table};
  conn->execute_script("CREATE TABLE public." + table +
                       " (id int PRIMARY KEY, email text, note text);"
                       "CREATE INDEX ON public." +
                       table +
                       " (email, note);"
                       "CREATE INDEX ON public." +
                       table + " (lower(note));");
  std::map<std::string, TableSchema> schema = read_table_schema(*conn);
  ASSERT_TRUE(schema.count(table));
  ASSERT_TRUE(schema.count("public." + table));
  EXPECT_EQ(schema[table].columns, (std::set<std::string>{"id", "email", "note"}));
  // id (the primary key) and email lead an index; note only follows email or sits in an
  // expression, which serves no plain predicate on it.
  EXPECT_EQ(schema[table].indexed_columns, (std::set<std::string>{"id", "email"}));
}

}  // namespace
}  // namespace querylens::lint
