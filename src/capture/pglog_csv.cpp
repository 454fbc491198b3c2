// csvlog: one CSV record per entry; quoted fields may span lines (multi-line statements).
#include <fmt/format.h>

#include <array>
#include <cstring>

#include "capture/pglog_split.h"
#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_prefix.h"

namespace querylens::capture {
namespace {

// Columns of csvlog (PostgreSQL 13 added backend_type, 14 leader_pid and query_id).
enum Column {
  kLogTime = 0,
  kUser = 1,
  kDatabase = 2,
  kPid = 3,
  kClient = 4,
  kSessionId = 5,
  kSeverity = 11,
  kMessage = 13,
  kDetail = 14,
  kQuery = 19,
  kApplication = 22,
  kMinColumns = 23,
  kMaxColumns = 26
};

size_t count_quotes(std::string_view s) {
  size_t n = 0;
  for (const char* p = s.data();
       (p = static_cast<const char*>(std::memchr(p, '"', s.data() + s.size() - p))); ++p) {
    ++n;
  }
  return n;
}

// Splits one complete record. Quoted fields with doubled quotes are unescaped into
// `scratch` (one reused string per column); the others stay views into `text`.
bool split_record(std::string_view text, std::array<std::string_view, kMaxColumns>* fields,
                  std::array<std::string, kMaxColumns>* scratch, size_t* count,
                  std::string* error) {
  size_t i = 0, n = 0;
  while (true) {
    if (n == kMaxColumns) {
      *error =
          fmt::format("more than {} columns: not a csvlog record", static_cast<int>(kMaxColumns));
      return false;
    }
    std::string_view value;
    if (i < text.size() && text[i] == '"') {
      size_t start = ++i;
      bool doubled = false;
      while (true) {
        const void* q = std::memchr(text.data() + i, '"', text.size() - i);
        if (q == nullptr) {
          *error = "unterminated quoted field (truncated record?)";
          return false;
        }
        i = static_cast<size_t>(static_cast<const char*>(q) - text.data());
        if (i + 1 < text.size() && text[i + 1] == '"') {
          doubled = true;
          i += 2;
          continue;
        }
        break;
      }
      value = text.substr(start, i - start);
      ++i;  // the closing quote
      if (doubled) {
        std::string& s = (*scratch)[n];
        s.clear();
        for (size_t k = 0; k < value.size(); ++k) {
          s.push_back(value[k]);
          if (value[k] == '"') ++k;
        }
        value = s;
      }
    } else {
      const void* comma = std::memchr(text.data() + i, ',', text.size() - i);
      size_t end =
          comma ? static_cast<size_t>(static_cast<const char*>(comma) - text.data()) : text.size();
      value = text.substr(i, end - i);
      i = end;
    }
    (*fields)[n++] = value;
    if (i == text.size()) break;
    if (text[i] != ',') {
      *error = "text after a closing quote: not a csvlog record";
      return false;
    }
    ++i;
  }
  *count = n;
  return true;
}

bool starts_with_time(std::string_view line) {
  int64_t us;
  size_t n = parse_pg_timestamp(line, &us);
  return n > 0 && n < line.size() && line[n] == ',';
}

}  // namespace

StartVerdict is_pg_csv_record_start(std::string_view text, bool at_eof) {
  if (!starts_with_time(text.substr(0, text.find('\n')))) return StartVerdict::kNo;
  // The record: lines up to the first line end with the quotes balanced.
  size_t end = 0, quotes = 0;
  while (true) {
    size_t nl = text.find('\n', end);
    if (nl == std::string_view::npos) {
      if (!at_eof) return StartVerdict::kNeedMore;
      nl = text.size();
    }
    quotes += count_quotes(text.substr(end, nl - end));
    end = nl;
    if (quotes % 2 == 0) break;
    if (end == text.size()) return StartVerdict::kNo;  // the file ends inside a quoted field
    ++end;
  }
  std::string_view record = text.substr(0, end);
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
  std::array<std::string_view, kMaxColumns> fields;
  std::array<std::string, kMaxColumns> scratch;
  size_t count = 0;
  std::string error;
  if (!split_record(record, &fields, &scratch, &count, &error) || count < kMinColumns)
    return StartVerdict::kNo;
  // What follows: the end of the file or the start of another record.
  std::string_view next = end < text.size() ? text.substr(end + 1) : std::string_view{};
  if (next.empty()) return at_eof ? StartVerdict::kYes : StartVerdict::kNeedMore;
  size_t nl = next.find('\n');
  if (nl == std::string_view::npos && !at_eof && next.size() < 64) return StartVerdict::kNeedMore;
  return starts_with_time(next.substr(0, nl)) ? StartVerdict::kYes : StartVerdict::kNo;
}

SourceStats read_pg_csv_records(InputFile& input, PgLogEvents& events, Diagnostics& diagnostics) {
  SourceStats stats;
  std::array<std::string_view, kMaxColumns> fields;
  std::array<std::string, kMaxColumns> scratch;
  std::string joined, error;  // a record that spans lines, joined back with its newlines
  std::string_view line;
  int64_t first_line = 0;
  size_t quotes = 0;
  bool joining = false;
  auto skip = [&](int64_t at, std::string_view why) {
    ++stats.skipped;
    diagnostics.report(SourceLocation{input.name(), at, 0}, std::string(why));
  };
  while (input.next_line(&line)) {
    stats.bytes += line.size() + 1;
    std::string_view text = line;
    if (joining) {
      joined.push_back('\n');
      joined.append(line);
      quotes += count_quotes(line);
      if (quotes % 2 == 1) {                        // still inside a quoted field
        if (joined.size() > InputFile::kMaxLine) {  // a stray quote must not swallow the file
          skip(first_line, "a quoted field longer than 64 MiB: a stray quote? skipped to here");
          joining = false;
        }
        continue;
      }
      joining = false;
      text = joined;
    } else {
      if (line.empty()) continue;
      first_line = input.line_number();
      quotes = count_quotes(line);
      if (quotes % 2 == 1) {  // an open quote: the record goes on on the next line
        joined.assign(line);
        joining = true;
        continue;
      }
    }
    size_t count = 0;
    if (!split_record(text, &fields, &scratch, &count, &error)) {
      skip(first_line, error);
      continue;
    }
    if (count < kMinColumns) {
      skip(first_line, fmt::format("{} columns where csvlog has at least {}", count,
                                   static_cast<int>(kMinColumns)));
      continue;
    }
    PgLogRecord r;
    r.line = first_line;
    if (parse_pg_timestamp(fields[kLogTime], &r.time_us) == 0) {
      skip(first_line, "the first column is not a time: not a csvlog record");
      continue;
    }
    int64_t pid = 0;
    for (char c : fields[kPid]) pid = c >= '0' && c <= '9' ? pid * 10 + (c - '0') : pid;
    r.pid = fields[kPid].empty() ? kUnknown : pid;
    r.session = fields[kSessionId];
    r.user = fields[kUser];
    r.database = fields[kDatabase];
    r.application = fields[kApplication];
    r.client = fields[kClient];
    r.severity = fields[kSeverity];
    r.message = fields[kMessage];
    r.detail = fields[kDetail];
    r.statement = fields[kQuery];
    if (const char* problem = events.add(r)) skip(first_line, problem);
  }
  if (joining) skip(first_line, "the file ends inside a quoted field (truncated record)");
  return stats;
}

SourceStats read_pg_csv(InputFile& input, QueryObserver& out, Diagnostics& diagnostics) {
  PgLogEvents events(out);
  SourceStats stats = read_pg_csv_records(input, events, diagnostics);
  events.finish();
  stats.events = events.events();
  return stats;
}

}  // namespace querylens::capture
