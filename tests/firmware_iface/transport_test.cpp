#include <gtest/gtest.h>

#include <poll.h>

#include <boost/asio/error.hpp>
#include <cerrno>
#include <thread>

#include "firmware_iface/fd_transport.hpp"
#include "firmware_iface/memory_transport.hpp"
#include "fw_sim_process.hpp"
#include "rcp_protocol.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

// The board's side: BoardEnd's own polling read.
Bytes read_some(BoardEnd& t, std::chrono::milliseconds timeout = 1000ms) {
  std::uint8_t buf[256];
  const IoResult r = t.read(buf, sizeof(buf), timeout);
  return Bytes(buf, buf + r.bytes);
}

// The host's side, as the link's loop uses it: wait for the descriptor, then read_some().
Bytes read_some(ByteTransport& t, std::chrono::milliseconds timeout = 1000ms) {
  pollfd p{t.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
  std::uint8_t buf[256];
  boost::system::error_code ec;
  const std::size_t n = t.read_some(buf, sizeof(buf), ec);
  return Bytes(buf, buf + n);
}

boost::system::error_code write_all(ByteTransport& t, const std::uint8_t* data, std::size_t n) {
  std::size_t done = 0;
  boost::system::error_code ec;
  while (done < n && !ec) done += t.write_some(data + done, n - done, ec);
  return ec;
}

TEST(MemoryTransport, bytes_written_on_one_end_are_read_on_the_other) {
  auto [host, board] = make_memory_pair();
  const std::uint8_t msg[] = {1, 2, 3};
  EXPECT_FALSE(write_all(*host, msg, 3));
  EXPECT_EQ(read_some(*board), (Bytes{1, 2, 3}));
  EXPECT_EQ(board->write(msg, 2).status, IoStatus::kOk);
  EXPECT_EQ(read_some(*host), (Bytes{1, 2}));
  boost::system::error_code ec;
  std::uint8_t buf[4];
  EXPECT_EQ(host->read_some(buf, sizeof(buf), ec), 0u);
  EXPECT_EQ(ec, boost::asio::error::would_block);
}

TEST(MemoryTransport, interrupt_wakes_a_blocked_board_read_early) {
  auto [host, board] = make_memory_pair();
  std::thread t([&b = board] {
    std::this_thread::sleep_for(20ms);
    b->interrupt();
  });
  std::uint8_t buf[4];
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(board->read(buf, sizeof(buf), 10s).status, IoStatus::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  t.join();
}

TEST(MemoryTransport, disconnect_ends_both_sides_until_the_host_reopens) {
  auto [host, board] = make_memory_pair();
  host->disconnect();
  std::uint8_t buf[4];
  boost::system::error_code ec;
  EXPECT_EQ(host->read_some(buf, sizeof(buf), ec), 0u);
  EXPECT_EQ(ec, boost::asio::error::eof);
  EXPECT_EQ(board->read(buf, sizeof(buf), 10ms).status, IoStatus::kClosed);
  const std::uint8_t msg[] = {1};
  EXPECT_TRUE(write_all(*host, msg, 1));
  host->allow_reopen(false);
  EXPECT_TRUE(host->open());
  host->allow_reopen(true);
  EXPECT_FALSE(host->open());
  EXPECT_FALSE(write_all(*host, msg, 1));
  EXPECT_EQ(read_some(*board), (Bytes{1}));
}

TEST(MemoryTransport, dropped_writes_never_arrive) {
  auto [host, board] = make_memory_pair();
  host->drop_writes(true);
  const std::uint8_t msg[] = {1};
  EXPECT_FALSE(write_all(*host, msg, 1));
  std::uint8_t buf[4];
  EXPECT_EQ(board->read(buf, sizeof(buf), 10ms).status, IoStatus::kTimeout);
}

TEST(PtyTransport, bytes_cross_a_real_pseudo_terminal_both_ways_unmangled) {
  PtyMaster master;
  SerialTransport slave(master.slave_path(), 115200);
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  ASSERT_FALSE(write_all(slave, all.data(), all.size()));
  Bytes got;
  while (got.size() < all.size()) {
    const Bytes part = read_some(master);
    ASSERT_FALSE(part.empty());
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_EQ(got, all);
  ASSERT_EQ(master.write(all.data(), 16).status, IoStatus::kOk);
  got.clear();
  while (got.size() < 16) {
    const Bytes part = read_some(slave);
    ASSERT_FALSE(part.empty());
    got.insert(got.end(), part.begin(), part.end());
  }
  EXPECT_EQ(got, Bytes(all.begin(), all.begin() + 16));
}

std::string open_failure(const std::string& device) {
  try {
    SerialTransport t(device, 115200);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(SerialTransport, opening_a_missing_device_throws_a_message_naming_it_and_asking_if_plugged) {
  const std::string what = open_failure("/dev/does-not-exist-rcpilot");
  EXPECT_NE(what.find("/dev/does-not-exist-rcpilot"), std::string::npos) << what;
  EXPECT_NE(what.find("plugged in"), std::string::npos) << what;
}

TEST(SerialTransport, a_file_that_is_not_a_terminal_is_refused_by_name_without_aborting) {
  EXPECT_NE(open_failure("/dev/null").find("/dev/null: "), std::string::npos);
  EXPECT_NE(open_failure("/dev/null").find("not a serial port"), std::string::npos);
}

TEST(SerialTransport, open_advice_names_the_dialout_group_and_who_holds_a_busy_port) {
  EXPECT_NE(serial_open_advice("/dev/ttyUSB0", EACCES).find("dialout"), std::string::npos);
  PtyMaster master;  // the message names the device whether or not a holder is visible
  EXPECT_NE(serial_open_advice(master.slave_path(), EBUSY).find(master.slave_path()),
            std::string::npos);
}

TEST(SerialTransport, configures_a_pty_raw_and_reopens_it) {
  PtyMaster master;
  SerialTransport port(master.slave_path(), 115200);
  EXPECT_GE(port.native_handle(), 0);
  const std::uint8_t cr[] = {'\r', '\n', 0x03};  // no CR/LF mapping, no signals in raw mode
  ASSERT_FALSE(write_all(port, cr, sizeof(cr)));
  EXPECT_EQ(read_some(master), (Bytes{'\r', '\n', 0x03}));
  port.close();
  EXPECT_EQ(port.native_handle(), -1);
  EXPECT_FALSE(port.open());
  EXPECT_GE(port.native_handle(), 0);
}

// The firmware core behind rcpilot-fw-sim, driven over the real tty with raw protocol frames.
class FwSimOverPty : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = sim_.slave_path();
    ASSERT_FALSE(path_.empty());
    port_ = std::make_unique<SerialTransport>(path_, 115200);
  }
  void send(proto::MsgType type, std::uint32_t seq = 0, std::uint16_t s = 0, std::uint16_t t = 0) {
    proto::HostMessage m;
    m.type = type;
    m.command = {seq, s, t};
    std::uint8_t wire[proto::kMaxWire];
    const std::size_t n = proto::encode_host(m, wire, sizeof(wire));
    ASSERT_FALSE(write_all(*port_, wire, n));
  }
  // Next parsed board message of `type` within 1 s.
  bool expect(proto::MsgType type, proto::BoardMessage& out) {
    const auto deadline = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (std::uint8_t b : read_some(*port_, 50ms)) {
        if (decoder_.push(b) != proto::FrameResult::kFrame) continue;
        if (proto::parse_board(decoder_.body(), decoder_.body_size(), out) ==
                proto::ParseResult::kOk &&
            out.type == type) {
          return true;
        }
      }
    }
    return false;
  }

  testing::FwSimProcess sim_;
  std::string path_;
  std::unique_ptr<SerialTransport> port_;
  proto::FrameDecoder decoder_;
};

TEST_F(FwSimOverPty, arms_applies_a_command_and_goes_neutral_within_failsafe_ms_plus_a_tick) {
  proto::BoardMessage m;
  send(proto::MsgType::kHello);
  ASSERT_TRUE(expect(proto::MsgType::kHelloReply, m));
  EXPECT_EQ(m.hello.failsafe_ms, 100);
  send(proto::MsgType::kArm);
  ASSERT_TRUE(expect(proto::MsgType::kStatus, m));
  EXPECT_TRUE(m.status.flags & proto::kFlagArmed);
  send(proto::MsgType::kCommand, 1, 1700, 1600);
  ASSERT_TRUE(expect(proto::MsgType::kStatus, m));
  EXPECT_EQ(m.status.steering_out_us, 1700);
  EXPECT_EQ(m.status.throttle_out_us, 1600);
  // Stop sending: the firmware's own trace gives the apply and neutral times in firmware ms.
  const std::string applied =
      sim_.wait_line([](const std::string& l) { return testing::field(l, "steering_us") == 1700; });
  const std::string neutral = sim_.wait_line([](const std::string& l) {
    return testing::field(l, "failsafe") == 1 && testing::field(l, "seq") == 1;
  });
  ASSERT_FALSE(applied.empty());
  ASSERT_FALSE(neutral.empty());
  EXPECT_EQ(testing::field(neutral, "steering_us"), 1500);
  EXPECT_EQ(testing::field(neutral, "throttle_us"), 1500);
  const long gap = testing::field(neutral, "t_ms") - testing::field(applied, "t_ms");
  // Never early; how late is the firmware process's scheduling (its exact timing is checked on
  // stepped time in firmware_core_test, latency over the pty in bench_motor_link).
  EXPECT_GE(gap, 100);
  ASSERT_TRUE(expect(proto::MsgType::kStatus, m));  // the unsolicited failsafe status
  EXPECT_TRUE(m.status.flags & proto::kFlagFailsafe);
}

TEST_F(FwSimOverPty, noise_on_the_line_is_counted_and_the_next_frame_still_works) {
  // Noise cut off mid-frame, then the lone delimiter a host sends before HELLO to resync.
  const std::uint8_t noise[] = {0x42, 0x00, 0x13, 0x37, 0x99, 0x00, 0xff, 0x00};
  ASSERT_FALSE(write_all(*port_, noise, sizeof(noise)));
  proto::BoardMessage m;
  send(proto::MsgType::kHello);
  ASSERT_TRUE(expect(proto::MsgType::kHelloReply, m));
  send(proto::MsgType::kHeartbeat);
  ASSERT_TRUE(expect(proto::MsgType::kStatus, m));
  EXPECT_EQ(m.status.rx_errors, 3);
}

TEST_F(FwSimOverPty, a_client_that_closes_and_reopens_the_tty_can_talk_again) {
  proto::BoardMessage m;
  send(proto::MsgType::kHello);
  ASSERT_TRUE(expect(proto::MsgType::kHelloReply, m));
  port_.reset();
  port_ = std::make_unique<SerialTransport>(path_, 115200);
  decoder_ = proto::FrameDecoder();
  send(proto::MsgType::kHello);
  ASSERT_TRUE(expect(proto::MsgType::kHelloReply, m));
}

}  // namespace
}  // namespace rcpilot::fw
