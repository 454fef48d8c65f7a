// Records into a tub until killed, for recorder_crash_test: prints "recorded N" after the
// recorder reports record N complete, so the test knows what a kill -9 must not lose.
// Usage: recorder_crash_helper <tub folder>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "recorder_support.hpp"
#include "recording/recorder.hpp"

using namespace rcpilot;
using namespace rcpilot::vehicle;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <tub folder>\n", argv[0]);
    return 2;
  }
  config::RecordConfig cfg;  // the defaults a user gets
  LatestSlot<perception::Frame> frames;
  Recorder recorder(cfg, argv[1], frames);
  recorder.start();
  recorder.start_recording();
  std::uint64_t reported = 0;
  for (std::uint64_t seq = 1;; ++seq) {
    const TimePoint t = std::chrono::steady_clock::now();
    frames.publish(testing::frame(seq, t));
    recorder.on_tick(testing::tick(t, DriveMode::kUser, 0.1f, 0.4f, 0.1f, 0.3f));
    if (!recorder.wait_idle(std::chrono::seconds(10))) return 3;
    const RecorderStatus status = recorder.status();
    if (!status.recording) {
      std::fprintf(stderr, "recording stopped: %s\n", status.last_error.c_str());
      return 1;
    }
    if (status.records != reported) {
      reported = status.records;
      // One write(2) per line, unbuffered: the test sees it even if we are killed right after.
      const std::string line = "recorded " + std::to_string(reported) + "\n";
      if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) return 4;
    }
  }
}
