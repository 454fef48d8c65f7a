#pragma once
// Reads a gamepad (/dev/input/js*) on its own thread and hands operator input, button actions
// and connection events to handlers. A lost pad means neutral at once, then re-opens.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "control/types.hpp"
#include "operator/gamepad.hpp"

namespace rcpilot::vehicle {

enum class GamepadEvent : std::uint8_t {
  kConnected,      // the device delivers events; inputs from it are valid
  kLost,           // a connected pad went away: an invalid (neutral) input was published first
  kUnavailable,    // the device cannot be opened or delivered nothing; retried with back-off
  kThrottleScale,  // a throttle-scale button moved the throttle at full stick (detail: value)
};

std::string_view to_string(GamepadEvent event);

// Called on the reader thread; they must not block (post to a slot or queue and return).
struct GamepadHandlers {
  std::function<void(const OperatorInput&)> on_input;
  std::function<void(GamepadAction)> on_action;
  std::function<void(GamepadEvent, const std::string&)> on_event;  // detail names the device
};

// Asks the open device `fd` what it is. Returns true with the joystick's shape, or false with
// `error` saying why it is not a joystick (the reader names the device). The real one is
// ioctl_identify(); tests inject one that accepts their fake device.
using JoystickIdentify = std::function<bool(int fd, JoystickShape& shape, std::string& error)>;

// ioctl JSIOCGAXES and JSIOCGBUTTONS: both succeed only on a joystick (joydev) device; then
// JSIOCGAXMAP and JSIOCGBTNMAP for the controls' codes.
bool ioctl_identify(int fd, JoystickShape& shape, std::string& error);

struct GamepadStats {
  bool connected = false;           // events are arriving from an open device
  std::uint64_t events = 0;         // js_event records decoded
  std::uint64_t connects = 0;       // times the pad became connected
  std::uint64_t losses = 0;         // times a connected pad was lost
  std::uint64_t open_failures = 0;  // opens that failed or delivered nothing
  std::string last_error;           // why the pad was last lost or not opened; "" if never
};

// Opens config.device (non-blocking), asks it whether it is a joystick (JoystickIdentify; a
// device that is not is kUnavailable and nothing is read from it), decodes its js_event records
// with a GamepadDecoder and calls the handlers: on_input whenever steering or throttle change
// and again every `repeat` of `clock` while connected (a joystick only sends changes, and
// operator input expires downstream after a dead-man timeout), on_action on each mapped button
// press, on_event on connect, loss and failed opens (the latter once per distinct error). The
// pad is connected from its first event (joydev sends its INIT events on open). Read error,
// ENODEV, end of file, the device node vanishing (checked by inode) or a record a joystick of
// that shape cannot send (js_event_problem; nothing of it or after it is used) is a loss:
// on_input(valid=false) at once, kLost, then re-open after gamepad.reconnect_min_ms, doubling
// per failure up to reconnect_max_ms. A device missing at start is kUnavailable and retried,
// never fatal.
class GamepadReader {
 public:
  static constexpr std::chrono::milliseconds kRepeat{50};

  // Throws std::invalid_argument as GamepadDecoder does for a mapping that is used twice.
  // `clock` stamps inputs and times the repeat; it must outlive this object.
  // `identify`: empty for ioctl_identify.
  GamepadReader(const config::GamepadConfig& config, const Clock& clock, GamepadHandlers handlers,
                std::chrono::milliseconds repeat = kRepeat, JoystickIdentify identify = {});
  ~GamepadReader();
  GamepadReader(const GamepadReader&) = delete;
  GamepadReader& operator=(const GamepadReader&) = delete;

  void start();
  // Wakes the thread (it never blocks in read) and joins; when the pad was connected the
  // last call is on_input(valid=false), as nobody reads the pad any more.
  void stop();
  GamepadStats stats() const;

 private:
  enum class Outcome { kStopped, kLost, kNothing };
  void run();
  Outcome open_and_serve();
  Outcome serve(int fd);
  bool drain(int fd, std::string& error);
  bool decode(const js_event& event, std::string& error);
  void map_controls();
  void on_action(GamepadAction action);
  void publish_input();
  void lose(const std::string& why);
  void fail_open(const std::string& why);
  bool device_removed(int fd) const;
  // Waits up to `d` (real time) unless stop() is called; false when stopping.
  bool wait_unless_stopped(std::chrono::milliseconds d);
  void set_error(const std::string& why);

  config::GamepadConfig config_;
  const Clock& clock_;
  GamepadHandlers handlers_;
  std::chrono::milliseconds repeat_;
  JoystickIdentify identify_;
  GamepadDecoder decoder_;

  // Reader-thread state.
  unsigned char pending_[sizeof(js_event) * 32] = {};  // bytes read, not yet decoded
  std::size_t pending_bytes_ = 0;
  JoystickShape shape_;  // of the open device
  bool connected_ = false;
  bool input_due_ = false;
  TimePoint last_published_{};
  std::string last_reported_failure_;
  std::string mapping_note_;  // what the connect event says of a named pad's mapping

  int wake_fd_ = -1;  // eventfd: stop() makes it readable
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  std::atomic<bool> connected_flag_{false};
  std::atomic<std::uint64_t> events_{0};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> losses_{0};
  std::atomic<std::uint64_t> open_failures_{0};
  mutable std::mutex error_mutex_;
  std::string last_error_;  // guarded by error_mutex_
};

}  // namespace rcpilot::vehicle
