// The SQL advise writes: every identifier quoted, never spliced in raw.
#include "querylens/advise/index_def.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "querylens/sql/quote.h"

namespace querylens::advise {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string IndexDef::key() const {
  std::string out = lower(schema) + "." + lower(table) + "(";
  for (const IndexKey& k : keys) {
    out += k.function.empty() ? lower(k.column) : k.function + "(" + lower(k.column) + ")";
    out += k.descending ? " desc," : ",";
  }
  out += ")";
  if (!include.empty()) {
    out += " include(";
    for (const std::string& c : include) out += lower(c) + ",";
    out += ")";
  }
  if (has_where()) {
    out += " where " + lower(where_column) +
           (!where_value.empty() ? " = " + where_value
            : where_not_null     ? " not null"
                                 : " null");
  }
  return out;
}

std::string qualified_table(const IndexDef& index) {
  if (index.schema.empty()) return sql::quote_identifier(index.table);
  return sql::quote_identifier(index.schema) + "." + sql::quote_identifier(index.table);
}

std::string render_keys(const IndexDef& index, Engine engine) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  for (const IndexKey& k : index.keys) {
    std::string key = sql::quote_identifier(k.column);
    if (!k.function.empty()) {
      // Only functions the candidate generator allows (lower / upper) reach here.
      key = k.function + "(" + key + ")";
      if (engine == Engine::kPostgres) key = "(" + key + ")";
    }
    if (k.descending) key += " DESC";
    add(key);
  }
  // SQLite has no INCLUDE: trailing key columns make the index covering instead.
  if (engine == Engine::kSqlite) {
    for (const std::string& c : index.include) add(sql::quote_identifier(c));
  }
  return out;
}

std::string render_where(const IndexDef& index, Engine engine) {
  if (!index.has_where()) return "";
  const std::string column = sql::quote_identifier(index.where_column);
  if (!index.where_value.empty()) {
    // PostgreSQL keeps a boolean test in its canonical form — `WHERE is_open`, not
    // `is_open = true` — and proves a query's `is_open` and `is_open = true` from that; HypoPG
    // keeps the predicate as written, and from `= true` the planner proves neither.
    if (engine == Engine::kPostgres && index.where_value == "true") return column;
    if (engine == Engine::kPostgres && index.where_value == "false") return "NOT " + column;
    return column + " = " + index.where_value;
  }
  return column + (index.where_not_null ? " IS NOT NULL" : " IS NULL");
}

namespace {

std::string tail(const IndexDef& index, Engine engine) {
  std::string out = " (" + render_keys(index, engine) + ")";
  if (engine == Engine::kPostgres && !index.include.empty()) {
    std::string cols;
    for (const std::string& c : index.include)
      cols += (cols.empty() ? "" : ", ") + sql::quote_identifier(c);
    out += " INCLUDE (" + cols + ")";
  }
  if (index.has_where()) out += " WHERE " + render_where(index, engine);
  return out;
}

}  // namespace

std::string make_index_name(const IndexDef& index) {
  std::vector<std::string> parts{index.table};
  for (const IndexKey& k : index.keys) {
    parts.push_back(k.function.empty() ? k.column : k.function + "_" + k.column);
  }
  if (!index.include.empty()) parts.push_back("incl");
  if (index.has_where()) parts.push_back("partial");
  return sql::index_name(parts);
}

std::string unique_index_name(const std::string& name, std::set<std::string>* taken) {
  std::string out = name;
  const std::string stem = name.size() > 4 ? name.substr(0, name.size() - 4) : name;
  for (int n = 2; taken->count(lower(out)); ++n) {
    const std::string suffix = "_" + std::to_string(n) + "_idx";
    out = stem.substr(0, std::min(stem.size(), 63 - suffix.size())) + suffix;
  }
  taken->insert(lower(out));
  return out;
}

std::string create_index_sql(const IndexDef& index, Engine engine) {
  if (engine == Engine::kPostgres) {
    return fmt::format("CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {}{};",
                       sql::quote_identifier(index.name), qualified_table(index),
                       tail(index, engine));
  }
  return fmt::format("CREATE INDEX IF NOT EXISTS {} ON {}{};", sql::quote_identifier(index.name),
                     sql::quote_identifier(index.table), tail(index, engine));
}

std::string hypothetical_index_sql(const IndexDef& index) {
  return fmt::format("CREATE INDEX ON {}{}", qualified_table(index),
                     tail(index, Engine::kPostgres));
}

std::string drop_index_sql(const std::string& schema, const std::string& name, Engine engine) {
  if (engine == Engine::kPostgres) {
    std::string target = schema.empty()
                             ? sql::quote_identifier(name)
                             : sql::quote_identifier(schema) + "." + sql::quote_identifier(name);
    return "DROP INDEX CONCURRENTLY IF EXISTS " + target + ";";
  }
  return "DROP INDEX IF EXISTS " + sql::quote_identifier(name) + ";";
}

}  // namespace querylens::advise
