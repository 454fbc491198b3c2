// render_text(): the terminal table — alignment, truncation, UTF-8, findings, empty input.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "querylens/report/render.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace querylens::report {
namespace {

constexpr int64_t kMs = 1'000'000;              // ns
constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z, µs

struct Capture {
  sql::ShapeRegistry shapes;
  stats::Digest digest{shapes};
  void add(const std::string& sql, int64_t duration_ns, int64_t start_us = 0,
           std::string_view error = {}) {
    QueryEvent e;
    e.sql = sql;
    e.duration_ns = duration_ns;
    e.start_us = start_us;
    e.error = error;
    e.rows = 1;
    digest.add(e);
  }
};

// Code points, counted independently of the renderer's own helper.
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80         ? 1
                       : (c >> 5) == 6  ? 2
                       : (c >> 4) == 14 ? 3
                       : (c >> 3) == 30 ? 4
                                        : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The table: from the header line (it ends in "query") to the first blank line.
std::vector<std::string> table_lines(const std::string& text) {
  std::vector<std::string> table;
  for (const std::string& line : lines_of(text)) {
    if (table.empty() && line.find("rank") != 0 && line.find(" rank") == std::string::npos)
      continue;
    if (!table.empty() && line.empty()) break;
    table.push_back(line);
  }
  return table;
}

const std::string kLongQuery =
    "SELECT u.id, u.email, u.display_name, u.created_at, u.updated_at, p.id, p.title, p.body, "
    "p.published_at FROM users u JOIN posts p ON p.author_id = u.id WHERE u.id = 1";

Capture& sample(Capture& c) {
  for (int i = 1; i <= 1234; ++i)
    c.add("SELECT * FROM users WHERE id = " + std::to_string(i), kMs / 10, kT0 + i);
  c.add(kLongQuery, 1500 * kMs, kT0 + 300'000'000);
  c.add(
      "SELECT\n  \"имя\",\t\"фамилия\", \"отчество\", \"дата_рождения\", \"город\", \"улица\", "
      "\"дом\", \"квартира\"\nFROM \"пользователи\"",
      45'000, kT0 + 5);
  c.add("DELETE FROM sessions", kUnknown);
  return c;
}

TEST(RenderTextTest, TableLinesAreAlignedAndFitTheWidth) {
  Capture c;
  const Report r = build_report(sample(c).digest, {}, {});
  for (size_t w : {60u, 80u, 100u, 140u}) {
    TextOptions options;
    options.width = w;
    const std::string out = render_text(r, options);
    ASSERT_TRUE(valid_utf8(out));
    const std::vector<std::string> table = table_lines(out);
    ASSERT_EQ(table.size(), 2 + r.queries.size()) << out;  // header, rule, one line per shape
    const size_t header_width = width(table[0]);
    const size_t query_col = width(table[0].substr(0, table[0].find("query")));
    for (const std::string& line : table) {
      EXPECT_EQ(width(line), header_width) << "width " << w << ":\n" << out;
    }
    if (w >= 100) {
      EXPECT_EQ(header_width, w) << out;  // long SQL fills the line exactly
    } else {
      EXPECT_EQ(header_width - query_col, 20u) << out;  // narrow: the query keeps 20 characters
    }
    // Every row's query starts in the query column.
    for (size_t i = 2; i < table.size(); ++i) {
      const std::string& line = table[i];
      size_t byte = 0;
      for (size_t cps = 0; cps < query_col; ++byte)
        cps += (static_cast<unsigned char>(line[byte]) & 0xC0) != 0x80;
      EXPECT_NE(line[byte], ' ') << line;
      EXPECT_EQ(line[byte - 1], ' ') << line;
    }
  }
}

TEST(RenderTextTest, LongSqlIsTruncatedOnCharacterBoundaries) {
  Capture c;
  const Report r = build_report(sample(c).digest, {}, {});
  TextOptions options;
  options.width = 90;
  const std::string out = render_text(r, options);
  const std::vector<std::string> table = table_lines(out);
  ASSERT_GE(table.size(), 4u);
  bool long_row = false, cyrillic_row = false;
  for (const std::string& line : table) {
    ASSERT_TRUE(valid_utf8(line)) << line;
    if (line.find("SELECT u.id, u.email") != std::string::npos) {
      long_row = true;
      EXPECT_NE(line.find("…"), std::string::npos) << line;
      EXPECT_EQ(line.find("published_at"), std::string::npos) << line;
    }
    if (line.find("\"имя\"") != std::string::npos) {
      cyrillic_row = true;
      EXPECT_NE(line.find("…"), std::string::npos) << line;
      EXPECT_EQ(line.find('\t'), std::string::npos);  // whitespace collapsed
      EXPECT_NE(line.find("SELECT \"имя\", \"фамилия\""), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(long_row) << out;
  EXPECT_TRUE(cyrillic_row) << out;
}

TEST(RenderTextTest, SummaryAndCompactNumbers) {
  Capture c;
  const Report r = build_report(sample(c).digest, {}, {});
  const std::string out = render_text(r);
  const std::string first = lines_of(out).at(0);
  EXPECT_NE(first.find("1,237 events"), std::string::npos) << first;
  EXPECT_NE(first.find("4 shapes"), std::string::npos) << first;
  EXPECT_NE(first.find("1.6 s total"), std::string::npos) << first;  // 123.4 + 1500 + 0.045 ms
  EXPECT_NE(first.find("2023-11-14 22:13:20 → 22:18:20 UTC (5 min)"), std::string::npos) << first;
  EXPECT_NE(first.find("0 errors"), std::string::npos) << first;
  EXPECT_NE(first.find("0 skipped inputs"), std::string::npos) << first;

  const std::vector<std::string> table = table_lines(out);
  ASSERT_EQ(table.size(), 6u);
  EXPECT_NE(table[2].find("1.5 s"), std::string::npos) << table[2];  // ranked first
  EXPECT_NE(table[3].find("1,234"), std::string::npos) << table[3];
  EXPECT_NE(table[3].find("100 µs"), std::string::npos) << table[3];
  EXPECT_NE(table[4].find("45 µs"), std::string::npos) << table[4];
  // The untimed shape shows dashes, not zeros.
  EXPECT_NE(table[5].find("DELETE FROM sessions"), std::string::npos) << table[5];
  EXPECT_NE(table[5].find("  -  "), std::string::npos) << table[5];
  EXPECT_EQ(table[5].find("µs"), std::string::npos) << table[5];
}

TEST(RenderTextTest, FindingsSection) {
  Capture c;
  c.add("SELECT * FROM users WHERE id = 1", kMs);
  Finding f;
  f.rule = "n-plus-one";
  f.severity = Severity::kHigh;
  f.title = "users looked up one id at a time";
  f.detail = "100 calls in one request\nfrom GET /feed";
  f.fingerprints = {c.digest.ranked(stats::RankBy::kTotal)[0]->shape->fingerprint_hex()};
  f.tables = {"users"};
  f.plan_nodes = {"Index Scan using users_pkey on users"};
  f.recommendation = "Fetch all ids with one query";
  f.fix_sql = "SELECT * FROM users\nWHERE id = ANY($1);";
  const std::string out = render_text(build_report(c.digest, {f}, {}));
  EXPECT_NE(out.find("Findings (1)"), std::string::npos) << out;
  EXPECT_NE(out.find("\n[HIGH] n-plus-one  users looked up one id at a time\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\n  100 calls in one request\n  from GET /feed\n"), std::string::npos) << out;
  EXPECT_NE(out.find("queries: " + f.fingerprints[0] + " (#1)"), std::string::npos) << out;
  EXPECT_NE(out.find("tables: users"), std::string::npos) << out;
  EXPECT_NE(out.find("plan: Index Scan using users_pkey on users"), std::string::npos) << out;
  EXPECT_NE(out.find("Fetch all ids with one query"), std::string::npos) << out;
  EXPECT_NE(out.find("\n    SELECT * FROM users\n    WHERE id = ANY($1);\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);  // no colour unless asked

  TextOptions color;
  color.color = true;
  EXPECT_NE(render_text(build_report(c.digest, {f}, {}), color).find("\x1b[31m[HIGH]\x1b[0m"),
            std::string::npos);
}

TEST(RenderTextTest, ControlCharactersCannotReachTheTerminal) {
  Capture c;
  c.add("SELECT \"a\x1b[2Jb\" FROM t", kMs);
  Finding f;
  f.rule = "x";
  f.title = "title \x1b]0;pwned\x07 here";
  f.detail = "line\r\x1b[1A";
  const std::string out = render_text(build_report(c.digest, {f}, {}));
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_TRUE(valid_utf8(out));
}

TEST(RenderTextTest, EmptyDigestSaysNoQueriesCaptured) {
  sql::ShapeRegistry shapes;
  stats::Digest digest(shapes);
  ReportOptions options;
  options.skipped_inputs = 3;
  options.sources = {"app.log"};
  const std::string out = render_text(build_report(digest, {}, options));
  EXPECT_NE(out.find("no queries captured"), std::string::npos) << out;
  EXPECT_NE(out.find("3 skipped inputs"), std::string::npos) << out;
  EXPECT_NE(out.find("sources: app.log"), std::string::npos) << out;
  EXPECT_EQ(out.find("rank"), std::string::npos) << out;  // no empty table
}

}  // namespace
}  // namespace querylens::report
