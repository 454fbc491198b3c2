// Pool — connection pool with SQLAlchemy QueuePool semantics.
//
//   pool_size     connections kept open when returned
//   max_overflow  extra connections opened under load, closed when returned
//   timeout       how long connect() waits for a free connection before Error(kDatabase)
//   recycle       connections older than this are closed and replaced at checkout
//   pre_ping      checkout pings the connection and replaces it when dead
// Thread-safe. A returned connection with an open transaction is rolled back first (as
// SQLAlchemy's reset-on-return does), so one caller's work never leaks into the next.
// sqlite::memory: databases are private to a connection, so such a pool holds exactly one
// connection (SQLAlchemy's StaticPool): pool_size 1, max_overflow 0.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "querylens/db/connection.h"

namespace querylens::db {

struct PoolOptions {
  int pool_size = 5;
  int max_overflow = 10;
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds recycle{-1};  // negative: never
  bool pre_ping = false;
};

struct PoolStatus {
  int idle = 0;         // open, waiting in the pool
  int checked_out = 0;  // in use
  int overflow = 0;     // open beyond pool_size
  uint64_t opened = 0;  // connections ever opened
  uint64_t recycled = 0;
  uint64_t ping_failures = 0;
  uint64_t timeouts = 0;
};

class Pool;

// A checked-out connection; returns itself to the pool when destroyed. Move-only.
class PooledConnection {
 public:
  PooledConnection() = default;
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  ~PooledConnection();

  Connection* operator->() const { return connection_.get(); }
  Connection& operator*() const { return *connection_; }
  explicit operator bool() const { return connection_ != nullptr; }
  // Marks the connection broken: it is closed instead of returned.
  void invalidate() { invalid_ = true; }
  void release();  // return now

 private:
  friend class Pool;
  PooledConnection(Pool* pool, std::unique_ptr<Connection> connection);
  Pool* pool_ = nullptr;
  std::unique_ptr<Connection> connection_;
  bool invalid_ = false;
};

class Pool {
 public:
  Pool(DatabaseUrl url, PoolOptions options, ConnectOptions connect_options);
  ~Pool();  // REQUIRES: every PooledConnection has been returned
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  PooledConnection checkout();
  PoolStatus status() const;
  const PoolOptions& options() const { return options_; }

 private:
  friend class PooledConnection;
  void give_back(std::unique_ptr<Connection> connection, bool invalid);
  std::unique_ptr<Connection> open_connection();

  DatabaseUrl url_;
  PoolOptions options_;
  ConnectOptions connect_options_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle + checked out
  uint64_t next_session_ = 1;
  PoolStatus counters_;
};

}  // namespace querylens::db
