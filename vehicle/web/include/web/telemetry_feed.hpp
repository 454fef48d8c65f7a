#pragma once
// rcpilot-web's telemetry subscriber: a thread of its own reads the node's ZeroMQ PUB socket
// (docs/telemetry.md) and hands each message, already encoded for browsers, to the sinks. Its
// receive queue is short, so when rcpilot-web falls behind the node's PUB socket drops for it
// (ZeroMQ never blocks a publisher): the node cannot be slowed.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "web/outbox.hpp"

namespace rcpilot::web {

struct FeedSinks {
  std::function<void(Payload message)> state;  // {"t":"state",...}, at most every 100 ms
  std::function<void(Payload message, std::uint64_t frame_seq)> frame;  // encode_frame()
  std::function<void(Payload message)> other;  // {"t":"health"|"event",...}
};

// A camera frame for the browser, one binary WebSocket message: 4 bytes big-endian length of
// the JSON header, the header (the telemetry `frame` fields plus `age_ms`, the frame's age in ms
// when rcpilot-web received it), then the JPEG.
std::string encode_frame(const nlohmann::json& meta, std::string_view jpeg, double age_ms);

class TelemetryFeed {
 public:
  TelemetryFeed(std::string endpoint, FeedSinks sinks);
  ~TelemetryFeed();
  TelemetryFeed(const TelemetryFeed&) = delete;
  TelemetryFeed& operator=(const TelemetryFeed&) = delete;

 private:
  void run();

  std::string endpoint_;
  FeedSinks sinks_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rcpilot::web
