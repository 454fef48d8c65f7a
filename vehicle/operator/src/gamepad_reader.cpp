#include "operator/gamepad_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "operator/gamepad_pads.hpp"

namespace rcpilot::vehicle {
namespace {

// Reads per readable wake-up before publishing and polling again, so a flooding device cannot
// starve the repeat and the removal check.
constexpr int kMaxReadsPerWake = 8;

std::string error_text(int err) { return std::system_category().message(err); }

std::string open_error(const std::string& device, int err) {
  return "cannot open gamepad " + device + ": " + error_text(err) +
         "; check that the pad is plugged in or paired (`ls /dev/input/js*` lists joysticks; "
         "set gamepad.device to one of them) and that this user is in the `input` group "
         "(sudo usermod -aG input $USER, then log in again); retrying";
}

std::string not_a_joystick(const std::string& device, const std::string& why) {
  return "gamepad " + device + " is not a joystick (" + why +
         "); nothing from it is used; set gamepad.device to a joystick device (`ls "
         "/dev/input/js*` lists them); retrying";
}

int milliseconds_ceil(Duration d) {
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(d).count());
}

// The kernel's code of each axis and button (left empty if the driver does not say: a named
// pad then maps nothing and says so). The buffers are the sizes the ioctl numbers encode.
void read_codes(int fd, JoystickShape& shape) {
  std::array<std::uint8_t, ABS_CNT> axis_map{};
  std::array<std::uint16_t, KEY_MAX - BTN_MISC + 1> button_map{};
  if (::ioctl(fd, JSIOCGAXMAP, axis_map.data()) >= 0) {
    shape.axis_codes.assign(axis_map.begin(), axis_map.begin() + shape.axes);
  }
  if (::ioctl(fd, JSIOCGBTNMAP, button_map.data()) >= 0) {
    shape.button_codes.assign(button_map.begin(), button_map.begin() + shape.buttons);
  }
}

}  // namespace

bool ioctl_identify(int fd, JoystickShape& shape, std::string& error) {
  unsigned char axes = 0;
  unsigned char buttons = 0;
  if (::ioctl(fd, JSIOCGAXES, &axes) != 0) {
    error = "ioctl JSIOCGAXES: " + error_text(errno);
    return false;
  }
  if (::ioctl(fd, JSIOCGBUTTONS, &buttons) != 0) {
    error = "ioctl JSIOCGBUTTONS: " + error_text(errno);
    return false;
  }
  shape.axes = axes;
  shape.buttons = buttons;
  read_codes(fd, shape);
  return true;
}

std::string_view to_string(GamepadEvent event) {
  switch (event) {
    case GamepadEvent::kConnected:
      return "gamepad_connected";
    case GamepadEvent::kLost:
      return "gamepad_lost";
    case GamepadEvent::kUnavailable:
      return "gamepad_unavailable";
    case GamepadEvent::kThrottleScale:
      return "gamepad_throttle_scale";
  }
  return "unknown";
}

GamepadReader::GamepadReader(const config::GamepadConfig& config, const Clock& clock,
                             GamepadHandlers handlers, std::chrono::milliseconds repeat,
                             JoystickIdentify identify)
    : config_(config),
      clock_(clock),
      handlers_(std::move(handlers)),
      repeat_(std::max(repeat, std::chrono::milliseconds(1))),
      identify_(identify ? std::move(identify) : JoystickIdentify(ioctl_identify)),
      decoder_(config) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::system_error(errno, std::system_category(), "gamepad eventfd");
}

GamepadReader::~GamepadReader() {
  stop();
  ::close(wake_fd_);
}

void GamepadReader::start() {
  if (thread_.joinable()) return;
  std::uint64_t stale = 0;
  if (::read(wake_fd_, &stale, sizeof stale) < 0) {
    // EAGAIN: no stop() pending. Otherwise this cleared the wake-up of a previous stop().
  }
  stopping_.store(false);
  thread_ = std::thread([this] { run(); });
}

void GamepadReader::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  const std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // Only fails with 2^64 - 1 wake-ups pending; the thread then sees stopping_ within one
    // repeat period anyway.
  }
  thread_.join();
}

