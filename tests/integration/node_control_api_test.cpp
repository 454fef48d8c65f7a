// The control API of the real rcpilot binary over ZeroMQ, with and without CURVE, as an operator
// (or rcpilot-ctl) uses it: every command, every kind of bad request (each must leave the node's
// state as it was), the dead-man on manual drive, SIGHUP reload, recording into a tub the
// product's TubReader reads back, the `frame` topic, and rcpilot-ctl's exit codes.
// Each test starts one node and runs a group of checks against it.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <zmq.hpp>

#include "api_node.hpp"
#include "ctl/control_client.hpp"
#include "ctl/curve_keys.hpp"
#include "zmq_options/zmq_options.hpp"
#include "perception/tub_reader.hpp"
#include "process.hpp"
#include "telemetry_client.hpp"

namespace rcpilot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using vehicle::ClientOptions;
using vehicle::ControlClient;

using namespace api_node;  // NOLINT: the shared node harness

// A REQ socket like ControlClient's, for what it cannot send (multipart).
std::optional<std::string> send_multipart(const ClientOptions& o,
                                          const std::vector<std::string>& parts) {
  zmq::context_t ctx;
  zmq::socket_t req(ctx, zmq::socket_type::req);
  zmq_options::set(req, ZMQ_LINGER, 0);
  zmq_options::set(req, ZMQ_RCVTIMEO, static_cast<int>(o.timeout.count()));
  if (!o.server_public_key.empty()) {
    zmq_options::set(req, ZMQ_CURVE_SERVERKEY, o.server_public_key);
    zmq_options::set(req, ZMQ_CURVE_PUBLICKEY, o.client_public_key);
    zmq_options::set(req, ZMQ_CURVE_SECRETKEY, o.client_secret_key);
  }
  req.connect(o.endpoint);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    req.send(zmq::buffer(parts[i]),
             i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  zmq::message_t reply;
  if (!req.recv(reply)) return std::nullopt;
  return reply.to_string();
}

// `text` (or the multipart `parts`) is answered with error `code` and changes nothing.
void expect_rejected_text(ControlClient& c, const ClientOptions& o,
                          const std::vector<std::string>& parts, const std::string& code) {
  const std::string shown = parts.size() == 1 ? parts[0] : json(parts).dump();
  SCOPED_TRACE(shown);
  const json before = state_of(c);
  const auto text = parts.size() == 1 ? c.request_text(parts[0]) : send_multipart(o, parts);
  ASSERT_TRUE(text.has_value()) << "no answer";
  const json reply = json::parse(*text, nullptr, false);
  ASSERT_FALSE(reply.is_discarded()) << *text;
  EXPECT_EQ(reply["v"], 1) << *text;
  EXPECT_EQ(reply["ok"], false) << *text;
  EXPECT_EQ(reply["error"], code) << *text;
  EXPECT_TRUE(reply["message"].is_string()) << *text;
  EXPECT_EQ(state_of(c), before);
}

void expect_rejected(ControlClient& c, const ClientOptions& o, const json& r,
                     const std::string& code) {
  expect_rejected_text(c, o, {r.dump()}, code);
}

// Every kind of bad request; each is answered with its error code and changes nothing.
void check_rejections(ControlClient& c, const ClientOptions& o) {
  using V = std::vector<std::string>;
  expect_rejected_text(c, o, V{"{\"cmd\": \"estop\""}, "malformed");
  expect_rejected_text(c, o, V{"estop"}, "malformed");
  expect_rejected_text(c, o, V{"\xff\xfe{}"}, "malformed");  // not UTF-8
  expect_rejected_text(c, o, V{"[\"estop\"]"}, "malformed");
  expect_rejected_text(c, o, V{R"({"cmd": "estop"})", "{}"}, "malformed");  // multipart
  expect_rejected(c, o, {{"v", 1}}, "malformed");
  expect_rejected(c, o, {{"v", 2}, {"cmd", "estop"}}, "bad_version");
  expect_rejected(c, o, {{"cmd", "launch"}}, "unknown_command");
  expect_rejected(c, o, {{"cmd", "estop"}, {"now", true}}, "unknown_field");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", {{"control.steering_gain", 2}}}, {"x", 1}},
                  "unknown_field");
  expect_rejected(c, o, {{"cmd", "mode"}}, "missing_field");
  expect_rejected(c, o, {{"cmd", "drive"}, {"throttle", 0.2}}, "missing_field");
  expect_rejected(c, o, {{"cmd", "mode"}, {"mode", "turbo"}}, "out_of_range");
  expect_rejected(c, o, {{"cmd", "mode"}, {"mode", 2}}, "bad_type");
  expect_rejected(c, o, {{"cmd", "drive"}, {"steering", 1.5}, {"throttle", 0}}, "out_of_range");
  expect_rejected(c, o, {{"cmd", "drive"}, {"steering", 0}, {"throttle", "fast"}}, "bad_type");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", {{"control.steering_gain", 9}}}},
                  "out_of_range");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", {{"control.steering_gain", "high"}}}},
                  "bad_type");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", {{"control.steering_gian", 2}}}},
                  "unknown_key");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", {{"control.rate_hz", 100}}}}, "not_live");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", {{"telemetry.endpoint", "tcp://*:1"}}}},
                  "not_live");
  // All or nothing: good keys next to one bad one do not change either.
  expect_rejected(c, o,
                  {{"cmd", "set"},
                   {"values",
                    {{"control.steering_gain", 2},
                     {"control.steering_trim", 0.1},
                     {"control.throttle_max", 1.2}}}},
                  "out_of_range");
  expect_rejected(c, o, {{"cmd", "set"}, {"values", json::array()}}, "bad_type");
  expect_rejected(c, o, {{"cmd", "get"}, {"keys", {"nope.key"}}}, "unknown_key");
  expect_rejected(c, o, {{"cmd", "get"}, {"keys", "control.mode"}}, "bad_type");
  expect_rejected(c, o, {{"cmd", "record"}, {"action", "pause"}}, "out_of_range");
  expect_rejected(c, o, {{"cmd", "record"}, {"action", "erase"}, {"count", 0}}, "out_of_range");
  // Refused by the car: arming while the e-stop is latched.
  ASSERT_EQ(request(c, {{"cmd", "estop"}})["ok"], true);
  expect_rejected(c, o, {{"cmd", "arm"}}, "refused");
  ASSERT_EQ(request(c, {{"cmd", "clear_estop"}})["ok"], true);
}

