// StatementModel — what one SQL statement does, read from libpg_query's parse tree.
//
// Schema-free: tables and columns are named as written; an alias (of a table, a subquery in
// FROM or a CTE) is resolved to the base table behind it when the statement alone shows it.
// Shared by lint, explain, advise and cache invalidation; plain data, no behaviour.
//
// Locations are byte offsets into the statement text that was given (SQLite parameter markers
// are rewritten before parsing, and locations are mapped back); -1 when the parser gave none.
// A statement libpg_query rejects (SQLite-only syntax, garbage) is `analyzed == false` with the
// parser's message: never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace querylens::sql {

enum class StatementKind { kSelect, kInsert, kUpdate, kDelete, kDdl, kUtility };
std::string_view to_string(StatementKind kind);

// Where in a query block an expression sits.
enum class Clause { kSelectList, kFrom, kJoinOn, kWhere, kGroupBy, kHaving, kOrderBy, kOther };

enum class TableSource { kTable, kCte, kSubquery, kFunction, kValues };

struct TableRef {
  std::string schema;  // empty when not written
  std::string name;    // relation, CTE or function name; empty for an unnamed subquery
  std::string alias;   // empty when none
  TableSource source = TableSource::kTable;
  int block = 0;           // the query block whose FROM holds it
  int derived_block = -1;  // kSubquery / kCte: the block that produces its rows
  bool lateral = false;
  int location = -1;
};

enum class ColumnRole {
  kEqualityFilter,  // col = expr
  kRangeFilter,     // col < expr, BETWEEN, …
  kInList,          // col IN (list) / = ANY(array)
  kLikePrefix,      // col LIKE 'abc%'
  kLikeLeadingWildcard,
  kLikeOther,  // a pattern that is a parameter or an expression
  kIsNull,     // IS NULL / IS NOT NULL
  kJoinKey,    // col = other_table.col (see ColumnUse::joined_with)
  kOrderBy,
  kGroupBy,
  kWrapped,  // a function or cast applied to the column in a predicate (non-sargable)
};

struct ColumnUse {
  std::string table;      // resolved base table; empty when the statement does not show it
  std::string qualifier;  // as written ("p" in p.id); empty when unqualified
  std::string column;
  ColumnRole role = ColumnRole::kEqualityFilter;
  Clause clause = Clause::kWhere;
  int block = 0;
  int location = -1;
  bool descending = false;  // kOrderBy
  bool negated = false;     // NOT IN, NOT LIKE, IS NOT NULL
  // kWrapped: "lower()" / "::text"; LIKE: the pattern. kEqualityFilter: the constant the
  // column equals, as canonical SQL text (`true`, `-3`, `1.5`, `'it''s'`), when the other side
  // is a literal and the test holds for every row its clause keeps (a top-level AND term of
  // WHERE or JOIN ON, not under OR / NOT); "" otherwise (a parameter, NULL, an expression).
  std::string detail;
  // kJoinKey: the index in StatementModel::columns of the other side of the `=`. When either
  // side is unqualified the statement alone cannot prove the two are in different tables: a
  // catalog must (advise resolves both names and drops same-table pairs).
  int joined_with = -1;
  // kWrapped: the whole wrapped side (`lower(u.email)`) in canonical form, to compare with an
  // index's expression key (sql/canonical_expression.h); "" when too deep to compare.
  std::string expression;
};

enum class SubqueryKind {
  kExists,
  kIn,
  kNotIn,
  kCompareAny,
  kCompareAll,
  kScalar,
  kArray,
  kFrom,
  kCte
};

struct Subquery {
  SubqueryKind kind = SubqueryKind::kScalar;
  Clause clause = Clause::kOther;  // where it sits in the parent block
  int block = 0;                   // the subquery's own (first) block
  int parent_block = 0;
  bool correlated = false;           // references a table of an enclosing block by name or alias
  int location = -1;                 // of the subquery construct (IN / EXISTS keyword or '(')
  int test_location = -1;            // kIn / kNotIn / kCompare*: the tested expression's start
  bool count_for_existence = false;  // kScalar: (SELECT count(*) …) compared with 0
};

enum class SetOpKind { kUnion, kIntersect, kExcept };
struct SetOperation {
  SetOpKind kind = SetOpKind::kUnion;
  bool all = false;
  int block = 0;                   // the block that combines the branches
  bool in_sublink = false;         // inside IN / EXISTS / ANY, where duplicates cannot matter
  bool disjoint_branches = false;  // some output column is a distinct constant in every branch
};

