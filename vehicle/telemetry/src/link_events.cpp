#include "telemetry/link_events.hpp"

namespace rcpilot::vehicle {

using nlohmann::json;

void LinkEvents::check(const fw::LinkStatus& status, const EventFn& event) {
  const json counts = {{"link_losses", status.link_losses},
                       {"reconnects", status.reconnects},
                       {"send_failures", status.send_failures}};
  if (status.link_losses > losses_) {
    event("motor_link_lost", "motor link lost; the car is held neutral while it reconnects",
          counts);
  }
  if (status.reconnects > reconnects_) {
    event("motor_link_reconnected", "motor link reconnected", counts);
  } else if (status.alive != alive_ && status.link_losses == losses_) {
    event(status.alive ? "motor_link_up" : "warning",
          status.alive ? "motor link up" : "motor link not answering", counts);
  }
  losses_ = status.link_losses;
  reconnects_ = status.reconnects;
  alive_ = status.alive;
}

}  // namespace rcpilot::vehicle
