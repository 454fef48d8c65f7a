// Motor-link costs over a real pseudo-terminal (see bench/RESULTS.md):
//  - BM_NativeCommandEncodeWrite / BM_VescSetpointEncodeWrite: host CPU time to encode one
//    setpoint and write it to the serial port (a pty slave; a thread drains the master).
//  - BM_NativeWriteToFirmwareApply: host write -> the reference firmware core applied the
//    COMMAND (its last_seq moved), the firmware reading the pty master exactly as
//    rcpilot-fw-sim does; counters p50_us / p99_us / max_us over all iterations.
//  - BM_NativeLinkSendToFirmwareApply: setpoint-to-wire through the whole host link:
//    NativeLink::send() on the caller's thread -> the link's I/O thread writes the COMMAND ->
//    the firmware core applied it; one send every 20 ms on absolute deadlines (the control
//    loop's 50 Hz), counters p50_us / p99_us / max_us. Its argument is the link's
//    motor.io_rt_priority: 0 runs everything with normal scheduling; N > 0 runs the I/O
//    thread SCHED_FIFO N and the sending thread SCHED_FIFO N + 1, as the Jetson profile runs
//    the control loop (50) and the link (49), and the board thread SCHED_FIFO 60 (a real board
//    is its own processor and never waits for the host's CPUs). Needs root for N > 0.
#include <benchmark/benchmark.h>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/stats.hpp"
#include "common/thread_priority.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "firmware_iface/native_link.hpp"
#include "firmware_iface/vesc_protocol.hpp"
#include "rcp_firmware.hpp"

namespace {

namespace fw = rcpilot::fw;
namespace proto = rcpilot::proto;
using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// The firmware core on the pty master, pumped by its own thread like rcpilot-fw-sim; records
// when each COMMAND is applied. With `apply` false it only drains what the host writes.
class PtyBoard final : public rcpilot::board::TxSink {
 public:
  explicit PtyBoard(bool apply) : core_(rcpilot::board::FirmwareConfig{}, *this), apply_(apply) {
    thread_ = std::thread([this] { run(); });
  }
  ~PtyBoard() override {
    running_ = false;
    pty_.interrupt();
    thread_.join();
  }
  void write(const std::uint8_t* data, std::size_t size) override { pty_.write(data, size); }
  const std::string& device() const { return pty_.slave_path(); }
  std::uint32_t applied_seq() const { return applied_seq_.load(std::memory_order_acquire); }
  std::int64_t applied_ns() const { return applied_ns_.load(std::memory_order_acquire); }
  // A real board is its own processor: with the host's threads on SCHED_FIFO the board thread
  // runs above them, so what is measured is the host's part, not this thread's wait for a CPU.
  std::string run_fifo(int priority) {
    return rcpilot::set_fifo_priority(thread_.native_handle(), priority);
  }

 private:
  void run() {
    std::uint8_t buf[256];
    const auto start = Clock::now();
    while (running_.load()) {
      const fw::IoResult r = pty_.read(buf, sizeof(buf), std::chrono::milliseconds(1));
      if (!apply_) continue;
      const auto t = static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
      if (r.status == fw::IoStatus::kOk) core_.feed(buf, r.bytes, t);
      core_.tick(t);
      if (core_.last_seq() != applied_seq_.load(std::memory_order_relaxed)) {
        applied_ns_.store(now_ns(), std::memory_order_release);
        applied_seq_.store(core_.last_seq(), std::memory_order_release);
      }
    }
  }

