// rcpilot-ctl: the operator's command line for a running rcpilot (control API and telemetry).
// Exit codes: 0 done, 1 the node refused the request, 2 bad usage or key file, 3 no answer.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ctl/control_client.hpp"
#include "ctl/ctl_watch.hpp"
#include "ctl/curve_keys.hpp"

namespace rcpilot::ctl {
namespace {

using nlohmann::json;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoAnswer = 3;

struct Options {
  std::string endpoint = "tcp://127.0.0.1:5557";
  std::string telemetry = "tcp://127.0.0.1:5556";
  std::string server_key;  // server public key: file or Z85
  std::string client_key;  // client secret key file
  int timeout_ms = 2000;
  bool json_out = false;
};

vehicle::ClientOptions client_options(const Options& o) {
  vehicle::ClientOptions c;
  c.endpoint = o.endpoint;
  c.timeout = std::chrono::milliseconds(o.timeout_ms);
  if (!o.server_key.empty()) {
    if (o.client_key.empty()) {
      throw vehicle::KeyFileError("--server-key needs --key with this client's secret key file");
    }
    c.server_public_key = vehicle::read_public_key(o.server_key);
    const auto mine = vehicle::read_secret_key_file(o.client_key);
    c.client_public_key = mine.public_key;
    c.client_secret_key = mine.secret_key;
  }
  return c;
}

// Sends one request and prints the reply; the exit code says how it went.
int call(const Options& o, const json& request, bool quiet = false) {
  vehicle::ControlClient client(client_options(o));
  const auto reply = client.request(request);
  if (!reply) {
    std::fprintf(stderr,
                 "rcpilot-ctl: no answer from %s within %d ms: is rcpilot running, and with "
                 "CURVE, are --server-key and --key right and the key authorized?\n",
                 o.endpoint.c_str(), o.timeout_ms);
    return kExitNoAnswer;
  }
  const bool ok = reply->value("ok", false);
  if (!ok) {
    std::fprintf(stderr, "rcpilot-ctl: refused (%s): %s\n", reply->value("error", "?").c_str(),
                 reply->value("message", "").c_str());
    return kExitRefused;
  }
  if (o.json_out) {
    std::printf("%s\n", reply->dump(2).c_str());
  } else if (!quiet) {
    std::printf("%s", vehicle::format_reply(request.value("cmd", ""), *reply).c_str());
  }
  return 0;
}

// `set key=value ...`: a value that parses as JSON keeps its type, anything else is a string.
json parse_assignments(const std::vector<std::string>& assignments) {
  json values = json::object();
  for (const auto& a : assignments) {
    const auto eq = a.find('=');
    if (eq == std::string::npos) throw CLI::ValidationError("set", "expected key=value, got " + a);
    const std::string text = a.substr(eq + 1);
    json v = json::parse(text, nullptr, false);
    values[a.substr(0, eq)] = v.is_discarded() ? json(text) : v;
  }
  return values;
}

// Manual drive for `seconds`, repeated at 10 Hz so the node's dead-man never trips; the car
// stops by itself when this stops (Ctrl-C included).
int drive(const Options& o, double steering, double throttle, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  const json request = {{"cmd", "drive"}, {"steering", steering}, {"throttle", throttle}};
  do {
    if (const int rc = call(o, request, true); rc != 0) return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < until);
  return 0;
}

int keygen(const std::string& base) {
  const auto keys = vehicle::generate_curve_keypair();
  vehicle::write_curve_keypair(keys, base);
  std::printf("public key %s\nwrote %s.key (public) and %s.key_secret (secret, mode 0600)\n",
              keys.public_key.c_str(), base.c_str(), base.c_str());
  return 0;
}

}  // namespace
}  // namespace rcpilot::ctl

