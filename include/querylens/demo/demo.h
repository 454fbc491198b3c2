// The demo: the seeds' blog (users, posts) in an SQLite file, and a realistic request mix run
// through the instrumented pool — what `querylens demo` shows a new user with no set-up.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "querylens/db/database.h"

namespace querylens::demo {

struct DemoOptions {
  std::string path = "querylens-demo.db";
  int users = 20'000;
  int posts = 200'000;
  uint64_t seed = 42;
  int rounds = 3;  // how many times the request mix runs
};

struct DatasetInfo {
  bool reused = false;  // an existing file with the same parameters was kept
  double build_seconds = 0;
  int64_t users = 0;
  int64_t posts = 0;
};

// Progress: a short phase name and a fraction in [0, 1]. May be empty.
using Progress = std::function<void(std::string_view phase, double fraction)>;

// Creates the database (deterministic for a given seed) or reuses it when its stored
// parameters match; a file built with other parameters, or that is not a demo database,
// is rebuilt only if it is a querylens demo file — anything else is refused with Error(kUsage)
// rather than overwritten.
DatasetInfo ensure_demo_database(const DemoOptions& options, const Progress& progress = {});

// The email address the demo gives user `user_id` (1-based) in a database built with `seed`: a
// pure function of the two, so a load generator — the workload, a test — can log users in by
// email without asking the database first, as a real client would.
std::string demo_user_email(uint64_t seed, int64_t user_id);

struct WorkloadInfo {
  int64_t requests = 0;    // application-level requests (endpoints) run
  int64_t statements = 0;  // SQL statements executed
  double seconds = 0;
};

// Runs the request mix through `db` (opened on the demo file, observers already attached):
// active users, a user's post statistics, popular posts, search, a dashboard that loads each
// user's posts one by one (N+1), deep OFFSET pagination, counting. Every connection is tagged
// with application "querylens-demo" and the endpoint it serves.
WorkloadInfo run_demo_workload(db::Database& db, const DemoOptions& options,
                               const Progress& progress = {});

}  // namespace querylens::demo
