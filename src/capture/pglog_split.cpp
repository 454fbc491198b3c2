#include "capture/pglog_split.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "querylens/core/error.h"

namespace querylens::capture {
namespace {

// A window on the file, re-read only when a view reaches past it: the search for an entry
// start reads a few blocks, not a syscall per line.
class Window {
 public:
  Window(const std::string& path, uint64_t size) : path_(path), size_(size) {
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw Error(ErrorKind::kInput, fmt::format("cannot open: {}", std::strerror(errno)),
                  SourceLocation{path});
  }
  ~Window() { close(fd_); }
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  uint64_t size() const { return size_; }

  // Up to `want` bytes from `pos` (fewer at the end of the file).
  std::string_view view(uint64_t pos, size_t want) {
    want = static_cast<size_t>(std::min<uint64_t>(want, size_ - std::min(pos, size_)));
    if (pos < start_ || pos + want > start_ + data_.size()) load(pos, std::max(want, kBlock));
    return std::string_view(data_).substr(static_cast<size_t>(pos - start_), want);
  }

  // The first line start at or after `pos`; size() when none.
  uint64_t line_start_from(uint64_t pos) {
    if (pos == 0) return 0;
    for (uint64_t at = pos - 1; at < size_; at += kBlock) {  // the byte before pos first
      std::string_view block = view(at, kBlock);
      size_t nl = block.find('\n');
      if (nl != std::string_view::npos) return at + nl + 1;
    }
    return size_;
  }

 private:
  static constexpr size_t kBlock = 1 << 20;

  void load(uint64_t pos, size_t n) {
    data_.resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = pread(fd_, data_.data() + got, n - got, static_cast<off_t>(pos + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0)
        throw Error(ErrorKind::kInput, fmt::format("cannot read: {}", std::strerror(errno)),
                    SourceLocation{path_});
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    data_.resize(got);
    start_ = pos;
  }

  std::string path_;
  uint64_t size_;
  int fd_ = -1;
  uint64_t start_ = 0;
  std::string data_;
};

bool entry_starts_at(Window& file, uint64_t pos, PgLogFormat format, const LogLinePrefix* prefix) {
  switch (format) {
    case PgLogFormat::kJson:  // one entry per line: newlines in values are escaped
      return true;
    case PgLogFormat::kStderr: {
      std::string_view head = file.view(pos, 8192);  // prefix and severity are near the front
      return is_pg_stderr_entry_start(*prefix, head.substr(0, head.find('\n')));
    }
    case PgLogFormat::kCsv:
      // Grow the view until the record is judged; a record over 64 MiB is no start (the
      // reader would not take it either).
      for (size_t want = 64 * 1024;; want *= 4) {
        std::string_view text = file.view(pos, want);
        StartVerdict v = is_pg_csv_record_start(text, pos + text.size() >= file.size());
        if (v != StartVerdict::kNeedMore) return v == StartVerdict::kYes;
        if (want >= (64u << 20)) return false;
      }
  }
  return false;
}

}  // namespace

std::vector<uint64_t> align_pg_log_parts(const std::string& path, uint64_t size, PgLogFormat format,
                                         const LogLinePrefix* prefix,
                                         const std::vector<uint64_t>& nominal) {
  std::vector<uint64_t> starts{0};
  if (size == 0) return starts;
  Window file(path, size);
  for (uint64_t at : nominal) {
    if (at <= starts.back()) continue;
    uint64_t pos = file.line_start_from(at);
    while (pos < size && !entry_starts_at(file, pos, format, prefix))
      pos = file.line_start_from(pos + 1);
    if (pos < size && pos > starts.back()) starts.push_back(pos);
  }
  return starts;
}

}  // namespace querylens::capture