int main(int argc, char** argv) {
  using namespace rcpilot;
  using nlohmann::json;
  ctl::Options o;
  CLI::App app{"rcpilot-ctl: control and watch a running rcpilot (docs/control.md)"};
  app.require_subcommand(1);
  app.add_option("-e,--endpoint", o.endpoint, "control API address")->capture_default_str();
  app.add_option("-t,--telemetry", o.telemetry, "telemetry address (watch)")->capture_default_str();
  app.add_option("--server-key", o.server_key, "CURVE: the node's public key (file or Z85)");
  app.add_option("--key", o.client_key, "CURVE: this client's .key_secret file");
  app.add_option("--timeout-ms", o.timeout_ms, "wait this long for an answer")
      ->capture_default_str();
  app.add_flag("--json", o.json_out, "print replies as JSON");

  json request;
  auto simple = [&](const char* name, const char* help) {
    app.add_subcommand(name, help)->callback([&request, name] { request = {{"cmd", name}}; });
  };
  simple("status", "mode, arming, safety reason, loop and pilot figures");
  simple("arm", "arm the car (refused unless operator input is neutral)");
  simple("disarm", "disarm the car");
  simple("estop", "latch the e-stop (clear_estop and arm to drive again)");
  simple("clear_estop", "clear a latched e-stop; the car stays disarmed");
  simple("reload", "reload the config file (live keys only)");

  std::string mode;
  app.add_subcommand("mode", "set the drive mode")
      ->callback([&] {
        request = {{"cmd", "mode"}, {"mode", mode}};
      })
      ->add_option("mode", mode, "user, local_angle or local")
      ->required();

  std::vector<std::string> keys;
  app.add_subcommand("get", "show live tunables (all, or the keys named)")
      ->callback([&] {
        request = {{"cmd", "get"}};
        if (!keys.empty()) request["keys"] = keys;
      })
      ->add_option("keys", keys, "section.key ...");

  std::vector<std::string> assignments;
  app.add_subcommand("set", "change live tunables at once, all or nothing")
      ->callback([&] {
        request = {{"cmd", "set"}, {"values", ctl::parse_assignments(assignments)}};
      })
      ->add_option("assignments", assignments, "section.key=value ...")
      ->required();

  std::string action;
  int count = 100;
  auto* record = app.add_subcommand("record", "start or stop recording, erase the last N records");
  record->add_option("action", action, "start, stop or erase")
      ->required()
      ->check(CLI::IsMember({"start", "stop", "erase"}));
  record->add_option("count", count, "erase: how many records")->capture_default_str();
  record->callback([&] {
    request = {{"cmd", "record"}, {"action", action}};
    if (action == "erase") request["count"] = count;
  });

  double steering = 0, throttle = 0, seconds = 1;
  auto* drive = app.add_subcommand("drive", "drive by hand for a while (dead-man: stops after)");
  drive->add_option("steering", steering, "-1 .. 1")->required();
  drive->add_option("throttle", throttle, "-1 .. 1")->required();
  drive->add_option("--for", seconds, "seconds")->capture_default_str();

  vehicle::WatchOptions watch_opt;
  auto* watch = app.add_subcommand("watch", "live view of the node's telemetry");
  watch->add_option("--duration", watch_opt.duration_s, "stop after this many seconds (0: Ctrl-C)");
  watch->add_option("--save-frames", watch_opt.save_frames_dir,
                    "write `frame` JPEGs there (needs telemetry.frame_every_n_ticks > 0)");
  watch->add_flag("--plain", watch_opt.plain, "one line per refresh instead of a full screen");

  std::string key_base;
  app.add_subcommand("keygen", "make a CURVE key pair: NAME.key and NAME.key_secret")
      ->add_option("name", key_base, "file name without extension")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : ctl::kExitUsage;
  }
  try {
    if (app.got_subcommand("keygen")) return ctl::keygen(key_base);
    if (app.got_subcommand("drive")) return ctl::drive(o, steering, throttle, seconds);
    if (app.got_subcommand("watch")) {
      watch_opt.endpoint = o.telemetry;
      return vehicle::run_watch(watch_opt);
    }
    return ctl::call(o, request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rcpilot-ctl: %s\n", e.what());
    return ctl::kExitUsage;
  }
}
