#include "firmware_iface/mm1_link.hpp"

#include <gtest/gtest.h>

#include <random>

#include "board_thread.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

std::string read_text(BoardEnd& t, std::chrono::milliseconds timeout = 200ms) {
  std::uint8_t buf[512];
  const IoResult r = t.read(buf, sizeof(buf), timeout);
  return std::string(reinterpret_cast<char*>(buf), r.bytes);
}

void write_text(BoardEnd& t, const std::string& s) {
  t.write(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

TEST(Mm1Format, neutral_is_1500_comma_space_1500_carriage_return) {
  EXPECT_EQ(format_mm1_command(1500, 1500), "1500, 1500\r");
  EXPECT_EQ(format_mm1_command(900, 2600), "1000, 2000\r");
}

TEST(Mm1Parse, accepts_reports_and_rejects_anything_else) {
  EXPECT_EQ(parse_mm1_line("1510, 1490"), std::make_pair(1510, 1490));
  EXPECT_FALSE(parse_mm1_line("151, 1490"));
  EXPECT_FALSE(parse_mm1_line("1510,1490"));
  EXPECT_FALSE(parse_mm1_line("15x0, 1490"));
  EXPECT_FALSE(parse_mm1_line("9999, 1490"));
  EXPECT_FALSE(parse_mm1_line(""));
}

class Mm1LinkTest : public ::testing::Test {
 protected:
  Mm1LinkTest() {
    auto [host, board] = make_memory_pair();
    board_ = std::move(board);
    link_ = std::make_unique<Mm1Link>(std::move(host), clock_, Mm1LinkConfig{});
  }
  // The board's RC report, as it prints one every ~25 ms.
  void report(const std::string& line = "1500, 1500\r\n") { write_text(*board_, line); }
  // Everything the host wrote until `pred` matches the accumulated text (or 2 s).
  std::string host_output_until(const std::function<bool(const std::string&)>& pred) {
    std::string all;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!pred(all) && std::chrono::steady_clock::now() < deadline) {
      report();
      all += read_text(*board_, 25ms);
    }
    return all;
  }
  SteadyClock clock_;
  std::unique_ptr<MemoryBoardEnd> board_;
  std::unique_ptr<Mm1Link> link_;
};

TEST_F(Mm1LinkTest, sends_nothing_and_refuses_setpoints_until_the_board_reports) {
  EXPECT_EQ(read_text(*board_, 50ms), "");
  EXPECT_FALSE(link_->send(DriveCommand{}));
  report();
  EXPECT_TRUE(link_->wait_alive(1s));
}

TEST_F(Mm1LinkTest, setpoints_go_out_as_four_digit_text_with_donkey_steering_inversion) {
  report();
  ASSERT_TRUE(link_->wait_alive(1s));
  DriveCommand cmd;
  cmd.steering_norm = 1.0f;  // right -> 1000 us on the MM1
  cmd.throttle_norm = 0.5f;
  ASSERT_TRUE(link_->send(cmd));
  const std::string out = host_output_until(
      [](const std::string& s) { return s.find("1000, 1750\r") != std::string::npos; });
  EXPECT_NE(out.find("1000, 1750\r"), std::string::npos);
}

TEST_F(Mm1LinkTest, rc_reports_become_operator_input_and_garbage_is_counted) {
  report("garbage\r\n17");
  report("00, 1250\r\n");  // "1700, 1250" split across writes
  ASSERT_TRUE(eventually([&] { return link_->status().rc.valid; }));
  const LinkStatus s = link_->status();
  EXPECT_EQ(s.rc.steering_us, 1700);
  EXPECT_FLOAT_EQ(s.rc.steering_norm, -0.4f);  // inverted steering
  EXPECT_FLOAT_EQ(s.rc.throttle_norm, -0.5f);
  EXPECT_EQ(s.rx_errors, 1u);
}

TEST_F(Mm1LinkTest, resynchronises_after_random_noise_between_reports) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20; ++i) {
    std::string noise;
    for (int k = 0; k < 10; ++k) noise.push_back(static_cast<char>(byte(rng)));
    report(noise + "\n" + "1600, 1400\r\n");
  }
  ASSERT_TRUE(eventually([&] { return link_->status().rc.steering_us == 1600; }));
  EXPECT_EQ(link_->status().rc.throttle_us, 1400);
}

TEST_F(Mm1LinkTest, stop_writes_neutral_last) {
  report();
  ASSERT_TRUE(link_->wait_alive(1s));
  DriveCommand cmd;
  cmd.throttle_norm = 1.0f;
  link_->send(cmd);
  host_output_until(
      [](const std::string& s) { return s.find("1500, 2000\r") != std::string::npos; });
  link_->stop();
  std::string tail = read_text(*board_, 100ms);
  ASSERT_GE(tail.size(), 11u);
  EXPECT_EQ(tail.substr(tail.size() - 11), "1500, 1500\r");
}

TEST_F(Mm1LinkTest, a_board_that_stops_reporting_is_a_dead_link) {
  report();
  ASSERT_TRUE(link_->wait_alive(1s));
  EXPECT_TRUE(eventually([&] { return !link_->status().alive; }, 1s));
  EXPECT_EQ(link_->status().link_losses, 1u);
  EXPECT_FALSE(link_->send(DriveCommand{}));
}

}  // namespace
}  // namespace rcpilot::fw
