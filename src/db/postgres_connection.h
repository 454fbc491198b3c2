// Private to src/db: the PostgreSQL engine behind Connection / Statement (libpq).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "db/instrument.h"
#include "querylens/db/connection.h"

namespace querylens::db {

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PostgresConnection;

// One server-side prepared statement ("ql_<n>"), described once at prepare time so column
// names and the parameter count are known before the first execution. Parameters travel as
// text and the server infers their types; each execution fetches the whole result.
class PostgresStatement final : public Statement {
 public:
  PostgresStatement(PostgresConnection& connection, std::string name, std::string sql,
                    const QueryShape* shape, PgResult description);
  ~PostgresStatement() override;

  using Statement::bind;
  void bind(int index, const Value& value) override;
  bool step() override;
  void reset() override;

  int column_count() const override { return PQnfields(description_.get()); }
  std::string column_name(int column) const override;
  bool is_null(int column) const override;
  int64_t get_int(int column) const override;
  double get_double(int column) const override;
  std::string_view get_text(int column) const override;
  Value get(int column) const override;
  int64_t rows_affected() const override { return rows_affected_; }
  const std::string& sql() const override { return sql_; }
  int parameter_count() const override { return PQnparams(description_.get()); }

 private:
  enum class State { kReady, kRows, kDone };
  void execute();
  void finish_rows();  // publishes the event of a completed or abandoned execution

  PGconn* conn_;
  std::string name_;
  std::string sql_;
  const QueryShape* shape_;
  PgResult description_;
  ExecutionProbe<PostgresConnection> probe_;
  std::vector<std::string> param_text_;
  std::vector<char> param_null_;
  std::vector<const char*> param_values_;
  PgResult result_;
  State state_ = State::kReady;
  int row_ = -1;
  int rows_ = 0;
  int64_t rows_affected_ = 0;
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, const ConnectOptions& options);
  ~PostgresConnection() override;

  Backend backend() const override { return Backend::kPostgres; }
  Statement& prepare(std::string_view sql) override;
  void execute_script(std::string_view sql) override;
  bool in_transaction() const override;
  bool ping() override;
  const std::string& session_id() const override { return session_; }
  void set_statement_timeout(int64_t ms) override;
  int64_t statement_timeout() const override { return timeout_ms_; }

  PGconn* handle() const { return conn_; }
  EventHub* events() const { return options_.events; }

 private:
  PGconn* conn_;
  ConnectOptions options_;
  std::string session_;
  uint64_t next_statement_ = 0;
  StatementMap<PostgresStatement> statements_;
  int64_t timeout_ms_ = 0;
};

// The server's message for a failed result (or the connection's, when libpq made it up),
// on one line and without passwords.
std::string postgres_error(const PGresult* result, PGconn* conn);

}  // namespace querylens::db
