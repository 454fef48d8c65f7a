#pragma once
// The human side of the car: the newest input of each operator interface (control API manual
// drive, gamepad, RC receiver), with a dead-man expiry. Interfaces submit from their own
// threads; the control loop picks one each tick without waiting on them.
#include <array>
#include <cstddef>
#include <string_view>

#include "common/latest_slot.hpp"
#include "control/types.hpp"

namespace rcpilot::vehicle {

// In order of precedence: a live manual drive over the control API wins over a gamepad, which
// wins over the RC receiver.
enum class OperatorSource : unsigned char { kControlApi, kGamepad, kRcReceiver };
constexpr std::size_t kOperatorSources = 3;

std::string_view to_string(OperatorSource source);

class OperatorInputs {
 public:
  // Stores `input` as the newest of `source`. Any thread; never blocks for longer than a copy.
  void submit(OperatorSource source, const OperatorInput& input);
  // The input to use at `now`: the first source in precedence order whose newest input is
  // valid and younger than `timeout_ms` (dead-man); invalid when there is none.
  OperatorInput current(TimePoint now, double timeout_ms) const;
  // Like current(), and which source it came from (false when none is live).
  bool current(TimePoint now, double timeout_ms, OperatorInput& out, OperatorSource& source) const;

 private:
  std::array<LatestSlot<OperatorInput>, kOperatorSources> slots_;
};

}  // namespace rcpilot::vehicle
