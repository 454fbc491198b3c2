#include "support/test_env.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace querylens::testing {

static std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// The server lock: ctest runs each test as its own process, several at once. Every process
// that uses the server holds the lock shared until it exits; the test that restarts the server
// converts it to exclusive, so no test sees the server vanish under it — also when scripts/test
// is given ctest arguments and runs the restart test beside the rest.
static int server_lock_fd() {
  static const int fd = [] {
    std::string path = env("QUERYLENS_TEST_PG_LOCK");
    if (path.empty())
      path = (std::filesystem::temp_directory_path() / "querylens-pg.lock").string();
    return ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  }();
  return fd;
}

std::string pg_url() {
  std::string url = env("QUERYLENS_TEST_PG_URL");
  if (!url.empty()) {
    static const bool shared = server_lock_fd() >= 0 && flock(server_lock_fd(), LOCK_SH) == 0;
    (void)shared;
  }
  return url;
}

void hold_pg_server_exclusively() {
  if (server_lock_fd() >= 0) flock(server_lock_fd(), LOCK_EX);
}
std::string pg_restart_command() { return env("QUERYLENS_TEST_PG_RESTART"); }

std::string unique_name(const std::string& stem) {
  std::random_device random;
  return stem + "_" + std::to_string(random() % 1'000'000'000);
}

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "querylens-t.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

TempDir::TempDir() : path_(make_temp_dir()) {}
TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace querylens::testing
