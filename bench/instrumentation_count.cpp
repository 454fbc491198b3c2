// Instruction counts of the instrumentation benchmark's two loops, for a machine whose timings
// are too noisy to read a 5% difference (a shared VM) and that exposes no hardware counters:
//
//   valgrind --tool=callgrind --toggle-collect='*lookups_raw*'
//   build-rel/bench/querylens_instr_count raw valgrind --tool=callgrind
//   --toggle-collect='*lookups_instrumented*' build-rel/bench/querylens_instr_count instrumented
//
// and divide the collected Ir by the lookups (printed). Same loops as
// BM_SqlitePointLookup_Raw / _Instrumented in instrumentation_bench.cpp. The mode `layer`
// runs the instrumented loop with nobody listening (the Statement layer's own cost); the mode
// `raw-threaded` runs the raw loop after starting (and joining) one thread: glibc then leaves
// its single-threaded mutex shortcut for good, and SQLite's allocator mutexes cost ~14 more
// instructions per lookup — the state an instrumented process (its drainer thread) and
// querylens_bench's Raw case after its first instrumented run are in. Add
// --fair-sched=yes --separate-threads=yes so the folding thread is scheduled as natively and
// its instructions land in a file of their own (the application's thread is the "-01" file).
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "lookup_workload.h"
#include "querylens/db/database.h"
#include "querylens/stats/digest_observer.h"

namespace {

using querylens::bench::kLookup;
constexpr int kLookups = 20'000;
using querylens::bench::schema_and_rows;

[[gnu::noinline]] int64_t lookups_raw(sqlite3_stmt* stmt, int n) {
  uint64_t rng = 1;
  int64_t checksum = 0;
  for (int i = 0; i < n; ++i) checksum += querylens::bench::raw_lookup_once(stmt, rng);
  return checksum;
}

[[gnu::noinline]] int64_t lookups_instrumented(querylens::db::Statement& stmt, int n) {
  uint64_t rng = 1;
  int64_t checksum = 0;
  for (int i = 0; i < n; ++i) checksum += querylens::bench::lookup_once(stmt, rng);
  return checksum;
}

}  // namespace

int main(int argc, char** argv) {
  // "layer": through querylens with nobody listening (no event is built).
  bool layer_only = argc > 1 && std::strcmp(argv[1], "layer") == 0;
  bool instrumented = layer_only || (argc > 1 && std::strcmp(argv[1], "instrumented") == 0);
  if (argc > 1 && std::strcmp(argv[1], "raw-threaded") == 0) std::thread([] {}).join();
  int64_t checksum = 0;
  if (!instrumented) {
    querylens::bench::RawLookup raw;
    checksum = lookups_raw(raw.stmt, kLookups);
  } else {
    auto db = querylens::db::Database::open("sqlite::memory:");
    auto digest = std::make_shared<querylens::stats::DigestObserver>(db->shapes());
    auto conn = db->connect();
    conn->execute_script(schema_and_rows());
    if (!layer_only) db->events().add(digest);
    checksum = lookups_instrumented(conn->prepare(kLookup), kLookups);
    std::printf("events through a lane: %llu, straight into the digest: %llu\n",
                static_cast<unsigned long long>(digest->laned_events()),
                static_cast<unsigned long long>(digest->direct_events()));
  }
  std::printf("%s: %d lookups (checksum %lld)\n", instrumented ? "instrumented" : "raw", kLookups,
              static_cast<long long>(checksum));
  return 0;
}
