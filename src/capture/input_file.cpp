#include "querylens/capture/input_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "querylens/core/error.h"

namespace querylens::capture {

static constexpr size_t kChunk = 1 << 20;

InputFile::InputFile(const std::string& path) : path_(path), name_(path == "-" ? "<stdin>" : path) {
  int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(ErrorKind::kInput, fmt::format("cannot open: {}", std::strerror(errno)),
                SourceLocation{name_});
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    total_bytes_ = static_cast<uint64_t>(st.st_size);
  // gzdopen reads plain files transparently, so one path serves both.
  gzFile gz = gzdopen(fd, "rb");
  if (gz == nullptr) {
    close(fd);
    throw Error(ErrorKind::kInput, "cannot read", SourceLocation{name_});
  }
  gzbuffer(gz, 256 * 1024);
  gz_ = gz;
  buffer_.resize(kChunk);
}

InputFile::InputFile(const std::string& path, uint64_t begin, uint64_t end)
    : path_(path), name_(path) {
  fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    throw Error(ErrorKind::kInput, fmt::format("cannot open: {}", std::strerror(errno)),
                SourceLocation{name_});
  if (lseek(fd_, static_cast<off_t>(begin), SEEK_SET) < 0) {
    int code = errno;
    close(fd_);
    fd_ = -1;
    throw Error(ErrorKind::kInput, fmt::format("cannot seek: {}", std::strerror(code)),
                SourceLocation{name_});
  }
  range_left_ = end > begin ? end - begin : 0;
  total_bytes_ = range_left_;
  buffer_.resize(kChunk);
}

InputFile::~InputFile() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
  if (fd_ >= 0) close(fd_);
}

// One read of the byte range; like gzread: bytes read, 0 at the end, -1 on error.
static int read_range(int fd, char* into, size_t space, uint64_t* left) {
  size_t want = static_cast<size_t>(std::min<uint64_t>(space, *left));
  if (want == 0) return 0;
  ssize_t n;
  do {
    n = ::read(fd, into, std::min<size_t>(want, size_t{1} << 30));
  } while (n < 0 && errno == EINTR);
  if (n > 0) *left -= static_cast<uint64_t>(n);
  return static_cast<int>(n);
}

bool InputFile::fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unread tail at the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  int n = gz_ == nullptr
              ? read_range(fd_, buffer_.data() + end_, buffer_.size() - end_, &range_left_)
              : gzread(static_cast<gzFile>(gz_), buffer_.data() + end_,
                       static_cast<unsigned>(buffer_.size() - end_));
  if (n < 0) {
    int code = gz_ == nullptr ? Z_ERRNO : 0;
    const char* message = gz_ == nullptr ? "" : gzerror(static_cast<gzFile>(gz_), &code);
    throw Error(ErrorKind::kInput,
                fmt::format("cannot read: {}", code == Z_ERRNO ? std::strerror(errno) : message),
                SourceLocation{name_, line_number_ + 1, 0});
  }
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<size_t>(n);
  delivered_ += static_cast<uint64_t>(n);
  if (on_read_) on_read_();
  return true;
}

uint64_t InputFile::bytes_consumed() const {
  uint64_t handed_out = delivered_ - (end_ - begin_);
  gzFile gz = static_cast<gzFile>(gz_);
  if (gz != nullptr && delivered_ > 0 && gzdirect(gz) == 0) {
    z_off_t offset = gzoffset(gz);  // -1 on a pipe
    if (offset >= 0) return static_cast<uint64_t>(offset);
  }
  return handed_out;
}

std::string_view InputFile::peek(size_t n) {
  while (end_ - begin_ < n && fill()) {
  }
  return std::string_view(buffer_.data() + begin_, std::min(n, end_ - begin_));
}

bool InputFile::next_line_refilled(std::string_view* line) {
  size_t scanned = begin_;  // (next_line() found no '\n' after it: this looks once more)
  while (true) {
    const void* nl = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data());
      size_t len = at - begin_;
      if (len > 0 && buffer_[at - 1] == '\r') --len;
      *line = std::string_view(buffer_.data() + begin_, len);
      begin_ = at + 1;
      ++line_number_;
      return true;
    }
    if (end_ - begin_ >= kMaxLine) {
      // A line too long to hold: deliver its first kMaxLine bytes, skip to its end.
      ++long_lines_;
      long_line_.assign(buffer_.data() + begin_, kMaxLine);
      begin_ = end_;
      while (fill()) {
        const void* end_nl = std::memchr(buffer_.data() + begin_, '\n', end_ - begin_);
        if (end_nl) {
          begin_ = static_cast<size_t>(static_cast<const char*>(end_nl) - buffer_.data()) + 1;
          break;
        }
        begin_ = end_;
      }
      ++line_number_;
      *line = long_line_;
      return true;
    }
    scanned = end_;
    size_t offset = scanned - begin_;
    if (!fill()) {
      if (end_ == begin_) return false;
      *line = std::string_view(buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scanned = begin_ + offset;  // fill() may have moved the data to the front
  }
}

std::string InputFile::read_all(size_t limit) {
  std::string out(buffer_.data() + begin_, end_ - begin_);
  begin_ = end_ = 0;
  while (fill()) {
    out.append(buffer_.data(), end_);
    end_ = 0;
    if (out.size() > limit)
      throw Error(ErrorKind::kInput, fmt::format("{} is larger than {} bytes", name_, limit));
  }
  return out;
}

}  // namespace querylens::capture
