// What instrumentation costs: a prepared point lookup on an in-memory SQLite table of 100k
// rows, through the plain sqlite3 API and through querylens with one observer feeding a
// digest. Target: Instrumented ≤ 1.05 × Raw (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "lookup_workload.h"
#include "querylens/capture/observer.h"
#include "querylens/db/database.h"
#include "querylens/stats/digest_observer.h"

namespace {

using querylens::bench::kLookup;
using querylens::bench::lookup_once;
using querylens::bench::schema_and_rows;

void BM_SqlitePointLookup_Raw(benchmark::State& state) {
  querylens::bench::RawLookup raw;
  uint64_t rng = 1;
  int64_t checksum = 0;
  for (auto _ : state) checksum += querylens::bench::raw_lookup_once(raw.stmt, rng);
  benchmark::DoNotOptimize(checksum);
}
BENCHMARK(BM_SqlitePointLookup_Raw);

// The lookups through querylens on a fresh in-memory database; `make_observer(db)` returns
// the observer to register after the set-up (so only lookups are captured), or null.
template <typename MakeObserver>
auto lookup_through_querylens(benchmark::State& state, MakeObserver make_observer) {
  auto db = querylens::db::Database::open("sqlite::memory:");
  auto conn = db->connect();
  conn->execute_script(schema_and_rows());
  auto observer = make_observer(*db);
  if (observer) db->events().add(observer);
  querylens::db::Statement& stmt = conn->prepare(kLookup);
  uint64_t rng = 1;
  int64_t checksum = 0;
  for (auto _ : state) checksum += lookup_once(stmt, rng);
  benchmark::DoNotOptimize(checksum);
  return observer;
}

void BM_SqlitePointLookup_Instrumented(benchmark::State& state) {
  auto digest = lookup_through_querylens(state, [](querylens::db::Database& db) {
    return std::make_shared<querylens::stats::DigestObserver>(db.shapes());
  });
  uint64_t calls =
      digest->with_digest([](const querylens::stats::Digest& d) { return d.total_calls(); });
  if (calls < static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("events were not captured");
  state.counters["captured"] = static_cast<double>(calls);
}
BENCHMARK(BM_SqlitePointLookup_Instrumented);

// The split of the instrumented case's cost: the querylens Statement layer with nobody
// listening (no event is built), and with an observer that only counts (the event is built,
// timed and published, and nothing is aggregated).
struct CountingObserver : querylens::QueryObserver {
  void on_query(const querylens::QueryEvent&) override { ++events; }
  uint64_t events = 0;
};

void BM_SqlitePointLookup_LayerOnly(benchmark::State& state) {
  lookup_through_querylens(
      state, [](querylens::db::Database&) { return std::shared_ptr<querylens::QueryObserver>(); });
}
BENCHMARK(BM_SqlitePointLookup_LayerOnly);

void BM_SqlitePointLookup_CountingObserver(benchmark::State& state) {
  auto counter = lookup_through_querylens(
      state, [](querylens::db::Database&) { return std::make_shared<CountingObserver>(); });
  if (counter->events < static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("events were not published");
}
BENCHMARK(BM_SqlitePointLookup_CountingObserver);

}  // namespace
