#include "querylens/sql/statement_model.h"

#include <simdjson.h>

#include <algorithm>

#include "querylens/sql/fold.h"
#include "querylens/sql/lexer.h"
#include "sql/model_builder.h"
#include "sql/pg_query_api.h"

namespace querylens::sql {
namespace {

// Maps byte offsets in the parameter-rewritten text back to the text the caller gave: the two
// texts have the same tokens, only the markers differ in length.
class OffsetMap {
 public:
  OffsetMap(std::string_view original, std::string_view rewritten) {
    LexResult a = lex(original);
    LexResult b = lex(rewritten);
    size_t n = std::min(a.tokens.size(), b.tokens.size());
    for (size_t i = 0; i < n; ++i) {
      points_.push_back({b.tokens[i].offset, a.tokens[i].offset, a.tokens[i].text.size()});
    }
  }
  void map(int* location) const {
    if (*location < 0 || points_.empty()) return;
    size_t loc = static_cast<size_t>(*location);
    auto it = std::upper_bound(points_.begin(), points_.end(), loc,
                               [](size_t v, const Point& p) { return v < p.rewritten; });
    if (it == points_.begin()) return;
    --it;
    *location = static_cast<int>(it->original + std::min(loc - it->rewritten, it->length));
  }

 private:
  struct Point {
    size_t rewritten, original, length;
  };
  std::vector<Point> points_;
};

void remap(StatementModel& m, const OffsetMap& map) {
  map.map(&m.error_location);
  map.map(&m.insert_location);
  for (QueryBlock& b : m.blocks) {
    for (int& l : b.star_locations) map.map(&l);
    for (OrderKey& k : b.order_by) map.map(&k.location);
    map.map(&b.offset_location);
    for (WhereTerm& w : b.where_terms) map.map(&w.location);
  }
  for (TableRef& t : m.tables) map.map(&t.location);
  for (ColumnUse& c : m.columns) map.map(&c.location);
  for (Subquery& s : m.subqueries) {
    map.map(&s.location);
    map.map(&s.test_location);
  }
  for (Predicate& p : m.predicates) map.map(&p.location);
}

bool may_have_sqlite_params(std::string_view sql) {
  return sql.find_first_of("?:@") != std::string_view::npos;
}

// Fills `m` from libpg_query's JSON; false (with m.error) when it cannot be read.
bool build_from_json(const std::string& json, StatementModel& m) {
  // One parser per thread: it keeps its buffers between statements. Nesting deeper than its
  // limit is an error here, not a stack overflow in the walk that follows.
  thread_local simdjson::dom::parser parser(simdjson::SIMDJSON_MAXSIZE_BYTES);
  simdjson::dom::element root;
  auto error = parser.parse(json.data(), json.size(), false).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    m.error = "statement is nested too deeply to analyze";
    return false;
  }
  if (error) {
    m.error = std::string("cannot read the parse tree: ") + simdjson::error_message(error);
    return false;
  }
  simdjson::dom::array stmts;
  if (root["stmts"].get(stmts) != simdjson::SUCCESS) return true;  // only comments
  for (simdjson::dom::element raw : stmts) {
    simdjson::dom::element stmt;
    if (raw["stmt"].get(stmt) == simdjson::SUCCESS) model::Builder(m).statement(stmt);
    break;  // one statement per model: the caller splits scripts
  }
  return true;
}

}  // namespace

std::string_view to_string(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect:
      return "select";
    case StatementKind::kInsert:
      return "insert";
    case StatementKind::kUpdate:
      return "update";
    case StatementKind::kDelete:
      return "delete";
    case StatementKind::kDdl:
      return "ddl";
    case StatementKind::kUtility:
      return "utility";
  }
  return "utility";
}

StatementModel build_statement_model(std::string_view sql) {
  StatementModel m;
  if (sql.find('\0') != std::string_view::npos) {
    m.error = "statement contains a NUL byte";
    m.error_location = static_cast<int>(sql.find('\0'));
    return m;
  }
  std::string text(sql);
  std::optional<std::string> rewritten;
  bool sqlite_only = false;
  if (may_have_sqlite_params(sql)) {
    LexResult lexed = lex(sql);
    rewritten = rewrite_sqlite_params(sql, lexed);
    sqlite_only = rewritten && has_sqlite_only_params(lexed);
  }
  // SQLite-only markers (?3, :name) would be misread: parse the rewritten text. Bare ? and
  // @name are PostgreSQL operators too: try the text as written first.
  bool used_rewrite = sqlite_only;
  pgq::ParseTree tree = pgq::parse(sqlite_only ? *rewritten : text);
  if (tree.error.failed() && rewritten && !sqlite_only) {
    pgq::ParseTree retry = pgq::parse(*rewritten);
    if (!retry.error.failed()) {
      tree = std::move(retry);
      used_rewrite = true;
    }
  }
  if (tree.error.failed()) {
    m.error = tree.error.message;
    // The cursor is 1-based, in characters of the text parsed.
    m.error_location = tree.error.cursor > 0 ? tree.error.cursor - 1 : -1;
    if (used_rewrite) remap(m, OffsetMap(sql, *rewritten));
    return m;
  }
  m.analyzed = build_from_json(tree.json, m);
  if (!m.analyzed) {
    m.blocks.clear();
    m.tables.clear();
    m.columns.clear();
    m.subqueries.clear();
    m.set_operations.clear();
    m.predicates.clear();
    return m;
  }
  if (m.blocks.empty()) m.blocks.emplace_back();  // DDL and utility: one empty block
  if (used_rewrite) remap(m, OffsetMap(sql, *rewritten));
  return m;
}

}  // namespace querylens::sql
