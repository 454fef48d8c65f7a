#pragma once
// Runs a real executable for integration tests: arguments, captured output, signals, timeout.
#include <string>
#include <vector>

#include <sys/types.h>

namespace rcpilot::testing {

class Process {
 public:
  // Starts `exe` with `args`; stdout and stderr go to files read by output().
  Process(const std::string& exe, const std::vector<std::string>& args);
  ~Process();  // kills the process if still running

  void signal(int sig);
  // Waits up to `timeout_s`; returns the exit code, or -1 on timeout (the process is killed),
  // or 128 + signal if it died from a signal.
  int wait(double timeout_s);
  std::string output() const;  // stdout + stderr so far
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  bool reaped_ = false;
};

// Runs to completion (timeout_s) and returns {exit code, output}.
std::pair<int, std::string> run(const std::string& exe, const std::vector<std::string>& args,
                                double timeout_s = 120);

// A fresh empty directory under the test temp dir.
std::string temp_dir(const std::string& name);
void write_file(const std::string& path, const std::string& text);

}  // namespace rcpilot::testing
