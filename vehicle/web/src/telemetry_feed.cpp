#include "web/telemetry_feed.hpp"

#include <chrono>
#include <memory>

#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

namespace rcpilot::web {
namespace {

using nlohmann::json;

constexpr int kReceiveTimeoutMs = 100;  // how often the thread looks at stop_
constexpr int kReceiveQueue = 64;       // messages ZeroMQ keeps for us before dropping
constexpr auto kStateInterval = std::chrono::milliseconds(100);  // browsers get 10 states/s

double monotonic_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Payload text_message(json body, const std::string& topic) {
  body["t"] = topic;
  return std::make_shared<const std::string>(
      body.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

std::string encode_frame(const json& meta, std::string_view jpeg, double age_ms) {
  json header = meta;
  header["age_ms"] = age_ms;
  const std::string text = header.dump(-1, ' ', false, json::error_handler_t::replace);
  const auto n = static_cast<std::uint32_t>(text.size());
  std::string out;
  out.reserve(4 + text.size() + jpeg.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out += text;
  out.append(jpeg.data(), jpeg.size());
  return out;
}

TelemetryFeed::TelemetryFeed(std::string endpoint, FeedSinks sinks)
    : endpoint_(std::move(endpoint)), sinks_(std::move(sinks)), thread_([this] { run(); }) {}

TelemetryFeed::~TelemetryFeed() {
  stop_ = true;
  thread_.join();
}

void TelemetryFeed::run() {
  zmq::context_t context;
  zmq::socket_t sub(context, zmq::socket_type::sub);
  zmq_options::set(sub, ZMQ_RCVHWM, kReceiveQueue);
  zmq_options::set(sub, ZMQ_RCVTIMEO, kReceiveTimeoutMs);
  zmq_options::set(sub, ZMQ_LINGER, 0);
  zmq_options::set(sub, ZMQ_SUBSCRIBE, "");
  sub.connect(endpoint_);
  auto next_state = std::chrono::steady_clock::now();
  while (!stop_) {
    zmq::message_t topic, body, jpeg;
    if (!sub.recv(topic)) continue;
    if (!zmq_options::more_parts(sub) || !sub.recv(body)) continue;
    const bool has_jpeg = zmq_options::more_parts(sub) && sub.recv(jpeg);
    while (zmq_options::more_parts(sub)) {
      zmq::message_t extra;
      if (!sub.recv(extra)) break;
    }
    const json j = json::parse(body.to_string(), nullptr, false);
    if (!j.is_object()) continue;
    const std::string name = topic.to_string();
    if (name == "frame" && has_jpeg) {
      const double age_ms = (monotonic_s() - j.value("captured_s", 0.0)) * 1000.0;
      sinks_.frame(std::make_shared<const std::string>(encode_frame(j, jpeg.to_string(), age_ms)),
                   j.value("frame_seq", std::uint64_t{0}));
    } else if (name == "state") {
      const auto now = std::chrono::steady_clock::now();
      if (now < next_state && j.value("reason", "") != "shutdown") continue;
      next_state = now + kStateInterval;
      sinks_.state(text_message(j, name));
    } else if (name == "health" || name == "event") {
      sinks_.other(text_message(j, name));
    }
  }
}

}  // namespace rcpilot::web
