// --verify (build the recommendations on a scratch database and time the queries they serve)
// and --apply (build them on the target).
#include "querylens/advise/verify.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/db/database.h"
#include "querylens/db/url.h"
#include "querylens/sql/quote.h"

namespace querylens::advise {

bool has_parameter_markers(std::string_view sql) {
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = sql.find(c, i + 1);
      if (end == std::string_view::npos) return false;
      i = end;
    } else if (c == '-' && next == '-') {
      const size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) return false;
      i = end;
    } else if (c == '/' && next == '*') {
      const size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 1;
    } else if (c == '?') {
      return true;
    } else if (c == '$' && std::isdigit(static_cast<unsigned char>(next))) {
      // $1 (not a dollar-quoted string or an identifier's $ such as a$1)
      if (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_'))
        return true;
    } else if ((c == ':' || c == '@') &&
               (std::isalpha(static_cast<unsigned char>(next)) || next == '_')) {
      // :name / @name, but not PostgreSQL's x::type cast
      if (c == ':' && i > 0 && sql[i - 1] == ':') continue;
      return true;
    }
  }
  return false;
}

namespace {

using Clock = std::chrono::steady_clock;

// A SELECT that changes nothing: no data-modifying CTE, no row locks, no SELECT INTO.
bool read_only_select(const WorkloadQuery& q) {
  return q.model.kind == sql::StatementKind::kSelect && !q.model.data_modifying_cte &&
         !q.model.row_locking && !q.model.select_into;
}

double median_ms(db::Connection& conn, const std::string& sql, const db::Params& params, int runs) {
  conn.query(sql, params);  // warm-up: caches, the statement prepared
  std::vector<double> times;
  for (int i = 0; i < std::max(1, runs); ++i) {
    const auto start = Clock::now();
    conn.query(sql, params);
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  return n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

struct Prepared {
  std::string sql;
  db::Params params;
  std::string skipped;
};

// Which statement to time for a workload query: its sample when that has literals, the shape
// when that has none, else what the binder gives; otherwise why it is skipped.
Prepared choose_statement(db::Connection& conn, const WorkloadQuery& q,
                          const VerifyOptions& options) {
  Prepared p;
  if (!read_only_select(q)) {
    p.skipped = "not a read-only SELECT: writes are never run";
    return p;
  }
  if (!q.sample.empty() && !has_parameter_markers(q.sample)) {
    p.sql = q.sample;
  } else if (!has_parameter_markers(q.sql)) {
    p.sql = q.sql;
  } else {
    const std::string text = q.sample.empty() ? q.sql : q.sample;
    std::optional<db::Params> values;
    if (options.binder) values = options.binder(conn, q, text);
    if (!values) {
      p.skipped = "has parameters ($n / ?) and no sample with literal values: not timed";
      return p;
    }
    p.sql = text;
    p.params = std::move(*values);
  }
  if (conn.backend() == db::Backend::kSqlite && !conn.prepare(p.sql).read_only()) {
    p.skipped = "SQLite does not vouch that the statement is read-only: not run";
    p.sql.clear();
  }
  return p;
}

// The queries the recommendations serve, each once, with the statement to run.
struct Timed {
  Prepared statement;
  double before_ms = 0, after_ms = 0;
};

std::map<size_t, Timed> affected_queries(const AdviseResult& result, db::Connection& conn,
                                         const VerifyOptions& options) {
  std::map<size_t, Timed> out;
  for (const Recommendation& r : result.indexes) {
    for (const QueryEffect& e : r.queries) {
      if (out.count(e.query)) continue;
      Timed t;
      try {
        t.statement = choose_statement(conn, result.workload.at(e.query), options);
      } catch (const Error& err) {
        t.statement.sql.clear();
        t.statement.skipped = "could not be prepared: " + db::redact_secrets(err.message());
      }
      out.emplace(e.query, std::move(t));
    }
  }
  return out;
}

void time_all(db::Connection& conn, std::map<size_t, Timed>& queries, int runs, bool before) {
  for (auto& entry : queries) {
    Timed& t = entry.second;
    if (!t.statement.skipped.empty()) continue;
    try {
      const double ms = median_ms(conn, t.statement.sql, t.statement.params, runs);
      (before ? t.before_ms : t.after_ms) = ms;
    } catch (const Error& err) {
      t.statement.skipped = "failed: " + db::redact_secrets(err.message());
    }
  }
}

void fill(AdviseResult& result, const std::map<size_t, Timed>& queries) {
  result.verification.indexes.clear();
  for (const Recommendation& r : result.indexes) {
    std::vector<QueryTiming> rows;
    for (const QueryEffect& e : r.queries) {
      const Timed& t = queries.at(e.query);
      QueryTiming row;
      row.query = e.query;
      row.sql = t.statement.sql;
      row.skipped = t.statement.skipped;
      if (row.skipped.empty()) {
        row.before_ms = t.before_ms;
        row.after_ms = t.after_ms;
        // A query faster than the clock's resolution still has a finite speed-up.
        row.speedup = t.before_ms / std::max(t.after_ms, 0.001);
      }
      rows.push_back(std::move(row));
    }
    result.verification.indexes.push_back(std::move(rows));
  }
  result.verification.ran = true;
}

// A temporary file that is removed (with its journal files) when the guard goes.
class TempCopy {
 public:
  TempCopy() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "querylens-verify-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0)
      throw Error(ErrorKind::kDatabase, "--verify: cannot create a temporary file for the copy");
    ::close(fd);
    path_ = pattern;
  }
  ~TempCopy() {
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix, ec);
  }
  TempCopy(const TempCopy&) = delete;
  TempCopy& operator=(const TempCopy&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The whole database through SQLite's online backup: a consistent copy, the source only read.
void backup_sqlite(const std::string& source, const std::string& target, const std::string& shown) {
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto fail = [&](const std::string& what) {
    const std::string message = fmt::format("--verify: cannot copy {}: {}", shown, what);
    if (src) sqlite3_close(src);
    if (dst) sqlite3_close(dst);
    throw Error(ErrorKind::kDatabase, message);
  };
  if (sqlite3_open_v2(source.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    fail(src ? sqlite3_errmsg(src) : "out of memory");
  if (sqlite3_open_v2(target.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    fail(dst ? sqlite3_errmsg(dst) : "out of memory");
  sqlite3_busy_timeout(src, 5000);
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (!backup) fail(sqlite3_errmsg(dst));
  const int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) fail(sqlite3_errstr(rc));
  sqlite3_close(src);
  sqlite3_close(dst);
}

std::string plain_create_sql(const IndexDef& index) {
  std::string sql = create_index_sql(index, Engine::kPostgres);
  const std::string prefix = "CREATE INDEX CONCURRENTLY IF NOT EXISTS ";
  if (sql.rfind(prefix, 0) == 0) sql = "CREATE INDEX " + sql.substr(prefix.size());
  return sql;
}

std::string qualified_index(const IndexDef& index) {
  return (index.schema.empty() ? "" : sql::quote_identifier(index.schema) + ".") +
         sql::quote_identifier(index.name);
}

// Drops, at scope exit, the indexes verify created on --verify-db.
class CreatedIndexes {
 public:
  explicit CreatedIndexes(db::Connection& conn) : conn_(conn) {}
  ~CreatedIndexes() {
    for (const std::string& target : names_) {
      try {
        conn_.execute_script("DROP INDEX IF EXISTS " + target);
      } catch (...) {  // NOLINT: a destructor; the connection may be gone
      }
    }
  }
  CreatedIndexes(const CreatedIndexes&) = delete;
  CreatedIndexes& operator=(const CreatedIndexes&) = delete;
  void add(std::string target) { names_.push_back(std::move(target)); }

 private:
  db::Connection& conn_;
  std::vector<std::string> names_;
};

void verify_sqlite(AdviseResult& result, const db::DatabaseUrl& parsed, const std::string& shown,
                   const VerifyOptions& options) {
  if (parsed.target == ":memory:")
    throw Error(ErrorKind::kUsage, "--verify needs an SQLite file, not :memory:");
  std::error_code ec;
  if (!std::filesystem::exists(parsed.target, ec))
    throw Error(ErrorKind::kDatabase,
                fmt::format("cannot open SQLite database {}: no such file", shown));
  TempCopy copy;  // declared before the connection: removed after it is closed
  backup_sqlite(parsed.target, copy.path(), shown);
  std::unique_ptr<db::Connection> conn =
      db::connect(db::parse_database_url("sqlite:" + copy.path()), {});
  std::map<size_t, Timed> queries = affected_queries(result, *conn, options);
  conn->set_statement_timeout(options.timeout_ms);  // the queries only, not the index builds
  time_all(*conn, queries, options.runs, true);
  conn->set_statement_timeout(0);
  for (const Recommendation& r : result.indexes)
    conn->execute_script(create_index_sql(r.index, Engine::kSqlite));
  conn->execute_script("ANALYZE");
  conn->set_statement_timeout(options.timeout_ms);
  time_all(*conn, queries, options.runs, false);
  conn.reset();
  fill(result, queries);
  result.verification.target = "a temporary copy of " + shown;
}

void verify_postgres(AdviseResult& result, const VerifyOptions& options) {
  const db::DatabaseUrl parsed = db::parse_database_url(options.verify_db);
  const std::string shown = db::redact_url(options.verify_db);
  if (parsed.backend != db::Backend::kPostgres)
    throw Error(ErrorKind::kUsage,
                fmt::format("--verify-db {} is not a PostgreSQL database", shown));
  std::unique_ptr<db::Connection> conn = db::connect(parsed, {});
  std::map<size_t, Timed> queries = affected_queries(result, *conn, options);
  conn->set_statement_timeout(options.timeout_ms);
  time_all(*conn, queries, options.runs, true);
  conn->set_statement_timeout(0);  // the queries only, not the index builds
  {
    CreatedIndexes created(*conn);
    std::set<std::string> tables;
    for (const Recommendation& r : result.indexes) {
      const std::string sql = plain_create_sql(r.index);
      try {
        conn->execute_script(sql);
      } catch (const Error& e) {
        throw Error(ErrorKind::kDatabase, fmt::format("--verify: on {}: {} failed: {}", shown, sql,
                                                      db::redact_secrets(e.message())));
      }
      created.add(qualified_index(r.index));
      tables.insert(qualified_table(r.index));
    }
    for (const std::string& t : tables) conn->execute_script("ANALYZE " + t);
    conn->set_statement_timeout(options.timeout_ms);
    time_all(*conn, queries, options.runs, false);
    conn->set_statement_timeout(0);
  }  // the indexes are dropped here
  fill(result, queries);
  result.verification.target = shown;
  result.verification.notes.push_back(
      fmt::format("the {} indexes were created on {} for the measurement and dropped again",
                  result.indexes.size(), shown));
}

}  // namespace

void verify(AdviseResult& result, std::string_view url, const VerifyOptions& options) {
  const db::DatabaseUrl parsed = db::parse_database_url(url);
  const std::string shown = db::redact_url(url);
  if (parsed.backend == db::Backend::kPostgres && options.verify_db.empty())
    throw Error(ErrorKind::kUsage,
                "--verify on PostgreSQL needs --verify-db URL: a separate database (a copy of "
                "this one) where querylens may create the indexes, time the queries and drop "
                "them again; it never builds indexes on --db");
  result.verification = {};
  result.verification.runs = std::max(1, options.runs);
  if (result.indexes.empty()) {
    result.verification.ran = true;
    result.verification.target = parsed.backend == db::Backend::kSqlite
                                     ? "a temporary copy of " + shown
                                     : db::redact_url(options.verify_db);
    result.verification.notes.push_back("nothing to verify: no index is recommended");
    return;
  }
  if (parsed.backend == db::Backend::kSqlite) {
    verify_sqlite(result, parsed, shown, options);
  } else {
    verify_postgres(result, options);
  }
}

size_t apply(const AdviseResult& result, std::string_view url,
             const std::function<void(const std::string&)>& announce) {
  const db::DatabaseUrl parsed = db::parse_database_url(url);
  const std::string shown = db::redact_url(url);
  db::require_existing_database(url);  // the db layer would create a missing file
  std::unique_ptr<db::Connection> conn = db::connect(parsed, {});
  size_t done = 0;
  for (const Recommendation& r : result.indexes) {
    const std::string sql = create_index_sql(r.index, result.engine);
    if (announce) announce(sql);
    try {
      conn->execute_script(sql);  // one statement: outside any transaction block
    } catch (const Error& e) {
      throw Error(
          ErrorKind::kDatabase,
          fmt::format("--apply stopped on {}: {} failed: {} ({} of {} indexes created "
                      "before it)",
                      shown, sql, db::redact_secrets(e.message()), done, result.indexes.size()));
    }
    ++done;
  }
  return done;
}

}  // namespace querylens::advise
