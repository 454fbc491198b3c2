// distinct-with-join's rewrite: the fanned-out tables move into EXISTS.
//
// Why it is safe: over inner joins, the rows of `parent JOIN children ON c WHERE w` projected
// to the parent's columns are, as a set, the parent rows for which some combination of child
// rows satisfies c AND w — which is what EXISTS (SELECT 1 FROM children WHERE c AND w) tests.
// Every name the conditions use stays visible (children inside, the parent from outside), so
// each condition can move into EXISTS as written; only the terms that name the parent alone
// stay outside, for readability. DISTINCT itself stays (see rewrite.h).
//
// Everything else is refused: outer joins, USING / NATURAL, derived tables, functions and
// LATERAL items, grouping, windows, row locks, an ORDER BY the new FROM cannot see, and any
// reordering of positional `?` markers.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lint/rewrite.h"
#include "lint/token_scan.h"

namespace querylens::lint {
namespace {

using sql::LexResult;
using sql::Token;

// A run of tokens [begin, end).
struct Span {
  int begin = 0, end = 0;
};

// Words that end the FROM clause, and then the WHERE clause, at the top level.
constexpr std::string_view kAfterFrom[] = {"where", "group", "having",    "window",
                                           "order", "limit", "offset",    "fetch",
                                           "for",   "union", "intersect", "except"};
constexpr std::string_view kAfterWhere[] = {"group", "having",    "window", "order",
                                            "limit", "offset",    "fetch",  "for",
                                            "union", "intersect", "except"};
// Words that end a FROM item or a JOIN's ON condition.
constexpr std::string_view kJoinWords[] = {"join",  "inner",   "left", "right", "full",
                                           "cross", "natural", "on",   "using"};
constexpr std::string_view kOr[] = {"or"};

// The WHERE clause's top-level AND terms, or nothing when the tokens do not split the way the
// parse tree did (e.g. `(a AND b) AND c`, which the parser flattens into three terms).
std::vector<Span> split_and(const LexResult& lexed, Span where, const sql::QueryBlock& b) {
  std::vector<Span> out;
  int depth = 0, start = where.begin;
  bool between = false;  // the next AND belongs to BETWEEN … AND …
  for (int i = where.begin; i < where.end; ++i) {
    const Token& t = lexed.tokens[i];
    if (t.is("(") || t.is_word("case")) ++depth;
    if (t.is(")") || t.is_word("end")) --depth;
    if (depth != 0) continue;
    if (t.is_word("between")) between = true;
    if (!t.is_word("and")) continue;
    if (between) {
      between = false;
      continue;
    }
    out.push_back(Span{start, i});
    start = i + 1;
  }
  out.push_back(Span{start, where.end});
  if (out.size() != b.where_terms.size()) return {};
  for (size_t k = 0; k < out.size(); ++k) {
    int at = b.where_terms[k].location;
    if (out[k].begin >= out[k].end || at < static_cast<int>(lexed.tokens[out[k].begin].offset) ||
        at >= static_cast<int>(end_of(lexed.tokens[out[k].end - 1]))) {
      return {};
    }
  }
  return out;
}

// Text spliced from the statement, and where its bare `?` markers were: they bind by
// position, so the rewrite must keep them in their order.
struct Piece {
  std::string text;
  std::vector<size_t> markers;
};

// The text of `s`; `group` wraps it in parentheses when a top-level OR would otherwise bind
// looser than the AND it is joined with.
Piece piece(std::string_view sql, const LexResult& lexed, Span s, bool group = false) {
  Piece p;
  for (int i = s.begin; i < s.end; ++i) {
    const Token& t = lexed.tokens[i];
    if (t.kind == sql::TokenKind::kParam && sql::param_style(t) == sql::ParamStyle::kQuestion)
      p.markers.push_back(t.offset);
  }
  size_t from = lexed.tokens[s.begin].offset;
  p.text = std::string(sql.substr(from, end_of(lexed.tokens[s.end - 1]) - from));
  if (group && next_top_level(lexed, s.begin, s.end, kOr) < s.end) p.text = "(" + p.text + ")";
  return p;
}

// The pieces' texts joined by `separator`; their markers appended to `markers` in that order.
std::string join(const std::vector<Piece>& parts, std::string_view separator,
                 std::vector<size_t>& markers) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i ? std::string(separator) : "") + parts[i].text;
    markers.insert(markers.end(), parts[i].markers.begin(), parts[i].markers.end());
  }
  return out;
}

bool order_by_visible(const sql::QueryBlock& b, std::string_view parent) {
  for (const sql::OrderKey& k : b.order_by) {
    if (k.column.empty()) return false;  // an expression or ordinal: not checked
    if (k.qualifier == parent) continue;
    // An unqualified key is the output column of that name (SQLite would also accept a
    // column of a child table here, which the new FROM no longer has).
    bool output = k.qualifier.empty() &&
                  std::any_of(b.target_columns.begin(), b.target_columns.end(),
                              [&k](const auto& target) { return target.second == k.column; });
    if (!output) return false;
  }
  return true;
}

}  // namespace

