// The demo's index advice: the output names at least one recommended index and the measured
// speed-up of a query it serves; the indexes were built on a scratch copy only (the demo file
// has none of them afterwards, and no copy is left behind); markers are bound from the data.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "querylens/advise/advise.h"
#include "querylens/db/connection.h"
#include "querylens/demo/advice.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::demo {
namespace {

std::set<std::string> index_names(const std::string& path) {
  auto conn = db::connect(db::parse_database_url("sqlite:" + path), {});
  std::set<std::string> out;
  for (const auto& row :
       conn->query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").rows)
    out.insert(std::get<std::string>(row.at(0)));
  return out;
}

TEST(DemoAdviceTest, ShowsARecommendedIndexWithAMeasuredSpeedUp) {
  testing::TempDir dir;
  const std::string tmp = dir.file("tmp");
  std::filesystem::create_directories(tmp);
  // The scratch copy goes to TMPDIR: this test's own, to see that it is removed.
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  setenv("TMPDIR", tmp.c_str(), 1);
  testing::CliRun run =
      testing::run_cli(dir, "demo --path demo.db --users 1000 --posts 20000 --rounds 1 --quiet");
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_TRUE(std::filesystem::is_empty(tmp)) << "the scratch copy was removed";
  ASSERT_EQ(run.code == 0 || run.code == 1, true) << run.err;  // 1: findings, no --fail-on
  const size_t at = run.out.find("Index advice for the captured workload");
  ASSERT_NE(at, std::string::npos) << run.out;
  const std::string advice = run.out.substr(at);
  // "1. CREATE INDEX IF NOT EXISTS "posts_user_id_idx" ON "posts" ("user_id");"
  std::smatch m;
  ASSERT_TRUE(std::regex_search(advice, m, std::regex("CREATE INDEX IF NOT EXISTS \"([^\"]+)\"")))
      << advice;
  const std::string recommended = m[1];
  // "measured: 1.52 ms → 0.012 ms (126.7× faster)"
  double best = 0;
  const std::regex measured("measured: [0-9.]+ ms → [0-9.]+ ms \\(([0-9.]+)× faster\\)");
  for (auto it = std::sregex_iterator(advice.begin(), advice.end(), measured);
       it != std::sregex_iterator(); ++it)
    best = std::max(best, std::stod((*it)[1]));
  EXPECT_GT(best, 2.0) << advice;
  // Built on a copy only: the demo file does not have it.
  EXPECT_EQ(index_names(dir.file("demo.db")).count(recommended), 0u) << recommended;
}

TEST(DemoAdviceTest, BindsMarkersFromTheData) {
  testing::TempDir dir;
  const std::string path = dir.file("d.db");
  auto conn = db::connect(db::parse_database_url("sqlite:" + path), {});
  conn->execute_script(R"(
    CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT);
    INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x');
    INSERT INTO posts VALUES (1, 3, 'coffee guide'), (2, 2, 'garden music'), (3, 1, 'x y');)");
  const std::string sql =
      "SELECT p.id FROM posts p JOIN users u ON u.id = p.user_id WHERE u.email = ? AND "
      "p.title LIKE ? ORDER BY p.id LIMIT ? OFFSET ?";
  advise::WorkloadQuery q = advise::make_workload_query(sql, 1, 1);
  std::optional<db::Params> values = values_from_data(*conn, q, sql);
  ASSERT_TRUE(values.has_value());
  ASSERT_EQ(values->size(), 4u);
  EXPECT_EQ(std::get<std::string>((*values)[0]), "b@x");  // the middle user's email
  EXPECT_EQ(std::get<std::string>((*values)[1]), "%garden%");
  EXPECT_EQ(std::get<int64_t>((*values)[2]), 20);
  EXPECT_EQ(std::get<int64_t>((*values)[3]), 100);
  // A marker it cannot place: nothing bound.
  const std::string odd = "SELECT id FROM posts WHERE coalesce(user_id, ?) = 1";
  EXPECT_FALSE(values_from_data(*conn, advise::make_workload_query(odd, 1, 1), odd).has_value());
}

}  // namespace
}  // namespace querylens::demo