// Every command once, each doing what it says.
void check_commands(ControlClient& c) {
  const json status = request(c, {{"v", 1}, {"id", 42}, {"cmd", "status"}});
  EXPECT_EQ(status["ok"], true) << status.dump();
  EXPECT_EQ(status["v"], 1);
  EXPECT_EQ(status["id"], 42);
  EXPECT_EQ(status["mode"], "local");
  EXPECT_EQ(status["armed"], false);
  EXPECT_EQ(status["self_test_passed"], true);
  EXPECT_EQ(status["loop"]["rate_hz"], 50.0) << status.dump();

  EXPECT_EQ(request(c, {{"cmd", "mode"}, {"mode", "local_angle"}})["mode"], "local_angle");
  EXPECT_EQ(request(c, {{"cmd", "get"}, {"keys", {"control.mode"}}})["values"]["control.mode"],
            "local_angle");
  EXPECT_EQ(request(c, {{"cmd", "arm"}})["armed"], true);
  EXPECT_EQ(request(c, {{"cmd", "status"}})["armed"], true);
  EXPECT_EQ(request(c, {{"cmd", "disarm"}})["armed"], false);
  EXPECT_EQ(request(c, {{"cmd", "arm"}})["ok"], true);
  EXPECT_EQ(request(c, {{"cmd", "estop"}})["estop"], true);
  json s = request(c, {{"cmd", "status"}});
  EXPECT_EQ(s["estop"], true);
  EXPECT_EQ(s["armed"], false);
  EXPECT_EQ(request(c, {{"cmd", "mode"}, {"mode", "user"}})["ok"], true);
  EXPECT_EQ(request(c, {{"cmd", "status"}})["estop"], true) << "e-stop must survive a mode change";
  EXPECT_EQ(request(c, {{"cmd", "clear_estop"}})["estop"], false);
  s = request(c, {{"cmd", "status"}});
  EXPECT_EQ(s["estop"], false);
  EXPECT_EQ(s["armed"], false);
  EXPECT_EQ(request(c, {{"cmd", "mode"}, {"mode", "local"}})["ok"], true);

  const json set =
      request(c, {{"cmd", "set"},
                  {"values", {{"control.steering_gain", 1.5}, {"control.steering_trim", -0.1}}}});
  EXPECT_EQ(set["applied"], json({"control.steering_trim", "control.steering_gain"})) << set.dump();
  const json got = request(c, {{"cmd", "get"}});
  EXPECT_EQ(got["values"]["control.steering_gain"], 1.5);
  EXPECT_EQ(got["values"]["control.steering_trim"], -0.1);
  EXPECT_FALSE(got["values"].contains("control.rate_hz")) << "get lists only live keys";
  EXPECT_EQ(
      request(c, {{"cmd", "get"}, {"keys", {"control.rate_hz"}}})["values"]["control.rate_hz"],
      50.0);

  const json drive = request(c, {{"cmd", "drive"}, {"steering", 0}, {"throttle", 0}});
  EXPECT_EQ(drive["expires_in_ms"], 500.0) << drive.dump();

  // The node runs the embedded profile: a reload restores the file's values.
  const json reload = request(c, {{"cmd", "reload"}});
  EXPECT_EQ(reload["ok"], true) << reload.dump();
  EXPECT_EQ(reload["applied"], json({"control.steering_trim", "control.steering_gain"}));
  EXPECT_EQ(reload["restart_required"], json::array());
  EXPECT_EQ(request(c, {{"cmd", "get"}})["values"]["control.steering_gain"], 1.0);

  EXPECT_EQ(request(c, {{"cmd", "record"}, {"action", "start"}})["recording"]["recording"], true);
  EXPECT_EQ(request(c, {{"cmd", "record"}, {"action", "erase"}, {"count", 5}})["ok"], true);
  EXPECT_EQ(request(c, {{"cmd", "record"}, {"action", "stop"}})["recording"]["recording"], false);
  // Let the drive above expire (dead-man) so later state comparisons do not see it go.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!request(c, {{"cmd", "status"}})["operator"].is_null() &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST(ControlApi, every_command_and_every_bad_request_over_plain_zeromq) {
  Node node("plain", {});
  ControlClient c(node.options());
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();
  {
    SCOPED_TRACE("commands");
    check_commands(c);
  }
  {
    SCOPED_TRACE("rejections");
    check_rejections(c, node.options());
  }
  // Events for what the operator did, on the telemetry.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::set<std::string> kinds;
  for (const auto& e : node.telemetry().of("event")) kinds.insert(e["type"].get<std::string>());
  for (const char* kind : {"mode", "armed", "disarmed", "estop", "estop_cleared", "tunables",
                           "reload", "record_started", "record_stopped", "record_erased"}) {
    EXPECT_EQ(kinds.count(kind), 1u) << kind;
  }

  // rcpilot-ctl's exit codes against the same node.
  const std::vector<std::string> e = {"-e", node.control()};
  auto ctl = [&e](std::vector<std::string> args) {
    args.insert(args.begin(), e.begin(), e.end());
    return run(kCtl, args, 30);
  };
  auto [code, out] = ctl({"status"});
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("mode local"), std::string::npos) << out;
  std::tie(code, out) = ctl({"--json", "get", "control.steering_gain"});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(json::parse(out, nullptr, false)["values"]["control.steering_gain"], 1.0) << out;
  std::tie(code, out) = ctl({"set", "control.steering_gain=1.25", "control.reverse=direct"});
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = ctl({"set", "control.rate_hz=100"});
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("not_live"), std::string::npos) << out;
  std::tie(code, out) = ctl({"mode", "turbo"});
  EXPECT_EQ(code, 1) << out;
  std::tie(code, out) = ctl({"set", "steering"});
  EXPECT_EQ(code, 2) << out;
  std::tie(code, out) = ctl({"fly"});
  EXPECT_EQ(code, 2) << out;
  std::tie(code, out) = ctl({});
  EXPECT_EQ(code, 2) << out;
  std::tie(code, out) = ctl({"--server-key", "x", "status"});
  EXPECT_EQ(code, 2) << out;
  std::tie(code, out) =
      run(kCtl, {"-e", node.control() + "-nobody", "--timeout-ms", "300", "status"}, 30);
  EXPECT_EQ(code, 3) << out;
  EXPECT_EQ(request(c, {{"cmd", "get"}})["values"]["control.steering_gain"], 1.25);

  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

