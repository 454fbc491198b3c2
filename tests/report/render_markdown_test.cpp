// render_markdown(): GitHub-flavoured Markdown that input text cannot break or inject into.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "querylens/report/render.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

constexpr int64_t kMs = 1'000'000;  // ns

struct Capture {
  sql::ShapeRegistry shapes;
  stats::Digest digest{shapes};
  void add(const std::string& sql, int64_t duration_ns) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = duration_ns;
    digest.add(e);
  }
};

std::vector<std::string> table_rows(const std::string& md) {
  std::vector<std::string> rows;
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| ", 0) == 0 && line.find("| # |") != 0) rows.push_back(line);
  }
  return rows;
}

// Unescaped '|' in a table row: cell separators.
size_t separators(const std::string& row) {
  size_t n = 0;
  for (size_t i = 0; i < row.size(); ++i) n += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
  return n;
}

TEST(RenderMarkdownTest, SummaryTableAndFindings) {
  Capture c;
  for (int i = 0; i < 3; ++i) c.add("SELECT * FROM users WHERE id = 1", 2 * kMs);
  c.add("SELECT 1", kUnknown);
  Finding f;
  f.rule = "missing-index";
  f.severity = Severity::kCritical;
  f.title = "Sequential scan on orders";
  f.detail = "Rows Removed by Filter: 99,000";
  f.tables = {"orders"};
  f.plan_nodes = {"Seq Scan on orders"};
  f.recommendation = "Add an index";
  f.fix_sql = "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);";
  const std::string md = render_markdown(build_report(c.digest, {f}, {}));

  EXPECT_EQ(md.rfind("# querylens report\n", 0), 0u) << md;
  EXPECT_NE(md.find("- **Events:** 4\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Query shapes:** 2\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Total time:** 6 ms\n"), std::string::npos) << md;
  EXPECT_NE(md.find("## Top queries (by total time)"), std::string::npos) << md;
  EXPECT_NE(md.find("| # | Calls | Total | Mean | p95 | p99 | Share | Rows | Errors | Query |\n"
                    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--|\n"),
            std::string::npos)
      << md;
  const std::vector<std::string> rows = table_rows(md);
  ASSERT_EQ(rows.size(), 2u) << md;
  EXPECT_NE(rows[0].find("| 1 | 3 | 6 ms | 2 ms |"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("`SELECT * FROM users WHERE id = $1`"), std::string::npos) << rows[0];
  EXPECT_NE(rows[1].find("| 2 | 1 | - | - | - | - | - |"), std::string::npos) << rows[1];

  EXPECT_NE(md.find("## Findings (1)"), std::string::npos) << md;
  EXPECT_NE(md.find("### 1. \\[CRITICAL\\] Sequential scan on orders\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Rule:** `missing-index`"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Tables:** `orders`"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Plan:** `Seq Scan on orders`"), std::string::npos) << md;
  EXPECT_NE(md.find("**Recommendation:** Add an index"), std::string::npos) << md;
  EXPECT_NE(md.find("```sql\nCREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders "
                    "(customer_id);\n```\n"),
            std::string::npos)
      << md;
}

TEST(RenderMarkdownTest, PipesNewlinesAndBackticksCannotBreakTheTable) {
  Capture c;
  c.add("SELECT a || b AS \"x|y\",\n  \"`tick`\" FROM t", 2 * kMs);
  c.add("SELECT `name` FROM `users`", kMs);  // SQLite quoting: the text ends in a backtick
  const std::string md = render_markdown(build_report(c.digest, {}, {}));
  const std::vector<std::string> rows = table_rows(md);
  ASSERT_EQ(rows.size(), 2u) << md;
  for (const std::string& row : rows) EXPECT_EQ(separators(row), 11u) << row;  // 10 cells
  EXPECT_NE(rows[0].find("a \\|\\| b AS \"x\\|y\""), std::string::npos) << rows[0];
  // A span is fenced with more backticks than any run inside it...
  EXPECT_NE(rows[0].find("| ``SELECT a"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("FROM t`` |"), std::string::npos) << rows[0];
  // ...and padded with a space where the text itself starts or ends with a backtick.
  EXPECT_NE(rows[1].find("| `` SELECT `name` FROM `users` `` |"), std::string::npos) << rows[1];
}

TEST(RenderMarkdownTest, InputCannotInjectHtml) {
  Capture c;
  c.add("SELECT \"<script>alert(1)</script>\" FROM t", kMs);
  Finding f;
  f.rule = "xss";
  f.title = "<script>alert('title')</script>";
  f.detail = "<img src=x onerror=alert(1)> and **bold** and [link](javascript:alert(1))";
  f.recommendation = "<b>no</b>";
  f.fix_sql = "-- ``` closes a naive fence\nSELECT 1;";
  const std::string md = render_markdown(build_report(c.digest, {f}, {}));
  // In the table the SQL is inside a code span (literal text); everywhere else '<' is escaped.
  const std::string outside_code = md.substr(md.find("## Findings"));
  EXPECT_EQ(outside_code.find("<script>"), std::string::npos) << outside_code;
  EXPECT_EQ(outside_code.find("<img"), std::string::npos) << outside_code;
  EXPECT_EQ(outside_code.find("<b>"), std::string::npos) << outside_code;
  EXPECT_NE(outside_code.find("&lt;script&gt;"), std::string::npos) << outside_code;
  EXPECT_NE(outside_code.find("\\*\\*bold\\*\\*"), std::string::npos) << outside_code;
  EXPECT_NE(outside_code.find("\\[link\\]"), std::string::npos) << outside_code;
  EXPECT_NE(md.find("`SELECT \"<script>alert(1)</script>\" FROM t`"), std::string::npos) << md;
  // The fix block's fence is longer than the backtick run in the SQL.
  EXPECT_NE(md.find("````sql\n-- ``` closes a naive fence\nSELECT 1;\n````\n"), std::string::npos)
      << md;
}

TEST(RenderMarkdownTest, EmptyDigest) {
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  const std::string md = render_markdown(build_report(digest, {}, {}));
  EXPECT_NE(md.find("No queries captured"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Events:** 0\n"), std::string::npos) << md;
  EXPECT_EQ(md.find("| # |"), std::string::npos) << md;  // no empty table
  EXPECT_EQ(md.find("## Findings"), std::string::npos) << md;
}

}  // namespace
}  // namespace querylens::report
