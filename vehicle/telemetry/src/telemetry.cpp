#include "telemetry/telemetry.hpp"

#include <chrono>
#include <stdexcept>

#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

#include "perception/jpeg_codec.hpp"

namespace rcpilot::vehicle {

namespace {
double seconds_since_epoch(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
}  // namespace

struct TelemetryPublisher::Socket {
  zmq::context_t context{1};
  zmq::socket_t pub{context, zmq::socket_type::pub};
};

nlohmann::json state_to_json(const TickState& st) {
  return {
      {"schema", kTelemetrySchemaVersion},
      {"tick", st.tick},
      {"time_s", seconds_since_epoch(st.now)},
      {"mode", to_string(st.mode)},
      {"armed", st.armed},
      {"estop", st.estopped},
      {"user",
       {{"valid", st.operator_input.valid},
        {"steering", st.operator_input.steering_norm},
        {"throttle", st.operator_input.throttle_norm}}},
      {"steering", st.command.steering_norm},
      {"throttle", st.command.throttle_norm},
      {"reason", to_string(st.reason)},
      {"prediction_age_ms", st.prediction_age_ms},
      {"frame_seq", st.frame_sequence},
      {"inference_ms", st.inference_ms},
      {"pilot_rate_hz", st.pilot_rate_hz},
      {"period_ms", st.period_ms},
      {"exec_ms", st.exec_ms},
      {"overruns", st.overruns},
      {"link_ok", st.link_ok},
      {"lagging", st.lagging},
  };
}

TelemetryPublisher::TelemetryPublisher(const config::TelemetryConfig& cfg)
    : cfg_(cfg), socket_(std::make_unique<Socket>()), states_(cfg.queue_depth) {
  // Keep the final shutdown messages for a moment so subscribers get them.
  zmq_options::set(socket_->pub, ZMQ_LINGER, 500);
  zmq_options::set(socket_->pub, ZMQ_SNDHWM, cfg.queue_depth);
  try {
    socket_->pub.bind(cfg.endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("telemetry.endpoint '" + cfg.endpoint + "': cannot bind: " + e.what() +
                             "; choose a free address or set telemetry.enabled: false");
  }
}

TelemetryPublisher::~TelemetryPublisher() { stop(); }

std::string TelemetryPublisher::bound_endpoint() const {
  return zmq_options::last_endpoint(socket_->pub);
}

void TelemetryPublisher::set_extra_state(std::function<void(nlohmann::json&)> extra) {
  extra_ = std::move(extra);
}

void TelemetryPublisher::start() {
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void TelemetryPublisher::stop() {
  if (!thread_.joinable()) return;
  running_ = false;
  states_.close();
  thread_.join();
  socket_->pub.close();
}

void TelemetryPublisher::on_tick(const TickState& state) {
  if (state.tick % static_cast<std::uint64_t>(cfg_.state_every_n_ticks) != 0 &&
      state.reason != StopReason::kShutdown) {
    return;
  }
  states_.try_push(state);
}

void TelemetryPublisher::publish_event(const std::string& type, const std::string& message,
                                       nlohmann::json fields) {
  fields["schema"] = kTelemetrySchemaVersion;
  fields["type"] = type;
  fields["message"] = message;
  queue_message("event", std::move(fields));
}

void TelemetryPublisher::publish_health(nlohmann::json body) {
  body["schema"] = kTelemetrySchemaVersion;
  queue_message("health", std::move(body));
}

void TelemetryPublisher::queue_message(const char* topic, nlohmann::json body) {
  body["time_s"] = seconds_since_epoch(std::chrono::steady_clock::now());
  std::lock_guard<std::mutex> lock(events_mutex_);
  events_.emplace_back(topic, std::move(body));
}

void TelemetryPublisher::run() {
  TickState st;
  for (;;) {
    const bool got = states_.pop(st, std::chrono::milliseconds(20));
    drain_events();
    if (got) {
      watch_reason(st);
      nlohmann::json body = state_to_json(st);
      body["dropped"] = states_.dropped();
      if (extra_) extra_(body);
      send("state", std::move(body));
      maybe_send_frame(st.tick);
    } else if (!running_) {
      break;
    }
  }
  drain_events();
}

void TelemetryPublisher::watch_reason(const TickState& st) {
  // The loop cannot format text; safety changes become events here, off the real-time path.
  if (have_reason_ && st.reason == last_reason_) return;
  if (have_reason_ || st.reason != StopReason::kNone) {
    publish_event("safety",
                  st.reason == StopReason::kNone ? "driving allowed"
                                                 : "neutral: " + std::string(to_string(st.reason)),
                  {{"reason", to_string(st.reason)}, {"tick", st.tick}});
  }
  last_reason_ = st.reason;
  have_reason_ = true;
}

void TelemetryPublisher::drain_events() {
  std::deque<std::pair<std::string, nlohmann::json>> pending;
  {
    std::lock_guard<std::mutex> lock(events_mutex_);
    pending.swap(events_);
  }
  for (auto& [topic, body] : pending) send(topic.c_str(), std::move(body));
}

void TelemetryPublisher::set_frame_source(const LatestSlot<perception::Frame>* frames) {
  frames_ = frames;
}

void TelemetryPublisher::maybe_send_frame(std::uint64_t tick) {
  const auto every = static_cast<std::uint64_t>(cfg_.frame_every_n_ticks);
  if (frames_ == nullptr || every == 0 || tick % every != 0) return;
  perception::Frame frame;
  if (frames_->peek(frame) == 0 || frame.sequence == last_frame_sequence_) return;
  last_frame_sequence_ = frame.sequence;
  try {
    perception::encode_jpeg(frame.bgr, cfg_.frame_jpeg_quality, jpeg_);
  } catch (const perception::JpegError&) {
    return;  // an image JPEG cannot hold: no frame message, like a dropped one
  }
  nlohmann::json meta = {{"schema", kTelemetrySchemaVersion},
                         {"frame_seq", frame.sequence},
                         {"tick", tick},
                         {"width", frame.bgr.cols},
                         {"height", frame.bgr.rows},
                         {"format", "jpeg"},
                         {"captured_s", seconds_since_epoch(frame.captured_at)},
                         {"seq", ++sequence_}};
  const std::string text = meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  socket_->pub.send(zmq::buffer(std::string_view("frame")), zmq::send_flags::sndmore);
  socket_->pub.send(zmq::buffer(text), zmq::send_flags::sndmore);
  socket_->pub.send(zmq::buffer(jpeg_), zmq::send_flags::dontwait);
}

void TelemetryPublisher::send(const char* topic, nlohmann::json body) {
  body["seq"] = ++sequence_;
  // Event text may quote outside bytes (a config file, a tub, a device name) that are not
  // UTF-8: replace them with U+FFFD instead of throwing on the telemetry thread.
  const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  socket_->pub.send(zmq::buffer(std::string_view(topic)), zmq::send_flags::sndmore);
  socket_->pub.send(zmq::buffer(text), zmq::send_flags::dontwait);
}

}  // namespace rcpilot::vehicle
