// `querylens advise w.jsonl --db postgresql://…` on the test PostgreSQL (HypoPG): a constant
// every call of a shape carried makes a partial index, one call with another value and it
// does not (advise_digest_constants_test.cpp has the SQLite side).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "querylens/db/connection.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

constexpr int kCalls = 40;

std::string jsonl(int odd_one) {
  std::string out;
  for (int i = 0; i < kCalls; ++i) {
    out += R"({"sql":"SELECT id, title FROM posts WHERE author_id = )" +
           std::to_string(1 + i * 37 % 2000) + " AND is_published = " + (i == odd_one ? "0" : "1") +
           R"(","duration_ms":)" + std::to_string(3 + i % 5) + "}\n";
  }
  return out;
}

class AdvisePostgresConstants : public ::testing::Test {
 protected:
  void SetUp() override {
    QUERYLENS_REQUIRE_PG_URL(url);
    conn_ = db::connect(db::parse_database_url(url), {});
    schema_ = testing::unique_name("ql_advise_const");
    conn_->execute_script("CREATE SCHEMA " + schema_ + "; SET search_path = " + schema_);
    conn_->execute_script(R"(
      CREATE TABLE posts (id int PRIMARY KEY, author_id int NOT NULL, is_published int NOT NULL,
                          title text NOT NULL);
      INSERT INTO posts SELECT g, 1 + g % 2000, (g % 10 < 3)::int, 'post ' || g
        FROM generate_series(1, 100000) g;
      ANALYZE posts;)");
    // The CLI's own session finds the tables through the URL's options.
    url_ = url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           schema_;
  }
  void TearDown() override {
    if (conn_) conn_->execute_script("DROP SCHEMA " + schema_ + " CASCADE");
  }

  nlohmann::json advise(int odd_one) {
    testing::spit(dir_.file("w.jsonl"), jsonl(odd_one));
    testing::CliRun run =
        testing::run_cli(dir_, "advise w.jsonl --db '" + url_ + "' --format json");
    EXPECT_EQ(run.code, 0) << run.err;
    return nlohmann::json::parse(run.out);
  }

  testing::TempDir dir_;
  std::string url_, schema_;
  std::unique_ptr<db::Connection> conn_;
};

TEST_F(AdvisePostgresConstants, TheSameConstantInEveryCallMakesAPartialIndex) {
  const nlohmann::json j = advise(-1);
  ASSERT_FALSE(j.at("indexes").empty()) << j.dump(2);
  const nlohmann::json& x = j.at("indexes").at(0);
  EXPECT_EQ(x.at("schema"), schema_);
  EXPECT_EQ(x.at("table"), "posts");
  EXPECT_EQ(x.at("where"), "\"is_published\" = 1") << x.dump(2);
  EXPECT_EQ(x.at("columns").at(0).at("column"), "author_id") << x.dump(2);
  EXPECT_NE(x.at("reason").get<std::string>().find("every one of 40 calls had is_published = 1"),
            std::string::npos)
      << x.dump(2);
  EXPECT_LT(x.at("cost_after").get<double>() * 5, x.at("cost_before").get<double>()) << x.dump(2);
  // Hypothetical only: no real index was built.
  const db::ResultSet rs = conn_->query(
      "SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname <> 'posts_pkey'",
      {schema_});
  EXPECT_EQ(std::get<int64_t>(rs.rows.at(0).at(0)), 0);
}

TEST_F(AdvisePostgresConstants, OneCallWithAnotherValueAndThereIsNone) {
  const nlohmann::json j = advise(23);
  ASSERT_FALSE(j.at("indexes").empty()) << j.dump(2);
  for (const nlohmann::json& x : j.at("indexes")) EXPECT_EQ(x.at("where"), "") << x.dump(2);
}

}  // namespace
}  // namespace querylens::advise
