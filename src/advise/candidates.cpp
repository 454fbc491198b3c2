// Candidate generation from statement models. The catalog decides what is a real column:
// an ORDER BY on a select-list alias, or a column of another table, never becomes a key.
#include "querylens/advise/candidates.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace querylens::advise {
namespace {

using sql::ColumnRole;

bool plannable_kind(sql::StatementKind kind) {
  return kind == sql::StatementKind::kSelect || kind == sql::StatementKind::kUpdate ||
         kind == sql::StatementKind::kDelete;
}

std::string base_name(const std::string& name) {
  const size_t dot = name.rfind('.');
  return lower(dot == std::string::npos ? name : name.substr(dot + 1));
}

// Where a column use's table is: its base name and the block whose FROM holds it.
struct Resolved {
  std::string table;  // lower-case base table; empty when unknown
  int block = -1;     // -1 when unknown (and for a query's only table)
};

// The base table a column use belongs to, found as PostgreSQL and SQLite resolve names: a
// qualifier names the innermost FROM item with that alias (or name); an unqualified column
// belongs to the query's only table, else to the innermost block whose FROM has exactly one
// item with that column in the catalog (TPC-H-style schemas, whose column names carry their
// table's prefix, are written without qualifiers). Two candidates in one block is an
// ambiguity the engine would reject, and a derived table may hold the column: unknown then.
Resolved resolve_column(const sql::ColumnUse& use, const WorkloadQuery& q, const Catalog& catalog) {
  const auto& blocks = q.model.blocks;
  auto valid = [&](int b) { return b >= 0 && static_cast<size_t>(b) < blocks.size(); };
  if (!use.qualifier.empty()) {
    for (int b = use.block; valid(b); b = blocks[static_cast<size_t>(b)].parent) {
      for (int t : blocks[static_cast<size_t>(b)].tables) {
        const sql::TableRef& ref = q.model.tables[static_cast<size_t>(t)];
        const std::string& visible = ref.alias.empty() ? ref.name : ref.alias;
        if (lower(visible) != lower(use.qualifier) && base_name(visible) != lower(use.qualifier))
          continue;
        if (ref.source != sql::TableSource::kTable) return {};
        return {base_name(ref.name), b};
      }
    }
    return {use.table.empty() ? "" : base_name(use.table), -1};
  }
  if (!use.table.empty()) {
    // The model gives an unqualified name its block's only table; in a correlated subquery
    // the name may belong to an enclosing block instead (`l_suppkey = ps_suppkey` inside a
    // subquery on lineitem alone): the catalog tells, and the search below finds the owner.
    const TableInfo* info = catalog.table(base_name(use.table));
    if (!info || info->column(use.column)) return {base_name(use.table), -1};
  } else if (q.tables.size() == 1) {
    return {*q.tables.begin(), -1};
  }
  for (int b = use.block; valid(b); b = blocks[static_cast<size_t>(b)].parent) {
    std::string found;
    int matches = 0;  // FROM items that may have the column
    for (int t : blocks[static_cast<size_t>(b)].tables) {
      const sql::TableRef& ref = q.model.tables[static_cast<size_t>(t)];
      if (ref.source == sql::TableSource::kSubquery || ref.source == sql::TableSource::kCte) {
        ++matches;  // a derived table may have the column too: the name stays unresolved
      } else if (ref.source == sql::TableSource::kTable) {
        const TableInfo* info = catalog.table(base_name(ref.name));
        if (info && info->column(use.column)) {
          ++matches;
          found = base_name(ref.name);
        }
      }
    }
    if (matches == 1 && !found.empty()) return {found, b};
    if (matches > 0) return {};
  }
  return {};
}

std::string table_of(const sql::ColumnUse& use, const WorkloadQuery& q, const Catalog& catalog) {
  return resolve_column(use, q, catalog).table;
}

// A join key's other side is in another table — or another FROM item of the same table (a
// self-join, which only qualifiers can show) or an enclosing block (a correlated subquery).
// An unqualified pair in one block resolving to one table compares two columns of a row.
bool joins_another_table(const sql::ColumnUse& c, const WorkloadQuery& q, const Catalog& catalog) {
  if (c.joined_with < 0 || static_cast<size_t>(c.joined_with) >= q.model.columns.size())
    return true;
  const sql::ColumnUse& other = q.model.columns[static_cast<size_t>(c.joined_with)];
  if (!c.qualifier.empty() && !other.qualifier.empty()) return c.qualifier != other.qualifier;
  const Resolved mine = resolve_column(c, q, catalog), theirs = resolve_column(other, q, catalog);
  if (mine.table.empty() || theirs.table.empty()) return false;  // no evidence of a join
  return mine.table != theirs.table || mine.block != theirs.block;
}

// A one-column test a partial index can carry: `col IS [NOT] NULL`, or `col = constant` when
// `value` is set (the constant's SQL text, as the statement model recorded it).
struct PartialTest {
  std::string column;
  bool not_null = false;
  std::string value;

