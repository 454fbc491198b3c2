// Plans in every output: the explain text and JSON, and the report's Markdown, HTML and text.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"
#include "querylens/report/plans.h"
#include "querylens/report/render.h"
#include "querylens/sql/statement_model.h"

namespace querylens::report {
namespace {

PlanSection section(const std::string& sql) {
  std::ifstream in(std::string(QUERYLENS_TEST_DATA_DIR) + "/plans/seq_scan_filter.json");
  std::stringstream ss;
  ss << in.rdbuf();
  PlanSection s;
  s.fingerprint = "0123456789abcdef";
  s.sql = sql;
  s.plan = plan::parse_postgres_plan(ss.str());
  sql::StatementModel model = sql::build_statement_model(sql);
  s.findings = plan::check_plan(s.plan, &model);
  return s;
}

TEST(RenderPlans, TextTreeShowsTimesRowsAndFlags) {
  std::string text = render_plans_text({section("SELECT * FROM fx_orders WHERE customer_id = 42")});
  EXPECT_NE(text.find("Seq Scan on fx_orders  (est 10 rows"), std::string::npos) << text;
  EXPECT_NE(text.find("actual 10 rows"), std::string::npos) << text;
  EXPECT_NE(text.find("◀ seq-scan-large-table"), std::string::npos) << text;
  EXPECT_NE(text.find("Rows Removed by Filter: 199,990"), std::string::npos) << text;
  EXPECT_NE(text.find("CREATE INDEX ON \"fx_orders\" (\"customer_id\");"), std::string::npos);
  // Terminal escapes in the statement never reach the terminal.
  std::string evil = render_plans_text({section("SELECT 1 /* \x1b[2J */")});
  EXPECT_EQ(evil.find('\x1b'), std::string::npos);
}

TEST(RenderPlans, JsonCarriesNodesFindingsAndTheNodeTheyPointAt) {
  auto j = nlohmann::json::parse(
      render_plans_json({section("SELECT * FROM fx_orders WHERE customer_id = 42")}));
  ASSERT_EQ(j["plans"].size(), 1u);
  const auto& p = j["plans"][0];
  EXPECT_EQ(p["engine"], "postgresql");
  EXPECT_EQ(p["analyzed"], true);
  EXPECT_EQ(p["nodes"][0]["node_type"], "Seq Scan");
  EXPECT_EQ(p["nodes"][0]["actual"]["rows_removed_by_filter"], 199990);
  EXPECT_EQ(p["findings"][0]["rule"], "seq-scan-large-table");
  EXPECT_EQ(p["findings"][0]["node"], 0);
  PlanSection failed;
  failed.sql = "SELECT * FROM nope";
  failed.error = "relation \"nope\" does not exist";
  auto e = nlohmann::json::parse(render_plans_json({failed}));
  EXPECT_EQ(e["plans"][0]["error"], failed.error);
}

TEST(RenderPlans, ReportSectionsInEveryFormatAndHtmlEscaped) {
  Report report;
  report.summary.events = 1;
  report.plans.push_back(
      section("SELECT * FROM fx_orders WHERE note = '</pre><script>x</script>'"));
  std::string md = render_markdown(report);
  EXPECT_NE(md.find("## Plans (1)"), std::string::npos);
  EXPECT_NE(md.find("Seq Scan on fx_orders"), std::string::npos);
  std::string html = render_html(report);
  EXPECT_NE(html.find("id=\"plans\""), std::string::npos);
  EXPECT_EQ(html.find("<script>x</script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  std::string text = render_text(report);
  EXPECT_NE(text.find("Plans (1)"), std::string::npos);
  auto j = nlohmann::json::parse(render_json(report));
  EXPECT_EQ(j["plans"].size(), 1u);
}

}  // namespace
}  // namespace querylens::report
