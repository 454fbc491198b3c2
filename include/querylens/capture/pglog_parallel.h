// Reading one PostgreSQL log file with several threads (`digest -j N`, `analyze -j N`).
//
// The file is cut into N byte ranges, each moved forward to the start of a log entry:
//   stderr   a line with the log_line_prefix and a severity that opens an entry — never a
//            tab-led continuation line of a multi-line statement, nor the DETAIL / STATEMENT /
//            HINT / CONTEXT line of the entry before;
//   csvlog   a line that starts a whole record: the time in front, quotes balanced at the
//            record's end, csvlog's columns, and another record (or the end) after it — a
//            quoted newline inside a statement is not taken for one;
//   jsonlog  any line (the server escapes newlines inside values).
// Each range is read by its own thread into its own observer (PartedObserver::part). Then the
// parts are folded into the first in file order (PartedObserver::merge_part); between two
// parts, the statements whose log_statement line and log_duration line fell on both sides of
// the edge are delivered to part 0, timed as one reader would have timed them.
//
// What is exact: every record is read by exactly one part, so each statement is counted once,
// with the same duration, rows, error, session and time as with one thread; observers that
// merge exactly (Analysis: digest, timeline, N+1 runs per session) give the same result.
// What is not: transaction ordinals (unique per part; statements after an edge inside a
// transaction have none — no analyzer reads them), a csvlog with a stray quote (one reader
// swallows lines into the broken record that a part may read on their own), and logs with
// more than 65,536 live backends in one part (see PgLogEvents).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "querylens/capture/pglog.h"
#include "querylens/capture/source.h"

namespace querylens::capture {

// True when `path` can be read in parts: a regular file that is not gzip-compressed.
bool can_read_in_parts(const std::string& path);

// Reads the log at `path` (REQUIRES: can_read_in_parts) in up to `jobs` parts at once, each
// starting at an even share of the file moved to the next entry start. Diagnostics carry the
// file's own line numbers. Throws like read_pg_log().
SourceStats read_pg_log_parallel(const std::string& path, PgLogFormat format,
                                 const std::string& log_line_prefix, size_t jobs,
                                 PartedObserver& out, Diagnostics& diagnostics,
                                 const ProgressCallback& progress = {});

// The same with the parts' nominal start offsets given (ascending; 0 is implied): tests put
// the edges where they want them.
SourceStats read_pg_log_parts(const std::string& path, PgLogFormat format,
                              const std::string& log_line_prefix,
                              const std::vector<uint64_t>& nominal_starts, PartedObserver& out,
                              Diagnostics& diagnostics, const ProgressCallback& progress = {});

}  // namespace querylens::capture