struct OrderKey {
  std::string qualifier, column;  // empty column: an expression, not a plain column
  bool descending = false;
  bool nulls_written = false;  // NULLS FIRST / LAST given
  bool random = false;         // random() / rand()
  int location = -1;
};

// A top-level AND term of a WHERE clause (the whole clause when its top node is not AND).
struct WhereTerm {
  int location = -1;                    // the lowest location under it: its first name or value
  std::vector<std::string> qualifiers;  // every qualifier it names, inside its subqueries too
  bool unqualified = false;             // names a column without a qualifier (not in subqueries)
  bool subquery = false;                // holds a subquery
};

// One SELECT (or the top of an INSERT / UPDATE / DELETE) and its clauses.
struct QueryBlock {
  int parent = -1;
  bool is_set_operation = false;  // combines its two branch blocks
  bool distinct = false;
  bool distinct_on = false;
  std::vector<int> star_locations;  // `*` / `t.*` in the target list (not count(*))
  bool star_over_table = false;     // some star expands a base table
  int targets = 0;
  // Per target: (qualifier, column) of a plain column or `t.*` (column "*"); ("", "") otherwise.
  std::vector<std::pair<std::string, std::string>> target_columns;
  std::vector<int> tables;  // indices into StatementModel::tables
  int explicit_joins = 0;   // JOIN … ON / USING / NATURAL
  int cross_joins = 0;      // CROSS JOIN written out
  int outer_joins = 0;      // LEFT / RIGHT / FULL JOIN (also counted in explicit_joins)
  int comma_items = 0;      // FROM a, b, c → 3
  bool has_where = false;
  bool where_is_or = false;            // the WHERE clause's top node is OR
  std::vector<WhereTerm> where_terms;  // in the order written
  bool has_group_by = false;
  bool has_having = false;
  bool has_window = false;
  std::vector<OrderKey> order_by;
  std::optional<int64_t> limit;   // literal LIMIT
  bool limit_param = false;       // LIMIT $n
  std::optional<int64_t> offset;  // literal OFFSET
  bool offset_param = false;
  int offset_location = -1;
  int max_param = 0;  // highest $n seen anywhere in the statement (kept on block 0)
};

// A predicate the model keeps whole because rules reason about its shape.
enum class PredicateKind {
  kOrAcrossColumns,
  kOrOfEqualities,
  kCountComparedWithZero,
  kNoJoinCondition
};
struct Predicate {
  PredicateKind kind;
  int block = 0;
  int location = -1;
  std::string column;           // kOrOfEqualities: the column; kNoJoinCondition: the unlinked table
  bool exists_negated = false;  // kCountComparedWithZero: `= 0` (NOT EXISTS)
  bool in_select_list = false;  // kCountComparedWithZero: SELECT count(*) > 0 FROM …
};

struct StatementModel {
  StatementKind kind = StatementKind::kUtility;
  std::string command;  // libpg_query's node name: "SelectStmt", "CreateStmt", …
  bool analyzed = false;
  std::string error;        // !analyzed: the parser's message
  int error_location = -1;  // !analyzed: byte offset, when known

  std::vector<QueryBlock> blocks;  // blocks[0] is the outermost
  std::vector<TableRef> tables;
  std::vector<std::string> tables_written;  // INSERT / UPDATE / DELETE targets, DDL objects
  std::vector<ColumnUse> columns;
  std::vector<Subquery> subqueries;
  std::vector<SetOperation> set_operations;
  std::vector<Predicate> predicates;
  std::vector<std::string> window_functions;  // names of functions called with OVER
  std::vector<std::string> functions;         // every other function called
  bool insert_without_columns = false;        // INSERT INTO t VALUES / SELECT, no column list
  // What makes a query more than a read (explain's safety rules):
  bool data_modifying_cte = false;  // WITH x AS (INSERT / UPDATE / DELETE …)
  bool row_locking = false;         // FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE
  bool select_into = false;         // SELECT … INTO new_table
  int insert_location = -1;
};

// Parses `sql` (one statement; SQLite parameter markers allowed) and builds its model.
StatementModel build_statement_model(std::string_view sql);

}  // namespace querylens::sql
