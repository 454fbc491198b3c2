#include "querylens/db/database.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "querylens/core/error.h"

namespace querylens::db {

Database::Database(DatabaseUrl url, PoolOptions options) : url_(std::move(url)) {
  ConnectOptions connect_options;
  connect_options.events = &events_;
  connect_options.shapes = &shapes_;
  pool_ = std::make_unique<Pool>(url_, options, std::move(connect_options));
}

Database::~Database() = default;

std::unique_ptr<Database> Database::open(std::string_view url, PoolOptions options) {
  DatabaseUrl parsed = parse_database_url(url);
  // The constructor is private: make_unique cannot reach it.
  std::unique_ptr<Database> database(new Database(std::move(parsed), options));
  // Open one connection now (and keep it pooled) so that a bad URL or a server that is down
  // fails here, where the caller named the database, rather than at the first query.
  database->pool_->checkout().release();
  return database;
}

void require_existing_database(std::string_view url) {
  DatabaseUrl parsed = parse_database_url(url);
  if (parsed.backend == Backend::kSqlite && parsed.target != ":memory:") {
    std::error_code ec;
    if (!std::filesystem::exists(parsed.target, ec)) {
      throw Error(ErrorKind::kDatabase,
                  fmt::format("cannot open SQLite database {}: no such file", redact_url(url)));
    }
  }
}

std::unique_ptr<Database> Database::open_existing(std::string_view url, PoolOptions options) {
  require_existing_database(url);
  return open(url, options);
}

ResultSet Database::query(std::string_view sql, const Params& params) {
  PooledConnection connection = connect();
  return connection->query(sql, params);
}

}  // namespace querylens::db
