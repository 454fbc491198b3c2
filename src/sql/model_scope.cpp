// Names and scopes of the statement model: which table a qualifier means, base tables behind
// aliases, correlation, join conditions between FROM items, and the tables each WHERE term
// names (see model_builder.h).
#include <algorithm>
#include <set>

#include "sql/model_builder.h"

namespace querylens::sql::model {

int Builder::find_table(int block, std::string_view qualifier, int* owner) const {
  for (int b = block; b >= 0; b = m_.blocks[b].parent) {
    for (int ti : m_.blocks[b].tables) {
      const TableRef& t = m_.tables[ti];
      if ((t.alias.empty() ? t.name : t.alias) == qualifier) {
        *owner = b;
        return ti;
      }
    }
  }
  return -1;
}

std::string Builder::resolve(int block, std::string_view qualifier, std::string_view column,
                             int depth) const {
  if (depth > 16) return {};
  int ti = -1;
  int owner = -1;
  if (!qualifier.empty()) {
    ti = find_table(block, qualifier, &owner);
  } else if (m_.blocks[block].tables.size() == 1) {
    ti = m_.blocks[block].tables[0];
  }
  if (ti < 0) return {};
  const TableRef& t = m_.tables[ti];
  if (t.source == TableSource::kTable) return t.schema.empty() ? t.name : t.schema + "." + t.name;
  if (t.derived_block < 0) return {};
  // Through a subquery or CTE: the output column it names, or the one table it reads.
  for (const Output& o : outputs_[t.derived_block]) {
    if (o.name == column) return resolve(t.derived_block, o.qualifier, o.column, depth + 1);
  }
  if (m_.blocks[t.derived_block].star_over_table)
    return resolve(t.derived_block, "", column, depth + 1);
  return {};
}

void Builder::add_column(const ColumnName& c, ColumnRole role, const Ctx& ctx, bool negated,
                         std::string detail) {
  ColumnUse use;
  use.table = resolve(ctx.block, c.qualifier, c.column, 0);
  use.qualifier = c.qualifier;
  use.column = c.column;
  use.role = role;
  use.clause = ctx.clause;
  use.block = ctx.block;
  use.location = c.location;
  use.negated = negated;
  use.detail = std::move(detail);
  m_.columns.push_back(std::move(use));
}

void Builder::mark_correlated(int from_block, int to_block) {
  for (int b = from_block; b >= 0 && b != to_block; b = m_.blocks[b].parent) {
    if (block_subquery_[b] >= 0) m_.subqueries[block_subquery_[b]].correlated = true;
  }
}

void Builder::check_join_conditions(int block, const element* where_ptr) {
  // Only comma-separated FROM items can lack a join condition (JOIN needs ON / USING, and a
  // written CROSS JOIN is on purpose). Items are linked by any WHERE conjunct naming both.
  const QueryBlock& b = m_.blocks[block];
  const std::vector<int>& comma = comma_tables_[block];
  int items = 0;
  for (int c : comma) items = std::max(items, c + 1);
  if (items < 2) return;
  std::vector<int> parent(items);
  for (int i = 0; i < items; ++i) parent[i] = i;
  auto root = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  // Items that are not plain tables (functions, LATERAL or derived tables) never count as
  // unlinked: they are usually one row or depend on the others.
  std::vector<bool> table_item(items, false);
  for (size_t k = 0; k < b.tables.size(); ++k) {
    const TableRef& t = m_.tables[b.tables[k]];
    if (t.source == TableSource::kTable || t.source == TableSource::kCte)
      table_item[comma[k]] = true;
  }
  std::vector<element> conjuncts;
  std::string_view wt;
  object wb;
  array args;
  element where;
  if (where_ptr != nullptr) where = *where_ptr;
  if (where_ptr == nullptr) {
    // no WHERE: nothing links the items
  } else if (unwrap(where, &wt, &wb) && wt == "BoolExpr" &&
             get_string(wb, "boolop") == "AND_EXPR" && get(wb, "args", &args)) {
    for (element a : args) conjuncts.push_back(a);
  } else if (unwrap(where, &wt, &wb)) {
    conjuncts.push_back(where);
  }
  for (element conjunct : conjuncts) {
    std::vector<std::string> qualifiers;
    int unqualified = 0;
    collect_qualifiers(conjunct, &qualifiers, &unqualified, 0);
    // Unqualified columns may belong to any table: a predicate with two of them may be the
    // join condition, and without a schema we cannot tell. Assume it is.
    if (unqualified >= 2 || (unqualified == 1 && !qualifiers.empty())) return;
    int first = -1;
    for (const std::string& q : qualifiers) {
      for (size_t k = 0; k < b.tables.size(); ++k) {
        const TableRef& t = m_.tables[b.tables[k]];
        if ((t.alias.empty() ? t.name : t.alias) != q) continue;
        if (first < 0) first = comma[k];
        parent[root(comma[k])] = root(first);
      }
    }
  }
  std::set<int> components;
  int first_table_item = -1;
  for (int i = 0; i < items; ++i) {
    if (!table_item[i]) continue;
    if (first_table_item < 0) first_table_item = i;
    if (root(i) != root(first_table_item) && !components.count(root(i))) {
      components.insert(root(i));
      for (size_t k = 0; k < b.tables.size(); ++k) {
        if (comma[k] != i) continue;
        const TableRef& t = m_.tables[b.tables[k]];
        m_.predicates.push_back(Predicate{PredicateKind::kNoJoinCondition, block, t.location,
                                          t.alias.empty() ? t.name : t.alias, false, false});
        break;
      }
    }
  }
}

void Builder::where_terms(element where, int block) {
  std::vector<element> terms;
  std::string_view type;
  object body;
  array args;
  if (unwrap(where, &type, &body) && type == "BoolExpr" &&
      get_string(body, "boolop") == "AND_EXPR" && get(body, "args", &args)) {
    for (element a : args) terms.push_back(a);
  } else {
    terms.push_back(where);
  }
  for (element term : terms) {
    WhereTerm w;
    int unqualified = 0;
    collect_qualifiers(term, &w.qualifiers, &unqualified, 0);
    w.unqualified = unqualified > 0;
    w.location = first_location(term, &w.subquery, 0);
    m_.blocks[block].where_terms.push_back(std::move(w));
  }
}

int Builder::first_location(element node, bool* subquery, int depth) const {
  if (depth > 200) return -1;
  int lowest = -1;
  auto keep = [&lowest](int l) {
    if (l >= 0 && (lowest < 0 || l < lowest)) lowest = l;
  };
  array list;
  object body;
  if (node.get(list) == simdjson::SUCCESS) {
    for (element e : list) keep(first_location(e, subquery, depth + 1));
  } else if (node.get(body) == simdjson::SUCCESS) {
    for (auto [key, value] : body) {
      if (key == "SubLink") *subquery = true;
      int64_t l = 0;
      if (key == "location" && value.get(l) == simdjson::SUCCESS) keep(static_cast<int>(l));
      if (value.is_object() || value.is_array()) keep(first_location(value, subquery, depth + 1));
    }
  }
  return lowest;
}

}  // namespace querylens::sql::model
