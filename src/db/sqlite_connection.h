// Private to src/db: the SQLite engine behind Connection / Statement (sqlite3 C API).
#pragma once

#include <sqlite3.h>

#include <string>

#include "db/instrument.h"
#include "querylens/db/connection.h"

namespace querylens::db {

class SqliteConnection;

// One sqlite3_stmt. The per-execution path (bind, step, column reads, reset) allocates nothing
// and reads the clock twice, and only when the connection's EventHub has observers.
class SqliteStatement final : public Statement {
 public:
  SqliteStatement(SqliteConnection& connection, sqlite3_stmt* stmt, std::string sql,
                  const QueryShape* shape);
  ~SqliteStatement() override;

  void bind(int index, const Value& value) override;
  bool step() override;
  void reset() override;

  int column_count() const override { return sqlite3_column_count(stmt_); }
  std::string column_name(int column) const override;
  bool is_null(int column) const override;
  int64_t get_int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  double get_double(int column) const override { return sqlite3_column_double(stmt_, column); }
  std::string_view get_text(int column) const override;
  Value get(int column) const override;
  int64_t rows_affected() const override { return rows_affected_; }
  const std::string& sql() const override { return sql_; }

 private:
  void begin_execution();
  void end_execution();  // completed or abandoned after a partial read: publishes the event
  [[noreturn]] void fail();
  void null_unbound();

  static constexpr int kTrackedParams = 64;  // bits in rebound_

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  const QueryShape* shape_;
  ExecutionProbe<SqliteConnection> probe_;
  bool returns_rows_;     // a query (or RETURNING): the event counts rows read, not changes
  bool writes_;           // not read-only: rows_affected comes from sqlite3_changes64
  bool running_ = false;  // an execution has begun and not yet completed
  bool stepped_ = false;  // sqlite3_step ran since the last sqlite3_reset
  // reset() clears bindings lazily: parameters not bound again before the next execution are
  // set to NULL then, so the usual bind-everything loop skips sqlite3_clear_bindings.
  int param_count_;
  uint64_t rebound_ = 0;        // parameters bound since the last reset()
  bool clear_pending_ = false;  // reset() ran: unbound parameters must read as NULL
  int64_t rows_ = 0;
  int64_t rows_affected_ = 0;
  int64_t total_changes_before_ = 0;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, const ConnectOptions& options);
  ~SqliteConnection() override;

  Backend backend() const override { return Backend::kSqlite; }
  Statement& prepare(std::string_view sql) override;
  void execute_script(std::string_view sql) override;
  bool in_transaction() const override { return sqlite3_get_autocommit(db_) == 0; }
  bool ping() override;
  const std::string& session_id() const override { return session_; }

  sqlite3* handle() const { return db_; }
  EventHub* events() const { return options_.events; }

 private:
  sqlite3* db_;
  ConnectOptions options_;
  std::string session_;
  StatementMap<SqliteStatement> statements_;
};

}  // namespace querylens::db
