// Private to src/plan: the checks of each engine; check_plan() (checks.cpp) runs the ones that
// apply, then the engine-neutral ones.
#pragma once

#include <vector>

#include "querylens/plan/checks.h"
#include "querylens/sql/statement_model.h"

namespace querylens::plan::detail {

void check_postgres_plan(const Plan& plan, const sql::StatementModel* model,
                         const CheckOptions& options, std::vector<PlanFinding>& out);
void check_sqlite_plan(const Plan& plan, const sql::StatementModel* model,
                       const CheckOptions& options, std::vector<PlanFinding>& out);

// `"name"` with embedded quotes doubled: every identifier querylens writes into SQL.
std::string quote_identifier(std::string_view name);
// The columns `model` uses on `table` to find rows, best index order first (equality, IN,
// then one range / LIKE-prefix column, then ORDER BY): the key of the index to recommend.
// `join_keys`: count `col = other.col` as an equality (a lookup from the inner side of a
// nested loop); a hash or merge join reads the table whole, so there they do not help.
std::vector<std::string> index_key_for(const sql::StatementModel* model, std::string_view table,
                                       bool join_keys = true);
// "CREATE INDEX ON \"posts\" (\"user_id\", \"created_at\")" — empty when `columns` is empty.
std::string create_index_sql(std::string_view table, const std::vector<std::string>& columns);

}  // namespace querylens::plan::detail
