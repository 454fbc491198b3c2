// auto_explain plans in PostgreSQL logs: kept per shape (the slowest), checked, and put in the
// report next to the shape they belong to.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "querylens/analyze/pipeline.h"
#include "support/cli_run.h"
#include "support/test_env.h"

namespace querylens::analyze {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One stderr log entry: the prefix, then the message with its continuation lines tab-led, as
// the server writes it.
std::string entry(const std::string& time, int pid, const std::string& message) {
  std::string out = time + " UTC [" + std::to_string(pid) + "] LOG:  ";
  for (char c : message) {
    out += c;
    if (c == '\n') out += '\t';
  }
  return out + "\n";
}

std::string auto_explain_message(const std::string& query, double ms) {
  nlohmann::json fixture = nlohmann::json::parse(
      read(std::string(QUERYLENS_TEST_DATA_DIR) + "/plans/seq_scan_filter.json"));
  nlohmann::ordered_json logged;
  logged["Query Text"] = query;
  logged["Plan"] = fixture[0]["Plan"];
  return "duration: " + std::to_string(ms) + " ms  plan:\n" + logged.dump(2);
}

TEST(LoggedPlans, AutoExplainPlansJoinTheirShapeInTheReport) {
  querylens::testing::TempDir dir;
  const std::string q1 = "SELECT * FROM fx_orders WHERE customer_id = 42";
  const std::string q2 = "SELECT * FROM fx_orders WHERE customer_id = 7";
  std::string log = entry("2026-11-22 01:43:03.100", 100, "duration: 30.100 ms  statement: " + q1) +
                    entry("2026-11-22 01:43:03.100", 100, auto_explain_message(q1, 30.1)) +
                    entry("2026-11-22 01:43:04.200", 100, "duration: 45.500 ms  statement: " + q2) +
                    entry("2026-11-22 01:43:04.200", 100, auto_explain_message(q2, 45.5)) +
                    entry("2026-11-22 01:43:05.000", 100,
                          "duration: 1.000 ms  plan:\n\tQuery Text: SELECT 1\n\tResult");
  querylens::testing::spit(dir.file("postgresql.log"), log);

  PipelineOptions options;
  options.sources = {dir.file("postgresql.log")};
  Diagnostics diagnostics;
  PipelineResult result = run_pipeline(options, diagnostics);
  // Plans are not executions: two statements, one shape.
  EXPECT_EQ(result.events, 2u);
  ASSERT_EQ(result.report.queries.size(), 1u);
  ASSERT_EQ(result.report.plans.size(), 1u);
  const report::PlanSection& s = result.report.plans[0];
  EXPECT_EQ(s.fingerprint, result.report.queries[0].fingerprint);
  EXPECT_EQ(s.sql, q2);  // the slowest run's plan
  EXPECT_TRUE(s.plan.analyzed);
  EXPECT_NE(s.note.find("auto_explain (45.500 ms"), std::string::npos) << s.note;
  bool tagged = false;
  for (const Finding& f : result.report.findings) {
    if (f.rule == "seq-scan-large-table") {
      tagged = !f.fingerprints.empty() && f.fingerprints[0] == s.fingerprint;
      EXPECT_EQ(f.fix_sql, "CREATE INDEX ON \"fx_orders\" (\"customer_id\");");
    }
  }
  EXPECT_TRUE(tagged);
}

TEST(LoggedPlans, FromTheTestServersOwnLog) {
  QUERYLENS_REQUIRE_PG_URL(url);
  const char* dir = std::getenv("QUERYLENS_TEST_PG_LOG_DIR");
  if (dir == nullptr || *dir == '\0') GTEST_SKIP() << "QUERYLENS_TEST_PG_LOG_DIR unset";
  PGconn* conn = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
  // Letters, not digits: libpg_query's fingerprint ignores digits in relation names (so that
  // partitions and temp tables share a shape), and earlier runs' plans would share this one's.
  std::string marker = "ql_autoexplain_";
  for (int pid = PQbackendPID(conn); pid > 0; pid /= 26)
    marker += static_cast<char>('a' + pid % 26);
  for (const std::string& sql :
       {std::string("LOAD 'auto_explain'"), std::string("SET auto_explain.log_min_duration = 0"),
        std::string("SET auto_explain.log_format = json"),
        std::string("SET auto_explain.log_analyze = on"),
        "CREATE TEMP TABLE " + marker +
            " AS SELECT g AS id, g % 100 AS k FROM generate_series(1, 20000) g",
        "ANALYZE " + marker, "SELECT count(*) FROM " + marker + " WHERE k = 7"}) {
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  std::string log = std::string(dir) + "/postgresql";
  // The logging collector writes a little later: wait for the statement (up to 30 s).
  bool logged = false;
  for (int i = 0; i < 600 && !logged; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    logged = read(log).find("FROM " + marker + " WHERE k = 7\",") != std::string::npos;
  }
  ASSERT_TRUE(logged) << "the plan of the marked statement never reached " << log;
  PipelineOptions options;
  options.sources = {log};
  options.report.top = 0;
  Diagnostics diagnostics;
  PipelineResult result = run_pipeline(options, diagnostics);
  const report::PlanSection* found = nullptr;
  for (const report::PlanSection& s : result.report.plans) {
    if (s.sql.find(marker + " WHERE k = 7") != std::string::npos) found = &s;
  }
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(found->plan.analyzed);
  EXPECT_EQ(found->plan.root().node_type, "Aggregate");
  bool seq = false;
  for (const auto& f : found->findings) seq |= f.finding.rule == "seq-scan-large-table";
  EXPECT_TRUE(seq);
}

}  // namespace
}  // namespace querylens::analyze
