// EXPLAIN text plans as auto_explain logs them (log_format = text), read into the same model as
// the JSON ones.
//
// The fixtures are real: tests/data/pglog/auto_explain.log (stderr) and auto_explain.csv
// (csvlog) were written by PostgreSQL 15 running tests/data/pglog/auto_explain_workload.sql in
// one psql session, auto_explain loaded with LOAD 'auto_explain' and log_min_duration = 0,
// log_analyze, log_buffers and log_timing on, log_min_duration_statement = 0, on a throwaway
// server (initdb; logging_collector on, log_destination 'stderr,csvlog,jsonlog',
// log_line_prefix '%m [%p] %q%u@%d '). Each query ran twice in a row, first with
// auto_explain.log_format = text, then json: the two logged plans of a pair are the same plan,
// so the text parser is checked against the JSON one node by node.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "querylens/analyze/pipeline.h"
#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/core/error.h"
#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/statement_model.h"
#include "support/test_env.h"

namespace querylens::plan {
namespace {

const std::string kData = std::string(QUERYLENS_TEST_DATA_DIR) + "/pglog/";

struct Logged {
  bool text = false;
  std::string body;
};

class PlanCollector : public QueryObserver {
 public:
  void on_query(const QueryEvent&) override {}
  void on_plan(const CapturedPlan& p) override {
    plans.push_back(p.plan_json.empty() ? Logged{true, std::string(p.plan_text)}
                                        : Logged{false, std::string(p.plan_json)});
  }
  std::vector<Logged> plans;
};

std::vector<Logged> logged_plans(const std::string& file) {
  PlanCollector out;
  Diagnostics diagnostics;
  capture::SourceStats stats =
      capture::read_source(kData + file, capture::SourceKind::kAuto, out, diagnostics);
  EXPECT_EQ(stats.skipped, 0u) << file;
  return out.plans;
}

void expect_same_node(const PlanNode& t, const PlanNode& j, const std::string& where) {
  EXPECT_EQ(t.node_type, j.node_type) << where;
  EXPECT_EQ(t.parent, j.parent) << where;
  EXPECT_EQ(t.depth, j.depth) << where;
  EXPECT_EQ(t.children, j.children) << where;
  EXPECT_EQ(t.relation, j.relation) << where;
  EXPECT_EQ(t.alias, j.alias) << where;
  EXPECT_EQ(t.index, j.index) << where;
  EXPECT_EQ(t.parent_relationship, j.parent_relationship) << where;
  EXPECT_EQ(t.subplan_name, j.subplan_name) << where;
  EXPECT_EQ(t.join_type, j.join_type) << where;
  EXPECT_EQ(t.strategy, j.strategy) << where;
  EXPECT_EQ(t.covering_index, j.covering_index) << where;
  EXPECT_EQ(t.filter, j.filter) << where;
  EXPECT_EQ(t.index_cond, j.index_cond) << where;
  EXPECT_EQ(t.recheck_cond, j.recheck_cond) << where;
  EXPECT_EQ(t.join_filter, j.join_filter) << where;
  EXPECT_EQ(t.hash_cond, j.hash_cond) << where;
  EXPECT_EQ(t.merge_cond, j.merge_cond) << where;
  EXPECT_EQ(t.sort_keys, j.sort_keys) << where;
  EXPECT_EQ(t.group_keys, j.group_keys) << where;
  EXPECT_DOUBLE_EQ(t.startup_cost, j.startup_cost) << where;
  EXPECT_DOUBLE_EQ(t.total_cost, j.total_cost) << where;
  EXPECT_DOUBLE_EQ(t.plan_rows, j.plan_rows) << where;
  EXPECT_EQ(t.plan_width, j.plan_width) << where;
  EXPECT_EQ(t.has_actuals, j.has_actuals) << where;
  EXPECT_EQ(t.never_executed, j.never_executed) << where;
  EXPECT_DOUBLE_EQ(t.actual_rows, j.actual_rows) << where;
  EXPECT_DOUBLE_EQ(t.actual_loops, j.actual_loops) << where;
  EXPECT_GT(t.actual_total_ms + (t.never_executed ? 1 : 0), 0) << where;
  EXPECT_DOUBLE_EQ(t.rows_removed_by_filter, j.rows_removed_by_filter) << where;
  EXPECT_DOUBLE_EQ(t.rows_removed_by_join_filter, j.rows_removed_by_join_filter) << where;
  EXPECT_EQ(t.heap_fetches, j.heap_fetches) << where;
  EXPECT_EQ(t.exact_heap_blocks, j.exact_heap_blocks) << where;
  EXPECT_EQ(t.lossy_heap_blocks, j.lossy_heap_blocks) << where;
  EXPECT_EQ(t.sort_method, j.sort_method) << where;
  EXPECT_EQ(t.sort_space_type, j.sort_space_type) << where;
  EXPECT_EQ(t.hash_buckets, j.hash_buckets) << where;
  EXPECT_EQ(t.hash_batches, j.hash_batches) << where;
  EXPECT_EQ(t.original_hash_batches, j.original_hash_batches) << where;
  EXPECT_EQ(t.hashagg_batches, j.hashagg_batches) << where;
  EXPECT_EQ(t.workers_planned, j.workers_planned) << where;
  // The second run of a pair may find more pages cached: the same kinds of buffers, counts aside.
  EXPECT_EQ(t.buffers.any(), j.buffers.any()) << where;
  EXPECT_EQ(t.buffers.temp_written > 0, j.buffers.temp_written > 0) << where;
}

// The findings' rules and nodes, but hot-node's: it reads the share of time, which differs
// between the two runs of a pair.
std::vector<std::string> rules(const std::vector<PlanFinding>& findings) {
  std::vector<std::string> out;
  for (const PlanFinding& f : findings) {
    if (f.finding.rule != "hot-node") out.push_back(f.finding.rule + "@" + std::to_string(f.node));
  }
  return out;
}

TEST(TextPlan, EachLoggedTextPlanReadsAsItsJsonTwin) {
  for (const std::string file : {"auto_explain.log", "auto_explain.csv"}) {
    std::vector<Logged> plans = logged_plans(file);
    ASSERT_EQ(plans.size(), 18u) << file;
    for (size_t i = 0; i + 1 < plans.size(); i += 2) {
      ASSERT_TRUE(plans[i].text && !plans[i + 1].text) << file << " pair " << i / 2;
      Plan t = parse_postgres_text_plan(plans[i].body);
      Plan j = parse_postgres_plan(plans[i + 1].body);
      std::string where = fmt::format("{} pair {}: {}", file, i / 2, j.query_text);
      EXPECT_EQ(t.query_text, j.query_text) << where;
      EXPECT_EQ(postgres_text_plan_query_text(plans[i].body), j.query_text) << where;
      EXPECT_TRUE(t.analyzed) << where;
      ASSERT_EQ(t.nodes.size(), j.nodes.size()) << where << "\n" << plans[i].body;
      for (size_t n = 0; n < t.nodes.size(); ++n)
        expect_same_node(t.nodes[n], j.nodes[n], where + fmt::format(" node {}", n));
      sql::StatementModel model = sql::build_statement_model(j.query_text);
      EXPECT_EQ(rules(check_plan(t, &model)), rules(check_plan(j, &model))) << where;
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(TextPlan, ReadsTheDetailsOfASpillingSort) {
  std::vector<Logged> plans = logged_plans("auto_explain.log");
  const Logged* spill = nullptr;
  for (const Logged& p : plans) {
    if (p.text && p.body.find("external merge") != std::string::npos) spill = &p;
  }
  ASSERT_NE(spill, nullptr);
  Plan plan = parse_postgres_text_plan(spill->body);
  ASSERT_GE(plan.nodes.size(), 3u);
  EXPECT_EQ(plan.nodes[0].node_type, "Limit");
  const PlanNode& sort = plan.nodes[1];
  EXPECT_EQ(sort.node_type, "Sort");
  EXPECT_EQ(sort.sort_method, "external merge");
  EXPECT_EQ(sort.sort_space_type, "Disk");
  EXPECT_GT(sort.sort_space_kb, 1000);
  EXPECT_GT(sort.buffers.temp_written, 0);
  EXPECT_EQ(sort.sort_keys, std::vector<std::string>{"note"});
  EXPECT_GT(plan.nodes[2].exclusive_ms, 0);
  sql::StatementModel model = sql::build_statement_model(plan.query_text);
  bool spill_finding = false;
  for (const PlanFinding& f : check_plan(plan, &model)) spill_finding |= f.node == 1;
  EXPECT_TRUE(spill_finding);
}

TEST(TextPlan, ExplainOutputAsPsqlPrintsItAndWithoutCosts) {
  Plan p = parse_postgres_text_plan(
      "                          QUERY PLAN\n"
      "--------------------------------------------------------------\n"
      " Hash Left Join  (cost=1.09..2.21 rows=4 width=8)\n"
      "   Hash Cond: (a.id = b.a_id)\n"
      "   ->  Seq Scan on a  (cost=0.00..1.04 rows=4 width=4)\n"
      "   ->  Hash  (cost=1.04..1.04 rows=4 width=8)\n"
      "         ->  Seq Scan on \"My Table\" b  (cost=0.00..1.04 rows=4 width=8)\n"
      " Planning Time: 0.080 ms\n");
  ASSERT_EQ(p.nodes.size(), 4u);
  EXPECT_EQ(p.nodes[0].node_type, "Hash Join");
  EXPECT_EQ(p.nodes[0].join_type, "Left");
  EXPECT_EQ(p.nodes[0].hash_cond, "(a.id = b.a_id)");
  EXPECT_EQ(p.nodes[1].parent_relationship, "Outer");
  EXPECT_EQ(p.nodes[2].parent_relationship, "Inner");
  EXPECT_EQ(p.nodes[3].relation, "My Table");
  EXPECT_EQ(p.nodes[3].alias, "b");
  EXPECT_EQ(p.nodes[3].depth, 2);
  ASSERT_TRUE(p.planning_ms.has_value());
  EXPECT_DOUBLE_EQ(*p.planning_ms, 0.08);
  EXPECT_FALSE(p.analyzed);

  Plan bare = parse_postgres_text_plan("Sort\n  Sort Key: x\n  ->  Seq Scan on t\n");
  ASSERT_EQ(bare.nodes.size(), 2u);
  EXPECT_EQ(bare.nodes[1].relation, "t");
  EXPECT_EQ(bare.nodes[0].sort_keys, std::vector<std::string>{"x"});
}

TEST(TextPlan, MalformedTextIsAnInputErrorNeverACrash) {
  for (std::string bad : {std::string(""), std::string("Query Text: SELECT 1\n"),
                          std::string("Query Text: SELECT 1\nSeq Scan on t  (cost=abc)\n"),
                          std::string("Seq Scan on t  (cost=1.0..2.0 rows=1 width=4) (actual "
                                      "time=1..2 rows=\n"),
                          std::string("  (cost=1..2 rows=1 width=1)\n"),
                          std::string("Limit  (cost=1..2 rows=1 width=1)\n->  Sort\n")}) {
    EXPECT_THROW(
        {
          try {
            (void)parse_postgres_text_plan(bad);
          } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::kInput) << bad;
            throw;
          }
        },
        Error)
        << bad;
  }
  EXPECT_FALSE(postgres_text_plan_query_text("Query Text: SELECT 1\nResult\n").has_value());
  EXPECT_FALSE(postgres_text_plan_query_text("Seq Scan on t  (cost=1..2 rows=1 width=1)\n"));
  // Truncated at every byte: a plan or an input error, nothing else.
  std::vector<Logged> plans = logged_plans("auto_explain.log");
  ASSERT_FALSE(plans.empty());
  const std::string& whole = plans[2].body;
  for (size_t n = 0; n <= whole.size(); ++n) {
    try {
      (void)parse_postgres_text_plan(whole.substr(0, n));
      (void)postgres_text_plan_query_text(whole.substr(0, n));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInput);
    }
  }
}

// The text-format entries of the fixture only: what a server with log_format = text logs.
std::string text_plans_only(const std::string& log) {
  std::istringstream in(log);
  std::string line, out, entry;
  bool json = false;
  auto flush = [&] {
    if (!json) out += entry;
    entry.clear();
    json = false;
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '\t') flush();
    if (line == "\t{") json = true;
    entry += line + "\n";
  }
  flush();
  return out;
}

TEST(TextPlan, LoggedTextPlansJoinTheirShapeAndAreChecked) {
  std::ifstream in(kData + "auto_explain.log");
  std::stringstream whole;
  whole << in.rdbuf();
  querylens::testing::TempDir dir;
  std::string bad =
      "2026-11-22 04:03:05.000 UTC [23566] postgres@shop LOG:  duration: 1.000 ms  "
      "plan:\n\tQuery Text: SELECT 1\n\tno tree here\n";
  std::ofstream(dir.file("text.log")) << text_plans_only(whole.str()) << bad;

  analyze::PipelineOptions options;
  options.sources = {dir.file("text.log")};
  options.report.top = 0;
  Diagnostics diagnostics;
  analyze::PipelineResult result = analyze::run_pipeline(options, diagnostics);
  EXPECT_EQ(result.skipped, 1u);  // the plan without a tree, reported with its line
  ASSERT_EQ(diagnostics.kept().size(), 1u);
  EXPECT_NE(diagnostics.kept()[0].to_string().find("text.log:"), std::string::npos);
  EXPECT_NE(diagnostics.kept()[0].message.find("text format"), std::string::npos);
  size_t with_plan = 0;
  bool seq_scan_finding = false;
  for (const auto& section : result.report.plans) {
    EXPECT_TRUE(section.error.empty()) << section.error;
    EXPECT_FALSE(section.plan.nodes.empty());
    ++with_plan;
  }
  for (const Finding& f : result.report.findings) {
    if (f.rule == "seq-scan-large-table" &&
        f.fix_sql == "CREATE INDEX ON \"ae_orders\" (\"customer_id\");")
      seq_scan_finding = true;
  }
  EXPECT_EQ(with_plan, 9u);  // every query of the workload, each its own shape
  EXPECT_TRUE(seq_scan_finding);
}

}  // namespace
}  // namespace querylens::plan
