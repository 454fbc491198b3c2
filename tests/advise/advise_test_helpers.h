// What several advise tests ask of a recommendation.
#pragma once

#include <string>
#include <vector>

#include "querylens/advise/index_def.h"

namespace querylens::advise::testing_helpers {

// The index's columns as SQLite builds them: keys, then the covering columns.
inline std::vector<std::string> sqlite_index_columns(const IndexDef& d) {
  std::vector<std::string> out;
  for (const IndexKey& k : d.keys) out.push_back(k.column);
  out.insert(out.end(), d.include.begin(), d.include.end());
  return out;
}

}  // namespace querylens::advise::testing_helpers
