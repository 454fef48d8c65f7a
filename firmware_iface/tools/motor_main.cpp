// rcpilot-motor: bench tool for a real motor-controller board, to find the motor.* calibration.
// Builds the same MotorLink as the node (motor.driver) and feeds it a fresh
// setpoint every control tick from MotorBench: keys in a raw terminal, or a scripted neutral,
// status, sweep or nudge. Every exit path (end, q, SIGINT, SIGTERM, SIGHUP, error) sends
// neutral and stops the link (neutral, disarm, close), and restores the terminal.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/command_line.hpp"
#include "config/loader.hpp"
#include "firmware_iface/drive_command.hpp"
#include "firmware_iface/native_link.hpp"
#include "firmware_iface/pca9685_link.hpp"
#include "firmware_iface/vesc_link.hpp"
#include "config/program.hpp"
#include "firmware_iface/link_factory.hpp"
#include "motor_bench.hpp"
#include "sim_backend/simulated_car.hpp"

namespace rcpilot {
namespace {

struct Options {
  std::string config_path;             // empty: the embedded sim profile
  std::vector<std::string> overrides;  // --set section.key=value
  std::string command = "interactive";
  vehicle::BenchSettings bench;
  int deadman_ms = 150;        // ms, see BenchSettings::deadman
  int first_repeat_ms = 700;   // ms, see BenchSettings::first_repeat
  double for_s = 0.0;          // s, neutral/status/nudge duration (0 for neutral: until stopped)
  bool once = false;           // neutral: write neutral once and exit (the unit's ExecStopPost)
  double throttle = 0.15;      // norm, nudge throttle (sign = direction)
  double steering = 0.0;       // norm, steering held during neutral/nudge
  vehicle::SweepPlan sweep;
  double dwell_s = 1.0;        // s, sweep dwell per point
};

const char* kKeysHelp =
    "keys: a/d or left/right steer (A/D fine), c centre, w/up forward, s/down reverse (hold: the "
    "nudge lasts while the key repeats), +/- nudge throttle, space neutral, q quit";

// Restores the terminal's settings when it goes out of scope (end, error, signal).
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (isatty(fd_) == 0 || tcgetattr(fd_, &saved_) != 0) return;
    termios raw = saved_;
    // No line buffering, no echo, no signals from Ctrl-C/Ctrl-Z (they arrive as bytes: Ctrl-C
    // quits cleanly, Ctrl-Z must not suspend a tool that holds a motor), no XON/XOFF.
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(fd_, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
  return set;
}

// The control loop of the tool: a setpoint every tick on absolute deadlines, keys between.
class BenchLoop {
 public:
  BenchLoop(vehicle::MotorBench& bench, const fw::MotorLink& link, const vehicle::OutputMap& map,
            const Clock& clock, double rate_hz, int signal_fd)
      : bench_(bench), link_(link), map_(map), clock_(clock),
        period_(seconds_to_duration(1.0 / rate_hz)), signal_fd_(signal_fd),
        tty_(isatty(STDOUT_FILENO) != 0) {}

  // Reads keys from `fd` (-1: none); EOF on it quits.
  void read_keys_from(int fd) { key_fd_ = fd; }
  // Runs until `done(now)`, q, EOF on the keys or a stop signal; false on a signal.
  bool run(const std::function<bool(TimePoint)>& done,
           const std::function<void(const vehicle::BenchTick&)>& on_tick = nullptr) {
    TimePoint next = clock_.now();
    TimePoint next_print = next;
    bool signalled = false;
    while (!bench_.quit_requested()) {
      if (!wait_until(next)) {
        signalled = true;
        break;
      }
      const TimePoint now = clock_.now();
      if (now < next) continue;  // woken by a key
      next = now - next > period_ ? now + period_ : next + period_;  // skip missed ticks
      const vehicle::BenchTick t = bench_.tick(now);
      if (on_tick) on_tick(t);
      if (done && done(now)) break;
      if (now >= next_print) {
        print_status(now);
        next_print = now + (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(500));
      }
    }
    print_status(clock_.now());
    if (tty_) std::printf("\n");
    return !signalled;
  }

