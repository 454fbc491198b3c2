// The lint rules: each reads the statement model and, for rewrites, the statement's tokens.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "lint/rewrite.h"
#include "querylens/lint/lint.h"
#include "querylens/sql/quote.h"

namespace querylens::lint {
namespace {

using sql::ColumnRole;
using sql::StatementModel;

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string column_text(const sql::ColumnUse& c) {
  return c.qualifier.empty() ? c.column : c.qualifier + "." + c.column;
}

class Checker {
 public:
  Checker(std::string_view sql, const StatementModel& m, const LintOptions& o)
      : sql_(sql), m_(m), o_(o) {}

  std::vector<StatementFinding> run() {
    select_star();
    columns();
    predicates();
    subqueries();
    blocks();
    set_operations();
    if (m_.insert_without_columns) {
      add("implicit-insert-columns", Severity::kLow, m_.insert_location,
          "INSERT without a column list depends on the table's column order",
          "Name the columns: INSERT INTO t (a, b) VALUES (…). Adding or reordering a column "
          "otherwise breaks or silently corrupts this statement.");
      out_.back().finding.tables = m_.tables_written;
    }
    return std::move(out_);
  }

 private:
  Finding& add(std::string_view rule, Severity severity, int offset, std::string title,
               std::string recommendation, std::string fix = {}) {
    StatementFinding f;
    f.finding.rule = std::string(rule);
    f.finding.severity = severity;
    f.finding.title = std::move(title);
    f.finding.recommendation = std::move(recommendation);
    f.finding.fix_sql = std::move(fix);
    f.offset = std::max(offset, 0);
    out_.push_back(std::move(f));
    return out_.back().finding;
  }
  bool on(std::string_view rule) const { return o_.enabled(rule); }
  const sql::LexResult& tokens() {
    if (!lexed_) lexed_ = sql::lex(sql_);
    return *lexed_;
  }
  // Blocks whose target list is the statement's result: block 0 and the branches of its set
  // operations (not subqueries, not CTE bodies).
  bool outermost(int block) const {
    if (block == 0) return true;
    for (const sql::Subquery& s : m_.subqueries) {
      if (s.block == block) return false;
    }
    int parent = m_.blocks[block].parent;
    return parent >= 0 && m_.blocks[parent].is_set_operation && outermost(parent);
  }

  void select_star() {
    if (!on("select-star") || m_.kind != sql::StatementKind::kSelect) return;
    for (size_t b = 0; b < m_.blocks.size(); ++b) {
      const sql::QueryBlock& block = m_.blocks[b];
      if (block.star_locations.empty() || !block.star_over_table || !outermost(static_cast<int>(b)))
        continue;
      add("select-star", Severity::kLow, block.star_locations[0], "SELECT * in the result list",
          "Name the columns the caller reads: fewer bytes read and sent, index-only scans become "
          "possible, and the result does not change shape when the table does.");
    }
  }

  // The base table a column belongs to: as the statement shows it, else (with --db) the one
  // table of its query block whose catalog has a column of that name.
  std::string table_of(const sql::ColumnUse& c) const {
    if (!c.table.empty() || o_.schema.empty()) return c.table;
    if (c.block < 0 || c.block >= static_cast<int>(m_.blocks.size())) return {};
    std::string found;
    for (int ti : m_.blocks[static_cast<size_t>(c.block)].tables) {
      const sql::TableRef& t = m_.tables[static_cast<size_t>(ti)];
      if (t.source != sql::TableSource::kTable) continue;
      const TableSchema* schema = schema_of(t.schema.empty() ? t.name : t.schema + "." + t.name);
      if (schema == nullptr || !schema->columns.count(ascii_lower(c.column))) continue;
      if (!found.empty()) return {};  // ambiguous: the statement would not even run
      found = t.schema.empty() ? t.name : t.schema + "." + t.name;
    }
    return found;
  }
  const TableSchema* schema_of(const std::string& table) const {
    auto it = o_.schema.find(ascii_lower(table));
    return it == o_.schema.end() ? nullptr : &it->second;
  }
  // True / false when --db says whether an index leads with the column; nullopt: unknown.
  std::optional<bool> indexed(const std::string& table, const std::string& column) const {
    const TableSchema* schema = table.empty() ? nullptr : schema_of(table);
    if (schema == nullptr) return std::nullopt;
    return schema->indexed_columns.count(ascii_lower(column)) > 0;
  }

