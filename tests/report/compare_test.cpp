// compare_reports() and the report.json reader: classification, thresholds, new and gone
// shapes, and the errors for files that are not our reports.
#include "querylens/report/compare.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "querylens/core/error.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

using Json = nlohmann::json;

// A minimal schema-1 report: {fingerprint, mean_ms} per shape (p95 = 2 × mean, p99 = 3 × mean).
std::string report_json(const std::vector<std::pair<std::string, double>>& shapes,
                        uint64_t total_shapes = 0) {
  Json j = {{"schema_version", 1}, {"generated_at", "2026-11-21T10:00:00.000000Z"}};
  j["summary"] = {{"events", 100},
                  {"shapes", total_shapes ? total_shapes : shapes.size()},
                  {"total_ms", 1000.0}};
  j["queries"] = Json::array();
  for (const auto& [fp, mean] : shapes) {
    Json q = {{"fingerprint", fp}, {"query", "SELECT " + fp}, {"calls", 10}};
    q["timed_calls"] = mean < 0 ? 0 : 10;
    for (const char* key : {"total_ms", "mean_ms", "p95_ms", "p99_ms"}) q[key] = nullptr;
    if (mean >= 0) {
      q["total_ms"] = mean * 10;
      q["mean_ms"] = mean;
      q["p95_ms"] = mean * 2;
      q["p99_ms"] = mean * 3;
    }
    j["queries"].push_back(q);
  }
  return j.dump();
}

Comparison compare(const std::string& before, const std::string& after,
                   CompareOptions options = {}) {
  return compare_reports(parse_report_file(before, "before.json"),
                         parse_report_file(after, "after.json"), options);
}

const ShapeDelta& find(const Comparison& c, const std::string& fp) {
  for (const ShapeDelta& d : c.shapes) {
    if (d.fingerprint == fp) return d;
  }
  throw std::runtime_error("no shape " + fp);
}

TEST(CompareTest, ClassifiesImprovementsRegressionsNewAndGone) {
  const Comparison c =
      compare(report_json({{"a", 100}, {"b", 50}, {"c", 20}, {"gone", 5}, {"untimed", -1}}),
              report_json({{"a", 40}, {"b", 80}, {"c", 21}, {"new", 7}, {"untimed", 3}}));
  EXPECT_EQ(find(c, "a").change, Change::kImproved);
  EXPECT_NEAR(*find(c, "a").change_pct, -60.0, 1e-9);
  EXPECT_NEAR(*find(c, "a").change_ms, -60.0, 1e-9);
  EXPECT_EQ(find(c, "b").change, Change::kRegressed);
  EXPECT_NEAR(*find(c, "b").change_pct, 60.0, 1e-9);
  EXPECT_EQ(find(c, "c").change, Change::kUnchanged);  // +5%: under the threshold
  EXPECT_EQ(find(c, "gone").change, Change::kGone);
  EXPECT_FALSE(find(c, "gone").after.has_value());
  EXPECT_EQ(find(c, "new").change, Change::kNew);
  EXPECT_FALSE(find(c, "new").before.has_value());
  EXPECT_EQ(find(c, "untimed").change, Change::kUnchanged);  // nothing to compare
  EXPECT_FALSE(find(c, "untimed").change_ms.has_value());
  EXPECT_TRUE(c.has_regression());
  // Worst news first.
  ASSERT_EQ(c.shapes.size(), 6u);
  EXPECT_EQ(c.shapes[0].fingerprint, "b");
  EXPECT_EQ(c.shapes[1].fingerprint, "a");
  EXPECT_EQ(c.shapes[2].fingerprint, "new");
  EXPECT_EQ(c.shapes[3].fingerprint, "gone");
}

