// rcpilot-fw-sim: the reference firmware core on the host, serving a pseudo-terminal.
// Prints the slave path as its first stdout line; the host opens it as its serial port.
// With --trace it prints a line whenever the outputs or arm/failsafe state change:
//   out t_ms=<firmware ms> steering_us=<us> throttle_us=<us> armed=<0|1> failsafe=<0|1> seq=<n>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "firmware_iface/fd_transport.hpp"
#include "rcp_firmware.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Options {
  rcpilot::board::FirmwareConfig fw;
  std::string link;    // optional symlink to the slave path (stable name across restarts)
  bool trace = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: rcpilot-fw-sim [--failsafe-ms N] [--link PATH] [--trace]\n"
               "  runs the rcpilot reference firmware on a pseudo-terminal and prints its path\n");
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--failsafe-ms" && has_value) {
      const long v = std::strtol(argv[++i], nullptr, 10);
      if (v < 1 || v > 60000) return false;
      o.fw.failsafe_ms = static_cast<uint16_t>(v);
    } else if (a == "--link" && has_value) {
      o.link = argv[++i];
    } else if (a == "--trace") {
      o.trace = true;
    } else {
      return false;
    }
  }
  return true;
}

class PtySink final : public rcpilot::board::TxSink {
 public:
  explicit PtySink(rcpilot::fw::PtyMaster& pty) : pty_(pty) {}
  void write(const uint8_t* data, size_t size) override { pty_.write(data, size); }

 private:
  rcpilot::fw::PtyMaster& pty_;
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse(argc, argv, opt)) {
    usage();
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  rcpilot::fw::PtyMaster pty;
  if (!opt.link.empty()) {
    ::unlink(opt.link.c_str());
    if (::symlink(pty.slave_path().c_str(), opt.link.c_str()) != 0) {
      std::fprintf(stderr, "cannot create link %s: %s\n", opt.link.c_str(), std::strerror(errno));
      return 1;
    }
  }
  std::printf("%s\n", pty.slave_path().c_str());
  std::fflush(stdout);

  PtySink sink(pty);
  rcpilot::board::FirmwareCore core(opt.fw, sink);
  const auto start = std::chrono::steady_clock::now();
  auto now_ms = [&] {
    return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count());
  };
  uint16_t last_s = 0, last_t = 0;
  int last_flags = -1;
  uint8_t buf[256];
  while (!g_stop) {
    const auto r = pty.read(buf, sizeof(buf), std::chrono::milliseconds(1));
    const uint32_t t = now_ms();
    if (r.status == rcpilot::fw::IoStatus::kOk) core.feed(buf, r.bytes, t);
    core.tick(t);  // the firmware tick: at most ~1 ms apart
    const int flags = (core.armed() ? 1 : 0) | (core.failsafe_active() ? 2 : 0);
    if (opt.trace && (core.steering_us() != last_s || core.throttle_us() != last_t ||
                      flags != last_flags)) {
      last_s = core.steering_us();
      last_t = core.throttle_us();
      last_flags = flags;
      std::printf("out t_ms=%u steering_us=%u throttle_us=%u armed=%d failsafe=%d seq=%u\n", t,
                  static_cast<unsigned>(last_s), static_cast<unsigned>(last_t), flags & 1,
                  (flags >> 1) & 1, core.last_seq());
      std::fflush(stdout);
    }
  }
  if (!opt.link.empty()) ::unlink(opt.link.c_str());
  return 0;
}
