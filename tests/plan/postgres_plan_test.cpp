// The PostgreSQL plan parser and checks on real EXPLAIN (FORMAT JSON) output captured from
// PostgreSQL 15 (tests/data/plans/*.json; how each was provoked is in its test below).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "querylens/core/error.h"
#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/statement_model.h"

namespace querylens::plan {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(QUERYLENS_TEST_DATA_DIR) + "/plans/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

std::vector<std::string> rules(const std::vector<PlanFinding>& findings) {
  std::vector<std::string> out;
  for (const PlanFinding& f : findings) out.push_back(f.finding.rule);
  return out;
}

const PlanFinding* find_rule(const std::vector<PlanFinding>& findings, std::string_view rule) {
  for (const PlanFinding& f : findings) {
    if (f.finding.rule == rule) return &f;
  }
  return nullptr;
}

TEST(PostgresPlanParser, ReadsTreeActualsAndTimes) {
  // SELECT * FROM fx_orders WHERE customer_id = 42  (200,000 rows, no index on customer_id)
  Plan plan = parse_postgres_plan(fixture("seq_scan_filter.json"));
  ASSERT_EQ(plan.nodes.size(), 1u);
  const PlanNode& scan = plan.root();
  EXPECT_EQ(scan.node_type, "Seq Scan");
  EXPECT_EQ(scan.relation, "fx_orders");
  EXPECT_EQ(scan.label(), "Seq Scan on fx_orders");
  EXPECT_TRUE(plan.analyzed);
  EXPECT_DOUBLE_EQ(scan.actual_rows, 10);
  EXPECT_DOUBLE_EQ(scan.rows_removed_by_filter, 199990);
  EXPECT_EQ(scan.filter, "(customer_id = 42)");
  ASSERT_TRUE(plan.execution_ms.has_value());
  EXPECT_GT(*plan.execution_ms, 0);
  EXPECT_GT(scan.buffers.shared_hit + scan.buffers.shared_read, 0);
  EXPECT_FALSE(plan.settings.empty());  // EXPLAIN (SETTINGS) recorded max_parallel_workers_…
}

TEST(PostgresPlanParser, DerivesExclusiveTimeFromLoops) {
  Plan plan = parse_postgres_plan(fixture("nested_loop.json"));
  ASSERT_GE(plan.nodes.size(), 4u);
  const PlanNode& loop = plan.root();
  EXPECT_EQ(loop.node_type, "Nested Loop");
  ASSERT_EQ(loop.children.size(), 2u);
  const PlanNode& memoize = plan.nodes[static_cast<size_t>(loop.children[1])];
  EXPECT_EQ(memoize.node_type, "Memoize");
  EXPECT_EQ(memoize.parent_relationship, "Inner");
  EXPECT_DOUBLE_EQ(memoize.actual_loops, 200000);
  EXPECT_NEAR(memoize.inclusive_ms, memoize.actual_total_ms * 200000, 1e-6);
  double sum_exclusive = 0, rounding = 0;
  for (const PlanNode& n : plan.nodes) {
    EXPECT_GE(n.exclusive_ms, 0);
    EXPECT_LE(n.exclusive_ms, n.inclusive_ms + 1e-9);
    sum_exclusive += n.exclusive_ms;
    rounding += 0.0005 * n.actual_loops;  // per-loop times are printed to 1 µs
  }
  // Exclusive times partition the root's time, up to the rounding of per-loop times.
  EXPECT_NEAR(sum_exclusive, loop.inclusive_ms, rounding);
}

TEST(PostgresPlanParser, EstimateOnlyPlanHasNoActuals) {
  Plan plan = parse_postgres_plan(fixture("estimate_only.json"));
  EXPECT_FALSE(plan.analyzed);
  EXPECT_FALSE(plan.execution_ms.has_value());
  EXPECT_EQ(plan.root().node_type, "Gather Merge");
  EXPECT_GT(plan.root().workers_planned, 0);
  for (const PlanNode& n : plan.nodes) EXPECT_EQ(n.exclusive_ms, 0);
  EXPECT_TRUE(check_plan(plan, nullptr).empty() ||
              find_rule(check_plan(plan, nullptr), "hot-node") == nullptr);
}

TEST(PostgresPlanParser, ReadsJitAndSubplans) {
  Plan jit = parse_postgres_plan(fixture("jit.json"));
  ASSERT_TRUE(jit.jit_ms.has_value());
  EXPECT_GT(*jit.jit_ms, 100);
  EXPECT_GT(jit.jit_functions, 0);
  Plan cte = parse_postgres_plan(fixture("cte_subplan.json"));
  bool subplan = std::any_of(cte.nodes.begin(), cte.nodes.end(), [](const PlanNode& n) {
    return n.parent_relationship == "SubPlan" || n.parent_relationship == "InitPlan";
  });
  EXPECT_TRUE(subplan);
}

TEST(PostgresPlanParser, RejectsWhatIsNotAPlanWithAClearError) {
  for (std::string_view bad : {"", "not json", "[]", "{}", "[{\"Plan\": 3}]", "[{\"Plan\": {}}]",
                               "[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Plans\": {}}}]"}) {
    try {
      parse_postgres_plan(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInput) << bad;
    }
  }
  // Deep nesting is refused, not a stack overflow.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "{\"Node Type\": \"Result\", \"Plans\": [";
  EXPECT_THROW(parse_postgres_plan("{\"Plan\": " + deep), Error);
}

TEST(PostgresPlanParser, QueryTextOfALoggedPlanWithoutTheTree) {
  std::string logged =
      R"({"Query Text": "SELECT 'a\"b'\nFROM t", "Plan": {"Node Type": "Result"}})";
  EXPECT_EQ(postgres_plan_query_text(logged), std::optional<std::string>("SELECT 'a\"b'\nFROM t"));
  EXPECT_EQ(parse_postgres_plan(logged).query_text, "SELECT 'a\"b'\nFROM t");
  EXPECT_EQ(postgres_plan_query_text(fixture("seq_scan_filter.json")),
            std::nullopt);  // EXPLAIN's own
  for (std::string_view bad : {"", "{", "[1, 2]", "{\"Query Text\": 3}", "not json"}) {
    EXPECT_EQ(postgres_plan_query_text(bad), std::nullopt) << bad;
  }
}

TEST(PostgresPlanChecks, SeqScanOnLargeTableRecommendsTheIndex) {
  Plan plan = parse_postgres_plan(fixture("seq_scan_filter.json"));
  sql::StatementModel model =
      sql::build_statement_model("SELECT * FROM fx_orders WHERE customer_id = 42");
  auto findings = check_plan(plan, &model);
  const PlanFinding* f = find_rule(findings, "seq-scan-large-table");
  ASSERT_NE(f, nullptr) << testing::PrintToString(rules(findings));
  EXPECT_EQ(f->node, 0);
  EXPECT_EQ(f->finding.fix_sql, "CREATE INDEX ON \"fx_orders\" (\"customer_id\");");
  EXPECT_NE(f->finding.detail.find("Read 200000 row(s) to return 10"), std::string::npos)
      << f->finding.detail;
  // The same scan is not reported twice as filter-waste.
  EXPECT_EQ(find_rule(findings, "filter-waste"), nullptr);
  // A bigger threshold: no longer a large table.
  CheckOptions big;
  big.large_table_rows = 1'000'000;
  auto none = check_plan(plan, &model, big);
  EXPECT_EQ(find_rule(none, "seq-scan-large-table"), nullptr);
  EXPECT_NE(find_rule(none, "filter-waste"), nullptr);  // but it still throws rows away
}

TEST(PostgresPlanChecks, SeqScanWithoutAnalyzeUsesTableSize) {
  Plan plan = parse_postgres_plan(fixture("estimate_only.json"));
  sql::StatementModel model = sql::build_statement_model(
      "SELECT * FROM fx_orders WHERE customer_id = 42 ORDER BY created_at");
  EXPECT_EQ(find_rule(check_plan(plan, &model), "seq-scan-large-table"), nullptr);
  plan.table_rows["fx_orders"] = 200000;  // what explain reads from pg_class
  auto findings = check_plan(plan, &model);
  const PlanFinding* f = find_rule(findings, "seq-scan-large-table");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.fix_sql, "CREATE INDEX ON \"fx_orders\" (\"customer_id\", \"created_at\");");
}

