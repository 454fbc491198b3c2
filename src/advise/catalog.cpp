// The engine-independent half of the catalog, and the dispatch to each engine's reader.
#include "advise/catalog_engine.h"
#include "querylens/db/connection.h"

namespace querylens::advise {

std::optional<std::string> TableInfo::column(const std::string& wanted) const {
  const std::string key = lower(wanted);
  for (const std::string& c : columns) {
    if (lower(c) == key) return c;
  }
  return std::nullopt;
}

const TableInfo* Catalog::table(const std::string& name) const {
  auto it = tables.find(lower(name));
  if (it == tables.end()) {
    // "schema.table" as written in the statement: look the plain name up.
    const size_t dot = name.rfind('.');
    if (dot != std::string::npos) it = tables.find(lower(name.substr(dot + 1)));
  }
  return it == tables.end() ? nullptr : &it->second;
}

Catalog read_catalog(db::Connection& connection, const std::set<std::string>& tables) {
  if (connection.backend() == db::Backend::kPostgres)
    return detail::read_postgres_catalog(connection, tables);
  return detail::read_sqlite_catalog(connection, tables);
}

namespace detail {

int64_t as_int(const db::Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    try {
      return static_cast<int64_t>(std::stod(*s));
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

double as_double(const db::Value& value) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&value)) {
    try {
      return std::stod(*s);
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::string as_text(const db::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return db::is_null(value) ? std::string() : db::to_display(value);
}

bool as_bool(const db::Value& value) {
  if (const auto* s = std::get_if<std::string>(&value))
    return *s == "t" || *s == "true" || *s == "1";
  return as_int(value) != 0;
}

}  // namespace detail
}  // namespace querylens::advise
