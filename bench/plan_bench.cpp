// Plan parsing and checking: the per-statement cost explain adds on top of the server's own
// EXPLAIN. A real 5-node PostgreSQL 15 plan (tests/data/plans/nested_loop.json) and a wide
// synthetic one (a 200-way Append, as a partitioned table gives).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "querylens/plan/checks.h"
#include "querylens/plan/parse.h"

namespace {

std::string fixture(const char* name) {
  std::ifstream in(std::string(QUERYLENS_BENCH_DATA_DIR) + "/plans/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string wide_plan(int children) {
  std::string out = R"js([{"Plan": {"Node Type": "Append", "Plan Rows": 1000, "Total Cost": 5000,
    "Actual Rows": 0, "Actual Loops": 1, "Actual Total Time": 2.0, "Plans": [)js";
  for (int i = 0; i < children; ++i) {
    if (i) out += ",";
    out += R"js({"Node Type": "Seq Scan", "Parent Relationship": "Member", "Relation Name": "p_)js";
    out += std::to_string(i);
    out += R"js(", "Alias": "p", "Plan Rows": 5, "Total Cost": 25.0, "Actual Rows": 0,
        "Actual Loops": 1, "Actual Total Time": 0.01, "Filter": "(v = 1)",
        "Rows Removed by Filter": 0, "Shared Hit Blocks": 1})js";
  }
  return out + R"js(]}, "Planning Time": 9.5, "Execution Time": 2.1}])js";
}

void BM_ParsePostgresPlan(benchmark::State& state) {
  std::string text = state.range(0) == 0 ? fixture("nested_loop.json") : wide_plan(200);
  for (auto _ : state) {
    querylens::plan::Plan plan = querylens::plan::parse_postgres_plan(text);
    benchmark::DoNotOptimize(plan.nodes.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParsePostgresPlan)->Arg(0)->Arg(1);

// What an auto_explain plan of a shape that already has a slower one costs: its query text.
void BM_LoggedPlanQueryText(benchmark::State& state) {
  std::string text = R"js({"Query Text": "SELECT * FROM fx_orders WHERE customer_id = 42",)js" +
                     fixture("nested_loop.json").substr(fixture("nested_loop.json").find('{') + 1);
  for (auto _ : state) {
    auto query = querylens::plan::postgres_plan_query_text(text);
    benchmark::DoNotOptimize(query);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LoggedPlanQueryText);

void BM_CheckPostgresPlan(benchmark::State& state) {
  querylens::plan::Plan plan = querylens::plan::parse_postgres_plan(
      state.range(0) == 0 ? fixture("nested_loop.json") : wide_plan(200));
  for (auto _ : state) {
    auto findings = querylens::plan::check_plan(plan, nullptr);
    benchmark::DoNotOptimize(findings.data());
  }
}
BENCHMARK(BM_CheckPostgresPlan)->Arg(0)->Arg(1);

}  // namespace
