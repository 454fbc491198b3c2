// PostgreSQL plan checks.
#include "plan/checks_engine.h"

namespace querylens::plan::detail {

void check_postgres_plan(const Plan&, const sql::StatementModel*, const CheckOptions&,
                         std::vector<PlanFinding>&) {}

}  // namespace querylens::plan::detail
