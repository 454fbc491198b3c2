// distinct-with-join's EXISTS rewrites, run: every rewrite tests/data/lint/distinct.sql asserts
// returns the same rows as its original statement, on SQLite and on the test PostgreSQL, over
// data with the cases that tell a wrong rewrite apart (a user with many posts, two users of
// one name, users without posts, NULLs).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "querylens/db/database.h"
#include "querylens/lint/lint.h"
#include "querylens/sql/lexer.h"
#include "querylens/sql/splitter.h"
#include "support/test_env.h"

namespace querylens::lint {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE users (id integer PRIMARY KEY, name text, email text, active boolean, "
    "org integer);"
    "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer, editor_id integer, "
    "published boolean, score integer, pinned boolean, kind text, created_at integer);"
    "CREATE TABLE comments (id integer PRIMARY KEY, post_id integer, flagged boolean);"
    "INSERT INTO users VALUES (1, 'alice', 'a@x', true, 1), (2, 'bob', 'b@x', false, 1), "
    "(3, 'alice', 'a2@x', true, 2), (4, 'carol', 'c@x', true, 2), (5, NULL, 'd@x', false, 2);"
    "INSERT INTO posts VALUES (10, 1, NULL, true, 5, false, 'news', 1), "
    "(11, 1, 3, true, 1, true, 'news', 2), (12, 1, NULL, false, 9, false, 'blog', 3), "
    "(13, 2, 1, true, 4, false, 'news', 4), (14, 3, 4, true, 2, true, 'blog', 5), "
    "(15, 5, NULL, true, 7, false, 'news', 6), (16, 3, NULL, false, 0, false, 'news', 7);"
    "INSERT INTO comments VALUES (100, 10, true), (101, 10, true), (102, 14, true), "
    "(103, 13, false), (104, 11, false);";

struct Case {
  std::string original, rewritten;
  bool bare_markers = false;  // `?`: SQLite only
};

std::vector<Case> data_cases() {
  std::filesystem::path file =
      std::filesystem::path(QUERYLENS_TEST_DATA_DIR) / "lint" / "distinct.sql";
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string script = ss.str();
  LintResult result;
  lint_script(script, "distinct.sql", LintOptions{}, result);
  sql::ScriptSplit split = sql::split_script(script);
  std::vector<Case> out;
  for (const LintFinding& f : result.findings) {
    if (f.finding.rule != "distinct-with-join" || f.finding.fix_sql.empty()) continue;
    Case c{std::string(split.statements.at(f.statement - 1).text), f.finding.fix_sql};
    for (const sql::Token& t : sql::lex(c.original).tokens) {
      if (t.kind == sql::TokenKind::kParam && sql::param_style(t) == sql::ParamStyle::kQuestion)
        c.bare_markers = true;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The statement's rows, each as one line, sorted (DISTINCT promises a set, not an order);
// every parameter bound to 2.
std::vector<std::string> rows(db::Connection& conn, const std::string& sql) {
  db::Params params(static_cast<size_t>(conn.prepare(sql).parameter_count()), int64_t{2});
  std::vector<std::string> out;
  for (const auto& row : conn.query(sql, params).rows) {
    std::string line;
    for (const db::Value& v : row) line += db::to_display(v) + "|";
    out.push_back(std::move(line));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs each case on `conn` (schema and data loaded); returns how many returned some rows.
int expect_same_rows(db::Connection& conn, const std::vector<Case>& cases) {
  int nonempty = 0;
  for (const Case& c : cases) {
    if (c.bare_markers && conn.backend() == db::Backend::kPostgres) continue;
    std::vector<std::string> before = rows(conn, c.original);
    EXPECT_EQ(before, rows(conn, c.rewritten)) << c.original << "\n→ " << c.rewritten;
    nonempty += before.empty() ? 0 : 1;
  }
  return nonempty;
}

TEST(DistinctRewriteTest, SameRowsOnSqlite) {
  std::vector<Case> cases = data_cases();
  ASSERT_GE(cases.size(), 10u);
  testing::TempDir dir;
  auto database = db::Database::open("sqlite:" + dir.file("d.db"));
  auto conn = database->connect();
  conn->execute_script(kSchema);
  EXPECT_GE(expect_same_rows(*conn, cases), 8);
  // The data can tell: without its DISTINCT the first rewrite would repeat 'alice'.
  EXPECT_NE(rows(*conn, "SELECT DISTINCT u.name FROM users u JOIN posts p ON p.user_id = u.id"),
            rows(*conn,
                 "SELECT u.name FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE "
                 "p.user_id = u.id)"));
}

TEST(DistinctRewriteTest, SameRowsOnPostgres) {
  QUERYLENS_REQUIRE_PG_URL(url);
  std::vector<Case> cases = data_cases();
  auto database = db::Database::open(url);
  auto conn = database->connect();
  // A schema of its own: the suite shares one database.
  std::string schema = "ql_distinct_" + std::to_string(::getpid()) + "_" +
                       std::to_string(std::random_device{}() % 1000000);
  conn->execute_script("CREATE SCHEMA " + schema + "; SET search_path TO " + schema + ";");
  struct DropSchema {
    db::Connection& conn;
    std::string schema;
    ~DropSchema() {
      try {
        conn.execute_script("RESET search_path; DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      } catch (...) {
      }
    }
  } drop{*conn, schema};
  conn->execute_script(kSchema);
  EXPECT_GE(expect_same_rows(*conn, cases), 8);
}

}  // namespace
}  // namespace querylens::lint
