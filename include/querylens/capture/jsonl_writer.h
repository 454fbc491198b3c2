// JsonlWriter — an observer that appends every event to a JSON-lines file
// (docs/events-jsonl.md), so an application's captured queries can be analyzed later by
// `querylens analyze FILE.jsonl`. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "querylens/capture/observer.h"

namespace querylens::capture {

class JsonlWriter : public QueryObserver {
 public:
  // Throws Error(kInput) when the file cannot be opened for appending.
  explicit JsonlWriter(const std::string& path);
  ~JsonlWriter() override;
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  void on_query(const QueryEvent& event) override;
  void flush();
  // One event as one line of JSON (no trailing newline).
  static std::string to_json_line(const QueryEvent& event);

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace querylens::capture
