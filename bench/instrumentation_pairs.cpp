// Wall-clock ratio of the instrumented point lookup to the raw one, for a machine whose speed
// drifts (a shared VM: the same loop runs at ~1,150 or ~2,000 ns per lookup depending on the
// host's hour). Separate benchmark runs compare two cases measured at different moments; here
// both cases run in one process, alternating in short rounds (order swapped every round), and
// each round's ratio compares two measurements taken within milliseconds of each other. The
// median of those ratios is what drift cannot move:
//
//   build-rel/bench/querylens_instr_pairs [rounds [lookups per round [observer]]]
//
// (default 400 × 10,000, observer `digest`). The observer `counting` (increments a counter) or
// `none` (the layer alone) split the cost the way BM_SqlitePointLookup_CountingObserver and
// _LayerOnly do. Rounds of fewer than 10,000 lookups (e.g. `20000 100`: the two loops trade
// places every ~150 µs) are also summed in groups of ~10,000 lookups each way, and the median
// of the groups' ratios reported: the tightest figure on this VM (quartiles ±0.5–1%); what
// still moves is the process — its memory layout — so compare several runs.
//
// Same loops as BM_SqlitePointLookup_Raw / _Instrumented (bench/lookup_workload.h).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include "lookup_workload.h"
#include "querylens/db/database.h"
#include "querylens/stats/digest_observer.h"

namespace {

using querylens::bench::kLookup;
using querylens::bench::schema_and_rows;
int lookups_per_round = 10'000;

[[gnu::noinline]] int64_t lookups_raw(sqlite3_stmt* stmt, uint64_t& rng) {
  int64_t checksum = 0;
  for (int i = 0; i < lookups_per_round; ++i)
    checksum += querylens::bench::raw_lookup_once(stmt, rng);
  return checksum;
}

[[gnu::noinline]] int64_t lookups_instrumented(querylens::db::Statement& stmt, uint64_t& rng) {
  int64_t checksum = 0;
  for (int i = 0; i < lookups_per_round; ++i) checksum += querylens::bench::lookup_once(stmt, rng);
  return checksum;
}

struct CountingObserver : querylens::QueryObserver {
  void on_query(const querylens::QueryEvent&) override { ++events; }
  uint64_t events = 0;
};

// This thread's CPU time. On a KVM guest with steal-time accounting (CONFIG_PARAVIRT_TIME_
// ACCOUNTING) it leaves out the time the host ran something else on this vCPU, which the wall
// clock counts: one source of the rounds' spread gone.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct RoundTime {
  double wall_ns = 0;  // per lookup
  double cpu_ns = 0;   // per lookup, this thread's CPU time
};

template <typename F>
RoundTime ns_per_lookup(F&& loop, int64_t* checksum) {
  double cpu_start = thread_cpu_ns();
  auto start = std::chrono::steady_clock::now();
  *checksum += loop();
  std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  double cpu = thread_cpu_ns() - cpu_start;
  return {took.count() / lookups_per_round, cpu / lookups_per_round};
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 400;
  if (rounds < 1) rounds = 400;
  if (argc > 2) lookups_per_round = std::max(1, std::atoi(argv[2]));
  const char* observer = argc > 3 ? argv[3] : "digest";

  querylens::bench::RawLookup raw_lookup;

  auto db = querylens::db::Database::open("sqlite::memory:");
  auto digest = std::make_shared<querylens::stats::DigestObserver>(db->shapes());
  auto conn = db->connect();
  conn->execute_script(schema_and_rows());
  auto counter = std::make_shared<CountingObserver>();
  if (std::strcmp(observer, "digest") == 0) {
    db->events().add(digest);
  } else if (std::strcmp(observer, "counting") == 0) {
    db->events().add(counter);
  } else if (std::strcmp(observer, "none") != 0) {
    std::fprintf(stderr, "observer must be digest, counting or none, not %s\n", observer);
    return 2;
  }
  querylens::db::Statement& stmt = conn->prepare(kLookup);

  int64_t checksum = 0;
  uint64_t raw_rng = 1;
  uint64_t instrumented_rng = 1;
  auto raw = [&] { return lookups_raw(raw_lookup.stmt, raw_rng); };
  auto instrumented = [&] { return lookups_instrumented(stmt, instrumented_rng); };
  for (int warm = 0; warm < 20; ++warm) {  // page cache, branch predictors, the digest's shape
    ns_per_lookup(raw, &checksum);
    ns_per_lookup(instrumented, &checksum);
  }
  std::vector<double> raw_ns, instrumented_ns, ratios, cpu_ratios;
  for (int r = 0; r < rounds; ++r) {
    RoundTime a, b;
    if (r % 2 == 0) {
      a = ns_per_lookup(raw, &checksum);
      b = ns_per_lookup(instrumented, &checksum);
    } else {
      b = ns_per_lookup(instrumented, &checksum);
      a = ns_per_lookup(raw, &checksum);
    }
    raw_ns.push_back(a.wall_ns);
    instrumented_ns.push_back(b.wall_ns);
    ratios.push_back(b.wall_ns / a.wall_ns);
    cpu_ratios.push_back(b.cpu_ns / a.cpu_ns);
  }

  std::printf("%d rounds of %d lookups each way, observer %s (checksum %lld, %llu events)\n",
              rounds, lookups_per_round, observer, static_cast<long long>(checksum),
              static_cast<unsigned long long>(digest->laned_events() + digest->direct_events() +
                                              counter->events));
  std::printf("raw           ns/lookup: min %.0f, median %.0f\n", quantile(raw_ns, 0),
              quantile(raw_ns, 0.5));
  std::printf("querylens     ns/lookup: min %.0f, median %.0f\n", quantile(instrumented_ns, 0),
              quantile(instrumented_ns, 0.5));
  std::printf("ratio querylens/raw per round: median %.3f, quartiles %.3f-%.3f\n",
              quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75));
  std::printf("ratio in thread CPU time per round: median %.3f, quartiles %.3f-%.3f\n",
              quantile(cpu_ratios, 0.5), quantile(cpu_ratios, 0.25), quantile(cpu_ratios, 0.75));
  // Short rounds follow the host's drift closely, but one preempted round moves its own ratio
  // a lot: their sums over groups of ~10,000 lookups each way are compared instead.
  const int group = std::max(1, 10'000 / lookups_per_round);
  if (group > 1 && rounds >= 2 * group) {
    std::vector<double> grouped;
    for (int g = 0; g + group <= rounds; g += group) {
      double a = 0, b = 0;
      for (int r = g; r < g + group; ++r) {
        a += raw_ns[static_cast<size_t>(r)];
        b += instrumented_ns[static_cast<size_t>(r)];
      }
      grouped.push_back(b / a);
    }
    std::printf("ratio of sums over groups of %d rounds: median %.3f, quartiles %.3f-%.3f\n", group,
                quantile(grouped, 0.5), quantile(grouped, 0.25), quantile(grouped, 0.75));
  }
  return 0;
}
