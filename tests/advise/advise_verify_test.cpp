// advise --verify and --apply: real timings on a temporary copy of an SQLite file (the user's
// file byte-for-byte unchanged, the copy gone), writes and parameter-only shapes not run,
// --apply creating exactly the recommended indexes (idempotent, stopping at the first failure),
// analyze --advise adding missing-index findings, PostgreSQL refused without --verify-db
// (password redacted), and --verify-db on a database created for the test: the indexes built,
// timed and dropped again; then --apply there (CONCURRENTLY, idempotent).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "querylens/advise/advise.h"
#include "querylens/advise/verify.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::advise {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> index_names(const std::string& path) {
  auto conn = db::connect(db::parse_database_url("sqlite:" + path), {});
  std::set<std::string> out;
  for (const auto& row :
       conn->query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").rows)
    out.insert(std::get<std::string>(row.at(0)));
  return out;
}

// Files the verify copy could have left in `dir`.
size_t leftovers(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("querylens-verify-", 0) == 0) ++n;
  }
  return n;
}

constexpr const char* kByUser = "SELECT id, kind, created_at FROM events WHERE user_id = 17";

class AdviseVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("app.db");
    auto conn = db::connect(db::parse_database_url("sqlite:" + path_), {});
    // 60000 events over 600 users, no index on user_id: every lookup scans them all.
    conn->execute_script(R"(
      CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
                           kind TEXT NOT NULL, created_at INTEGER NOT NULL, payload TEXT);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
        INSERT INTO events SELECT i, i % 600 + 1, 'k' || (i % 50), i, hex(randomblob(16)) FROM n;
    )");
    conn.reset();
    before_ = read_bytes(path_);
    // The copy goes to the temporary directory: this test's own, to see that it is removed.
    const char* old = std::getenv("TMPDIR");
    if (old) old_tmpdir_ = old;
    had_tmpdir_ = old != nullptr;
    tmp_ = dir_.file("tmp");
    fs::create_directories(tmp_);
    setenv("TMPDIR", tmp_.c_str(), 1);
  }
  void TearDown() override {
    if (had_tmpdir_) {
      setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

  AdviseResult run_advice(std::vector<WorkloadQuery> w) {
    auto conn = open_read_only("sqlite:" + path_);
    return advise(*conn, std::move(w));
  }

  testing::TempDir dir_;
  std::string path_, before_, tmp_, old_tmpdir_;
  bool had_tmpdir_ = false;
};

TEST_F(AdviseVerify, SqliteMeasuresARealSpeedUpOnACopyAndLeavesTheFileAlone) {
  std::vector<WorkloadQuery> w;
  w.push_back(make_workload_query(kByUser, 500, 100));
  // Only markers, no literals: not timed, and said why.
  w.push_back(make_workload_query("SELECT id FROM events WHERE user_id = ? AND kind = ?", 300, 50));
  // A write on the same column: never run.
  w.push_back(make_workload_query("DELETE FROM events WHERE user_id = 999999", 1, 1));
  AdviseResult r = run_advice(std::move(w));
  ASSERT_FALSE(r.indexes.empty()) << render_text(r);
  EXPECT_EQ(r.indexes[0].index.keys.at(0).column, "user_id");

  VerifyOptions options;
  options.runs = 5;
  verify(r, "sqlite:" + path_, options);
  ASSERT_TRUE(r.verification.ran);
  EXPECT_EQ(r.verification.runs, 5);
  EXPECT_NE(r.verification.target.find("temporary copy"), std::string::npos);
  ASSERT_EQ(r.verification.indexes.size(), r.indexes.size());
  bool timed = false, skipped_params = false;
  for (const auto& per_index : r.verification.indexes) {
    for (const QueryTiming& t : per_index) {
      const std::string& sql = r.workload[t.query].sql;
      if (sql.find("kind = ?") != std::string::npos) {
        skipped_params = true;
        EXPECT_NE(t.skipped.find("no sample with literal"), std::string::npos) << t.skipped;
        EXPECT_EQ(t.speedup, 0);
      } else if (sql.find("DELETE") != std::string::npos) {
        EXPECT_NE(t.skipped.find("never run"), std::string::npos) << t.skipped;
      } else if (sql == kByUser) {
        timed = true;
        ASSERT_TRUE(t.skipped.empty()) << t.skipped;
        EXPECT_GT(t.before_ms, 0);
        EXPECT_GT(t.after_ms, 0);
        EXPECT_GT(t.speedup, 2.0) << t.before_ms << " ms → " << t.after_ms << " ms";
        EXPECT_DOUBLE_EQ(t.speedup, t.before_ms / t.after_ms);
      }
    }
  }
  EXPECT_TRUE(timed) << render_text(r);
  EXPECT_TRUE(skipped_params) << render_text(r);
  // The user's file: byte for byte what it was, no index added; the copy gone.
  EXPECT_TRUE(read_bytes(path_) == before_) << "the SQLite file changed";
  EXPECT_TRUE(index_names(path_).empty());
  EXPECT_EQ(leftovers(tmp_), 0u);

  const std::string text = render_text(r);
  EXPECT_NE(text.find("measured: "), std::string::npos) << text;
  EXPECT_NE(text.find("× faster"), std::string::npos) << text;
  const nlohmann::json j = nlohmann::json::parse(render_json(r));
  const nlohmann::json& q0 = j.at("indexes").at(0).at("verify").at("queries");
  bool has_figures = false;
  for (const auto& q : q0) {
    if (q.contains("before_ms")) {
      has_figures = true;
      EXPECT_GT(q.at("speedup").get<double>(), 2.0);
      EXPECT_GT(q.at("after_ms").get<double>(), 0);
    }
  }
  EXPECT_TRUE(has_figures) << j.dump(2);
  EXPECT_EQ(j.at("verification").at("runs"), 5);
}

TEST_F(AdviseVerify, CliVerifyPrintsMeasuredFiguresAndJson) {
  testing::spit(dir_.file("w.sql"), std::string(kByUser) + ";\n" + kByUser + ";\n");
  testing::CliRun run =
      testing::run_cli(dir_, "advise w.sql --db sqlite:app.db --verify --verify-runs 5");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("median of 5 runs"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("× faster"), std::string::npos) << run.out;
  run = testing::run_cli(dir_, "advise w.sql --db sqlite:app.db --verify --format json");
  ASSERT_EQ(run.code, 0) << run.err;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  EXPECT_GT(j.at("indexes").at(0).at("verify").at("queries").at(0).at("speedup").get<double>(), 2.0)
      << run.out;
  EXPECT_TRUE(read_bytes(path_) == before_) << "the SQLite file changed";
  EXPECT_EQ(leftovers(tmp_), 0u);
}

TEST_F(AdviseVerify, ApplyCreatesExactlyTheRecommendedIndexesAndIsIdempotent) {
  std::vector<WorkloadQuery> w;
  w.push_back(make_workload_query(kByUser, 500, 100));
  w.push_back(make_workload_query(
      "SELECT id FROM events WHERE kind = 'k3' ORDER BY created_at DESC LIMIT 5", 200, 50));
  AdviseResult r = run_advice(std::move(w));
  ASSERT_FALSE(r.indexes.empty());
  std::set<std::string> expected;
  for (const Recommendation& x : r.indexes) expected.insert(x.index.name);

  std::vector<std::string> announced;
  auto collect = [&announced](const std::string& sql) { announced.push_back(sql); };
  EXPECT_EQ(apply(r, "sqlite:" + path_, collect), r.indexes.size());
  EXPECT_EQ(index_names(path_), expected);
  ASSERT_EQ(announced.size(), r.indexes.size());
  EXPECT_EQ(announced[0], create_index_sql(r.indexes[0].index, Engine::kSqlite));
  // Again: IF NOT EXISTS, nothing more.
  EXPECT_EQ(apply(r, "sqlite:" + path_, collect), r.indexes.size());
  EXPECT_EQ(index_names(path_), expected);
}

TEST_F(AdviseVerify, CliApplyOnlyWithTheFlagAndPrintsEachStatement) {
  testing::spit(dir_.file("w.sql"), std::string(kByUser) + ";\n");
  testing::CliRun run = testing::run_cli(dir_, "advise w.sql --db sqlite:app.db --format json");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(index_names(path_).empty()) << "nothing is created without --apply";
  std::set<std::string> expected;
  const nlohmann::json advice = nlohmann::json::parse(run.out);
  for (const auto& x : advice.at("indexes")) expected.insert(x.at("name").get<std::string>());
  ASSERT_FALSE(expected.empty());

  run = testing::run_cli(dir_, "advise w.sql --db sqlite:app.db --apply");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("applying: CREATE INDEX IF NOT EXISTS"), std::string::npos) << run.err;
  EXPECT_EQ(index_names(path_), expected);
  // A second run: the index exists, nothing new is recommended or created.
  run = testing::run_cli(dir_, "advise w.sql --db sqlite:app.db --apply");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(index_names(path_), expected);
}

