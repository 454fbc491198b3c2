// Reading PostgreSQL stderr logs: bytes per second of the parser alone, of parser + digest
// (shape lookup, histogram), and of the digest with -j N threads, on a generated log shaped
// like a busy application's.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

#include "querylens/analyze/analysis.h"
#include "querylens/analyze/parted_analysis.h"
#include "querylens/capture/input_file.h"
#include "querylens/capture/pglog.h"
#include "querylens/capture/pglog_parallel.h"
#include "querylens/sql/shape_registry.h"
#include "querylens/stats/digest.h"

namespace {

using querylens::QueryEvent;

// A log_min_duration_statement = 0 log with prefix '%m [%p] %q%u@%d ': 40 backends, point
// lookups with fresh constants, prepared executes with parameters, multi-line reports,
// transactions, a few errors, some background lines.
std::string generate_log(size_t bytes) {
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(bytes + 4096);
  int64_t ms = 0;
  while (out.size() < bytes) {
    ms += rng() % 3;
    int pid = 10000 + static_cast<int>(rng() % 40);
    unsigned id = static_cast<unsigned>(rng() % 100000);
    double d = static_cast<double>(rng() % 100000) / 1000.0;
    std::string prefix =
        fmt::format("2024-03-05 {:02}:{:02}:{:02}.{:03} UTC [{}] app@shop ", (ms / 3600000) % 24,
                    (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000, pid);
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2:
        out += fmt::format(
            "{}LOG:  duration: {:.3f} ms  statement: SELECT id, email, name FROM users WHERE id = "
            "{}\n",
            prefix, d, id);
        break;
      case 3:
      case 4:
        out += fmt::format(
            "{}LOG:  duration: {:.3f} ms  execute S_{}: SELECT id, title, body FROM posts WHERE "
            "user_id = $1 ORDER BY created_at DESC LIMIT $2\n{}DETAIL:  parameters: $1 = '{}', $2 "
            "= "
            "'20'\n",
            prefix, d, rng() % 4, prefix, id);
        break;
      case 5:
        out += fmt::format(
            "{}LOG:  duration: {:.3f} ms  statement: UPDATE posts SET view_count = view_count + 1 "
            "WHERE id = {}\n",
            prefix, d, id);
        break;
      case 6:
        out += fmt::format(
            "{}LOG:  duration: {:.3f} ms  statement: SELECT u.name, count(p.id) AS posts\n\t  FROM "
            "users u\n\t  JOIN posts p ON p.user_id = u.id\n\t WHERE u.created_at > "
            "'2024-01-{:02}'\n\t "
            "GROUP BY u.name\n\t ORDER BY posts DESC\n\t LIMIT 50\n",
            prefix, d * 10, 1 + id % 28);
        break;
      case 7:
        out += fmt::format(
            "{0}LOG:  duration: 0.010 ms  statement: BEGIN\n{0}LOG:  duration: {1:.3f} ms  "
            "statement: "
            "INSERT INTO comments (post_id, user_id, body) VALUES ({2}, {3}, 'nice post "
            "{2}')\n{0}LOG:  "
            "duration: 0.050 ms  statement: COMMIT\n",
            prefix, d, id, id % 977);
        break;
      case 8:
        out += fmt::format(
            "{}LOG:  duration: {:.3f} ms  statement: SELECT * FROM tags WHERE name IN ('a{}', "
            "'b{}', "
            "'c')\n",
            prefix, d, id, id + 1);
        break;
      default:
        if (rng() % 20 == 0) {
          out += fmt::format(
              "{0}ERROR:  duplicate key value violates unique constraint "
              "\"users_email_key\"\n{0}DETAIL:  "
              "Key (email)=(u{1}@example.com) already exists.\n{0}STATEMENT:  INSERT INTO users "
              "(email) "
              "VALUES ('u{1}@example.com')\n",
              prefix, id);
        } else {
          out += fmt::format(
              "2024-03-05 00:00:{:02}.000 UTC [99] LOG:  checkpoint complete: wrote {} buffers\n",
              ms / 1000 % 60, id % 500);
        }
    }
  }
  return out;
}

const std::string& log_path() {
  static const std::string path = [] {
    std::string p = fmt::format("/tmp/querylens-pglog-bench-{}.log", getpid());
    std::string text = generate_log(64 << 20);
    FILE* f = std::fopen(p.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    std::atexit([] { std::remove(log_path().c_str()); });
    return p;
  }();
  return path;
}

struct Discard : querylens::QueryObserver {
  uint64_t bytes = 0;
  void on_query(const QueryEvent& e) override { bytes += e.sql.size(); }
};

struct Digesting : querylens::QueryObserver {
  querylens::sql::ShapeRegistry shapes;
  querylens::stats::Digest digest{shapes};
  void on_query(const QueryEvent& e) override { digest.add(e); }
};

template <typename Observer>
void run(benchmark::State& state) {
  const std::string& path = log_path();
  uint64_t bytes = 0, events = 0;
  Observer out;  // one across iterations: a real run meets each shape once, then hits the cache
  for (auto _ : state) {
    querylens::Diagnostics diagnostics;
    querylens::capture::InputFile input(path);
    auto stats = querylens::capture::read_pg_log(input, querylens::capture::PgLogFormat::kStderr,
                                                 "%m [%p] %q%u@%d ", out, diagnostics);
    bytes += stats.bytes;
    events += stats.events;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_PgLogStderr_Parse(benchmark::State& state) { run<Discard>(state); }
BENCHMARK(BM_PgLogStderr_Parse)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_PgLogStderr_ParseAndDigest(benchmark::State& state) { run<Digesting>(state); }
BENCHMARK(BM_PgLogStderr_ParseAndDigest)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace

// `digest -j N` on the same log: the file split at entry starts, each part classified and
// digested by its own thread (shared shape registry), the parts merged. Wall time: the point
// is the elapsed time with N threads.
void BM_PgLogStderr_DigestJobs(benchmark::State& state) {
  const std::string& path = log_path();
  size_t jobs = static_cast<size_t>(state.range(0));
  querylens::sql::ShapeRegistry shapes;  // warm across iterations, as in the cases above
  uint64_t bytes = 0, events = 0;
  for (auto _ : state) {
    querylens::Diagnostics diagnostics;
    querylens::analyze::Analysis analysis(shapes, {}, /*run_analyzers=*/false);
    querylens::analyze::PartedAnalysis parted(analysis, shapes, {}, false);
    auto stats =
        querylens::capture::read_pg_log_parallel(path, querylens::capture::PgLogFormat::kStderr,
                                                 "%m [%p] %q%u@%d ", jobs, parted, diagnostics);
    bytes += stats.bytes;
    events += stats.events;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PgLogStderr_DigestJobs)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2)
    ->UseRealTime();