  bool same(const PartialTest& o) const {
    return lower(column) == lower(o.column) && not_null == o.not_null && value == o.value;
  }
};

// What one query asks of one table.
struct TableUse {
  std::vector<IndexKey> eq;  // equality, IN, IS NULL
  std::optional<IndexKey> range;
  std::vector<IndexKey> order, group, join;
  // Join keys by the table on the other side: (l_partkey, l_suppkey) both matched with
  // partsupp's columns are one lookup, served best by one index on both.
  std::map<std::string, std::vector<IndexKey>> join_by_other;
  std::vector<IndexKey> wrapped;  // lower(col) / upper(col)
  std::set<std::string> referenced;
  bool all_columns_known = true;           // false: SELECT *, or expressions in the select list
  std::vector<PartialTest> partial_tests;  // IS [NOT] NULL, = constant

  // The referenced columns in the order a covering variant appends them: those a lookup
  // can still narrow on (equality, join, range), then sort keys, then the rest by name. On
  // SQLite, where the covering columns are trailing keys, `(l_partkey, l_suppkey,
  // l_shipdate, l_quantity)` then serves `l_partkey = ? AND l_suppkey = ? AND l_shipdate > ?`
  // and reads l_quantity from the index.
  std::vector<std::string> cover_order() const {
    std::vector<std::string> out;
    auto put = [&](const std::string& c) {
      if (!referenced.count(c)) return;
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    };
    for (const auto* keys : {&eq, &join}) {
      for (const IndexKey& k : *keys) {
        if (k.function.empty()) put(k.column);
      }
    }
    if (range) put(range->column);
    for (const auto* keys : {&order, &group}) {
      for (const IndexKey& k : *keys) put(k.column);
    }
    for (const std::string& c : referenced) put(c);
    return out;
  }
};

void add_unique(std::vector<IndexKey>& keys, const IndexKey& key) {
  for (const IndexKey& k : keys) {
    if (lower(k.column) == lower(key.column) && k.function == key.function) return;
  }
  keys.push_back(key);
}

TableUse read_use(const WorkloadQuery& q, const std::string& table, const TableInfo& info,
                  const Catalog& catalog) {
  TableUse use;
  for (const sql::ColumnUse& c : q.model.columns) {
    if (table_of(c, q, catalog) != table) continue;
    std::optional<std::string> column = info.column(c.column);
    if (!column) continue;
    use.referenced.insert(*column);
    IndexKey key{*column, "", c.descending};
    switch (c.role) {
      case ColumnRole::kEqualityFilter:
      case ColumnRole::kInList:
        if (c.role == ColumnRole::kEqualityFilter && !c.detail.empty())
          use.partial_tests.push_back({*column, false, c.detail});
        if (!c.negated) add_unique(use.eq, key);
        break;
      case ColumnRole::kIsNull:
        use.partial_tests.push_back({*column, c.negated, ""});
        if (!c.negated) add_unique(use.eq, key);
        break;
      case ColumnRole::kRangeFilter:
      case ColumnRole::kLikePrefix:
        if (!use.range) use.range = key;
        break;
      case ColumnRole::kOrderBy:
        add_unique(use.order, key);
        break;
      case ColumnRole::kGroupBy:
        add_unique(use.group, key);
        break;
      case ColumnRole::kJoinKey:
        if (joins_another_table(c, q, catalog)) {
          add_unique(use.join, key);
          const size_t other = static_cast<size_t>(c.joined_with);
          const std::string other_table =
              other < q.model.columns.size() ? table_of(q.model.columns[other], q, catalog) : "";
          if (!other_table.empty()) add_unique(use.join_by_other[other_table], key);
        }
        break;
      case ColumnRole::kWrapped:
        if (c.detail == "lower()" || c.detail == "upper()") {
          add_unique(use.wrapped, IndexKey{*column, c.detail.substr(0, 5), false});
        }
        break;
      default:
        break;
    }
  }
  if (q.columns_read) {
    // The engine named every column the query reads: a covering index can be proven.
    auto it = q.columns_read->find(table);
    if (it != q.columns_read->end()) {
      for (const std::string& c : it->second) {
        if (std::optional<std::string> column = info.column(c)) use.referenced.insert(*column);
      }
    }
    use.all_columns_known = q.model.kind == sql::StatementKind::kSelect;
    return use;
  }
  // The select list: plain columns of this table are known; anything else (an expression, a
  // star) means a covering index cannot be proven from the model alone.
  for (size_t b = 0; b < q.model.blocks.size(); ++b) {
    const sql::QueryBlock& block = q.model.blocks[b];
    bool touches = false;
    for (int t : block.tables) {
      if (base_name(q.model.tables[static_cast<size_t>(t)].name) == table) touches = true;
    }
    if (!touches) continue;
    if (block.star_over_table) use.all_columns_known = false;
    for (const auto& [qualifier, column] : block.target_columns) {
      if (column.empty() || column == "*") {
        use.all_columns_known = false;
        continue;
      }
      if (std::optional<std::string> c = info.column(column)) use.referenced.insert(*c);
    }
    if (block.target_columns.size() < static_cast<size_t>(block.targets))
      use.all_columns_known = false;
  }
  if (q.model.kind != sql::StatementKind::kSelect) use.all_columns_known = false;
  return use;
}

constexpr int64_t kTinyTableRows = 100;

class Collector {
 public:
  Collector(const Catalog& catalog, const CandidateOptions& options)
      : catalog_(catalog), options_(options) {}