TEST(PostgresPlanChecks, DiskSpillOnExternalSortAndHashBatches) {
  auto sort = check_plan(parse_postgres_plan(fixture("external_sort.json")), nullptr);
  const PlanFinding* f = find_rule(sort, "disk-spill");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->finding.title.find("external merge"), std::string::npos);
  EXPECT_NE(f->finding.fix_sql.find("SET work_mem"), std::string::npos);
  auto hash = check_plan(parse_postgres_plan(fixture("hash_join_batches.json")), nullptr);
  f = find_rule(hash, "disk-spill");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->finding.title.find("16 batches"), std::string::npos) << f->finding.title;
}

TEST(PostgresPlanChecks, LossyBitmap) {
  auto findings = check_plan(parse_postgres_plan(fixture("lossy_bitmap.json")), nullptr);
  const PlanFinding* f = find_rule(findings, "lossy-bitmap");
  ASSERT_NE(f, nullptr);
  // SELECT count(*) FROM wide WHERE amount < 500 (50,000 rows of 200 bytes, scattered
  // amounts) under work_mem = 64kB with index and seq scans off.
  EXPECT_EQ(f->finding.plan_nodes.front(), "Bitmap Heap Scan on wide");
  EXPECT_NE(f->finding.title.find("522 lossy"), std::string::npos) << f->finding.title;
}

