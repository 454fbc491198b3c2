// SQLite plan checks. (Being built on the explain-sqlite branch.)
#include "plan/checks_engine.h"

namespace querylens::plan::detail {

void check_sqlite_plan(const Plan&, const sql::StatementModel*, const CheckOptions&,
                       std::vector<PlanFinding>&) {}

}  // namespace querylens::plan::detail