  // The stop signal that ended run(), 0 if none.
  int signal() const { return signal_; }

  // A line of its own above the live status line.
  void print_line(const std::string& text) const {
    std::printf("%s%s\n", tty_ ? "\r\x1b[K" : "", text.c_str());
    std::fflush(stdout);
  }

 private:
  // Polls keys and signals until `deadline`; false on a stop signal.
  bool wait_until(TimePoint deadline) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {key_fd_, POLLIN, 0}};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_.now());
    const int timeout_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
    if (poll(fds, key_fd_ >= 0 ? 2 : 1, timeout_ms) <= 0) return true;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) signal_ = info.ssi_signo;
      return false;
    }
    if (key_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) read_keys();
    return true;
  }

  void read_keys() {
    char buf[64];
    const ssize_t n = read(key_fd_, buf, sizeof(buf));
    const TimePoint now = clock_.now();
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {  // EOF or the terminal went away: nobody can press q any more
      bench_.press(vehicle::BenchKey::kQuit, now);
      return;
    }
    for (const auto key : decoder_.feed(buf, static_cast<std::size_t>(n))) bench_.press(key, now);
  }

  void print_status(TimePoint now) const {
    const std::string line =
        vehicle::format_bench_status(bench_.view(), link_.status(), map_, now);
    if (tty_) {
      // Cut to the terminal's width: a wrapped line could not be redrawn in place.
      winsize ws{};
      const bool sized = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1;
      const std::size_t width = sized ? ws.ws_col - 1u : line.size();
      std::printf("\r%s\x1b[K", line.substr(0, width).c_str());
    } else {
      std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
  }

  vehicle::MotorBench& bench_;
  const fw::MotorLink& link_;
  const vehicle::OutputMap& map_;
  const Clock& clock_;
  Duration period_;
  int signal_fd_;
  int key_fd_ = -1;
  bool tty_;
  int signal_ = 0;
  vehicle::KeyDecoder decoder_;
};

// The board's full state, for `status`.
void print_report(const fw::MotorLink& link) {
  const fw::LinkStatus s = link.status();
  std::printf("link: %s, %s\n", link.describe().c_str(), s.alive ? "alive" : "DOWN");
  if (const auto* native = dynamic_cast<const fw::NativeLink*>(&link)) {
    const auto info = native->board_info();
    std::printf("firmware: protocol %u, version %u.%u.%u, capabilities 0x%04x, failsafe %u ms\n",
                static_cast<unsigned>(info.protocol_version),
                static_cast<unsigned>(info.fw_major), static_cast<unsigned>(info.fw_minor),
                static_cast<unsigned>(info.fw_patch), static_cast<unsigned>(info.capabilities),
                static_cast<unsigned>(info.failsafe_ms));
  } else if (const auto* vesc = dynamic_cast<const fw::VescLink*>(&link)) {
    std::printf("firmware: VESC %s\n", vesc->firmware_version().c_str());
  }
  const auto* pca = dynamic_cast<const fw::Pca9685Link*>(&link);
  if (pca != nullptr) {
    std::printf("board: PCA9685, no firmware: no failsafe, no telemetry; it holds its last "
                "pulse\n");
    if (!pca->last_error().empty()) std::printf("last error: %s\n", pca->last_error().c_str());
  } else {
    const fw::BoardTelemetry& b = s.board;
    std::printf("board: %s, failsafe %s, battery %.2f V, %.0f erpm, FET %.1f C, motor %.1f C, "
                "fault %d, wheel ticks %lld\n",
                b.armed ? "armed" : "disarmed", b.failsafe ? "ACTIVE" : "off", b.battery_v,
                b.motor_erpm, b.temp_fet_c, b.temp_motor_c, b.fault_code,
                static_cast<long long>(b.wheel_ticks));
  }
  if (s.rc.valid) {
    std::printf("rc receiver: steering %u us (%+.2f), throttle %u us (%+.2f)\n",
                static_cast<unsigned>(s.rc.steering_us), s.rc.steering_norm,
                static_cast<unsigned>(s.rc.throttle_us), s.rc.throttle_norm);
  } else {
    std::printf("rc receiver: no report\n");
  }
  std::printf("counters: sent %llu, send failures %llu, link losses %llu, reconnects %llu, "
              "rx errors %llu, watchdog trips %llu\n",
              static_cast<unsigned long long>(s.commands_sent),
              static_cast<unsigned long long>(s.send_failures),
              static_cast<unsigned long long>(s.link_losses),
              static_cast<unsigned long long>(s.reconnects),
              static_cast<unsigned long long>(s.rx_errors),
              static_cast<unsigned long long>(s.watchdog_trips));
}

