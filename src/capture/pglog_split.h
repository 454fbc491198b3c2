// Where a part of a PostgreSQL log may start (-j N): the first byte of a log entry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_prefix.h"

namespace querylens::capture {

// stderr: a line with the prefix and a severity that opens an entry — not a tab-led
// continuation line, not the DETAIL / STATEMENT / HINT / CONTEXT / QUERY / LOCATION line of the
// entry before. `line` may be only the line's first bytes.
bool is_pg_stderr_entry_start(const LogLinePrefix& prefix, std::string_view line);

enum class StartVerdict { kYes, kNo, kNeedMore };

// csvlog: `text` (from a line start) begins a record: the time in front, a complete record
// (quotes balanced at a line end, csvlog's columns, a time in the first) and, after it, the
// end of the file or another line that starts with a time and a comma. A statement quoting a
// whole csvlog record and the start of another could fool it; nothing less. kNeedMore: the
// record goes on past `text` and `at_eof` is false.
StartVerdict is_pg_csv_record_start(std::string_view text, bool at_eof);

// The start offsets of the parts of the log at `path` (`size` bytes): 0, then each of
// `nominal` (ascending) moved forward to the next entry start; ascending, without
// duplicates, each < size. `prefix` is needed for kStderr only.
std::vector<uint64_t> align_pg_log_parts(const std::string& path, uint64_t size, PgLogFormat format,
                                         const LogLinePrefix* prefix,
                                         const std::vector<uint64_t>& nominal);

}  // namespace querylens::capture
