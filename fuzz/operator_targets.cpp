// Fuzz targets for the operator side: control API requests and gamepad events.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "config/loader.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "operator/control_api.hpp"
#include "operator/gamepad.hpp"

namespace rcpilot::fuzz {
namespace {

using nlohmann::json;

// The `record` command's target: no disk, refuses large erases like a short tub would.
class ScratchRecording final : public vehicle::RecordingControl {
 public:
  bool start(std::string&) override {
    recording_ = true;
    return true;
  }
  void stop() override { recording_ = false; }
  bool erase_last(int count, std::string& error) override {
    if (count > 50) {
      error = "only 50 records to erase";
      return false;
    }
    return true;
  }
  bool mark_range(std::int64_t first, std::int64_t last, bool, std::string& error) override {
    if (first > last) std::abort();  // the handler must have refused it
    if (last > 1000000) {
      error = "no such records";
      return false;
    }
    return true;
  }
  json tub(std::string&) const override { return {{"records", 0}}; }
  json status() const override { return {{"recording", recording_}}; }

 private:
  bool recording_ = false;
};

// What a refused request must leave as it was.
json drive_state_of(const vehicle::DriveState& drive, const vehicle::LiveConfig& live) {
  return {std::string(vehicle::to_string(drive.mode())), drive.armed(), drive.estopped(),
          config::to_yaml(live.current())};
}

}  // namespace

int control_request(const std::uint8_t* data, std::size_t size) {
  static const config::Config base = config::load_config("", {});
  ManualClock clock(TimePoint{} + std::chrono::seconds(100));
  vehicle::DriveState drive(vehicle::DriveMode::kUser);
  drive.set_self_test_passed(size > 0 && (data[0] & 1) != 0);
  vehicle::OperatorInputs operators;
  // The LiveConfig hands control.mode to the DriveState (which may refuse it); tunables go
  // nowhere here.
  vehicle::LiveConfig live(base, "", {}, drive,
                           [](const config::Config&, const std::vector<std::string>&) {});
  ScratchRecording recording;
  // Events are printed as telemetry prints them.
  vehicle::EventFn event = [](const std::string& kind, const std::string& text, const json& d) {
    json body = d.is_object() ? d : json::object();
    body["type"] = kind;
    body["message"] = text;
    (void)body.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  vehicle::ControlHandler handler({drive, operators, live, clock,
                                   [] {
                                     return json{{"loop", 1}};
                                   },
                                   &recording, event});
  for (const std::string& request : split(text_of(data, size), "\n")) {
    const json before = drive_state_of(drive, live);
    const json reply = json::parse(handler.handle(request));  // throws (a crash) if not JSON
    check(reply.is_object() && reply.contains("ok") && reply["ok"].is_boolean());
    if (!reply["ok"].get<bool>()) check(drive_state_of(drive, live) == before);
    const vehicle::ParsedRequest parsed = vehicle::ControlHandler::parse(request);
    check(parsed.reply.is_null() != parsed.request.is_null());
    (void)vehicle::ControlHandler::is_slow(parsed.request);
    (void)vehicle::ControlHandler::is_estop(parsed.request);
    clock.advance(std::chrono::milliseconds(30));
  }
  return 0;
}

int gamepad_events(const std::uint8_t* data, std::size_t size) {
  config::GamepadConfig cfg;
  if (size > 0) {
    cfg.steering_inverted = (data[0] & 1) != 0;
    cfg.throttle_inverted = (data[0] & 2) != 0;
  }
  cfg.throttle_scale_up_button = 4;  // the max-throttle controls too (Xbox: RB, LB, d-pad)
  cfg.throttle_scale_down_button = 5;
  cfg.throttle_scale_hat_axis = 7;
  vehicle::GamepadDecoder decoder(cfg);
  const TimePoint now = TimePoint{} + std::chrono::seconds(1);
  for (std::size_t i = 1; i + sizeof(js_event) <= size; i += sizeof(js_event)) {
    js_event e;
    std::memcpy(&e, data + i, sizeof(e));
    (void)decoder.apply(e);
    const vehicle::OperatorInput in = decoder.input(now);
    check(std::isfinite(in.steering_norm) && std::abs(in.steering_norm) <= 1.0f);
    check(std::isfinite(in.throttle_norm) && std::abs(in.throttle_norm) <= 1.0f);
    check(decoder.throttle_scale() >= 0.0 && decoder.throttle_scale() <= 1.0);
  }
  decoder.reset();
  check(decoder.steering_norm() == 0.0f && decoder.throttle_norm() == 0.0f);
  return 0;
}

}  // namespace rcpilot::fuzz