TEST_F(AdviseVerify, ApplyStopsAtTheFirstFailure) {
  std::vector<WorkloadQuery> w;
  w.push_back(make_workload_query(kByUser, 500, 100));
  AdviseResult r = run_advice(std::move(w));
  ASSERT_FALSE(r.indexes.empty());
  Recommendation broken = r.indexes[0];
  broken.index.table = "no_such_table";
  broken.index.name = "broken_idx";
  r.indexes.insert(r.indexes.begin(), broken);
  size_t announced = 0;
  try {
    apply(r, "sqlite:" + path_, [&announced](const std::string&) { ++announced; });
    FAIL() << "apply should have failed";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("0 of 2 indexes created"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("no_such_table"), std::string::npos) << e.message();
  }
  EXPECT_EQ(announced, 1u);
  EXPECT_TRUE(index_names(path_).empty());
}

TEST_F(AdviseVerify, AnalyzeAdviseAddsMissingIndexFindings) {
  testing::spit(dir_.file("w.sql"), std::string(kByUser) + ";\n" + kByUser + ";\n");
  auto missing = [](const nlohmann::json& report) {
    std::vector<nlohmann::json> out;
    for (const auto& f : report.at("findings"))
      if (f.at("rule") == "missing-index") out.push_back(f);
    return out;
  };
  testing::CliRun plain =
      testing::run_cli(dir_, "analyze w.sql --db sqlite:app.db --format json --quiet");
  ASSERT_LE(plain.code, 1) << plain.err;
  EXPECT_TRUE(missing(nlohmann::json::parse(plain.out)).empty()) << "off by default";

  testing::CliRun run =
      testing::run_cli(dir_, "analyze w.sql --db sqlite:app.db --advise --format json --quiet");
  ASSERT_LE(run.code, 1) << run.err;
  const auto found = missing(nlohmann::json::parse(run.out));
  ASSERT_EQ(found.size(), 1u) << run.out;
  const std::string fix = found[0].at("fix_sql");
  EXPECT_EQ(fix.rfind("CREATE INDEX IF NOT EXISTS \"events_user_id", 0), 0u) << fix;
  EXPECT_NE(fix.find("ON \"events\" (\"user_id\""), std::string::npos) << fix;
  EXPECT_TRUE(read_bytes(path_) == before_) << "the SQLite file changed";

  run = testing::run_cli(dir_, "analyze w.sql --advise --quiet");
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_NE(run.err.find("--advise needs --db"), std::string::npos) << run.err;
}

