// Expressions and predicates of the statement model (see model_builder.h).
#include <algorithm>

#include "querylens/sql/quote.h"
#include "sql/canonical_expression.h"
#include "sql/model_builder.h"

namespace querylens::sql::model {
namespace {

// The last part of a qualified name list ([{"String": {"sval": "pg_catalog"}}, …]).
std::string_view last_name(object body, std::string_view key) {
  array names;
  std::string_view last;
  if (!get(body, key, &names)) return last;
  for (element part : names) {
    std::string_view t;
    object b;
    if (unwrap(part, &t, &b) && t == "String") last = get_string(b, "sval");
  }
  return last;
}

enum class Side { kColumn, kWrapped, kNoColumns, kOther };

bool is_const(element node, std::string_view* type_out, object* body_out) {
  return unwrap(node, type_out, body_out) && *type_out == "A_Const";
}

// The integer value of an A_Const, if it is one (libpg_query omits zero: {"ival": {}}).
bool int_const(element node, int64_t* value) {
  std::string_view type;
  object body, iv;
  if (!is_const(node, &type, &body) || !get(body, "ival", &iv)) return false;
  *value = get_int(iv, "ival", 0);
  return true;
}

// A plain literal as canonical SQL text: `true`, `-3`, `1.5`, `'it''s'`; "" for anything else
// (NULL, a bit string, a cast, a parameter, an expression).
std::string constant_text(element node) {
  std::string_view type;
  object body, v;
  if (!is_const(node, &type, &body)) return {};
  if (get(body, "ival", &v)) return std::to_string(get_int(v, "ival", 0));
  if (get(body, "boolval", &v)) return get_bool(v, "boolval") ? "true" : "false";
  if (get(body, "fval", &v)) return std::string(get_string(v, "fval"));
  if (get(body, "sval", &v)) return quote_literal(get_string(v, "sval"));
  return {};
}

bool is_count(element node) {
  std::string_view type;
  object body;
  return unwrap(node, &type, &body) && type == "FuncCall" &&
         last_name(body, "funcname") == "count" && !get(body, "over", &body);
}

// A scalar subquery whose only output is count(…): (SELECT count(*) FROM …).
bool is_count_sublink(element node) {
  std::string_view type;
  object body, sel;
  element sub;
  array targets;
  if (!unwrap(node, &type, &body) || type != "SubLink" ||
      get_string(body, "subLinkType") != "EXPR_SUBLINK" || !get(body, "subselect", &sub)) {
    return false;
  }
  std::string_view st;
  if (!unwrap(sub, &st, &sel) || !get(sel, "targetList", &targets) || targets.size() != 1 ||
      get(sel, "groupClause", &targets)) {
    return false;
  }
  for (element t : targets) {
    std::string_view rt;
    object rb;
    element val;
    if (unwrap(t, &rt, &rb) && get(rb, "val", &val)) return is_count(val);
  }
  return false;
}

}  // namespace

void Builder::expr(element node, const Ctx& ctx) {
  array list;
  if (node.get(list) == simdjson::SUCCESS) {
    for (element e : list) expr(e, ctx);
    return;
  }
  std::string_view type;
  object body;
  if (!unwrap(node, &type, &body)) {
    object bare;  // a struct held directly (TypeName, WindowDef, OnConflictClause, …)
    if (node.get(bare) == simdjson::SUCCESS) walk_children(bare, ctx);
    return;
  }
  if (type == "ColumnRef") {
    ColumnName c;
    int owner = -1;
    if (column_ref(node, &c) && !c.qualifier.empty() &&
        find_table(ctx.block, c.qualifier, &owner) >= 0 && owner != ctx.block) {
      mark_correlated(ctx.block, owner);
    }
    return;
  }
  if (type == "ParamRef") {
    m_.blocks[0].max_param =
        std::max<int>(m_.blocks[0].max_param, static_cast<int>(get_int(body, "number", 0)));
    return;
  }
  if (type == "FuncCall") {
    std::string name(last_name(body, "funcname"));
    element over;
    if (get(body, "over", &over)) {
      m_.window_functions.push_back(name);
      m_.blocks[ctx.block].has_window = true;
    } else {
      m_.functions.push_back(name);
    }
    walk_children(body, ctx);
    return;
  }
  if (type == "SubLink") {
    sublink(body, ctx, false);
    return;
  }
  if (type == "SelectStmt") {
    select(body, ctx.block, false);
    return;
  }
  walk_children(body, ctx);
}

void Builder::walk_children(object body, const Ctx& ctx) {
  for (auto [key, value] : body) {
    (void)key;
    if (value.is_object() || value.is_array()) expr(value, ctx);
  }
}

void Builder::sublink(object body, const Ctx& ctx, bool negated) {
  std::string_view link = get_string(body, "subLinkType");
  std::string_view op = last_name(body, "operName");
  Subquery s;
  if (link == "EXISTS_SUBLINK")
    s.kind = SubqueryKind::kExists;
  else if (link == "ANY_SUBLINK")
    s.kind = (op.empty() || op == "=") ? (negated ? SubqueryKind::kNotIn : SubqueryKind::kIn)
                                       : SubqueryKind::kCompareAny;
  else if (link == "ALL_SUBLINK")
    s.kind = (op == "<>" || op == "!=") ? SubqueryKind::kNotIn : SubqueryKind::kCompareAll;
  else if (link == "ARRAY_SUBLINK")
    s.kind = SubqueryKind::kArray;
  else
    s.kind = SubqueryKind::kScalar;
  s.clause = ctx.clause;
  s.parent_block = ctx.block;
  s.count_for_existence = s.kind == SubqueryKind::kScalar && next_sublink_counts_;
  next_sublink_counts_ = false;
  s.location = location_of(body);
  element test;
  if (get(body, "testexpr", &test)) {
    std::string_view tt;
    object tb;
    if (unwrap(test, &tt, &tb)) s.test_location = location_of(tb);
    ColumnName c;
    if (column_ref(test, &c) && !c.star &&
        (s.kind == SubqueryKind::kIn || s.kind == SubqueryKind::kNotIn)) {
      add_column(c, ColumnRole::kInList, ctx, s.kind == SubqueryKind::kNotIn);
    }
    expr(test, ctx);
  }
  element sub;
  std::string_view st;
  object sb;
  if (!get(body, "subselect", &sub) || !unwrap(sub, &st, &sb) || st != "SelectStmt") return;
  m_.subqueries.push_back(s);
  int index = static_cast<int>(m_.subqueries.size()) - 1;
  bool dup_harmless = s.kind != SubqueryKind::kScalar && s.kind != SubqueryKind::kArray;
  next_block_subquery_ = index;  // correlation found while building the block marks this entry
  m_.subqueries[index].block = select(sb, ctx.block, dup_harmless);
}

void Builder::predicate(element node, const Ctx& ctx, bool negated) {
  std::string_view type;
  object body;
  if (!unwrap(node, &type, &body)) return expr(node, ctx);
  if (type == "BoolExpr") {
    std::string_view op = get_string(body, "boolop");
    array args;
    if (!get(body, "args", &args)) return;
    if (op == "OR_EXPR" && ctx.clause == Clause::kWhere) or_expr(args, ctx, location_of(body));
    // Under OR or NOT a term no longer holds for every row the clause keeps.
    Ctx inner = ctx;
    inner.conjunct = ctx.conjunct && op == "AND_EXPR";
    if (op == "NOT_EXPR" && args.size() == 1) {
      for (element a : args) {
        std::string_view at;
        object ab;
        if (unwrap(a, &at, &ab) && at == "SubLink") return sublink(ab, ctx, !negated);
        predicate(a, inner, !negated);
      }
      return;
    }
    for (element a : args) predicate(a, inner, negated);
    return;
  }
  if (type == "A_Expr") {
    std::string_view kind = get_string(body, "kind");
    std::string_view op = last_name(body, "name");
    element l, r;
    bool has_l = get(body, "lexpr", &l);
    ColumnName c;
    if (kind == "AEXPR_OP") return comparison(body, ctx);
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") return like(body, ctx, op.starts_with("!"));
    if (has_l && column_ref(l, &c) && !c.star) {
      if (kind == "AEXPR_IN") add_column(c, ColumnRole::kInList, ctx, op == "<>" || negated);
      if (kind == "AEXPR_OP_ANY" && op == "=") add_column(c, ColumnRole::kInList, ctx, negated);
      if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_BETWEEN_SYM")
        add_column(c, ColumnRole::kRangeFilter, ctx, negated);
    }
    return expr(node, ctx);
  }
  if (type == "NullTest") {
    element arg;
    ColumnName c;
    if (get(body, "arg", &arg) && column_ref(arg, &c) && !c.star) {
      add_column(c, ColumnRole::kIsNull, ctx,
                 (get_string(body, "nulltesttype") == "IS_NOT_NULL") != negated);
    }
    return expr(node, ctx);
  }
  if (type == "SubLink") return sublink(body, ctx, negated);
  // A boolean column tested alone — `WHERE is_published` (SQLAlchemy's
  // `.where(Post.is_published)`) — is `is_published = true` for an index: an equality on the
  // column, and a constant a partial index can carry when it holds for every row the clause
  // keeps. `IS TRUE` / `IS FALSE` (`.is_(True)`) is an equality without one: PostgreSQL does
  // not prove it from a partial index's `WHERE is_published`.
  const bool filters = ctx.clause == Clause::kWhere || ctx.clause == Clause::kJoinOn;
  if (type == "ColumnRef" && filters && !negated) {
    ColumnName c;
    if (column_ref(node, &c) && !c.star) {
      add_column(c, ColumnRole::kEqualityFilter, ctx, false, ctx.conjunct ? "true" : "");
    }
  }
  if (type == "BooleanTest" && filters && !negated) {
    element arg;
    ColumnName c;
    std::string_view test = get_string(body, "booltesttype");
    if ((test == "IS_TRUE" || test == "IS_FALSE") && get(body, "arg", &arg) &&
        column_ref(arg, &c) && !c.star) {
      add_column(c, ColumnRole::kEqualityFilter, ctx);
    }
  }
  expr(node, ctx);
}

void Builder::comparison(object body, const Ctx& ctx) {
  std::string_view op = last_name(body, "name");
  element sides[2];
  bool has[2] = {get(body, "lexpr", &sides[0]), get(body, "rexpr", &sides[1])};
  bool negated = false;
  if (ctx.clause == Clause::kWhere && count_compared_with_zero(body, &negated)) {
    m_.predicates.push_back(Predicate{
        PredicateKind::kCountComparedWithZero, ctx.block, location_of(body), {}, negated, false});
    next_sublink_counts_ = true;
  }
  bool role_op = op == "=" || op == "<" || op == ">" || op == "<=" || op == ">=";
  if (has[0] && has[1] && role_op) {
    Side kind[2];
    ColumnName col[2];
    std::string detail[2];
    for (int i = 0; i < 2; ++i) {
      std::vector<ColumnName> cols;
      kind[i] = Side::kOther;
      std::string_view t;
      object b;
      if (column_ref(sides[i], &col[i]) && !col[i].star) {
        kind[i] = Side::kColumn;
      } else if (unwrap(sides[i], &t, &b) && (t == "FuncCall" || t == "TypeCast")) {
        // f(col) or col::type, possibly nested: lower(col)::text.
        object type_name;
        detail[i] = t == "FuncCall" ? std::string(last_name(b, "funcname")) + "()"
                    : get(b, "typeName", &type_name)
                        ? "::" + std::string(last_name(type_name, "names"))
                        : "::";
        collect_columns(sides[i], &cols, 0);
        if (cols.size() == 1 && !cols[0].star) {
          kind[i] = Side::kWrapped;
          col[i] = cols[0];
        }
      }
      if (kind[i] == Side::kOther) {
        cols.clear();
        collect_columns(sides[i], &cols, 0);
        if (cols.empty()) kind[i] = Side::kNoColumns;
      }
    }
    ColumnRole role = op == "=" ? ColumnRole::kEqualityFilter : ColumnRole::kRangeFilter;
    if (kind[0] == Side::kColumn && kind[1] == Side::kColumn) {
      // Two different qualifiers: a join. An unqualified side (TPC-H style, `p_partkey =
      // l_partkey`, or a correlated `= outer_col`) may be one too: recorded as a pair whose
      // tables a catalog decides (advise); never for one unqualified name twice (`x = x`) or one
      // qualifier on both sides, which compare columns of one row.
      const bool qualified_join = !col[0].qualifier.empty() && !col[1].qualifier.empty() &&
                                  col[0].qualifier != col[1].qualifier;
      const bool possible_join =
          op == "=" && (col[0].qualifier.empty() || col[1].qualifier.empty()) &&
          !(col[0].qualifier.empty() && col[1].qualifier.empty() && col[0].column == col[1].column);
      if (qualified_join || possible_join) {
        const int first = static_cast<int>(m_.columns.size());
        add_column(col[0], ColumnRole::kJoinKey, ctx);
        add_column(col[1], ColumnRole::kJoinKey, ctx);
        m_.columns[static_cast<size_t>(first)].joined_with = first + 1;
        m_.columns[static_cast<size_t>(first) + 1].joined_with = first;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (kind[1 - i] != Side::kNoColumns) continue;
      if (kind[i] == Side::kColumn) {
        // `col = constant` holding for every row (a partial index's predicate): the constant.
        const bool constant = op == "=" && ctx.conjunct &&
                              (ctx.clause == Clause::kWhere || ctx.clause == Clause::kJoinOn);
        add_column(col[i], role, ctx, false, constant ? constant_text(sides[1 - i]) : "");
      }
      if (kind[i] == Side::kWrapped &&
          (ctx.clause == Clause::kWhere || ctx.clause == Clause::kJoinOn)) {
        add_column(col[i], ColumnRole::kWrapped, ctx, false, detail[i]);
        m_.columns.back().expression = canonical_expression(sides[i]);
      }
    }
  }
  for (int i = 0; i < 2; ++i) {
    if (has[i]) expr(sides[i], ctx);
  }
}

void Builder::like(object body, const Ctx& ctx, bool negated) {
  element l, r;
  if (get(body, "lexpr", &l) && get(body, "rexpr", &r)) {
    // The pattern's first characters: a literal, or the first literal of `'%' || $1 || '%'`.
    element head = r;
    std::string_view t;
    object b;
    bool concatenated = false;  // '%' || $1: the wildcard is followed by something
    while (unwrap(head, &t, &b)) {
      element next;
      if (t == "A_Expr" && last_name(b, "name") == "||" && get(b, "lexpr", &next)) {
        head = next;
        concatenated = true;
      } else if (t == "TypeCast" && get(b, "arg", &next))
        head = next;
      else
        break;
    }
    ColumnRole role = ColumnRole::kLikeOther;
    std::string pattern;
    object sval;
    if (unwrap(head, &t, &b) && t == "A_Const" && get(b, "sval", &sval)) {
      pattern = std::string(get_string(sval, "sval"));
      bool only_wildcards = !concatenated && pattern.find_first_not_of('%') == std::string::npos;
      if (!pattern.empty() && (pattern[0] == '%' || pattern[0] == '_') && !only_wildcards) {
        role = ColumnRole::kLikeLeadingWildcard;
      } else if (!only_wildcards) {
        role = ColumnRole::kLikePrefix;
      }
    }
    ColumnName c;
    std::vector<ColumnName> cols;
    if (column_ref(l, &c) && !c.star) {
      add_column(c, role, ctx, negated, pattern);
    } else if (unwrap(l, &t, &b) && (t == "FuncCall" || t == "TypeCast")) {
      collect_columns(l, &cols, 0);
      if (cols.size() == 1 && !cols[0].star) {
        add_column(cols[0], role, ctx, negated, pattern);
        object type_name;
        std::string detail = t == "FuncCall" ? std::string(last_name(b, "funcname")) + "()"
                             : get(b, "typeName", &type_name)
                                 ? "::" + std::string(last_name(type_name, "names"))
                                 : "::";
        if (ctx.clause == Clause::kWhere || ctx.clause == Clause::kJoinOn) {
          add_column(cols[0], ColumnRole::kWrapped, ctx, false, detail);
          m_.columns.back().expression = canonical_expression(l);
        }
      }
    }
  }
  walk_children(body, ctx);
}

void Builder::or_expr(array args, const Ctx& ctx, int location) {
  std::vector<std::vector<ColumnName>> sets;
  bool all_equalities = true;
  for (element a : args) {
    std::vector<ColumnName> cols;
    collect_columns(a, &cols, 0);
    // `$1 IS NULL OR col = $1` (an optional filter) has a disjunct on no column: another
    // pattern, not this one.
    if (cols.empty()) return;
    sets.push_back(std::move(cols));
    std::string_view t, kind;
    object b;
    element l, r;
    ColumnName c;
    bool equality = unwrap(a, &t, &b) && t == "A_Expr" && last_name(b, "name") == "=" &&
                    ((kind = get_string(b, "kind")) == "AEXPR_OP" || kind == "AEXPR_IN") &&
                    get(b, "lexpr", &l) && column_ref(l, &c) && sets.back().size() == 1;
    all_equalities = all_equalities && equality;
  }
  auto same = [](const ColumnName& x, const ColumnName& y) {
    return x.column == y.column &&
           (x.qualifier == y.qualifier || x.qualifier.empty() || y.qualifier.empty());
  };
  bool one_column = true;
  for (const auto& s : sets) one_column = one_column && s.size() == 1 && same(s[0], sets[0][0]);
  if (one_column) {
    if (all_equalities && sets.size() >= 2) {
      m_.predicates.push_back(Predicate{PredicateKind::kOrOfEqualities, ctx.block, location,
                                        sets[0][0].column, false, false});
    }
    return;
  }
  for (size_t i = 0; i < sets.size(); ++i) {
    for (size_t j = i + 1; j < sets.size(); ++j) {
      bool overlap = false;
      for (const ColumnName& x : sets[i]) {
        for (const ColumnName& y : sets[j]) overlap = overlap || same(x, y);
      }
      if (!overlap) {
        m_.predicates.push_back(
            Predicate{PredicateKind::kOrAcrossColumns, ctx.block, location, {}, false, false});
        return;
      }
    }
  }
}

bool Builder::count_compared_with_zero(object a_expr, bool* negated) const {
  std::string op(last_name(a_expr, "name"));
  element l, r;
  if (!get(a_expr, "lexpr", &l) || !get(a_expr, "rexpr", &r)) return false;
  auto counted = [](element e) { return is_count(e) || is_count_sublink(e); };
  int64_t k = -1;
  if (counted(r) && int_const(l, &k)) {
    std::swap(l, r);
    // k OP count → count OP' k
    if (op == "<")
      op = ">";
    else if (op == ">")
      op = "<";
    else if (op == "<=")
      op = ">=";
    else if (op == ">=")
      op = "<=";
  } else if (!counted(l) || !int_const(r, &k)) {
    return false;
  }
  if ((op == ">" && k == 0) || ((op == "<>" || op == "!=") && k == 0) || (op == ">=" && k == 1)) {
    *negated = false;
    return true;
  }
  if ((op == "=" && k == 0) || (op == "<" && k == 1) || (op == "<=" && k == 0)) {
    *negated = true;
    return true;
  }
  return false;
}

void Builder::collect_columns(element node, std::vector<ColumnName>* out, int depth) const {
  if (depth > 200) return;
  array list;
  if (node.get(list) == simdjson::SUCCESS) {
    for (element e : list) collect_columns(e, out, depth + 1);
    return;
  }
  object body;
  if (node.get(body) != simdjson::SUCCESS) return;
  ColumnName c;
  if (column_ref(node, &c)) {
    out->push_back(std::move(c));
    return;
  }
  for (auto [key, value] : body) {
    if (key == "SubLink" || key == "SelectStmt") continue;  // a subquery's columns are its own
    if (value.is_object() || value.is_array()) collect_columns(value, out, depth + 1);
  }
}

void Builder::collect_qualifiers(element node, std::vector<std::string>* out, int* unqualified,
                                 int depth) const {
  if (depth > 200) return;
  array list;
  if (node.get(list) == simdjson::SUCCESS) {
    for (element e : list) collect_qualifiers(e, out, unqualified, depth + 1);
    return;
  }
  object body;
  if (node.get(body) != simdjson::SUCCESS) return;
  ColumnName c;
  if (column_ref(node, &c)) {
    if (!c.qualifier.empty())
      out->push_back(c.qualifier);
    else if (unqualified != nullptr)
      ++*unqualified;
    return;
  }
  for (auto [key, value] : body) {
    // Inside a subquery, unqualified names are the subquery's own; qualified ones may be ours.
    bool sub = key == "SubLink" || key == "SelectStmt";
    if (value.is_object() || value.is_array()) {
      collect_qualifiers(value, out, sub ? nullptr : unqualified, depth + 1);
    }
  }
}

}  // namespace querylens::sql::model