  fw::PtyMaster pty_;
  rcpilot::board::FirmwareCore core_;
  bool apply_;
  std::atomic<bool> running_{true};
  std::atomic<std::uint32_t> applied_seq_{0};
  std::atomic<std::int64_t> applied_ns_{0};
  std::thread thread_;
};

std::size_t encode(proto::MsgType type, std::uint32_t seq, std::uint8_t* wire) {
  proto::HostMessage m;
  m.type = type;
  m.command.seq = seq;
  m.command.steering_us = static_cast<std::uint16_t>(1400 + seq % 200);
  m.command.throttle_us = static_cast<std::uint16_t>(1500 + seq % 100);
  return proto::encode_host(m, wire, proto::kMaxWire);
}

void drain(fw::SerialTransport& port) {
  std::uint8_t buf[512];
  boost::system::error_code ec;
  while (port.read_some(buf, sizeof(buf), ec) > 0) {
  }
}

// One non-blocking write, as the link's I/O thread does it.
std::size_t write(fw::SerialTransport& port, const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  return port.write_some(data, size, ec);
}

void BM_NativeCommandEncodeWrite(benchmark::State& state) {
  PtyBoard board(/*apply=*/false);
  fw::SerialTransport port(board.device(), 115200);
  std::uint8_t wire[proto::kMaxWire];
  std::uint32_t seq = 0;
  for (auto _ : state) {
    const std::size_t n = encode(proto::MsgType::kCommand, ++seq, wire);
    benchmark::DoNotOptimize(write(port, wire, n));
  }
}
BENCHMARK(BM_NativeCommandEncodeWrite);

void BM_VescSetpointEncodeWrite(benchmark::State& state) {
  PtyBoard board(/*apply=*/false);
  fw::SerialTransport port(board.device(), 115200);
  float x = 0.0f;
  for (auto _ : state) {
    x = x > 0.9f ? 0.0f : x + 0.01f;
    const auto servo = fw::vesc::set_servo_pos(0.5f + 0.3f * x);
    const auto duty = fw::vesc::set_duty(0.2f * x);
    write(port, servo.data(), servo.size());
    benchmark::DoNotOptimize(write(port, duty.data(), duty.size()));
  }
}
BENCHMARK(BM_VescSetpointEncodeWrite);

void BM_NativeWriteToFirmwareApply(benchmark::State& state) {
  PtyBoard board(/*apply=*/true);
  fw::SerialTransport port(board.device(), 115200);
  std::uint8_t wire[proto::kMaxWire];
  for (proto::MsgType t : {proto::MsgType::kHello, proto::MsgType::kArm}) {
    write(port, wire, encode(t, 0, wire));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // set-up, not measured
  }
  rcpilot::SampleWindow latency_us(1 << 16);
  std::uint32_t seq = 0;
  for (auto _ : state) {
    const std::size_t n = encode(proto::MsgType::kCommand, ++seq, wire);
    const std::int64_t t0 = now_ns();
    write(port, wire, n);
    const auto deadline = Clock::now() + std::chrono::milliseconds(100);
    while (board.applied_seq() != seq && Clock::now() < deadline) {
    }
    if (board.applied_seq() != seq) {
      state.SkipWithError("the firmware did not apply a command within 100 ms");
      break;
    }
    latency_us.add(static_cast<double>(board.applied_ns() - t0) / 1000.0);
    state.PauseTiming();
    drain(port);  // the firmware's STATUS replies
    state.ResumeTiming();
  }
  const rcpilot::Percentiles p = latency_us.summary();
  state.counters["p50_us"] = p.p50;
  state.counters["p99_us"] = p.p99;
  state.counters["max_us"] = p.max;
}
BENCHMARK(BM_NativeWriteToFirmwareApply)->Iterations(5000)->UseRealTime();

// The link applies a setpoint only after its handshake; the firmware answers every COMMAND, so
// the link stays alive while the benchmark runs.
void BM_NativeLinkSendToFirmwareApply(benchmark::State& state) {
  PtyBoard board(/*apply=*/true);
  rcpilot::SteadyClock clock;
  fw::NativeLinkConfig cfg;
  cfg.timing.io_rt_priority = static_cast<int>(state.range(0));
  if (cfg.timing.io_rt_priority > 0) {
    std::string refused = rcpilot::set_fifo_priority(pthread_self(), cfg.timing.io_rt_priority + 1);
    if (refused.empty()) refused = board.run_fifo(60);
    if (!refused.empty()) {
      state.SkipWithError(("SCHED_FIFO refused (run as root): " + refused).c_str());
      return;
    }
  }
  fw::NativeLink link(std::make_unique<fw::SerialTransport>(board.device(), 115200), clock, cfg);
  if (!link.warnings().empty()) {
    state.SkipWithError(link.warnings()[0].c_str());
    return;
  }
  if (!link.wait_ready(std::chrono::seconds(2))) {
    state.SkipWithError("the link did not come alive within 2 s");
    return;
  }
  rcpilot::SampleWindow latency_us(1 << 16);
  std::uint64_t tick = 0;
  auto next_tick = Clock::now();
  for (auto _ : state) {
    state.PauseTiming();
    next_tick += std::chrono::milliseconds(20);  // the control loop's absolute deadlines
    std::this_thread::sleep_until(next_tick);
    const std::uint32_t before = board.applied_seq();
    state.ResumeTiming();
    fw::DriveCommand cmd;
    cmd.steering_norm = static_cast<float>(++tick % 100) / 200.0f;
    cmd.tick = tick;
    const std::int64_t t0 = now_ns();
    link.send(cmd);
    // A stall on a loaded machine counts as a (large) sample; only a setpoint lost for 1 s ends
    // the run.
    const auto deadline = Clock::now() + std::chrono::seconds(1);
    while (board.applied_seq() == before && Clock::now() < deadline) {
      // The board thread stamps the apply time itself: sleeping here only leaves it the CPU.
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    if (board.applied_seq() == before) {
      const fw::LinkStatus st = link.status();
      const std::string why = "the firmware did not apply a setpoint within 1 s (link " +
                              std::string(st.alive ? "alive" : "dead") + ", losses " +
                              std::to_string(st.link_losses) + ", send failures " +
                              std::to_string(st.send_failures) + ")";
      state.SkipWithError(why.c_str());
      break;
    }
    latency_us.add(static_cast<double>(board.applied_ns() - t0) / 1000.0);
  }
  const rcpilot::Percentiles p = latency_us.summary();
  state.counters["p50_us"] = p.p50;
  state.counters["p99_us"] = p.p99;
  state.counters["max_us"] = p.max;
  sched_param normal{};
  pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);  // for the benchmarks after
}
BENCHMARK(BM_NativeLinkSendToFirmwareApply)->Arg(0)->Arg(49)->Iterations(1000)->UseRealTime();

}  // namespace
