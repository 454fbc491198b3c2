// Database URLs: which engine, where, and how to print them without the password.
//
// Accepted forms:
//   sqlite:PATH, sqlite://PATH, sqlite:///ABS/PATH   an SQLite file (created when missing)
//   sqlite::memory:                                   a private in-memory SQLite database
//   postgresql://…, postgres://…                      any libpq URI
//   "host=… dbname=… user=…"                          a libpq key=value connection string
#pragma once

#include <string>
#include <string_view>

namespace querylens::db {

enum class Backend { kSqlite, kPostgres };

struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  std::string target;  // SQLite: file path or ":memory:"; PostgreSQL: the libpq conninfo as given
  std::string original;
};

// Throws Error(kUsage) naming the (redacted) URL when the form is not recognised.
DatabaseUrl parse_database_url(std::string_view url);

// The URL or conninfo with any password replaced by "***": user:secret@host → user:***@host,
// password=secret → password=***, ?password=secret → ?password=***.
std::string redact_url(std::string_view url);
// Redacts every URL / conninfo password occurring anywhere in a free-form message (for error
// messages that embed what a library such as libpq echoed back).
std::string redact_secrets(std::string_view message);

}  // namespace querylens::db