TEST(PostgresPlanChecks, MisestimateOnCorrelatedColumnsSuggestsExtendedStatistics) {
  Plan plan = parse_postgres_plan(fixture("misestimate.json"));
  sql::StatementModel model = sql::build_statement_model(
      "SELECT * FROM fx_customers WHERE country = 'c1' AND city = 'city1'");
  auto findings = check_plan(plan, &model);
  const PlanFinding* f = find_rule(findings, "misestimate");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.severity, Severity::kMedium);  // 5 estimated, 100 actual: 20×
  EXPECT_NE(f->finding.title.find("under-estimated"), std::string::npos);
  EXPECT_NE(f->finding.fix_sql.find("CREATE STATISTICS"), std::string::npos);
  EXPECT_NE(f->finding.fix_sql.find("\"country\", \"city\""), std::string::npos)
      << f->finding.fix_sql;
  // The factor thresholds: ×100 is high, ×1000 critical.
  plan.nodes[0].plan_rows = 1;
  plan.nodes[0].actual_rows = 500;
  EXPECT_EQ(find_rule(check_plan(plan, &model), "misestimate")->finding.severity, Severity::kHigh);
  plan.nodes[0].actual_rows = 5000;
  EXPECT_EQ(find_rule(check_plan(plan, &model), "misestimate")->finding.severity,
            Severity::kCritical);
  plan.nodes[0].actual_rows = 5;  // below the factor
  EXPECT_EQ(find_rule(check_plan(plan, &model), "misestimate"), nullptr);
}

TEST(PostgresPlanChecks, NestedLoopBlowupLooksThroughMemoize) {
  auto findings = check_plan(parse_postgres_plan(fixture("nested_loop.json")), nullptr);
  const PlanFinding* f = find_rule(findings, "nested-loop-blowup");
  ASSERT_NE(f, nullptr) << testing::PrintToString(rules(findings));
  EXPECT_EQ(f->finding.plan_nodes.front(), "Nested Loop");
  EXPECT_NE(f->finding.title.find("20000 times"), std::string::npos) << f->finding.title;
}

TEST(PostgresPlanChecks, JitOverheadAndHotNode) {
  Plan plan = parse_postgres_plan(fixture("jit.json"));
  auto findings = check_plan(plan, nullptr);
  const PlanFinding* f = find_rule(findings, "jit-overhead");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->node, -1);
  EXPECT_EQ(f->finding.fix_sql, "SET jit = off;  -- this session only");
  auto sort = check_plan(parse_postgres_plan(fixture("external_sort.json")), nullptr);
  const PlanFinding* hot = find_rule(sort, "hot-node");
  ASSERT_NE(hot, nullptr);
  EXPECT_EQ(hot->finding.plan_nodes.front(), "Sort");
}

TEST(PostgresPlanChecks, HeapFetchesAndPlanningOverheadOnHandBuiltPlans) {
  Plan plan;
  plan.analyzed = true;
  plan.execution_ms = 0.5;
  plan.planning_ms = 4.0;
  PlanNode n;
  n.node_type = "Index Only Scan";
  n.relation = "events";
  n.index = "events_user_idx";
  n.has_actuals = true;
  n.actual_rows = 1000;
  n.actual_loops = 1;
  n.actual_total_ms = 0.5;
  n.heap_fetches = 900;
  plan.nodes.push_back(n);
  derive_metrics(plan);
  auto findings = check_plan(plan, nullptr);
  const PlanFinding* f = find_rule(findings, "heap-fetches");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.fix_sql, "VACUUM (ANALYZE) \"events\";");
  EXPECT_EQ(f->finding.severity, Severity::kMedium);
  EXPECT_NE(find_rule(findings, "planning-overhead"), nullptr);
  plan.nodes[0].heap_fetches = 10;  // a few: normal on a table being written
  plan.planning_ms = 0.2;
  findings = check_plan(plan, nullptr);
  EXPECT_EQ(find_rule(findings, "heap-fetches"), nullptr);
  EXPECT_EQ(find_rule(findings, "planning-overhead"), nullptr);
}

TEST(PostgresPlanChecks, IdentifiersInFixesAreQuoted) {
  Plan plan = parse_postgres_plan(fixture("seq_scan_filter.json"));
  plan.nodes[0].relation = "Odd\"Name";
  sql::StatementModel model =
      sql::build_statement_model("SELECT * FROM \"Odd\"\"Name\" WHERE \"Cust\"\"Id\" = 42");
  auto findings = check_plan(plan, &model);
  const PlanFinding* f = find_rule(findings, "seq-scan-large-table");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.fix_sql, "CREATE INDEX ON \"Odd\"\"Name\" (\"Cust\"\"Id\");");
}

}  // namespace
}  // namespace querylens::plan
