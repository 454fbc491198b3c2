// Shape classification and latency recording: the per-event costs of every source.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "querylens/sql/shape_registry.h"
#include "querylens/stats/histogram.h"

namespace {

// A repeated statement with bound parameters (the instrumented layer, pg_stat_statements):
// answered by the exact-text cache.
void BM_Classify_ExactHit(benchmark::State& state) {
  querylens::sql::ShapeRegistry registry;
  std::string sql =
      "SELECT id, title FROM posts WHERE user_id = $1 AND is_published = $2 ORDER BY created_at "
      "DESC LIMIT $3";
  registry.classify(sql);
  for (auto _ : state) benchmark::DoNotOptimize(registry.classify(sql));
}
BENCHMARK(BM_Classify_ExactHit);

// New constants every time (a log with literals): lexed and folded, no parse.
void BM_Classify_FoldedHit(benchmark::State& state) {
  // Texts with literals skip the exact cache: each lookup is lexed, folded and found by its key.
  querylens::sql::ShapeRegistry registry;
  std::vector<std::string> texts;
  for (int i = 0; i < 4096; ++i) {
    texts.push_back("SELECT id, title FROM posts WHERE user_id = " + std::to_string(i * 7919) +
                    " AND is_published = true ORDER BY created_at DESC LIMIT 10");
  }
  registry.classify(texts[0]);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(registry.classify(texts[i++ & 4095]));
  }
}
BENCHMARK(BM_Classify_FoldedHit);

// A new shape: libpg_query fingerprint + normalize.
void BM_Classify_Parse(benchmark::State& state) {
  int64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    querylens::sql::ShapeRegistry registry;
    std::string sql =
        "SELECT id, title FROM posts WHERE user_id = 1 AND c" + std::to_string(n++) + " = 2";
    state.ResumeTiming();
    benchmark::DoNotOptimize(registry.classify(sql));
  }
}
BENCHMARK(BM_Classify_Parse);

void BM_HistogramRecord(benchmark::State& state) {
  querylens::stats::LatencyHistogram h;
  uint64_t x = 88172645463325252ull;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    h.record(static_cast<int64_t>(x % 50'000'000));
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

}  // namespace

#include <memory>
#include <mutex>

#include "querylens/core/clock.h"
#include "querylens/stats/digest_observer.h"

namespace {

// The instrumented path's fixed costs, one at a time.
void BM_MonotonicClock(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(querylens::monotonic_ns());
}
BENCHMARK(BM_MonotonicClock);

// One observer shared by every benchmark thread, as a pool's connections share one.
querylens::QueryEvent lookup_event(querylens::sql::ShapeRegistry& registry) {
  querylens::QueryEvent event;
  event.sql = "SELECT id, username, email FROM users WHERE id = ?";
  event.shape = registry.classify(event.sql);
  event.rows = 1;
  event.start_us = 1;
  return event;
}

void BM_DigestObserver_OnQuery(benchmark::State& state) {
  static querylens::sql::ShapeRegistry registry;
  static querylens::stats::DigestObserver observer(registry);
  querylens::QueryEvent event = lookup_event(registry);
  int64_t d = 1000;
  for (auto _ : state) {
    event.duration_ns = (d = d * 1103515245 % 1'000'003 + 500);
    observer.on_query(event);
  }
}
BENCHMARK(BM_DigestObserver_OnQuery)->ThreadRange(1, 2)->UseRealTime();

// The design DigestObserver replaced, kept as the baseline: every event into the digest
// under one mutex, on the application's thread.
void BM_MutexDigest_OnQuery(benchmark::State& state) {
  static querylens::sql::ShapeRegistry registry;
  static querylens::stats::Digest digest(registry);
  static std::mutex mutex;
  querylens::QueryEvent event = lookup_event(registry);
  int64_t d = 1000;
  for (auto _ : state) {
    event.duration_ns = (d = d * 1103515245 % 1'000'003 + 500);
    std::lock_guard lock(mutex);
    digest.add(event);
  }
}
BENCHMARK(BM_MutexDigest_OnQuery)->ThreadRange(1, 2)->UseRealTime();

}  // namespace
