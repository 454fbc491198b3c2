#include "sql/model_builder.h"

#include <algorithm>
#include <set>

namespace querylens::sql::model {

bool unwrap(element node, std::string_view* type, object* body) {
  object o;
  if (node.get(o) != simdjson::SUCCESS) return false;
  for (auto [key, value] : o) {
    *type = key;
    // Single-member objects are nodes; an empty body ({"A_Star": {}}) is still a node.
    return value.get(*body) == simdjson::SUCCESS;
  }
  return false;
}

bool get(object o, std::string_view key, element* out) {
  return o.at_key(key).get(*out) == simdjson::SUCCESS;
}
bool get(object o, std::string_view key, object* out) {
  return o.at_key(key).get(*out) == simdjson::SUCCESS;
}
bool get(object o, std::string_view key, array* out) {
  return o.at_key(key).get(*out) == simdjson::SUCCESS;
}
std::string_view get_string(object o, std::string_view key) {
  std::string_view s;
  return o.at_key(key).get(s) == simdjson::SUCCESS ? s : std::string_view{};
}
int64_t get_int(object o, std::string_view key, int64_t fallback) {
  int64_t v = 0;
  return o.at_key(key).get(v) == simdjson::SUCCESS ? v : fallback;
}
bool get_bool(object o, std::string_view key) {
  bool v = false;
  return o.at_key(key).get(v) == simdjson::SUCCESS && v;
}
int location_of(object body) { return static_cast<int>(get_int(body, "location", -1)); }

bool column_ref(element node, ColumnName* out) {
  std::string_view type;
  object body;
  if (!unwrap(node, &type, &body) || type != "ColumnRef") return false;
  array fields;
  if (!get(body, "fields", &fields)) return false;
  std::vector<std::string_view> parts;
  bool star = false;
  for (element f : fields) {
    std::string_view ft;
    object fb;
    if (!unwrap(f, &ft, &fb)) continue;
    if (ft == "A_Star") star = true;
    if (ft == "String") parts.push_back(get_string(fb, "sval"));
  }
  *out = ColumnName{};
  out->star = star;
  out->location = location_of(body);
  if (star) {
    if (!parts.empty()) out->qualifier = std::string(parts.back());
  } else if (!parts.empty()) {
    out->column = std::string(parts.back());
    if (parts.size() >= 2) out->qualifier = std::string(parts[parts.size() - 2]);
  }
  return true;
}

namespace {

StatementKind kind_of(std::string_view type) {
  if (type == "SelectStmt") return StatementKind::kSelect;
  if (type == "InsertStmt") return StatementKind::kInsert;
  if (type == "UpdateStmt") return StatementKind::kUpdate;
  if (type == "DeleteStmt") return StatementKind::kDelete;
  static constexpr std::string_view kDdl[] = {"IndexStmt",   "ViewStmt",  "RenameStmt",
                                              "CommentStmt", "GrantStmt", "TruncateStmt",
                                              "DefineStmt",  "RuleStmt",  "CompositeTypeStmt"};
  if (type.starts_with("Create") || type.starts_with("Alter") || type.starts_with("Drop") ||
      std::find(std::begin(kDdl), std::end(kDdl), type) != std::end(kDdl)) {
    return StatementKind::kDdl;
  }
  return StatementKind::kUtility;
}

std::string qualified_name(object range_var) {
  std::string_view schema = get_string(range_var, "schemaname");
  std::string_view name = get_string(range_var, "relname");
  return schema.empty() ? std::string(name) : std::string(schema) + "." + std::string(name);
}

// The literal a target selects, as text ("" when it is not a literal).
std::string literal_text(element node) {
  std::string_view type;
  object body;
  if (!unwrap(node, &type, &body) || type != "A_Const") return {};
  object v;
  if (get(body, "sval", &v)) return "s:" + std::string(get_string(v, "sval"));
  if (get(body, "ival", &v)) return "i:" + std::to_string(get_int(v, "ival", 0));
  return {};
}

}  // namespace

void Builder::statement(element stmt) {
  std::string_view type;
  object body;
  if (!unwrap(stmt, &type, &body)) return;
  m_.command = std::string(type);
  m_.kind = kind_of(type);
  switch (m_.kind) {
    case StatementKind::kSelect:
      select(body, -1, false);
      return;
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kDelete: {
      int block = new_block(-1);
      with_clause(body, block);
      object relation;
      if (get(body, "relation", &relation)) range_var(relation, block, 0, true);
      Ctx ctx{block, Clause::kOther};
      if (m_.kind == StatementKind::kInsert) {
        element sel;
        array cols;
        if (get(body, "selectStmt", &sel)) {
          std::string_view st;
          object sb;
          if (unwrap(sel, &st, &sb) && st == "SelectStmt") select(sb, block, false);
          if (!get(body, "cols", &cols)) {
            m_.insert_without_columns = true;
            m_.insert_location = location_of(relation);
          }
        }
      } else {
        array from;
        if (get(body, m_.kind == StatementKind::kUpdate ? "fromClause" : "usingClause", &from)) {
          int i = 1;
          for (element item : from) from_item(item, block, i++);
        }
        element where;
        if (get(body, "whereClause", &where)) {
          m_.blocks[block].has_where = true;
          predicate(where, Ctx{block, Clause::kWhere});
          check_join_conditions(block, &where);
        }
      }
      for (std::string_view key : {"targetList", "returningList", "onConflictClause"}) {
        element e;
        if (get(body, key, &e)) expr(e, ctx);
      }
      return;
    }
    default:
      if (m_.kind == StatementKind::kDdl) {
        object relation;
        if (get(body, "relation", &relation)) m_.tables_written.push_back(qualified_name(relation));
        object into;  // CREATE TABLE … AS
        if (get(body, "into", &into) && get(into, "rel", &relation)) {
          m_.tables_written.push_back(qualified_name(relation));
        }
      }
      return;
  }
}

int Builder::new_block(int parent) {
  m_.blocks.emplace_back();
  m_.blocks.back().parent = parent;
  outputs_.emplace_back();
  const_targets_.emplace_back();
  block_subquery_.push_back(next_block_subquery_);
  next_block_subquery_ = -1;
  comma_tables_.emplace_back();
  return static_cast<int>(m_.blocks.size()) - 1;
}

void Builder::with_clause(object body, int block) {
  object with;
  array ctes;
  if (!get(body, "withClause", &with) || !get(with, "ctes", &ctes)) return;
  for (element cte : ctes) {
    std::string_view type;
    object cb;
    element query;
    if (!unwrap(cte, &type, &cb) || !get(cb, "ctequery", &query)) continue;
    std::string name(get_string(cb, "ctename"));
    // A recursive CTE sees itself: register the name first.
    ctes_.emplace_back(name, static_cast<int>(m_.blocks.size()));
    std::string_view qt;
    object qb;
    if (unwrap(query, &qt, &qb) && qt == "SelectStmt") {
      m_.subqueries.push_back(
          Subquery{SubqueryKind::kCte, Clause::kFrom, -1, block, false, location_of(cb), -1});
      size_t index = m_.subqueries.size() - 1;
      next_block_subquery_ = static_cast<int>(index);
      int derived = select(qb, block, false);
      ctes_.back().second = derived;
      m_.subqueries[index].block = derived;
    } else {
      m_.data_modifying_cte = true;
      expr(query, Ctx{block, Clause::kOther});  // INSERT / UPDATE / DELETE … RETURNING in WITH
      ctes_.back().second = -1;
    }
  }
}

int Builder::select(object body, int parent, bool in_sublink) {
  int block = new_block(parent);
  size_t cte_mark = ctes_.size();
  with_clause(body, block);
  {
    array locking;
    object into;
    if (get(body, "lockingClause", &locking)) m_.row_locking = true;
    if (get(body, "intoClause", &into)) m_.select_into = true;
  }
  std::string_view op = get_string(body, "op");
  if (!op.empty() && op != "SETOP_NONE") {
    set_operation(body, block, in_sublink);
  } else {
    array list;
    if (get(body, "fromClause", &list)) {
      int i = 0;
      for (element item : list) from_item(item, block, i++);
      m_.blocks[block].comma_items = i;
    }
    if (get(body, "distinctClause", &list)) {
      m_.blocks[block].distinct = true;
      for (element e : list) {
        object o;
        if (e.get(o) == simdjson::SUCCESS && o.size() > 0) m_.blocks[block].distinct_on = true;
      }
    }
    if (get(body, "targetList", &list)) target_list(list, block);
    element where;
    if (get(body, "whereClause", &where)) {
      m_.blocks[block].has_where = true;
      std::string_view wt;
      object wb;
      m_.blocks[block].where_is_or =
          unwrap(where, &wt, &wb) && wt == "BoolExpr" && get_string(wb, "boolop") == "OR_EXPR";
      predicate(where, Ctx{block, Clause::kWhere});
      check_join_conditions(block, &where);
      where_terms(where, block);
    } else {
      check_join_conditions(block, nullptr);
    }
    if (get(body, "groupClause", &list)) {
      m_.blocks[block].has_group_by = true;
      for (element e : list) {
        ColumnName c;
        if (column_ref(e, &c))
          add_column(c, ColumnRole::kGroupBy, Ctx{block, Clause::kGroupBy});
        else
          expr(e, Ctx{block, Clause::kGroupBy});
      }
    }
    element having;
    if (get(body, "havingClause", &having)) {
      m_.blocks[block].has_having = true;
      expr(having, Ctx{block, Clause::kHaving});
    }
    if (get(body, "windowClause", &list)) m_.blocks[block].has_window = true;
    element values;
    if (get(body, "valuesLists", &values)) expr(values, Ctx{block, Clause::kOther});
  }
  array sort;
  if (get(body, "sortClause", &sort)) sort_clause(sort, block);
  limit_offset(body, block);
  ctes_.resize(cte_mark);
  return block;
}

void Builder::set_operation(object body, int block, bool in_sublink) {
  std::string_view op = get_string(body, "op");
  SetOperation s;
  s.kind = op == "SETOP_UNION"       ? SetOpKind::kUnion
           : op == "SETOP_INTERSECT" ? SetOpKind::kIntersect
                                     : SetOpKind::kExcept;
  s.all = get_bool(body, "all");
  s.block = block;
  s.in_sublink = in_sublink;
  m_.blocks[block].is_set_operation = true;
  object larg, rarg;
  int left = get(body, "larg", &larg) ? select(larg, block, in_sublink) : -1;
  int right = get(body, "rarg", &rarg) ? select(rarg, block, in_sublink) : -1;
  if (left >= 0) {
    outputs_[block] = outputs_[left];
    m_.blocks[block].star_over_table = m_.blocks[left].star_over_table;
  }
  // Branches cannot overlap when some output position is a literal that differs per branch.
  if (left >= 0 && right >= 0) {
    const auto& a = const_targets_[left];
    const auto& b = const_targets_[right];
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (!a[i].empty() && !b[i].empty() && a[i] != b[i]) s.disjoint_branches = true;
    }
    std::vector<std::string> merged(std::min(a.size(), b.size()));
    for (size_t i = 0; i < merged.size(); ++i) merged[i] = a[i] == b[i] ? a[i] : std::string();
    const_targets_[block] = merged;  // an outer UNION compares with what both branches share
  }
  m_.set_operations.push_back(s);
}

