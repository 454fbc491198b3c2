// render_html(): a self-contained page whose input text can never become markup or script.
#include <gtest/gtest.h>

#include <string>

#include "querylens/report/render.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

constexpr int64_t kMs = 1'000'000;  // ns

struct Capture {
  sql::ShapeRegistry shapes;
  stats::Digest digest{shapes};
  void add(const std::string& sql, int64_t duration_ns, int64_t start_us = 0) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = duration_ns;
    e.start_us = start_us;
    digest.add(e);
  }
};

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The rows of the top-queries table: between its <tbody> and </tbody>.
size_t table_rows(const std::string& html) {
  const size_t begin = html.find("<tbody>"), end = html.find("</tbody>");
  if (begin == std::string::npos || end == std::string::npos) return 0;
  return occurrences(html.substr(begin, end - begin), "<tr>");
}

TEST(RenderHtmlTest, HostileSqlAndAnalyzerTextRenderAsText) {
  Capture c;
  const std::string hostile =
      "SELECT '<script>alert(1)</script>' AS x, '</script><img src=x onerror=alert(2)>' AS y, "
      "'\"onmouseover=alert(3) '' & <b>' FROM \"</style>\" WHERE id = 7";
  c.add(hostile, 3 * kMs);
  c.add("SELECT 1 /* <script>alert(4)</script> */", 2 * kMs);
  Finding f;
  f.rule = "<script>alert(5)</script>";
  f.severity = Severity::kHigh;
  f.title = "</script><script>alert(6)</script>";
  f.detail = "\"onmouseover=alert(7) x='";
  f.fingerprints = {"<svg onload=alert(8)>"};
  f.tables = {"</style><script>alert(9)</script>"};
  f.plan_nodes = {"Seq Scan on \"<i>\""};
  f.recommendation = "<a href=javascript:alert(10)>click</a>";
  f.fix_sql = "CREATE INDEX ON t ((x || '</pre><script>alert(11)</script>'));";
  Report report = build_report(c.digest, {f}, {.sources = {"/tmp/<script>alert(12)</script>.log"}});
  const std::string html = render_html(report);

  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg onload"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("<a href=javascript"), std::string::npos);
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos);
  EXPECT_EQ(html.find("</style><"), std::string::npos);
  // Exactly one script element, ours, carrying the CSP nonce; one style element.
  EXPECT_EQ(occurrences(html, "<script"), 1u);
  EXPECT_EQ(occurrences(html, "</script>"), 1u);
  EXPECT_NE(html.find("<script nonce=\""), std::string::npos);
  EXPECT_EQ(occurrences(html, "<style>"), 1u);
  EXPECT_EQ(occurrences(html, "</style>"), 1u);
  // The hostile text is there, as text.
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;onmouseover=alert(7) x=&#39;"), std::string::npos);
  EXPECT_NE(html.find("&lt;/pre&gt;&lt;script&gt;alert(11)"), std::string::npos);
  EXPECT_NE(html.find("/tmp/&lt;script&gt;alert(12)&lt;/script&gt;.log"), std::string::npos);
}

