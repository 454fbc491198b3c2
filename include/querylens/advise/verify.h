// --verify and --apply: what advise does to a real database, and only when asked.
//
// verify() measures the recommendations instead of estimating them: the affected queries run
// (read-only SELECTs only) without and then with the recommended indexes, and the medians are
// compared. It never touches the database advise read:
//  - SQLite: the file is copied to a temporary file (sqlite3 backup API, the source opened
//    read-only), the indexes are created on the copy and the copy is ANALYZEd; the copy is
//    deleted at the end, whatever happens.
//  - PostgreSQL: only on the database the caller names (--verify-db): plain CREATE INDEX
//    there, ANALYZE, time, then DROP INDEX of every index it created, whatever happens.
// apply() (--apply) creates the recommended indexes on the target database itself.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "querylens/advise/advise.h"
#include "querylens/db/value.h"

namespace querylens::advise {

// Values for a statement that carries parameter markers and no literals; nullopt: not timed.
using ParameterBinder = std::function<std::optional<db::Params>(
    db::Connection& scratch, const WorkloadQuery& query, const std::string& sql)>;

struct VerifyOptions {
  int runs = 5;           // timed runs per query and configuration (after one warm-up run)
  std::string verify_db;  // PostgreSQL: the database to build, time and drop the indexes on
  // Without a binder, a query whose sample and shape both have parameter markers is skipped
  // (with the reason); the demo binds values taken from its data (demo/advice.cpp).
  ParameterBinder binder;
  int64_t timeout_ms = 60000;  // per statement
};

// Fills result.verification. `url` is the database advise read (--db). Throws Error(kUsage) on
// PostgreSQL without options.verify_db, or when verify_db is not PostgreSQL; Error(kDatabase)
// when the copy or an index cannot be made (messages carry redacted URLs only).
void verify(AdviseResult& result, std::string_view url, const VerifyOptions& options);

// Creates result.indexes on `url`, one at a time, in order: PostgreSQL CREATE INDEX
// CONCURRENTLY IF NOT EXISTS (each its own statement, outside any transaction), SQLite CREATE
// INDEX IF NOT EXISTS. `announce` receives each statement before it runs. Stops at the first
// failure with Error(kDatabase) naming the statement and how many were created before it.
// Returns the number of statements run.
size_t apply(const AdviseResult& result, std::string_view url,
             const std::function<void(const std::string&)>& announce);

// True when `sql` holds a parameter marker (?, ?NNN, $n, :name, @name) outside string
// literals, quoted identifiers and comments.
bool has_parameter_markers(std::string_view sql);

}  // namespace querylens::advise
