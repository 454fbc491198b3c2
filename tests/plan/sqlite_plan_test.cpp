// parse_sqlite_plan() on EXPLAIN QUERY PLAN rows in the old (3.24–3.35) and new (3.36+)
// wordings and on odd input; the four SQLite checks on hand-built plans and their thresholds.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/statement_model.h"

namespace querylens::plan {
namespace {

// Rows as the engine prints them: {id, parent, detail}.
Plan parse(std::vector<SqlitePlanRow> rows) { return parse_sqlite_plan(rows); }

const PlanNode& node_with(const Plan& plan, std::string_view detail) {
  for (const PlanNode& n : plan.nodes) {
    if (n.detail == detail) return n;
  }
  ADD_FAILURE() << "no node " << detail;
  return plan.nodes.front();
}

// The tree's invariants, whatever the input: ids are indices, pre-order, depths consistent.
void expect_well_formed(const Plan& plan) {
  ASSERT_FALSE(plan.nodes.empty());
  for (size_t i = 0; i < plan.nodes.size(); ++i) {
    const PlanNode& n = plan.nodes[i];
    EXPECT_EQ(n.id, static_cast<int>(i));
    EXPECT_FALSE(n.node_type.empty());
    if (i == 0) {
      EXPECT_EQ(n.parent, -1);
      EXPECT_EQ(n.depth, 0);
    } else {
      ASSERT_GE(n.parent, 0);
      ASSERT_LT(n.parent, static_cast<int>(i));  // pre-order: the parent comes first
      EXPECT_EQ(n.depth, plan.nodes[static_cast<size_t>(n.parent)].depth + 1);
    }
    for (int c : n.children) {
      ASSERT_LT(c, static_cast<int>(plan.nodes.size()));
      EXPECT_EQ(plan.nodes[static_cast<size_t>(c)].parent, n.id);
    }
  }
}

TEST(SqlitePlanParse, NewWordingBuildsTheTreeUnderASyntheticRoot) {
  Plan plan = parse({{2, 0, "SCAN u"},
                     {4, 0, "SEARCH p USING AUTOMATIC COVERING INDEX (title=?) LEFT-JOIN"},
                     {9, 0, "CORRELATED SCALAR SUBQUERY 1"},
                     {12, 9, "SEARCH posts USING INDEX posts_uc (user_id=? AND created_at>?)"},
                     {20, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  expect_well_formed(plan);
  EXPECT_EQ(plan.engine, Engine::kSqlite);
  EXPECT_FALSE(plan.analyzed);
  ASSERT_EQ(plan.nodes.size(), 6u);
  EXPECT_EQ(plan.root().node_type, "QUERY PLAN");
  EXPECT_EQ(plan.root().children, (std::vector<int>{1, 2, 3, 5}));

  const PlanNode& scan = plan.nodes[1];
  EXPECT_EQ(scan.node_type, "SCAN");
  EXPECT_EQ(scan.relation, "u");
  EXPECT_EQ(scan.detail, "SCAN u");
  EXPECT_EQ(scan.label(), "SCAN u");
  EXPECT_TRUE(scan.index.empty());

  const PlanNode& automatic = plan.nodes[2];
  EXPECT_EQ(automatic.node_type, "SEARCH");
  EXPECT_EQ(automatic.relation, "p");
  EXPECT_TRUE(automatic.automatic_index);
  EXPECT_TRUE(automatic.covering_index);
  EXPECT_TRUE(automatic.index.empty());
  EXPECT_EQ(automatic.index_columns, (std::vector<std::string>{"title"}));

  const PlanNode& sub = plan.nodes[3];
  EXPECT_EQ(sub.node_type, "CORRELATED SCALAR SUBQUERY");
  EXPECT_EQ(sub.subplan_name, "SUBQUERY 1");
  EXPECT_EQ(sub.children, (std::vector<int>{4}));

  const PlanNode& search = plan.nodes[4];
  EXPECT_EQ(search.depth, 2);
  EXPECT_EQ(search.relation, "posts");
  EXPECT_EQ(search.index, "posts_uc");
  EXPECT_FALSE(search.covering_index);
  EXPECT_EQ(search.index_columns, (std::vector<std::string>{"user_id", "created_at"}));

  EXPECT_EQ(plan.nodes[5].node_type, "USE TEMP B-TREE");
  EXPECT_EQ(plan.nodes[5].detail, "USE TEMP B-TREE FOR ORDER BY");
}

TEST(SqlitePlanParse, OldWordingNamesTableAndAlias) {
  Plan plan = parse({{0, 0, "SCAN TABLE posts AS p"},
                     {1, 0, "SEARCH TABLE users AS u USING INDEX users_email (email=?)"},
                     {2, 0, "SEARCH TABLE t USING INTEGER PRIMARY KEY (rowid=?)"},
                     {3, 0, "SCAN TABLE t USING COVERING INDEX t_a"},
                     {4, 0, "EXECUTE CORRELATED SCALAR SUBQUERY 2"},
                     {5, 4, "SEARCH TABLE c USING AUTOMATIC COVERING INDEX (x=? AND y=?)"},
                     {6, 0, "SCAN SUBQUERY 1 AS x"},
                     {7, 0, "EXECUTE LIST SUBQUERY 3"}});
  expect_well_formed(plan);
  const PlanNode& p = node_with(plan, "SCAN TABLE posts AS p");
  EXPECT_EQ(p.node_type, "SCAN");
  EXPECT_EQ(p.relation, "posts");
  EXPECT_EQ(p.alias, "p");
  const PlanNode& u = node_with(plan, "SEARCH TABLE users AS u USING INDEX users_email (email=?)");
  EXPECT_EQ(u.relation, "users");
  EXPECT_EQ(u.alias, "u");
  EXPECT_EQ(u.index, "users_email");
  EXPECT_EQ(u.index_columns, (std::vector<std::string>{"email"}));
  const PlanNode& pk = node_with(plan, "SEARCH TABLE t USING INTEGER PRIMARY KEY (rowid=?)");
  EXPECT_EQ(pk.index, "INTEGER PRIMARY KEY");
  EXPECT_EQ(pk.index_columns, (std::vector<std::string>{"rowid"}));
  const PlanNode& covering = node_with(plan, "SCAN TABLE t USING COVERING INDEX t_a");
  EXPECT_TRUE(covering.covering_index);
  EXPECT_EQ(covering.index, "t_a");
  const PlanNode& sub = node_with(plan, "EXECUTE CORRELATED SCALAR SUBQUERY 2");
  EXPECT_EQ(sub.node_type, "CORRELATED SCALAR SUBQUERY");
  EXPECT_EQ(sub.subplan_name, "SUBQUERY 2");
  ASSERT_EQ(sub.children.size(), 1u);
  const PlanNode& automatic = plan.nodes[static_cast<size_t>(sub.children[0])];
  EXPECT_TRUE(automatic.automatic_index);
  EXPECT_EQ(automatic.relation, "c");
  EXPECT_EQ(automatic.index_columns, (std::vector<std::string>{"x", "y"}));
  const PlanNode& derived = node_with(plan, "SCAN SUBQUERY 1 AS x");
  EXPECT_TRUE(derived.relation.empty());
  EXPECT_EQ(derived.subplan_name, "SUBQUERY 1");
  EXPECT_EQ(derived.alias, "x");
  EXPECT_EQ(node_with(plan, "EXECUTE LIST SUBQUERY 3").node_type, "LIST SUBQUERY");
}

TEST(SqlitePlanParse, EveryKnownLineGetsItsNodeType) {
  struct Case {
    std::string line, node_type, relation, index, subplan;
  };
  const std::vector<Case> cases = {
      {"SCAN CONSTANT ROW", "SCAN CONSTANT ROW", "", "", ""},
      {"SCAN t USING COVERING INDEX i", "SCAN", "t", "i", ""},
      {"SCAN t USING INDEX i", "SCAN", "t", "i", ""},
      {"SEARCH t USING PRIMARY KEY (a=?)", "SEARCH", "t", "PRIMARY KEY", ""},
      {"SEARCH t USING AUTOMATIC PARTIAL COVERING INDEX (x=?)", "SEARCH", "t", "", ""},
      {"SCAN ft VIRTUAL TABLE INDEX 0:M1", "SCAN", "ft", "", ""},
      {"BLOOM FILTER ON t (x=?)", "BLOOM FILTER", "t", "", ""},
      {"USE TEMP B-TREE FOR GROUP BY", "USE TEMP B-TREE", "", "", ""},
      {"USE TEMP B-TREE FOR DISTINCT", "USE TEMP B-TREE", "", "", ""},
      {"USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", "USE TEMP B-TREE", "", "", ""},
      {"USE TEMP B-TREE FOR LAST TERM OF ORDER BY", "USE TEMP B-TREE", "", "", ""},
      {"CORRELATED LIST SUBQUERY 3", "CORRELATED LIST SUBQUERY", "", "", "SUBQUERY 3"},
      {"SCALAR SUBQUERY 1", "SCALAR SUBQUERY", "", "", "SUBQUERY 1"},
      {"LIST SUBQUERY 1", "LIST SUBQUERY", "", "", "SUBQUERY 1"},
      {"CO-ROUTINE cnt", "CO-ROUTINE", "", "", "cnt"},
      {"MATERIALIZE x", "MATERIALIZE", "", "", "x"},
      {"COMPOUND QUERY", "COMPOUND QUERY", "", "", ""},
      {"LEFT-MOST SUBQUERY", "LEFT-MOST SUBQUERY", "", "", ""},
      {"UNION ALL", "UNION ALL", "", "", ""},
      {"UNION USING TEMP B-TREE", "UNION", "", "", ""},
      {"EXCEPT USING TEMP B-TREE", "EXCEPT", "", "", ""},
      {"MULTI-INDEX OR", "MULTI-INDEX OR", "", "", ""},
      {"INDEX 1", "INDEX", "", "", ""},
      {"RIGHT-JOIN posts", "RIGHT-JOIN", "posts", "", ""},
      {"SETUP", "SETUP", "", "", ""},
      {"RECURSIVE STEP", "RECURSIVE STEP", "", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    Plan plan = parse({{1, 0, c.line}});
    ASSERT_EQ(plan.nodes.size(), 1u);  // one top-level line is the root itself
    const PlanNode& n = plan.root();
    EXPECT_EQ(n.detail, c.line);
    EXPECT_EQ(n.node_type, c.node_type);
    EXPECT_EQ(n.relation, c.relation);
    EXPECT_EQ(n.index, c.index);
    EXPECT_EQ(n.subplan_name, c.subplan);
  }
  EXPECT_TRUE(parse({{1, 0, "SEARCH t USING AUTOMATIC PARTIAL COVERING INDEX (x=?)"}})
                  .root()
                  .automatic_index);
  EXPECT_EQ(parse({{1, 0, "BLOOM FILTER ON t (x=? AND y=?)"}}).root().index_columns,
            (std::vector<std::string>{"x", "y"}));
}

TEST(SqlitePlanParse, IndexColumnsFromTheConstraintList) {
  auto columns = [](std::string line) { return parse({{1, 0, line}}).root().index_columns; };
  using V = std::vector<std::string>;
  EXPECT_EQ(columns("SEARCH t USING INDEX i (a=? AND b>? AND b<?)"), (V{"a", "b"}));
  EXPECT_EQ(columns("SEARCH t USING INDEX i (ANY(a) AND b=?)"), (V{"a", "b"}));
  EXPECT_EQ(columns("SEARCH t USING COVERING INDEX i (a<?)"), (V{"a"}));
  EXPECT_EQ(columns("SEARCH t USING INDEX i (<expr>=?)"), V{});
  EXPECT_EQ(columns("SEARCH TABLE t USING INDEX i (a=?) (~10 rows)"), (V{"a"}));
  EXPECT_EQ(columns("SEARCH t USING INDEX i (a=? AND"), (V{"a"}));  // cut short
  EXPECT_EQ(columns("SCAN t"), V{});
}

TEST(SqlitePlanParse, NestedLinesComeInPreOrder) {
  Plan plan = parse({{2, 0, "CO-ROUTINE cnt"},
                     {3, 2, "SETUP"},
                     {4, 3, "SCAN CONSTANT ROW"},
                     {6, 2, "RECURSIVE STEP"},
                     {7, 6, "SCAN cnt"},
                     {15, 0, "SCAN cnt"}});
  expect_well_formed(plan);
  std::vector<std::string> order;
  std::vector<int> depths;
  for (const PlanNode& n : plan.nodes) {
    order.push_back(n.detail.empty() ? n.node_type : n.detail);
    depths.push_back(n.depth);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"QUERY PLAN", "CO-ROUTINE cnt", "SETUP", "SCAN CONSTANT ROW",
                                      "RECURSIVE STEP", "SCAN cnt", "SCAN cnt"}));
  EXPECT_EQ(depths, (std::vector<int>{0, 1, 2, 3, 2, 3, 1}));
  EXPECT_EQ(plan.nodes[1].children, (std::vector<int>{2, 4}));
}

TEST(SqlitePlanParse, OddInputStillMakesAWellFormedPlan) {
  // No rows at all (an INSERT … VALUES plans to nothing): a lone root.
  Plan empty = parse({});
  expect_well_formed(empty);
  ASSERT_EQ(empty.nodes.size(), 1u);
  EXPECT_EQ(empty.root().node_type, "QUERY PLAN");

  Plan odd = parse({{1, 0, ""},
                    {2, 0, "   "},
                    {3, 0, "FROBNICATE THE widgets"},
                    {4, 0, "lowercase words only"},
                    {5, 99, "SCAN orphan"},          // parent never printed: top level
                    {6, 6, "SCAN self"},             // its own parent: top level
                    {7, 8, "SCAN forward"},          // parent printed later: top level
                    {8, 0, "SEARCH"},                // nothing after the keyword
                    {8, 0, "SCAN TABLE"},            // repeated id, no name
                    {9, 8, "SEARCH t USING INDEX"},  // under the latest id 8
                    {10, 0, "SEARCH t USING (((("},
                    {11, 0, std::string("SCAN \0x", 7)}});
  expect_well_formed(odd);
  EXPECT_EQ(odd.root().node_type, "QUERY PLAN");
  EXPECT_EQ(odd.root().children.size(), 11u);
  EXPECT_EQ(odd.nodes[1].node_type, "UNKNOWN");
  EXPECT_EQ(node_with(odd, "FROBNICATE THE widgets").node_type, "FROBNICATE THE");
  EXPECT_EQ(node_with(odd, "lowercase words only").node_type, "lowercase");
  EXPECT_EQ(node_with(odd, "SCAN orphan").depth, 1);
  EXPECT_EQ(node_with(odd, "SCAN self").depth, 1);
  EXPECT_EQ(node_with(odd, "SCAN forward").depth, 1);
  EXPECT_EQ(node_with(odd, "SEARCH").node_type, "SEARCH");
  EXPECT_EQ(node_with(odd, "SCAN TABLE").node_type, "SCAN");
  EXPECT_EQ(node_with(odd, "SEARCH t USING INDEX").depth, 2);
  EXPECT_EQ(node_with(odd, "SEARCH t USING INDEX").index, "");
}

TEST(SqlitePlanParse, DeepChainDoesNotRecurse) {
  std::vector<SqlitePlanRow> rows;
  for (int i = 1; i <= 100000; ++i) rows.push_back({i, i - 1, "CORRELATED SCALAR SUBQUERY 1"});
  Plan plan = parse_sqlite_plan(rows);
  ASSERT_EQ(plan.nodes.size(), 100000u);
  EXPECT_EQ(plan.nodes.back().depth, 99999);
}

TEST(SqlitePlanParse, RandomRowsNeverBreakIt) {
  const std::vector<std::string> pieces = {
      "SCAN",       "SEARCH",   "TABLE",       "t",
      "AS",         "USING",    "INDEX",       "COVERING",
      "(",          ")",        "a=?",         "AND",
      "AUTOMATIC",  "ANY(",     "~",           "USE TEMP B-TREE",
      "FOR",        "ORDER",    "BY",          "EXECUTE",
      "CORRELATED", "SUBQUERY", "1",           "",
      "VIRTUAL",    "<expr>",   "PRIMARY KEY", "INTEGER"};
  std::mt19937 random(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<SqlitePlanRow> rows;
    int count = static_cast<int>(random() % 12);
    for (int i = 0; i < count; ++i) {
      std::string line;
      int words = static_cast<int>(random() % 8);
      for (int w = 0; w < words; ++w) {
        line += pieces[random() % pieces.size()];
        if (random() % 3 != 0) line += ' ';
      }
      rows.push_back(
          {static_cast<int>(random() % 10) - 2, static_cast<int>(random() % 10) - 2, line});
    }
    Plan plan = parse_sqlite_plan(rows);
    expect_well_formed(plan);
    EXPECT_GE(plan.nodes.size(), rows.size());
    EXPECT_LE(plan.nodes.size(), rows.size() + 1);
    (void)check_plan(plan, nullptr);  // the checks are total too
  }
}

// ---- checks ------------------------------------------------------------------------------

std::vector<PlanFinding> findings(const Plan& plan, std::string_view sql, std::string_view rule,
                                  const CheckOptions& options = {}) {
  sql::StatementModel model = sql::build_statement_model(sql);
  std::vector<PlanFinding> out;
  for (PlanFinding& f : check_plan(plan, &model, options)) {
    if (f.finding.rule == rule) out.push_back(std::move(f));
  }
  return out;
}

Plan analyzed(Plan plan, SqliteCounters counters) {
  plan.analyzed = true;
  plan.sqlite = counters;
  plan.execution_ms = 12.5;
  derive_metrics(plan);
  return plan;
}

TEST(SqlitePlanChecks, EveryRuleIdIsListed) {
  const auto& ids = plan_rule_ids();
  for (std::string_view id : {"sqlite-full-scan", "sqlite-automatic-index", "sqlite-temp-btree",
                              "sqlite-correlated-subquery"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
}

TEST(SqlitePlanChecks, FullScanOfALargeFilteredTable) {
  const std::string sql = "SELECT * FROM posts WHERE created_at > 5";
  Plan plan = parse({{2, 0, "SCAN posts"}});
  plan.table_rows["posts"] = 50000;
  auto found = findings(plan, sql, "sqlite-full-scan");
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0].finding;
  EXPECT_EQ(found[0].node, 0);
  EXPECT_EQ(f.severity, Severity::kMedium);  // 50000 < 10 × 10000
  EXPECT_EQ(f.plan_nodes, (std::vector<std::string>{"SCAN posts"}));
  EXPECT_EQ(f.tables, (std::vector<std::string>{"posts"}));
  EXPECT_NE(f.title.find("posts"), std::string::npos);
  EXPECT_NE(f.detail.find("50000"), std::string::npos);
  EXPECT_NE(f.recommendation.find("created_at"), std::string::npos);
  // SQLite's CREATE INDEX needs a name, identifiers quoted.
  EXPECT_EQ(f.fix_sql, R"(CREATE INDEX "posts_created_at_idx" ON "posts" ("created_at");)");

  plan.table_rows["posts"] = 100000;  // ten times large, and filtered: high
  EXPECT_EQ(findings(plan, sql, "sqlite-full-scan").at(0).finding.severity, Severity::kHigh);
  // Unfiltered: every row is wanted, nothing to index; medium however big.
  auto unfiltered = findings(plan, "SELECT * FROM posts", "sqlite-full-scan");
  ASSERT_EQ(unfiltered.size(), 1u);
  EXPECT_EQ(unfiltered[0].finding.severity, Severity::kMedium);
  EXPECT_TRUE(unfiltered[0].finding.fix_sql.empty());

  plan.table_rows["posts"] = 9999;  // below large_table_rows
  EXPECT_TRUE(findings(plan, sql, "sqlite-full-scan").empty());
  CheckOptions lower;
  lower.large_table_rows = 5000;
  EXPECT_EQ(findings(plan, sql, "sqlite-full-scan", lower).size(), 1u);
}

TEST(SqlitePlanChecks, FullScanFromTheRunsCountersWhenTheSizeIsUnknown) {
  const std::string sql = "SELECT * FROM posts WHERE created_at > 5";
  Plan plan = parse({{2, 0, "SCAN posts"}});
  EXPECT_TRUE(findings(plan, sql, "sqlite-full-scan").empty());  // no size, not analyzed
  auto found = findings(analyzed(plan, {.fullscan_steps = 1000}), sql, "sqlite-full-scan");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].finding.severity, Severity::kMedium);
  EXPECT_NE(found[0].finding.detail.find("stepped 1000"), std::string::npos);
  EXPECT_TRUE(findings(analyzed(plan, {.fullscan_steps = 999}), sql, "sqlite-full-scan").empty());
}

TEST(SqlitePlanChecks, FullScanIgnoresScansThatAreNotTableScans) {
  const std::string sql = "SELECT count(*) FROM posts";
  for (std::string line :
       {"SCAN posts USING COVERING INDEX posts_user", "SCAN posts USING INDEX posts_user",
        "SCAN CONSTANT ROW", "SCAN posts VIRTUAL TABLE INDEX 0:M1"}) {
    SCOPED_TRACE(line);
    Plan plan = parse({{2, 0, line}});
    plan.table_rows["posts"] = 1000000;
    EXPECT_TRUE(findings(plan, sql, "sqlite-full-scan").empty());
  }
  // The scan of a materialized subquery reads its result, not a table.
  Plan plan = parse({{2, 0, "MATERIALIZE x"}, {3, 2, "SCAN posts"}, {9, 0, "SCAN x"}});
  plan.table_rows["posts"] = 1000000;
  plan.table_rows["x"] = 1000000;
  auto found = findings(plan, "SELECT * FROM (SELECT * FROM posts LIMIT 5) x", "sqlite-full-scan");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].finding.plan_nodes.at(0), "SCAN posts");
}

TEST(SqlitePlanChecks, AutomaticIndexRecommendsTheRealOne) {
  const std::string sql = "SELECT * FROM users u JOIN posts p ON p.title = u.email";
  Plan plan = parse({{2, 0, "SCAN TABLE users AS u"},
                     {4, 0, "SEARCH TABLE posts AS p USING AUTOMATIC COVERING INDEX (title=?)"}});
  auto found = findings(plan, sql, "sqlite-automatic-index");
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0].finding;
  EXPECT_EQ(found[0].node, 2);
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.tables, (std::vector<std::string>{"posts"}));
  EXPECT_EQ(f.plan_nodes, (std::vector<std::string>{
                              "SEARCH TABLE posts AS p USING AUTOMATIC COVERING INDEX (title=?)"}));
  EXPECT_EQ(f.fix_sql, R"(CREATE INDEX "posts_title_idx" ON "posts" ("title");)");

  auto big = findings(analyzed(plan, {.autoindex_rows = 10000}), sql, "sqlite-automatic-index");
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].finding.severity, Severity::kHigh);
  EXPECT_NE(big[0].finding.detail.find("10000 row(s)"), std::string::npos);
  EXPECT_EQ(findings(analyzed(plan, {.autoindex_rows = 9999}), sql, "sqlite-automatic-index")
                .at(0)
                .finding.severity,
            Severity::kMedium);

  // An automatic index on a subquery's result: nothing to create.
  auto derived =
      findings(parse({{2, 0, "SCAN TABLE users AS u"},
                      {4, 0, "SEARCH SUBQUERY 1 AS x USING AUTOMATIC COVERING INDEX (a=?)"}}),
               sql, "sqlite-automatic-index");
  ASSERT_EQ(derived.size(), 1u);
  EXPECT_TRUE(derived[0].finding.fix_sql.empty());
  EXPECT_NE(derived[0].finding.title.find("SUBQUERY 1 (a)"), std::string::npos);

  // Counted by the run but not printed in the plan: one finding on the plan as a whole.
  Plan plain = analyzed(parse({{2, 0, "SCAN u"}}), {.autoindex_rows = 50});
  auto counted = findings(plain, sql, "sqlite-automatic-index");
  ASSERT_EQ(counted.size(), 1u);
  EXPECT_EQ(counted[0].node, -1);
  EXPECT_NE(counted[0].finding.detail.find("50 row(s)"), std::string::npos);
}

