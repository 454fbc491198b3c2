#include "support/cli_run.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace querylens::testing {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

CliRun run_cli(const TempDir& dir, const std::string& args, const std::string& stdin_text) {
  std::string in = dir.file("stdin.txt"), out = dir.file("stdout.txt"),
              err = dir.file("stderr.txt");
  spit(in, stdin_text);
  std::string command = "cd '" + dir.path() + "' && '" + QUERYLENS_BINARY_PATH + "' " + args +
                        " <'" + in + "' >'" + out + "' 2>'" + err + "'";
  int status = std::system(command.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace querylens::testing
