// Event sources: everything the CLI reads turns into QueryEvents published to an observer.
//
// This kinds: SQL scripts (.sql: one untimed event per statement) and JSON lines of
// captured events (docs/events-jsonl.md). detect_source_kind() looks at the name and then the
// first bytes; it says when it cannot tell rather than guessing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "querylens/capture/observer.h"
#include "querylens/capture/progress.h"
#include "querylens/core/diagnostics.h"

namespace querylens::capture {

// kPg*: PostgreSQL server logs (capture/pglog.h, docs/sources-pglog.md).
enum class SourceKind { kAuto, kSql, kJsonl, kPgStderr, kPgCsv, kPgJson };

// "auto" / "sql" / "jsonl" / "pg-stderr" / "pg-csv" / "pg-json"; false when unknown.
bool parse_source_kind(std::string_view text, SourceKind* out);
std::string_view to_string(SourceKind kind);

struct SourceStats {
  uint64_t events = 0;
  uint64_t skipped = 0;  // lines or statements that could not be read (reported to Diagnostics)
  uint64_t bytes = 0;
};

// Reads `path` ("-" for stdin) of the given kind (kAuto: detect) and publishes every event to
// `out`. Bad lines are reported to `diagnostics` with file and line and skipped; the rest of
// the input is still read. Throws Error(kInput) when the file cannot be opened or its kind
// cannot be told.
// `log_line_prefix` is the prefix of PostgreSQL stderr logs ("" = detect it).
// `progress` (optional) hears how far the file has been read (capture/progress.h), ending with
// one `finished` report, even when reading fails.
SourceStats read_source(const std::string& path, SourceKind kind, QueryObserver& out,
                        Diagnostics& diagnostics, const std::string& log_line_prefix = "",
                        const ProgressCallback& progress = {});

// An observer in parts, for sources read by several threads at once (-j N): each part of a
// file is read into its own observer, and the parts are folded into the first in file order.
class PartedObserver {
 public:
  virtual ~PartedObserver() = default;
  // The observer of part `index` (0: the file's start, and where everything ends up). Called
  // once per index, in order, before any part is read; each is then fed by one thread.
  virtual QueryObserver& part(size_t index) = 0;
  // After every part is read: fold part `index` into part 0. Called for 1, 2, … in file order
  // from one thread; what crosses the edge before `index` has been delivered to part 0 first.
  virtual void merge_part(size_t index) = 0;
};

// read_source() with up to `jobs` threads for PostgreSQL log files that are regular,
// uncompressed files (capture/pglog_parallel.h); everything else — other kinds, gzip, stdin —
// is read by one thread into out.part(0).
SourceStats read_source(const std::string& path, SourceKind kind, PartedObserver& out, size_t jobs,
                        Diagnostics& diagnostics, const std::string& log_line_prefix = "",
                        const ProgressCallback& progress = {});

// The parts, for tests and library users.
SourceStats read_sql_script(std::string_view script, const std::string& name, QueryObserver& out,
                            Diagnostics& diagnostics);

// Parses JSON-lines events one line at a time, reusing its buffers.
class JsonlEventParser {
 public:
  JsonlEventParser();
  ~JsonlEventParser();
  JsonlEventParser(const JsonlEventParser&) = delete;
  JsonlEventParser& operator=(const JsonlEventParser&) = delete;
  // False (with *error set) when the line is not a valid event. The event's views point into
  // this parser and are valid until the next call.
  bool parse(std::string_view line, QueryEvent* event, std::string* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace querylens::capture
