// Diagnostics — problems found in the input that do not stop the run.
//
// A source that meets a bad line reports it here (file, line, message) and goes on with the
// rest of the input. The first few are kept verbatim for the user; all are counted.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "querylens/core/error.h"

namespace querylens {

struct Diagnostic {
  SourceLocation where;
  std::string message;
  std::string to_string() const;  // "file:line: message"
};

class Diagnostics {
 public:
  explicit Diagnostics(size_t keep = 20) : keep_(keep) {}
  void report(SourceLocation where, std::string message);
  // Adds what `part` holds (kept ones while there is room, all to the count), their line
  // numbers moved by `line_offset`: a part of a file read on its own counts from its start.
  // Absorbing parts in file order keeps what one reader would have kept.
  void absorb(const Diagnostics& part, int64_t line_offset);
  uint64_t count() const;
  std::vector<Diagnostic> kept() const;

 private:
  mutable std::mutex mutex_;
  size_t keep_;
  uint64_t count_ = 0;
  std::vector<Diagnostic> kept_;
};

}  // namespace querylens
