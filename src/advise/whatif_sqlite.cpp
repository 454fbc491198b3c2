// SQLite what-if, `.expert` done further: the schema is copied into an in-memory database,
// sqlite_stat1 rows are computed from a sample of the real data (SELECTs on the user's
// database, never ANALYZE there), candidates are created on the empty copies, and the plan
// EXPLAIN QUERY PLAN prints is turned into an estimated cost.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "advise/catalog_engine.h"
#include "advise/table_sample.h"
#include "querylens/advise/whatif.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/plan/parse.h"
#include "querylens/sql/quote.h"

namespace querylens::advise {
namespace {

using detail::as_double;
using detail::as_int;
using detail::as_text;

// sqlite_stat1 for one index: the rows it holds, then for each leading prefix of its keys the
// average number of rows sharing one value of that prefix.
struct IndexStat {
  std::vector<int64_t> stat;
  double avg_width = 0;  // bytes per entry, keys only
};

std::string stat_text(const IndexStat& s) {
  std::string out;
  for (int64_t v : s.stat) out += (out.empty() ? "" : " ") + std::to_string(v);
  return out;
}

// sqlite_stat1 from a sample: `sampled` rows, each standing for `scale` rows of the table, and
// the distinct values of each key prefix in the sample. A prefix nearly unique in the sample
// is nearly unique in the table too; otherwise the sample is taken to have seen every value.
IndexStat scaled_stat(double sampled, double scale, double avg_width,
                      const std::vector<double>& distinct_per_prefix) {
  IndexStat s;
  sampled = std::max<double>(1, sampled);
  const double rows = std::max<double>(1, std::round(sampled * scale));
  s.avg_width = avg_width;
  s.stat.push_back(static_cast<int64_t>(rows));
  for (double d : distinct_per_prefix) {
    double distinct = std::max<double>(1, d);
    if (distinct > 0.9 * sampled) distinct *= scale;
    s.stat.push_back(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(rows / distinct))));
  }
  return s;
}

