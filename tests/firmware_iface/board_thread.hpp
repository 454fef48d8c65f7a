#pragma once
// The reference firmware core on the far end of an in-memory transport, in its own thread,
// on real milliseconds (tests only).
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "firmware_iface/memory_transport.hpp"
#include "rcp_firmware.hpp"

namespace rcpilot::fw::testing {

class BoardThread final : public board::TxSink {
 public:
  BoardThread(std::unique_ptr<MemoryBoardEnd> end, board::FirmwareConfig config = {})
      : end_(std::move(end)), core_(config, *this), start_(std::chrono::steady_clock::now()) {
    thread_ = std::thread([this] { run(); });
  }
  ~BoardThread() override {
    running_ = false;
    end_->interrupt();
    thread_.join();
  }
  void write(const uint8_t* data, size_t size) override {
    if (!mute_) end_->write(data, size);
  }
  // While muted the board still applies commands but never answers.
  void mute(bool m) { mute_ = m; }
  std::uint16_t steering_us() {
    return locked([&] { return core_.steering_us(); });
  }
  std::uint16_t throttle_us() {
    return locked([&] { return core_.throttle_us(); });
  }
  bool armed() {
    return locked([&] { return core_.armed(); });
  }
  std::uint32_t last_seq() {
    return locked([&] { return core_.last_seq(); });
  }
  void set_rc(std::uint16_t s, std::uint16_t t) {
    locked([&] {
      core_.set_rc_pulses(s, t, now_ms());
      return 0;
    });
  }
  MemoryBoardEnd& end() { return *end_; }

 private:
  template <typename F>
  auto locked(F f) -> decltype(f()) {
    std::lock_guard<std::mutex> lock(mutex_);
    return f();
  }
  std::uint32_t now_ms() const {
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - start_)
                                          .count());
  }
  void run() {
    std::uint8_t buf[256];
    while (running_) {
      const IoResult r = end_->read(buf, sizeof(buf), std::chrono::milliseconds(1));
      std::lock_guard<std::mutex> lock(mutex_);
      if (r.status == IoStatus::kOk) core_.feed(buf, r.bytes, now_ms());
      core_.tick(now_ms());
    }
  }

  std::unique_ptr<MemoryBoardEnd> end_;
  board::FirmwareCore core_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<bool> running_{true};
  std::atomic<bool> mute_{false};
  std::mutex mutex_;
  std::thread thread_;
};

// Polls `pred` every ms for up to `timeout` (waiting for another thread, not for time to pass).
template <typename P>
bool eventually(P pred, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

}  // namespace rcpilot::fw::testing