TEST(CompareTest, ThresholdAndMinimumAbsoluteChange) {
  // +50% but only +0.5 ms: noise on a fast query, not a regression.
  EXPECT_EQ(compare(report_json({{"fast", 1.0}}), report_json({{"fast", 1.5}})).shapes[0].change,
            Change::kUnchanged);
  EXPECT_EQ(
      compare(report_json({{"fast", 1.0}}), report_json({{"fast", 1.5}}), {.min_change_ms = 0.1})
          .shapes[0]
          .change,
      Change::kRegressed);
  // +15 ms but +15%: under a 20% threshold, over the default 10%.
  EXPECT_EQ(compare(report_json({{"q", 100}}), report_json({{"q", 115}})).shapes[0].change,
            Change::kRegressed);
  EXPECT_EQ(compare(report_json({{"q", 100}}), report_json({{"q", 115}}), {.threshold_pct = 20})
                .shapes[0]
                .change,
            Change::kUnchanged);
  // The metric decides: p99 = 3 × mean here, so the same relative change but 3× the ms.
  EXPECT_EQ(compare(report_json({{"q", 1.0}}), report_json({{"q", 1.4}}), {.metric = Metric::kP99})
                .shapes[0]
                .change,
            Change::kRegressed);
  // From 0 ms only the absolute test applies.
  EXPECT_EQ(compare(report_json({{"z", 0}}), report_json({{"z", 5}})).shapes[0].change,
            Change::kRegressed);
  EXPECT_FALSE(
      compare(report_json({{"z", 0}}), report_json({{"z", 5}})).shapes[0].change_pct.has_value());
}

TEST(CompareTest, RendersTextJsonAndMarkdown) {
  const Comparison c = compare(report_json({{"a", 100}, {"b", 50}, {"gone", 5}}, 10),
                               report_json({{"a", 40}, {"b", 80}, {"new", 7}}));
  const std::string text = render_comparison(c, Format::kText);
  EXPECT_NE(text.find("1 regressed, 1 improved, 1 new, 1 gone, 0 unchanged"), std::string::npos)
      << text;
  EXPECT_NE(text.find("+60.0% (+30 ms)  SELECT b"), std::string::npos) << text;
  EXPECT_NE(text.find("mean 50 ms → 80 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("--top 0"), std::string::npos) << text;  // before lists 3 of 10 shapes
  const Json j = Json::parse(render_comparison(c, Format::kJson));
  EXPECT_EQ(j["kind"], "querylens-compare");
  EXPECT_EQ(j["counts"]["regressed"], 1);
  EXPECT_EQ(j["shapes"][0]["change"], "regressed");
  EXPECT_EQ(j["shapes"][0]["before"]["mean_ms"], 50.0);
  EXPECT_EQ(j["shapes"][0]["after"]["p95_ms"], 160.0);
  EXPECT_EQ(j["before"]["listed"], 3);
  EXPECT_TRUE(j["shapes"][2]["before"].is_null());  // new
  const std::string md = render_comparison(c, Format::kMarkdown);
  EXPECT_NE(md.find("## Regressed (1)"), std::string::npos) << md;
  EXPECT_NE(md.find("| +60.0% (+30 ms) |"), std::string::npos) << md;
}

TEST(CompareTest, ReadsWhatRenderJsonWrites) {
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  QueryEvent e;
  e.sql = "SELECT * FROM users WHERE id = 1";
  e.duration_ns = 3'000'000;
  digest.add(e);
  const std::string json = render_json(build_report(digest, {}, {}));
  const ReportFile f = parse_report_file(json, "r.json");
  ASSERT_EQ(f.queries.size(), 1u);
  EXPECT_TRUE(f.queries[0].timed);
  EXPECT_NEAR(f.queries[0].mean_ms, 3.0, 1e-9);
  EXPECT_FALSE(compare(json, json).has_regression());
}

std::string error_of(const std::string& text) {
  try {
    parse_report_file(text, "bad.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInput);
    return e.what();
  }
  return "(no error)";
}

TEST(CompareTest, BadFilesAreNamed) {
  EXPECT_EQ(error_of("{\"schema_version\": 1,")
                .rfind("bad.json: not valid JSON: parse error at line 1", 0),
            0u)
      << error_of("{\"schema_version\": 1,");
  EXPECT_NE(error_of("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"schema_version": 2, "summary": {}, "queries": []})")
                .find("bad.json: unsupported report schema_version 2"),
            std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("bad.json: not a querylens JSON report"), std::string::npos);
  EXPECT_NE(error_of(R"({"summary": {}})").find("schema_version: missing"), std::string::npos);
  Json j = Json::parse(report_json({{"a", 1}}));
  j["queries"][0]["calls"] = "ten";
  EXPECT_NE(error_of(j.dump()).find("queries[0].calls: expected a non-negative integer"),
            std::string::npos)
      << error_of(j.dump());
  j = Json::parse(report_json({{"a", 1}}));
  j["queries"][0].erase("fingerprint");
  EXPECT_NE(error_of(j.dump()).find("queries[0].fingerprint: missing"), std::string::npos)
      << error_of(j.dump());
  try {
    load_report_file("/nonexistent/before.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/before.json: cannot read", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace querylens::report
