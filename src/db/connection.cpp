#include "querylens/db/connection.h"

#include <cctype>

#include "db/instrument.h"
#include "querylens/core/clock.h"
#include "querylens/core/error.h"
#include "querylens/sql/lexer.h"
#include "querylens/sql/shape_registry.h"

namespace querylens::db {
namespace {

// Leaves a cached statement reusable however the caller's loop ends.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

void run_to_completion(Connection& connection, std::string_view sql) {
  Statement& statement = connection.prepare(sql);
  ResetOnExit reset(statement);
  while (statement.step()) {
  }
}

}  // namespace

const QueryShape* classify_statement(const ConnectOptions& options, std::string_view sql) noexcept {
  if (options.events == nullptr || options.shapes == nullptr) return nullptr;
  try {
    return options.shapes->classify(sql);
  } catch (...) {
    return nullptr;
  }
}

bool may_end_transaction(std::string_view sql) noexcept {
  try {
    sql::LexResult lexed = sql::lex(sql);
    if (!lexed.ok || lexed.tokens.empty()) return true;
    const sql::Token& first = lexed.tokens.front();
    return !(first.is_word("select") || first.is_word("values"));
  } catch (...) {
    return true;  // out of memory: the safe answer
  }
}

std::string excerpt(std::string_view sql) {
  constexpr size_t kMax = 200;
  std::string text = one_line(sql);
  if (text.size() > kMax) text = text.substr(0, kMax) + "…";
  return text;
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void Statement::bind_all(const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) bind(static_cast<int>(i + 1), params[i]);
}

Connection::Connection() : created_ns_(monotonic_ns()) {}

ResultSet Connection::query(std::string_view sql, const Params& params) {
  Statement& statement = prepare(sql);
  ResetOnExit reset(statement);
  statement.bind_all(params);
  ResultSet result;
  int columns = statement.column_count();
  result.columns.reserve(columns);
  for (int c = 0; c < columns; ++c) result.columns.push_back(statement.column_name(c));
  while (statement.step()) {
    auto& row = result.rows.emplace_back();
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) row.push_back(statement.get(c));
  }
  result.rows_affected = statement.rows_affected();
  return result;
}

void Connection::begin() {
  ++transaction_ordinal_;
  run_to_completion(*this, "BEGIN");
}
void Connection::commit() { run_to_completion(*this, "COMMIT"); }
void Connection::rollback() { run_to_completion(*this, "ROLLBACK"); }

Transaction::Transaction(Connection& connection) : connection_(connection) { connection_.begin(); }

Transaction::~Transaction() {
  // A COMMIT that failed may have ended the transaction (PostgreSQL) or not (SQLite BUSY).
  if (done_ || !connection_.in_transaction()) return;
  try {
    connection_.rollback();
  } catch (...) {
    // Destructors must not throw; a connection that cannot roll back is reset by its pool.
  }
}

void Transaction::commit() {
  connection_.commit();
  done_ = true;
}

void Transaction::rollback() {
  done_ = true;  // a failed ROLLBACK is not retried by the destructor
  connection_.rollback();
}

std::unique_ptr<Connection> connect(const DatabaseUrl& url, const ConnectOptions& options) {
  return url.backend == Backend::kSqlite ? connect_sqlite(url, options)
                                         : connect_postgres(url, options);
}

}  // namespace querylens::db
