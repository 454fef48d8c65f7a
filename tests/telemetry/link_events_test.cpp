#include "telemetry/link_events.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rcpilot::vehicle {
namespace {

TEST(LinkEvents, a_loss_and_a_reconnect_each_give_one_event) {
  std::vector<std::string> kinds;
  const EventFn record = [&kinds](const std::string& kind, const std::string&,
                                  const nlohmann::json&) { kinds.push_back(kind); };
  LinkEvents events;
  fw::LinkStatus s;
  s.alive = true;
  events.check(s, record);
  EXPECT_TRUE(kinds.empty());
  s.alive = false;
  s.link_losses = 1;
  events.check(s, record);
  events.check(s, record);
  s.alive = true;
  s.reconnects = 1;
  events.check(s, record);
  EXPECT_EQ(kinds, (std::vector<std::string>{"motor_link_lost", "motor_link_reconnected"}));
}

TEST(LinkEvents, a_board_that_stops_answering_without_a_loss_is_a_warning) {
  std::vector<std::string> kinds;
  const EventFn record = [&kinds](const std::string& kind, const std::string&,
                                  const nlohmann::json&) { kinds.push_back(kind); };
  LinkEvents events;
  fw::LinkStatus s;
  s.alive = false;
  events.check(s, record);
  s.alive = true;
  events.check(s, record);
  EXPECT_EQ(kinds, (std::vector<std::string>{"warning", "motor_link_up"}));
}

}  // namespace
}  // namespace rcpilot::vehicle
