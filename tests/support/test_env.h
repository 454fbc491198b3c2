// What the test harness (scripts/test) tells the tests about their environment.
#pragma once

#include <string>

namespace querylens::testing {

// The throwaway PostgreSQL's URL from QUERYLENS_TEST_PG_URL, or "" when there is none.
// Under scripts/test (QUERYLENS_REQUIRE_PG=1) a missing server fails the test instead.
// The first call takes the server lock (QUERYLENS_TEST_PG_LOCK) shared for the process's life.
std::string pg_url();
// Waits until this process is the only one using the server (before restarting it).
void hold_pg_server_exclusively();
// The shell command that restarts that server (QUERYLENS_TEST_PG_RESTART), or "".
std::string pg_restart_command();
// `stem` and a random number: a schema, table or database name no other test process running
// on the same server picks.
std::string unique_name(const std::string& stem);
// A fresh temporary directory, removed by the caller (TempDir below does it).
std::string make_temp_dir();

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace querylens::testing

// Skips the test when no PostgreSQL is available (outside scripts/test); fails it under
// scripts/test. Use at the top of every integration test.
#define QUERYLENS_REQUIRE_PG_URL(var)                                                 \
  const std::string var = ::querylens::testing::pg_url();                             \
  if (var.empty()) {                                                                  \
    if (std::getenv("QUERYLENS_REQUIRE_PG")) FAIL() << "QUERYLENS_TEST_PG_URL unset"; \
    GTEST_SKIP() << "no test PostgreSQL (run scripts/test)";                          \
  }
