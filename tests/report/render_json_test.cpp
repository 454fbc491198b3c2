// render_json(): the documented schema (docs/report-json.md), read back with nlohmann::json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "querylens/report/render.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

using json = nlohmann::ordered_json;  // parsed keeping key order: the order is part of the schema

constexpr int64_t kMs = 1'000'000;              // ns
constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z, µs

struct Capture {
  sql::ShapeRegistry shapes;
  stats::Digest digest{shapes};
  void add(const std::string& sql, int64_t duration_ns, int64_t start_us = 0,
           std::string_view error = {}, int64_t rows = 1) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = duration_ns;
    e.start_us = start_us;
    e.error = error;
    e.rows = rows;
    digest.add(e);
  }
};

std::vector<std::string> keys(const json& object) {
  std::vector<std::string> out;
  for (const auto& item : object.items()) out.push_back(item.key());
  return out;
}

Report sample_report() {
  Capture c;
  for (int i = 1; i <= 100; ++i) {
    c.add("SELECT * FROM users WHERE id = " + std::to_string(i), i * kMs, kT0 + i);
  }
  c.add("SELECT * FROM posts WHERE body LIKE '%<script>alert(1)</script>%'", 40 * kMs, kT0 + 200,
        "relation \"posts\" does not exist", 0);
  c.add("UPDATE counters SET n = n + 1", kUnknown);
  Finding f;
  f.rule = "n-plus-one";
  f.severity = Severity::kHigh;
  f.title = "100 lookups of users by id";
  f.detail = "SELECT * FROM users WHERE id = $1 ran 100 times";
  f.fingerprints = {"0123456789abcdef"};
  f.tables = {"users"};
  f.recommendation = "Load the users in one query";
  f.fix_sql = "SELECT * FROM users WHERE id = ANY($1)";
  Finding low;
  low.rule = "select-star";
  low.severity = Severity::kLow;
  low.title = "SELECT * fetches every column";
  return build_report(c.digest, {low, f}, {});
}

