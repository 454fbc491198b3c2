// Token-level rewrites of SQL text (over sql/lexer.h tokens; no grammar involved).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "querylens/sql/lexer.h"

namespace querylens::sql {

// The cache key for "same statement up to constants": words lower-cased, literals and
// parameter markers replaced by '?', IN-lists of them squashed to one, comments and
// whitespace dropped. Two texts with equal keys always have the same libpg_query fingerprint.
std::string fold_key(const LexResult& lexed);
// The same into `key`, reusing its storage.
void fold_key(const LexResult& lexed, std::string* key);
// The same key straight from the text in one pass, without a token vector (the hot path of
// shape classification); *has_literals: whether the text has a literal (string, blob, number).
void fold_key(std::string_view sql, std::string* key, bool* has_literals);
// The same into a buffer of at least fold_key_room(sql.size()) bytes; returns the key's length.
// (A std::string would be zero-filled to that room on every call: the classifier keeps a
// per-thread buffer instead.)
size_t fold_key(std::string_view sql, char* key, bool* has_literals);
// Every token keeps at most its own length plus a separator; "in (?)" replaces at least the
// five characters of `in(v)`; words are lower-cased 16 bytes at a time, past their end.
constexpr size_t fold_key_room(size_t sql_size) { return 2 * sql_size + 8 + 16; }

// Text with SQLite parameter markers (?, ?NNN, :name, @name, $name) replaced by PostgreSQL's
// $n so that libpg_query can parse it; nullopt when there are none. Named markers are
// numbered by first appearance; ?NNN keeps its number.
std::optional<std::string> rewrite_sqlite_params(std::string_view sql, const LexResult& lexed);
// True when the text has markers only SQLite uses (?NNN, :name, $name), which libpg_query
// would misread; bare ? and @name are tried as PostgreSQL first (jsonb ?, the @ operator).
bool has_sqlite_only_params(const LexResult& lexed);
bool has_any_sqlite_params(const LexResult& lexed);

// `IN ($1, $2, $3)` → `IN ($1 /*, ... */)` in already-normalized text, so IN-lists of any length
// read as one shape (the form pg_stat_statements uses from PostgreSQL 18 on).
std::string squash_in_lists(std::string_view normalized);

// The shape text for statements libpg_query rejects: tokens joined with single spaces,
// literals and markers replaced by '?', IN-lists squashed to `(? /*, ... */)`.
std::string fallback_normalize(std::string_view sql, const LexResult& lexed);

// 64-bit FNV-1a, for fallback fingerprints.
uint64_t hash64(std::string_view text);

}  // namespace querylens::sql
