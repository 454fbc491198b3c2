// Reading plans as the engines print them. Both parsers are total: malformed input is an
// Error(kInput) naming what is wrong, never a crash (fuzz/plan_fuzz.cpp holds them to it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/plan/plan.h"

namespace querylens::plan {

// The output of PostgreSQL's `EXPLAIN (FORMAT JSON[, ANALYZE, BUFFERS, SETTINGS])`: a JSON
// array holding one object with "Plan" (and "Planning Time", "Execution Time", "JIT",
// "Settings" when present). A bare object, as some tools save it, is accepted too. Unknown
// keys are ignored, so plans from other PostgreSQL versions read. derive_metrics() has run.
Plan parse_postgres_plan(std::string_view json);

// The "Query Text" of a plan object as auto_explain logs it ({"Query Text": …, "Plan": …}),
// read without parsing the tree; nullopt when the input is not such an object. Never throws.
std::optional<std::string> postgres_plan_query_text(std::string_view json);

// PostgreSQL's EXPLAIN text output (the default format): as auto_explain logs it with
// log_format = text ("Query Text: …" first, into Plan::query_text, then the tree) or as EXPLAIN
// prints it (psql's "QUERY PLAN" header and indentation are allowed). Node lines ("->  " before
// each child, depth by indentation), "SubPlan N" / "InitPlan N" / "CTE x" labels, and the
// properties the JSON parser reads (Filter, Index Cond, Rows Removed by Filter, Buffers, Sort
// Method, Buckets / Batches, Heap Fetches, Heap Blocks, Workers, Planning / Execution Time,
// JIT, Settings) become the same model: "Hash Left Join" is a Hash Join of join type Left,
// "HashAggregate" an Aggregate of strategy Hashed, as in JSON. Other lines are skipped.
// Throws Error(kInput) naming the line when there is no node line or one cannot be read.
Plan parse_postgres_text_plan(std::string_view text);

// The "Query Text" of an auto_explain text plan: its lines up to the tree's root line, without
// reading the tree. nullopt when the text has no "Query Text: " first or no node line after
// it. Never throws.
std::optional<std::string> postgres_text_plan_query_text(std::string_view text);

// One row of SQLite's `EXPLAIN QUERY PLAN`: (id, parent, notused, detail).
struct SqlitePlanRow {
  int id = 0;
  int parent = 0;
  std::string detail;
};

// Builds the tree from the rows (parent 0 = top level; the rows come in pre-order) and reads
// each line's wording, old and new ("SCAN TABLE t" and "SCAN t", "USING COVERING INDEX",
// "USING AUTOMATIC COVERING INDEX (a=?)", "USE TEMP B-TREE FOR ORDER BY", "CORRELATED SCALAR
// SUBQUERY 2", …). Several top-level rows hang under a synthetic root "QUERY PLAN".
Plan parse_sqlite_plan(const std::vector<SqlitePlanRow>& rows);

}  // namespace querylens::plan