  // The index whose first key is exactly `expression` (canonical form), with --db; else null.
  const std::string* expression_index(const std::string& table,
                                      const std::string& expression) const {
    const TableSchema* schema = table.empty() || expression.empty() ? nullptr : schema_of(table);
    if (schema == nullptr) return nullptr;
    auto it = schema->indexed_expressions.find(expression);
    return it == schema->indexed_expressions.end() ? nullptr : &it->second;
  }

  void columns() {
    for (const sql::ColumnUse& c : m_.columns) {
      if (c.role == ColumnRole::kLikeLeadingWildcard && !c.negated && on("leading-wildcard-like")) {
        std::string table = table_of(c);
        Finding& f =
            add("leading-wildcard-like", Severity::kMedium, c.location,
                fmt::format("LIKE '{}' on {} starts with a wildcard: no b-tree index can serve it",
                            c.detail, column_text(c)),
                "Search by prefix if the application allows it, or index the column for "
                "substring search with pg_trgm (a GIN trigram index).");
        if (!table.empty()) {
          f.fix_sql = fmt::format(
              "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX ON {} USING gin ({} "
              "gin_trgm_ops);",
              sql::quote_qualified(table), sql::quote_identifier(c.column));
          f.tables = {table};
          if (indexed(table, c.column) == true) {
            f.detail =
                fmt::format("{}.{} has an index, which this pattern cannot use.", table, c.column);
          }
        }
      }
      if (c.role == ColumnRole::kWrapped && on("non-sargable-predicate")) {
        std::string table = table_of(c);
        // An index on this very expression (CREATE INDEX … ((lower(email)))) serves the
        // predicate as written: nothing to report. Precision first — the fix the finding would
        // propose exists already.
        if (expression_index(table, c.expression) != nullptr) continue;
        bool is_cast = c.detail.starts_with("::");
        std::string expression =
            is_cast ? column_text(c) + c.detail
                    : c.detail.substr(0, c.detail.size() - 1) + column_text(c) + ")";
        // With --db: wrapping a column that leads an index throws that index away (high);
        // wrapping one no index serves costs nothing more than the scan already does (low,
        // the fix is then an expression index). Without --db: medium, as the text alone says.
        std::optional<bool> has_index = indexed(table, c.column);
        Severity severity = !has_index   ? Severity::kMedium
                            : *has_index ? Severity::kHigh
                                         : Severity::kLow;
        Finding& f =
            add("non-sargable-predicate", severity, c.location,
                has_index == true ? fmt::format("{} in a predicate: the index on {} cannot be used",
                                                expression, c.column)
                                  : fmt::format("{} in a predicate: an index on {} cannot be used",
                                                expression, c.column),
                "Compare the bare column (date(t) = d → t >= d AND t < d + 1; move casts to "
                "the other side), or create an index on the expression itself.");
        std::string fn = c.detail.substr(0, c.detail.size() - 2);
        if (!table.empty() && !is_cast && (fn == "lower" || fn == "upper")) {
          f.fix_sql = fmt::format("CREATE INDEX ON {} (({}({})));", sql::quote_qualified(table), fn,
                                  sql::quote_identifier(c.column));
        }
        if (has_index == true) {
          f.detail = fmt::format("{} has an index on {}: this predicate makes the planner skip it.",
                                 table, c.column);
        } else if (has_index == false) {
          f.detail = fmt::format("{}.{} has no index yet: an index on the expression is the fix.",
                                 table, c.column);
        }
        if (!table.empty()) f.tables = {table};
      }
    }
  }

