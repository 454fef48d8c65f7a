#pragma once
// Frames, ticks and a temp folder for the recorder tests and their crash helper.
#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "perception/types.hpp"
#include "control/types.hpp"

namespace rcpilot::vehicle::testing {

inline TimePoint at_ms(int ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// A frame whose pixels say which one it is (blue = sequence % 256).
inline perception::Frame frame(std::uint64_t sequence, TimePoint captured_at, int rows = 24,
                               int cols = 32) {
  perception::Frame f;
  f.bgr = cv::Mat(rows, cols, CV_8UC3, cv::Scalar(static_cast<double>(sequence % 256), 80, 160));
  f.sequence = sequence;
  f.captured_at = captured_at;
  return f;
}

// A frame of random pixels (JPEG cannot shrink it much): fills a small disk quickly.
inline perception::Frame noise_frame(std::uint64_t sequence, TimePoint captured_at) {
  perception::Frame f = frame(sequence, captured_at, 64, 64);
  cv::randu(f.bgr, cv::Scalar::all(0), cv::Scalar::all(255));
  return f;
}

// A tick at `now`: the operator commands (op_steer, op_throttle), the loop sent (sent_steer,
// sent_throttle).
inline TickState tick(TimePoint now, DriveMode mode, float op_steer, float op_throttle,
                      float sent_steer, float sent_throttle) {
  TickState st;
  st.now = now;
  st.mode = mode;
  st.operator_input.steering_norm = op_steer;
  st.operator_input.throttle_norm = op_throttle;
  st.operator_input.received_at = now;
  st.operator_input.valid = true;
  st.command.steering_norm = sent_steer;
  st.command.throttle_norm = sent_throttle;
  st.command.issued_at = now;
  return st;
}

// A fresh empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("rcpilot_recorder_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str(const std::string& child = "") const { return (path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

// Collects the recorder's events (called from its thread).
class Events {
 public:
  void add(const std::string& kind, const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.emplace_back(kind, text);
  }
  std::vector<std::pair<std::string, std::string>> of_kind(const std::string& kind) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& e : events_) {
      if (e.first == kind) out.push_back(e);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> events_;
};

}  // namespace rcpilot::vehicle::testing
