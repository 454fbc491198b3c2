// InputFile — a file or stdin ("-"), gzip-compressed or not, read in bounded chunks.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace querylens::capture {

class InputFile {
 public:
  // Throws Error(kInput) naming the path when it cannot be opened. "-" is standard input.
  // Gzip input is recognised by its magic bytes, not its name.
  explicit InputFile(const std::string& path);
  // Bytes [begin, end) of a regular, uncompressed file, read as they are (no gzip detection):
  // one part of a file read by several threads (capture/pglog_parallel.h). Line numbers count
  // from 1 at `begin`. Throws Error(kInput) when the file cannot be opened.
  InputFile(const std::string& path, uint64_t begin, uint64_t end);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  // The display name: the path, or "<stdin>".
  const std::string& name() const { return name_; }

  // Next line without its '\n' (and '\r'), valid until the next call; false at the end.
  // Lines longer than max_line are delivered truncated (and counted in long_lines()). Inline
  // when the line's end is in the buffer already (almost every line): the call was ~3% of a
  // log digest's instructions, half of them saving and restoring registers.
  bool next_line(std::string_view* line) {
    return next_line_in_buffer(line) || next_line_refilled(line);
  }
  // next_line() when the line's end is in the buffer already; false (and nothing read) when
  // the buffer must be refilled first. The lines it gives stay valid, with every line given
  // since the last refill, until next_line() is called (it may move the buffer's bytes): a
  // reader keeps views of an entry's lines and copies them only before that call.
  bool next_line_in_buffer(std::string_view* line) {
    const char* data = buffer_.data();
    const void* nl = std::memchr(data + begin_, '\n', end_ - begin_);
    if (nl == nullptr) return false;
    size_t at = static_cast<size_t>(static_cast<const char*>(nl) - data);
    size_t len = at - begin_;
    if (len > 0 && data[at - 1] == '\r') --len;
    *line = std::string_view(data + begin_, len);
    begin_ = at + 1;
    ++line_number_;
    return true;
  }
  int64_t line_number() const { return line_number_; }
  // The whole rest of the input (for .sql scripts). Throws Error(kInput) above `limit` bytes.
  std::string read_all(size_t limit = size_t{1} << 31);
  // Peeks at the first bytes (decompressed) without consuming them.
  std::string_view peek(size_t n);
  uint64_t long_lines() const { return long_lines_; }

  // For progress reports. Bytes of the file consumed so far: the compressed position for gzip
  // input (comparable with total_bytes(); one lseek), the bytes handed out otherwise (also for
  // gzip from a pipe). Never decreases.
  uint64_t bytes_consumed() const;
  // Size of the file (compressed, for gzip; of the range, for a byte range) when it is a
  // regular file; 0 when unknown (pipes).
  uint64_t total_bytes() const { return total_bytes_; }
  // Called after each chunk (at most 1 MiB) is read from the file; empty: none.
  void set_on_read(std::function<void()> on_read) { on_read_ = std::move(on_read); }

  static constexpr size_t kMaxLine = 64 << 20;

 private:
  bool fill();  // reads more into buffer_; false at end of input
  bool next_line_refilled(std::string_view* line);  // next_line() when the buffer has no '\n'

  std::string path_;
  std::string name_;
  void* gz_ = nullptr;  // gzFile; null for a byte range (fd_ is read directly)
  int fd_ = -1;
  uint64_t range_left_ = 0;  // bytes of the range not yet read
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  int64_t line_number_ = 0;
  uint64_t long_lines_ = 0;
  std::string long_line_;
  uint64_t delivered_ = 0;    // decompressed bytes read into buffer_ so far
  uint64_t total_bytes_ = 0;  // see total_bytes()
  std::function<void()> on_read_;
};

}  // namespace querylens::capture
