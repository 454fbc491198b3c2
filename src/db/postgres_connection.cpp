#include "db/postgres_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "querylens/core/error.h"

namespace querylens::db {
namespace {

// Type OIDs from pg_type.h (server headers are not a dependency).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23;
constexpr Oid kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

[[noreturn]] void throw_postgres(const PGresult* result, PGconn* conn, std::string_view sql) {
  std::string message = postgres_error(result, conn);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state != nullptr) message += fmt::format(" (SQLSTATE {})", state);
  throw Error(ErrorKind::kDatabase, fmt::format("PostgreSQL: {} (in: {})", message, excerpt(sql)));
}

bool succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return result != nullptr &&
         (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY);
}

int64_t command_rows(const PGresult* result) {
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
  int64_t rows = 0;
  if (tuples != nullptr) std::from_chars(tuples, tuples + std::strlen(tuples), rows);
  return rows;
}

void ignore_notice(void*, const char*) {}  // NOTICEs belong to the server log, not our stderr

}  // namespace

std::string postgres_error(const PGresult* result, PGconn* conn) {
  const char* text = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (text == nullptr && result != nullptr && *PQresultErrorMessage(result) != '\0') {
    text = PQresultErrorMessage(result);
  }
  if (text == nullptr) text = PQerrorMessage(conn);
  std::string message = redact_secrets(one_line(text));
  return message.empty() ? "unknown error" : message;
}

PostgresStatement::PostgresStatement(PostgresConnection& connection, std::string name,
                                     std::string sql, const QueryShape* shape, PgResult description)
    : conn_(connection.handle()),
      name_(std::move(name)),
      sql_(std::move(sql)),
      shape_(shape),
      description_(std::move(description)),
      probe_(connection.events(), connection, sql_, shape_, may_end_transaction(sql_)) {
  int params = PQnparams(description_.get());
  param_text_.resize(params);
  param_null_.assign(params, 1);
  param_values_.resize(params);
}

PostgresStatement::~PostgresStatement() {
  if (state_ == State::kRows) finish_rows();
}

void PostgresStatement::bind(int index, const Value& value) {
  if (state_ != State::kReady) {
    if (state_ == State::kRows) finish_rows();
    result_.reset();
    state_ = State::kReady;
  }
  if (index < 1 || index > static_cast<int>(param_text_.size())) {
    throw Error(ErrorKind::kUsage,
                fmt::format("parameter {} out of range: the statement has {} (in: {})", index,
                            param_text_.size(), excerpt(sql_)));
  }
  size_t i = static_cast<size_t>(index - 1);
  param_null_[i] = 0;
  std::string& text = param_text_[i];
  if (const auto* n = std::get_if<int64_t>(&value)) {
    text = fmt::format("{}", *n);
  } else if (const auto* d = std::get_if<double>(&value)) {
    text = fmt::format("{}", *d);  // shortest round-trip form; "inf" / "nan" parse in PG ≥ 12
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    text = *s;
  } else {
    param_null_[i] = 1;
  }
}

void PostgresStatement::execute() {
  for (size_t i = 0; i < param_text_.size(); ++i) {
    param_values_[i] = param_null_[i] ? nullptr : param_text_[i].c_str();
  }
  result_.reset();
  probe_.start();
  result_.reset(PQexecPrepared(conn_, name_.c_str(), static_cast<int>(param_values_.size()),
                               param_values_.data(), nullptr, nullptr, 0));
  if (!succeeded(result_.get())) {
    PgResult failed = std::move(result_);
    state_ = State::kReady;
    probe_.finish(kUnknown, postgres_error(failed.get(), conn_));
    throw_postgres(failed.get(), conn_, sql_);
  }
  if (std::strcmp(PQcmdStatus(result_.get()), "ROLLBACK") == 0 && sql_ == "COMMIT") {
    // The server answers COMMIT of a failed transaction with a silent ROLLBACK: report it,
    // or the caller would believe its writes were saved.
    result_.reset();
    state_ = State::kReady;
    constexpr std::string_view kMessage =
        "COMMIT rolled back: the transaction had already failed (an earlier statement raised an "
        "error)";
    probe_.finish(kUnknown, kMessage);
    throw Error(ErrorKind::kDatabase, fmt::format("PostgreSQL: {}", kMessage));
  }
  rows_ = PQntuples(result_.get());
  // PQcmdTuples also counts a SELECT's rows; only writes count as affected (as in SQLite).
  bool select = std::strncmp(PQcmdStatus(result_.get()), "SELECT", 6) == 0;
  rows_affected_ = select ? 0 : command_rows(result_.get());
  row_ = -1;
  state_ = State::kRows;
}

bool PostgresStatement::step() {
  if (state_ != State::kRows) execute();  // a finished statement runs again, as in SQLite
  if (++row_ < rows_) return true;
  finish_rows();
  return false;
}

void PostgresStatement::finish_rows() {
  state_ = State::kDone;
  bool query = PQnfields(result_.get()) > 0;
  int64_t delivered = std::min(row_ + 1, rows_);  // all of them, or those read before reset()
  probe_.finish(query ? delivered : rows_affected_, {});
}

