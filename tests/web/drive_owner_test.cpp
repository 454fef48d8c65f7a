#include <gtest/gtest.h>

#include "web/drive_owner.hpp"

namespace rcpilot::web {
namespace {

using std::chrono::milliseconds;

TEST(WebDriveOwner, one_page_holds_the_controls_and_others_are_refused) {
  ManualClock clock;
  DriveOwner owner(milliseconds(3000));
  EXPECT_TRUE(owner.claim(1, "phone", clock.now()));
  EXPECT_FALSE(owner.claim(2, "laptop", clock.now()));
  EXPECT_TRUE(owner.holds(1));
  EXPECT_EQ(owner.holder()->name, "phone");
  EXPECT_TRUE(owner.claim(1, "phone", clock.now())) << "claiming again keeps them";
}

TEST(WebDriveOwner, released_controls_can_be_taken_by_another_page) {
  ManualClock clock;
  DriveOwner owner;
  ASSERT_TRUE(owner.claim(1, "phone", clock.now()));
  EXPECT_FALSE(owner.release(2));
  EXPECT_TRUE(owner.release(1));
  EXPECT_FALSE(owner.holder());
  EXPECT_TRUE(owner.claim(2, "laptop", clock.now()));
}

TEST(WebDriveOwner, a_silent_holder_can_be_taken_over_after_the_stale_time) {
  ManualClock clock;
  DriveOwner owner(milliseconds(3000));
  ASSERT_TRUE(owner.claim(1, "phone", clock.now()));
  clock.advance(milliseconds(2000));
  owner.seen(1, clock.now());
  clock.advance(milliseconds(2999));
  EXPECT_FALSE(owner.claim(2, "laptop", clock.now()));
  clock.advance(milliseconds(1));
  EXPECT_TRUE(owner.claim(2, "laptop", clock.now()));
  EXPECT_FALSE(owner.holds(1));
}

}  // namespace
}  // namespace rcpilot::web
