// The demo's index advice: advise + verify on a scratch copy, markers bound from the data.
#include "querylens/demo/advice.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <regex>

#include "querylens/advise/verify.h"
#include "querylens/advise/workload.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/sql/quote.h"

namespace querylens::demo {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The table an alias (or a table name) stands for in `sql`, among the query's tables.
std::vector<std::string> tables_for(const advise::WorkloadQuery& q, const std::string& sql,
                                    const std::string& qualifier) {
  std::vector<std::string> out;
  if (qualifier.empty()) return {q.tables.begin(), q.tables.end()};
  const std::string lq = advise::lower(qualifier);
  if (q.tables.count(lq)) return {lq};
  for (const std::string& t : q.tables) {
    const std::regex alias("\\b" + t + "\\s+(AS\\s+)?" + lq + "\\b", std::regex::icase);
    if (std::regex_search(sql, alias)) out.push_back(t);
  }
  return out;
}

// The column's value in the middle row (by rowid) of the first candidate table that has it.
std::optional<db::Value> middle_value(db::Connection& conn, const std::vector<std::string>& tables,
                                      const std::string& column) {
  for (const std::string& t : tables) {
    const std::string table = sql::quote_identifier(t);
    const std::string col = sql::quote_identifier(column);
    try {
      db::ResultSet rs =
          conn.query(fmt::format("SELECT {0} FROM {1} WHERE {0} IS NOT NULL ORDER BY rowid LIMIT 1 "
                                 "OFFSET (SELECT count(*) / 2 FROM {1})",
                                 col, table));
      if (!rs.rows.empty()) return rs.rows[0].at(0);
    } catch (const Error&) {
      // no such column in this table: try the next
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<db::Params> values_from_data(db::Connection& conn, const advise::WorkloadQuery& query,
                                           const std::string& sql) {
  db::Params params;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '\'' || sql[i] == '"') {
      const size_t end = sql.find(sql[i], i + 1);
      if (end == std::string::npos) return std::nullopt;
      i = end;
      continue;
    }
    if (sql[i] != '?') continue;
    // The word or operator before the marker.
    size_t j = i;
    while (j > 0 && std::isspace(static_cast<unsigned char>(sql[j - 1]))) --j;
    size_t k = j;
    while (k > 0 && std::string_view("=<>!").find(sql[k - 1]) != std::string_view::npos) --k;
    std::string op = sql.substr(k, j - k);
    if (op.empty()) {
      while (k > 0 && ident_char(sql[k - 1])) --k;
      op = upper(sql.substr(k, j - k));
    }
    if (op.empty()) return std::nullopt;
    if (op == "LIMIT") {
      params.emplace_back(int64_t{20});
      continue;
    }
    if (op == "OFFSET") {
      params.emplace_back(int64_t{100});
      continue;
    }
    const bool like = op == "LIKE";
    if (!like && op.find_first_not_of("=<>!") != std::string::npos) return std::nullopt;
    // The column before the operator: [qualifier.]column.
    size_t e = k;
    while (e > 0 && std::isspace(static_cast<unsigned char>(sql[e - 1]))) --e;
    size_t b = e;
    while (b > 0 && (ident_char(sql[b - 1]) || sql[b - 1] == '.')) --b;
    const std::string name = sql.substr(b, e - b);
    if (name.empty()) return std::nullopt;
    const size_t dot = name.rfind('.');
    const std::string column = dot == std::string::npos ? name : name.substr(dot + 1);
    const std::string qualifier = dot == std::string::npos ? "" : name.substr(0, dot);
    std::optional<db::Value> value = middle_value(conn, tables_for(query, sql, qualifier), column);
    if (!value) return std::nullopt;
    if (like) {
      std::string text = std::holds_alternative<std::string>(*value) ? std::get<std::string>(*value)
                                                                     : db::to_display(*value);
      const size_t space = text.find(' ');
      if (space != std::string::npos) text.resize(space);
      value = "%" + text + "%";
    }
    params.push_back(std::move(*value));
  }
  return params;
}

AdviceRun run_demo_advice(const std::string& path, const std::vector<report::QueryRow>& queries,
                          int runs) {
  const auto start = std::chrono::steady_clock::now();
  AdviceRun run;
  std::vector<advise::WorkloadQuery> workload = advise::workload_from_rows(queries);
  const std::string url = "sqlite:" + path;
  {
    std::unique_ptr<db::Connection> conn = advise::open_read_only(url);
    run.result = advise::advise(*conn, std::move(workload));
  }
  run.result.database = path;
  advise::VerifyOptions verify;
  verify.runs = runs;
  verify.binder = [](db::Connection& conn, const advise::WorkloadQuery& q, const std::string& sql) {
    return values_from_data(conn, q, sql);
  };
  advise::verify(run.result, url, verify);
  for (const auto& per_index : run.result.verification.indexes) {
    for (const advise::QueryTiming& t : per_index) {
      if (t.skipped.empty()) ++run.measured;
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace querylens::demo
