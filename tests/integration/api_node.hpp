#pragma once
// A running rcpilot on the simulated car with private endpoints, for the control API's
// integration tests: start, wait until it answers, collect telemetry, stop; and helpers to read
// what a request could change.
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ctl/control_client.hpp"
#include "process.hpp"
#include "telemetry_client.hpp"

namespace rcpilot::testing {

namespace api_node {
using nlohmann::json;
using vehicle::ClientOptions;
using vehicle::ControlClient;
namespace fs = std::filesystem;

inline const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
inline const std::string kCtl = RCPILOT_BINARY_DIR "/bin/rcpilot-ctl";
inline const std::string kSimProfile = RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml";

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A temp folder removed when the test ends.
struct TempDir {
  explicit TempDir(const std::string& name) : path(temp_dir(name)) {}
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

// The sim profile with absolute paths (so a copy in a temp folder still finds model and track),
// each `edits` pair replacing one line's text.
inline std::string sim_profile_text(
    const std::vector<std::pair<std::string, std::string>>& edits = {}) {
  std::string text = read_text(kSimProfile);
  const std::string profiles = RCPILOT_SOURCE_DIR "/config/profiles/";
  text = std::regex_replace(text, std::regex(R"((path|track): \.\./\.\./)"),
                            "$1: " + profiles + "../../");
  for (const auto& [from, to] : edits) {
    const auto at = text.find("\n" + from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at + 1, from.size(), to);
  }
  return text;
}

// A running rcpilot on the simulated car with private endpoints, telemetry collected.
class Node {
 public:
  Node(const std::string& name, std::vector<std::string> args)
      : dir_(name),
        control_("ipc:///tmp/rcpilot-test-" + std::to_string(getpid()) + "-" + name + "-c.ipc"),
        telemetry_endpoint_(private_endpoint(name)),
        telemetry_(telemetry_endpoint_) {
    const std::vector<std::string> base = {
        "--set", "log.status_interval_s=0", "--set", "control.autostart=false", "--set",
        "telemetry.endpoint=" + telemetry_endpoint_, "--set", "record.path=" + tub(), "--set",
        "control_api.endpoint=" + control_,
        // A loaded test machine must not fail the self-test that autonomous modes need.
        "--set", "pilot.min_rate_hz=5"};
    args.insert(args.begin(), base.begin(), base.end());
    process_ = std::make_unique<Process>(kRcpilot, args);
  }

  // Waits until the control API answers `client` (start-up loads the model and self-tests) and
  // telemetry arrives (a subscriber misses what was published before it joined).
  bool wait_ready(ControlClient& c) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!c.request({{"cmd", "status"}})) {
      if (std::chrono::steady_clock::now() > until) return false;
    }
    while (telemetry_.of("state").empty()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  ClientOptions options(int timeout_ms = 3000) const {
    ClientOptions o;
    o.endpoint = control_;
    o.timeout = std::chrono::milliseconds(timeout_ms);
    return o;
  }
  // Stops the node with SIGTERM; its exit code.
  int stop() {
    process_->signal(SIGTERM);
    return process_->wait(30);
  }

  std::string dir() const { return dir_.path; }
  std::string tub() const { return dir_.path + "/tub"; }
  const std::string& control() const { return control_; }
  const std::string& telemetry_endpoint() const { return telemetry_endpoint_; }
  const TelemetryClient& telemetry() const { return telemetry_; }
  Process& process() { return *process_; }

 private:
  TempDir dir_;
  std::string control_;
  std::string telemetry_endpoint_;
  TelemetryClient telemetry_;
  std::unique_ptr<Process> process_;
};

inline json request(ControlClient& c, const json& r) {
  const auto reply = c.request(r);
  if (!reply) ADD_FAILURE() << "no answer to " << r.dump();
  return reply.value_or(json::object());
}

// What a request could change: mode, arming, e-stop, operator input, recording, every live key.
inline json state_of(ControlClient& c) {
  const json s = request(c, {{"cmd", "status"}});
  const json g = request(c, {{"cmd", "get"}});
  return {{"mode", s.value("mode", json())},
          {"armed", s.value("armed", json())},
          {"estop", s.value("estop", json())},
          {"operator", s.value("operator", json())},
          {"recording", s.value("recording", json::object()).value("recording", json())},
          {"values", g.value("values", json())}};
}

}  // namespace api_node

}  // namespace rcpilot::testing
