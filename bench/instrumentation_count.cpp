// Instruction counts of the instrumentation benchmark's two loops, for a machine whose timings
// are too noisy to read a 5% difference (a shared VM) and that exposes no hardware counters:
//
//   valgrind --tool=callgrind --toggle-collect='*lookups_raw*'
//   build-rel/bench/querylens_instr_count raw valgrind --tool=callgrind
//   --toggle-collect='*lookups_instrumented*' build-rel/bench/querylens_instr_count instrumented
//
// and divide the collected Ir by the lookups (printed). Same loops as
// BM_SqlitePointLookup_Raw / _Instrumented in instrumentation_bench.cpp. The mode `layer`
// runs the instrumented loop with nobody listening (the Statement layer's own cost). Add
// --fair-sched=yes --separate-threads=yes so the folding thread is scheduled as natively and
// its instructions land in a file of their own (the application's thread is the "-01" file).
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "lookup_workload.h"
#include "querylens/db/database.h"
#include "querylens/stats/digest_observer.h"

namespace {

using querylens::bench::kLookup;
constexpr int kLookups = 20'000;
using querylens::bench::next_id;
using querylens::bench::schema_and_rows;

[[gnu::noinline]] int64_t lookups_raw(sqlite3_stmt* stmt, int n) {
  uint64_t rng = 1;
  int64_t checksum = 0;
  for (int i = 0; i < n; ++i) {
    sqlite3_bind_int64(stmt, 1, next_id(rng));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      checksum += sqlite3_column_int64(stmt, 0);
      checksum += sqlite3_column_text(stmt, 1) != nullptr ? sqlite3_column_bytes(stmt, 1) : 0;
      checksum += sqlite3_column_text(stmt, 2) != nullptr ? sqlite3_column_bytes(stmt, 2) : 0;
    }
    sqlite3_reset(stmt);
  }
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
  int64_t checksum = 0;
  if (!instrumented) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(":memory:", &db,
                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    sqlite3_exec(db, schema_and_rows().c_str(), nullptr, nullptr, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v3(db, kLookup, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    checksum = lookups_raw(stmt, kLookups);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
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