TEST(RenderHtmlTest, StructureChartsTableAndFindings) {
  Capture c;
  const int64_t minute = 1'790'000'000'000'000 / 60'000'000 * 60'000'000;  // a whole minute
  for (int i = 0; i < 50; ++i)
    c.add("SELECT * FROM users WHERE id = " + std::to_string(i), (1 + i % 7) * kMs,
          minute + i * 1'000'000);
  for (int i = 0; i < 5; ++i)
    c.add("SELECT * FROM posts ORDER BY id OFFSET " + std::to_string(i), 200 * kMs);
  c.add("UPDATE counters SET n = n + 1", kUnknown);  // untimed: no latency chart
  Finding f;
  f.rule = "slow-query";
  f.severity = Severity::kMedium;
  f.title = "Deep OFFSET paging on posts";
  f.detail = "p95 200 ms";
  f.tables = {"posts"};
  f.recommendation = "Use keyset pagination";
  f.fix_sql = "CREATE INDEX posts_id_idx ON posts (id);";
  Report report = build_report(c.digest, {f}, {});
  f.fingerprints = {report.queries[0].fingerprint};
  report.findings = {f};
  report.timeline = {{minute, 30, 1, 0, 3.5, 7.0, 7.0},
                     {minute + 60'000'000, 20, 0, 0, 4.0, 6.0, 7.0},
                     {minute + 180'000'000, 5, 0, 5, 200.0, 201.0, 201.0}};
  const std::string html = render_html(report);

  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  // Self-contained: no URL anywhere but the SVG namespace (an identifier, never fetched).
  EXPECT_EQ(occurrences(html, "http://"),
            occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(html.find("https:"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  // Charts: share of time, calls per minute, p95 per minute, one latency chart per timed shape.
  EXPECT_EQ(occurrences(html, "<svg"), 3u + 2u);
  EXPECT_EQ(occurrences(html, "<svg class=\"chart latency\""), 2u);
  EXPECT_EQ(occurrences(html, "<svg class=\"chart share\""), 1u);
  EXPECT_EQ(occurrences(html, "<svg class=\"chart calls\""), 1u);
  EXPECT_EQ(occurrences(html, "<svg class=\"chart p95\""), 1u);
  EXPECT_NE(html.find("No timed calls"), std::string::npos);  // the UPDATE
  EXPECT_EQ(occurrences(html, "</svg>"), occurrences(html, "<svg"));
  // The p95 line is broken at the missing minute: two segments.
  EXPECT_EQ(occurrences(html, "<polyline"), 2u);
  // Table: one row per listed shape, sortable, with numeric sort keys.
  EXPECT_EQ(table_rows(html), report.queries.size());
  EXPECT_NE(html.find("<table class=\"sortable\""), std::string::npos);
  EXPECT_NE(html.find("data-v=\""), std::string::npos);
  // The finding with its evidence, linked to its shape, and its fix.
  EXPECT_NE(html.find("Deep OFFSET paging on posts"), std::string::npos);
  EXPECT_NE(html.find("<code>posts</code>"), std::string::npos);
  EXPECT_NE(html.find("Use keyset pagination"), std::string::npos);
  EXPECT_NE(html.find("CREATE INDEX posts_id_idx ON posts (id);"), std::string::npos);
  EXPECT_NE(html.find("href=\"#q-" + report.queries[0].fingerprint + "\""), std::string::npos);
  EXPECT_NE(html.find("id=\"q-" + report.queries[0].fingerprint + "\""), std::string::npos);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

TEST(RenderHtmlTest, EmptyReportSaysSo) {
  Capture c;
  const std::string html = render_html(build_report(c.digest, {}, {}));
  EXPECT_NE(html.find("No queries captured"), std::string::npos);
  EXPECT_NE(html.find("No timestamps"), std::string::npos);
  EXPECT_NE(html.find("No findings"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<svg"), 0u);
  EXPECT_EQ(table_rows(html), 0u);
  EXPECT_EQ(occurrences(html, "<script"), 1u);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

TEST(RenderHtmlTest, InvalidUtf8AndControlsAreMadeHarmless) {
  Capture c;
  c.add(std::string("SELECT 'a\xff\xfe' AS x, '\x1b[31m' AS y"), kMs);
  const std::string html = render_html(build_report(c.digest, {}, {}));
  EXPECT_EQ(html.find('\xff'), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(html.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

TEST(RenderHtmlTest, FormatParsesAndDispatches) {
  EXPECT_EQ(parse_format("html"), Format::kHtml);
  EXPECT_EQ(parse_format("HTML"), Format::kHtml);
  Capture c;
  EXPECT_EQ(render(build_report(c.digest, {}, {}), Format::kHtml).rfind("<!DOCTYPE html>", 0), 0u);
}

}  // namespace
}  // namespace querylens::report
