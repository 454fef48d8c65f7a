// The MM1 link against a board that behaves like Donkey's code.py: one line taken per 25 ms
// pass of its loop. Over a real pty (LibSerial on the slave), on a stepped clock: the link acts
// on each step before the test looks, so the run is the same however busy the machine is.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <optional>

#include "firmware_iface/fd_transport.hpp"
#include "firmware_iface/mm1_link.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;

// The board's side of the pty, stepped by the test.
class SteppedMm1Board {
 public:
  const std::string& path() const { return pty_.slave_path(); }
  // Reads until `lines_written` lines have arrived in all (bounded: 1 s).
  bool collect(std::uint64_t lines_written) {
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (arrived_ < lines_written && std::chrono::steady_clock::now() < deadline) {
      std::uint8_t buf[256];
      const IoResult r = pty_.read(buf, sizeof(buf), 10ms);
      for (std::size_t i = 0; i < r.bytes; ++i) {
        partial_.push_back(static_cast<char>(buf[i]));
        if (buf[i] != '\r') continue;
        queue_.push_back(partial_);
        partial_.clear();
        ++arrived_;
      }
    }
    return arrived_ >= lines_written;
  }
  // Lines in the board's receive buffer, not taken yet.
  std::size_t waiting() const { return queue_.size(); }
  const std::string& newest() const { return queue_.back(); }
  // One pass of the board's loop: takes the oldest waiting line, if any.
  std::optional<std::string> pass() {
    if (queue_.empty()) return std::nullopt;
    std::string line = queue_.front();
    queue_.pop_front();
    return line;
  }

 private:
  PtyMaster pty_;
  std::string partial_;
  std::deque<std::string> queue_;
  std::uint64_t arrived_ = 0;
};

class Mm1FlowTest : public ::testing::Test {
 protected:
  Mm1FlowTest() {
    Mm1LinkConfig cfg;
    cfg.require_reports = false;  // the stepped board stays silent; alive while writes succeed
    link_ = std::make_unique<Mm1Link>(std::make_unique<SerialTransport>(board_.path(), 115200),
                                      clock_, cfg);
  }
  // Moves time `ms` on, lets the link act at the new time, and collects what it wrote.
  // With `ms` 0 it only lets the link catch up with the present (start-up traffic).
  void step(long ms = 5) {
    clock_.advance(std::chrono::milliseconds(ms));
    t_ms_ += ms;
    const auto deadline = std::chrono::steady_clock::now() + 1s;  // hang guard only
    while (link_->serviced_until() < clock_.now() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_GE(link_->serviced_until(), clock_.now());
    ASSERT_TRUE(board_.collect(link_->status().commands_sent));
  }
  // Drives for `duration_ms` of stepped time with a new setpoint every 20 ms (the 50 Hz
  // loop) while the board takes one line per `pass_ms`; returns the most lines ever waiting at
  // a pass. Checks every line is the newest setpoint at the time it went out.
  std::size_t drive(long duration_ms, long pass_ms) {
    step(0);
    std::size_t most_waiting = 0;
    std::string expected;
    std::uint64_t lines_before = link_->status().commands_sent;
    const long end = t_ms_ + duration_ms;
    while (t_ms_ < end) {
      if (t_ms_ % 20 == 0) {
        const int k = static_cast<int>((t_ms_ / 20) % 9);
        EXPECT_TRUE(link_->send(steer(static_cast<float>(k) / 10.0f)));
        expected = format_mm1_command(1500 - k * 50, 1600);
      }
      step();
      if (::testing::Test::HasFatalFailure()) return most_waiting;
      const std::uint64_t lines = link_->status().commands_sent;
      if (lines != lines_before) {
        EXPECT_EQ(board_.newest(), expected) << "at " << t_ms_ << " ms";
      }
      lines_before = lines;
      if (t_ms_ % pass_ms == 0) {
        most_waiting = std::max(most_waiting, board_.waiting());
        board_.pass();
      }
    }
    return most_waiting;
  }

  static DriveCommand steer(float s) {
    DriveCommand c;
    c.steering_norm = s;
    c.throttle_norm = 0.2f;
    return c;
  }

  ManualClock clock_{TimePoint{} + 1s};
  SteppedMm1Board board_;
  std::unique_ptr<Mm1Link> link_;
  long t_ms_ = 0;  // stepped time since the start, ms
};

TEST_F(Mm1FlowTest, a_board_taking_one_line_per_pass_never_has_two_waiting_over_30_s) {
  ASSERT_TRUE(link_->wait_alive(2s));
  const std::uint64_t before = link_->status().commands_sent;
  EXPECT_LE(drive(30000, kMm1BoardPassMs), 1u);
  // motor.mm1_rate_hz 20 over 30 s of stepped time (a count of logic, not of wall time).
  EXPECT_LE(link_->status().commands_sent - before, 30u * 20u + 1u);
}

TEST_F(Mm1FlowTest, a_board_slower_than_25_ms_a_pass_still_never_has_two_waiting) {
  // The pass is "about" 25 ms; a 40 Hz host (rcpilot before) outran a 30 ms one without end.
  ASSERT_TRUE(link_->wait_alive(2s));
  EXPECT_LE(drive(10000, 30), 1u);
}

TEST_F(Mm1FlowTest, the_stop_neutral_is_alone_in_the_buffer_and_taken_at_the_next_pass) {
  ASSERT_TRUE(link_->wait_alive(2s));
  for (int i = 0; i < 40; ++i) {  // 200 ms of driving
    if (t_ms_ % 20 == 0) {
      ASSERT_TRUE(link_->send(steer(0.5f)));
    }
    ASSERT_NO_FATAL_FAILURE(step());
    if (t_ms_ % 25 == 0) board_.pass();
  }
  ASSERT_TRUE(link_->send(DriveCommand{}));  // the supervisor's stop
  const long stop_at = t_ms_;
  const std::string neutral = format_mm1_command(1500, 1500);
  long taken_at = -1;
  while (taken_at < 0 && t_ms_ < stop_at + 200) {
    ASSERT_NO_FATAL_FAILURE(step());
    if (t_ms_ % 25 != 0) continue;
    const bool neutral_waiting = board_.waiting() > 0 && board_.newest() == neutral;
    if (neutral_waiting) {
      EXPECT_EQ(board_.waiting(), 1u) << "a line queued before the neutral";
    }
    if (board_.pass() == neutral) taken_at = t_ms_;
  }
  ASSERT_GE(taken_at, 0) << "the neutral never arrived";
  // One pass for the line already on its way, one for the neutral: never a backlog.
  EXPECT_LE(taken_at - stop_at, 2 * kMm1BoardPassMs);
}

}  // namespace
}  // namespace rcpilot::fw
