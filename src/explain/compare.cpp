// compare_statements(): alternate runs so drift (caches warming, a busy neighbour) hits both
// forms alike; rows compared as a multiset through a commutative hash, so neither result set
// is held in memory.
#include "querylens/explain/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "querylens/core/clock.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/explain/sections.h"
#include "querylens/sql/fold.h"

namespace querylens::explain {
namespace {

struct RunResult {
  double ms = 0;
  int64_t rows = 0;
  uint64_t digest = 0;
};

uint64_t mix(uint64_t h) {  // splitmix64 finalizer: spreads a row hash before summing
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

RunResult run_once(db::Connection& connection, const std::string& sql,
                   const ExplainOptions& options) {
  RunResult r;
  db::Transaction tx(connection);
  if (connection.backend() == db::Backend::kPostgres && options.timeout_ms > 0) {
    // SET LOCAL: ends with the transaction, the session's own setting untouched.
    connection.execute_script(fmt::format("SET LOCAL statement_timeout = {}", options.timeout_ms));
  }
  db::Statement& stmt = connection.prepare(sql);
  for (size_t i = 0; i < options.params.size(); ++i) {
    const auto& p = options.params[i];
    stmt.bind(static_cast<int>(i) + 1, p ? db::Value(*p) : db::Value());
  }
  int64_t start = monotonic_ns();
  std::string row;
  while (stmt.step()) {
    row.clear();
    for (int c = 0; c < stmt.column_count(); ++c) {
      if (stmt.is_null(c)) {
        row += '\x01';
      } else {
        row += stmt.get_text(c);
      }
      row += '\x00';
    }
    r.digest += mix(sql::hash64(row));
    ++r.rows;
  }
  r.ms = static_cast<double>(monotonic_ns() - start) / 1e6;
  stmt.reset();
  tx.rollback();
  return r;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void check_safe(const std::string& sql, const ExplainOptions& options) {
  sql::StatementModel model = sql::build_statement_model(sql);
  StatementSafety s = classify_statement(sql, model);
  if (!s.explainable) throw Error(ErrorKind::kUsage, s.reason);
  if (s.writes && !options.allow_writes) {
    throw Error(ErrorKind::kUsage,
                fmt::format("--compare would run {} (rolled back after each run); add "
                            "--allow-writes to let it",
                            s.reason));
  }
}

}  // namespace

Comparison compare_statements(db::Connection& connection, const std::string& a,
                              const std::string& b, const ExplainOptions& options, int runs) {
  check_safe(a, options);
  check_safe(b, options);
  runs = std::max(1, runs);
  // SQLite's deadline lives on the connection: set it for the comparison, restore it after.
  struct TimeoutScope {
    db::Connection& conn;
    int64_t before;
    TimeoutScope(db::Connection& c, int64_t ms) : conn(c), before(c.statement_timeout()) {
      if (c.backend() == db::Backend::kSqlite) c.set_statement_timeout(ms);
    }
    ~TimeoutScope() {
      if (conn.backend() == db::Backend::kSqlite) conn.set_statement_timeout(before);
    }
  } timeout(connection, options.timeout_ms);
  Comparison c;
  c.a.sql = a;
  c.b.sql = b;
  RunResult wa = run_once(connection, a, options), wb = run_once(connection, b, options);
  c.a.rows = wa.rows;
  c.a.rows_digest = wa.digest;
  c.b.rows = wb.rows;
  c.b.rows_digest = wb.digest;
  for (int i = 0; i < runs; ++i) {
    // Alternate which goes first, so neither always runs on the other's warm cache.
    bool a_first = i % 2 == 0;
    RunResult r1 = run_once(connection, a_first ? a : b, options);
    RunResult r2 = run_once(connection, a_first ? b : a, options);
    (a_first ? c.a : c.b).run_ms.push_back(r1.ms);
    (a_first ? c.b : c.a).run_ms.push_back(r2.ms);
  }
  for (TimedStatement* t : {&c.a, &c.b}) {
    t->median_ms = quantile(t->run_ms, 0.5);
    t->p95_ms = quantile(t->run_ms, 0.95);
  }
  c.same_rows = c.a.rows == c.b.rows && c.a.rows_digest == c.b.rows_digest;
  c.speedup = c.b.median_ms > 0 ? c.a.median_ms / c.b.median_ms : 0;
  c.a.plan = explain_section(connection, a, options);
  c.b.plan = explain_section(connection, b, options);
  return c;
}

std::string render_comparison_text(const Comparison& c) {
  std::string out;
  auto line = [&](const char* name, const TimedStatement& t) {
    out += fmt::format("{}: median {:.3f} ms, p95 {:.3f} ms over {} runs, {} rows\n   {}\n", name,
                       t.median_ms, t.p95_ms, t.run_ms.size(), t.rows,
                       t.sql.size() > 300 ? t.sql.substr(0, 300) + " …" : t.sql);
  };
  line("A", c.a);
  line("B", c.b);
  out += c.same_rows ? "Same rows: yes (compared as a multiset; order not checked)\n"
                     : fmt::format("Same rows: NO — A returned {} rows, B {}{}\n", c.a.rows,
                                   c.b.rows, c.a.rows == c.b.rows ? " with different values" : "");
  if (c.speedup > 0) {
    bool b_faster = c.speedup >= 1;
    double factor = b_faster ? c.speedup : 1 / c.speedup;
    out += fmt::format("{} is faster: {:.2f}× (median {:.3f} ms vs {:.3f} ms){}\n",
                       b_faster ? "B" : "A", factor, std::min(c.a.median_ms, c.b.median_ms),
                       std::max(c.a.median_ms, c.b.median_ms),
                       factor < 1.1 ? " — within noise; run more (--runs)" : "");
  }
  out += "\n-- Plan A\n" + report::render_plans_text({c.a.plan});
  out += "\n-- Plan B\n" + report::render_plans_text({c.b.plan});
  return out;
}

}  // namespace querylens::explain

namespace querylens::explain {

std::string render_comparison_json(const Comparison& c) {
  using Json = nlohmann::ordered_json;
  auto side = [](const TimedStatement& t) {
    Json j;
    j["sql"] = t.sql;
    j["runs_ms"] = t.run_ms;
    j["median_ms"] = t.median_ms;
    j["p95_ms"] = t.p95_ms;
    j["rows"] = t.rows;
    // The plan as `explain --format json` writes it, nested.
    Json plans = Json::parse(report::render_plans_json({t.plan}));
    j["plan"] = plans["plans"].empty() ? Json(nullptr) : plans["plans"][0];
    return j;
  };
  Json j;
  j["schema_version"] = 1;
  j["a"] = side(c.a);
  j["b"] = side(c.b);
  j["same_rows"] = c.same_rows;
  j["speedup"] = c.speedup;
  j["faster"] = c.speedup == 0 ? Json(nullptr) : Json(c.speedup >= 1 ? "b" : "a");
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace querylens::explain