  void predicates() {
    for (const sql::Predicate& p : m_.predicates) {
      switch (p.kind) {
        case sql::PredicateKind::kOrAcrossColumns:
          if (!on("or-across-columns")) break;
          add("or-across-columns", Severity::kMedium, p.location,
              "OR between conditions on different columns: one index cannot serve both sides",
              "Split into a UNION ALL of one query per condition (each uses its own index), or "
              "make sure each column has an index so PostgreSQL can combine them (BitmapOr).");
          break;
        case sql::PredicateKind::kCountComparedWithZero: {
          if (!on("count-for-existence")) break;
          if (p.in_select_list && (p.block != 0 || m_.blocks[0].has_group_by)) break;
          add("count-for-existence", Severity::kMedium, p.location,
              "count(*) compared with 0 counts every matching row to answer a yes/no question",
              "Use EXISTS: it stops at the first matching row.",
              p.in_select_list ? rewrite_count_exists(sql_, tokens(), p.exists_negated)
                               : std::string());
          break;
        }
        case sql::PredicateKind::kNoJoinCondition:
          if (!on("missing-join-condition")) break;
          add("missing-join-condition", Severity::kHigh, p.location,
              fmt::format("{} is in FROM with no condition linking it to the other tables: every "
                          "row pairs with every row",
                          p.column),
              "Add the join condition (JOIN … ON); write CROSS JOIN if the cartesian product is "
              "intended.");
          break;
        case sql::PredicateKind::kOrOfEqualities:
          break;  // fine as written: PostgreSQL reads it like an IN-list
      }
    }
  }

  void subqueries() {
    for (const sql::Subquery& s : m_.subqueries) {
      bool in_where = s.clause == sql::Clause::kWhere || s.clause == sql::Clause::kJoinOn;
      if (s.kind == sql::SubqueryKind::kNotIn && on("not-in-subquery")) {
        add("not-in-subquery", Severity::kHigh, s.test_location >= 0 ? s.test_location : s.location,
            "NOT IN (SELECT …) returns no rows at all if the subquery yields a NULL, and cannot be "
            "planned as an anti-join",
            "Use NOT EXISTS with the correlation written out.",
            rewrite_in_subquery(sql_, tokens(), m_, s));
      }
      if (s.kind == sql::SubqueryKind::kIn && in_where && on("in-subquery")) {
        add("in-subquery", Severity::kLow, s.test_location >= 0 ? s.test_location : s.location,
            "IN (SELECT …): EXISTS or a JOIN states the semi-join directly",
            "PostgreSQL usually plans this as a semi-join already; prefer EXISTS when the subquery "
            "may return many rows or duplicates.",
            rewrite_in_subquery(sql_, tokens(), m_, s));
      }
      // A counted existence test is reported once, as count-for-existence.
      if (s.kind == sql::SubqueryKind::kScalar && s.correlated && !s.count_for_existence &&
          on("correlated-subquery") &&
          (s.clause == sql::Clause::kSelectList || s.clause == sql::Clause::kWhere)) {
        add("correlated-subquery", Severity::kMedium, s.location,
            fmt::format("a subquery in the {} is run again for every row of the outer query",
                        s.clause == sql::Clause::kSelectList ? "select list" : "WHERE clause"),
            "Join the subquery's table once (JOIN … GROUP BY, or LEFT JOIN LATERAL) instead of "
            "evaluating it per row.");
      }
    }
  }

  void blocks() {
    for (size_t i = 0; i < m_.blocks.size(); ++i) {
      const sql::QueryBlock& b = m_.blocks[i];
      for (const sql::OrderKey& k : b.order_by) {
        if (k.random && on("order-by-random")) {
          add("order-by-random", Severity::kMedium, k.location,
              "ORDER BY random() reads and sorts every row to return a few",
              "Pick random keys instead (WHERE id >= random key … LIMIT n), or TABLESAMPLE SYSTEM "
              "for approximate samples.");
        }
      }
      bool paging = b.limit || b.limit_param;
      bool big = b.offset && *b.offset > o_.offset_threshold;
      if ((big || (b.offset_param && paging && !b.order_by.empty())) && on("large-offset")) {
        Severity sev =
            big && *b.offset > 10 * o_.offset_threshold ? Severity::kHigh : Severity::kMedium;
        add("large-offset", sev, b.offset_location,
            big ? fmt::format("OFFSET {} reads and discards {} rows before returning any",
                              *b.offset, *b.offset)
                : std::string(
                      "OFFSET from a parameter: deep pages read and discard every earlier row"),
            "Page by key (keyset pagination): remember the last row's sort key and ask for the "
            "rows "
            "after it; add a unique column to ORDER BY if the key is not unique.",
            i == 0 ? rewrite_keyset(sql_, tokens(), m_) : std::string());
      }
      int relations = static_cast<int>(b.tables.size());
      if (relations - 1 > o_.max_joins && on("too-many-joins")) {
        add("too-many-joins", Severity::kMedium, m_.tables[b.tables[0]].location,
            fmt::format("{} tables joined in one query (threshold {})", relations,
                        o_.max_joins + 1),
            "Past join_collapse_limit (8) PostgreSQL stops searching join orders; check the plan, "
            "split the query, or pre-aggregate.");
      }
      distinct_with_join(b, static_cast<int>(i));
      order_without_limit(b, static_cast<int>(i));
    }
  }