void PostgresStatement::reset() {
  if (state_ == State::kRows) finish_rows();
  result_.reset();
  state_ = State::kReady;
  std::fill(param_null_.begin(), param_null_.end(), 1);
}

std::string PostgresStatement::column_name(int column) const {
  const char* name = PQfname(description_.get(), column);
  return name ? name : "";
}

bool PostgresStatement::is_null(int column) const {
  return PQgetisnull(result_.get(), row_, column) != 0;
}

std::string_view PostgresStatement::get_text(int column) const {
  return {PQgetvalue(result_.get(), row_, column),
          static_cast<size_t>(PQgetlength(result_.get(), row_, column))};
}

int64_t PostgresStatement::get_int(int column) const {
  std::string_view text = get_text(column);
  if (PQftype(result_.get(), column) == kBool) return text == "t" ? 1 : 0;
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);  // "1.5" reads as 1
  return value;
}

double PostgresStatement::get_double(int column) const {
  std::string_view text = get_text(column);
  if (PQftype(result_.get(), column) == kBool) return text == "t" ? 1 : 0;
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

Value PostgresStatement::get(int column) const {
  if (is_null(column)) return std::monostate{};
  switch (PQftype(result_.get(), column)) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kBool:
      return get_int(column);
    case kFloat4:
    case kFloat8:
    case kNumeric:
      return get_double(column);
    default:
      return std::string(get_text(column));
  }
}

PostgresConnection::PostgresConnection(PGconn* conn, const ConnectOptions& options)
    : conn_(conn),
      options_(options),
      session_(fmt::format("{}:pid {}",
                           options.session_prefix.empty() ? "pg" : options.session_prefix,
                           PQbackendPID(conn))) {
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

PostgresConnection::~PostgresConnection() {
  statements_.clear();  // publish abandoned executions while *this is whole
  PQfinish(conn_);
}

Statement& PostgresConnection::prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    it->second->reset();
    return *it->second;
  }
  std::string text(sql);
  const QueryShape* shape = classify_statement(options_, text);
  std::string name = fmt::format("ql_{}", ++next_statement_);
  // A statement the server rejects is an event too.
  ExecutionProbe<PostgresConnection> probe(options_.events, *this, text, shape, true);
  probe.start();
  PgResult prepared(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
  PgResult description;
  if (succeeded(prepared.get())) description.reset(PQdescribePrepared(conn_, name.c_str()));
  const PGresult* failed = !succeeded(prepared.get()) ? prepared.get() : description.get();
  if (!succeeded(failed)) {
    probe.finish(kUnknown, postgres_error(failed, conn_));
    throw_postgres(failed, conn_, text);
  }
  auto owned = std::make_unique<PostgresStatement>(*this, std::move(name), text, shape,
                                                   std::move(description));
  Statement& statement = *owned;
  statements_.emplace(std::move(text), std::move(owned));
  return statement;
}

void PostgresConnection::execute_script(std::string_view sql) {
  std::string text(sql);
  ExecutionProbe<PostgresConnection> probe(options_.events, *this, text, nullptr, true);
  probe.start();
  PgResult result(PQexec(conn_, text.c_str()));  // simple protocol: several statements allowed
  bool ok = succeeded(result.get());
  if (probe.started()) {
    int64_t rows = !ok                                               ? kUnknown
                   : PQresultStatus(result.get()) == PGRES_TUPLES_OK ? PQntuples(result.get())
                                                                     : command_rows(result.get());
    probe.set_shape(classify_statement(options_, text));
    probe.finish(rows, ok ? std::string() : postgres_error(result.get(), conn_));
  }
  if (!ok) throw_postgres(result.get(), conn_, text);
}

bool PostgresConnection::in_transaction() const {
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

void PostgresConnection::set_statement_timeout(int64_t ms) {
  if (ms < 0) throw Error(ErrorKind::kUsage, "statement timeout must be >= 0 ms");
  // The server enforces it (0 = none, as here) and names it in its error: "canceling
  // statement due to statement timeout". Session-wide, like SQLite's.
  execute_script(fmt::format("SET statement_timeout = {}", ms));
  timeout_ms_ = ms;
}

bool PostgresConnection::ping() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  PgResult result(PQexec(conn_, "SELECT 1"));
  if (succeeded(result.get())) return true;
  // Inside a failed transaction SELECT 1 is refused, yet the session is alive.
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

std::unique_ptr<Connection> connect_postgres(const DatabaseUrl& url,
                                             const ConnectOptions& options) {
  PGconn* conn = PQconnectdb(url.target.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn ? postgres_error(nullptr, conn) : "out of memory";
    PQfinish(conn);
    throw Error(ErrorKind::kDatabase,
                fmt::format("cannot connect to {}: {}", redact_url(url.original), message));
  }
  return std::make_unique<PostgresConnection>(conn, options);
}

}  // namespace querylens::db
