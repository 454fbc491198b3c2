// What one part of a PostgreSQL log, read on its own (-j N), leaves to its neighbours.
//
// PgLogEvents keeps two things per backend that can cross a part's edge: the transaction
// ordinal and a log_statement line waiting for its log_duration line. Ordinals are not
// carried (no analyzer reads them; events after an edge inside a transaction have none).
// Waiting statements are: a part that ends mid-file leaves them in `waiting`, and a part that
// starts mid-file notes in `starts` what its first records of each backend would have done to
// a statement waiting from before (time it, deliver it untimed, or drop it as the same
// execution). PgLogJoin (pglog_parallel.cpp) replays that in file order, so each statement
// is delivered once, timed as one reader would have timed it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "querylens/capture/observer.h"
#include "querylens/core/query_event.h"

namespace querylens::capture {

// A log_statement line waiting for its log_duration line; owns copies (the record is gone).
struct WaitingStatement {
  bool active = false;
  int64_t time_us = 0;
  std::string sql, params, session, user, database, application, client;
};

// How a part's records first touched a backend whose earlier state it does not know.
enum class FirstTouch {
  kNone,     // records of it, none that settles a waiting statement (yet)
  kTimed,    // a bare `duration:` line: times the waiting statement (duration_ns)
  kUntimed,  // a new statement, a disconnection, a reused pid: delivers it untimed
  kSettle,   // the statement's own timed or failed line: drops it when its text is settle_sql
};

struct BackendStart {
  std::string first_session;  // the first session id seen for the pid ("" = none)
  FirstTouch touch = FirstTouch::kNone;
  int64_t duration_ns = kUnknown;
  std::string settle_sql;
};

struct PgLogEdge {
  std::unordered_map<int64_t, BackendStart> starts;       // by pid; parts that start mid-file
  std::unordered_map<int64_t, WaitingStatement> waiting;  // by pid; parts that end mid-file
  std::unordered_map<int64_t, std::string> sessions;      // by pid: the session of a waiting one
};

// The tags of published events (user, database, application, client, params), scratch space
// reused between events: one vector per number of tags, so that an event with params after one
// without reuses its strings (a vector resized down and up again freed and allocated them).
struct EventTags {
  std::array<Tags, 6> by_count;
};

// Publishes a waiting statement as one event (timed when duration_ns >= 0): the same event a
// single reader makes of it.
void publish_waiting(QueryObserver& out, int64_t pid, const WaitingStatement& w,
                     int64_t duration_ns, int64_t transaction_id, EventTags* tags);

}  // namespace querylens::capture