GamepadStats GamepadReader::stats() const {
  GamepadStats s;
  s.connected = connected_flag_.load();
  s.events = events_.load();
  s.connects = connects_.load();
  s.losses = losses_.load();
  s.open_failures = open_failures_.load();
  std::lock_guard<std::mutex> lock(error_mutex_);
  s.last_error = last_error_;
  return s;
}

void GamepadReader::run() {
  const std::chrono::milliseconds min_backoff(config_.reconnect_min_ms);
  const std::chrono::milliseconds max_backoff(
      std::max(config_.reconnect_max_ms, config_.reconnect_min_ms));
  std::chrono::milliseconds backoff = min_backoff;
  while (!stopping_.load()) {
    const Outcome outcome = open_and_serve();
    if (outcome == Outcome::kStopped) break;
    if (outcome == Outcome::kLost) backoff = min_backoff;  // it worked: retry soon
    if (!wait_unless_stopped(backoff)) break;
    backoff = std::min(backoff * 2, max_backoff);
  }
  if (connected_) {
    connected_ = false;
    connected_flag_.store(false);
    OperatorInput gone;
    gone.received_at = clock_.now();
    if (handlers_.on_input) handlers_.on_input(gone);
  }
}

GamepadReader::Outcome GamepadReader::open_and_serve() {
  const int fd = ::open(config_.device.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    fail_open(open_error(config_.device, errno));
    return Outcome::kNothing;
  }
  Outcome outcome = Outcome::kNothing;
  std::string why;
  shape_ = JoystickShape{};
  if (identify_(fd, shape_, why)) {
    map_controls();
    outcome = serve(fd);
  } else {
    fail_open(not_a_joystick(config_.device, why));
  }
  ::close(fd);
  return outcome;
}

// Reads `fd` until stop(), a loss or (before any event) a failure; publishes as it goes.
GamepadReader::Outcome GamepadReader::serve(int fd) {
  pending_bytes_ = 0;
  for (;;) {
    int timeout_ms = static_cast<int>(repeat_.count());
    if (connected_) {
      const Duration left = repeat_ - (clock_.now() - last_published_);
      timeout_ms = std::clamp(milliseconds_ceil(left), 1, timeout_ms);
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, timeout_ms);
    if (stopping_.load()) return Outcome::kStopped;
    std::string error;
    if (ready < 0 && errno != EINTR) error = "poll on " + config_.device + ": " + error_text(errno);
    if (error.empty() && ready > 0 && fds[0].revents != 0) drain(fd, error);
    if (error.empty() && device_removed(fd)) error = config_.device + " was removed";
    if (!error.empty()) {
      if (!connected_) {
        fail_open("gamepad " + error +
                  " before any valid event; nothing from it was used; retrying");
        return Outcome::kNothing;
      }
      lose(error);
      return Outcome::kLost;
    }
    if (connected_ && (input_due_ || clock_.now() - last_published_ >= repeat_)) publish_input();
  }
}

// Reads what is there and decodes every whole record; false with `error` on EOF or an error.
bool GamepadReader::drain(int fd, std::string& error) {
  for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
    const ssize_t got = ::read(fd, pending_ + pending_bytes_, sizeof pending_ - pending_bytes_);
    if (got == 0) {
      error = config_.device + ": end of file";
      return false;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      error = "reading " + config_.device + ": " + error_text(errno);
      return false;
    }
    pending_bytes_ += static_cast<std::size_t>(got);
    std::size_t used = 0;
    for (; pending_bytes_ - used >= sizeof(js_event); used += sizeof(js_event)) {
      js_event event;
      std::memcpy(&event, pending_ + used, sizeof event);
      if (!decode(event, error)) return false;
    }
    std::memmove(pending_, pending_ + used, pending_bytes_ - used);  // keep a partial record
    pending_bytes_ -= used;
  }
  return true;
}

