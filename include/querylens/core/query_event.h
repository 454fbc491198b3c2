// QueryEvent — one executed (or logged, or listed) statement, the unit every source produces.
//
// Sources (the instrumented database layer, log readers, .sql files, JSON-lines captures)
// turn what they see into QueryEvents and hand them to observers (capture/observer.h). The
// event is a plain view: its string_views point into the source's own buffers and are valid
// only for the duration of the call that delivers it. An observer that keeps anything copies it
// (OwnedQueryEvent does that).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace querylens {

// The shape of a statement: what is left when constants are taken out. Computed once per
// distinct text by sql::ShapeRegistry and shared (immutable) by every event of that shape.
struct QueryShape {
  uint64_t fingerprint = 0;  // libpg_query fingerprint, or a hash of the fallback tokens
  std::string normalized;    // constants replaced by $n, IN-lists squashed to one element
  bool parsed = false;       // true: libpg_query parsed it; false: token-level fallback
  std::string parse_error;   // why libpg_query rejected it (when parsed == false)

  std::string fingerprint_hex() const;  // 16 lowercase hex digits, as pg_query prints it
};

// Free-form labels: application, endpoint, user, ... (ordered, small).
using Tags = std::vector<std::pair<std::string, std::string>>;

inline constexpr int64_t kUnknown = -1;

struct QueryEvent {
  std::string_view sql;               // the statement as executed / logged
  int64_t start_us = 0;               // wall clock, microseconds since the Unix epoch; 0 = unknown
  int64_t duration_ns = kUnknown;     // kUnknown when the source has no timing (.sql files)
  int64_t rows = kUnknown;            // rows returned or affected
  std::string_view error;             // empty when the statement succeeded
  std::string_view session;           // connection / backend pid / session id; empty = unknown
  int64_t transaction_id = kUnknown;  // transaction ordinal or xid where the source knows it
  const Tags* tags = nullptr;         // null or empty when there are none
  const QueryShape* shape = nullptr;  // filled in once per shape (null until classified)

  bool failed() const { return !error.empty(); }
  bool timed() const { return duration_ns >= 0; }
};

// A QueryEvent that owns its strings, for observers that keep events past the callback.
struct OwnedQueryEvent {
  std::string sql;
  int64_t start_us = 0;
  int64_t duration_ns = kUnknown;
  int64_t rows = kUnknown;
  std::string error;
  std::string session;
  int64_t transaction_id = kUnknown;
  Tags tags;
  const QueryShape* shape = nullptr;

  OwnedQueryEvent() = default;
  explicit OwnedQueryEvent(const QueryEvent& e);
  // A view of this event; valid while *this lives and is not modified.
  QueryEvent view() const;
};

}  // namespace querylens
