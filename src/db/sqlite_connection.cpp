#include "db/sqlite_connection.h"

#include <fmt/format.h>

#include <bit>
#include <climits>

#include "querylens/core/clock.h"
#include "querylens/core/error.h"

namespace querylens::db {
namespace {

[[noreturn]] void throw_sqlite(std::string_view message, std::string_view sql) {
  throw Error(ErrorKind::kDatabase, fmt::format("SQLite: {} (in: {})", message, excerpt(sql)));
}

// True when what follows the first statement is only whitespace, semicolons or comments.
bool nothing_but_comments(sqlite3* db, std::string_view rest) {
  if (rest.find_first_not_of(" \t\r\n;") == std::string_view::npos) return true;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, rest.data(), static_cast<int>(rest.size()), 0, &stmt, nullptr);
  bool empty = rc == SQLITE_OK && stmt == nullptr;
  sqlite3_finalize(stmt);
  return empty;
}

}  // namespace

SqliteStatement::SqliteStatement(SqliteConnection& connection, sqlite3_stmt* stmt, std::string sql,
                                 const QueryShape* shape)
    : connection_(connection),
      db_(connection.handle()),
      stmt_(stmt),
      sql_(std::move(sql)),
      shape_(shape),
      probe_(connection.events(), connection, sql_, shape_, may_end_transaction(sql_)),
      returns_rows_(sqlite3_column_count(stmt) > 0),
      writes_(sqlite3_stmt_readonly(stmt) == 0),
      param_count_(sqlite3_bind_parameter_count(stmt)),
      all_params_(param_count_ >= kTrackedParams ? ~uint64_t{0}
                                                 : (uint64_t{1} << param_count_) - 1) {}

SqliteStatement::~SqliteStatement() {
  if (running_) end_execution();
  sqlite3_finalize(stmt_);
}

void SqliteStatement::bind(int index, const Value& value) {
  finish_before_bind();
  int rc;
  if (const auto* i = std::get_if<int64_t>(&value)) {
    rc = sqlite3_bind_int64(stmt_, index, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    rc = sqlite3_bind_double(stmt_, index, *d);
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    // TRANSIENT: SQLite copies, so a temporary Value may die before step().
    rc = sqlite3_bind_text64(stmt_, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else {
    rc = sqlite3_bind_null(stmt_, index);
  }
  bound(index, rc);
}

void SqliteStatement::bind(int index, int64_t value) {
  finish_before_bind();
  bound(index, sqlite3_bind_int64(stmt_, index, value));
}

void SqliteStatement::bind_failed(int index, int rc) {
  if (rc == SQLITE_RANGE) {
    throw Error(ErrorKind::kUsage,
                fmt::format("parameter {} out of range: the statement has {} (in: {})", index,
                            sqlite3_bind_parameter_count(stmt_), excerpt(sql_)));
  }
  throw_sqlite(fmt::format("cannot bind parameter {}: {}", index, sqlite3_errstr(rc)), sql_);
}

void SqliteStatement::null_unbound() {
  for (uint64_t missing = all_params_ & ~rebound_; missing != 0; missing &= missing - 1) {
    sqlite3_bind_null(stmt_, std::countr_zero(missing) + 1);
  }
}

// Inline: step() is its only caller, and the call was ~5 instructions of a lookup's ~300.
inline void SqliteStatement::begin_execution() {
  if (clear_pending_) {  // reset() ran; the usual loop binds every parameter again
    if (rebound_ != all_params_) null_unbound();
    clear_pending_ = false;
  }
  running_ = true;
  stepped_ = true;
  rows_ = 0;
  if (writes_) total_changes_before_ = sqlite3_total_changes64(db_);
  connection_.start_deadline();
  probe_.start();
}

void SqliteStatement::end_execution() {
  running_ = false;
  connection_.stop_deadline();
  // sqlite3_changes64 keeps the last DML's count through DDL; the total tells whether this
  // statement changed anything at all.
  if (writes_) {
    rows_affected_ =
        sqlite3_total_changes64(db_) != total_changes_before_ ? sqlite3_changes64(db_) : 0;
  }
  probe_.finish(returns_rows_ ? rows_ : rows_affected_, {});
}

bool SqliteStatement::step() {
  if (!running_) begin_execution();  // after SQLITE_DONE, sqlite3_step restarts by itself
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    ++rows_;
    return true;
  }
  if (rc == SQLITE_DONE) {
    end_execution();
    return false;
  }
  fail();
}

void SqliteStatement::fail() {
  std::string message = sqlite3_errmsg(db_);
  if (sqlite3_errcode(db_) == SQLITE_INTERRUPT && connection_.timed_out()) {
    message = fmt::format("cancelled: the statement hit the statement timeout of {} ms",
                          connection_.statement_timeout());
  }
  running_ = false;
  connection_.stop_deadline();
  sqlite3_reset(stmt_);  // keeps the bindings: the caller may retry (SQLITE_BUSY)
  stepped_ = false;
  probe_.finish(kUnknown, message);
  throw_sqlite(message, sql_);
}

void SqliteStatement::reset() {
  if (running_) end_execution();
  if (stepped_) {
    sqlite3_reset(stmt_);
    stepped_ = false;
  }
  if (param_count_ > kTrackedParams) {
    sqlite3_clear_bindings(stmt_);
  } else if (param_count_ > 0) {
    clear_pending_ = true;
    rebound_ = 0;
  }
}

std::optional<Statement::EngineCounters> SqliteStatement::engine_counters() const {
  // resetFlag 0: the counters keep growing across executions of this cached statement.
  auto status = [this](int op) { return int64_t{sqlite3_stmt_status(stmt_, op, 0)}; };
  EngineCounters counters;
  counters.fullscan_steps = status(SQLITE_STMTSTATUS_FULLSCAN_STEP);
  counters.sorts = status(SQLITE_STMTSTATUS_SORT);
  counters.autoindex_rows = status(SQLITE_STMTSTATUS_AUTOINDEX);
  counters.vm_steps = status(SQLITE_STMTSTATUS_VM_STEP);
  return counters;
}

int SqliteStatement::parameter_index(std::string_view name) const {
  std::string text(name);  // sqlite3_bind_parameter_index wants a NUL-terminated name
  return sqlite3_bind_parameter_index(stmt_, text.c_str());
}

std::string SqliteStatement::column_name(int column) const {
  const char* name = sqlite3_column_name(stmt_, column);
  return name ? name : "";
}

bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string_view SqliteStatement::get_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

Value SqliteStatement::get(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return sqlite3_column_int64(stmt_, column);
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt_, column);
    case SQLITE_NULL:
      return std::monostate{};
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
      return std::string(bytes ? bytes : "", sqlite3_column_bytes(stmt_, column));
    }
    default:
      return std::string(get_text(column));
  }
}