void Builder::from_item(element item, int block, int comma_index) {
  std::string_view type;
  object body;
  if (!unwrap(item, &type, &body)) return;
  if (type == "RangeVar") {
    range_var(body, block, comma_index, false);
  } else if (type == "JoinExpr") {
    element e;
    if (get(body, "larg", &e)) from_item(e, block, comma_index);
    if (get(body, "rarg", &e)) from_item(e, block, comma_index);
    element quals;
    bool has_quals = get(body, "quals", &quals);
    array using_cols;
    if (has_quals || get_bool(body, "isNatural") || get(body, "usingClause", &using_cols)) {
      ++m_.blocks[block].explicit_joins;
    } else {
      ++m_.blocks[block].cross_joins;  // no condition is only possible when written CROSS JOIN
    }
    std::string_view join_type = get_string(body, "jointype");
    if (!join_type.empty() && join_type != "JOIN_INNER") ++m_.blocks[block].outer_joins;
    if (has_quals) predicate(quals, Ctx{block, Clause::kJoinOn});
  } else if (type == "RangeSubselect" || type == "RangeFunction") {
    TableRef t;
    t.block = block;
    t.lateral = get_bool(body, "lateral");
    object alias;
    if (get(body, "alias", &alias)) t.alias = std::string(get_string(alias, "aliasname"));
    t.location = location_of(body);
    if (type == "RangeSubselect") {
      t.source = TableSource::kSubquery;
      std::string_view st;
      object sb;
      element sub;
      if (get(body, "subquery", &sub) && unwrap(sub, &st, &sb) && st == "SelectStmt") {
        // A LATERAL subquery sees this block's tables; a plain one sees only outer blocks.
        m_.subqueries.push_back(
            Subquery{SubqueryKind::kFrom, Clause::kFrom, -1, block, false, t.location, -1});
        size_t index = m_.subqueries.size() - 1;
        next_block_subquery_ = static_cast<int>(index);
        t.derived_block = select(sb, block, false);
        m_.subqueries[index].block = t.derived_block;
      }
    } else {
      t.source = TableSource::kFunction;
      expr(item, Ctx{block, Clause::kFrom});
    }
    m_.tables.push_back(std::move(t));
    m_.blocks[block].tables.push_back(static_cast<int>(m_.tables.size()) - 1);
    comma_tables_[block].push_back(comma_index);
  } else {
    expr(item, Ctx{block, Clause::kFrom});
  }
}

