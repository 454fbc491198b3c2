// Internal: each engine's catalog reader and the cell conversions they share.
#pragma once

#include <set>
#include <string>

#include "querylens/advise/catalog.h"
#include "querylens/db/value.h"

namespace querylens::advise::detail {

Catalog read_postgres_catalog(db::Connection& connection, const std::set<std::string>& tables);
Catalog read_sqlite_catalog(db::Connection& connection, const std::set<std::string>& tables);

int64_t as_int(const db::Value& value);
double as_double(const db::Value& value);
std::string as_text(const db::Value& value);
bool as_bool(const db::Value& value);  // PostgreSQL text booleans ("t") and integers

}  // namespace querylens::advise::detail
