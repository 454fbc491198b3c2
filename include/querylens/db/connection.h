// Connection and Statement — one database session, SQLite or PostgreSQL, behind one interface.
//
// Every statement executed through a Connection is timed and published to the connection's
// EventHub as a QueryEvent (when the hub has observers): duration, rows, error, session id,
// transaction ordinal, tags, and the statement's shape (classified once, at prepare time).
// Not thread-safe: one thread uses a connection at a time (the Pool hands them out).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "querylens/capture/observer.h"
#include "querylens/core/query_event.h"
#include "querylens/db/url.h"
#include "querylens/db/value.h"

namespace querylens::sql {
class ShapeRegistry;
}

namespace querylens::db {

// A prepared statement. Bind parameters (1-based), then step() through the rows; step()
// executes on its first call. The statement publishes its QueryEvent when it completes: when
// step() returns false, when it throws, or on reset() / destruction after a partial read.
class Statement {
 public:
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  virtual void bind(int index, const Value& value) = 0;
  // Typed forms: no Value is built on the hot path (an engine that has nothing better converts).
  // Every integral type binds as an integer and every floating type as a double, never one as
  // the other: bind(1, 2.5) is a double, bind(1, 7) an integer.
  virtual void bind(int index, int64_t value) { bind(index, Value{value}); }
  virtual void bind(int index, double value) { bind(index, Value{value}); }
  template <std::integral T>
  void bind(int index, T value) {
    bind(index, static_cast<int64_t>(value));
  }
  void bind(int index, float value) { bind(index, static_cast<double>(value)); }
  void bind_all(const Params& params);
  // Executes (on first call) and advances; true while a row is available. Throws
  // Error(kDatabase) with the engine's message.
  virtual bool step() = 0;
  // Finishes the current execution (publishing its event) and clears bindings for reuse.
  virtual void reset() = 0;

  virtual int column_count() const = 0;
  virtual std::string column_name(int column) const = 0;
  // Typed access to the current row, 0-based columns. REQUIRES: step() returned true.
  virtual bool is_null(int column) const = 0;
  virtual int64_t get_int(int column) const = 0;
  virtual double get_double(int column) const = 0;
  virtual std::string_view get_text(int column) const = 0;  // valid until the next step()
  // By the column's own type (PostgreSQL: by its type OID: int2/4/8 and bool → int64,
  // float4/8 and numeric → double, anything else → text).
  virtual Value get(int column) const = 0;
  // Rows changed by the last INSERT / UPDATE / DELETE.
  virtual int64_t rows_affected() const = 0;
  virtual const std::string& sql() const = 0;

  // What the engine counted for this statement since it was prepared. Never reset (the
  // statement is cached and reused): take differences around an execution.
  struct EngineCounters {
    int64_t fullscan_steps = 0;  // rows stepped through by full table scans
    int64_t sorts = 0;           // sort operations
    int64_t autoindex_rows = 0;  // rows put into automatic (throwaway) indexes
    int64_t vm_steps = 0;        // virtual machine operations
  };
  // SQLite: sqlite3_stmt_status. nullopt where the engine keeps no such counters (PostgreSQL).
  virtual std::optional<EngineCounters> engine_counters() const { return std::nullopt; }
  // True only when the engine itself vouches that the statement changes nothing (SQLite:
  // sqlite3_stmt_readonly); false when it may write or the engine cannot tell.
  virtual bool read_only() const { return false; }
  // Parameters the statement takes (the highest index bind() accepts).
  virtual int parameter_count() const = 0;
  // The 1-based index of a named parameter ("$1", ":name"), 0 when the statement has none of
  // that name or the engine only binds by position (PostgreSQL: $n is index n).
  virtual int parameter_index(std::string_view /*name*/) const { return 0; }

 protected:
  Statement() = default;
};

class Connection {
 public:
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Backend backend() const = 0;
  // A prepared statement owned by this connection's statement cache (keyed by exact text):
  // valid until the connection closes. Preparing the same text again returns it reset.
  // A statement the engine rejects here publishes a failed event too (and throws).
  virtual Statement& prepare(std::string_view sql) = 0;
  // Prepares (cached), binds, runs to completion and returns every row.
  ResultSet query(std::string_view sql, const Params& params = {});
  // Runs one or more statements without parameters or results (DDL, scripts).
  virtual void execute_script(std::string_view sql) = 0;

  void begin();
  void commit();
  void rollback();
  virtual bool in_transaction() const = 0;

  // A cheap round trip ("SELECT 1"); false when the session is dead. Never throws.
  virtual bool ping() = 0;

  // Cancels any later statement still running `ms` milliseconds after its execution began,
  // with Error(kDatabase) saying it hit the timeout; 0 = no limit (the default). Holds until
  // changed. SQLite: a progress handler checking a deadline; PostgreSQL: SET statement_timeout.
  virtual void set_statement_timeout(int64_t ms) = 0;
  virtual int64_t statement_timeout() const = 0;

  // "sqlite#3" / "pg#3:pid 12345" — the session id carried by this connection's events.
  virtual const std::string& session_id() const = 0;
  // Labels put on every event this connection publishes (application, endpoint, user).
  void set_tags(Tags tags) { tags_ = std::move(tags); }
  const Tags& tags() const { return tags_; }
  // Ordinal of the current transaction on this connection (kUnknown outside a transaction).
  int64_t transaction_id() const { return in_transaction() ? transaction_ordinal_ : kUnknown; }
  // The ordinal of the latest transaction begun (what transaction_id() reports inside it).
  int64_t transaction_ordinal() const { return transaction_ordinal_; }

  int64_t created_monotonic_ns() const { return created_ns_; }

 protected:
  Connection();
  Tags tags_;
  int64_t transaction_ordinal_ = 0;  // incremented by begin()
  int64_t created_ns_;
};

struct ConnectOptions {
  EventHub* events = nullptr;            // may be null: no instrumentation
  sql::ShapeRegistry* shapes = nullptr;  // may be null: events carry no shape
  std::string session_prefix;            // e.g. "pg#3"
  int sqlite_busy_timeout_ms = 5000;
};

// Rolls back in the destructor unless commit() or rollback() ran: an exception between begin
// and commit never leaves the transaction open. Errors in that rollback are swallowed.
class Transaction {
 public:
  explicit Transaction(Connection& connection);  // begin()
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();

 private:
  Connection& connection_;
  bool done_ = false;
};

// Opens one connection. Throws Error(kDatabase) with the redacted URL and the engine's message.
std::unique_ptr<Connection> connect(const DatabaseUrl& url, const ConnectOptions& options);

}  // namespace querylens::db