void Builder::range_var(object body, int block, int comma_index, bool written) {
  TableRef t;
  t.schema = std::string(get_string(body, "schemaname"));
  t.name = std::string(get_string(body, "relname"));
  object alias;
  if (get(body, "alias", &alias)) t.alias = std::string(get_string(alias, "aliasname"));
  t.block = block;
  t.location = location_of(body);
  if (t.schema.empty()) {
    for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
      if (it->first == t.name) {
        t.source = TableSource::kCte;
        t.derived_block = it->second;
        break;
      }
    }
  }
  if (written) m_.tables_written.push_back(qualified_name(body));
  m_.tables.push_back(std::move(t));
  m_.blocks[block].tables.push_back(static_cast<int>(m_.tables.size()) - 1);
  comma_tables_[block].push_back(comma_index);
}

void Builder::target_list(array targets, int block) {
  for (element target : targets) {
    std::string_view type;
    object rt;
    element val;
    if (!unwrap(target, &type, &rt) || type != "ResTarget" || !get(rt, "val", &val)) continue;
    ++m_.blocks[block].targets;
    const_targets_[block].push_back(literal_text(val));
    ColumnName c;
    bool is_column = column_ref(val, &c);
    m_.blocks[block].target_columns.emplace_back(
        is_column ? c.qualifier : std::string(),
        is_column ? (c.star ? "*" : c.column) : std::string());
    if (is_column) {
      if (c.star) {
        m_.blocks[block].star_locations.push_back(c.location);
        for (int ti : m_.blocks[block].tables) {
          const TableRef& t = m_.tables[ti];
          if (!c.qualifier.empty() && c.qualifier != (t.alias.empty() ? t.name : t.alias)) continue;
          if (t.source == TableSource::kTable ||
              (t.derived_block >= 0 && m_.blocks[t.derived_block].star_over_table)) {
            m_.blocks[block].star_over_table = true;
          }
        }
      } else {
        std::string name(get_string(rt, "name"));
        outputs_[block].push_back(Output{name.empty() ? c.column : name, c.qualifier, c.column});
        int owner = -1;
        if (!c.qualifier.empty() && find_table(block, c.qualifier, &owner) >= 0 && owner != block) {
          mark_correlated(block, owner);
        }
      }
      continue;
    }
    Ctx ctx{block, Clause::kSelectList};
    std::string_view vt;
    object vb;
    bool negated = false;
    if (unwrap(val, &vt, &vb) && vt == "A_Expr" && count_compared_with_zero(vb, &negated)) {
      m_.predicates.push_back(Predicate{
          PredicateKind::kCountComparedWithZero, block, location_of(vb), {}, negated, true});
    }
    expr(val, ctx);
  }
}

