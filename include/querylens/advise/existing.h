// Checks of the indexes that already exist: duplicate-index (same keys, method, INCLUDE and
// predicate), redundant-index (its keys are a leading prefix of another's), unused-index
// (PostgreSQL: idx_scan = 0 since the statistics were reset, not backing a constraint) and
// invalid-index (PostgreSQL: a failed CREATE INDEX CONCURRENTLY). Pure: reads a Catalog.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "querylens/advise/catalog.h"
#include "querylens/core/finding.h"

namespace querylens::advise {

struct DropSuggestion {
  std::string rule;  // duplicate-index, redundant-index, unused-index, invalid-index
  std::string schema, table, index;
  std::string because_of;  // the index that makes it superfluous (duplicate / redundant)
  int64_t size_bytes = 0;
  std::string sql;  // DROP INDEX [CONCURRENTLY] IF EXISTS "…";
  std::string reason;
};

struct ExistingReport {
  std::vector<DropSuggestion> drops;
  std::vector<Finding> findings;  // one per drop, same rule ids
};

// An index backing a constraint (PRIMARY KEY, UNIQUE, EXCLUDE) is never suggested for
// dropping; of two duplicates, the one backing a constraint (else the first by name) is kept.
ExistingReport check_existing_indexes(const Catalog& catalog);

}  // namespace querylens::advise
