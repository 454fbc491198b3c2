// Real logs: the test server (scripts/test) writes stderr, csvlog and jsonlog files; this test
// logs its own session's statements, runs a workload, and reads the three files back.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "support/event_recorder.h"
#include "support/test_env.h"

namespace querylens::capture {
namespace {

using Collector = querylens::testing::EventRecorder;
using querylens::testing::tag;

class Session {
 public:
  explicit Session(const std::string& url) : conn_(PQconnectdb(url.c_str())) {}
  ~Session() { PQfinish(conn_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  int pid() const { return PQbackendPID(conn_); }
  // Runs `sql`; true when the server accepted it.
  bool exec(const std::string& sql) { return check(PQexec(conn_, sql.c_str())); }
  bool exec_params(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0));
  }
  bool prepare(const std::string& name, const std::string& sql) {
    return check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
  }
  bool exec_prepared(const std::string& name, const std::string& param) {
    const char* values[] = {param.c_str()};
    return check(PQexecPrepared(conn_, name.c_str(), 1, values, nullptr, nullptr, 0));
  }

 private:
  bool check(PGresult* r) {
    ExecStatusType status = PQresultStatus(r);
    PQclear(r);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  PGconn* conn_;
};

// Whether every one of the log files has the marker yet (the collector writes asynchronously).
bool flushed(const std::string& dir, const std::string& marker) {
  for (const char* name : {"postgresql", "postgresql.csv", "postgresql.json"}) {
    std::ifstream f(dir + "/" + name);
    std::stringstream text;
    text << f.rdbuf();
    if (text.str().find(marker) == std::string::npos) return false;
  }
  return true;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

// The lines of `text` from the one holding `from` to the end of the one holding `to`. Other
// tests log to the same files while this one reads them: cut there, the copy holds whole
// records only (the collector appends whole records), none that another backend is still
// writing, and none of an earlier backend that had this one's pid.
std::string between_markers(const std::string& text, const std::string& from,
                            const std::string& to) {
  size_t first = text.find(from);
  size_t last = text.find(to, first == std::string::npos ? 0 : first);
  if (first == std::string::npos || last == std::string::npos) return {};
  size_t begin = text.rfind('\n', first);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = text.find('\n', last);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end + 1 - begin);
}

constexpr const char* kMultiLine =
    "SELECT a.name,\n       count(*)\n  FROM pglog_authors a\n  JOIN pglog_books b ON b.author_id "
    "= a.id\n"
    " GROUP BY a.name";

TEST(PgLogServer, ReadsItsOwnSessionFromEveryFormat) {
  QUERYLENS_REQUIRE_PG_URL(url);
  const char* dir = std::getenv("QUERYLENS_TEST_PG_LOG_DIR");
  if (dir == nullptr || *dir == '\0') {
    if (std::getenv("QUERYLENS_REQUIRE_PG")) FAIL() << "QUERYLENS_TEST_PG_LOG_DIR unset";
    GTEST_SKIP() << "the test server does not log to files";
  }
  Session s(url);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.exec("SET log_min_duration_statement = 0"));
  ASSERT_TRUE(s.exec("SET application_name = 'pglog_test'"));
  const int pid = s.pid();
  // Unique to this backend: an earlier one with the same pid logged before it.
  const std::string start_marker = fmt::format(
      "pglog-start-{}-{}", pid, std::chrono::system_clock::now().time_since_epoch().count());
  ASSERT_TRUE(s.exec(fmt::format("SELECT '{}'", start_marker)));
  ASSERT_TRUE(s.exec("CREATE TEMP TABLE pglog_authors (id int PRIMARY KEY, name text)"));
  ASSERT_TRUE(s.exec("CREATE TEMP TABLE pglog_books (id serial, author_id int, title text)"));
  ASSERT_TRUE(
      s.exec("INSERT INTO pglog_authors SELECT g, 'author ' || g FROM generate_series(1, 10) g"));
  ASSERT_TRUE(
      s.exec("INSERT INTO pglog_books (author_id, title) SELECT g % 10 + 1, 'book ' || g "
             "FROM generate_series(1, 50) g"));
  // N+1: the parents, then one query per parent.
  ASSERT_TRUE(s.exec("SELECT id FROM pglog_authors ORDER BY id"));
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(
        s.exec_params("SELECT title FROM pglog_books WHERE author_id = $1", {std::to_string(i)}));
  }
  ASSERT_TRUE(s.prepare("get_author", "SELECT name FROM pglog_authors WHERE id = $1"));
  ASSERT_TRUE(s.exec_prepared("get_author", "3"));
  ASSERT_TRUE(s.exec_prepared("get_author", "4"));
  ASSERT_FALSE(s.exec("SELECT * FROM pglog_missing_table"));
  ASSERT_TRUE(s.exec(kMultiLine));
  ASSERT_TRUE(s.exec("BEGIN"));
  ASSERT_TRUE(s.exec("UPDATE pglog_authors SET name = 'renamed' WHERE id = 1"));
  ASSERT_TRUE(s.exec("COMMIT"));
  const std::string marker = fmt::format("pglog-done-{}", pid);
  ASSERT_TRUE(s.exec(fmt::format("SELECT '{}'", marker)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!flushed(dir, marker) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(flushed(dir, marker)) << "the log collector did not write " << marker;

  const std::string session_suffix = fmt::format(".{:x}", pid);
  querylens::testing::TempDir copies;
  for (const char* name : {"postgresql", "postgresql.csv", "postgresql.json"}) {
    SCOPED_TRACE(name);
    const std::string copy = copies.file(name);
    std::ofstream(copy, std::ios::binary)
        << between_markers(slurp(std::string(dir) + "/" + name), start_marker, marker);
    Collector out;
    Diagnostics diagnostics;
    // Detected from the content, as `querylens digest` does (the stderr file has no extension).
    SourceStats stats = read_source(copy, SourceKind::kAuto, out, diagnostics);
    EXPECT_EQ(stats.skipped, 0u) << (diagnostics.kept().empty()
                                         ? ""
                                         : diagnostics.kept()[0].to_string());
    std::vector<OwnedQueryEvent> mine;
    for (const auto& e : out.events()) {
      // Other tests log to the same files: keep this backend's events (pid, or session id %c).
      if (e.session == std::to_string(pid) ||
          (e.session.size() > session_suffix.size() &&
           e.session.compare(e.session.size() - session_suffix.size(), session_suffix.size(),
                             session_suffix) == 0)) {
        mine.push_back(e);
      }
    }
    ASSERT_FALSE(mine.empty());
    std::map<std::string, int> calls;
    std::map<std::string, std::vector<std::string>> params;
    for (const auto& e : mine) {
      ++calls[e.sql];
      params[e.sql].push_back(tag(e, "params"));
      EXPECT_EQ(e.session, mine[0].session);
      if (e.error.empty()) {
        EXPECT_GT(e.duration_ns, 0) << e.sql;
      }
      EXPECT_GT(e.start_us, 1'600'000'000'000'000) << e.sql;
    }
    EXPECT_EQ(calls["SELECT title FROM pglog_books WHERE author_id = $1"], 10);
    EXPECT_EQ(params["SELECT title FROM pglog_books WHERE author_id = $1"][9], "$1 = '10'");
    EXPECT_EQ(calls["SELECT name FROM pglog_authors WHERE id = $1"], 2);
    EXPECT_EQ(params["SELECT name FROM pglog_authors WHERE id = $1"][1], "$1 = '4'");
    EXPECT_EQ(calls[kMultiLine], 1);
    EXPECT_EQ(calls["SELECT id FROM pglog_authors ORDER BY id"], 1);
    // csvlog and jsonlog always carry the application; this stderr prefix has no %a.
    EXPECT_EQ(tag(mine.back(), "application"),
              std::string(name) == "postgresql" ? "" : "pglog_test");
    EXPECT_EQ(tag(mine.back(), "user"), "postgres");
    // The error: one event of its statement's shape, untimed, with the message.
    auto failed =
        std::find_if(mine.begin(), mine.end(), [](const auto& e) { return !e.error.empty(); });
    ASSERT_NE(failed, mine.end());
    EXPECT_EQ(failed->sql, "SELECT * FROM pglog_missing_table");
    EXPECT_EQ(failed->error, "relation \"pglog_missing_table\" does not exist");
    EXPECT_EQ(calls["SELECT * FROM pglog_missing_table"], 1);
    // The transaction: BEGIN … COMMIT share an ordinal; statements outside have none.
    auto begin =
        std::find_if(mine.begin(), mine.end(), [](const auto& e) { return e.sql == "BEGIN"; });
    ASSERT_NE(begin, mine.end());
    ASSERT_LT(begin + 2, mine.end());
    EXPECT_NE(begin->transaction_id, kUnknown);
    EXPECT_EQ((begin + 1)->sql, "UPDATE pglog_authors SET name = 'renamed' WHERE id = 1");
    EXPECT_EQ((begin + 1)->transaction_id, begin->transaction_id);
    EXPECT_EQ((begin + 2)->sql, "COMMIT");
    EXPECT_EQ((begin + 2)->transaction_id, begin->transaction_id);
    EXPECT_EQ(mine.back().transaction_id, kUnknown);
    EXPECT_EQ(mine.front().transaction_id, kUnknown);
  }
}

}  // namespace
}  // namespace querylens::capture