TEST(AdviseVerifyPostgres, RefusedWithoutVerifyDbAndThePasswordIsRedacted) {
  testing::TempDir dir;
  testing::spit(dir.file("w.sql"), "SELECT 1;\n");
  testing::CliRun run =
      testing::run_cli(dir, "advise w.sql --db postgresql://app:s3cret@127.0.0.1:1/app --verify");
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_NE(run.err.find("--verify-db"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("s3cret"), std::string::npos) << run.err;
}

TEST(AdviseVerifyMarkers, FindsMarkersOutsideLiterals) {
  EXPECT_TRUE(has_parameter_markers("SELECT * FROM t WHERE a = ?"));
  EXPECT_TRUE(has_parameter_markers("SELECT * FROM t WHERE a = $1"));
  EXPECT_TRUE(has_parameter_markers("SELECT * FROM t WHERE a = :name"));
  EXPECT_FALSE(has_parameter_markers("SELECT * FROM t WHERE a = '?' AND b = 'x$1'"));
  EXPECT_FALSE(has_parameter_markers("SELECT a::text FROM \"t?\" -- what?\nWHERE b = 2"));
  EXPECT_FALSE(has_parameter_markers("SELECT 1 /* $1 */"));
}

// The URL of database `name` on the test server (the path of the URL replaced).
std::string with_database(const std::string& url, const std::string& name) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const size_t slash = url.find('/', scheme + 3);
  if (slash == std::string::npos) return url + "/" + name;
  const size_t end = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (end == std::string::npos ? "" : url.substr(end));
}