  void add(const TableInfo& info, std::vector<IndexKey> keys, size_t query,
           const std::string& reason, const TableUse& use,
           const std::optional<PartialTest>& partial) {
    if (partial) {
      // The predicate already selects those rows: the tested column adds nothing as a key.
      std::erase_if(keys, [&](const IndexKey& k) {
        return k.function.empty() && lower(k.column) == lower(partial->column);
      });
    }
    if (keys.empty()) return;
    // A table of a few pages is read whole faster than through an index (5 regions, 25
    // nations): no DBA indexes those, and the what-if costs would call the index a gain.
    if (info.rows > 0 && info.rows < kTinyTableRows) return;
    // SQLite: a lookup by the rowid is already the table's own b-tree search.
    if (!info.rowid_column.empty() && keys.front().function.empty() &&
        lower(keys.front().column) == lower(info.rowid_column))
      return;
    if (keys.size() > options_.max_width) keys.resize(options_.max_width);
    IndexDef index;
    index.schema = info.schema;
    index.table = info.name;
    index.keys = keys;
    if (partial) {
      index.where_column = partial->column;
      index.where_not_null = partial->not_null;
      index.where_value = partial->value;
    }
    push(index, query, reason);
    // Covering variant: the other referenced columns, when few, make an index-only scan
    // possible; the what-if decides whether the planner takes it.
    if (!use.all_columns_known) return;
    IndexDef covering = index;
    for (const std::string& c : use.cover_order()) {
      bool in_keys = std::any_of(keys.begin(), keys.end(), [&](const IndexKey& k) {
        return k.function.empty() && lower(k.column) == lower(c);
      });
      // Every SQLite index entry already ends with the rowid.
      const bool rowid = lower(c) == lower(info.rowid_column);
      // PostgreSQL reads a column the predicate fixes from the predicate; SQLite (3.40)
      // still wants it in the index to call the index covering.
      const bool fixed =
          partial && lower(c) == lower(partial->column) && catalog_.engine == Engine::kPostgres;
      if (!in_keys && !rowid && !fixed) covering.include.push_back(c);
    }
    if (!covering.include.empty() && covering.include.size() <= options_.max_include)
      push(covering, query, reason + " (covering)");
  }

  std::vector<Candidate> take() { return std::move(out_); }

 private:
  void push(IndexDef index, size_t query, const std::string& reason) {
    if (served_by_existing(index, catalog_)) return;
    const std::string key = index.key();
    auto it = by_key_.find(key);
    if (it == by_key_.end()) {
      index.name = unique_name(make_index_name(index));
      by_key_[key] = out_.size();
      out_.push_back({std::move(index), {query}, reason});
      return;
    }
    std::vector<size_t>& queries = out_[it->second].queries;
    if (std::find(queries.begin(), queries.end(), query) == queries.end()) queries.push_back(query);
  }

