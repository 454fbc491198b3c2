// The columns an expression reads, from libpg_query's parse tree of `SELECT <expression>`.
//
// For expressions the server printed itself — the Output, Filter and Index Cond lists of
// PostgreSQL's EXPLAIN VERBOSE (`(l.l_extendedprice * ('1'::numeric - l.l_discount))`) — where
// every column carries the alias of the relation it comes from. The advisor reads them to learn
// which columns a query takes from each table, select-list expressions and aggregates included,
// and so whether an index can cover it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::sql {

struct ColumnReference {
  std::string qualifier;  // the part before the column (alias or table); "" when unqualified
  std::string column;     // "" for a star
  bool star = false;      // `t.*` or `*`: every column of the relation
};

// Every column reference in `expression`, in the order written (repeats kept). nullopt when the
// text is not one expression libpg_query can parse (a SubPlan reference, `PARTIAL sum(…)`).
std::optional<std::vector<ColumnReference>> expression_columns(std::string_view expression);

}  // namespace querylens::sql
