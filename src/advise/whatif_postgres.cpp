// PostgreSQL what-if through HypoPG 1.3.1: hypopg_create_index / hypopg_drop_index /
// hypopg_relation_size / hypopg_reset. Hypothetical indexes live in this backend's memory
// only: nothing is written to the catalog, other sessions never see them.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "advise/catalog_engine.h"
#include "querylens/advise/whatif.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/explain/explain.h"
#include "querylens/sql/expression_columns.h"
#include "querylens/sql/quote.h"

namespace querylens::advise {
namespace {

using detail::as_int;
using detail::as_text;

// Nodes that read a table's rows (their Relation Name is a table, not a CTE or a function).
bool scans_a_table(const plan::PlanNode& node) {
  return node.node_type == "Seq Scan" || node.node_type == "Index Scan" ||
         node.node_type == "Index Only Scan" || node.node_type == "Bitmap Heap Scan" ||
         node.node_type == "Tid Scan" || node.node_type == "Tid Range Scan" ||
         node.node_type == "Sample Scan";
}

// Adds the columns `expression` reads from the relation a scan node reads as `alias`: a scan
// node's expressions may also hold the outer side's columns (an inner index scan's
// `l.l_orderkey = o.o_orderkey`), which are that side's own scan's to report. False when the
// expression cannot be read or reads a whole row: nothing can then be proven.
bool add_columns(const std::string& expression, const plan::PlanNode& scan,
                 std::set<std::string>* out) {
  if (expression.empty()) return true;
  std::optional<std::vector<sql::ColumnReference>> refs = sql::expression_columns(expression);
  if (!refs) return false;
  for (const sql::ColumnReference& r : *refs) {
    if (!r.qualifier.empty() && r.qualifier != scan.alias) continue;
    if (r.star) return false;
    out->insert(r.column);
  }
  return true;
}

class PostgresWhatIf final : public WhatIf {
 public:
  explicit PostgresWhatIf(db::Connection& conn) : conn_(conn) {
    require_hypopg();
    conn_.query("SELECT " + fn("hypopg_reset") + "()");
  }
  ~PostgresWhatIf() override {
    try {
      conn_.query("SELECT " + fn("hypopg_reset") + "()");
    } catch (const std::exception&) {
      // The session is gone: its hypothetical indexes went with it.
    }
  }

  Evaluation evaluate(const WorkloadQuery& query,
                      const std::vector<IndexDef>& hypothetical) override {
    sync(hypothetical);
    Evaluation out = plan_text(query.sql);
    if (!out.error.empty() && !query.sample.empty() && query.sample != query.sql) {
      Evaluation retry = plan_text(query.sample);
      if (retry.error.empty()) return retry;
    }
    return out;
  }

  Evaluation plan_text(const std::string& sql) {
    Evaluation out;
    explain::ExplainOptions options;
    options.timeout_ms = 30000;
    try {
      explain::ExplainResult r = explain::explain_statement(conn_, sql, options);
      if (r.plan.empty()) {
        out.error = "empty plan";
        return out;
      }
      out.cost = r.plan.root().total_cost;
      std::string summary;
      for (const plan::PlanNode& node : r.plan.nodes) {
        if (!node.relation.empty()) summary += (summary.empty() ? "" : " / ") + node.label();
        if (node.index.empty()) continue;
        auto it = by_name_.find(node.index);
        if (it != by_name_.end()) {
          if (std::find(out.used.begin(), out.used.end(), it->second) == out.used.end())
            out.used.push_back(it->second);
        } else if (std::find(out.existing_used.begin(), out.existing_used.end(), node.index) ==
                   out.existing_used.end()) {
          out.existing_used.push_back(node.index);
        }
      }
      out.plan = summary;
    } catch (const Error& e) {
      out.error = e.message();
    }
    return out;
  }

  // What each table scan of the plan outputs and tests, from EXPLAIN VERBOSE: the server's own
  // account of the columns the query reads, select-list expressions and aggregates included.
  // (SQLite's what-if gets the same from its authorizer.)
  std::optional<ColumnsRead> columns_read(const WorkloadQuery& query) override {
    for (const std::string* sql : {&query.sql, &query.sample}) {
      if (sql->empty()) continue;
      explain::ExplainOptions options;
      options.verbose = true;
      options.timeout_ms = 30000;
      explain::ExplainResult r;
      try {
        r = explain::explain_statement(conn_, *sql, options);
      } catch (const Error&) {
        continue;  // the sample may plan where the shape does not
      }
      ColumnsRead out;
      for (const plan::PlanNode& node : r.plan.nodes) {
        if (!scans_a_table(node) || node.relation.empty()) continue;
        std::set<std::string>& columns = out[node.relation];
        for (const std::string& e : node.output) {
          if (!add_columns(e, node, &columns)) return std::nullopt;
        }
        for (const std::string* e : {&node.filter, &node.index_cond, &node.recheck_cond}) {
          if (!add_columns(*e, node, &columns)) return std::nullopt;
        }
      }
      return out;
    }
    return std::nullopt;
  }