// SQLITE_READ for every column a statement reads, as the engine resolved its name (a table
// read without columns, count(*), comes with an empty column name: nothing to record).
int record_read(void* out, int action, const char* table, const char* column, const char* database,
                const char* /*trigger_or_view*/) {
  if (action == SQLITE_READ && table && column && *column && database &&
      std::string_view(database) == "main")
    (*static_cast<ColumnsRead*>(out))[lower(table)].insert(column);
  return SQLITE_OK;
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// Key expressions as SQL, in order: keys, then INCLUDE columns (SQLite makes them keys).
std::vector<std::string> key_exprs(const IndexDef& index) {
  std::vector<std::string> out;
  for (const IndexKey& k : index.keys) {
    out.push_back(k.function.empty() ? sql::quote_identifier(k.column)
                                     : k.function + "(" + sql::quote_identifier(k.column) + ")");
  }
  for (const std::string& c : index.include) out.push_back(sql::quote_identifier(c));
  return out;
}

class SqliteWhatIf final : public WhatIf {
 public:
  SqliteWhatIf(db::Connection& user, const Catalog& catalog, const SqliteWhatIfOptions& options)
      : user_(user), catalog_(catalog), options_(options) {
    copy_ = db::connect(db::parse_database_url("sqlite::memory:"), {});
    copy_schema();
    // ANALYZE on the empty copy creates sqlite_stat1 there; it is then filled by hand.
    copy_->execute_script("ANALYZE; DELETE FROM sqlite_stat1;");
    for (const auto& [key, table] : catalog_.tables) {
      copy_->query("INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES (?, NULL, ?)",
                   {table.name, std::to_string(std::max<int64_t>(table.rows, 1))});
    }
    for (const ExistingIndex& e : catalog_.indexes) {
      if (e.expression || !e.predicate.empty()) continue;  // SQLite's defaults for those
      const IndexStat& s = stat_for(e.def);
      copy_->query("INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES (?, ?, ?)",
                   {e.def.table, e.def.name, stat_text(s)});
      existing_stats_[lower(e.def.name)] = s;
    }
    reload_ = true;
  }

  Evaluation evaluate(const WorkloadQuery& query,
                      const std::vector<IndexDef>& hypothetical) override {
    sync(hypothetical, query.tables);
    Evaluation out = plan_text(query, query.sql);
    if (!out.error.empty() && !query.sample.empty() && query.sample != query.sql) {
      Evaluation retry = plan_text(query, query.sample);
      if (retry.error.empty()) return retry;
    }
    return out;
  }

  Evaluation plan_text(const WorkloadQuery& query, const std::string& sql) {
    Evaluation out;
    std::vector<plan::SqlitePlanRow> rows;
    try {
      for (const auto& row : copy_->query("EXPLAIN QUERY PLAN " + sql).rows) {
        rows.push_back({static_cast<int>(as_int(row[0])), static_cast<int>(as_int(row[1])),
                        as_text(row.back())});
      }
    } catch (const Error& e) {
      out.error = e.message();
      return out;
    }
    const plan::Plan plan = plan::parse_sqlite_plan(rows);
    out.cost = estimate(plan, query);
    for (const plan::PlanNode& node : plan.nodes) {
      out.plan += (out.plan.empty() ? "" : " / ") + node.detail;
      if (node.index.empty()) continue;
      auto it = by_name_.find(lower(node.index));
      auto& list = it != by_name_.end() ? out.used : out.existing_used;
      const std::string name = it != by_name_.end() ? it->second : node.index;
      if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
    }
    return out;
  }

  // The statement prepared (never run) on a schema-only copy with an authorizer that records
  // each column read: every block and clause, select-list expressions and aggregates too.
  std::optional<ColumnsRead> columns_read(const WorkloadQuery& query) override {
    if (!names_) return std::nullopt;
    for (const std::string* sql : {&query.sql, &query.sample}) {
      if (sql->empty()) continue;
      ColumnsRead out;
      sqlite3_set_authorizer(names_.get(), record_read, &out);
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v2(names_.get(), sql->c_str(), static_cast<int>(sql->size()),
                                        &stmt, nullptr);
      sqlite3_set_authorizer(names_.get(), nullptr, nullptr);
      sqlite3_finalize(stmt);
      if (rc == SQLITE_OK) return out;
    }
    return std::nullopt;
  }

  int64_t estimated_size(const IndexDef& index) override {
    const IndexStat& s = stat_for(index);
    // Entry: keys + rowid (≤ 9 bytes) + cell header; pages are ~80% full after inserts.
    const double entry = s.avg_width + 9 + 4;
    return static_cast<int64_t>(static_cast<double>(s.stat.front()) * entry / 0.8) + 4096;
  }

  // One b-tree descent per written row.
  double write_cost(const TableInfo& table) const override {
    return std::log2(static_cast<double>(table.rows) + 2);
  }
  std::string cost_unit() const override { return "estimated rows visited"; }

 private:
  void copy_schema() {
    // Tables first, then indexes and views; triggers never fire on a copy that gets no rows.
    db::ResultSet schema = user_.query(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN "
        "('table', 'index', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY "
        "CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid");
    sqlite3* names = nullptr;
    if (sqlite3_open_v2(":memory:", &names, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK)
      names_.reset(names);
    else
      sqlite3_close(names);  // out of memory: columns_read says it does not know
    for (const auto& row : schema.rows) {
      try {
        copy_->execute_script(as_text(row[2]));
      } catch (const Error&) {
        // A virtual table whose module this build lacks: its queries will fail to plan and
        // are reported with their error.
      }
      if (names_ && as_text(row[0]) != "index")
        sqlite3_exec(names_.get(), as_text(row[2]).c_str(), nullptr, nullptr, nullptr);
    }
  }

  // Statistics of an index (candidate or existing) computed on the user's database with one
  // read-only query over a sample of its table, cached by the index's key.
  const IndexStat& stat_for(const IndexDef& index) {
    const std::string key = index.key();
    auto it = stats_.find(key);
    if (it != stats_.end()) return it->second;
    const TableInfo* table = catalog_.table(index.table);
    const int64_t total = table ? table->rows : 0;
    if (table && !index.has_where()) {
      if (std::optional<IndexStat> s = stat_from_sample(index, *table))
        return stats_.emplace(key, std::move(*s)).first->second;
    }
    const std::vector<std::string> exprs = key_exprs(index);
    std::string cols, widths;
    for (size_t i = 0; i < exprs.size(); ++i) {
      cols += fmt::format("{}{} AS k{}", i ? ", " : "", exprs[i], i);
      widths += fmt::format("{}coalesce(avg(length(k{})), 0)", i ? " + " : "", i);
    }
    std::string source = sql::quote_identifier(index.table);
    if (total > options_.sample_rows) {
      // Each row kept with probability sample / total: one pass, no sort.
      source = fmt::format("(SELECT * FROM {} WHERE abs(random()) % {} < {})", source, total,
                           options_.sample_rows);
    }
    std::string sql = fmt::format(
        "WITH s AS MATERIALIZED (SELECT {} FROM {}{}) SELECT count(*), {}", cols, source,
        index.has_where() ? " WHERE " + render_where(index, Engine::kSqlite) : "", widths);
    for (size_t i = 0; i < exprs.size(); ++i) {
      std::string prefix;
      for (size_t j = 0; j <= i; ++j) prefix += fmt::format("{}k{}", j ? ", " : "", j);
      sql += fmt::format(", (SELECT count(*) FROM (SELECT DISTINCT {} FROM s))", prefix);
    }
    sql += " FROM s";
    db::ResultSet rs = user_.query(sql);
    const auto& row = rs.rows.at(0);
    std::vector<double> distinct;
    for (size_t i = 0; i < exprs.size(); ++i) distinct.push_back(as_double(row[2 + i]));
    const double sampled = std::max<double>(1, as_double(row[0]));
    IndexStat s = scaled_stat(
        sampled, total > options_.sample_rows ? static_cast<double>(total) / sampled : 1,
        as_double(row[1]), distinct);
    return stats_.emplace(key, std::move(s)).first->second;
  }

  // The same statistics from the table's cached sample, for an index on plain columns (no
  // expression, no predicate); nullopt otherwise. One scan per table instead of one query
  // per candidate: most of the advisor's time on large tables went to those queries.
  std::optional<IndexStat> stat_from_sample(const IndexDef& index, const TableInfo& table) {
    std::vector<std::string> columns;
    for (const IndexKey& k : index.keys) {
      if (!k.function.empty()) return std::nullopt;
      columns.push_back(k.column);
    }
    for (const std::string& c : index.include) columns.push_back(c);
    auto it = samples_.find(lower(table.name));
    if (it == samples_.end()) {
      it = samples_
               .emplace(lower(table.name),
                        detail::TableSample::read(user_, table, options_.sample_rows))
               .first;
    }
    const detail::TableSample& sample = it->second;
    for (const std::string& c : columns) {
      if (!sample.has(c)) return std::nullopt;
    }
    double width = 0;
    for (const std::string& c : columns) width += sample.avg_width(c);
    std::vector<double> distinct;
    for (size_t d : sample.distinct_prefixes(columns)) distinct.push_back(static_cast<double>(d));
    return scaled_stat(static_cast<double>(sample.rows()), sample.scale(), width, distinct);
  }

  // Makes the copy's hypothetical indexes on `tables` exactly `wanted` (DDL on empty tables:
  // instant). Those on other tables stay: the plan of a query never looks at them, and the
  // next question (the same candidate, another query) usually wants them back.
  void sync(const std::vector<IndexDef>& wanted, const std::set<std::string>& tables) {
    std::set<std::string> keys;
    for (const IndexDef& d : wanted) keys.insert(d.key());
    for (auto it = current_.begin(); it != current_.end();) {
      if (keys.count(it->first) || !tables.count(current_table_[it->first])) {
        ++it;
        continue;
      }
      copy_->execute_script("DROP INDEX " + sql::quote_identifier(it->second));
      copy_->query("DELETE FROM sqlite_stat1 WHERE idx = ?", {it->second});
      by_name_.erase(lower(it->second));
      current_table_.erase(it->first);
      it = current_.erase(it);
      reload_ = true;
    }
    for (const IndexDef& d : wanted) {
      if (current_.count(d.key())) continue;
      const std::string name = fmt::format("querylens_whatif_{}", ++counter_);
      IndexDef named = d;
      named.name = name;
      std::string ddl = create_index_sql(named, Engine::kSqlite);
      copy_->execute_script(ddl);
      const IndexStat& s = stat_for(d);
      copy_->query("INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES (?, ?, ?)",
                   {d.table, name, stat_text(s)});
      index_stats_[lower(name)] = s;
      current_[d.key()] = name;
      current_table_[d.key()] = lower(d.table);
      by_name_[lower(name)] = d.key();
      reload_ = true;
    }
    if (reload_) {
      // Makes the planner re-read sqlite_stat1 (it reads it when the schema loads).
      copy_->execute_script("ANALYZE sqlite_schema");
      reload_ = false;
    }
  }

  const IndexStat* index_stat(const std::string& name) const {
    auto it = index_stats_.find(lower(name));
    if (it != index_stats_.end()) return &it->second;
    it = existing_stats_.find(lower(name));
    return it != existing_stats_.end() ? &it->second : nullptr;
  }

  double estimate(const plan::Plan& plan, const WorkloadQuery& query);
  std::optional<double> equality_rows(const TableInfo& table, const WorkloadQuery& query);

  db::Connection& user_;
  const Catalog& catalog_;
  SqliteWhatIfOptions options_;
  std::unique_ptr<db::Connection> copy_;
  // Tables and views only, no statistics: the authorizer's names for columns_read. Apart
  // from copy_ because the db layer keeps its sqlite3 handle to itself.
  std::unique_ptr<sqlite3, SqliteCloser> names_;
  std::map<std::string, IndexStat> stats_;              // by IndexDef::key()
  std::map<std::string, detail::TableSample> samples_;  // by lower-case table name
  std::map<std::string, IndexStat> index_stats_;        // by hypothetical index name
  std::map<std::string, IndexStat> existing_stats_;     // by existing index name
  std::map<std::string, std::string> current_;          // key → hypothetical index name
  std::map<std::string, std::string> current_table_;    // key → its lower-case table
  std::map<std::string, std::string> by_name_;          // lower name → key
  int counter_ = 0;
  bool reload_ = false;
};

// Equality terms in a SEARCH line's "(a=? AND b>?)": "=?" that is not part of ">=?" / "<=?".
// Reads the plan line SQLite printed, not SQL.
int equality_terms(const std::string& detail) {
  int n = 0;
  for (size_t at = detail.find("=?"); at != std::string::npos; at = detail.find("=?", at + 2)) {
    if (at == 0 || (detail[at - 1] != '>' && detail[at - 1] != '<')) ++n;
  }
  return n;
}

// Skipped leading columns in a SEARCH line: "ANY(author_id)" (a skip-scan).
size_t skip_scan_terms(const std::string& detail) {
  size_t n = 0;
  for (size_t at = detail.find("ANY("); at != std::string::npos; at = detail.find("ANY(", at + 4))
    ++n;
  return n;
}

// The rows of `table` left by the query's equality tests on its columns, from the sampled
// statistics an index on those columns would get; nullopt without such a test. A full scan
// and an index search then estimate the same rows: with a fixed 1/10 for the scan, a scan of
// customer keeping c_mktsegment = ? (1/5 of it) looked more selective than the index on it,
// and Q3 of bench/advise_tpch.sh kept the scan.
std::optional<double> SqliteWhatIf::equality_rows(const TableInfo& table,
                                                  const WorkloadQuery& query) {
  IndexDef on;
  on.schema = table.schema;
  on.table = table.name;
  for (const sql::ColumnUse& c : query.model.columns) {
    if (c.role != sql::ColumnRole::kEqualityFilter || c.negated || c.clause != sql::Clause::kWhere)
      continue;
    if (!c.table.empty() && lower(c.table) != lower(table.name)) continue;
    std::optional<std::string> column = table.column(c.column);
    if (!column || lower(*column) == lower(table.rowid_column)) continue;
    if (std::none_of(on.keys.begin(), on.keys.end(),
                     [&](const IndexKey& k) { return lower(k.column) == lower(*column); }))
      on.keys.push_back({*column, "", false});
  }
  if (on.keys.empty()) return std::nullopt;
  const IndexStat& s = stat_for(on);
  if (s.stat.size() <= on.keys.size()) return std::nullopt;
  return static_cast<double>(s.stat.back());
}

double SqliteWhatIf::estimate(const plan::Plan& plan, const WorkloadQuery& query) {
  std::optional<int64_t> limit;
  if (!query.model.blocks.empty()) limit = query.model.blocks[0].limit;
  if (!query.model.blocks.empty() && query.model.blocks[0].limit_param) limit = 10;
  bool sorts = false;
  int loops = 0;
  for (const plan::PlanNode& node : plan.nodes) {
    if (node.node_type.rfind("USE TEMP B-TREE", 0) == 0) sorts = true;
    if (!node.relation.empty()) ++loops;
  }
  double cost = 0, outer = 1, out_rows = 1;
  for (const plan::PlanNode& node : plan.nodes) {
    if (node.relation.empty()) continue;
    // Since 3.36 plan lines name a table by its alias ("SCAN c"): map it back.
    std::string relation = node.relation;
    if (!catalog_.table(relation)) {
      for (const sql::TableRef& t : query.model.tables) {
        if (!t.alias.empty() && lower(t.alias) == lower(relation)) relation = t.name;
      }
    }
    const TableInfo* table = catalog_.table(relation);
    const double n = std::max<double>(1, table ? static_cast<double>(table->rows) : 1000);
    const double descent = std::log2(n + 1);
    const bool filtered = std::any_of(
        query.model.columns.begin(), query.model.columns.end(), [&](const sql::ColumnUse& c) {
          return c.clause == sql::Clause::kWhere &&
                 (lower(c.table) == lower(relation) || c.table.empty());
        });
    double step = n, rows = filtered ? std::max(1.0, n / 10) : n;
    if (filtered && table && node.node_type == "SCAN") {
      if (std::optional<double> kept = equality_rows(*table, query)) rows = *kept;
    }
    const double per_row = node.covering_index ? 1.0 : 2.0;  // index entry (+ table row)
    if (node.node_type == "SEARCH") {
      const IndexStat* s = index_stat(node.index);
      // "b>?" / "b<?" (also ">=?"), once the "<expr>" SQLite prints for expression keys is
      // out of the way.
      std::string terms = node.detail;
      for (size_t at = terms.find("<expr>"); at != std::string::npos; at = terms.find("<expr>"))
        terms.replace(at, 6, "expr");
      const int eq = equality_terms(terms);
      const bool lower_bound =
          terms.find(">?") != std::string::npos || terms.find(">=?") != std::string::npos;
      const bool upper_bound =
          terms.find("<?") != std::string::npos || terms.find("<=?") != std::string::npos;
      const bool range = lower_bound || upper_bound;
      if (node.automatic_index) {
        rows = std::max(1.0, n / 10);
        step = n * descent / 4 + descent + rows;  // built once per statement, then searched
      } else if (node.detail.find("PRIMARY KEY") != std::string::npos && !range) {
        rows = 1;
        step = descent;
      } else {
        // Skip-scan "(ANY(a) AND b=?)": one descent per distinct value of the skipped prefix.
        const size_t skipped = skip_scan_terms(node.detail);
        const size_t prefix = skipped + static_cast<size_t>(eq);
        double descents = 1;
        if (s && skipped > 0 && skipped < s->stat.size())
          descents = static_cast<double>(s->stat[0]) /
                     static_cast<double>(std::max<int64_t>(1, s->stat[skipped]));
        rows = s && prefix > 0 && prefix < s->stat.size() ? static_cast<double>(s->stat[prefix])
                                                          : (eq > 0 ? std::max(1.0, n / 10) : n);
        // SQLite's own guess without sqlite_stat4 (where.c, whereRangeScanEst): a bound keeps
        // a quarter of the rows, and a second bound keeps a quarter of that again, and again
        // (BETWEEN over one month of six years keeps about 1/70: the guess is not far off).
        // The entries read are an expected count and may be below one: clamped to one, a
        // lookup on (l_partkey, l_shipdate) cost what one on (l_partkey, l_suppkey,
        // l_shipdate) does, though the first reads a table row per entry of the part to test
        // l_suppkey (Q20 of bench/advise_tpch.sh). The rows passed on stay at least one.
        double entries = range ? rows / (lower_bound && upper_bound ? 64 : 4) : rows;
        entries *= descents;
        rows = std::max(1.0, entries);
        step = descents * descent + entries * per_row;
      }
    } else if (!node.index.empty()) {  // SCAN … USING [COVERING] INDEX: in index order
      step = n * (node.covering_index ? 0.5 : 1.5);
    }
    // Rows come out in the order asked for and LIMIT stops the loop early.
    if (limit && !sorts && loops == 1) {
      const double needed = static_cast<double>(*limit) *
                            (filtered && node.node_type == "SCAN" && node.index.empty() ? 10 : 1);
      step = std::min(step, descent + needed * per_row);
    }
    cost += outer * step;
    outer *= rows;
    out_rows = outer;
  }
  if (sorts) cost += out_rows * std::log2(out_rows + 2);
  return cost;
}

}  // namespace

std::unique_ptr<WhatIf> make_sqlite_whatif(db::Connection& user_db, const Catalog& catalog,
                                           const SqliteWhatIfOptions& options) {
  return std::make_unique<SqliteWhatIf>(user_db, catalog, options);
}

}  // namespace querylens::advise