std::string rewrite_distinct_exists(std::string_view sql, const LexResult& lexed,
                                    const sql::StatementModel& m, std::string_view parent) {
  const sql::QueryBlock& b = m.blocks[0];
  if (m.kind != sql::StatementKind::kSelect || b.is_set_operation || !b.distinct || b.distinct_on ||
      b.has_group_by || b.has_having || b.has_window || b.outer_joins > 0 || b.cross_joins > 0 ||
      m.row_locking || m.select_into || b.tables.size() < 2 || !order_by_visible(b, parent)) {
    return {};
  }
  const std::vector<Token>& t = lexed.tokens;
  int n = static_cast<int>(t.size());
  if (n > 0 && t[n - 1].is(";")) --n;  // a captured statement may keep its terminator
  if (n < 4 || !t[0].is_word("select") || !t[1].is_word("distinct")) return {};  // WITH, …
  int from = find_top_level(lexed, 2, n, "from");
  if (from < 0) return {};
  int from_end = next_top_level(lexed, from + 1, n, kAfterFrom);
  bool has_where = from_end < n && t[from_end].is_word("where");
  int where_end = has_where ? next_top_level(lexed, from_end + 1, n, kAfterWhere) : from_end;

  // FROM: items separated by `,` or [INNER] JOIN, each JOIN's ON condition after its item.
  std::vector<Span> items, conditions;
  for (int i = from + 1;;) {
    int begin = i;
    i = next_top_level(lexed, i, from_end, kJoinWords, ",");
    if (i == begin) return {};
    items.push_back(Span{begin, i});
    if (i < from_end && t[i].is_word("on")) {
      int c = i + 1;
      i = next_top_level(lexed, c, from_end, kJoinWords, ",");
      if (i == c) return {};
      conditions.push_back(Span{c, i});
    }
    if (i == from_end) break;
    if (t[i].is(",")) {
      ++i;
      continue;
    }
    if (t[i].is_word("inner")) ++i;
    if (i >= from_end || !t[i].is_word("join")) return {};  // LEFT, CROSS, NATURAL, USING, …
    ++i;
  }
  // The tokens must show the FROM items the parse tree has: plain tables, in order.
  if (items.size() != b.tables.size()) return {};
  int parent_item = -1;
  for (size_t k = 0; k < items.size(); ++k) {
    const sql::TableRef& table = m.tables[b.tables[k]];
    if (table.source != sql::TableSource::kTable || table.lateral ||
        static_cast<int>(t[items[k].begin].offset) != table.location) {
      return {};
    }
    if ((table.alias.empty() ? table.name : table.alias) == parent) {
      if (parent_item >= 0) return {};
      parent_item = static_cast<int>(k);
    }
  }
  if (parent_item < 0) return {};

  auto text = [&](Span s, bool group = false) { return piece(sql, lexed, s, group); };
  std::vector<Piece> children, inside, outside;
  for (size_t k = 0; k < items.size(); ++k) {
    if (static_cast<int>(k) != parent_item) children.push_back(text(items[k]));
  }
  for (Span c : conditions) inside.push_back(text(c, true));
  if (has_where) {
    Span where{from_end + 1, where_end};
    std::vector<Span> terms = split_and(lexed, where, b);
    if (terms.empty()) {
      inside.push_back(text(where, true));
    } else {
      // Terms on the parent alone stay outside; anything else (a child, an unqualified name,
      // a subquery) moves in, where every name it used is still visible.
      for (size_t k = 0; k < terms.size(); ++k) {
        const sql::WhereTerm& term = b.where_terms[k];
        bool parent_only = !term.qualifiers.empty() && !term.unqualified && !term.subquery &&
                           std::all_of(term.qualifiers.begin(), term.qualifiers.end(),
                                       [parent](const std::string& q) { return q == parent; });
        (parent_only ? outside : inside).push_back(text(terms[k], true));
      }
    }
  }
  // Assembled in output order, so the markers are collected in the order they will bind.
  std::vector<size_t> markers;
  std::string head = join({text(Span{2, from}), text(items[parent_item])}, " FROM ", markers);
  std::string outer = join(outside, " AND ", markers);
  std::string from_children = join(children, ", ", markers);
  std::string conditions_inside = join(inside, " AND ", markers);
  std::string tail = where_end < n ? " " + join({text(Span{where_end, n})}, "", markers) : "";
  if (!std::is_sorted(markers.begin(), markers.end())) return {};
  return fmt::format("SELECT DISTINCT {} WHERE {}{}EXISTS (SELECT 1 FROM {}{}){}", head, outer,
                     outer.empty() ? "" : " AND ", from_children,
                     conditions_inside.empty() ? "" : " WHERE " + conditions_inside, tail);
}

}  // namespace querylens::lint