TEST(RenderJsonTest, SchemaAndValues) {
  const std::string text = render_json(sample_report());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const json j = json::parse(text);

  EXPECT_EQ(keys(j), (std::vector<std::string>{"schema_version", "tool", "generated_at", "summary",
                                               "queries", "findings", "timeline", "plans"}));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["tool"]["name"], "querylens");
  EXPECT_EQ(j["tool"]["version"], "0.1.0");
  EXPECT_TRUE(j["generated_at"].is_string());

  const json& s = j["summary"];
  EXPECT_EQ(s["events"], 102);
  EXPECT_EQ(s["shapes"], 3);
  EXPECT_EQ(s["errors"], 1);
  EXPECT_DOUBLE_EQ(s["total_ms"].get<double>(), 5090.0);
  EXPECT_EQ(s["first_seen"], "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(s["last_seen"], "2023-11-14T22:13:20.000200Z");
  EXPECT_EQ(s["skipped_inputs"], 0);
  EXPECT_EQ(s["ranked_by"], "total");
  EXPECT_TRUE(s["sources"].is_array());

  const json& q = j["queries"];
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(keys(q[0]), (std::vector<std::string>{
                            "rank",        "fingerprint", "query",      "parsed",    "calls",
                            "timed_calls", "total_ms",    "mean_ms",    "min_ms",    "max_ms",
                            "p50_ms",      "p95_ms",      "p99_ms",     "share",     "rows",
                            "errors",      "sample",      "first_seen", "last_seen", "latency"}));
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(q[i]["rank"], i + 1);
  EXPECT_EQ(q[0]["calls"], 100);
  EXPECT_EQ(q[0]["parsed"], true);
  EXPECT_EQ(q[0]["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_DOUBLE_EQ(q[0]["total_ms"].get<double>(), 5050.0);
  EXPECT_DOUBLE_EQ(q[0]["mean_ms"].get<double>(), 50.5);
  EXPECT_DOUBLE_EQ(q[0]["min_ms"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(q[0]["max_ms"].get<double>(), 100.0);
  EXPECT_NEAR(q[0]["p95_ms"].get<double>(), 95.0, 95.0 * 0.02);
  EXPECT_NEAR(q[0]["p99_ms"].get<double>(), 99.0, 99.0 * 0.02);
  EXPECT_NEAR(q[0]["share"].get<double>(), 5050.0 / 5090.0, 1e-6);
  EXPECT_EQ(q[0]["rows"], 100);
  EXPECT_EQ(q[0]["sample"], "SELECT * FROM users WHERE id = 100");

  // Statement text survives verbatim (JSON escaping is the consumer's contract, not ours).
  EXPECT_EQ(q[1]["sample"], "SELECT * FROM posts WHERE body LIKE '%<script>alert(1)</script>%'");
  EXPECT_EQ(q[1]["errors"], 1);
  EXPECT_EQ(q[1]["rows"], 0);

  // An untimed shape: calls only; every time is null, never 0.
  const json& untimed = q[2];
  EXPECT_EQ(untimed["calls"], 1);
  EXPECT_EQ(untimed["timed_calls"], 0);
  for (const char* key :
       {"total_ms", "mean_ms", "min_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"}) {
    EXPECT_TRUE(untimed[key].is_null()) << key;
  }
  EXPECT_EQ(untimed["share"], 0);
  EXPECT_TRUE(untimed["first_seen"].is_null());
  EXPECT_TRUE(untimed["last_seen"].is_null());
  EXPECT_EQ(untimed["sample"], "UPDATE counters SET n = n + 1");

  const json& f = j["findings"];
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(keys(f[0]),
            (std::vector<std::string>{"rule", "severity", "title", "detail", "fingerprints",
                                      "tables", "plan_nodes", "recommendation", "fix_sql"}));
  EXPECT_EQ(f[0]["rule"], "n-plus-one");  // high before low
  EXPECT_EQ(f[0]["severity"], "high");
  EXPECT_EQ(f[0]["fingerprints"], json::array({"0123456789abcdef"}));
  EXPECT_EQ(f[0]["tables"], json::array({"users"}));
  EXPECT_EQ(f[0]["plan_nodes"], json::array());
  EXPECT_EQ(f[0]["fix_sql"], "SELECT * FROM users WHERE id = ANY($1)");
  EXPECT_EQ(f[1]["severity"], "low");
  EXPECT_TRUE(f[1]["fix_sql"].is_null());
}

TEST(RenderJsonTest, EmptyDigest) {
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  const json j = json::parse(render_json(build_report(digest, {}, {})));
  EXPECT_EQ(j["summary"]["events"], 0);
  EXPECT_EQ(j["summary"]["shapes"], 0);
  EXPECT_EQ(j["summary"]["total_ms"], 0);
  EXPECT_TRUE(j["summary"]["first_seen"].is_null());
  EXPECT_TRUE(j["summary"]["last_seen"].is_null());
  EXPECT_EQ(j["queries"], json::array());
  EXPECT_EQ(j["findings"], json::array());
}

TEST(RenderJsonTest, InvalidUtf8BecomesReplacementCharacterInsteadOfThrowing) {
  Report r;
  QueryRow row;
  row.rank = 1;
  row.query = "SELECT '\xff\xfe' FROM t";
  row.sample = row.query;
  r.queries.push_back(row);
  std::string text;
  ASSERT_NO_THROW(text = render_json(r));
  const json j = json::parse(text);
  EXPECT_EQ(j["queries"][0]["query"], "SELECT '\xEF\xBF\xBD\xEF\xBF\xBD' FROM t");
}

TEST(RenderJsonTest, TimesAreShortDecimals) {
  Report r;
  QueryRow row;
  row.timed_calls = 1;
  row.total_ms = 0.1 + 0.2;  // 0.30000000000000004
  row.mean_ms = 1.234567891;
  r.queries.push_back(row);
  const std::string text = render_json(r);
  EXPECT_NE(text.find("\"total_ms\": 0.3,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"mean_ms\": 1.234568,"), std::string::npos) << text;
}

}  // namespace
}  // namespace querylens::report
