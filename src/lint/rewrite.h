// Internal: the rewritten SQL for the rules that can write one out. Each function returns the
// whole statement rewritten, or "" when the statement is not in a form it can rewrite safely
// (the finding is still reported, with advice instead of SQL).
//
// Rewrites splice the statement's own text (tokens from sql/lexer.h, located by the model's
// offsets), so comments, spacing and parameter markers the user wrote are kept.
#pragma once

#include <string>
#include <string_view>

#include "querylens/sql/lexer.h"
#include "querylens/sql/statement_model.h"

namespace querylens::lint {

// x [NOT] IN (SELECT y FROM t WHERE c) → [NOT] EXISTS (SELECT 1 FROM t WHERE t.y = o.x AND (c)).
std::string rewrite_in_subquery(std::string_view sql, const sql::LexResult& lexed,
                                const sql::StatementModel& m, const sql::Subquery& sub);

// … ORDER BY k DESC LIMIT n OFFSET m → … WHERE k < $last ORDER BY k DESC LIMIT n.
std::string rewrite_keyset(std::string_view sql, const sql::LexResult& lexed,
                           const sql::StatementModel& m);

// SELECT DISTINCT p.a FROM parent p JOIN child c ON cond WHERE f
//   → SELECT DISTINCT p.a FROM parent p WHERE EXISTS (SELECT 1 FROM child c WHERE cond AND f).
// `parent` is the visible name (alias or table) every output column is taken from. Outermost
// block only; inner joins of base tables only. DISTINCT stays: the statement does not show
// that the parent's own rows are unique in those columns.
std::string rewrite_distinct_exists(std::string_view sql, const sql::LexResult& lexed,
                                    const sql::StatementModel& m, std::string_view parent);

// SELECT count(*) > 0 FROM … → SELECT EXISTS (SELECT 1 FROM …).
std::string rewrite_count_exists(std::string_view sql, const sql::LexResult& lexed, bool negated);

// Every `UNION` (without ALL / DISTINCT) → `UNION ALL`.
std::string rewrite_union_all(std::string_view sql, const sql::LexResult& lexed);

}  // namespace querylens::lint
