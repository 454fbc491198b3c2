// Internal: walks libpg_query's JSON parse tree (as a simdjson DOM) into a StatementModel.
// Split in two files: model_builder.cpp (statements, blocks, FROM, name resolution) and
// model_expr.cpp (expressions and predicates).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "querylens/sql/statement_model.h"

namespace querylens::sql::model {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// {"TypeName": {...}} → "TypeName" and its body; false for anything else.
bool unwrap(element node, std::string_view* type, object* body);
bool get(object o, std::string_view key, element* out);
bool get(object o, std::string_view key, object* out);
bool get(object o, std::string_view key, array* out);
std::string_view get_string(object o, std::string_view key);
int64_t get_int(object o, std::string_view key, int64_t fallback);
bool get_bool(object o, std::string_view key);
int location_of(object body);  // the node's "location", -1 when absent

// A ColumnRef's parts: `qualifier` is the part before the column (table or alias).
struct ColumnName {
  std::string qualifier;
  std::string column;  // empty for `*`
  bool star = false;
  int location = -1;
};
bool column_ref(element node, ColumnName* out);

struct Ctx {
  int block = 0;
  Clause clause = Clause::kOther;
  // The predicate walked is implied by the clause (a top-level AND term): not under OR / NOT.
  bool conjunct = true;
};

class Builder {
 public:
  explicit Builder(StatementModel& model) : m_(model) {}
  // One entry of the parse tree's "stmts" array (its "stmt" member).
  void statement(element stmt);

 private:
  // --- model_builder.cpp: blocks and names
  // A SELECT (or set operation) as a new block under `parent`; returns its index.
  int select(object body, int parent, bool in_sublink);
  int new_block(int parent);
  void with_clause(object body, int block);
  void from_item(element item, int block, int comma_index);
  void range_var(object body, int block, int comma_index, bool written);
  void target_list(array targets, int block);
  void sort_clause(array items, int block);
  void limit_offset(object body, int block);
  void set_operation(object body, int block, bool in_sublink);
  void check_join_conditions(int block, const element* where);  // where: null when none
  void where_terms(element where, int block);
  // Index into m_.tables of the table named or aliased `qualifier` visible from `block`
  // (searching enclosing blocks too); -1 when none. `*owner` gets the block it belongs to.
  int find_table(int block, std::string_view qualifier, int* owner) const;
  std::string resolve(int block, std::string_view qualifier, std::string_view column,
                      int depth) const;
  void add_column(const ColumnName& c, ColumnRole role, const Ctx& ctx, bool negated = false,
                  std::string detail = {});
  void mark_correlated(int from_block, int to_block);

  // --- model_expr.cpp: expressions
  // Generic walk: functions, sublinks, correlation, parameters. Records no column roles.
  void expr(element node, const Ctx& ctx);
  void walk_children(object body, const Ctx& ctx);
  void sublink(object body, const Ctx& ctx, bool negated);
  // WHERE / JOIN ON / HAVING: records column roles, then walks generically.
  void predicate(element node, const Ctx& ctx, bool negated = false);
  void comparison(object body, const Ctx& ctx);
  void like(object body, const Ctx& ctx, bool ilike_or_negated_name);
  void or_expr(array args, const Ctx& ctx, int location);
  bool count_compared_with_zero(object a_expr, bool* negated) const;
  // Qualified and unqualified column refs under `node` (not inside subqueries).
  void collect_columns(element node, std::vector<ColumnName>* out, int depth) const;
  // Qualifiers referenced under `node`, including inside subqueries.
  void collect_qualifiers(element node, std::vector<std::string>* out, int* unqualified,
                          int depth) const;
  // The lowest location under `node` (-1 when none); *subquery: it holds a SubLink.
  int first_location(element node, bool* subquery, int depth) const;

  StatementModel& m_;
  std::vector<std::pair<std::string, int>> ctes_;  // visible CTE names → their block
  // Per block: output column name → (qualifier, column) of the plain column it selects.
  struct Output {
    std::string name, qualifier, column;
  };
  std::vector<std::vector<Output>> outputs_;
  std::vector<std::vector<std::string>> const_targets_;  // per block: literal per target, "" if not
  std::vector<int> block_subquery_;                      // per block: index in m_.subqueries or -1
  int next_block_subquery_ = -1;
  bool next_sublink_counts_ = false;  // the next scalar sublink is a count compared with 0  // the
                                      // subquery entry the next new block is the body of
  std::vector<std::vector<int>> comma_tables_;  // per block: comma item of each table
};

}  // namespace querylens::sql::model
