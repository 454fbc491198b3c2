// Progress of reading an input: what a reader reports, the one-line text of a progress bar (pure,
// so it can be tested), and a writer that redraws that line on a terminal.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace querylens::capture {

struct Progress {
  std::string_view name;  // display name of the input; valid during the callback
  uint64_t done = 0;      // bytes consumed (compressed bytes for gzip files)
  uint64_t total = 0;     // size of the file in the same unit; 0 = unknown (stdin, pipes)
  bool finished = false;  // the last report for this input (also after an error)
};

// Called by read_source() once when the input opens, then at most once per 64 KiB of input read
// (at most once per chunk read), and once with `finished` at the end. Must not throw.
using ProgressCallback = std::function<void(const Progress&)>;

// "1.2 GB", "310 MB", "512 B": decimal units (1 KB = 1000 B), three significant digits.
std::string format_bytes(uint64_t bytes);
// "9s", "2m05s", "1h02m", "3d04h"; ">99d" beyond.
std::string format_duration(double seconds);

// One line of the bar: "app.log  1.2 GB / 4.0 GB  31%  310 MB/s  ETA 9s".
// total 0 (unknown): no total, no percentage, no ETA. elapsed_seconds <= 0: no rate, no ETA.
// width > 0: the line is at most `width` bytes; the name is shortened first ("...tail"), and
// dropped when even that does not fit. width 0: no limit.
std::string format_progress_line(std::string_view name, uint64_t done, uint64_t total,
                                 double elapsed_seconds, size_t width);

// Columns of the terminal on `fd`, or `fallback` when it is not a terminal.
size_t terminal_columns(int fd, size_t fallback);

// Redraws the progress line on `out` with '\r' (no escape sequences: the previous line is
// overwritten with spaces), at most once per `interval_seconds`, and never for an input that
// finishes within the first interval. Clears the line when an input finishes and on
// destruction. Not thread-safe: one reader at a time.
class ProgressWriter {
 public:
  explicit ProgressWriter(std::FILE* out, size_t width = 80, double interval_seconds = 0.1);
  ~ProgressWriter();
  ProgressWriter(const ProgressWriter&) = delete;
  ProgressWriter& operator=(const ProgressWriter&) = delete;

  // Uses the monotonic clock.
  void update(const Progress& progress);
  // The same with an explicit clock reading in seconds (tests).
  void update(const Progress& progress, double now_seconds);
  // Erases the line if one is drawn.
  void clear();
  // A callback bound to this writer; REQUIRES: the writer outlives every use of it.
  ProgressCallback callback();

 private:
  std::FILE* out_;
  size_t width_;
  double interval_;
  bool active_ = false;  // an input is being read
  double start_ = 0, last_draw_ = 0;
  size_t drawn_ = 0;  // length of the line on screen, 0 = none
};

}  // namespace querylens::capture
