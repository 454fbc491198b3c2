// End-to-end: the real `querylens` binary, its exit codes, outputs and messages.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
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

// --output replaces a regular file through a rename, but a FIFO (like /dev/null, a device) is
// written in place and stays what it was, and a symbolic link stays a link to the new report.
TEST(CliTest, OutputIntoAFifoOrThroughASymlinkKeepsWhatThePathIs) {
  TempDir dir;
  spit(dir.file("w.sql"), "SELECT * FROM t WHERE id = 1;\nSELECT * FROM t WHERE id = 2;\n");

  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Held open for reading and writing, the pipe neither blocks the writer nor loses what it
  // wrote when the writer closes (a report this small fits its buffer).
  int fd = open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  CliRun piped = run(dir, "digest w.sql --format json --output pipe");
  EXPECT_EQ(piped.code, 0) << piped.err;
  std::string got(1 << 16, '\0');
  ssize_t n = read(fd, got.data(), got.size());
  close(fd);
  ASSERT_GT(n, 0);
  got.resize(static_cast<size_t>(n));
  EXPECT_EQ(nlohmann::json::parse(got)["queries"].size(), 1u);
  struct stat st {};
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced by a regular file";
  EXPECT_NE(access(dir.file("pipe.tmp").c_str(), F_OK), 0);

  spit(dir.file("real.json"), "old");
  ASSERT_EQ(symlink("real.json", dir.file("link.json").c_str()), 0);
  CliRun linked = run(dir, "digest w.sql --format json --output link.json");
  EXPECT_EQ(linked.code, 0) << linked.err;
  ASSERT_EQ(lstat(dir.file("link.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link was replaced by a regular file";
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.file("real.json")))["queries"].size(), 1u);
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
  // The path once, then what went wrong: "does-not-exist.sql: cannot open: No such file …".
  EXPECT_NE(missing.err.find("does-not-exist.sql: cannot open: "), std::string::npos)
      << missing.err;
  EXPECT_EQ(missing.err.find("does-not-exist.sql", missing.err.find("cannot open")),
            std::string::npos)
      << missing.err;
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
