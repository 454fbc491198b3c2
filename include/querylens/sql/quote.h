// Identifiers querylens writes into SQL (fixes, DDL, catalog queries): always quoted.
#pragma once

#include <string>
#include <string_view>

namespace querylens::sql {

// `"name"` with embedded quotes doubled: safe for any name, in PostgreSQL and SQLite alike.
std::string quote_identifier(std::string_view name);
// "schema.table" → `"schema"."table"` (each dot-separated part quoted); "t" → `"t"`.
std::string quote_qualified(std::string_view dotted);
// `'text'` with embedded quotes doubled: a string literal under standard_conforming_strings
// (PostgreSQL's default since 9.1, and SQLite's only rule).
std::string quote_literal(std::string_view text);

}  // namespace querylens::sql
