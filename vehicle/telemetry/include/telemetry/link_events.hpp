#pragma once
// Motor link losses and reconnects as telemetry events, for the operator and the log.
#include <cstdint>

#include "firmware_iface/motor_link.hpp"
#include "telemetry/events.hpp"

namespace rcpilot::vehicle {

// Turns the motor link's loss and reconnect counters into `event`s (checked ~2 times a second
// from the main thread, off the real-time path).
class LinkEvents {
 public:
  void check(const fw::LinkStatus& status, const EventFn& event);

 private:
  std::uint64_t losses_ = 0;
  std::uint64_t reconnects_ = 0;
  bool alive_ = true;
};

}  // namespace rcpilot::vehicle
