#include "querylens/db/pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "querylens/core/clock.h"
#include "querylens/core/error.h"

namespace querylens::db {
namespace {

PoolOptions adjust(const DatabaseUrl& url, PoolOptions options) {
  if (url.backend == Backend::kSqlite && url.target == ":memory:") {
    // The database lives and dies with its one connection (StaticPool): never a second one,
    // never a replacement.
    options.pool_size = 1;
    options.max_overflow = 0;
    options.recycle = std::chrono::milliseconds(-1);
  }
  if (options.pool_size < 0) options.pool_size = 0;
  if (options.max_overflow < 0) options.max_overflow = 0;
  if (options.pool_size + options.max_overflow < 1) {
    throw Error(ErrorKind::kUsage, "pool_size + max_overflow must allow at least one connection");
  }
  return options;
}

}  // namespace

PooledConnection::PooledConnection(Pool* pool, std::unique_ptr<Connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      invalid_(std::exchange(other.invalid_, false)) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
    invalid_ = std::exchange(other.invalid_, false);
  }
  return *this;
}

PooledConnection::~PooledConnection() { release(); }

void PooledConnection::release() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->give_back(std::move(connection_), invalid_);
  }
  pool_ = nullptr;
  connection_.reset();
  invalid_ = false;
}

Pool::Pool(DatabaseUrl url, PoolOptions options, ConnectOptions connect_options)
    : url_(std::move(url)),
      options_(adjust(url_, options)),
      connect_options_(std::move(connect_options)) {}

Pool::~Pool() = default;

std::unique_ptr<Connection> Pool::open_connection() {
  uint64_t number;
  {
    std::lock_guard lock(mutex_);
    number = next_session_++;
  }
  ConnectOptions options = connect_options_;
  options.session_prefix =
      fmt::format("{}#{}", url_.backend == Backend::kSqlite ? "sqlite" : "pg", number);
  auto connection = connect(url_, options);
  std::lock_guard lock(mutex_);
  ++counters_.opened;
  return connection;
}

PooledConnection Pool::checkout() {
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  std::unique_ptr<Connection> connection;
  {
    std::unique_lock lock(mutex_);
    while (true) {
      if (!idle_.empty()) {
        // FIFO, as QueuePool: connections take turns, so none sits idle long enough to go stale
        // unnoticed while another does all the work.
        connection = std::move(idle_.front());
        idle_.erase(idle_.begin());
        break;
      }
      if (open_ < options_.pool_size + options_.max_overflow) {
        ++open_;  // reserve the slot; the connection is opened without the lock
        break;
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.pool_size + options_.max_overflow) {
        ++counters_.timeouts;
        throw Error(ErrorKind::kDatabase,
                    fmt::format("timed out after {} ms waiting for a connection (pool_size={}, "
                                "max_overflow={}, all {} in use)",
                                options_.timeout.count(), options_.pool_size, options_.max_overflow,
                                open_));
      }
    }
  }
  try {
    if (connection != nullptr && options_.recycle.count() >= 0 &&
        monotonic_ns() - connection->created_monotonic_ns() >
            std::chrono::nanoseconds(options_.recycle).count()) {
      connection.reset();
      std::lock_guard lock(mutex_);
      ++counters_.recycled;
    }
    if (connection != nullptr && options_.pre_ping && !connection->ping()) {
      connection.reset();
      std::lock_guard lock(mutex_);
      ++counters_.ping_failures;
    }
    if (connection == nullptr) connection = open_connection();
  } catch (...) {
    std::lock_guard lock(mutex_);
    --open_;  // the slot is free again: let a waiter try
    available_.notify_one();
    throw;
  }
  return PooledConnection(this, std::move(connection));
}

void Pool::give_back(std::unique_ptr<Connection> connection, bool invalid) {
  if (!invalid && connection->in_transaction()) {
    try {
      connection->rollback();  // reset-on-return: the next borrower starts clean
    } catch (...) {
      invalid = true;
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (!invalid && static_cast<int>(idle_.size()) < options_.pool_size) {
      idle_.push_back(std::move(connection));
      available_.notify_one();
      return;
    }
  }
  // An overflow or broken connection: closed outside the lock, and only then is its slot
  // freed, so the server never sees more than pool_size + max_overflow sessions.
  connection.reset();
  std::lock_guard lock(mutex_);
  --open_;
  available_.notify_one();
}

PoolStatus Pool::status() const {
  std::lock_guard lock(mutex_);
  PoolStatus status = counters_;
  status.idle = static_cast<int>(idle_.size());
  status.checked_out = open_ - status.idle;
  status.overflow = std::max(0, open_ - options_.pool_size);
  return status;
}

}  // namespace querylens::db
