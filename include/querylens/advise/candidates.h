// Candidate indexes, read from the statement model of each workload query (never from the
// SQL text): per table, equality columns first, then one range column, then the ORDER BY or
// GROUP BY columns with their direction; at most three keys; covering variants (INCLUDE on
// PostgreSQL, trailing keys on SQLite); partial indexes when every query on a table carries
// the same IS [NOT] NULL test or the same `col = constant` (a literal: shapes with `$n` have
// none, unless the digest saw the literal in every call: advise/workload.h); lower()/upper()
// expression keys; join keys (foreign keys among them). A candidate an
// existing index already serves (same leading keys) is left out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/advise/catalog.h"
#include "querylens/advise/index_def.h"
#include "querylens/sql/statement_model.h"

namespace querylens::advise {

// Columns by lower-case table name, as the catalog spells them.
using ColumnsRead = std::map<std::string, std::set<std::string>>;

// One query shape of the workload, with its weight.
struct WorkloadQuery {
  std::string fingerprint;
  std::string sql;  // what is planned: the normalized shape ($n parameters) or a statement
  // A real statement of the shape, planned instead when the normalized text cannot be
  // (a constant folded where PostgreSQL wants a literal: interval '1 day' → interval $2).
  std::string sample;
  uint64_t calls = 1;
  double total_ms = 0;
  sql::StatementModel model;
  std::set<std::string> tables;   // lower-case base tables it reads or writes
  std::set<std::string> written;  // lower-case tables it inserts into, updates or deletes from
  bool plannable = false;         // SELECT / UPDATE / DELETE that reads some table
  // Every column the query reads, per table, as the engine resolves names (all blocks and
  // clauses, the columns inside select-list expressions and aggregates too; WhatIf::
  // columns_read). Unset when the engine cannot say: the statement model's columns are used
  // then, and a select list with expressions gets no covering variant.
  std::optional<ColumnsRead> columns_read;
  // The digest saw the literals left in `sql` (a shape's sample with its varying values
  // parameterised: advise/workload.h) the same in each of this many calls; 0 when unknown
  // (a normalized shape, or a literal statement given as such). A `col = constant` such a
  // query carries is a flag even when it is the only query on its table.
  uint64_t constant_calls = 0;
};

// Builds the model and the table sets of one shape.
WorkloadQuery make_workload_query(std::string sql, uint64_t calls, double total_ms,
                                  std::string fingerprint = {});

struct Candidate {
  IndexDef index;
  std::vector<size_t> queries;  // indices into the workload: the queries that suggested it
  std::string reason;           // "WHERE user_id = … ORDER BY created_at", "foreign key …"
};

struct CandidateOptions {
  size_t max_width = 3;    // key columns (INCLUDE columns not counted)
  size_t max_include = 3;  // a covering variant only when at most this many columns are added
};

std::vector<Candidate> generate_candidates(const std::vector<WorkloadQuery>& workload,
                                           const Catalog& catalog,
                                           const CandidateOptions& options = {});

// True when a valid existing b-tree index on the same table has these keys as its leading
// keys (direction ignored: b-trees scan both ways), holds the INCLUDE columns, and is not
// partial (or has the same predicate).
bool served_by_existing(const IndexDef& candidate, const Catalog& catalog);

}  // namespace querylens::advise
