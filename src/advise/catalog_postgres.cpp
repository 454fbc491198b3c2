// PostgreSQL catalog: pg_class / pg_index / pg_constraint and the statistics views. SELECTs
// only; table oids are bound as parameters, never spliced into SQL.
#include <map>

#include "advise/catalog_engine.h"
#include "querylens/db/connection.h"

namespace querylens::advise::detail {
namespace {

void read_indexes(db::Connection& conn, int64_t oid, const TableInfo& table, Catalog& catalog) {
  db::ResultSet indexes = conn.query(
      "SELECT i.indexrelid::bigint, ic.relname, am.amname, i.indisunique, i.indisprimary, "
      "i.indisvalid, i.indnkeyatts, coalesce(pg_get_expr(i.indpred, i.indrelid), ''), "
      "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
      "        AND k.contype IN ('p', 'u', 'x')), "
      "s.idx_scan, pg_relation_size(i.indexrelid) "
      "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
      "JOIN pg_am am ON am.oid = ic.relam "
      "LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid "
      "WHERE i.indrelid = $1::oid ORDER BY ic.relname",
      {oid});
  for (const auto& row : indexes.rows) {
    ExistingIndex index;
    index.def.schema = table.schema;
    index.def.table = table.name;
    index.def.name = as_text(row[1]);
    index.method = as_text(row[2]);
    index.unique = as_bool(row[3]);
    index.primary = as_bool(row[4]);
    index.valid = as_bool(row[5]);
    const int64_t key_count = as_int(row[6]);
    index.predicate = as_text(row[7]);
    index.backs_constraint = as_bool(row[8]);
    if (!db::is_null(row[9])) index.scans = as_int(row[9]);
    index.size_bytes = as_int(row[10]);
    // Each key position: the column name, or the expression pg_get_indexdef prints for it.
    db::ResultSet keys = conn.query(
        "SELECT k.ord, coalesce(a.attname::text, ''), pg_get_indexdef(i.indexrelid, k.ord::int, "
        "true), (i.indoption[k.ord - 1] & 1) = 1 "
        "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, "
        "ord) "
        "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indexrelid = $1::oid ORDER BY k.ord",
        {as_int(row[0])});
    for (const auto& k : keys.rows) {
      const std::string column = as_text(k[1]);
      if (as_int(k[0]) > key_count) {
        index.def.include.push_back(column);
        continue;
      }
      IndexKey key;
      key.descending = as_bool(k[3]);
      if (column.empty()) {
        index.expression = true;
        key.function = "expr";
        key.column = as_text(k[2]);  // e.g. lower(email)
      } else {
        key.column = column;
      }
      index.def.keys.push_back(std::move(key));
    }
    catalog.indexes.push_back(std::move(index));
  }
}

}  // namespace

Catalog read_postgres_catalog(db::Connection& conn, const std::set<std::string>& wanted) {
  Catalog catalog;
  catalog.engine = Engine::kPostgres;
  // Visible tables first, so a name on the search_path wins over the same name elsewhere.
  db::ResultSet tables = conn.query(
      "SELECT c.oid::bigint, n.nspname, c.relname, greatest(c.reltuples, 0)::bigint, "
      "coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0), "
      "coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0), pg_table_size(c.oid) "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
      "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%' "
      "ORDER BY NOT pg_table_is_visible(c.oid), n.nspname, c.relname");
  std::map<std::string, int64_t> oids;
  for (const auto& row : tables.rows) {
    TableInfo info;
    info.schema = as_text(row[1]);
    info.name = as_text(row[2]);
    const std::string key = lower(info.name);
    const bool named = wanted.count(key) || wanted.count(lower(info.schema) + "." + key);
    if (!named || catalog.tables.count(key)) continue;
    info.rows = as_int(row[3]);
    info.tuples_written = as_int(row[4]);
    info.scans = as_int(row[5]);
    info.bytes = as_int(row[6]);
    oids[key] = as_int(row[0]);
    catalog.tables.emplace(key, std::move(info));
  }
  for (auto& [key, info] : catalog.tables) {
    const int64_t oid = oids[key];
    for (const auto& row : conn.query("SELECT attname::text FROM pg_attribute WHERE attrelid = "
                                      "$1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                                      {oid})
                               .rows) {
      info.columns.push_back(as_text(row[0]));
    }
    int64_t current = -1;
    for (const auto& row :
         conn.query("SELECT c.oid::bigint, a.attname::text FROM pg_constraint c, "
                    "unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) "
                    "JOIN pg_attribute a ON a.attrelid = $1::oid AND a.attnum = k.attnum "
                    "WHERE c.contype = 'f' AND c.conrelid = $1::oid ORDER BY c.oid, k.ord",
                    {oid})
             .rows) {
      if (as_int(row[0]) != current) {
        info.foreign_keys.emplace_back();
        current = as_int(row[0]);
      }
      info.foreign_keys.back().push_back(as_text(row[1]));
    }
    read_indexes(conn, oid, info, catalog);
  }
  db::ResultSet reset = conn.query(
      "SELECT coalesce(stats_reset::text, '') FROM pg_stat_database WHERE datname = "
      "current_database()");
  if (!reset.rows.empty()) catalog.stats_reset = as_text(reset.rows[0][0]);
  return catalog;
}

}  // namespace querylens::advise::detail
