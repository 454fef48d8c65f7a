#pragma once
// rcpilot-ctl's text output: replies in words, and `watch`, a live view of the telemetry.
#include <deque>
#include <string>

#include <nlohmann/json.hpp>

namespace rcpilot::vehicle {

// A control API reply for a person (the `--json` flag prints it raw instead).
std::string format_reply(const std::string& cmd, const nlohmann::json& reply);

// What `watch` shows, fed one telemetry message at a time (testable without sockets).
class WatchView {
 public:
  void on_message(const std::string& topic, const nlohmann::json& body);
  // The full-screen view: mode, arming, reason, rates, latency, steering/throttle bars,
  // operator input, temperatures and the last events.
  std::string render() const;
  // One line: for logs and `--plain`.
  std::string line() const;
  std::uint64_t states() const { return states_; }

 private:
  nlohmann::json state_;
  nlohmann::json health_;
  std::deque<std::string> events_;  // newest last, at most 6
  std::uint64_t states_ = 0;
};

struct WatchOptions {
  std::string endpoint = "tcp://127.0.0.1:5556";
  double duration_s = 0;        // 0: until Ctrl-C
  std::string save_frames_dir;  // empty: frames are not saved
  bool plain = false;           // one line per refresh
};

// Subscribes and redraws every 250 ms; returns the exit code (3 when nothing ever arrived).
int run_watch(const WatchOptions& options);

// A bar for a value in [-1, 1]: centre mark, filled towards the value.
std::string bar(double value, int half_width);

}  // namespace rcpilot::vehicle
