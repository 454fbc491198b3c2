#include "querylens/demo/demo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "querylens/core/error.h"
#include "support/event_recorder.h"
#include "support/test_env.h"

namespace querylens::demo {
namespace {

namespace fs = std::filesystem;

// Small enough for a sanitizer build, large enough for skew, OFFSET pages and a 30-user page.
DemoOptions small(const testing::TempDir& dir, uint64_t seed = 7) {
  DemoOptions o;
  o.path = dir.file("demo.db");
  o.users = 500;
  o.posts = 3000;
  o.seed = seed;
  o.rounds = 1;
  return o;
}

std::unique_ptr<db::Database> open(const std::string& path) {
  return db::Database::open("sqlite:" + path);
}

int64_t scalar(db::Database& db, std::string_view sql) {
  return std::get<int64_t>(db.query(sql).rows.at(0).at(0));
}

// What two builds must agree on: aggregates over every column the generator fills.
std::string checksum(const std::string& path) {
  auto db = open(path);
  auto row =
      db->query(
            "SELECT (SELECT SUM(view_count) FROM posts), (SELECT SUM(user_id * id % 1000003) "
            "FROM posts), (SELECT SUM(length(content) + length(title)) FROM posts), "
            "(SELECT SUM(is_published) FROM posts), (SELECT SUM(is_active) FROM users), "
            "(SELECT group_concat(created_at, ',') FROM (SELECT created_at FROM posts "
            "ORDER BY id LIMIT 20)), (SELECT group_concat(username || ':' || "
            "COALESCE(age, 'null'), ',') FROM (SELECT username, age FROM users ORDER BY "
            "id LIMIT 50))")
          .rows.at(0);
  std::string out;
  for (const auto& value : row) out += db::to_display(value) + "|";
  return out;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DemoDatabaseTest, BuildsTheRequestedRows) {
  testing::TempDir dir;
  auto o = small(dir);
  std::vector<std::string> phases;
  auto info = ensure_demo_database(o, [&](std::string_view phase, double fraction) {
    EXPECT_GE(fraction, 0.0);
    EXPECT_LE(fraction, 1.0);
    if (phases.empty() || phases.back() != phase) phases.emplace_back(phase);
  });
  EXPECT_FALSE(info.reused);
  EXPECT_EQ(info.users, 500);
  EXPECT_EQ(info.posts, 3000);
  EXPECT_GT(info.build_seconds, 0.0);
  EXPECT_EQ(phases, (std::vector<std::string>{"users", "posts", "analyze"}));
  EXPECT_FALSE(fs::exists(o.path + ".tmp"));
  EXPECT_FALSE(fs::exists(o.path + "-journal"));

  auto db = open(o.path);
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM users"), 500);
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM posts"), 3000);
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM posts WHERE user_id NOT IN (SELECT id FROM users)"),
            0);
  // Skewed authorship: the busiest author writes far more than the average six posts.
  EXPECT_GT(scalar(*db, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM posts GROUP BY user_id)"),
            100);
  // Deliberately no index on posts: the index advice needs something to find.
  EXPECT_EQ(scalar(*db,
                   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                   "tbl_name = 'posts'"),
            0);
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"), 1);
  auto user = db->query("SELECT id FROM users WHERE email = ?", {demo_user_email(o.seed, 42)});
  ASSERT_EQ(user.rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(user.rows[0][0]), 42);
}

TEST(DemoDatabaseTest, SameSeedGivesTheSameData) {
  testing::TempDir a, b, c;
  ensure_demo_database(small(a));
  ensure_demo_database(small(b));
  ensure_demo_database(small(c, 8));
  EXPECT_EQ(checksum(small(a).path), checksum(small(b).path));
  EXPECT_NE(checksum(small(a).path), checksum(small(c).path));
}

TEST(DemoDatabaseTest, ReusesAMatchingFile) {
  testing::TempDir dir;
  auto o = small(dir);
  ensure_demo_database(o);
  open(o.path)->query("UPDATE posts SET title = 'marker' WHERE id = 1");
  auto info = ensure_demo_database(o);
  EXPECT_TRUE(info.reused);
  EXPECT_EQ(info.build_seconds, 0.0);
  EXPECT_EQ(info.posts, 3000);
  EXPECT_EQ(scalar(*open(o.path), "SELECT COUNT(*) FROM posts WHERE title = 'marker'"), 1);
}

TEST(DemoDatabaseTest, RebuildsWhenParametersChange) {
  testing::TempDir dir;
  auto o = small(dir);
  ensure_demo_database(o);
  o.users = 400;
  o.posts = 2000;
  auto info = ensure_demo_database(o);
  EXPECT_FALSE(info.reused);
  auto db = open(o.path);
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM users"), 400);
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM posts"), 2000);
  db.reset();
  o.seed = 9;  // a different seed alone also rebuilds
  EXPECT_FALSE(ensure_demo_database(o).reused);
  EXPECT_TRUE(ensure_demo_database(o).reused);
  EXPECT_FALSE(fs::exists(o.path + ".tmp"));
}

void expect_refused(const DemoOptions& o) {
  try {
    ensure_demo_database(o);
    ADD_FAILURE() << "expected Error(kUsage)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(e.message().find(o.path), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("not a querylens demo database"), std::string::npos);
  }
}

TEST(DemoDatabaseTest, RefusesToOverwriteOtherSqliteFiles) {
  testing::TempDir dir;
  auto o = small(dir);
  {
    auto db = open(o.path);
    auto conn = db->connect();
    conn->execute_script(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
        "INSERT INTO notes (body) VALUES ('precious');");
  }
  std::string before = read_bytes(o.path);
  expect_refused(o);
  EXPECT_EQ(read_bytes(o.path), before);
  EXPECT_FALSE(fs::exists(o.path + ".tmp"));
}

TEST(DemoDatabaseTest, RefusesToOverwriteOtherFiles) {
  testing::TempDir dir;
  auto o = small(dir);
  std::ofstream(o.path) << "my thesis, chapter 1\n";
  expect_refused(o);
  EXPECT_EQ(read_bytes(o.path), "my thesis, chapter 1\n");
  fs::remove(o.path);
  fs::create_directory(o.path);
  expect_refused(o);
}

using Recorder = querylens::testing::EventRecorder;
using querylens::testing::tag;

TEST(DemoWorkloadTest, PublishesTaggedEventsIncludingAnNPlusOne) {
  testing::TempDir dir;
  auto o = small(dir);
  ensure_demo_database(o);
  auto db = open(o.path);
  auto recorder = std::make_shared<Recorder>();
  db->events().add(recorder);
  double last = -1;
  auto info = run_demo_workload(*db, o, [&](std::string_view, double fraction) {
    EXPECT_GT(fraction, last);
    last = fraction;
  });
  EXPECT_DOUBLE_EQ(last, 1.0);
  EXPECT_GT(info.requests, 100);
  EXPECT_GT(info.statements, info.requests);
  EXPECT_GT(info.seconds, 0.0);

  auto events = recorder->events();
  EXPECT_EQ(static_cast<int64_t>(events.size()), info.statements);
  std::set<std::string> endpoints;
  std::map<std::string, int> per_user_posts;
  const QueryShape* n_plus_one = nullptr;
  int same_shape = 0;
  for (const auto& e : events) {
    EXPECT_EQ(tag(e, "application"), "querylens-demo") << e.sql;
    EXPECT_TRUE(e.error.empty()) << e.sql << ": " << e.error;
    endpoints.insert(tag(e, "endpoint"));
    if (e.sql == "SELECT id, title, view_count FROM posts WHERE user_id = ?") {
      EXPECT_EQ(tag(e, "endpoint"), "GET /dashboard");
      if (n_plus_one == nullptr) n_plus_one = e.shape;
      if (e.shape != nullptr && e.shape == n_plus_one) ++same_shape;
    }
  }
  EXPECT_GE(endpoints.size(), 8u);
  EXPECT_TRUE(endpoints.count("GET /dashboard"));
  EXPECT_TRUE(endpoints.count("POST /login"));
  ASSERT_NE(n_plus_one, nullptr);
  EXPECT_GE(same_shape, 30);
}

TEST(DemoWorkloadTest, SameSeedReplaysTheSameStatements) {
  testing::TempDir dir;
  auto o = small(dir);
  ensure_demo_database(o);
  auto run = [&] {
    auto db = open(o.path);
    auto recorder = std::make_shared<Recorder>();
    db->events().add(recorder);
    run_demo_workload(*db, o);
    std::vector<std::pair<std::string, int64_t>> trace;
    for (const auto& e : recorder->events()) trace.emplace_back(e.sql, e.rows);
    return trace;
  };
  auto first = run();
  EXPECT_EQ(run(), first);
}

}  // namespace
}  // namespace querylens::demo
