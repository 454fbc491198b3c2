// SQLite: EXPLAIN QUERY PLAN, and with --analyze a real run (rolled back) read through
// sqlite3_stmt_status. (Being built on the explain-sqlite branch.)
#include "explain/engine.h"
#include "querylens/core/error.h"

namespace querylens::explain::detail {

void run_sqlite(db::Connection&, const ExplainOptions&, ExplainResult&) {
  throw Error(ErrorKind::kInternal, "explain on SQLite is not built yet");
}

}  // namespace querylens::explain::detail