TEST(AdviseVerifyPostgres, VerifyDbBuildsTimesAndDropsTheIndexes) {
  QUERYLENS_REQUIRE_PG_URL(url);
  const std::string name = testing::unique_name("ql_verify");
  auto admin = db::connect(db::parse_database_url(url), {});
  admin->execute_script("CREATE DATABASE " + name);
  const std::string scratch = with_database(url, name);
  ASSERT_FALSE(scratch.empty()) << url;
  {
    auto conn = db::connect(db::parse_database_url(scratch), {});
    conn->execute_script(R"(
      CREATE EXTENSION IF NOT EXISTS hypopg;
      CREATE TABLE tickets (id int PRIMARY KEY, account_id int, status int, note text);
      INSERT INTO tickets SELECT g, 1 + g % 5000, g % 4, md5(g::text)
        FROM generate_series(1, 200000) g;
      ANALYZE tickets;)");
    const auto indexes = [&conn] {
      return std::get<int64_t>(
          conn->query("SELECT count(*) FROM pg_indexes WHERE tablename = 'tickets'")
              .rows.at(0)
              .at(0));
    };
    const int64_t before = indexes();
    std::vector<WorkloadQuery> w;
    w.push_back(
        make_workload_query("SELECT id, note FROM tickets WHERE account_id = 42", 500, 100));
    w.push_back(make_workload_query("SELECT id FROM tickets WHERE account_id = $1", 500, 100));
    AdviseResult r;
    {
      auto reader = open_read_only(scratch);
      r = advise(*reader, std::move(w));
    }
    ASSERT_FALSE(r.indexes.empty()) << render_text(r);
    VerifyOptions options;
    EXPECT_THROW(verify(r, scratch, options), Error) << "no --verify-db: refused";
    options.verify_db = scratch;
    options.runs = 3;
    verify(r, scratch, options);
    ASSERT_TRUE(r.verification.ran);
    bool timed = false, skipped = false;
    for (const auto& per_index : r.verification.indexes) {
      for (const QueryTiming& t : per_index) {
        if (t.skipped.empty()) {
          timed = true;
          EXPECT_GT(t.speedup, 2.0) << t.before_ms << " ms → " << t.after_ms << " ms";
        } else {
          skipped = true;
          EXPECT_NE(t.skipped.find("parameters"), std::string::npos) << t.skipped;
        }
      }
    }
    EXPECT_TRUE(timed) << render_text(r);
    EXPECT_TRUE(skipped) << render_text(r);
    EXPECT_EQ(indexes(), before) << "the indexes verify created were dropped again";
    // --apply: CREATE INDEX CONCURRENTLY IF NOT EXISTS, one statement at a time; twice is once.
    std::vector<std::string> announced;
    auto collect = [&announced](const std::string& sql) { announced.push_back(sql); };
    EXPECT_EQ(apply(r, scratch, collect), r.indexes.size());
    ASSERT_FALSE(announced.empty());
    EXPECT_EQ(announced[0].rfind("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"", 0), 0u);
    EXPECT_EQ(indexes(), before + static_cast<int64_t>(r.indexes.size()));
    EXPECT_EQ(apply(r, scratch, collect), r.indexes.size());
    EXPECT_EQ(indexes(), before + static_cast<int64_t>(r.indexes.size()));
  }
  admin->execute_script("DROP DATABASE " + name + " WITH (FORCE)");
}

}  // namespace
}  // namespace querylens::advise
