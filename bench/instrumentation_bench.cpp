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
using querylens::bench::next_id;
using querylens::bench::schema_and_rows;

void BM_SqlitePointLookup_Raw(benchmark::State& state) {
  sqlite3* db = nullptr;
  // The same open flags querylens uses: the pool hands a connection to one thread at a time.
  sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                  nullptr);
  if (sqlite3_exec(db, schema_and_rows().c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sqlite3_errmsg(db));
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v3(db, kLookup, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  uint64_t rng = 1;
  int64_t checksum = 0;
  for (auto _ : state) {
    sqlite3_bind_int64(stmt, 1, next_id(rng));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      // Text read the way an application reads it: the pointer, then its length (as
      // Statement::get_text does). Reading only the length would skip SQLite's text fetch.
      checksum += sqlite3_column_int64(stmt, 0);
      checksum += sqlite3_column_text(stmt, 1) != nullptr ? sqlite3_column_bytes(stmt, 1) : 0;
      checksum += sqlite3_column_text(stmt, 2) != nullptr ? sqlite3_column_bytes(stmt, 2) : 0;
    }
    sqlite3_reset(stmt);
  }
  benchmark::DoNotOptimize(checksum);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
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
