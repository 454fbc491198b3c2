// lint --db and expression indexes: a predicate on exactly the expression an index leads with
// is served by it (no non-sargable-predicate); a different expression still is not. SQLite
// here, PostgreSQL from scripts/test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "querylens/db/database.h"
#include "querylens/lint/lint.h"
#include "querylens/lint/schema.h"
#include "querylens/lint/table_stats.h"
#include "querylens/sql/canonical_expression.h"
#include "support/test_env.h"

namespace querylens::lint {
namespace {

// Statements (1-based) with a non-sargable-predicate finding.
std::vector<size_t> flagged(const std::string& script, const LintOptions& options) {
  LintResult r;
  lint_script(script, "q.sql", options, r);
  std::vector<size_t> out;
  for (const LintFinding& f : r.findings) {
    if (f.finding.rule == "non-sargable-predicate") out.push_back(f.statement);
  }
  return out;
}

TEST(CanonicalExpressionTest, IndexKeysCompareByMeaningNotSpelling) {
  std::string lower = sql::index_leading_expression("CREATE INDEX i ON users (lower(email))");
  ASSERT_FALSE(lower.empty());
  EXPECT_EQ(lower, sql::index_leading_expression(
                       "create index \"i\" on public.users USING btree (LOWER( \"email\" ), id)"));
  EXPECT_EQ(lower, sql::index_leading_expression(
                       "CREATE INDEX i ON users (pg_catalog.lower(users.email))"));
  EXPECT_NE(lower, sql::index_leading_expression("CREATE INDEX i ON users (upper(email))"));
  EXPECT_NE(lower, sql::index_leading_expression("CREATE INDEX i ON users (lower(name))"));
  // pg_get_indexdef writes the casts to text PostgreSQL inserts by itself.
  EXPECT_EQ(lower, sql::index_leading_expression("CREATE INDEX i ON users (lower((email)::text))"));
  EXPECT_NE(lower,
            sql::index_leading_expression("CREATE INDEX i ON users (lower((email)::varchar(5)))"));
  EXPECT_EQ(sql::index_leading_expression("CREATE INDEX i ON t (lower(coalesce(k, 'x'::text)))"),
            sql::index_leading_expression("CREATE INDEX i ON t (lower(coalesce(k, 'x')))"));
  EXPECT_NE(sql::index_leading_expression("CREATE INDEX i ON t (lower(coalesce(k, 'x')))"),
            sql::index_leading_expression("CREATE INDEX i ON t (lower(coalesce(k, 'y')))"));
  // Not an expression key, partial, own collation, or not an index at all: nothing to match.
  EXPECT_EQ(sql::index_leading_expression("CREATE INDEX i ON users (email)"), "");
  EXPECT_EQ(sql::index_leading_expression("CREATE INDEX i ON users (lower(email)) WHERE id > 0"),
            "");
  EXPECT_EQ(sql::index_leading_expression("CREATE INDEX i ON users (lower(email) COLLATE \"C\")"),
            "");
  EXPECT_EQ(sql::index_leading_expression("SELECT lower(email) FROM users"), "");
  EXPECT_EQ(sql::index_leading_expression("CREATE INDEX i ON users (lower(email)"), "");
}

TEST(ExpressionIndexTest, SqliteExpressionIndexServesTheSameExpressionOnly) {
  testing::TempDir dir;
  std::string url = "sqlite:" + dir.file("app.db");
  db::Database::open(url)->connect()->execute_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);"
      "CREATE INDEX users_lower_email ON users (lower(email));"
      "CREATE INDEX users_upper_name ON users (upper(name), id);"
      "CREATE INDEX users_lower_name_part ON users (lower(name)) WHERE id > 100;");
  LintOptions options;
  load_database_facts(url, options);
  const TableSchema& users = options.schema.at("users");
  ASSERT_EQ(users.indexed_expressions.size(), 2u);  // the partial index serves only its WHERE
  EXPECT_EQ(users.indexed_expressions.at(
                sql::index_leading_expression("CREATE INDEX x ON users (lower(email))")),
            "users_lower_email");

  const std::string script =
      "SELECT id FROM users WHERE lower(email) = 'a@x';\n"       // 1 served
      "SELECT u.id FROM users u WHERE LOWER(u.email) = ?;\n"     // 2 served
      "SELECT id FROM users WHERE upper(email) = 'A@X';\n"       // 3 another function
      "SELECT id FROM users WHERE lower(name) = 'bob';\n"        // 4 only partial / upper
      "SELECT id FROM users WHERE upper(name) = 'BOB';\n"        // 5 served
      "SELECT id FROM users WHERE lower(email) LIKE 'ab%';\n"    // 6 served
      "SELECT id FROM users WHERE lower(trim(email)) = 'a';\n";  // 7 another expression
  EXPECT_EQ(flagged(script, options), (std::vector<size_t>{3, 4, 7}));
  // Without --db the statement alone cannot tell: every one is reported.
  EXPECT_EQ(flagged(script, LintOptions{}), (std::vector<size_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(ExpressionIndexTest, PostgresExpressionIndexServesTheSameExpressionOnly) {
  QUERYLENS_REQUIRE_PG_URL(url);
  std::string table = "ql_exprindex_" + std::to_string(::getpid()) + "_" +
                      std::to_string(std::random_device{}() % 1000000);
  auto database = db::Database::open(url);
  auto conn = database->connect();
  struct DropTable {
    db::Connection& conn;
    std::string table;
    ~DropTable() {
      try {
        conn.execute_script("DROP TABLE IF EXISTS public." + table);
      } catch (...) {
      }
    }
  } drop{*conn, table};
  // varchar: pg_get_indexdef shows the index as lower((email)::text); the query says lower(email).
  conn->execute_script("CREATE TABLE public." + table +
                       " (id int PRIMARY KEY, email varchar(200), kind text, created_at timestamp);"
                       "CREATE INDEX ON public." +
                       table +
                       " (lower(email));"
                       "CREATE INDEX ON public." +
                       table +
                       " USING hash (upper(email));"
                       "CREATE INDEX ON public." +
                       table +
                       " ((created_at::date));"
                       "CREATE INDEX ON public." +
                       table + " (lower(coalesce(kind, 'none')));");
  LintOptions options;
  load_database_facts(url, options);
  ASSERT_TRUE(options.schema.count(table));
  EXPECT_EQ(options.schema[table].indexed_expressions.size(), 3u);  // not the hash index
  EXPECT_EQ(options.schema["public." + table].indexed_expressions.size(), 3u);

  const std::string script =
      "SELECT id FROM " + table + " WHERE lower(email) = $1;\n" +                // 1 served
      "SELECT id FROM " + table + " WHERE upper(email) = $1;\n" +                // 2 hash only
      "SELECT id FROM " + table + " WHERE created_at::date = '2024-01-01';\n" +  // 3 served
      "SELECT id FROM public." + table + " t WHERE lower(coalesce(t.kind, 'none')) = 'x';\n" +
      "SELECT id FROM " + table + " WHERE lower(coalesce(kind, 'other')) = 'x';\n" +  // 5
      "SELECT id FROM " + table + " WHERE upper(kind) = 'X';\n";  // 6 no index at all
  EXPECT_EQ(flagged(script, options), (std::vector<size_t>{2, 5, 6}));
}

}  // namespace
}  // namespace querylens::lint
