#include "common/worker.hpp"

#include <algorithm>

namespace rcpilot {

void Worker::start(std::function<void()> body) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
  }
  thread_ = std::thread(std::move(body));
}

void Worker::stop(const std::function<void()>& on_stop) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (on_stop) on_stop();
  thread_.join();
}

bool Worker::stopping() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stop_;
}

bool Worker::wait_for(std::chrono::nanoseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stop_; });
}

std::chrono::milliseconds Backoff::next() {
  const std::chrono::milliseconds now = next_;
  next_ = std::min(next_ * 2, max_);
  return now;
}

}  // namespace rcpilot
