// End-to-end: the real `querylens` binary, its exit codes, outputs and messages.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/cli_run.h"

namespace {

using querylens::testing::TempDir;

using querylens::testing::CliRun;
using querylens::testing::slurp;
using querylens::testing::spit;

CliRun run(const TempDir& dir, const std::string& args, const std::string& stdin_text = "") {
  return querylens::testing::run_cli(dir, args, stdin_text);
}

TEST(CliTest, DigestOfSqlScriptFoldsConstantsAndInLists) {
  TempDir dir;
  spit(dir.file("w.sql"),
       "SELECT * FROM users WHERE id IN (1, 2, 3);\n"
       "select * from users where id in (4);\n"
       "-- a comment; with a semicolon\n"
       "SELECT title FROM posts WHERE body = 'a;b';\n");
  CliRun r = run(dir, "digest w.sql --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  ASSERT_EQ(j["queries"].size(), 2u);
  EXPECT_EQ(j["queries"][0]["calls"], 2);
  EXPECT_EQ(j["queries"][0]["query"], "SELECT * FROM users WHERE id IN ($1 /*, ... */)");
  EXPECT_TRUE(j["queries"][0]["total_ms"].is_null());  // scripts carry no timing
}

TEST(CliTest, AnalyzeFailOnSetsExitCodeAndFindsSlowQueries) {
  TempDir dir;
  std::string events;
  for (int i = 0; i < 20; ++i) {
    events += R"({"sql":"SELECT * FROM posts WHERE user_id = )" + std::to_string(i) +
              R"(","duration_ms":)" + std::to_string(150 + i) +
              R"(,"rows":3,"ts":"2026-11-21T10:00:00Z"})" + "\n";
    events += R"({"sql":"SELECT 1","duration_ms":0.05})"
              "\n";
  }
  spit(dir.file("events.jsonl"), events);
  CliRun medium = run(dir, "analyze events.jsonl --format json --fail-on medium");
  EXPECT_EQ(medium.code, 1) << medium.err;
  auto j = nlohmann::json::parse(medium.out);
  ASSERT_GE(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["rule"], "slow-query");
  EXPECT_EQ(j["findings"][0]["fingerprints"][0], j["queries"][0]["fingerprint"]);
  EXPECT_NEAR(j["queries"][0]["p95_ms"].get<double>(), 168.0, 168.0 * 0.02);
  EXPECT_EQ(run(dir, "analyze events.jsonl --fail-on critical -o report.txt").code, 0);
  EXPECT_NE(slurp(dir.file("report.txt")).find("slow-query"), std::string::npos);
  EXPECT_EQ(run(dir, "analyze events.jsonl --slow-ms 1000 --fail-on medium").code,
            0);  // only "low": most of the time
}

TEST(CliTest, BadLinesAreNamedAndTheRestIsRead) {
  TempDir dir;
  spit(dir.file("mixed.jsonl"),
       "{\"sql\":\"SELECT 1\",\"duration_ms\":1}\n"
       "this is not json\n"
       "{\"duration_ms\":3}\n"
       "{\"sql\":\"SELECT 2\",\"duration_ms\":\"slow\"}\n"
       "{\"sql\":\"SELECT 3\",\"duration_ms\":2}\n");
  CliRun r = run(dir, "digest mixed.jsonl --format json");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("mixed.jsonl:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mixed.jsonl:3: missing \"sql\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mixed.jsonl:4:"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["summary"]["events"], 2);
  EXPECT_EQ(j["summary"]["skipped_inputs"], 3);
  EXPECT_EQ(run(dir, "digest mixed.jsonl --strict").code, 3);
}

TEST(CliTest, StdinAndGzipInputs) {
  TempDir dir;
  CliRun r = run(dir, "digest - --format json",
                 "SELECT a FROM t WHERE b = 1; SELECT a FROM t WHERE b = 2;");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["queries"][0]["calls"], 2);

  std::string line = "{\"sql\":\"SELECT x FROM y WHERE z = 9\",\"duration_ms\":4}\n";
  gzFile gz = gzopen(dir.file("cap.log.gz").c_str(), "wb");
  for (int i = 0; i < 3; ++i) gzwrite(gz, line.data(), static_cast<unsigned>(line.size()));
  gzclose(gz);
  CliRun g = run(dir, "digest cap.log.gz --format json");
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(nlohmann::json::parse(g.out)["queries"][0]["calls"], 3);
}

TEST(CliTest, ExitCodesForUsageAndInputErrors) {
  TempDir dir;
  EXPECT_EQ(run(dir, "digest").code, 2);
  EXPECT_EQ(run(dir, "frobnicate").code, 2);
  EXPECT_EQ(run(dir, "digest x.sql --format yaml").code, 2);
  CliRun missing = run(dir, "digest does-not-exist.sql");
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("does-not-exist.sql"), std::string::npos);
  spit(dir.file("binary.dat"), std::string("\x89PNG\r\n\x1a\n", 8));
  CliRun unknown = run(dir, "digest binary.dat");
  EXPECT_EQ(unknown.code, 3);
  EXPECT_NE(unknown.err.find("cannot tell"), std::string::npos) << unknown.err;
  CliRun help = run(dir, "analyze --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--fail-on"), std::string::npos);
}

TEST(CliTest, MarkdownAndTextRenderTheSameShapes) {
  TempDir dir;
  spit(dir.file("q.sql"), "SELECT '<script>alert(1)</script>' AS x FROM t WHERE a | b = 1;");
  CliRun md = run(dir, "digest q.sql --format md");
  ASSERT_EQ(md.code, 0) << md.err;
  EXPECT_NE(md.out.find("| "), std::string::npos);
  CliRun text = run(dir, "digest q.sql");
  ASSERT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("SELECT $1 AS x FROM t"), std::string::npos) << text.out;
}

TEST(CliTest, DemoBuildsReusesAndReports) {
  TempDir dir;
  std::string args = "demo --path demo.db --users 300 --posts 3000 --rounds 1 --quiet";
  CliRun first = run(dir, args);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("calls"), std::string::npos);
  auto j = nlohmann::json::parse(slurp(dir.file("report.json")));
  EXPECT_GE(j["queries"].size(), 5u);
  EXPECT_GT(j["summary"]["events"].get<int>(), 50);
  EXPECT_NE(slurp(dir.file("report.md")).find("|"), std::string::npos);
  CliRun second = run(dir, "demo --path demo.db --users 300 --posts 3000 --rounds 1");
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.err.find("reusing"), std::string::npos) << second.err;
}

}  // namespace
