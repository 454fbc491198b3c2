// Splitting a SQL script into statements, with where each one starts.
//
// libpg_query's scanner does the splitting (quotes, comments, dollar quotes, CREATE RULE
// bodies). When it rejects the script (an unterminated string, say), the statements up to the
// broken one are still returned, split on the `;` tokens of sql/lexer.h, and the error names
// the line — the rest of the input is processed as far as it can be.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::sql {

struct ScriptStatement {
  std::string_view text;  // the statement without the terminating ';' (a view into the script)
  size_t offset = 0;      // byte offset of its first token
  int64_t line = 1;       // 1-based line of its first token
  int64_t column = 1;     // 1-based column (bytes) of its first token
};

struct ScriptSplit {
  std::vector<ScriptStatement> statements;
  std::string error;       // empty when the whole script was split
  int64_t error_line = 0;  // where the error is
  int64_t error_column = 0;
};

// Statements that hold only comments or whitespace are dropped.
ScriptSplit split_script(std::string_view script);

}  // namespace querylens::sql