TEST(SqlitePlanChecks, TempBTreeForOrderByRecommendsEqualityThenSortColumns) {
  const std::string sql = "SELECT * FROM posts WHERE user_id = 3 ORDER BY created_at";
  Plan plan = parse({{3, 0, "SEARCH posts USING INDEX posts_user (user_id=?)"},
                     {10, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  plan.table_rows["posts"] = 50000;
  auto found = findings(plan, sql, "sqlite-temp-btree");
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0].finding;
  EXPECT_EQ(found[0].node, 2);
  EXPECT_EQ(f.severity, Severity::kLow);  // not run: no evidence of a costly sort
  EXPECT_EQ(f.tables, (std::vector<std::string>{"posts"}));
  EXPECT_EQ(f.fix_sql,
            R"(CREATE INDEX "posts_user_id_created_at_idx" ON "posts" ("user_id", "created_at");)");

  Plan ran = analyzed(plan, {.sorts = 1});
  EXPECT_EQ(findings(ran, sql, "sqlite-temp-btree").at(0).finding.severity, Severity::kMedium);
  ran.table_rows["posts"] = 500;  // a small table's sort is cheap
  EXPECT_EQ(findings(ran, sql, "sqlite-temp-btree").at(0).finding.severity, Severity::kLow);

  // A partial sort is low even when it ran.
  Plan partial = analyzed(parse({{3, 0, "SCAN posts USING INDEX posts_user"},
                                 {10, 0, "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY"}}),
                          {.sorts = 1});
  partial.table_rows["posts"] = 50000;
  auto part = findings(partial, "SELECT * FROM posts ORDER BY user_id, title", "sqlite-temp-btree");
  ASSERT_EQ(part.size(), 1u);
  EXPECT_EQ(part[0].finding.severity, Severity::kLow);
  EXPECT_NE(part[0].finding.title.find("part"), std::string::npos);
}

TEST(SqlitePlanChecks, TempBTreeForGroupByAndDistinct) {
  Plan group = parse({{2, 0, "SCAN posts"}, {4, 0, "USE TEMP B-TREE FOR GROUP BY"}});
  auto found =
      findings(group, "SELECT title, count(*) FROM posts GROUP BY title", "sqlite-temp-btree");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].finding.title.find("GROUP BY"), std::string::npos);
  EXPECT_EQ(found[0].finding.fix_sql, R"(CREATE INDEX "posts_title_idx" ON "posts" ("title");)");

  Plan distinct = parse({{2, 0, "SCAN posts"}, {4, 0, "USE TEMP B-TREE FOR DISTINCT"}});
  auto d = findings(distinct, "SELECT DISTINCT title FROM posts", "sqlite-temp-btree");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].finding.title.find("DISTINCT"), std::string::npos);
  EXPECT_TRUE(d[0].finding.fix_sql.empty());
}

