#include "explain/engine.h"
#include "querylens/core/error.h"

namespace querylens::explain::detail {

void run_postgres(db::Connection&, const ExplainOptions&, ExplainResult&) {
  throw Error(ErrorKind::kInternal, "explain on PostgreSQL is not built yet");
}

}  // namespace querylens::explain::detail
