// Running the real `querylens` binary from a test: exit code, stdout, stderr.
#pragma once

#include <string>

#include "support/test_env.h"

namespace querylens::testing {

struct CliRun {
  int code = -1;  // exit code; -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs `querylens ARGS` (ARGS already shell-quoted where needed) in `dir`, with `stdin_text`
// on its standard input.
CliRun run_cli(const TempDir& dir, const std::string& args, const std::string& stdin_text = "");

std::string slurp(const std::string& path);
void spit(const std::string& path, const std::string& text);

}  // namespace querylens::testing