  void distinct_with_join(const sql::QueryBlock& b, int index) {
    if (!b.distinct || b.distinct_on || b.tables.size() < 2 || !on("distinct-with-join")) return;
    // Only when every output column comes from one table: the others only filter, so the
    // DISTINCT exists to undo the join's fan-out.
    std::string source;
    for (const auto& [q, col] : b.target_columns) {
      if (q.empty() || col.empty() || (!source.empty() && q != source)) return;
      source = q;
    }
    if (source.empty()) return;
    add("distinct-with-join", Severity::kMedium, m_.tables[b.tables[1]].location,
        fmt::format("DISTINCT removes the duplicates the join creates; only {} is selected",
                    source),
        fmt::format("Select from {} alone and filter with WHERE EXISTS (SELECT 1 FROM the other "
                    "tables …): no fan-out to deduplicate. Drop DISTINCT as well when the "
                    "selected columns include a unique key of {}.",
                    source, source),
        index == 0 ? rewrite_distinct_exists(sql_, tokens(), m_, source) : std::string());
  }

  void order_without_limit(const sql::QueryBlock& b, int index) {
    if (index != 0 || b.order_by.empty() || b.limit || b.limit_param || o_.table_rows.empty() ||
        !on("order-without-limit")) {
      return;
    }
    for (int ti : b.tables) {
      const sql::TableRef& t = m_.tables[ti];
      if (t.source != sql::TableSource::kTable) continue;
      // A qualified reference matches only that schema's table; a plain one the table the
      // search_path finds (read_table_rows keys both forms).
      std::string name = t.schema.empty() ? t.name : t.schema + "." + t.name;
      auto it = o_.table_rows.find(name);
      if (it == o_.table_rows.end() || it->second < o_.large_table_rows) continue;
      Finding& f = add(
          "order-without-limit", Severity::kMedium, b.order_by[0].location,
          fmt::format("ORDER BY without LIMIT on {} (~{} rows) sorts the whole result", name,
                      it->second),
          "Add a LIMIT (and page by key), or drop the ORDER BY if the caller does not need it.");
      f.tables = {name};
      return;
    }
  }

  void set_operations() {
    if (!on("union-without-all")) return;
    for (const sql::SetOperation& s : m_.set_operations) {
      if (s.kind != sql::SetOpKind::kUnion || s.all || !(s.in_sublink || s.disjoint_branches))
        continue;
      bool rewrite_all =
          std::all_of(m_.set_operations.begin(), m_.set_operations.end(), [](const auto& o) {
            return o.kind != sql::SetOpKind::kUnion || o.all || o.in_sublink || o.disjoint_branches;
          });
      add("union-without-all", Severity::kLow, union_offset(),
          s.in_sublink ? "UNION inside IN / EXISTS removes duplicates that cannot matter there"
                       : "UNION removes duplicates across branches that cannot overlap",
          s.in_sublink
              ? "Use UNION ALL: same answer, without the sort or hash that removes duplicates."
              : "Use UNION ALL when a branch cannot return the same row twice either (or "
                "those duplicates are wanted): it skips the sort or hash.",
          rewrite_all ? rewrite_union_all(sql_, tokens()) : std::string());
      return;  // one finding per statement is enough
    }
  }
  int union_offset() {
    for (const sql::Token& t : tokens().tokens) {
      if (t.is_word("union")) return static_cast<int>(t.offset);
    }
    return 0;
  }

  std::string_view sql_;
  const StatementModel& m_;
  const LintOptions& o_;
  std::optional<sql::LexResult> lexed_;
  std::vector<StatementFinding> out_;
};

}  // namespace

std::vector<StatementFinding> lint_statement(std::string_view sql, const StatementModel& model,
                                             const LintOptions& options) {
  if (!model.analyzed || model.blocks.empty()) return {};
  return Checker(sql, model, options).run();
}

}  // namespace querylens::lint