  // Two candidates differing only in their covering columns get the same name: a number
  // tells them apart (and from the existing indexes).
  std::string unique_name(const std::string& name) {
    if (names_.empty()) {
      for (const ExistingIndex& e : catalog_.indexes) names_.insert(lower(e.def.name));
    }
    return unique_index_name(name, &names_);
  }

  const Catalog& catalog_;
  const CandidateOptions& options_;
  std::set<std::string> names_;  // lower-case: the candidates' and the existing indexes'
  std::map<std::string, size_t> by_key_;
  std::vector<Candidate> out_;
};

std::string describe(const std::vector<IndexKey>& keys) {
  std::string out;
  for (const IndexKey& k : keys) out += (out.empty() ? "" : ", ") + k.column;
  return out;
}

std::vector<IndexKey> concat(std::vector<IndexKey> a, const std::vector<IndexKey>& b) {
  for (const IndexKey& k : b) add_unique(a, k);
  return a;
}

// The IS [NOT] NULL or `= constant` test every read query on the table carries, if there is
// one (the first the first query writes).
std::optional<PartialTest> common_partial_test(const std::vector<const TableUse*>& uses) {
  if (uses.empty()) return std::nullopt;
  for (const PartialTest& test : uses.front()->partial_tests) {
    bool everywhere = std::all_of(uses.begin(), uses.end(), [&](const TableUse* u) {
      return std::any_of(u->partial_tests.begin(), u->partial_tests.end(),
                         [&](const PartialTest& t) { return t.same(test); });
    });
    if (everywhere) return test;
  }
  return std::nullopt;
}

// Where a partial index's constant comes from, when the digest proved it: "; every one of 40
// calls had is_published = 1" (the calls of the shapes whose literals it tracked). Empty when
// no query on the table has tracked literals.
std::string constant_origin(const std::vector<WorkloadQuery>& workload,
                            const std::vector<std::pair<size_t, TableUse>>& uses,
                            const PartialTest& test) {
  uint64_t calls = 0;
  size_t shapes = 0;
  for (const auto& entry : uses) {
    const WorkloadQuery& q = workload[entry.first];
    if (q.constant_calls < 2) continue;
    calls += q.constant_calls;
    ++shapes;
  }
  if (shapes == 0) return "";
  return fmt::format("; every one of {} calls{} had {} = {}", calls,
                     shapes > 1 ? fmt::format(" of {} shapes", shapes) : "", test.column,
                     test.value);
}

}  // namespace

WorkloadQuery make_workload_query(std::string sql, uint64_t calls, double total_ms,
                                  std::string fingerprint) {
  WorkloadQuery q;
  q.fingerprint = std::move(fingerprint);
  q.sql = std::move(sql);
  q.calls = calls;
  q.total_ms = total_ms;
  q.model = sql::build_statement_model(q.sql);
  for (const sql::TableRef& t : q.model.tables) {
    if (t.source == sql::TableSource::kTable && !t.name.empty()) q.tables.insert(base_name(t.name));
  }
  if (q.model.kind == sql::StatementKind::kInsert || q.model.kind == sql::StatementKind::kUpdate ||
      q.model.kind == sql::StatementKind::kDelete) {
    for (const std::string& t : q.model.tables_written) q.written.insert(base_name(t));
  }
  q.plannable = q.model.analyzed && plannable_kind(q.model.kind) && !q.tables.empty();
  return q;
}