  int64_t estimated_size(const IndexDef& index) override {
    auto it = sizes_.find(index.key());
    if (it != sizes_.end()) return it->second;
    std::vector<IndexDef> set = current_defs();
    set.push_back(index);
    sync(set);
    return sizes_[index.key()];
  }

  // A b-tree insert descends the tree and dirties a leaf page: about one random page read.
  double write_cost(const TableInfo&) const override { return 4.0; }
  std::string cost_unit() const override { return "planner cost units"; }

 private:
  void require_hypopg() {
    // The extension's schema: the user's search_path need not include it.
    db::ResultSet installed = conn_.query(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'hypopg'");
    if (!installed.rows.empty()) {
      schema_ = as_text(installed.rows[0][0]);
      return;
    }
    const int64_t major =
        as_int(conn_.query("SELECT current_setting('server_version_num')::int / 10000").rows[0][0]);
    const bool available =
        !conn_.query("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'").rows.empty();
    throw Error(ErrorKind::kDatabase,
                available ? "HypoPG is not enabled in this database, so advise cannot plan with "
                            "hypothetical indexes: run CREATE EXTENSION hypopg; (as a superuser "
                            "or the database owner)"
                          : fmt::format("HypoPG is not installed on the server, so advise cannot "
                                        "plan with hypothetical indexes: install it with "
                                        "apt-get install postgresql-{}-hypopg, then run CREATE "
                                        "EXTENSION hypopg; in this database",
                                        major));
  }

  std::vector<IndexDef> current_defs() const {
    std::vector<IndexDef> out;
    for (const auto& [key, entry] : current_) out.push_back(entry.def);
    return out;
  }

  // Makes the backend's hypothetical indexes exactly `wanted`: drops the others, creates the
  // missing ones (hypopg_drop_index exists in 1.3.1; hypopg_hide_index does not).
  void sync(const std::vector<IndexDef>& wanted) {
    std::set<std::string> keys;
    for (const IndexDef& d : wanted) keys.insert(d.key());
    for (auto it = current_.begin(); it != current_.end();) {
      if (keys.count(it->first)) {
        ++it;
        continue;
      }
      conn_.query("SELECT " + fn("hypopg_drop_index") + "($1::oid)", {it->second.oid});
      by_name_.erase(it->second.name);
      it = current_.erase(it);
    }
    for (const IndexDef& d : wanted) {
      if (current_.count(d.key())) continue;
      db::ResultSet rs = conn_.query(
          fmt::format("SELECT indexrelid::bigint, indexname, {}(indexrelid) FROM {}($1)",
                      fn("hypopg_relation_size"), fn("hypopg_create_index")),
          {hypothetical_index_sql(d)});
      if (rs.rows.empty())
        throw Error(ErrorKind::kDatabase, "hypopg_create_index returned nothing for " + d.key());
      Entry e{d, as_int(rs.rows[0][0]), as_text(rs.rows[0][1])};
      sizes_[d.key()] = as_int(rs.rows[0][2]);
      by_name_[e.name] = d.key();
      current_.emplace(d.key(), std::move(e));
    }
  }

  struct Entry {
    IndexDef def;
    int64_t oid = 0;
    std::string name;  // hypopg's name, as EXPLAIN prints it: <13543>btree_events_user_id
  };
  // A HypoPG function, qualified with the extension's schema.
  std::string fn(std::string_view name) const {
    return sql::quote_identifier(schema_) + "." + std::string(name);
  }

  db::Connection& conn_;
  std::string schema_ = "public";
  std::map<std::string, Entry> current_;
  std::map<std::string, std::string> by_name_;  // hypopg name → IndexDef::key()
  std::map<std::string, int64_t> sizes_;
};

}  // namespace

std::unique_ptr<WhatIf> make_postgres_whatif(db::Connection& connection, const Catalog&) {
  return std::make_unique<PostgresWhatIf>(connection);
}

}  // namespace querylens::advise
