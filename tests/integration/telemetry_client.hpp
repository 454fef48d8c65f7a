#pragma once
// A ZeroMQ subscriber that collects rcpilot's telemetry in the background.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

namespace rcpilot::testing {

struct TelemetryMessage {
  std::string topic;
  nlohmann::json body;
};

class TelemetryClient {
 public:
  explicit TelemetryClient(const std::string& endpoint) {
    zmq_options::set(sub_, ZMQ_SUBSCRIBE, "");
    zmq_options::set(sub_, ZMQ_RCVTIMEO, 50);
    sub_.connect(endpoint);  // ZeroMQ reconnects until the node binds
    thread_ = std::thread([this] { run(); });
  }
  ~TelemetryClient() {
    running_ = false;
    thread_.join();
  }
  std::vector<TelemetryMessage> messages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }
  std::vector<nlohmann::json> of(const std::string& topic) const {
    std::vector<nlohmann::json> out;
    for (const auto& m : messages()) {
      if (m.topic == topic) out.push_back(m.body);
    }
    return out;
  }

 private:
  void run() {
    while (running_) {
      zmq::message_t topic, body;
      if (!sub_.recv(topic)) continue;
      if (!sub_.recv(body)) continue;
      // `frame` messages carry a third part (the JPEG): skip it so the next topic lines up.
      while (zmq_options::more_parts(sub_)) {
        zmq::message_t extra;
        (void)sub_.recv(extra);
      }
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.push_back({topic.to_string(), nlohmann::json::parse(body.to_string())});
    }
  }

  zmq::context_t ctx_;
  zmq::socket_t sub_{ctx_, zmq::socket_type::sub};
  std::atomic<bool> running_{true};
  mutable std::mutex mutex_;
  std::vector<TelemetryMessage> messages_;
  std::thread thread_;
};

// An ipc:// endpoint private to this test process.
inline std::string private_endpoint(const std::string& name) {
  return "ipc:///tmp/rcpilot-test-" + std::to_string(getpid()) + "-" + name + ".ipc";
}

}  // namespace rcpilot::testing
