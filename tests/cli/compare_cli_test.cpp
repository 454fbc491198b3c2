// End-to-end: `querylens compare` on reports the binary itself wrote, and `--format html`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
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

CliRun run(const TempDir& dir, const std::string& args) {
  return querylens::testing::run_cli(dir, args);
}

// JSON-lines capture: `n` calls of `sql_prefix` + i, each taking `ms`, one second apart.
std::string events(const std::string& sql_prefix, int n, double ms) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"sql":")" + sql_prefix + std::to_string(i) + R"(","duration_ms":)" +
           std::to_string(ms) + R"(,"ts":"2026-11-21T10:00:)" + (i < 10 ? "0" : "") +
           std::to_string(i % 60) + "Z\"}\n";
  }
  return out;
}

// before: users 2 ms, posts 50 ms, tags; after: users 20 ms (regressed), posts 5 ms
// (improved), comments (new), tags gone.
void write_reports(const TempDir& dir) {
  spit(dir.file("before.jsonl"), events("SELECT * FROM users WHERE id = ", 20, 2) +
                                     events("SELECT * FROM posts WHERE user_id = ", 20, 50) +
                                     events("SELECT * FROM tags WHERE id = ", 5, 3));
  spit(dir.file("after.jsonl"), events("SELECT * FROM users WHERE id = ", 20, 20) +
                                    events("SELECT * FROM posts WHERE user_id = ", 20, 5) +
                                    events("SELECT * FROM comments WHERE post_id = ", 5, 3));
  ASSERT_EQ(run(dir, "digest before.jsonl --top 0 --format json -o before.json").code, 0);
  ASSERT_EQ(run(dir, "digest after.jsonl --top 0 --format json -o after.json").code, 0);
}

TEST(CompareCliTest, ReportsRegressionsAndGatesOnThem) {
  TempDir dir;
  write_reports(dir);
  CliRun text = run(dir, "compare before.json after.json");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("1 regressed, 1 improved, 1 new, 1 gone, 0 unchanged"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("+900.0% (+18 ms)  SELECT * FROM users WHERE id = $1"), std::string::npos)
      << text.out;

  EXPECT_EQ(run(dir, "compare before.json after.json --fail-on-regression").code, 1);
  EXPECT_EQ(run(dir, "compare before.json after.json --fail-on-regression --threshold 1000").code,
            0);
  EXPECT_EQ(run(dir, "compare after.json before.json --fail-on-regression --min-change-ms 50").code,
            0);

  ASSERT_EQ(run(dir, "compare before.json after.json --format json -o cmp.json").code, 0);
  const auto j = nlohmann::json::parse(slurp(dir.file("cmp.json")));
  EXPECT_EQ(j["counts"]["regressed"], 1);
  EXPECT_EQ(j["counts"]["new"], 1);
  EXPECT_EQ(j["shapes"][0]["query"], "SELECT * FROM users WHERE id = $1");
  CliRun md = run(dir, "compare before.json after.json -f md");
  EXPECT_NE(md.out.find("## Improved (1)"), std::string::npos) << md.out;
}

TEST(CompareCliTest, BadInputsExitWithThreeAndNameTheFile) {
  TempDir dir;
  write_reports(dir);
  spit(dir.file("broken.json"), "{\"schema_version\": 1, \"summary\": ");
  spit(dir.file("future.json"), R"({"schema_version": 2, "summary": {}, "queries": []})");
  spit(dir.file("other.json"), R"({"schema_version": 1, "summary": {"events": 1}, "queries": []})");
  CliRun broken = run(dir, "compare broken.json after.json");
  EXPECT_EQ(broken.code, 3);
  EXPECT_NE(broken.err.find("broken.json: not valid JSON"), std::string::npos) << broken.err;
  CliRun future = run(dir, "compare before.json future.json");
  EXPECT_EQ(future.code, 3);
  EXPECT_NE(future.err.find("future.json: unsupported report schema_version 2"), std::string::npos)
      << future.err;
  CliRun other = run(dir, "compare other.json after.json");
  EXPECT_EQ(other.code, 3);
  EXPECT_NE(other.err.find("other.json: not a querylens JSON report: summary.shapes: missing"),
            std::string::npos)
      << other.err;
  CliRun missing = run(dir, "compare nope.json after.json");
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.err.find("nope.json: cannot read"), std::string::npos) << missing.err;
  EXPECT_EQ(run(dir, "compare before.json").code, 2);
  EXPECT_EQ(run(dir, "compare before.json after.json --threshold -5").code, 2);
}

TEST(HtmlCliTest, AnalyzeWritesOneSelfContainedPage) {
  TempDir dir;
  spit(dir.file("cap.jsonl"),
       events("SELECT '<script>alert(1)</script>' FROM users WHERE id = ", 30, 120));
  CliRun r = run(dir, "analyze cap.jsonl --format html -o report.html");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = slurp(dir.file("report.html"));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("slow-query"), std::string::npos);
}

}  // namespace
