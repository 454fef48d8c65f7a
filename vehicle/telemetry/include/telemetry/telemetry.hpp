#pragma once
// Telemetry over ZeroMQ PUB: multipart [topic, JSON]. Topic `state` carries every tick (or
// every Nth), topic `event` carries start-up, safety changes and shutdown. Schema:
// docs/telemetry.md. Runs in its own thread; the control loop only queues and never waits.
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bounded_queue.hpp"
#include "common/latest_slot.hpp"
#include "config/config.hpp"
#include "perception/types.hpp"
#include "control/control_loop.hpp"

namespace rcpilot::vehicle {

inline constexpr int kTelemetrySchemaVersion = 1;

// The `state` message body for one tick (without `seq`, which the publisher adds).
nlohmann::json state_to_json(const TickState& st);

class TelemetryPublisher final : public StateSink {
 public:
  // Binds the PUB socket; throws std::runtime_error naming telemetry.endpoint when it cannot.
  explicit TelemetryPublisher(const config::TelemetryConfig& cfg);
  ~TelemetryPublisher() override;

  // Called from the telemetry thread for every `state` message to add fields (e.g. the
  // simulator's lap and cross-track error).
  void set_extra_state(std::function<void(nlohmann::json&)> extra);
  // The camera's newest frame: sent as topic `frame` [topic, JSON, JPEG] every
  // telemetry.frame_every_n_ticks ticks (encoded in the telemetry thread). Call before start().
  void set_frame_source(const LatestSlot<perception::Frame>* frames);
  void start();
  // Publishes what is queued, then closes the socket.
  void stop();

  void on_tick(const TickState& state) override;  // non-blocking; drops when the queue is full
  // Queues an `event` {type, message, ...fields}; for non-real-time threads only.
  void publish_event(const std::string& type, const std::string& message,
                     nlohmann::json fields = nlohmann::json::object());
  // Queues a `health` message (see health.hpp); for non-real-time threads only.
  void publish_health(nlohmann::json body);
  std::uint64_t dropped() const { return states_.dropped(); }
  // The address actually bound (resolves a `tcp://host:*` wildcard port).
  std::string bound_endpoint() const;

 private:
  struct Socket;
  void run();
  void send(const char* topic, nlohmann::json body);
  void drain_events();
  void queue_message(const char* topic, nlohmann::json body);
  void watch_reason(const TickState& st);
  void maybe_send_frame(std::uint64_t tick);

  config::TelemetryConfig cfg_;
  std::unique_ptr<Socket> socket_;
  BoundedQueue<TickState> states_;
  std::mutex events_mutex_;
  // Messages from non-real-time threads waiting for the telemetry thread: {topic, body}.
  std::deque<std::pair<std::string, nlohmann::json>> events_;
  std::function<void(nlohmann::json&)> extra_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::uint64_t sequence_ = 0;
  const LatestSlot<perception::Frame>* frames_ = nullptr;
  std::uint64_t last_frame_sequence_ = 0;
  std::vector<unsigned char> jpeg_;  // reused between frames
  StopReason last_reason_ = StopReason::kNone;
  bool have_reason_ = false;
};

}  // namespace rcpilot::vehicle
