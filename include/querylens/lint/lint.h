// querylens lint — anti-patterns found from the statement model (sql/statement_model.h), each
// with where it is, why it matters and, where one can be written, the rewritten SQL.
//
// Rule ids are a public contract (docs/rules.md). Precision first: a rule fires only when the
// statement alone shows the problem; statements libpg_query rejects are reported as not
// analyzed, never guessed at.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/core/finding.h"
#include "querylens/lint/schema.h"
#include "querylens/sql/statement_model.h"

namespace querylens::lint {

struct RuleInfo {
  std::string_view id;
  Severity severity;  // the usual severity; some findings raise or lower it
  std::string_view summary;
};
// Every rule, in documentation order.
const std::vector<RuleInfo>& rules();
bool is_rule(std::string_view id);

struct LintOptions {
  std::set<std::string> only;       // --rules: empty means all
  std::set<std::string> disabled;   // --disable
  int64_t offset_threshold = 1000;  // large-offset
  int max_joins = 6;                // too-many-joins
  // order-without-limit needs to know which tables are large: estimated rows per table
  // (from --db). Without it the rule stays silent.
  std::map<std::string, int64_t> table_rows;
  int64_t large_table_rows = 100000;
  // Columns and leading index columns per table (from --db): resolve unqualified columns, and
  // rate a predicate that defeats an existing index higher. Empty: rules judge by the text.
  std::map<std::string, TableSchema> schema;

  bool enabled(std::string_view rule) const;
};

// A finding in one statement: `offset` is a byte offset into the statement text.
struct StatementFinding {
  Finding finding;
  int offset = 0;
};

// Runs every enabled rule over one statement and its model.
std::vector<StatementFinding> lint_statement(std::string_view sql, const sql::StatementModel& model,
                                             const LintOptions& options);

struct LintFinding {
  Finding finding;
  std::string file;
  size_t statement = 0;  // 1-based index in its input
  int64_t line = 0;      // 1-based
  int64_t column = 0;    // 1-based, bytes
};

struct NotAnalyzed {
  std::string file;
  size_t statement = 0;
  int64_t line = 0;
  int64_t column = 0;
  std::string message;  // the parser's
};

struct LintResult {
  std::vector<LintFinding> findings;
  std::vector<NotAnalyzed> not_analyzed;
  size_t statements = 0;
  std::vector<std::string> errors;  // input that could not be split ("file:line: message")
};

// Splits `script` into statements, lints each and honours `-- querylens-ignore rule-id`
// comments (inside a statement, on the line before it, or after it on its last line; no id:
// every rule). Appends to `result`.
void lint_script(std::string_view script, const std::string& file, const LintOptions& options,
                 LintResult& result);

}  // namespace querylens::lint