SqliteConnection::SqliteConnection(sqlite3* db, const ConnectOptions& options)
    : db_(db),
      options_(options),
      session_(options.session_prefix.empty() ? "sqlite" : options.session_prefix) {}

SqliteConnection::~SqliteConnection() {
  statements_.clear();  // finalize (and publish abandoned executions) while *this is whole
  sqlite3_close_v2(db_);
}

Statement& SqliteConnection::prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    it->second->reset();
    return *it->second;
  }
  if (sql.size() > INT_MAX) throw Error(ErrorKind::kUsage, "statement longer than 2 GiB");
  const QueryShape* shape = classify_statement(options_, sql);
  // A statement SQLite rejects is an event too.
  ExecutionProbe<SqliteConnection> probe(options_.events, *this, sql, shape, true);
  probe.start();
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    std::string message = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    probe.finish(kUnknown, message);
    throw_sqlite(message, sql);
  }
  if (stmt == nullptr) throw Error(ErrorKind::kUsage, "empty SQL statement");
  if (!nothing_but_comments(db_, sql.substr(tail - sql.data()))) {
    sqlite3_finalize(stmt);
    throw Error(ErrorKind::kUsage,
                fmt::format("prepare() takes one statement; use execute_script() for several "
                            "(in: {})",
                            excerpt(sql)));
  }
  auto owned = std::make_unique<SqliteStatement>(*this, stmt, std::string(sql), shape);
  Statement& statement = *owned;
  statements_.emplace(std::string(sql), std::move(owned));
  return statement;
}

void SqliteConnection::execute_script(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  ExecutionProbe<SqliteConnection> probe(options_.events, *this, text, nullptr, true);
  int64_t before = sqlite3_total_changes64(db_);
  probe.start();
  char* raw_error = nullptr;
  start_deadline();  // the whole script counts as one execution
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &raw_error);
  bool timed_out = rc == SQLITE_INTERRUPT && timed_out_;
  stop_deadline();
  std::string message;
  if (rc != SQLITE_OK) message = raw_error ? raw_error : sqlite3_errmsg(db_);
  if (timed_out) {
    message =
        fmt::format("cancelled: the statement hit the statement timeout of {} ms", timeout_ms_);
  }
  sqlite3_free(raw_error);
  if (probe.started()) {
    int64_t rows = rc == SQLITE_OK ? sqlite3_total_changes64(db_) - before : kUnknown;
    probe.set_shape(classify_statement(options_, text));
    probe.finish(rows, message);
  }
  if (rc != SQLITE_OK) throw_sqlite(message, text);
}

void SqliteConnection::set_statement_timeout(int64_t ms) {
  if (ms < 0) throw Error(ErrorKind::kUsage, "statement timeout must be >= 0 ms");
  timeout_ms_ = ms;
  deadline_ns_ = 0;
  // Every 1000 VM operations (a few microseconds): fine-grained enough for a timeout in
  // milliseconds, rare enough that reading the clock costs nothing measurable.
  if (ms > 0) {
    sqlite3_progress_handler(db_, 1000, &SqliteConnection::on_progress, this);
  } else {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  }
}

void SqliteConnection::arm_deadline() {
  deadline_ns_ = monotonic_ns() + timeout_ms_ * 1'000'000;
  timed_out_ = false;
}

int SqliteConnection::on_progress(void* self) {
  auto* connection = static_cast<SqliteConnection*>(self);
  if (connection->deadline_ns_ == 0 || monotonic_ns() < connection->deadline_ns_) return 0;
  connection->timed_out_ = true;
  return 1;  // non-zero: SQLite stops the statement with SQLITE_INTERRUPT
}

bool SqliteConnection::ping() {
  return sqlite3_exec(db_, "SELECT 1", nullptr, nullptr, nullptr) == SQLITE_OK;
}

std::unique_ptr<Connection> connect_sqlite(const DatabaseUrl& url, const ConnectOptions& options) {
  sqlite3* db = nullptr;
  // NOMUTEX: a pool hands a connection to one thread at a time, so SQLite's own per-call
  // mutex is pure overhead on the hot path.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(url.target.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw Error(ErrorKind::kDatabase, fmt::format("cannot open SQLite database {}: {}",
                                                  redact_url(url.original), message));
  }
  sqlite3_busy_timeout(db, options.sqlite_busy_timeout_ms);
  return std::make_unique<SqliteConnection>(db, options);
}

}  // namespace querylens::db
