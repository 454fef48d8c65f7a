#pragma once
// MotorLink for the Robo HAT MM1 (Donkey Car's board), REFERENCE.md section 2:
// host -> board "SSSS, TTTT\r" (4-digit microseconds), at most one message per 25 ms;
// board -> host "SSSS, TTTT\r\n" every ~25 ms with the RC receiver's pulses.
// The board's own failsafe is weak (it holds the last command for 10 s), so the host watchdog
// and neutral-on-loss of StreamLink are what stop the car.
#include <memory>
#include <optional>
#include <string>

#include "firmware_iface/calibration.hpp"
#include "firmware_iface/stream_link.hpp"

namespace rcpilot::fw {

struct Mm1LinkConfig {
  // Donkey's defaults: steering +1 (right) -> 1000 us, so steering is inverted.
  PulseChannel steering{1000, 1500, 2000, true};
  PulseChannel throttle{1000, 1500, 2000, false};
  // When true (default) the link is alive only while RC reports arrive; when false the board
  // is assumed silent and the link is alive while writes succeed.
  bool require_reports = true;
  LinkTiming timing = default_timing();

  static LinkTiming default_timing() {
    LinkTiming t;
    t.min_interval_ms = 25;  // the board handles one message per 25 ms pass (40 Hz)
    t.period_ms = 25;        // repeat the setpoint even when the loop sends nothing new
    t.alive_timeout_ms = 250;
    return t;
  }
};

// One "SSSS, TTTT" report parsed; nullopt for anything else (both values 4 digits 0500..2500).
std::optional<std::pair<int, int>> parse_mm1_line(const std::string& line);
// The message for a pair of pulses, each clamped to 1000..2000 us: "1500, 1500\r".
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
  void write_setpoint(const DriveCommand& cmd, TimePoint now) override;
  void write_idle(const DriveCommand& last, TimePoint now) override { write_setpoint(last, now); }
  void write_shutdown() override;
  void handle_line(TimePoint now);

  Mm1LinkConfig config_;
  std::string line_;          // I/O thread only
  bool overlong_ = false;
};

}  // namespace rcpilot::fw