// What every command works with.
struct Session {
  vehicle::MotorBench& bench;
  const fw::MotorLink& link;
  const vehicle::OutputMap& map;
  const Clock& clock;
  BenchLoop& loop;
};

int run_interactive(Session& s) {
  const RawTerminal raw(STDIN_FILENO);
  s.loop.print_line(kKeysHelp);
  s.loop.read_keys_from(STDIN_FILENO);
  s.loop.run(nullptr);
  return app::kExitOk;
}

// `neutral` (for_s 0: until q or a signal) and `status` (then the full report).
int run_neutral(const Options& opt, Session& s, bool report) {
  const TimePoint end = s.clock.now() + seconds_to_duration(opt.for_s);
  if (isatty(STDIN_FILENO) != 0) s.loop.read_keys_from(STDIN_FILENO);  // q or space ends it
  const RawTerminal raw(isatty(STDIN_FILENO) != 0 ? STDIN_FILENO : -1);
  s.loop.run([&](TimePoint now) { return opt.for_s > 0 && now >= end; });
  if (!report) return app::kExitOk;
  print_report(s.link);
  return s.link.status().alive ? app::kExitOk : app::kExitRuntimeError;
}

int run_sweep(const Options& opt, Session& s) {
  vehicle::SweepPlan plan = opt.sweep;
  plan.dwell = seconds_to_duration(opt.dwell_s);
  s.bench.start_sweep(plan, s.clock.now());
  s.loop.run([&](TimePoint) { return s.bench.sweep_done(); },
             [&](const vehicle::BenchTick& t) {
               if (!t.sweep_moved) return;
               const float st = t.command.steering_norm;
               const std::string out = s.map.steering(st);
               s.loop.print_line(fmt::format("sweep {}/{}: steering {:+.2f}{}",
                                             s.bench.view().sweep_index + 1,
                                             s.bench.view().sweep_size, st,
                                             out.empty() ? "" : " -> " + out));
             });
  return app::kExitOk;
}

int run_nudge(const Options& opt, Session& s) {
  const auto throttle = static_cast<float>(opt.throttle);
  if (std::abs(throttle) > opt.bench.max_throttle) {
    spdlog::warn("--throttle {} is above --max-throttle {}: capped", throttle,
                 opt.bench.max_throttle);
  }
  const TimePoint start = s.clock.now();
  const TimePoint end = start + seconds_to_duration(opt.for_s);
  s.bench.set_steering(static_cast<float>(opt.steering));
  s.bench.nudge(throttle, start, end - start);
  const float sent = std::clamp(throttle, -opt.bench.max_throttle, opt.bench.max_throttle);
  const std::string out = s.map.throttle(sent);
  s.loop.print_line(fmt::format("nudge: throttle {:+.2f}{} for {:.2f} s", sent,
                                out.empty() ? "" : " (" + out + ")", opt.for_s));
  s.loop.run([&](TimePoint now) { return now >= end; });
  return app::kExitOk;
}

int run_command(const Options& opt, Session& s) {
  if (opt.command == "neutral") return run_neutral(opt, s, false);
  if (opt.command == "status") return run_neutral(opt, s, true);
  if (opt.command == "sweep") return run_sweep(opt, s);
  if (opt.command == "nudge") return run_nudge(opt, s);
  return run_interactive(s);
}

