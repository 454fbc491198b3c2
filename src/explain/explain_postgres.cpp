// PostgreSQL: EXPLAIN (FORMAT JSON …), inside a transaction that is always rolled back.
//
// Statements with $n parameters (pg_stat_statements, normalized digests) get a generic plan:
// PREPARE, plan_cache_mode = force_generic_plan, EXPLAIN EXECUTE with the given values or
// NULLs (PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN); 16 added it). A prepared statement
// outlives ROLLBACK, so it is deallocated on every path.
#include <fmt/format.h>

#include <atomic>
#include <set>
#include <variant>

#include "explain/engine.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/fold.h"
#include "querylens/sql/lexer.h"
#include "querylens/sql/quote.h"

namespace querylens::explain::detail {
namespace {

std::string explain_options(const ExplainOptions& options, int server_version) {
  std::string out = "FORMAT JSON";
  if (options.analyze) out += ", ANALYZE";
  if (options.analyze && options.buffers) out += ", BUFFERS";
  if (options.verbose) out += ", VERBOSE";
  if (server_version >= 120000) out += ", SETTINGS";
  return out;
}

int server_version(db::Connection& connection) {
  db::ResultSet rs = connection.query("SELECT current_setting('server_version_num')::int");
  if (rs.rows.empty() || rs.rows[0].empty()) return 0;
  const auto* v = std::get_if<int64_t>(&rs.rows[0][0]);
  return v ? static_cast<int>(*v) : 0;
}

std::string first_text(const db::ResultSet& rs) {
  if (rs.rows.empty() || rs.rows[0].empty()) {
    throw Error(ErrorKind::kDatabase, "EXPLAIN returned no plan");
  }
  if (const auto* s = std::get_if<std::string>(&rs.rows[0][0])) return *s;
  throw Error(ErrorKind::kDatabase, "EXPLAIN returned a plan that is not text");
}

void read_table_rows(db::Connection& connection, plan::Plan& plan) {
  std::set<std::string> relations;
  for (const plan::PlanNode& n : plan.nodes) {
    if (!n.relation.empty()) relations.insert(n.relation);
  }
  for (const std::string& relation : relations) {
    // to_regclass: NULL (not an error) for a name the search_path does not resolve. The
    // name is passed as a parameter, never spliced into the text.
    db::ResultSet rs = connection.query(
        "SELECT c.reltuples::float8 FROM pg_catalog.pg_class c "
        "WHERE c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident($1))",
        {relation});
    if (rs.rows.empty() || rs.rows[0].empty()) continue;
    const auto* rows = std::get_if<double>(&rs.rows[0][0]);
    if (rows && *rows >= 0) plan.table_rows[relation] = static_cast<int64_t>(*rows);
  }
}

std::atomic<int> g_prepared_counter{0};

}  // namespace

void run_postgres(db::Connection& connection, const ExplainOptions& options,
                  ExplainResult& result) {
  std::string sql = result.sql;
  // `?` markers (an SQLite capture, a JDBC log) become $n so PostgreSQL can prepare them.
  sql::LexResult lexed = sql::lex(sql);
  if (sql::has_any_sqlite_params(lexed)) {
    if (auto rewritten = sql::rewrite_sqlite_params(sql, lexed)) sql = *rewritten;
  }
  int version = server_version(connection);
  const int params = result.safety.max_param;
  std::string prepared;
  std::string explain;
  if (params > 0) {
    prepared = fmt::format("querylens_explain_{}", ++g_prepared_counter);
    std::string args;
    for (int i = 0; i < params; ++i) {
      if (i) args += ", ";
      const auto& value = static_cast<size_t>(i) < options.params.size()
                              ? options.params[static_cast<size_t>(i)]
                              : std::nullopt;
      // standard_conforming_strings is set on in the transaction: doubling quotes suffices.
      args += value ? sql::quote_literal(*value) : "NULL";
    }
    explain = fmt::format("EXPLAIN ({}) EXECUTE {}({})", explain_options(options, version),
                          prepared, args);
    result.generic_plan = true;
  } else {
    explain = fmt::format("EXPLAIN ({}) {}", explain_options(options, version), sql);
  }

  auto deallocate = [&]() {
    if (prepared.empty()) return;
    try {
      connection.execute_script("DEALLOCATE " + prepared);
    } catch (const Error&) {
      // Never prepared (PREPARE itself failed): nothing to free.
    }
  };
  try {
    db::Transaction tx(connection);
    // Everything below is undone by the rollback; SET LOCAL ends with the transaction.
    connection.execute_script("SET LOCAL standard_conforming_strings = on");
    if (options.timeout_ms > 0) {
      connection.execute_script(
          fmt::format("SET LOCAL statement_timeout = {}", options.timeout_ms));
    }
    if (!prepared.empty()) {
      connection.execute_script("SET LOCAL plan_cache_mode = force_generic_plan");
      connection.execute_script(fmt::format("PREPARE {} AS {}", prepared, sql));
    }
    result.raw = first_text(connection.query(explain));
    tx.rollback();
  } catch (const Error& e) {
    deallocate();
    std::string message = e.what();
    if (message.find("statement timeout") != std::string::npos) {
      message += fmt::format(" (querylens stopped it after {} ms: --timeout)", options.timeout_ms);
    }
    throw Error(e.kind(), message);
  }
  deallocate();
  result.plan = plan::parse_postgres_plan(result.raw);
  read_table_rows(connection, result.plan);
}

}  // namespace querylens::explain::detail
