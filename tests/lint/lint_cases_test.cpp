// Runs every tests/data/lint/*.sql: each statement is preceded by `-- expect: rule, rule`
// (`none` for no finding, `not-analyzed` when libpg_query must reject it); a statement with
// no expect line must raise nothing. An optional `-- rewrite: SQL` line is the exact fix_sql
// one of the statement's findings carries (`-- rewrite: none`: no finding carries one).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "querylens/lint/lint.h"
#include "querylens/sql/splitter.h"

namespace querylens::lint {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> parse_expect(std::string_view line) {
  std::vector<std::string> out;
  std::string item;
  for (char c : line) {
    if (c == ',' || c == ' ') {
      if (!item.empty() && item != "none") out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty() && item != "none") out.push_back(item);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LintCases, EveryDataFileMatchesItsExpectations) {
  std::filesystem::path dir = std::filesystem::path(QUERYLENS_TEST_DATA_DIR) / "lint";
  size_t files = 0, checked = 0, rewrites = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sql") continue;
    ++files;
    std::string script = read(entry.path());
    std::string file = entry.path().filename().string();
    LintResult result;
    lint_script(script, file, LintOptions{}, result);
    sql::ScriptSplit split = sql::split_script(script);
    size_t prev = 0;
    for (size_t i = 0; i < split.statements.size(); ++i) {
      const auto& st = split.statements[i];
      std::string_view before = std::string_view(script).substr(prev, st.offset - prev);
      prev = st.offset + st.text.size();
      std::vector<std::string> expected;
      size_t at = before.rfind("-- expect:");
      if (at != std::string_view::npos) {
        size_t eol = before.find('\n', at);
        expected = parse_expect(before.substr(at + 10, eol - at - 10));
      }
      std::vector<std::string> actual;
      for (const LintFinding& f : result.findings) {
        if (f.statement == i + 1) actual.push_back(f.finding.rule);
      }
      for (const NotAnalyzed& n : result.not_analyzed) {
        if (n.statement == i + 1) actual.push_back("not-analyzed");
      }
      std::sort(actual.begin(), actual.end());
      EXPECT_EQ(actual, expected) << file << ":" << st.line << ": " << st.text;
      ++checked;
      if (size_t r = before.rfind("-- rewrite:"); r != std::string_view::npos) {
        std::string_view line = before.substr(r + 11, before.find('\n', r) - r - 11);
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        std::vector<std::string> fixes;
        for (const LintFinding& f : result.findings) {
          if (f.statement == i + 1 && !f.finding.fix_sql.empty())
            fixes.push_back(f.finding.fix_sql);
        }
        if (line == "none") {
          EXPECT_TRUE(fixes.empty()) << file << ":" << st.line << ": unexpected " << fixes[0];
        } else {
          EXPECT_TRUE(std::find(fixes.begin(), fixes.end(), line) != fixes.end())
              << file << ":" << st.line << ": expected " << line << "\n got "
              << (fixes.empty() ? "no rewrite" : fixes[0]);
        }
        ++rewrites;
      }
    }
  }
  EXPECT_GE(files, 5u);
  EXPECT_GE(checked, 50u);
  EXPECT_GE(rewrites, 20u);
}

}  // namespace
}  // namespace querylens::lint
