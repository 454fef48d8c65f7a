#include "sim/sim_board.hpp"

#include <algorithm>

namespace rcpilot::sim {

SimBoard::SimBoard(SimWorld& world, const Clock& clock, const board::FirmwareConfig& firmware,
                   bool threaded)
    : world_(world),
      clock_(clock),
      firmware_config_(firmware),
      start_(clock.now()),
      core_(firmware_config_, *this) {
  if (!threaded) return;
  running_ = true;
  thread_ = std::thread([this] {
    while (running_.load()) pump(std::chrono::milliseconds(1));
  });
}

SimBoard::~SimBoard() { stop(); }

void SimBoard::stop() {
  if (!running_.exchange(false)) return;
  pty_.interrupt();
  if (thread_.joinable()) thread_.join();
}

std::uint32_t SimBoard::now_ms() const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - start_);
  return static_cast<std::uint32_t>(ms.count());
}

double SimBoard::to_norm(std::uint16_t us, const board::ChannelLimits& ch) const {
  const int d = static_cast<int>(us) - ch.neutral_us;
  const int span = d >= 0 ? ch.max_us - ch.neutral_us : ch.neutral_us - ch.min_us;
  return span > 0 ? std::clamp(static_cast<double>(d) / span, -1.0, 1.0) : 0.0;
}

void SimBoard::pump(std::chrono::milliseconds timeout) {
  std::uint8_t buf[256];
  const fw::IoResult r = pty_.read(buf, sizeof(buf), timeout);
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint32_t t = now_ms();
  if (r.status == fw::IoStatus::kOk) core_.feed(buf, r.bytes, t);
  core_.tick(t);
  if (core_.steering_us() == applied_steering_us_ && core_.throttle_us() == applied_throttle_us_) {
    return;
  }
  applied_steering_us_ = core_.steering_us();
  applied_throttle_us_ = core_.throttle_us();
  world_.set_command(to_norm(applied_steering_us_, firmware_config_.steering),
                     to_norm(applied_throttle_us_, firmware_config_.throttle), clock_.now());
}

std::uint16_t SimBoard::steering_us() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return core_.steering_us();
}

std::uint16_t SimBoard::throttle_us() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return core_.throttle_us();
}

bool SimBoard::armed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return core_.armed();
}

std::uint32_t SimBoard::last_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return core_.last_seq();
}

}  // namespace rcpilot::sim
