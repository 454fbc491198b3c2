#include "lint/rewrite.h"

#include <fmt/format.h>

#include <cctype>

#include "lint/token_scan.h"

namespace querylens::lint {
namespace {

using sql::LexResult;
using sql::Token;

std::string visible_name(const sql::TableRef& t) { return t.alias.empty() ? t.name : t.alias; }

}  // namespace

std::string rewrite_in_subquery(std::string_view sql, const LexResult& lexed,
                                const sql::StatementModel& m, const sql::Subquery& sub) {
  if (sub.block < 0 || sub.parent_block < 0) return {};
  const sql::QueryBlock& inner = m.blocks[sub.block];
  const sql::QueryBlock& outer = m.blocks[sub.parent_block];
  // Only the plain form: one column from one table, nothing that changes the row set.
  if (inner.is_set_operation || inner.targets != 1 || inner.has_group_by || inner.has_having ||
      inner.distinct_on || inner.limit || inner.limit_param || inner.offset || inner.offset_param ||
      inner.has_window || inner.tables.size() != 1 || inner.target_columns.empty()) {
    return {};
  }
  const sql::TableRef& inner_table = m.tables[inner.tables[0]];
  if (inner_table.source != sql::TableSource::kTable) return {};
  auto [inner_q, inner_col] = inner.target_columns[0];
  std::string inner_name = visible_name(inner_table);
  if (inner_col.empty() || inner_col == "*" || (!inner_q.empty() && inner_q != inner_name))
    return {};
  const sql::ColumnUse* tested = nullptr;
  for (const sql::ColumnUse& c : m.columns) {
    if (c.role == sql::ColumnRole::kInList && c.location == sub.test_location) tested = &c;
  }
  if (tested == nullptr) return {};
  std::string outer_q = tested->qualifier;
  if (outer_q.empty()) {
    if (outer.tables.size() != 1) return {};
    outer_q = visible_name(m.tables[outer.tables[0]]);
  }
  // Same name inside and out: the outer reference would be captured by the inner table.
  if (outer_q == inner_name) return {};
  int test = token_at(lexed, sub.test_location);
  int keyword = token_at(lexed, sub.location);
  if (test < 0 || keyword < 0) return {};
  int open = keyword;
  while (open < static_cast<int>(lexed.tokens.size()) && !lexed.tokens[open].is("(")) ++open;
  int close = open < static_cast<int>(lexed.tokens.size()) ? matching_paren(lexed, open) : -1;
  if (close < 0) return {};
  int from = find_top_level(lexed, open + 1, close, "from");
  int where = find_top_level(lexed, open + 1, close, "where");
  if (from < 0) return {};
  size_t from_end = where >= 0 ? lexed.tokens[where].offset : lexed.tokens[close].offset;
  std::string_view from_text =
      trim(sql.substr(lexed.tokens[from].offset, from_end - lexed.tokens[from].offset));
  std::string condition =
      fmt::format("{}.{} = {}.{}", inner_name, inner_col, outer_q, tested->column);
  if (where >= 0 && where + 1 < close) {
    size_t b = lexed.tokens[where + 1].offset;
    condition += fmt::format(" AND ({})", trim(sql.substr(b, lexed.tokens[close].offset - b)));
  }
  std::string fragment =
      fmt::format("{}EXISTS (SELECT 1 {} WHERE {})",
                  sub.kind == sql::SubqueryKind::kNotIn ? "NOT " : "", from_text, condition);
  size_t start = lexed.tokens[test].offset;
  size_t stop = end_of(lexed.tokens[close]);
  return std::string(sql.substr(0, start)) + fragment + std::string(sql.substr(stop));
}

std::string rewrite_keyset(std::string_view sql, const LexResult& lexed,
                           const sql::StatementModel& m) {
  const sql::QueryBlock& b = m.blocks[0];
  if (m.kind != sql::StatementKind::kSelect || b.is_set_operation || b.order_by.empty() ||
      b.has_group_by || b.has_having || b.distinct || b.has_window ||
      (!b.limit && !b.limit_param)) {
    return {};
  }
  bool descending = b.order_by[0].descending;
  for (const sql::OrderKey& k : b.order_by) {
    if (k.column.empty() || k.descending != descending || k.nulls_written) return {};
  }
  int n = static_cast<int>(lexed.tokens.size());
  int order = find_top_level(lexed, 0, n, "order");
  int offset = find_top_level(lexed, 0, n, "offset");
  int where = find_top_level(lexed, 0, n, "where");
  if (order < 0 || offset < 0 || offset < order || (where >= 0 && where > order)) return {};
  // OFFSET … runs to the next clause (LIMIT / FETCH / FOR) or the end.
  int offset_end = offset + 1;
  while (offset_end < n) {
    const Token& t = lexed.tokens[offset_end];
    if (t.is_word("limit") || t.is_word("fetch") || t.is_word("for")) break;
    ++offset_end;
  }
  std::string text(sql.substr(0, lexed.tokens[offset].offset));
  if (offset_end < n) text += std::string(sql.substr(lexed.tokens[offset_end].offset));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  // Markers in the style the statement already uses.
  bool question = false;
  for (const Token& t : lexed.tokens) {
    if (t.kind == sql::TokenKind::kParam && sql::param_style(t) != sql::ParamStyle::kDollarNumber)
      question = true;
  }
  std::string keys, values;
  int next = b.max_param + 1;
  for (size_t i = 0; i < b.order_by.size(); ++i) {
    const sql::OrderKey& k = b.order_by[i];
    keys += (i ? ", " : "") + (k.qualifier.empty() ? k.column : k.qualifier + "." + k.column);
    values += (i ? ", " : "") + (question ? std::string("?") : fmt::format("${}", next++));
  }
  std::string keyset = b.order_by.size() == 1
                           ? fmt::format("{} {} {}", keys, descending ? "<" : ">", values)
                           : fmt::format("({}) {} ({})", keys, descending ? "<" : ">", values);
  size_t order_at = lexed.tokens[order].offset;
  std::string head = std::string(trim(std::string_view(text).substr(0, order_at)));
  std::string tail = text.substr(order_at);
  if (where < 0) return fmt::format("{} WHERE {} {}", head, keyset, tail);
  if (!b.where_is_or) return fmt::format("{} AND {} {}", head, keyset, tail);
  size_t body = where + 1 < n ? lexed.tokens[where + 1].offset : order_at;
  return fmt::format("{}({}) AND {} {}", text.substr(0, body),
                     trim(std::string_view(text).substr(body, order_at - body)), keyset, tail);
}

std::string rewrite_count_exists(std::string_view sql, const LexResult& lexed, bool negated) {
  int n = static_cast<int>(lexed.tokens.size());
  if (n < 2 || !lexed.tokens[0].is_word("select")) return {};
  int from = find_top_level(lexed, 1, n, "from");
  for (const char* clause :
       {"group", "having", "order", "limit", "offset", "union", "intersect", "except", "with"}) {
    if (find_top_level(lexed, 0, n, clause) >= 0) return {};
  }
  if (from < 0) return {};
  return fmt::format("SELECT {}EXISTS (SELECT 1 {})", negated ? "NOT " : "",
                     trim(sql.substr(lexed.tokens[from].offset)));
}

std::string rewrite_union_all(std::string_view sql, const LexResult& lexed) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < lexed.tokens.size(); ++i) {
    const Token& t = lexed.tokens[i];
    if (!t.is_word("union")) continue;
    if (i + 1 < lexed.tokens.size() &&
        (lexed.tokens[i + 1].is_word("all") || lexed.tokens[i + 1].is_word("distinct")))
      continue;
    out += std::string(sql.substr(copied, end_of(t) - copied)) + " ALL";
    copied = end_of(t);
  }
  if (copied == 0) return {};
  return out + std::string(sql.substr(copied));
}

}  // namespace querylens::lint
