#include "querylens/core/error.h"
#include "querylens/plan/parse.h"

namespace querylens::plan {

Plan parse_postgres_plan(std::string_view) {
  throw Error(ErrorKind::kInternal, "PostgreSQL plans are not read yet");
}

}  // namespace querylens::plan