void Builder::sort_clause(array items, int block) {
  for (element item : items) {
    std::string_view type;
    object sb;
    element node;
    if (!unwrap(item, &type, &sb) || type != "SortBy" || !get(sb, "node", &node)) continue;
    OrderKey key;
    key.descending = get_string(sb, "sortby_dir") == "SORTBY_DESC";
    std::string_view nulls = get_string(sb, "sortby_nulls");
    key.nulls_written = !nulls.empty() && nulls != "SORTBY_NULLS_DEFAULT";
    ColumnName c;
    std::string_view nt;
    object nb;
    if (column_ref(node, &c) && !c.star) {
      key.qualifier = c.qualifier;
      key.column = c.column;
      key.location = c.location;
      add_column(c, ColumnRole::kOrderBy, Ctx{block, Clause::kOrderBy});
      m_.columns.back().descending = key.descending;
    } else if (unwrap(node, &nt, &nb)) {
      key.location = location_of(nb);
      array fname, args;
      if (nt == "FuncCall" && get(nb, "funcname", &fname) && !get(nb, "args", &args)) {
        std::string_view last;
        for (element part : fname) {
          std::string_view pt;
          object pb;
          if (unwrap(part, &pt, &pb)) last = get_string(pb, "sval");
        }
        key.random = last == "random" || last == "rand";
      }
      expr(node, Ctx{block, Clause::kOrderBy});
    }
    m_.blocks[block].order_by.push_back(key);
  }
}

void Builder::limit_offset(object body, int block) {
  QueryBlock& b = m_.blocks[block];
  for (bool is_offset : {false, true}) {
    element node;
    if (!get(body, is_offset ? "limitOffset" : "limitCount", &node)) continue;
    std::string_view type;
    object nb;
    if (!unwrap(node, &type, &nb)) continue;
    if (type == "A_Const" && !get_bool(nb, "isnull")) {
      object iv;
      // libpg_query's JSON omits zero values: {"ival": {}} is 0.
      std::optional<int64_t> v;
      if (get(nb, "ival", &iv)) v = get_int(iv, "ival", 0);
      (is_offset ? b.offset : b.limit) = v;
    } else if (type == "ParamRef") {
      (is_offset ? b.offset_param : b.limit_param) = true;
    }
    if (is_offset) b.offset_location = location_of(nb);
    expr(node, Ctx{block, Clause::kOther});
  }
}

}  // namespace querylens::sql::model
