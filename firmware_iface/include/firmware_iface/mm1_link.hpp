#pragma once
// MotorLink for the Robo HAT MM1 (Donkey Car's board), REFERENCE.md section 2, running
// Donkey's contrib/robohat/code.py: host -> board "SSSS, TTTT\r" (4-digit microseconds,
// 1000..2000); board -> host "SSSS, TTTT\r\n" every ~25 ms with the RC receiver's pulses.
// The script takes one line per ~25 ms pass of its loop into a 64-byte buffer that overwrites
// its oldest bytes, so the link sends at most rate_hz lines a second, always the newest
// setpoint, and a change to neutral one pass after the last line: never two lines waiting.
// The board's own failsafe is weak (it holds the last command for 10 s), so the host watchdog
// and neutral-on-loss of StreamLink are what stop the car.
#include <memory>
#include <optional>
#include <string>

#include "firmware_iface/calibration.hpp"
#include "firmware_iface/stream_link.hpp"

namespace rcpilot::fw {

// One pass of code.py's main loop: the board reads at most one line this often.
constexpr int kMm1BoardPassMs = 25;
// The pulses the board can output (4-digit microseconds).
constexpr int kMm1MinPulseUs = 1000;
constexpr int kMm1MaxPulseUs = 2000;

struct Mm1LinkConfig {
  // Donkey's defaults: steering +1 (right) -> 1000 us, so steering is inverted.
  PulseChannel steering{1000, 1500, 2000, true};
  PulseChannel throttle{1000, 1500, 2000, false};
  // When true (default) the link is alive only while RC reports arrive; when false the board
  // is assumed silent and the link is alive while writes succeed.
  bool require_reports = true;
  LinkTiming timing = timing_for_rate(20);

  // The link's timing for `rate_hz` lines a second (1..40): setpoints at most that often,
  // repeated that often when nothing new comes, a change to neutral after one board pass.
  static LinkTiming timing_for_rate(int rate_hz, LinkTiming base = {});
};

// One "SSSS, TTTT" report parsed; nullopt for anything else (both values 4 digits 0500..2500).
std::optional<std::pair<int, int>> parse_mm1_line(const std::string& line);
// The message for a pair of pulses, each clamped to 1000..2000 us: "1500, 1500\r".
// mm1_pulse() is the clamp: what the board is actually sent.
int mm1_pulse(int pulse_us);
std::string format_mm1_command(int steering_us, int throttle_us);

class Mm1Link final : public StreamLink {
 public:
  Mm1Link(std::unique_ptr<ByteTransport> transport, const Clock& clock, Mm1LinkConfig config);
  ~Mm1Link() override;
  std::string describe() const override { return "Robo HAT MM1 text protocol"; }

 private:
  void on_connect(TimePoint now) override;
  void on_handshake_retry(TimePoint) override {}
  void on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) override;
  SentSetpoint write_setpoint(const DriveCommand& cmd, TimePoint now) override;
  std::optional<SentSetpoint> write_idle(const DriveCommand& last, TimePoint now) override {
    return write_setpoint(last, now);
  }
  Duration final_neutral_delay(TimePoint now) const override;
  void handle_line(TimePoint now);

  Mm1LinkConfig config_;
  std::string line_;  // I/O thread only
  bool overlong_ = false;
};

}  // namespace rcpilot::fw
