#include "support/test_env.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace querylens::testing {

static std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string pg_url() { return env("QUERYLENS_TEST_PG_URL"); }
std::string pg_restart_command() { return env("QUERYLENS_TEST_PG_RESTART"); }

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
