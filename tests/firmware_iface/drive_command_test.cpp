#include "firmware_iface/drive_command.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rcpilot::fw {
namespace {

TEST(DriveCommand, neutral_command_is_neutral) {
  EXPECT_TRUE(neutral_command(3, TimePoint{}).is_neutral());
}

TEST(DriveCommand, clamped_limits_both_channels_to_unit_range) {
  DriveCommand cmd;
  cmd.steering_norm = 1.5f;
  cmd.throttle_norm = -7.0f;
  const auto c = clamped(cmd);
  EXPECT_EQ(c.steering_norm, 1.0f);
  EXPECT_EQ(c.throttle_norm, -1.0f);
}

TEST(DriveCommand, clamped_turns_nan_into_neutral) {
  DriveCommand cmd;
  cmd.steering_norm = std::nanf("");
  cmd.throttle_norm = INFINITY;
  EXPECT_TRUE(clamped(cmd).is_neutral());
}

}  // namespace
}  // namespace rcpilot::fw