TEST(SqlitePlanChecks, CorrelatedSubqueryRunsPerOuterRow) {
  const std::string sql =
      "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.title = u.email) FROM users u";
  Plan plan = parse({{2, 0, "SCAN TABLE users AS u"},
                     {5, 0, "CORRELATED SCALAR SUBQUERY 1"},
                     {9, 5, "SCAN TABLE posts AS p"}});
  plan.table_rows["posts"] = 300;
  auto found = findings(plan, sql, "sqlite-correlated-subquery");
  ASSERT_EQ(found.size(), 1u);
  const Finding& f = found[0].finding;
  EXPECT_EQ(found[0].node, 2);
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.plan_nodes, (std::vector<std::string>{"CORRELATED SCALAR SUBQUERY 1"}));
  EXPECT_EQ(f.tables, (std::vector<std::string>{"posts"}));
  EXPECT_NE(f.detail.find("reading every row of posts (300 rows)"), std::string::npos);
  EXPECT_NE(f.recommendation.find("JOIN"), std::string::npos);
  EXPECT_EQ(f.fix_sql, R"(CREATE INDEX "posts_title_idx" ON "posts" ("title");)");

  // Already searching an index: still once per row, nothing more to index.
  Plan indexed = parse({{2, 0, "SCAN u"},
                        {5, 0, "CORRELATED LIST SUBQUERY 1"},
                        {9, 5, "SEARCH p USING INDEX posts_user (user_id=?)"}});
  auto list = findings(
      indexed,
      "SELECT * FROM users u WHERE email IN (SELECT title FROM posts p WHERE p.user_id = u.id)",
      "sqlite-correlated-subquery");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].finding.fix_sql.empty());
  EXPECT_NE(list[0].finding.detail.find("searching"), std::string::npos);

  // Not correlated: SQLite runs it once.
  Plan once = parse({{2, 0, "SEARCH users USING INTEGER PRIMARY KEY (rowid=?)"},
                     {5, 0, "LIST SUBQUERY 1"},
                     {9, 5, "SCAN posts"}});
  EXPECT_TRUE(findings(once, "SELECT * FROM users WHERE id IN (SELECT user_id FROM posts)",
                       "sqlite-correlated-subquery")
                  .empty());
}

TEST(SqlitePlanChecks, WithoutAModelTheChecksStillRun) {
  Plan plan = parse({{2, 0, "SCAN posts"}, {4, 0, "USE TEMP B-TREE FOR ORDER BY"}});
  plan.table_rows["posts"] = 20000;
  auto out = check_plan(plan, nullptr);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].finding.rule, "sqlite-full-scan");
  EXPECT_TRUE(out[0].finding.fix_sql.empty());
  EXPECT_EQ(out[1].finding.rule, "sqlite-temp-btree");
  EXPECT_TRUE(out[1].finding.fix_sql.empty());
}

}  // namespace
}  // namespace querylens::plan
