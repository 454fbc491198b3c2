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

  using Statement::bind;
  void bind(int index, const Value& value) override;
  void bind(int index, int64_t value) override;
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
  std::optional<EngineCounters> engine_counters() const override;
  bool read_only() const override { return !writes_; }
  int parameter_count() const override { return param_count_; }
  int parameter_index(std::string_view name) const override;

 private:
  void begin_execution();
  void end_execution();  // completed or abandoned after a partial read: publishes the event
  [[noreturn]] void fail();
  void null_unbound();
  void finish_before_bind() {
    if (stepped_) [[unlikely]] {  // SQLite binds only between executions
      if (running_) end_execution();
      sqlite3_reset(stmt_);
      stepped_ = false;
    }
  }
  void bound(int index, int rc) {  // records a bind, or throws the reason it failed
    if (rc == SQLITE_OK) [[likely]] {
      if (index <= kTrackedParams) rebound_ |= uint64_t{1} << (index - 1);
      return;
    }
    bind_failed(index, rc);
  }
  [[noreturn]] void bind_failed(int index, int rc);

  static constexpr int kTrackedParams = 64;  // bits in rebound_

  SqliteConnection& connection_;
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
  uint64_t all_params_;         // a bit per parameter (when param_count_ <= kTrackedParams)
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
  void set_statement_timeout(int64_t ms) override;
  int64_t statement_timeout() const override { return timeout_ms_; }

  sqlite3* handle() const { return db_; }
  EventHub* events() const { return options_.events; }

  // An execution starts / ends: arms and disarms the deadline the progress handler checks.
  // Without a timeout this is one branch, so the hot path stays as it was.
  void start_deadline() {
    if (timeout_ms_ > 0) [[unlikely]]
      arm_deadline();
  }
  void stop_deadline() {
    deadline_ns_ = 0;
    timed_out_ = false;
  }
  // The running execution was cancelled by the statement timeout (not sqlite3_interrupt):
  // read it before stop_deadline().
  bool timed_out() const { return timed_out_; }

 private:
  void arm_deadline();
  static int on_progress(void* self);

  sqlite3* db_;
  ConnectOptions options_;
  std::string session_;
  StatementMap<SqliteStatement> statements_;
  int64_t timeout_ms_ = 0;
  // Monotonic ns after which the running execution is cancelled; 0 = none armed. Disarmed
  // when the execution ends so a later prepare (which may call the progress handler) is
  // never cancelled by a stale deadline. One per connection: a statement executed while
  // another is part-read re-arms it, and its end leaves the part-read one without a limit.
  int64_t deadline_ns_ = 0;
  bool timed_out_ = false;
};

}  // namespace querylens::db
