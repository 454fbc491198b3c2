// SQLite's EXPLAIN QUERY PLAN rows → Plan. (Being built on the explain-sqlite branch.)
#include "querylens/core/error.h"
#include "querylens/plan/parse.h"

namespace querylens::plan {

Plan parse_sqlite_plan(const std::vector<SqlitePlanRow>&) {
  throw Error(ErrorKind::kInternal, "SQLite plans are not read yet");
}

}  // namespace querylens::plan