TEST(ControlApi, manual_drive_moves_the_car_stops_with_the_dead_man_and_records_a_tub) {
  Node node("drive", {"--set", "control.mode=user", "--set", "telemetry.frame_every_n_ticks=5"});
  ControlClient c(node.options());
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();
  ASSERT_EQ(request(c, {{"cmd", "arm"}})["ok"], true);
  ASSERT_EQ(request(c, {{"cmd", "record"}, {"action", "start"}})["ok"], true);

  // rcpilot-ctl repeats the command at 10 Hz for 1.5 s, then stops sending.
  const auto [code, out] =
      run(kCtl, {"-e", node.control(), "drive", "0.3", "0.4", "--for", "1.5"}, 30);
  ASSERT_EQ(code, 0) << out;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(request(c, {{"cmd", "status"}})["operator"].is_null());

  const auto states = node.telemetry().of("state");
  int moving = 0;
  std::size_t last_moving = 0;
  for (std::size_t i = 0; i < states.size(); ++i) {
    const json& s = states[i];
    if (s["user"]["valid"] == true && s["reason"] == "none") {
      EXPECT_NEAR(s["user"]["steering"].get<double>(), 0.3, 1e-4);
      EXPECT_NEAR(s["steering"].get<double>(), 0.3, 1e-4) << s.dump();
      EXPECT_NEAR(s["throttle"].get<double>(), 0.4, 1e-4) << s.dump();
      ++moving;
      last_moving = i;
    }
  }
  ASSERT_GT(moving, 0) << "manual drive reached the wheels";
  ASSERT_LT(last_moving + 1, states.size());
  const json& stop = states[last_moving + 1];
  EXPECT_EQ(stop["reason"], "no_operator_input") << stop.dump();
  EXPECT_EQ(stop["user"]["valid"], false);
  EXPECT_EQ(stop["steering"], 0.0);
  EXPECT_EQ(stop["throttle"], 0.0);
  EXPECT_EQ(stop["armed"], true);
  // How soon after the last command neutral comes is the dead-man's timing, tested on stepped
  // time (OperatorInputsTest.precedence_and_dead_man_expiry); here: it comes, and stays.
  for (std::size_t i = last_moving + 1; i < states.size(); ++i) {
    EXPECT_EQ(states[i]["throttle"], 0.0) << states[i].dump();
  }

  // Recording: erase the last 10, stop, and the product's tub reader agrees.
  json rec = request(c, {{"cmd", "record"}, {"action", "erase"}, {"count", 10}})["recording"];
  EXPECT_EQ(rec["erased"], 10) << rec.dump();
  rec = request(c, {{"cmd", "record"}, {"action", "stop"}})["recording"];
  ASSERT_EQ(rec["recording"], false) << rec.dump();
  const auto total = rec["records_total"].get<std::size_t>();
  ASSERT_GT(total, 25u) << rec.dump();
  const perception::TubReader tub(node.tub());
  EXPECT_EQ(tub.deleted_count(), 10u);
  EXPECT_EQ(tub.records().size(), total - 10);
  ASSERT_FALSE(tub.records().empty());
  const auto& first = tub.records().front();
  EXPECT_NEAR(first.angle, 0.3, 1e-4);
  EXPECT_NEAR(first.throttle, 0.4, 1e-4);
  EXPECT_EQ(first.mode, "user");
  EXPECT_FALSE(tub.image(first).empty());

  // The `frame` topic, saved by rcpilot-ctl watch.
  const std::string frames = node.dir() + "/frames";
  const auto [watch_code, watch_out] = run(kCtl,
                                           {"-t", node.telemetry_endpoint(), "watch", "--duration",
                                            "2", "--save-frames", frames, "--plain"},
                                           30);
  EXPECT_EQ(watch_code, 0) << watch_out;
  EXPECT_NE(watch_out.find("user ARMED"), std::string::npos) << watch_out;
  int decoded = 0;
  for (const auto& f : fs::directory_iterator(frames)) {
    const cv::Mat img = cv::imread(f.path().string());
    EXPECT_FALSE(img.empty()) << f.path();
    if (!img.empty()) {
      EXPECT_EQ(img.cols, 224);
      EXPECT_EQ(img.rows, 224);
      ++decoded;
    }
  }
  EXPECT_GE(decoded, 5) << "2 s of frames every 5 ticks at 50 Hz (camera 30 fps)";
  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

TEST(ControlApi, sighup_reloads_live_keys_reports_the_rest_and_ignores_a_broken_file) {
  TempDir dir("sighup-config");
  const std::string path = dir.path + "/car.yaml";
  write_file(path, sim_profile_text());
  Node node("sighup", {"--config", path});
  ControlClient c(node.options());
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();
  ASSERT_EQ(request(c, {{"cmd", "get"}})["values"]["control.steering_gain"], 1.0);

  write_file(path, sim_profile_text({{"  rate_hz: 50", "  rate_hz: 40"},
                                     {"  steering_gain: 1", "  steering_gain: 1.75"}}));
  node.process().signal(SIGHUP);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (request(c, {{"cmd", "get"}})["values"]["control.steering_gain"] != 1.75 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(request(c, {{"cmd", "get"}})["values"]["control.steering_gain"], 1.75);
  EXPECT_EQ(
      request(c, {{"cmd", "get"}, {"keys", {"control.rate_hz"}}})["values"]["control.rate_hz"],
      50.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::optional<json> reload;
  for (const auto& e : node.telemetry().of("event")) {
    if (e["type"] == "reload") reload = e;
  }
  ASSERT_TRUE(reload.has_value()) << json(node.telemetry().of("event")).dump()
                                  << node.process().output();
  EXPECT_EQ((*reload)["applied"], json({"control.steering_gain"})) << reload->dump();
  EXPECT_EQ((*reload)["restart_required"], json({"control.rate_hz"})) << reload->dump();

  // A broken file, by SIGHUP or the reload command: nothing changes, a warning says why.
  const json before = state_of(c);
  write_file(path, sim_profile_text({{"  steering_gain: 1", "  steering_gain: 3"},
                                     {"  steering_trim: 0", "  steering_trim: [0"}}));
  node.process().signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the node's signal wait is 0.5 s
  EXPECT_EQ(state_of(c), before);
  bool warned = false;
  for (const auto& e : node.telemetry().of("event")) {
    if (e["type"] == "warning" && e["message"].get<std::string>().find(path) != std::string::npos) {
      warned = true;
    }
  }
  EXPECT_TRUE(warned) << node.process().output();
  expect_rejected(c, node.options(), {{"cmd", "reload"}}, "bad_file");
  write_file(path,
             sim_profile_text({{"  steering_gain: 1", "  steering_gain: 7"}}));  // out of range
  expect_rejected(c, node.options(), {{"cmd", "reload"}}, "bad_file");
  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

// Key pairs made by the real `rcpilot-ctl keygen`.
struct Keys {
  explicit Keys(const std::string& folder) : dir(folder) {
    for (const char* name : {"server", "client", "intruder"}) {
      const auto [code, out] = run(kCtl, {"keygen", dir + "/" + name}, 30);
      EXPECT_EQ(code, 0) << out;
    }
    write_file(dir + "/authorized_keys", "# the laptop\n" + read_text(dir + "/client.key"));
  }
  ClientOptions client(const std::string& endpoint, const std::string& name, int timeout_ms) const {
    ClientOptions o;
    o.endpoint = endpoint;
    o.timeout = std::chrono::milliseconds(timeout_ms);
    o.server_public_key = vehicle::read_public_key(dir + "/server.key");
    const auto mine = vehicle::read_secret_key_file(dir + "/" + name + ".key_secret");
    o.client_public_key = mine.public_key;
    o.client_secret_key = mine.secret_key;
    return o;
  }
  std::string dir;
};

TEST(ControlApi, with_curve_on_a_public_address_only_listed_client_keys_get_answers) {
  TempDir dir("curve-keys");
  const Keys keys(dir.path);
  struct stat st {};
  ASSERT_EQ(stat((dir.path + "/server.key_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(run(kCtl, {"keygen", dir.path + "/server"}, 30).first, 2) << "never overwrites";

  Node node("curve", {"--set", "control_api.endpoint=tcp://0.0.0.0:*", "--set",
                      "control_api.curve_secret_key=" + dir.path + "/server.key_secret", "--set",
                      "control_api.curve_authorized_keys=" + dir.path + "/authorized_keys"});
  // The port ZeroMQ chose, from the log line.
  std::smatch m;
  std::string output;
  const std::regex bound(R"(control API on tcp://0\.0\.0\.0:(\d+) \(CURVE\))");
  for (int i = 0; i < 600 && !std::regex_search(output = node.process().output(), m, bound); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(m.empty()) << output;
  const std::string endpoint = "tcp://127.0.0.1:" + m[1].str();

  const ClientOptions allowed = keys.client(endpoint, "client", 3000);
  ControlClient c(allowed);
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();
  {
    SCOPED_TRACE("commands over CURVE");
    check_commands(c);
  }
  {
    SCOPED_TRACE("rejections over CURVE");
    check_rejections(c, allowed);
  }

  // Strangers get no answer at all, and what they asked for does not happen.
  const json before = state_of(c);
  ControlClient intruder(keys.client(endpoint, "intruder", 1000));
  EXPECT_FALSE(intruder.request({{"cmd", "estop"}}).has_value());
  ClientOptions plain_options;
  plain_options.endpoint = endpoint;
  plain_options.timeout = std::chrono::milliseconds(1000);
  ControlClient plain(plain_options);
  EXPECT_FALSE(plain.request({{"cmd", "estop"}}).has_value());
  EXPECT_FALSE(plain.request_text("{").has_value());
  EXPECT_EQ(state_of(c), before);

  // rcpilot-ctl over CURVE.
  const std::string server_key = dir.path + "/server.key";
  auto [code, out] = run(kCtl,
                         {"-e", endpoint, "--server-key", server_key, "--key",
                          dir.path + "/client.key_secret", "status"},
                         30);
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = run(kCtl,
                            {"-e", endpoint, "--server-key", server_key, "--key",
                             dir.path + "/intruder.key_secret", "--timeout-ms", "1000", "estop"},
                            30);
  EXPECT_EQ(code, 3) << out;
  std::tie(code, out) = run(kCtl, {"-e", endpoint, "--timeout-ms", "1000", "estop"}, 30);
  EXPECT_EQ(code, 3) << out;
  std::tie(code, out) =
      run(kCtl, {"-e", endpoint, "--server-key", server_key, "--key", server_key, "status"}, 30);
  EXPECT_EQ(code, 2) << "a public key file is not a secret key: " << out;
  EXPECT_EQ(state_of(c), before);
  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

TEST(ControlApi, unsafe_or_broken_security_settings_stop_the_node_with_exit_code_2) {
  TempDir dir("curve-config");
  const std::string telemetry = private_endpoint("refused");
  auto node = [&telemetry](std::vector<std::string> args) {
    args.insert(args.end(), {"--set", "telemetry.endpoint=" + telemetry, "--set",
                             "control.mode=user", "--duration", "20"});
    return run(kRcpilot, args, 60);
  };
  auto [code, out] = node({"--set", "control_api.endpoint=tcp://0.0.0.0:5599"});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("control_api.endpoint"), std::string::npos) << out;

  const std::string missing = dir.path + "/missing.key_secret";
  write_file(dir.path + "/authorized_keys", "");
  std::tie(code, out) =
      node({"--set", "control_api.endpoint=tcp://0.0.0.0:5599", "--set",
            "control_api.curve_secret_key=" + missing, "--set",
            "control_api.curve_authorized_keys=" + dir.path + "/authorized_keys"});
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(missing), std::string::npos) << out;
}

}  // namespace
}  // namespace rcpilot::testing
