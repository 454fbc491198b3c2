#include "sql/pg_query_api.h"

#include <pg_query.h>

#include <cstring>

namespace querylens::sql::pgq {
namespace {

ParseError to_error(const PgQueryError* error) {
  ParseError out;
  if (error != nullptr) {
    out.message = error->message ? error->message : "unknown parse error";
    out.cursor = error->cursorpos;
  }
  return out;
}

}  // namespace

Fingerprint fingerprint(const std::string& sql) {
  PgQueryFingerprintResult result = pg_query_fingerprint(sql.c_str());
  Fingerprint out;
  out.error = to_error(result.error);
  if (!out.error.failed()) out.value = result.fingerprint;
  pg_query_free_fingerprint_result(result);
  return out;
}

Normalized normalize(const std::string& sql) {
  PgQueryNormalizeResult result = pg_query_normalize(sql.c_str());
  Normalized out;
  out.error = to_error(result.error);
  if (!out.error.failed() && result.normalized_query != nullptr) out.text = result.normalized_query;
  pg_query_free_normalize_result(result);
  return out;
}

Split split(const std::string& sql) {
  PgQuerySplitResult result = pg_query_split_with_scanner(sql.c_str());
  Split out;
  out.error = to_error(result.error);
  if (!out.error.failed()) {
    out.statements.reserve(static_cast<size_t>(result.n_stmts));
    for (int i = 0; i < result.n_stmts; ++i) {
      out.statements.push_back(SplitStatement{static_cast<size_t>(result.stmts[i]->stmt_location),
                                              static_cast<size_t>(result.stmts[i]->stmt_len)});
    }
  }
  pg_query_free_split_result(result);
  return out;
}

ParseTree parse(const std::string& sql) {
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  ParseTree out;
  out.error = to_error(result.error);
  if (!out.error.failed() && result.parse_tree != nullptr) {
    size_t n = std::strlen(result.parse_tree);
    out.json.reserve(n + kJsonPadding);
    out.json.assign(result.parse_tree, n);
  }
  pg_query_free_parse_result(result);
  return out;
}

}  // namespace querylens::sql::pgq
