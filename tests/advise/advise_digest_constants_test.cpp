// `querylens advise SOURCE` where SOURCE is digested (JSON lines, a .sql script): a constant
// every call of a shape carried (`is_published = 1`, while author_id varies) makes a partial
// index, as literal workloads do, and the output says where the constant came from; one call
// with `is_published = 0` and there is none. SQLite here; PostgreSQL in
// advise_postgres_constants_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "advise/advise_test_helpers.h"
#include "querylens/db/connection.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

constexpr int kCalls = 40;

std::string by_author(int i, int published) {
  return "SELECT id, title FROM posts WHERE author_id = " + std::to_string(7 + i * 13 % 400) +
         " AND is_published = " + std::to_string(published);
}

// kCalls calls of one shape; the call at `odd_one` (if any) has is_published = 0.
std::string jsonl(int odd_one) {
  std::string out;
  for (int i = 0; i < kCalls; ++i) {
    out += R"({"sql":")" + by_author(i, i == odd_one ? 0 : 1) + R"(","duration_ms":)" +
           std::to_string(2 + i % 7) + "}\n";
  }
  return out;
}

class AdviseDigestConstants : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = db::connect(db::parse_database_url("sqlite:" + dir_.file("blog.db")), {});
    testing_helpers::create_sqlite_posts(*conn);
  }

  nlohmann::json advise(const std::string& source) {
    testing::CliRun run =
        testing::run_cli(dir_, "advise " + source + " --db sqlite:blog.db --format json");
    EXPECT_EQ(run.code, 0) << run.err;
    return nlohmann::json::parse(run.out);
  }

  testing::TempDir dir_;
};

TEST_F(AdviseDigestConstants, JsonLinesWithTheSameConstantInEveryCall) {
  testing::spit(dir_.file("w.jsonl"), jsonl(-1));
  const nlohmann::json j = advise("w.jsonl");
  ASSERT_FALSE(j.at("indexes").empty()) << j.dump(2);
  const nlohmann::json& x = j.at("indexes").at(0);
  EXPECT_EQ(x.at("table"), "posts");
  EXPECT_EQ(x.at("where"), "\"is_published\" = 1") << x.dump(2);
  EXPECT_EQ(x.at("columns").at(0).at("column"), "author_id") << x.dump(2);
  EXPECT_NE(x.at("ddl").get<std::string>().find(") WHERE \"is_published\" = 1;"), std::string::npos)
      << x.dump(2);
  EXPECT_NE(x.at("reason").get<std::string>().find("every one of 40 calls had is_published = 1"),
            std::string::npos)
      << x.dump(2);
  // The query it serves is planned with the constant kept and author_id a parameter.
  EXPECT_EQ(x.at("queries").at(0).at("query"),
            "SELECT id, title FROM posts WHERE author_id = $1 AND is_published = 1");
}

TEST_F(AdviseDigestConstants, OneCallWithAnotherValueAndThereIsNoPartialIndex) {
  testing::spit(dir_.file("w.jsonl"), jsonl(17));
  const nlohmann::json j = advise("w.jsonl");
  ASSERT_FALSE(j.at("indexes").empty()) << j.dump(2);  // author_id still wants an index…
  for (const nlohmann::json& x : j.at("indexes")) {
    EXPECT_EQ(x.at("where"), "") << x.dump(2);  // …but not a partial one
    EXPECT_EQ(x.at("reason").get<std::string>().find("every one of"), std::string::npos);
  }
}

TEST_F(AdviseDigestConstants, SqlScriptThroughTheDigest) {
  std::string script;
  for (int i = 0; i < kCalls; ++i) script += by_author(i, 1) + ";\n";
  testing::spit(dir_.file("w.sql"), script);
  const nlohmann::json j = advise("w.sql");
  ASSERT_FALSE(j.at("indexes").empty()) << j.dump(2);
  EXPECT_EQ(j.at("indexes").at(0).at("where"), "\"is_published\" = 1") << j.dump(2);
  script += by_author(kCalls, 0) + ";\n";
  testing::spit(dir_.file("w.sql"), script);
  const nlohmann::json mixed = advise("w.sql");
  ASSERT_FALSE(mixed.at("indexes").empty()) << mixed.dump(2);
  for (const nlohmann::json& x : mixed.at("indexes")) EXPECT_EQ(x.at("where"), "") << x.dump(2);
}

TEST_F(AdviseDigestConstants, TextOutputSaysWhereTheConstantCameFrom) {
  testing::spit(dir_.file("w.jsonl"), jsonl(-1));
  testing::CliRun run = testing::run_cli(dir_, "advise w.jsonl --db sqlite:blog.db");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("every one of 40 calls had is_published = 1"), std::string::npos)
      << run.out;
}

}  // namespace
}  // namespace querylens::advise