// The link motor.driver names: a serial board, or the simulated car's (loaded into `car`).
std::unique_ptr<fw::MotorLink> open_link(const config::Config& cfg, const Clock& clock,
                                         std::unique_ptr<sim_backend::SimulatedCar>& car) {
  if (!config::is_simulated(cfg.motor.driver)) {
    return fw::make_serial_link(cfg.motor, clock, std::chrono::seconds(2));
  }
  car = sim_backend::load_simulated_car(cfg, clock);
  return car->make_motor_link();
}

// `neutral --once`: opens the configured link (which starts at neutral), sends neutral, stops
// it (neutral again) and exits; no bench loop, no terminal. For the simulated drivers there is
// no board to stop.
int run_neutral_once(const config::Config& cfg) {
  if (config::is_simulated(cfg.motor.driver)) {
    std::printf("motor.driver %s: no board, nothing to put to neutral\n",
                std::string(config::to_string(cfg.motor.driver)).c_str());
    return app::kExitOk;
  }
  SteadyClock clock;
  std::unique_ptr<fw::MotorLink> link;
  try {
    link = fw::make_serial_link(cfg.motor, clock, std::chrono::seconds(2));
  } catch (const std::exception& e) {
    spdlog::critical("neutral not written: {}", e.what());
    return app::kExitStartupError;
  }
  link->send(fw::neutral_command(0, clock.now()));
  link->stop();
  const fw::LinkStatus status = link->status();
  if (status.commands_sent == 0 || !status.last_command.is_neutral()) {
    spdlog::critical("neutral not written: the link lost the board ({})", link->describe());
    return app::kExitRuntimeError;
  }
  std::printf("neutral written, link stopped (%s)\n", link->describe().c_str());
  return app::kExitOk;
}

// Opens the link and runs the command; neutral and link stop on every way out.
int run_bench(const config::Config& cfg, const Options& opt, const vehicle::OutputMap& map,
              int signal_fd) {
  SteadyClock clock;
  std::unique_ptr<sim_backend::SimulatedCar> car;  // sim and native_sim drive it
  std::unique_ptr<fw::MotorLink> link;
  try {
    link = open_link(cfg, clock, car);
  } catch (const std::exception& e) {
    spdlog::critical("start-up failed, nothing moved: {}", e.what());
    return app::kExitStartupError;
  }
  vehicle::BenchSettings settings = opt.bench;
  settings.deadman = std::chrono::milliseconds(opt.deadman_ms);
  settings.first_repeat = std::chrono::milliseconds(opt.first_repeat_ms);
  vehicle::MotorBench bench(*link, settings);
  BenchLoop loop(bench, *link, map, clock, cfg.control.rate_hz, signal_fd);
  Session session{bench, *link, map, clock, loop};
  int code = app::kExitOk;
  try {
    code = run_command(opt, session);
  } catch (const std::exception& e) {
    bench.finish(clock.now());
    spdlog::critical("{}: neutral sent, link stopped", e.what());
    return app::kExitRuntimeError;
  }
  bench.finish(clock.now());
  if (loop.signal() != 0) {
    spdlog::info("{} received: neutral sent, link stopped", strsignal(loop.signal()));
  }
  std::printf("stopped: neutral sent, link stopped (%s)\n", link->describe().c_str());
  return code;
}

void add_options(cli::CommandLine& command_line, Options& opt) {
  namespace po = cli::po;
  cli::add_config_options(command_line.options(), &opt.config_path, &opt.overrides);
  command_line.options()
      .option(
          "max-throttle",
          po::value(&opt.bench.max_throttle)->notifier(cli::in_range("--max-throttle", 0.01, 1.0)),
          "Safety cap on |throttle| sent, every command (norm, default 0.3)")
      .option("deadman-ms",
              po::value(&opt.deadman_ms)->notifier(cli::in_range("--deadman-ms", 20, 2000)),
              "A held key's nudge stops when no key repeat came for this long (default 150)")
      .option(
          "first-repeat-ms",
          po::value(&opt.first_repeat_ms)->notifier(cli::in_range("--first-repeat-ms", 20, 2000)),
          "Allowance for the keyboard's repeat delay after the first press (default 700)");
  command_line.allow_options_after_command();  // the common options may follow the command
}

