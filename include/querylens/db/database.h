// Database — the entry point of the C++ face: a URL, a pool, and instrumentation.
//
//   auto db = querylens::db::Database::open("sqlite:app.db");
//   auto digest = std::make_shared<querylens::stats::DigestObserver>(db->shapes());
//   db->events().add(digest);
//   auto conn = db->connect();
//   auto rows = conn->query("SELECT id FROM users WHERE email = ?", {std::string("a@b.c")});
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "querylens/capture/observer.h"
#include "querylens/db/pool.h"
#include "querylens/sql/shape_registry.h"

namespace querylens::db {

// Throws Error(kDatabase) "cannot open SQLite database URL: no such file" when `url` names an
// SQLite file that does not exist (the db layer would create it; inspecting tools must not).
// PostgreSQL and ":memory:" pass.
void require_existing_database(std::string_view url);

class Database {
 public:
  // Throws Error(kUsage) for an unrecognised URL, Error(kDatabase) when the first connection
  // cannot be opened (the pool opens one eagerly so a bad URL fails here, not later).
  static std::unique_ptr<Database> open(std::string_view url, PoolOptions options = {});
  // The same for a database querylens only inspects (explain, advise): an SQLite file that
  // does not exist is Error(kDatabase) "no such file" instead of being created.
  static std::unique_ptr<Database> open_existing(std::string_view url, PoolOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  PooledConnection connect() { return pool_->checkout(); }
  // Convenience: checkout, query, return.
  ResultSet query(std::string_view sql, const Params& params = {});

  EventHub& events() { return events_; }
  sql::ShapeRegistry& shapes() { return shapes_; }
  Backend backend() const { return url_.backend; }
  std::string redacted_url() const { return redact_url(url_.original); }
  PoolStatus pool_status() const { return pool_->status(); }

 private:
  Database(DatabaseUrl url, PoolOptions options);
  DatabaseUrl url_;
  EventHub events_;
  sql::ShapeRegistry shapes_;
  std::unique_ptr<Pool> pool_;  // destroyed first: connections reference events_ and shapes_
};

}  // namespace querylens::db
