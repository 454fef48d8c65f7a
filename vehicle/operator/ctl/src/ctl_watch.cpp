#include "ctl/ctl_watch.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>
#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

namespace rcpilot::vehicle {
namespace {

using nlohmann::json;

std::atomic<bool> g_interrupted{false};

double num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string("-");
}

bool flag(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string temperatures(const json& health) {
  std::string out;
  const auto it = health.find("temperatures_c");
  if (it == health.end() || !it->is_object()) return "-";
  for (const auto& [zone, t] : it->items()) {
    out += fmt::format("{}{} {:.0f}C", out.empty() ? "" : "  ", zone, t.get<double>());
  }
  return out.empty() ? "-" : out;
}

std::string format_status(const json& r) {
  const json loop = r.value("loop", json::object());
  const json pilot = r.value("pilot", json::object());
  const json latency = loop.value("latency_ms", json::object());
  std::string out = fmt::format(
      "mode {}  {}{}  reason {}\n"
      "loop {:.1f} Hz (configured {:.0f}), {} overruns{}\n"
      "pilot {:.1f} frames/s, inference p50 {:.2f} p99 {:.2f} ms, capture->command p50 {:.2f} "
      "p99 {:.2f} ms\n"
      "command steering {:+.3f} throttle {:+.3f}\n",
      str(r, "mode"), flag(r, "armed") ? "ARMED" : "disarmed", flag(r, "estop") ? "  E-STOP" : "",
      str(r, "reason"), num(loop, "measured_hz"), num(loop, "rate_hz"), loop.value("overruns", 0),
      flag(loop, "lagging") ? ", LAGGING" : "", num(pilot, "unique_frames_per_s"),
      num(pilot.value("inference_ms", json::object()), "p50"),
      num(pilot.value("inference_ms", json::object()), "p99"), num(latency, "p50"),
      num(latency, "p99"), num(r, "steering"), num(r, "throttle"));
  if (r.contains("camera") && r["camera"].is_object()) {
    const json& c = r["camera"];
    out += fmt::format("camera {} | {} frames | lost {} | re-opened {} ({} failed) | last frame "
                       "{:.0f} ms ago{}\n",
                       flag(c, "alive") ? "alive" : "LOST", c.value("frames", 0),
                       c.value("lost_events", 0), c.value("reopens", 0),
                       c.value("reopen_failures", 0), num(c, "since_last_frame_ms"),
                       str(c, "last_error").empty() ? "" : " | " + str(c, "last_error"));
  }
  if (r.contains("recording") && r["recording"].is_object()) {
    out += "recording " + r["recording"].dump(-1, ' ', false, json::error_handler_t::replace) +
           "\n";
  }
  return out;
}

// Writes a `frame` message's JPEG as <dir>/frame_<seq>.jpg.
void save_frame(const std::string& dir, const json& meta, const zmq::message_t& jpeg) {
  const auto seq = meta.value("frame_seq", std::uint64_t{0});
  std::ofstream out(fmt::format("{}/frame_{:08d}.jpg", dir, seq), std::ios::binary);
  out.write(static_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
}

}  // namespace

std::string bar(double value, int half_width) {
  const double v = std::clamp(value, -1.0, 1.0);
  const int filled = static_cast<int>(std::lround(std::abs(v) * half_width));
  std::string left(static_cast<std::size_t>(half_width), '-');
  std::string right(static_cast<std::size_t>(half_width), '-');
  if (v < 0) std::fill(left.end() - filled, left.end(), '#');
  if (v > 0) std::fill(right.begin(), right.begin() + filled, '#');
  return "[" + left + "|" + right + "]";
}

std::string format_reply(const std::string& cmd, const json& reply) {
  if (cmd == "status") return format_status(reply);
  json shown = reply;
  shown.erase("v");
  shown.erase("ok");
  if (cmd == "get" && reply.contains("values")) {
    std::string out;
    for (const auto& [key, value] : reply["values"].items()) {
      out += fmt::format("{} = {}\n", key, value.dump());
    }
    return out;
  }
  return shown.empty() ? "ok\n" : "ok " + shown.dump() + "\n";
}

void WatchView::on_message(const std::string& topic, const json& body) {
  if (topic == "state") {
    state_ = body;
    ++states_;
  } else if (topic == "health") {
    health_ = body;
  } else if (topic == "event") {
    events_.push_back(fmt::format("{}: {}", str(body, "type"), str(body, "message")));
    if (events_.size() > 6) events_.pop_front();
  }
}

std::string WatchView::line() const {
  if (state_.is_null()) return "waiting for telemetry...";
  return fmt::format(
      "tick {} | {} {}{} | reason {} | steer {:+.2f} thr {:+.2f} | pilot {:.1f} fps "
      "| infer {:.1f} ms | period {:.1f} ms | overruns {}",
      state_.value("tick", 0), str(state_, "mode"), flag(state_, "armed") ? "ARMED" : "disarmed",
      flag(state_, "estop") ? " E-STOP" : "", str(state_, "reason"), num(state_, "steering"),
      num(state_, "throttle"), num(state_, "pilot_rate_hz"), num(state_, "inference_ms"),
      num(state_, "period_ms"), state_.value("overruns", 0));
}

std::string WatchView::render() const {
  if (state_.is_null()) return "waiting for telemetry...\n";
  const json user = state_.value("user", json::object());
  std::string out = fmt::format(
      "rcpilot  tick {}  mode {}  {}{}\n"
      "safety   {}{}\n"
      "loop     period {:.2f} ms  exec {:.3f} ms  overruns {}\n"
      "pilot    {:.1f} frames/s  inference {:.2f} ms  prediction age {:.1f} ms\n"
      "steering {} {:+.2f}\n"
      "throttle {} {:+.2f}\n"
      "operator {}\n"
      "health   cpu {:.0f}%  rss {:.0f} MB  {}\n"
      "events:\n",
      state_.value("tick", 0), str(state_, "mode"), flag(state_, "armed") ? "ARMED" : "disarmed",
      flag(state_, "estop") ? "  E-STOP LATCHED" : "", str(state_, "reason"),
      flag(state_, "lagging") ? "  LAGGING" : "", num(state_, "period_ms"), num(state_, "exec_ms"),
      state_.value("overruns", 0), num(state_, "pilot_rate_hz"), num(state_, "inference_ms"),
      num(state_, "prediction_age_ms"), bar(num(state_, "steering"), 10), num(state_, "steering"),
      bar(num(state_, "throttle"), 10), num(state_, "throttle"),
      flag(user, "valid") ? fmt::format("steering {:+.2f} throttle {:+.2f}", num(user, "steering"),
                                        num(user, "throttle"))
                          : std::string("none"),
      num(health_, "cpu_percent"), num(health_, "rss_mb"), temperatures(health_));
  for (const auto& e : events_) out += "  " + e + "\n";
  return out;
}

int run_watch(const WatchOptions& options) {
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  if (!options.save_frames_dir.empty())
    std::filesystem::create_directories(options.save_frames_dir);
  zmq::context_t context;
  zmq::socket_t sub(context, zmq::socket_type::sub);
  zmq_options::set(sub, ZMQ_SUBSCRIBE, "");
  zmq_options::set(sub, ZMQ_RCVTIMEO, 50);
  sub.connect(options.endpoint);
  const bool tty = isatty(STDOUT_FILENO) != 0 && !options.plain;
  WatchView view;
  const auto start = std::chrono::steady_clock::now();
  auto next_draw = start;
  while (!g_interrupted) {
    const auto now = std::chrono::steady_clock::now();
    if (options.duration_s > 0 &&
        now - start >= std::chrono::duration<double>(options.duration_s)) {
      break;
    }
    zmq::message_t topic, body;
    if (sub.recv(topic) && sub.recv(body)) {
      const json j = json::parse(body.to_string(), nullptr, false);
      if (topic.to_string() == "frame" && zmq_options::more_parts(sub)) {
        zmq::message_t jpeg;
        if (sub.recv(jpeg) && !options.save_frames_dir.empty()) {
          save_frame(options.save_frames_dir, j, jpeg);
        }
      } else if (!j.is_discarded()) {
        view.on_message(topic.to_string(), j);
      }
    }
    if (now >= next_draw) {
      next_draw = now + std::chrono::milliseconds(250);
      if (tty) {
        std::printf("\x1b[H\x1b[2J%s", view.render().c_str());
      } else {
        std::printf("%s\n", view.line().c_str());
      }
      std::fflush(stdout);
    }
  }
  if (view.states() == 0) {
    std::fprintf(stderr,
                 "rcpilot-ctl watch: no telemetry from %s: is rcpilot running with "
                 "telemetry.enabled?\n",
                 options.endpoint.c_str());
    return 3;
  }
  return 0;
}

}  // namespace rcpilot::vehicle