void add_commands(cli::CommandLine& command_line, Options& opt) {
  namespace po = cli::po;
  command_line.command("interactive", "Keys in a raw terminal (the default)")
      .option("throttle",
              po::value(&opt.bench.nudge_throttle)->notifier(cli::in_range("--throttle", 0.0, 1.0)),
              "Nudge throttle (norm, default 0.15)")
      .option(
          "steer-step",
          po::value(&opt.bench.steering_step)->notifier(cli::in_range("--steer-step", 0.001, 1.0)),
          "Steering per a/d press (norm)");
  command_line.command("neutral", "Send neutral and show the board's status")
      .option("for", po::value(&opt.for_s)->notifier(cli::non_negative("--for")),
              "Seconds (0, the default: until q or Ctrl-C)")
      .flag("once", &opt.once,
              "Open the link, write neutral once and exit (the service runs this after any end "
              "of the node: a PCA9685 keeps its last pulse otherwise)");
  command_line.command("status", "Send neutral for a while, then print a report")
      .option("for", po::value(&opt.for_s)->notifier(cli::positive("--for")),
              "Seconds (default 1)");
  command_line.command("sweep", "Steering left -> centre -> right, throttle 0")
      .option("amplitude",
              po::value(&opt.sweep.amplitude)->notifier(cli::in_range("--amplitude", 0.01, 1.0)),
              "Extremes reached (norm, default 1)")
      .option("step", po::value(&opt.sweep.step)->notifier(cli::in_range("--step", 0.01, 1.0)),
              "Distance between points (norm, default 0.1)")
      .option("dwell", po::value(&opt.dwell_s)->notifier(cli::in_range("--dwell", 0.02, 60.0)),
              "Seconds on each point (default 1)");
  command_line.command("nudge", "Throttle for a moment, then neutral")
      .option("throttle",
              po::value(&opt.throttle)->notifier(cli::in_range("--throttle", -1.0, 1.0)),
              "Throttle, negative reverses (norm, default 0.15; capped by --max-throttle)")
      .option("for", po::value(&opt.for_s)->notifier(cli::in_range("--for", 0.02, 10.0)),
              "Seconds (default 0.5)")
      .option("steering",
              po::value(&opt.steering)->notifier(cli::in_range("--steering", -1.0, 1.0)),
              "Steering held meanwhile (norm, default 0)");
}

// The chosen command, and the defaults of --for that depend on it.
void apply_command(const cli::CommandLine& command_line, Options& opt) {
  if (!command_line.chosen_command().empty()) opt.command = command_line.chosen_command();
  if (opt.command == "status" && !command_line.given("for")) opt.for_s = 1.0;
  if (opt.command == "nudge" && !command_line.given("for")) opt.for_s = 0.5;
}

}  // namespace
}  // namespace rcpilot

int main(int argc, char** argv) {
  using namespace rcpilot;
  // Blocked in every thread (the link's I/O thread too) before any starts: the loop reads
  // them from a signalfd, so a signal always ends in neutral + link stop.
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    std::fprintf(stderr, "rcpilot-motor: signalfd: %s\n", std::strerror(errno));
    return app::kExitRuntimeError;
  }

  Options opt;
  cli::CommandLine command_line{
      "rcpilot-motor", "rcpilot-motor: bench tool for the motor-controller board (calibration)"};
  add_options(command_line, opt);
  add_commands(command_line, opt);
  if (const auto exit_code = command_line.parse(argc, argv)) return *exit_code;
  apply_command(command_line, opt);
  const std::optional<config::Config> loaded =
      app::load_config_or_report("rcpilot-motor", opt.config_path, opt.overrides);
  if (!loaded) return app::kExitConfigError;
  const config::Config& cfg = *loaded;
  app::setup_logging(cfg.log.level);
  std::optional<vehicle::OutputMap> map;
  try {
    map.emplace(cfg.motor);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "rcpilot-motor: config error: %s: %s\n", cfg.source_path.c_str(),
                 e.what());
    return app::kExitConfigError;
  }
  if (opt.command == "neutral" && opt.once) return run_neutral_once(cfg);
  return run_bench(cfg, opt, *map, signal_fd);
}
