// jsonlog (PostgreSQL 15+): one JSON object per entry, on one line.
#include <fmt/format.h>
#include <simdjson.h>

#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_prefix.h"

namespace querylens::capture {
namespace {

// The server writes the bytes of a statement as they came: a SQL_ASCII database can log
// invalid UTF-8, which simdjson rejects. Such a line is read again with each invalid byte
// replaced by '?' rather than lost.
void replace_invalid_utf8(std::string* s, size_t size) {
  size_t i = 0;
  auto cont = [&](size_t at) {
    return at < size && (static_cast<unsigned char>((*s)[at]) & 0xC0) == 0x80;
  };
  while (i < size) {
    unsigned char c = static_cast<unsigned char>((*s)[i]);
    size_t len = c < 0x80                        ? 1
                 : (c >> 5) == 0x6 && c >= 0xC2  ? 2
                 : (c >> 4) == 0xE               ? 3
                 : (c >> 3) == 0x1E && c <= 0xF4 ? 4
                                                 : 0;
    bool ok = len > 0;
    for (size_t k = 1; ok && k < len; ++k) ok = cont(i + k);
    if (ok && len == 3) {  // overlong forms and surrogates
      unsigned char c1 = static_cast<unsigned char>((*s)[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>((*s)[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) {
      (*s)[i] = '?';
      len = 1;
    }
    i += len;
  }
}

}  // namespace

SourceStats read_pg_json_records(InputFile& input, PgLogEvents& events, Diagnostics& diagnostics) {
  SourceStats stats;
  simdjson::ondemand::parser parser;
  std::string padded;  // the line plus simdjson's padding, reused
  std::string_view line;
  auto skip = [&](std::string why) {
    ++stats.skipped;
    diagnostics.report(SourceLocation{input.name(), input.line_number(), 0}, std::move(why));
  };
  while (input.next_line(&line)) {
    stats.bytes += line.size() + 1;
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    padded.assign(line);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    auto code = parser.iterate(padded.data(), line.size(), padded.size()).get(doc);
    if (code == simdjson::UTF8_ERROR) {
      replace_invalid_utf8(&padded, line.size());
      code = parser.iterate(padded.data(), line.size(), padded.size()).get(doc);
    }
    simdjson::ondemand::object object;
    if (code || doc.get_object().get(object)) {
      skip(fmt::format("not a jsonlog entry: {}",
                       code ? simdjson::error_message(code) : "not a JSON object"));
      continue;
    }
    PgLogRecord r;
    r.line = input.line_number();
    bool bad = false, have_time = false;
    for (auto field : object) {
      std::string_view key;
      simdjson::ondemand::value value;
      if (field.unescaped_key().get(key) || field.value().get(value)) {
        bad = true;
        break;
      }
      std::string_view* target = nullptr;
      if (key == "timestamp") {
        std::string_view text;
        if (value.get_string().get(text) || parse_pg_timestamp(text, &r.time_us) == 0) {
          bad = true;
          break;
        }
        have_time = true;
      } else if (key == "pid") {
        int64_t pid;
        if (value.get_int64().get(pid)) {
          bad = true;
          break;
        }
        r.pid = pid;
      } else if (key == "user") {
        target = &r.user;
      } else if (key == "dbname") {
        target = &r.database;
      } else if (key == "remote_host") {
        target = &r.client;
      } else if (key == "session_id") {
        target = &r.session;
      } else if (key == "error_severity") {
        target = &r.severity;
      } else if (key == "message") {
        target = &r.message;
      } else if (key == "detail") {
        target = &r.detail;
      } else if (key == "statement") {
        target = &r.statement;
      } else if (key == "application_name") {
        target = &r.application;
      }
      // Views into the parser's string buffer: valid until the next line is parsed.
      if (target != nullptr && value.get_string().get(*target)) {
        bad = true;
        break;
      }
    }
    if (bad || !have_time || r.severity.empty()) {
      skip(bad ? "a jsonlog entry with a field of the wrong type"
               : "a JSON object without \"timestamp\" or \"error_severity\": not a jsonlog entry");
      continue;
    }
    if (const char* problem = events.add(r)) skip(problem);
  }
  return stats;
}

SourceStats read_pg_json(InputFile& input, QueryObserver& out, Diagnostics& diagnostics) {
  PgLogEvents events(out);
  SourceStats stats = read_pg_json_records(input, events, diagnostics);
  events.finish();
  stats.events = events.events();
  return stats;
}

}  // namespace querylens::capture
