// explain — running EXPLAIN safely on PostgreSQL and SQLite.
//
// Safety contract: querylens never changes a user's data here.
//  - Without `analyze`, the statement is only planned (EXPLAIN / EXPLAIN QUERY PLAN), never run.
//  - With `analyze`, it runs inside a transaction that is always rolled back, under a
//    statement timeout; a statement that may write (INSERT / UPDATE / DELETE / MERGE, a
//    data-modifying CTE, SELECT … FOR UPDATE / INTO, anything not a plain query) additionally
//    needs `allow_writes`, else Error(kUsage) says what it would have done.
//  - Exactly one statement; EXPLAIN, transaction control and DDL are refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/plan/checks.h"
#include "querylens/plan/plan.h"
#include "querylens/sql/statement_model.h"

namespace querylens::db {
class Connection;
}

namespace querylens::explain {

struct ExplainOptions {
  bool analyze = false;        // run it (rolled back) and collect actual rows and times
  bool allow_writes = false;   // analyze may run a statement that writes (still rolled back)
  bool buffers = true;         // PostgreSQL, with analyze: BUFFERS
  bool verbose = false;        // PostgreSQL: VERBOSE (each node's Output list, qualified names)
  int64_t timeout_ms = 30000;  // statement timeout with analyze; 0 = none
  // Values for $1, $2, … (text, cast by the engine to the parameter's type); missing ones are
  // NULL when planning. PostgreSQL plans a statement with $n as a generic plan. `analyze` of a
  // statement whose parameters are not all given is only planned (a run with NULLs would
  // measure nothing real): ExplainResult::note says so.
  std::vector<std::optional<std::string>> params;
  plan::CheckOptions checks;
};

// What a statement is, for the safety rules (no database needed).
struct StatementSafety {
  bool explainable = false;  // SELECT / VALUES / INSERT / UPDATE / DELETE / MERGE, one statement
  bool writes = false;       // running it may change data or take row locks
  std::string reason;        // !explainable: why; writes: what it would do ("DELETE on posts")
  int max_param = 0;         // highest $n (SQLite markers counted as their $n)
};
StatementSafety classify_statement(std::string_view sql, const sql::StatementModel& model);

struct ExplainResult {
  std::string sql;  // as given
  sql::StatementModel model;
  StatementSafety safety;
  bool generic_plan = false;  // PostgreSQL: planned with force_generic_plan for $n parameters
  plan::Plan plan;
  std::vector<plan::PlanFinding> findings;
  std::string raw;  // PostgreSQL: EXPLAIN's JSON as the server returned it
  // Why the plan is not what was asked for, e.g. analyze skipped: parameters without values.
  std::string note;
};

// Plans (and with options.analyze, runs and rolls back) one statement on `connection`, reads
// the sizes of the tables it touches, and runs the plan checks. Throws Error(kUsage) for what
// the safety rules refuse, Error(kDatabase) with the engine's message otherwise. The
// connection is left outside any transaction, as it was found.
// REQUIRES: connection is not inside a transaction.
ExplainResult explain_statement(db::Connection& connection, std::string_view sql,
                                const ExplainOptions& options);

}  // namespace querylens::explain
