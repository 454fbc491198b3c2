// Private to src/explain: one runner per engine. explain.cpp applies the safety rules first;
// a runner only ever sees a statement it may plan (and, with options.analyze, may run).
#pragma once

#include <string>

#include "querylens/explain/explain.h"

namespace querylens::explain::detail {

// Each fills result.plan (with table_rows of the relations it touches) and, PostgreSQL,
// result.raw and result.generic_plan. Entered and left outside a transaction; with
// options.analyze the statement runs inside one that is always rolled back.
void run_postgres(db::Connection& connection, const ExplainOptions& options, ExplainResult& result);
void run_sqlite(db::Connection& connection, const ExplainOptions& options, ExplainResult& result);

}  // namespace querylens::explain::detail
