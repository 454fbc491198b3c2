#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>

#include "querylens/capture/source.h"
#include "querylens/core/clock.h"

namespace querylens::capture {

struct JsonlEventParser::Impl {
  simdjson::ondemand::parser parser;
  std::string padded;  // the line plus simdjson's padding
  std::string sql, error, session;
  Tags tags;
};

JsonlEventParser::JsonlEventParser() : impl_(std::make_unique<Impl>()) {}
JsonlEventParser::~JsonlEventParser() = default;

namespace {

using simdjson::ondemand::json_type;

bool read_string(simdjson::ondemand::value value, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text)) return false;
  out->assign(text);
  return true;
}

// A number, or a numeric string; false for anything else.
bool read_number(simdjson::ondemand::value value, double* out) {
  json_type type;
  if (value.type().get(type)) return false;
  if (type == json_type::number) return !value.get_double().get(*out);
  return false;
}

}  // namespace

bool JsonlEventParser::parse(std::string_view line, QueryEvent* event, std::string* error) {
  Impl& m = *impl_;
  m.padded.assign(line);
  m.padded.append(simdjson::SIMDJSON_PADDING, '\0');
  *event = QueryEvent{};
  m.sql.clear();
  m.error.clear();
  m.session.clear();
  m.tags.clear();
  bool have_sql = false;

  simdjson::ondemand::document doc;
  if (auto code = m.parser.iterate(m.padded.data(), line.size(), m.padded.size()).get(doc)) {
    *error = fmt::format("not JSON: {}", simdjson::error_message(code));
    return false;
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) {
    *error = "not a JSON object (each line must be one event object)";
    return false;
  }
  double number = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      *error = "invalid key";
      return false;
    }
    simdjson::ondemand::value value;
    if (field.value().get(value)) {
      *error = fmt::format("invalid value for \"{}\"", key);
      return false;
    }
    json_type type;
    if (value.type().get(type)) {
      *error = fmt::format("invalid value for \"{}\"", key);
      return false;
    }
    if (type == json_type::null) continue;
    if (key == "sql" || key == "query" || key == "statement") {
      if (!read_string(value, &m.sql)) {
        *error = fmt::format("\"{}\" must be a string", key);
        return false;
      }
      have_sql = true;
    } else if (key == "ts" || key == "timestamp" || key == "time") {
      if (type == json_type::string) {
        std::string_view text;
        if (value.get_string().get(text) || !parse_iso8601_us(text, &event->start_us)) {
          *error = fmt::format("\"{}\" is not an ISO 8601 time", key);
          return false;
        }
      } else if (read_number(value, &number)) {
        event->start_us = static_cast<int64_t>(std::llround(number * 1e6));  // Unix seconds
      } else {
        *error = fmt::format("\"{}\" must be an ISO 8601 string or Unix seconds", key);
        return false;
      }
    } else if (key == "duration_ms" || key == "duration_us" || key == "duration_ns") {
      if (!read_number(value, &number) || number < 0 || !std::isfinite(number)) {
        *error = fmt::format("\"{}\" must be a non-negative number", key);
        return false;
      }
      double scale = key == "duration_ms" ? 1e6 : key == "duration_us" ? 1e3 : 1.0;
      event->duration_ns = static_cast<int64_t>(std::llround(number * scale));
    } else if (key == "rows") {
      if (!read_number(value, &number) || number < 0) {
        *error = "\"rows\" must be a non-negative number";
        return false;
      }
      event->rows = static_cast<int64_t>(number);
    } else if (key == "error") {
      if (!read_string(value, &m.error)) {
        *error = "\"error\" must be a string or null";
        return false;
      }
    } else if (key == "session") {
      if (type == json_type::string) {
        read_string(value, &m.session);
      } else if (read_number(value, &number)) {
        m.session = fmt::format("{}", static_cast<int64_t>(number));
      } else {
        *error = "\"session\" must be a string or a number";
        return false;
      }
    } else if (key == "txid" || key == "transaction") {
      if (!read_number(value, &number)) {
        *error = fmt::format("\"{}\" must be a number", key);
        return false;
      }
      event->transaction_id = static_cast<int64_t>(number);
    } else if (key == "tags") {
      simdjson::ondemand::object tags;
      if (value.get_object().get(tags)) {
        *error = "\"tags\" must be an object of strings";
        return false;
      }
      for (auto tag : tags) {
        std::string_view name;
        std::string text;
        simdjson::ondemand::value tag_value;
        if (tag.unescaped_key().get(name) || tag.value().get(tag_value) ||
            !read_string(tag_value, &text)) {
          *error = "\"tags\" must be an object of strings";
          return false;
        }
        m.tags.emplace_back(std::string(name), std::move(text));
      }
    }
    // Unknown keys are ignored: producers may add fields (forward compatibility).
  }
  if (!have_sql) {
    *error = "missing \"sql\"";
    return false;
  }
  event->sql = m.sql;
  event->error = m.error;
  event->session = m.session;
  event->tags = m.tags.empty() ? nullptr : &m.tags;
  return true;
}

}  // namespace querylens::capture
