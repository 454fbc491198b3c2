// IndexDef — one index as advise reasons about it: a candidate, a recommendation, or an
// index that already exists. Plain data plus the SQL that creates or drops it.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::advise {

enum class Engine { kPostgres, kSqlite };

// ASCII lower case (catalog names compared with what the statement model saw).
std::string lower(std::string_view text);

// One key of an index: a column, or a function applied to one (lower(email)).
struct IndexKey {
  std::string column;    // as the catalog spells it
  std::string function;  // empty, or "lower" / "upper": the key is function(column)
  bool descending = false;

  bool operator==(const IndexKey&) const = default;
};

struct IndexDef {
  std::string schema;  // PostgreSQL: the table's schema; SQLite: empty
  std::string table;
  std::vector<IndexKey> keys;
  std::vector<std::string> include;  // PostgreSQL INCLUDE columns (SQLite: appended as keys)
  // Partial index predicate over one column: `"<where_column>" IS NULL` / IS NOT NULL, or
  // `"<where_column>" = <where_value>` when where_value is set.
  std::string where_column;
  bool where_not_null = false;
  std::string name;  // a chosen name (make_index_name) or the existing index's
  // A constant as SQL text (`true`, `3`, `'published'`: sql::ColumnUse::detail); "" for the
  // IS [NOT] NULL predicates. Last, with an initializer, so that positional initializers of
  // the members above stay valid (and -Wmissing-field-initializers quiet).
  std::string where_value{};

  // A stable identity for caches and de-duplication: table, keys, include, predicate.
  std::string key() const;
  bool has_where() const { return !where_column.empty(); }
  bool same_where(const IndexDef& other) const {
    return lower(where_column) == lower(other.where_column) &&
           where_not_null == other.where_not_null && where_value == other.where_value;
  }
};

// `"schema"."table"` (PostgreSQL, when schema is set) or `"table"`.
std::string qualified_table(const IndexDef& index);
// `"user_id", "created_at" DESC`, `lower("email")`. PostgreSQL wraps expressions in
// parentheses (its grammar requires them in an index column list).
std::string render_keys(const IndexDef& index, Engine engine);
// The predicate as SQL (`"deleted_at" IS NULL`, `"is_published" = 1`; a boolean constant on
// PostgreSQL in its canonical form, `"is_open"` / `NOT "is_open"`), or "".
std::string render_where(const IndexDef& index, Engine engine);

// "<table>_<col>_<col>_idx", lower-case, at most 63 bytes (PostgreSQL's identifier limit).
std::string make_index_name(const IndexDef& index);
// `name`, or with a number before "_idx" when `taken` (lower-case names) has it — two indexes
// of one name and `CREATE INDEX IF NOT EXISTS` would skip the second in silence. Adds the
// result to `taken`.
std::string unique_index_name(const std::string& name, std::set<std::string>* taken);
// CREATE INDEX CONCURRENTLY IF NOT EXISTS "name" ON "schema"."table" (…) [INCLUDE (…)]
// [WHERE …]; (PostgreSQL) or CREATE INDEX IF NOT EXISTS "name" ON "table" (…) [WHERE …];
// (SQLite, where INCLUDE columns become trailing keys). REQUIRES: index.name is set.
std::string create_index_sql(const IndexDef& index, Engine engine);
// The statement HypoPG receives: CREATE INDEX ON "schema"."table" (…) … without a name.
std::string hypothetical_index_sql(const IndexDef& index);
// DROP INDEX CONCURRENTLY IF EXISTS "schema"."name"; / DROP INDEX IF EXISTS "name";
std::string drop_index_sql(const std::string& schema, const std::string& name, Engine engine);

}  // namespace querylens::advise
