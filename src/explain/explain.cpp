// explain_statement(): the safety rules, then the engine's runner, then the plan checks.
#include "querylens/explain/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "explain/engine.h"
#include "querylens/core/error.h"
#include "querylens/db/connection.h"
#include "querylens/sql/lexer.h"
#include "querylens/sql/splitter.h"

namespace querylens::explain {
namespace {

std::string upper(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string targets(const sql::StatementModel& model) {
  std::string out;
  for (const std::string& t : model.tables_written) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out;
}

// Highest parameter number: $n as written, or the n-th SQLite marker (?, ?N, :name).
int count_params(const std::vector<sql::Token>& tokens) {
  int highest = 0, ordinal = 0;
  for (const sql::Token& t : tokens) {
    if (t.kind != sql::TokenKind::kParam) continue;
    ++ordinal;
    int n = ordinal;
    sql::ParamStyle style = sql::param_style(t);
    if (style == sql::ParamStyle::kDollarNumber || style == sql::ParamStyle::kQuestionNumber) {
      n = 0;
      for (char c : t.text.substr(1)) {
        if (c < '0' || c > '9' || n > 100000) break;
        n = n * 10 + (c - '0');
      }
    }
    highest = std::max(highest, n);
  }
  return highest;
}

}  // namespace

StatementSafety classify_statement(std::string_view sql, const sql::StatementModel& model) {
  StatementSafety s;
  sql::ScriptSplit split = sql::split_script(sql);
  if (split.statements.size() > 1) {
    s.reason =
        fmt::format("{} statements given; explain takes exactly one", split.statements.size());
    return s;
  }
  sql::LexResult lexed = sql::lex(sql);
  if (lexed.tokens.empty()) {
    s.reason = "no statement given";
    return s;
  }
  s.max_param = count_params(lexed.tokens);
  const sql::Token& first = lexed.tokens.front();
  std::string keyword = first.kind == sql::TokenKind::kWord ? upper(first.text) : "";
  if (keyword == "EXPLAIN") {
    s.reason = "give the statement without EXPLAIN: querylens adds its own options";
    return s;
  }
  if (!model.analyzed) {
    // libpg_query could not read it (SQLite-only syntax, say): judge by its first word, and
    // call anything that is not plainly a query a write. The SQLite runner asks the engine
    // too (sqlite3_stmt_readonly); PostgreSQL would reject what its own parser cannot read.
    static constexpr std::string_view kRunnable[] = {"SELECT", "VALUES", "WITH",    "INSERT",
                                                     "UPDATE", "DELETE", "REPLACE", "MERGE"};
    s.explainable = std::find(std::begin(kRunnable), std::end(kRunnable),
                              std::string_view(keyword)) != std::end(kRunnable);
    if (!s.explainable) {
      s.reason = fmt::format("'{}' statements cannot be explained", keyword);
      return s;
    }
    s.writes = keyword != "SELECT" && keyword != "VALUES";
    if (s.writes) s.reason = fmt::format("a {} statement (not parsed: {})", keyword, model.error);
    return s;
  }
  switch (model.kind) {
    case sql::StatementKind::kSelect:
      s.explainable = true;
      if (model.data_modifying_cte) {
        s.writes = true;
        s.reason = "a WITH clause that runs INSERT / UPDATE / DELETE";
      } else if (model.select_into) {
        s.writes = true;
        s.reason = "SELECT … INTO, which creates a table";
      } else if (model.row_locking) {
        s.writes = true;
        s.reason = "SELECT … FOR UPDATE / SHARE, which locks the rows it reads";
      }
      return s;
    case sql::StatementKind::kInsert:
    case sql::StatementKind::kUpdate:
    case sql::StatementKind::kDelete:
      s.explainable = true;
      s.writes = true;
      s.reason = fmt::format("{} on {}", upper(to_string(model.kind)), targets(model));
      return s;
    default:
      if (model.command == "MergeStmt") {
        s.explainable = true;
        s.writes = true;
        s.reason = "MERGE";
        return s;
      }
      s.reason = fmt::format(
          "{} cannot be explained: querylens explains SELECT, INSERT, "
          "UPDATE, DELETE and MERGE",
          model.command.empty() ? keyword : model.command);
      return s;
  }
}

ExplainResult explain_statement(db::Connection& connection, std::string_view sql,
                                const ExplainOptions& options) {
  ExplainResult result;
  result.sql = std::string(sql);
  result.model = sql::build_statement_model(sql);
  result.safety = classify_statement(sql, result.model);
  if (!result.safety.explainable) throw Error(ErrorKind::kUsage, result.safety.reason);
  if (options.analyze && result.safety.writes && !options.allow_writes) {
    throw Error(ErrorKind::kUsage,
                fmt::format("--analyze would run {} (inside a transaction that is rolled "
                            "back); add --allow-writes to let it, or drop --analyze to only "
                            "plan it",
                            result.safety.reason));
  }
  ExplainOptions effective = options;
  if (options.analyze && result.safety.max_param > static_cast<int>(options.params.size())) {
    effective.analyze = false;
    result.note = fmt::format(
        "planned only: the statement takes {} parameter(s) and {} value(s) were given "
        "(--param); a run with NULLs would measure nothing real",
        result.safety.max_param, options.params.size());
  }
  if (connection.in_transaction()) {
    throw Error(ErrorKind::kInternal, "explain needs a connection outside any transaction");
  }
  if (connection.backend() == db::Backend::kPostgres) {
    detail::run_postgres(connection, effective, result);
  } else {
    detail::run_sqlite(connection, effective, result);
  }
  result.findings = plan::check_plan(result.plan, &result.model, effective.checks);
  return result;
}

}  // namespace querylens::explain
