#pragma once
// Fakes and helpers shared by the perception tests.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <string>

#include <opencv2/core.hpp>

#include "perception/camera_source.hpp"
#include "perception/inference_engine.hpp"
#include "perception/model_metadata.hpp"

namespace rcpilot::perception::testing {

// The message of the ModelError `fn` throws; "" when it throws none.
inline std::string model_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

inline std::string model_path(const std::string& name) {
  return std::string(RCPILOT_TEST_MODELS_DIR) + "/" + name;
}

// A fresh empty directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("rcpilot_perception_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str(const std::string& child = "") const { return (path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

// A camera fed by the test: read() blocks until push() or fail() supplies the next result.
// Like a V4L2 driver it writes into the caller's buffer in place when the size fits.
// `on_read` runs inside read() just before it returns (tests use it to move a ManualClock).
class ScriptedCamera : public CameraSource {
 public:
  void push(const cv::Mat& image) { enqueue(image); }
  void fail() { enqueue(cv::Mat()); }  // the next read() returns false
  // sticky = false: interrupt() only wakes a read() already waiting (the harder case for stop).
  explicit ScriptedCamera(bool sticky_interrupt = true) : sticky_(sticky_interrupt) {}

  bool read(cv::Mat& bgr) override {
    std::unique_lock<std::mutex> lock(mutex_);
    waiting_ = true;
    cv_.wait(lock, [&] { return interrupted_ || !queue_.empty(); });
    waiting_ = false;
    if (interrupted_) {
      if (!sticky_) interrupted_ = false;
      return false;
    }
    const cv::Mat next = queue_.front();
    queue_.pop_front();
    if (on_read) on_read();
    if (next.empty()) return false;
    next.copyTo(bgr);  // reuses bgr's buffer when size and type match
    return true;
  }
  void interrupt() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (sticky_ || waiting_) interrupted_ = true;
    cv_.notify_all();
  }
  std::string describe() const override { return "scripted test camera"; }
  // Counts calls; throws CameraError(error) while set_reopen_error() holds a non-empty one;
  // clears interrupt() when it succeeds.
  void reopen() override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++reopens_;
    if (!reopen_error_.empty()) throw CameraError(reopen_error_);
    interrupted_ = false;
  }
  bool at_end() const override { return at_end_; }
  TimePoint captured_at() const override { return TimePoint(Duration(stamp_.load())); }
  std::string last_error() const override { return "scripted failure"; }
  // What captured_at() reports from now on (TimePoint{}: "the source cannot tell").
  void set_capture_time(TimePoint t) { stamp_.store(t.time_since_epoch().count()); }

  void set_reopen_error(const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    reopen_error_ = error;
  }
  int reopens() {
    std::lock_guard<std::mutex> lock(mutex_);
    return reopens_;
  }
  // The next failed read is the end of a finite recording.
  void end() {
    at_end_ = true;
    fail();
  }

  std::function<void()> on_read;

 private:
  void enqueue(const cv::Mat& image) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(image);
    cv_.notify_all();
  }

  bool sticky_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<cv::Mat> queue_;
  bool interrupted_ = false;
  bool waiting_ = false;
  int reopens_ = 0;
  std::string reopen_error_;
  std::atomic<bool> at_end_{false};
  std::atomic<Duration::rep> stamp_{0};
};

// Metadata of a small two-output model (12x16 input; outputs `angle` and `throttle`).
inline ModelMetadata two_output_metadata() {
  ModelMetadata m;
  m.input.name = "input";
  m.input.shape = {1, 3, 12, 16};
  m.outputs.steering = "angle";
  m.outputs.throttle = "throttle";
  return m;
}

// An engine returning fixed values; can throw, and can run a hook (e.g. advance a clock).
class FakeEngine : public InferenceEngine {
 public:
  explicit FakeEngine(std::vector<std::string> names, std::vector<std::vector<float>> values)
      : names_(std::move(names)), values_(std::move(values)) {}

  void run(const cv::Mat& input, std::vector<cv::Mat>& outputs) override {
    last_input = input;
    ++runs;
    if (on_run) on_run();
    if (!throw_message.empty()) throw std::runtime_error(throw_message);
    outputs.resize(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
      outputs[i] = cv::Mat(1, static_cast<int>(values_[i].size()), CV_32F, values_[i].data());
    }
  }
  std::vector<std::string> output_names() const override { return names_; }
  std::string describe() const override { return "fake engine"; }

  void set_values(std::vector<std::vector<float>> values) { values_ = std::move(values); }

  std::string throw_message;  // non-empty: run() throws this
  std::function<void()> on_run;
  cv::Mat last_input;
  int runs = 0;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<float>> values_;
};

}  // namespace rcpilot::perception::testing
