// PostgreSQL server logs as events: stderr (any log_line_prefix), csvlog and jsonlog.
//
// The three formats carry the same records (time, process, session, severity, message, detail,
// statement); each reader turns its lines into PgLogRecords and PgLogEvents turns records into
// QueryEvents: `duration: … statement/execute …` lines (with their `DETAIL: parameters:`),
// `statement:` / `execute` lines of log_statement (joined with a following bare `duration:`
// of log_duration), and ERRORs with their STATEMENT; auto_explain's plans (JSON or text) go
// to QueryObserver::on_plan. Formats: docs/sources-pglog.md.
//
// Memory is bounded by the longest record and the number of live backends, not the file size.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "querylens/capture/observer.h"
#include "querylens/capture/pglog_prefix.h"
#include "querylens/capture/source.h"
#include "querylens/core/diagnostics.h"

namespace querylens::capture {

class InputFile;
struct PgLogEdge;  // src/capture/pglog_edge.h

enum class PgLogFormat { kStderr, kCsv, kJson };

// One log entry with its DETAIL / STATEMENT parts. Views are valid during PgLogEvents::add().
struct PgLogRecord {
  int64_t line = 0;          // line of the file where the record starts (for diagnostics)
  int64_t time_us = 0;       // when the server wrote it; 0 = unknown
  int64_t pid = kUnknown;    // backend process id; kUnknown when the log does not say
  std::string_view session;  // session id (%c, csv/json session_id); empty = unknown
  std::string_view user, database, application, client;
  std::string_view severity;  // "LOG", "ERROR", ... (untranslated: lc_messages must be C / en)
  std::string_view message;
  std::string_view detail;
  std::string_view statement;  // STATEMENT: of an error (csv `query`, json `statement`)
};

// Where a part of a log read on its own (-j N, capture/pglog_parallel.h) lies in its file.
struct PgLogPart {
  // The part starts after the file's start: what backends did before it is unknown. The
  // first records that would settle that state are noted in the edge instead of guessed.
  bool starts_mid_file = false;
  // The part ends before the file's end: finish() leaves the statements still waiting for a
  // duration line in the edge (a later part may time them) instead of delivering them.
  bool ends_mid_file = false;
  int64_t first_transaction = 1;  // transaction ordinals of this part count from here
};

// Turns records into QueryEvents for `out`. Keeps per backend: the transaction ordinal
// (BEGIN … COMMIT/ROLLBACK) and a log_statement line waiting for its log_duration line.
// Events of one backend reach `out` in log order; across backends a waiting statement may be
// delivered after later lines of other backends.
class PgLogEvents {
 public:
  explicit PgLogEvents(QueryObserver& out, const PgLogPart& part = {});
  ~PgLogEvents();
  PgLogEvents(const PgLogEvents&) = delete;
  PgLogEvents& operator=(const PgLogEvents&) = delete;

  // nullptr, or what is wrong with the record (an auto_explain text plan without its query
  // text or its tree): the reader reports it with the record's line and counts it skipped.
  const char* add(const PgLogRecord& record);
  // Delivers every waiting statement (end of input).
  void finish();
  uint64_t events() const;
  uint64_t plans() const;       // auto_explain plans passed to QueryObserver::on_plan
  uint64_t text_plans() const;  // of which in text format
  // What this part leaves to its neighbours (PgLogPart); complete after finish().
  const PgLogEdge& edge() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a whole log of `format` from `input` and publishes its events. `log_line_prefix` is
// the server's setting for stderr logs ("" = detect from the first lines). Lines of the wrong
// format are reported to `diagnostics` with file and line, counted in `skipped`, and the rest
// is read. Throws Error(kInput) when a stderr log's prefix cannot be found, naming what the
// lines lack.
SourceStats read_pg_log(InputFile& input, PgLogFormat format, const std::string& log_line_prefix,
                        QueryObserver& out, Diagnostics& diagnostics);

// The readers read_pg_log() dispatches to (same contract).
SourceStats read_pg_stderr(InputFile& input, const std::string& log_line_prefix, QueryObserver& out,
                           Diagnostics& diagnostics);
SourceStats read_pg_csv(InputFile& input, QueryObserver& out, Diagnostics& diagnostics);
SourceStats read_pg_json(InputFile& input, QueryObserver& out, Diagnostics& diagnostics);

// Their line-reading halves: records into `events`, which is not finished (stats.events is
// left 0). Several may run at once on parts of one file, each with its own PgLogEvents.
// `prefix`: as stderr_log_prefix() returns it; `detected`: it was not given by the user.
SourceStats read_pg_stderr_records(InputFile& input, const LogLinePrefix& prefix, bool detected,
                                   PgLogEvents& events, Diagnostics& diagnostics);
SourceStats read_pg_csv_records(InputFile& input, PgLogEvents& events, Diagnostics& diagnostics);
SourceStats read_pg_json_records(InputFile& input, PgLogEvents& events, Diagnostics& diagnostics);

// The log_line_prefix of a stderr log: `log_line_prefix` compiled, or detected from the
// input's first bytes when empty. Reports escapes the prefix lacks to `diagnostics`. Throws
// Error(kInput) when it cannot be found or compiled.
LogLinePrefix stderr_log_prefix(InputFile& input, const std::string& log_line_prefix,
                                Diagnostics& diagnostics);

// The format of a log from its first bytes, or nullopt when they are not a PostgreSQL log.
std::optional<PgLogFormat> sniff_pg_log(std::string_view head);

}  // namespace querylens::capture