// Acts on a well-formed record; false with `error` for one a joystick cannot send (the
// stream is garbage or out of step: nothing more from this open is used).
bool GamepadReader::decode(const js_event& event, std::string& error) {
  const std::string problem = js_event_problem(event, shape_);
  if (!problem.empty()) {
    error = config_.device + " sent a record that is not a joystick event (" + problem + ")";
    return false;
  }
  events_.fetch_add(1);
  if (!connected_) {
    connected_ = true;
    connected_flag_.store(true);
    connects_.fetch_add(1);
    input_due_ = true;
    last_reported_failure_.clear();
    if (handlers_.on_event) {
      handlers_.on_event(GamepadEvent::kConnected,
                         "gamepad " + config_.device + " connected" + mapping_note_);
    }
  }
  const GamepadUpdate update = decoder_.apply(event);
  if (update.input_changed) input_due_ = true;
  if (update.action) on_action(*update.action);
  return true;
}

// A named pad's controls are found on each opened device (another pad may be plugged in).
void GamepadReader::map_controls() {
  mapping_note_.clear();
  if (config_.pad == config::GamepadPad::kCustom) return;
  std::vector<std::string> missing;
  decoder_.remap(resolve_pad(config_, shape_, missing));
  mapping_note_ = " (" + std::string(config::to_string(config_.pad)) + " mapping";
  for (std::size_t i = 0; i < missing.size(); ++i) {
    mapping_note_ += (i == 0 ? "; this pad has no " : ", ") + missing[i];
  }
  mapping_note_ += missing.empty() ? ")" : ": not mapped; use gamepad.pad: custom to map them)";
}

// The throttle-scale buttons act in the decoder; they are reported, not handed on.
void GamepadReader::on_action(GamepadAction action) {
  if (action != GamepadAction::kThrottleScaleUp && action != GamepadAction::kThrottleScaleDown) {
    if (handlers_.on_action) handlers_.on_action(action);
    return;
  }
  if (!handlers_.on_event) return;
  char scale[16];
  std::snprintf(scale, sizeof scale, "%.2f", decoder_.throttle_scale());
  handlers_.on_event(GamepadEvent::kThrottleScale,
                     std::string("gamepad throttle scale ") + scale + " (throttle at full stick)");
}

void GamepadReader::publish_input() {
  const TimePoint now = clock_.now();
  last_published_ = now;
  input_due_ = false;
  if (handlers_.on_input) handlers_.on_input(decoder_.input(now));
}

// A connected pad is gone: neutral first, then tell why.
void GamepadReader::lose(const std::string& why) {
  connected_ = false;
  connected_flag_.store(false);
  decoder_.reset();
  losses_.fetch_add(1);
  set_error(why);
  last_reported_failure_.clear();
  OperatorInput gone;
  gone.received_at = clock_.now();
  if (handlers_.on_input) handlers_.on_input(gone);
  if (handlers_.on_event) {
    handlers_.on_event(GamepadEvent::kLost,
                       "gamepad lost (" + why + "); operator input is neutral until it is back");
  }
}

// An open that failed or delivered nothing; reported once per distinct reason.
void GamepadReader::fail_open(const std::string& why) {
  open_failures_.fetch_add(1);
  set_error(why);
  if (why == last_reported_failure_) return;
  last_reported_failure_ = why;
  if (handlers_.on_event) handlers_.on_event(GamepadEvent::kUnavailable, why);
}

// True when the path no longer names the open device (unplugged, or a new node in its place).
bool GamepadReader::device_removed(int fd) const {
  struct stat by_path {};
  struct stat by_fd {};
  if (::stat(config_.device.c_str(), &by_path) != 0) return true;
  if (::fstat(fd, &by_fd) != 0) return true;
  return by_path.st_dev != by_fd.st_dev || by_path.st_ino != by_fd.st_ino;
}

bool GamepadReader::wait_unless_stopped(std::chrono::milliseconds d) {
  pollfd wake{wake_fd_, POLLIN, 0};
  ::poll(&wake, 1, static_cast<int>(d.count()));  // EINTR only shortens one back-off
  return !stopping_.load();
}

void GamepadReader::set_error(const std::string& why) {
  std::lock_guard<std::mutex> lock(error_mutex_);
  last_error_ = why;
}

}  // namespace rcpilot::vehicle
