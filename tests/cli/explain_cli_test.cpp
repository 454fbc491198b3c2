// `querylens explain` through the real binary, on an SQLite file the test builds.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "querylens/db/database.h"
#include "support/cli_run.h"

namespace {

using querylens::testing::CliRun;
using querylens::testing::run_cli;
using querylens::testing::TempDir;

// users (2,000) and posts (20,000) with no index on posts.user_id.
std::string make_blog(const TempDir& dir) {
  std::string path = dir.file("blog.db");
  auto db = querylens::db::Database::open("sqlite:" + path);
  auto conn = db->connect();
  conn->execute_script(R"(
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT, created_at INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO posts SELECT i, 1 + i % 2000, 'post ' || i, i FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO users SELECT i, 'u' || i || '@example.com' FROM n;)");
  return path;
}

int64_t post_count(const std::string& path) {
  auto db = querylens::db::Database::open("sqlite:" + path);
  auto rs = db->query("SELECT count(*) FROM posts");
  return std::get<int64_t>(rs.rows.at(0).at(0));
}

TEST(ExplainCli, TextTreeWithFindingAndFix) {
  TempDir dir;
  std::string db = make_blog(dir);
  CliRun r = run_cli(dir, "explain --db sqlite:" + db +
                              " --analyze 'SELECT title FROM posts WHERE user_id = 7 ORDER BY "
                              "created_at DESC'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("SCAN posts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("◀ sqlite-full-scan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("full-scan steps 19,999"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CREATE INDEX"), std::string::npos) << r.out;
  // --fail-on turns findings into exit code 1.
  EXPECT_EQ(run_cli(dir, "explain --db sqlite:" + db +
                             " --fail-on medium 'SELECT title FROM posts WHERE user_id = 7'")
                .code,
            1);
}

TEST(ExplainCli, JsonPlansForAFileOfStatements) {
  TempDir dir;
  std::string db = make_blog(dir);
  querylens::testing::spit(dir.file("q.sql"),
                           "SELECT * FROM users WHERE id = 3;\n"
                           "SELECT u.email, (SELECT count(*) FROM posts p WHERE p.user_id = u.id)"
                           " FROM users u;\n");
  CliRun r = run_cli(dir, "explain --db sqlite:" + db + " --file q.sql --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["plans"].size(), 2u);
  EXPECT_EQ(j["plans"][0]["engine"], "sqlite");
  EXPECT_EQ(j["plans"][0]["findings"].size(), 0u);
  bool correlated = false;
  for (const auto& f : j["plans"][1]["findings"])
    correlated |= f["rule"] == "sqlite-correlated-subquery";
  EXPECT_TRUE(correlated) << j["plans"][1].dump(2);
}

TEST(ExplainCli, WritesAreRefusedWithoutAllowWritesAndNeverCommitted) {
  TempDir dir;
  std::string db = make_blog(dir);
  CliRun refused = run_cli(dir, "explain --db sqlite:" + db + " --analyze 'DELETE FROM posts'");
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("--allow-writes"), std::string::npos) << refused.err;
  CliRun allowed =
      run_cli(dir, "explain --db sqlite:" + db + " --analyze --allow-writes 'DELETE FROM posts'");
  EXPECT_EQ(allowed.code, 0) << allowed.err;
  EXPECT_NE(allowed.err.find("rolled back"), std::string::npos) << allowed.err;
  EXPECT_EQ(post_count(db), 20000);
}

TEST(ExplainCli, CompareTwoForms) {
  TempDir dir;
  std::string db = make_blog(dir);
  CliRun r =
      run_cli(dir, "explain --db sqlite:" + db +
                       " --compare --runs 3 --format json"
                       " 'SELECT id FROM users WHERE id IN (SELECT user_id FROM posts)'"
                       " 'SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id'");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["same_rows"]);
  EXPECT_EQ(j["a"]["rows"], 2000);
  EXPECT_EQ(j["a"]["runs_ms"].size(), 3u);
  CliRun differ = run_cli(dir, "explain --db sqlite:" + db + " --compare 'SELECT 1' 'SELECT 2'");
  EXPECT_EQ(differ.code, 1);
  EXPECT_NE(differ.out.find("Same rows: NO"), std::string::npos) << differ.out;
}

TEST(ExplainCli, AnalyzeExplainsTheCostliestShapesIntoTheReport) {
  TempDir dir;
  std::string db = make_blog(dir);
  querylens::testing::spit(dir.file("w.sql"),
                           "SELECT title FROM posts WHERE user_id = 1;\n"
                           "SELECT title FROM posts WHERE user_id = 2;\n"
                           "SELECT email FROM users WHERE id = 5;\n"
                           "BEGIN;\nCOMMIT;\nBEGIN;\nCOMMIT;\nBEGIN;\nCOMMIT;\n");
  CliRun r = run_cli(dir, "analyze w.sql --db sqlite:" + db + " --format json --explain-top 1");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["plans"].size(), 1u);
  // BEGIN / COMMIT rank first (3 calls each) but take no plan: the posts shape is explained.
  std::string posts;
  for (const auto& q : j["queries"]) {
    if (q["query"].get<std::string>().rfind("SELECT title FROM posts", 0) == 0)
      posts = q["fingerprint"];
  }
  EXPECT_EQ(j["plans"][0]["fingerprint"], posts);
  bool found = false;
  for (const auto& f : j["findings"]) found |= f["rule"] == "sqlite-full-scan";
  EXPECT_TRUE(found);
  CliRun md = run_cli(dir, "analyze w.sql --db sqlite:" + db + " --format md");
  EXPECT_NE(md.out.find("## Plans (2)"), std::string::npos) << md.out;
}

TEST(ExplainCli, SavedPlanFileNeedsNoDatabase) {
  TempDir dir;
  std::string fixture = std::string(QUERYLENS_TEST_DATA_DIR) + "/plans/external_sort.json";
  CliRun r = run_cli(dir, "explain --plan " + fixture);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("◀ disk-spill"), std::string::npos) << r.out;
  CliRun piped = run_cli(dir, "explain --plan - --format json", querylens::testing::slurp(fixture));
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_EQ(nlohmann::json::parse(piped.out)["plans"][0]["nodes"][0]["node_type"], "Sort");
  querylens::testing::spit(dir.file("bad.json"), "{\"not\": \"a plan\"}");
  CliRun bad = run_cli(dir, "explain --plan bad.json");
  EXPECT_EQ(bad.code, 3);
  EXPECT_NE(bad.err.find("bad.json"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("\"Plan\""), std::string::npos) << bad.err;
}

TEST(ExplainCli, UsageErrors) {
  TempDir dir;
  std::string db = make_blog(dir);
  EXPECT_EQ(run_cli(dir, "explain 'SELECT 1'").code, 2);  // --db is required
  EXPECT_EQ(run_cli(dir, "explain --db sqlite:" + db).code, 2);
  EXPECT_EQ(run_cli(dir, "explain --db sqlite:" + db + " --top 3").code, 2);
  EXPECT_EQ(run_cli(dir, "explain --db sqlite:" + db + " --compare 'SELECT 1'").code, 2);
  CliRun missing = run_cli(dir, "explain --db sqlite:" + db + " 'SELECT * FROM nope'");
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("no such table"), std::string::npos) << missing.err;
  // A mistyped file name is an error, not a new empty database.
  CliRun typo = run_cli(dir, "explain --db sqlite:" + dir.file("typo.db") + " 'SELECT 1'");
  EXPECT_EQ(typo.code, 3);
  EXPECT_NE(typo.err.find("no such file"), std::string::npos) << typo.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("typo.db")));
}

}  // namespace
