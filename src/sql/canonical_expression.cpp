// Canonical expressions: libpg_query's JSON node, re-serialized without what does not change
// the value (locations, qualifiers, name case) — see querylens/sql/canonical_expression.h.
#include "sql/canonical_expression.h"

#include <cctype>

#include "querylens/sql/canonical_expression.h"
#include "sql/model_builder.h"
#include "sql/pg_query_api.h"

namespace querylens::sql {
namespace {

using model::array;
using model::element;
using model::object;

constexpr int kMaxDepth = 200;  // as deep as the statement model walks

void append_quoted(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// {"Type": {...}} with exactly one member: a parse-tree node.
bool node(element e, std::string_view* type, object* body) {
  object o;
  return e.get(o) == simdjson::SUCCESS && o.size() == 1 && model::unwrap(e, type, body);
}

// The names of a list such as funcname / typeName.names, without a leading `pg_catalog`.
std::vector<std::string_view> names(object body, std::string_view key) {
  std::vector<std::string_view> out;
  array list;
  if (!model::get(body, key, &list)) return out;
  for (element part : list) {
    std::string_view t;
    object b;
    if (node(part, &t, &b) && t == "String") out.push_back(model::get_string(b, "sval"));
  }
  if (out.size() > 1 && out[0] == "pg_catalog") out.erase(out.begin());
  return out;
}

// `x::text` (or `::varchar`, no length) of a column or a string literal: the cast PostgreSQL
// inserts by itself where a text argument is expected, and which pg_get_indexdef writes out
// (`lower((email)::text)` for a varchar column, `coalesce(kind, 'none'::text)`). Written or
// not, the value is the same, so the form leaves it out on both sides.
bool text_cast(object cast, element* inner) {
  element arg;
  object type_name, body, sval;
  std::string_view t;
  if (!model::get(cast, "arg", &arg) || !model::get(cast, "typeName", &type_name) ||
      !node(arg, &t, &body) ||
      !(t == "ColumnRef" || (t == "A_Const" && model::get(body, "sval", &sval)))) {
    return false;
  }
  array unused;
  if (model::get(type_name, "typmods", &unused) || model::get(type_name, "arrayBounds", &unused))
    return false;
  std::vector<std::string_view> n = names(type_name, "names");
  if (n.size() != 1 || (n[0] != "text" && n[0] != "varchar")) return false;
  *inner = arg;
  return true;
}

bool write(element e, std::string& out, int depth);

bool write_members(object body, std::string& out, int depth) {
  out += '{';
  for (auto [key, value] : body) {
    if (key == "location") continue;
    append_quoted(key, out);
    out += ':';
    if (key == "funcname") {
      out += '[';
      for (std::string_view n : names(body, "funcname")) {
        append_quoted(n, out);
        out += ',';
      }
      out += ']';
    } else if (!write(value, out, depth + 1)) {
      return false;
    }
    out += ',';
  }
  out += '}';
  return true;
}

bool write(element e, std::string& out, int depth) {
  if (depth > kMaxDepth) return false;
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      out += '[';
      for (element item : array(e)) {
        if (!write(item, out, depth + 1)) return false;
        out += ',';
      }
      out += ']';
      return true;
    }
    case simdjson::dom::element_type::OBJECT: {
      std::string_view type;
      object body;
      if (node(e, &type, &body)) {
        if (type == "ColumnRef") {
          // Only the column: the caller matched the table already (a qualifier, an alias or
          // none name the same column). Unquoted names are lower case already; quoted ones
          // are folded too, as the schema folds column names.
          model::ColumnName c;
          model::column_ref(e, &c);
          std::string name = c.star ? "*" : c.column;
          for (char& ch : name)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          out += "col:";
          append_quoted(name, out);
          return true;
        }
        element inner;
        if (type == "TypeCast" && text_cast(body, &inner)) return write(inner, out, depth);
        append_quoted(type, out);
        out += ':';
        return write_members(body, out, depth);
      }
      return write_members(object(e), out, depth);
    }
    case simdjson::dom::element_type::STRING:
      append_quoted(std::string_view(e), out);
      return true;
    default:
      out += simdjson::minify(e);
      return true;
  }
}

}  // namespace

std::string canonical_expression(element node) {
  std::string out;
  return write(node, out, 0) ? out : std::string();
}

std::string index_leading_expression(std::string_view create_index_sql) {
  if (create_index_sql.find('\0') != std::string_view::npos) return {};
  pgq::ParseTree tree = pgq::parse(std::string(create_index_sql));
  if (tree.error.failed()) return {};
  thread_local simdjson::dom::parser parser(simdjson::SIMDJSON_MAXSIZE_BYTES);
  element root, stmt, first, where, expr;
  array stmts, params, collation;
  object index, elem;
  std::string_view type;
  if (parser.parse(tree.json.data(), tree.json.size(), false).get(root) != simdjson::SUCCESS ||
      root["stmts"].get(stmts) != simdjson::SUCCESS || stmts.size() != 1 ||
      stmts.at(0)["stmt"].get(stmt) != simdjson::SUCCESS || !node(stmt, &type, &index) ||
      type != "IndexStmt" || model::get(index, "whereClause", &where) ||
      !model::get(index, "indexParams", &params) || params.size() == 0 ||
      params.at(0).get(first) != simdjson::SUCCESS || !node(first, &type, &elem) ||
      type != "IndexElem" || model::get(elem, "collation", &collation) ||
      !model::get(elem, "expr", &expr)) {
    return {};
  }
  return canonical_expression(expr);
}

}  // namespace querylens::sql
