// Identifiers querylens writes into SQL (fixes, DDL, catalog queries): always quoted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace querylens::sql {

// `"name"` with embedded quotes doubled: safe for any name, in PostgreSQL and SQLite alike.
std::string quote_identifier(std::string_view name);
// "schema.table" → `"schema"."table"` (each dot-separated part quoted); "t" → `"t"`.
std::string quote_qualified(std::string_view dotted);
// `'text'` with embedded quotes doubled: a string literal under standard_conforming_strings
// (PostgreSQL's default since 9.1, and SQLite's only rule).
std::string quote_literal(std::string_view text);

// The name querylens gives an index it proposes: the parts (table, key columns, markers) in
// lower case joined by `_`, then `_idx` — PostgreSQL's own convention, so a plan finding and
// the advisor name the same index the same way. Other than [a-z0-9_] becomes `_`; cut to 63
// bytes (PostgreSQL's NAMEDATALEN) keeping the `_idx`. Still to be quoted when written.
std::string index_name(const std::vector<std::string>& parts);

}  // namespace querylens::sql
