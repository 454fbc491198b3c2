#include "querylens/capture/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace querylens::capture {

std::string format_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  // 999.5 and above would print as "1000": move to the next unit instead.
  while (value >= 999.5 && unit + 1 < std::size(kUnits)) {
    value /= 1000;
    ++unit;
  }
  if (value < 99.95) return fmt::format("{:.1f} {}", value, kUnits[unit]);
  return fmt::format("{:.0f} {}", value, kUnits[unit]);
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;             // NaN or negative
  if (seconds >= 100.0 * 86400) return ">99d";  // also keeps the integer conversion in range
  auto s = static_cast<uint64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

std::string format_progress_line(std::string_view name, uint64_t done, uint64_t total,
                                 double elapsed_seconds, size_t width) {
  std::string stats = format_bytes(done);
  if (total > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    stats += fmt::format(" / {}  {}%", format_bytes(total), static_cast<int>(fraction * 100));
  }
  if (elapsed_seconds > 0) {
    double rate = static_cast<double>(done) / elapsed_seconds;
    stats += fmt::format("  {}/s", format_bytes(static_cast<uint64_t>(std::min(rate, 1e19))));
    if (total > done && rate > 0) {
      stats += "  ETA " + format_duration(static_cast<double>(total - done) / rate);
    }
  }
  if (width == 0 || name.size() + 2 + stats.size() <= width) {
    return name.empty() ? stats : fmt::format("{}  {}", name, stats);
  }
  // Too long: keep the end of the name (the file name matters more than its directory).
  if (width >= stats.size() + 2 + 4) {
    size_t keep = width - stats.size() - 2 - 3;
    size_t from = name.size() - keep;
    // Do not start inside a UTF-8 sequence.
    while (from < name.size() && (static_cast<unsigned char>(name[from]) & 0xC0) == 0x80) ++from;
    return fmt::format("...{}  {}", name.substr(from), stats);
  }
  if (stats.size() > width) stats.resize(width);
  return stats;
}

size_t terminal_columns(int fd, size_t fallback) {
  winsize ws{};
  if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return fallback;
}

namespace {

double monotonic_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

ProgressWriter::ProgressWriter(std::FILE* out, size_t width, double interval_seconds)
    : out_(out), width_(width), interval_(interval_seconds) {}

ProgressWriter::~ProgressWriter() { clear(); }

void ProgressWriter::update(const Progress& progress) { update(progress, monotonic_seconds()); }

void ProgressWriter::update(const Progress& progress, double now) {
  if (!active_) {  // a new input: its clock starts now; the first draw waits one interval
    active_ = true;
    start_ = last_draw_ = now;
  }
  if (progress.finished) {
    active_ = false;
    clear();
    return;
  }
  if (now - last_draw_ < interval_) return;
  last_draw_ = now;
  // One column less than the terminal: writing the last column makes some terminals wrap.
  size_t width = width_ > 1 ? width_ - 1 : width_;
  std::string line =
      format_progress_line(progress.name, progress.done, progress.total, now - start_, width);
  size_t length = line.size();
  if (length < drawn_) line.append(drawn_ - length, ' ');  // erase the rest of the longer line
  std::fprintf(out_, "\r%s", line.c_str());
  std::fflush(out_);
  drawn_ = length;
}

void ProgressWriter::clear() {
  if (drawn_ == 0) return;
  std::fprintf(out_, "\r%s\r", std::string(drawn_, ' ').c_str());
  std::fflush(out_);
  drawn_ = 0;
}

ProgressCallback ProgressWriter::callback() {
  return [this](const Progress& progress) { update(progress); };
}

}  // namespace querylens::capture
