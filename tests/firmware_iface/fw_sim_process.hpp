#pragma once
// Runs rcpilot-fw-sim as a child process and collects its stdout lines (tests only).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rcpilot::fw::testing {

class FwSimProcess {
 public:
  explicit FwSimProcess(std::vector<std::string> args = {}) {
    int out[2];
    if (pipe(out) != 0) return;
    std::vector<std::string> argv_s = {RCPILOT_BINARY_DIR "/bin/rcpilot-fw-sim",
                                       "--trace"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    file_ = fdopen(out[0], "r");
    reader_ = std::thread([this] { read_lines(); });
  }

  ~FwSimProcess() {
    kill_with(SIGTERM);
    if (reader_.joinable()) reader_.join();
    if (file_) fclose(file_);
  }

  void kill_with(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // The slave path the simulator printed first ("" if it never did within 5 s).
  std::string slave_path() { return wait_line([](const std::string&) { return true; }); }

  // Waits up to `timeout` for a line (after the first) that satisfies `pred`; returns it or "".
  std::string wait_line(const std::function<bool(const std::string&)>& pred,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5),
                        std::size_t from = 0) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::string found;
    cv_.wait_for(lock, timeout, [&] {
      for (std::size_t i = from; i < lines_.size(); ++i) {
        if (pred(lines_[i])) {
          found = lines_[i];
          return true;
        }
      }
      return false;
    });
    return found;
  }

  std::size_t line_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_.size();
  }

 private:
  void read_lines() {
    if (!file_) return;
    char buf[512];
    while (fgets(buf, sizeof(buf), file_)) {
      std::string line(buf);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        lines_.push_back(line);
      }
      cv_.notify_all();
    }
  }

  pid_t pid_ = -1;
  FILE* file_ = nullptr;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

// The integer after `key=` in a trace line, or -1.
inline long field(const std::string& line, const std::string& key) {
  const auto at = line.find(key + "=");
  if (at == std::string::npos) return -1;
  return std::stol(line.substr(at + key.size() + 1));
}

}  // namespace rcpilot::fw::testing
