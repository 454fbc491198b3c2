#include "querylens/capture/jsonl_writer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "querylens/core/clock.h"
#include "querylens/core/error.h"

namespace querylens::capture {

JsonlWriter::JsonlWriter(const std::string& path) : file_(std::fopen(path.c_str(), "ae")) {
  if (file_ == nullptr)
    throw Error(ErrorKind::kInput,
                fmt::format("cannot open {} for writing: {}", path, std::strerror(errno)));
}

JsonlWriter::~JsonlWriter() {
  if (file_) std::fclose(file_);
}

std::string JsonlWriter::to_json_line(const QueryEvent& event) {
  nlohmann::ordered_json j;
  j["sql"] = std::string(event.sql);
  if (event.start_us > 0) j["ts"] = format_iso8601_us(event.start_us);
  if (event.timed()) j["duration_ms"] = static_cast<double>(event.duration_ns) / 1e6;
  if (event.rows >= 0) j["rows"] = event.rows;
  if (event.failed()) j["error"] = std::string(event.error);
  if (!event.session.empty()) j["session"] = std::string(event.session);
  if (event.transaction_id >= 0) j["txid"] = event.transaction_id;
  if (event.tags && !event.tags->empty()) {
    nlohmann::ordered_json tags = nlohmann::ordered_json::object();
    for (const auto& [k, v] : *event.tags) tags[k] = v;
    j["tags"] = std::move(tags);
  }
  // Statements are not always valid UTF-8: replace bad bytes rather than fail the capture.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void JsonlWriter::on_query(const QueryEvent& event) {
  std::string line = to_json_line(event);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), file_);
}

void JsonlWriter::flush() {
  std::lock_guard lock(mutex_);
  std::fflush(file_);
}

}  // namespace querylens::capture
