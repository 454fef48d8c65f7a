#include "control/operator_inputs.hpp"

namespace rcpilot::vehicle {

std::string_view to_string(OperatorSource source) {
  switch (source) {
    case OperatorSource::kControlApi:
      return "control_api";
    case OperatorSource::kGamepad:
      return "gamepad";
    case OperatorSource::kRcReceiver:
      return "rc_receiver";
  }
  return "unknown";
}

void OperatorInputs::submit(OperatorSource source, const OperatorInput& input) {
  slots_[static_cast<std::size_t>(source)].publish(input);
}

bool OperatorInputs::current(TimePoint now, double timeout_ms, OperatorInput& out,
                             OperatorSource& source) const {
  for (std::size_t i = 0; i < kOperatorSources; ++i) {
    OperatorInput in;
    if (slots_[i].peek(in) == 0 || !in.valid) continue;
    if (elapsed_ms(in.received_at, now) > timeout_ms) continue;  // dead-man: stopped arriving
    out = in;
    source = static_cast<OperatorSource>(i);
    return true;
  }
  return false;
}

OperatorInput OperatorInputs::current(TimePoint now, double timeout_ms) const {
  OperatorInput out;
  OperatorSource source{};
  if (!current(now, timeout_ms, out, source)) return OperatorInput{};
  return out;
}

}  // namespace rcpilot::vehicle
