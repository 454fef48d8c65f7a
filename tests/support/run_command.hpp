#pragma once
// Runs a shell command for the tests that drive the real programs, with stderr folded into the
// output. The command ends by itself (the programs under test are bounded); nothing is waited
// for beyond it.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace rcpilot::test {

struct CommandResult {
  int rc = -1;      // exit status; -1 when it could not run or died of a signal
  std::string out;  // stdout and stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) r.out += buf.data();
  const int status = pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace rcpilot::test
