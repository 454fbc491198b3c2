#include "querylens/lint/lint.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "querylens/lint/render.h"

namespace querylens::lint {
namespace {

LintResult lint(std::string_view script, LintOptions options = {}) {
  LintResult r;
  lint_script(script, "q.sql", options, r);
  return r;
}

const LintFinding* rule(const LintResult& r, std::string_view id) {
  for (const LintFinding& f : r.findings) {
    if (f.finding.rule == id) return &f;
  }
  return nullptr;
}

TEST(LintTest, FindingsCarryStatementLineAndColumn) {
  LintResult r = lint("SELECT 1;\n\n  SELECT id FROM users\n  WHERE email LIKE '%x';");
  const LintFinding* f = rule(r, "leading-wildcard-like");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->statement, 2u);
  EXPECT_EQ(f->line, 4);
  EXPECT_EQ(f->column, 9);
  EXPECT_EQ(f->finding.severity, Severity::kMedium);
  EXPECT_EQ(f->finding.fix_sql,
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX ON \"users\" USING gin "
            "(\"email\" gin_trgm_ops);");
}

TEST(LintTest, NotInRewritesToNotExists) {
  LintResult r = lint(
      "SELECT o.id FROM orders o WHERE o.customer_id NOT IN (SELECT c.id FROM blocked c WHERE "
      "c.active OR c.flagged)");
  const LintFinding* f = rule(r, "not-in-subquery");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.fix_sql,
            "SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM blocked c WHERE c.id = "
            "o.customer_id AND "
            "(c.active OR c.flagged))");
  // The same name inside and out would be captured by the inner table: no rewrite.
  r = lint("SELECT id FROM users WHERE id NOT IN (SELECT manager_id FROM users)");
  ASSERT_NE(rule(r, "not-in-subquery"), nullptr);
  EXPECT_EQ(rule(r, "not-in-subquery")->finding.fix_sql, "");
}

TEST(LintTest, LargeOffsetRewritesToKeyset) {
  LintResult r = lint(
      "SELECT id FROM posts WHERE a = 1 OR b = 2 ORDER BY created_at, id LIMIT 50 OFFSET 100000");
  const LintFinding* f = rule(r, "large-offset");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.severity, Severity::kHigh);
  EXPECT_EQ(f->finding.fix_sql,
            "SELECT id FROM posts WHERE (a = 1 OR b = 2) AND (created_at, id) > ($1, $2) ORDER BY "
            "created_at, id LIMIT 50");
  r = lint("SELECT id FROM posts WHERE user_id = ? ORDER BY id DESC LIMIT 10 OFFSET ?");
  ASSERT_NE(rule(r, "large-offset"), nullptr);
  EXPECT_EQ(rule(r, "large-offset")->finding.fix_sql,
            "SELECT id FROM posts WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT 10");
  LintOptions strict;
  strict.offset_threshold = 10;
  EXPECT_NE(rule(lint("SELECT id FROM t ORDER BY id LIMIT 5 OFFSET 40", strict), "large-offset"),
            nullptr);
}

TEST(LintTest, DistinctWithJoinRewriteOfOneStatement) {
  // A captured statement may keep its ';': the rewrite must not put it inside EXISTS.
  std::string sql =
      "SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id ORDER BY u.id;";
  std::vector<StatementFinding> found =
      lint_statement(sql, sql::build_statement_model(sql), LintOptions{});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].finding.rule, "distinct-with-join");
  EXPECT_EQ(found[0].finding.fix_sql,
            "SELECT DISTINCT u.id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE "
            "p.user_id = u.id) ORDER BY u.id");
  // Comments inside a moved condition travel with it; a line comment keeps its line end.
  LintResult r = lint(
      "SELECT DISTINCT u.id FROM users u JOIN posts p ON p.user_id = u.id -- owner\n"
      "WHERE p.pinned /* only pinned */ OR p.score > 3");
  ASSERT_NE(rule(r, "distinct-with-join"), nullptr);
  EXPECT_EQ(rule(r, "distinct-with-join")->finding.fix_sql,
            "SELECT DISTINCT u.id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id "
            "= u.id AND (p.pinned /* only pinned */ OR p.score > 3))");
}

TEST(LintTest, UnionAllRewrite) {
  LintResult r = lint("SELECT 'a' AS k, id FROM x UNION SELECT 'b', id FROM y");
  ASSERT_NE(rule(r, "union-without-all"), nullptr);
  EXPECT_EQ(rule(r, "union-without-all")->finding.fix_sql,
            "SELECT 'a' AS k, id FROM x UNION ALL SELECT 'b', id FROM y");
}

TEST(LintTest, RulesDisableAndIgnoreComments) {
  std::string script = "SELECT * FROM t WHERE a LIKE '%x';";
  EXPECT_EQ(lint(script).findings.size(), 2u);
  LintOptions only;
  only.only = {"select-star"};
  EXPECT_EQ(lint(script, only).findings.size(), 1u);
  LintOptions disabled;
  disabled.disabled = {"select-star"};
  ASSERT_EQ(lint(script, disabled).findings.size(), 1u);
  EXPECT_EQ(lint(script, disabled).findings[0].finding.rule, "leading-wildcard-like");
  EXPECT_EQ(
      lint("-- querylens-ignore select-star, leading-wildcard-like\n" + script).findings.size(),
      0u);
  // A string literal that mentions the comment is not a comment.
  EXPECT_EQ(lint("SELECT * FROM t WHERE a = '-- querylens-ignore select-star';").findings.size(),
            1u);
  // An ignore comment applies to its own statement only.
  EXPECT_EQ(lint("SELECT * FROM t; -- querylens-ignore\nSELECT * FROM u;").findings.size(), 1u);
}

TEST(LintTest, JsonAndSarifOutput) {
  LintResult r = lint("SELECT * FROM t;\nINSERT OR IGNORE INTO t VALUES (1);");
  nlohmann::json json = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(json["schema"], "querylens-lint/1");
  ASSERT_EQ(json["findings"].size(), 1u);
  EXPECT_EQ(json["findings"][0]["rule"], "select-star");
  EXPECT_EQ(json["not_analyzed"].size(), 1u);
  EXPECT_EQ(json["not_analyzed"][0]["line"], 2);
  nlohmann::json sarif = nlohmann::json::parse(render_sarif(r));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), rules().size());
  EXPECT_EQ(run["results"][0]["ruleId"], "select-star");
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"].size(), 1u);
}

TEST(LintTest, EveryRuleIsDocumented) {
  for (const RuleInfo& info : rules()) EXPECT_TRUE(is_rule(info.id));
  EXPECT_EQ(rules().size(), 16u);
}

}  // namespace
}  // namespace querylens::lint
