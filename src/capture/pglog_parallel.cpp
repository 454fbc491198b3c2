#include "querylens/capture/pglog_parallel.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "capture/pglog_edge.h"
#include "capture/pglog_split.h"
#include "querylens/capture/input_file.h"
#include "querylens/core/error.h"

namespace querylens::capture {
namespace {

// Replays the edges between parts in file order: statements left waiting at the end of a part
// are settled by what the next parts' first records of the same backend did (pglog_edge.h).
class PgLogJoin {
 public:
  explicit PgLogJoin(QueryObserver& out) : out_(out) {}

  // Before part `edge` is folded in: settle what waits from earlier parts.
  void settle(const PgLogEdge& edge) {
    // By pid, so the order of what is delivered does not depend on hashing.
    std::map<int64_t, const BackendStart*> starts;
    for (const auto& [pid, start] : edge.starts) {
      if (waiting_.count(pid)) starts.emplace(pid, &start);
    }
    for (const auto& [pid, start] : starts) {
      Carried& c = waiting_[pid];
      bool reused =
          !start->first_session.empty() && !c.session.empty() && start->first_session != c.session;
      if (!reused) {
        switch (start->touch) {
          case FirstTouch::kNone:  // not settled yet: it goes on waiting
            if (!start->first_session.empty()) c.session = start->first_session;
            continue;
          case FirstTouch::kTimed:
            deliver(pid, c, start->duration_ns);
            break;
          case FirstTouch::kUntimed:
            deliver(pid, c, kUnknown);
            break;
          case FirstTouch::kSettle:  // the same execution's own line: counted there
            if (c.statement.sql != start->settle_sql) deliver(pid, c, kUnknown);
            break;
        }
      } else {
        deliver(pid, c, kUnknown);
      }
      waiting_.erase(pid);
    }
  }

  // After part `edge` is folded in: what it leaves waiting.
  void carry(const PgLogEdge& edge) {
    for (const auto& [pid, statement] : edge.waiting) {
      auto session = edge.sessions.find(pid);
      waiting_[pid] = Carried{statement, session == edge.sessions.end() ? "" : session->second};
    }
  }

  // The end of the file: what still waits is delivered untimed, as PgLogEvents::finish() does.
  void finish() {
    for (auto& [pid, c] : waiting_) deliver(pid, c, kUnknown);
    waiting_.clear();
  }

  uint64_t events() const { return events_; }

 private:
  struct Carried {
    WaitingStatement statement;
    std::string session;  // the backend's session id
  };

  void deliver(int64_t pid, const Carried& c, int64_t duration_ns) {
    publish_waiting(out_, pid, c.statement, duration_ns, kUnknown, &tags_);
    ++events_;
  }

