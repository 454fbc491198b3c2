#include "querylens/sql/expression_columns.h"

#include "sql/model_builder.h"
#include "sql/pg_query_api.h"

namespace querylens::sql {
namespace {

using model::array;
using model::element;
using model::object;

constexpr int kMaxDepth = 200;  // libpg_query's trees for printed plan expressions stay shallow

// Collects every ColumnRef under `e`; false when the tree is deeper than kMaxDepth.
bool collect(element e, std::vector<ColumnReference>* out, int depth) {
  if (depth > kMaxDepth) return false;
  if (e.is_array()) {
    for (element item : array(e)) {
      if (!collect(item, out, depth + 1)) return false;
    }
    return true;
  }
  if (!e.is_object()) return true;
  model::ColumnName name;
  if (model::column_ref(e, &name)) {
    out->push_back({name.qualifier, name.column, name.star});
    return true;
  }
  for (auto field : object(e)) {
    if (!collect(field.value, out, depth + 1)) return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<ColumnReference>> expression_columns(std::string_view expression) {
  if (expression.empty() || expression.find('\0') != std::string_view::npos) return std::nullopt;
  pgq::ParseTree tree = pgq::parse("SELECT " + std::string(expression));
  if (tree.error.failed()) return std::nullopt;
  thread_local simdjson::dom::parser parser(simdjson::SIMDJSON_MAXSIZE_BYTES);
  element root, stmt, targets;
  array stmts;
  object select;
  std::string_view type;
  if (parser.parse(tree.json.data(), tree.json.size(), false).get(root) != simdjson::SUCCESS ||
      root["stmts"].get(stmts) != simdjson::SUCCESS || stmts.size() != 1 ||
      stmts.at(0)["stmt"].get(stmt) != simdjson::SUCCESS || !model::unwrap(stmt, &type, &select) ||
      type != "SelectStmt" || !model::get(select, "targetList", &targets)) {
    return std::nullopt;
  }
  // Only the target list: `SELECT x FROM …` smuggled into the text (a comma-separated Output
  // is one expression per entry, so a FROM cannot be part of one) is not an expression.
  if (model::get(select, "fromClause", &root) || array(targets).size() != 1) return std::nullopt;
  std::vector<ColumnReference> out;
  if (!collect(targets, &out, 0)) return std::nullopt;
  return out;
}

}  // namespace querylens::sql