std::vector<Candidate> generate_candidates(const std::vector<WorkloadQuery>& workload,
                                           const Catalog& catalog,
                                           const CandidateOptions& options) {
  // Pass 1: what each query asks of each table.
  std::map<std::string, std::vector<std::pair<size_t, TableUse>>> per_table;
  for (size_t i = 0; i < workload.size(); ++i) {
    const WorkloadQuery& q = workload[i];
    if (!q.plannable) continue;
    for (const std::string& table : q.tables) {
      const TableInfo* info = catalog.table(table);
      if (!info) continue;
      per_table[table].emplace_back(i, read_use(q, table, *info, catalog));
    }
  }
  Collector collector(catalog, options);
  for (const auto& [table, uses] : per_table) {
    const TableInfo& info = *catalog.table(table);
    std::vector<const TableUse*> all;
    for (const auto& [i, use] : uses) all.push_back(&use);
    auto partial = common_partial_test(all);
    // One query's literal is likely one value among many its calls use: a partial index on it
    // would fit that statement alone. A constant shared by several shapes is a flag
    // (`is_published = 1`), and even then the what-if decides: the full index is offered too.
    const bool constant = partial && !partial->value.empty();
    // The digest can say more: the calls of one shape that all had the same literal.
    const std::string origin = constant ? constant_origin(workload, uses, *partial) : "";
    if (constant && uses.size() < 2 && origin.empty()) partial.reset();
    for (const auto& entry : uses) {
      // Plain references, not a structured binding: clang 14 (the fuzz build) cannot capture
      // those in a lambda.
      const auto& i = entry.first;
      const auto& use = entry.second;
      auto add = [&](std::vector<IndexKey> keys, const std::string& reason) {
        if (partial && constant) collector.add(info, keys, i, reason, use, std::nullopt);
        collector.add(info, std::move(keys), i, partial ? reason + origin : reason, use, partial);
      };
      const std::string eq = describe(use.eq);
      if (!use.eq.empty()) add(use.eq, "equality on " + eq);
      if (use.range) {
        add(concat(use.eq, {*use.range}),
            (eq.empty() ? "" : "equality on " + eq + ", ") + "range on " + use.range->column);
      }
      if (!use.order.empty()) {
        add(concat(use.eq, use.order),
            (eq.empty() ? "" : "equality on " + eq + ", ") + "ORDER BY " + describe(use.order));
      }
      if (!use.group.empty()) {
        add(concat(use.eq, use.group),
            (eq.empty() ? "" : "equality on " + eq + ", ") + "GROUP BY " + describe(use.group));
      }
      if (!use.wrapped.empty()) {
        add(concat(use.wrapped, use.eq),
            "expression " + use.wrapped.front().function + "(" + use.wrapped.front().column + ")");
      }
      for (const IndexKey& j : use.join) {
        bool fk =
            std::any_of(info.foreign_keys.begin(), info.foreign_keys.end(), [&](const auto& cols) {
              return !cols.empty() && lower(cols.front()) == lower(j.column);
            });
        const std::string why = (fk ? "foreign-key join column " : "join column ") + j.column;
        add({IndexKey{j.column, "", false}}, why);
        if (!use.eq.empty()) add(concat({IndexKey{j.column, "", false}}, use.eq), why + " + " + eq);
        // The lookup by the join key narrowed further by the range before the row is read:
        // `l_orderkey = o_orderkey AND l_shipdate > ?`.
        if (use.range)
          add(concat(concat({IndexKey{j.column, "", false}}, use.eq), {*use.range}),
              why + (eq.empty() ? "" : " + " + eq) + ", range on " + use.range->column);
      }
      for (const auto& [other, keys] : use.join_by_other) {
        if (keys.size() < 2) continue;
        const std::string why = "join columns " + describe(keys) + " (to " + other + ")" +
                                (eq.empty() ? "" : " + " + eq);
        add(concat(keys, use.eq), why);
        if (use.range)
          add(concat(concat(keys, use.eq), {*use.range}), why + ", range on " + use.range->column);
      }
    }
  }
  return collector.take();
}

namespace {

bool same_key(const IndexKey& candidate, const IndexKey& existing) {
  if (existing.function == "expr") {
    // PostgreSQL prints expression keys as lower(email): compare that rendering.
    std::string printed = lower(existing.column);
    std::erase(printed, '"');
    return !candidate.function.empty() &&
           printed == candidate.function + "(" + lower(candidate.column) + ")";
  }
  return candidate.function.empty() && lower(candidate.column) == lower(existing.column);
}

}  // namespace

bool served_by_existing(const IndexDef& candidate, const Catalog& catalog) {
  for (const ExistingIndex& e : catalog.indexes) {
    if (lower(e.def.table) != lower(candidate.table) || !e.valid || e.method != "btree") continue;
    if (!e.predicate.empty()) continue;  // a partial index serves only its own rows
    if (e.def.keys.size() < candidate.keys.size()) continue;
    bool prefix = true;
    for (size_t i = 0; i < candidate.keys.size() && prefix; ++i)
      prefix = same_key(candidate.keys[i], e.def.keys[i]);
    if (!prefix) continue;
    bool holds_include =
        std::all_of(candidate.include.begin(), candidate.include.end(), [&](const std::string& c) {
          auto is_c = [&](const std::string& x) { return lower(x) == lower(c); };
          return std::any_of(
                     e.def.keys.begin(), e.def.keys.end(),
                     [&](const IndexKey& k) { return k.function.empty() && is_c(k.column); }) ||
                 std::any_of(e.def.include.begin(), e.def.include.end(), is_c);
        });
    if (holds_include) return true;
  }
  return false;
}

}  // namespace querylens::advise