  QueryObserver& out_;
  std::map<int64_t, Carried> waiting_;
  EventTags tags_;
  uint64_t events_ = 0;
};

uint64_t file_size(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// One part being read: its own input, events, diagnostics and edge.
struct Part {
  uint64_t begin = 0, end = 0;
  std::unique_ptr<PgLogEvents> events;
  Diagnostics diagnostics;
  SourceStats stats;
  int64_t lines = 0;
  std::atomic<uint64_t> consumed{0};
  std::exception_ptr error;
};

// Progress of all parts as one input: the sum of their bytes, reported from whichever thread
// read last (one at a time), at most once per 64 KiB as read_source() does.
class PartsProgress {
 public:
  PartsProgress(const ProgressCallback& callback, std::string name, uint64_t total,
                std::vector<std::unique_ptr<Part>>& parts)
      : callback_(callback), name_(std::move(name)), total_(total), parts_(parts) {
    if (callback_) callback_(Progress{name_, 0, total_, false});
  }
  ~PartsProgress() {
    if (!callback_) return;
    try {
      callback_(Progress{name_, sum(), total_, true});
    } catch (...) {  // a callback must not throw; a progress bar is not worth a terminate
    }
  }
  PartsProgress(const PartsProgress&) = delete;
  PartsProgress& operator=(const PartsProgress&) = delete;

  void on_read() {
    if (!callback_) return;
    std::lock_guard lock(mutex_);
    uint64_t done = sum();
    if (done < last_ + 64 * 1024) return;
    last_ = done;
    callback_(Progress{name_, done, total_, false});
  }

 private:
  uint64_t sum() const {
    uint64_t done = 0;
    for (const auto& p : parts_) done += p->consumed.load(std::memory_order_relaxed);
    return done;
  }

  const ProgressCallback& callback_;
  std::string name_;
  uint64_t total_;
  std::vector<std::unique_ptr<Part>>& parts_;
  std::mutex mutex_;
  uint64_t last_ = 0;
};

void read_part(const std::string& path, PgLogFormat format, const LogLinePrefix& prefix,
               bool prefix_detected, Part& part, PartsProgress& progress) {
  try {
    InputFile input(path, part.begin, part.end);
    input.set_on_read([&] {
      part.consumed.store(input.bytes_consumed(), std::memory_order_relaxed);
      progress.on_read();
    });
    switch (format) {
      case PgLogFormat::kStderr:
        part.stats =
            read_pg_stderr_records(input, prefix, prefix_detected, *part.events, part.diagnostics);
        break;
      case PgLogFormat::kCsv:
        part.stats = read_pg_csv_records(input, *part.events, part.diagnostics);
        break;
      case PgLogFormat::kJson:
        part.stats = read_pg_json_records(input, *part.events, part.diagnostics);
        break;
    }
    part.events->finish();
    part.lines = input.line_number();
    part.consumed.store(part.end - part.begin, std::memory_order_relaxed);
  } catch (...) {
    part.error = std::current_exception();
  }
}

}  // namespace

bool can_read_in_parts(const std::string& path) {
  if (path == "-") return false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  unsigned char magic[2] = {0, 0};
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  bool gzip = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  close(fd);
  return regular && !gzip;
}

SourceStats read_pg_log_parallel(const std::string& path, PgLogFormat format,
                                 const std::string& log_line_prefix, size_t jobs,
                                 PartedObserver& out, Diagnostics& diagnostics,
                                 const ProgressCallback& progress) {
  uint64_t size = file_size(path);
  std::vector<uint64_t> nominal;
  // Parts smaller than this cost more in threads and merging than they save.
  constexpr uint64_t kMinPart = 1 << 20;
  jobs = std::max<size_t>(1, std::min<uint64_t>(jobs, std::max<uint64_t>(1, size / kMinPart)));
  for (size_t i = 1; i < jobs; ++i) nominal.push_back(size / jobs * i);
  return read_pg_log_parts(path, format, log_line_prefix, nominal, out, diagnostics, progress);
}

SourceStats read_pg_log_parts(const std::string& path, PgLogFormat format,
                              const std::string& log_line_prefix,
                              const std::vector<uint64_t>& nominal_starts, PartedObserver& out,
                              Diagnostics& diagnostics, const ProgressCallback& progress) {
  LogLinePrefix prefix;
  if (format == PgLogFormat::kStderr) {
    InputFile head(path);  // the prefix is found once, in the file's first bytes
    prefix = stderr_log_prefix(head, log_line_prefix, diagnostics);
  }
  uint64_t size = file_size(path);
  std::vector<uint64_t> starts = align_pg_log_parts(path, size, format, &prefix, nominal_starts);

  std::vector<std::unique_ptr<Part>> parts;
  for (size_t i = 0; i < starts.size(); ++i) {
    auto part = std::make_unique<Part>();
    part->begin = starts[i];
    part->end = i + 1 < starts.size() ? starts[i + 1] : size;
    PgLogPart where;
    where.starts_mid_file = i > 0;
    where.ends_mid_file = i + 1 < starts.size();
    // Ordinals stay unique across parts: 2^40 transactions per part are never reached.
    where.first_transaction = (static_cast<int64_t>(i) << 40) + 1;
    part->events = std::make_unique<PgLogEvents>(out.part(i), where);
    parts.push_back(std::move(part));
  }
  {
    PartsProgress reporter(progress, path, size, parts);
    std::vector<std::thread> threads;
    for (size_t i = 1; i < parts.size(); ++i) {
      threads.emplace_back(read_part, std::cref(path), format, std::cref(prefix),
                           log_line_prefix.empty(), std::ref(*parts[i]), std::ref(reporter));
    }
    read_part(path, format, prefix, log_line_prefix.empty(), *parts[0], reporter);
    for (std::thread& t : threads) t.join();
  }
  for (const auto& part : parts) {
    if (part->error) std::rethrow_exception(part->error);
  }

  SourceStats stats;
  PgLogJoin join(out.part(0));
  int64_t lines_before = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    Part& part = *parts[i];
    diagnostics.absorb(part.diagnostics, lines_before);
    lines_before += part.lines;
    stats.bytes += part.stats.bytes;
    stats.skipped += part.stats.skipped;
    stats.events += part.events->events();
    if (i > 0) {
      join.settle(part.events->edge());
      out.merge_part(i);
    }
    join.carry(part.events->edge());
  }
  join.finish();
  stats.events += join.events();
  return stats;
}

}  // namespace querylens::capture
