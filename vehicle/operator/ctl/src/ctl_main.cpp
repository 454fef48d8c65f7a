// rcpilot-ctl: the operator's command line for a running rcpilot (control API and telemetry).
// Exit codes: 0 done, 1 the node refused the request, 2 bad usage or key file, 3 no answer.
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/command_line.hpp"

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
  vehicle::use_curve_keys(c, o.server_key, o.client_key);
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
    if (eq == std::string::npos) throw std::invalid_argument("set: expected key=value, got " + a);
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

// What the commands' arguments fill in.
struct CommandArgs {
  std::string mode;
  std::vector<std::string> keys;                   // get
  std::vector<std::string> assignments;            // set
  std::string action;                              // record
  int count = 100;                                 // record erase
  double steering = 0, throttle = 0, seconds = 1;  // drive
  vehicle::WatchOptions watch;
  std::string key_base;  // keygen
};

void add_options(cli::CommandLine& command_line, Options& o) {
  namespace po = cli::po;
  command_line.require_command();
  command_line.options()
      .option("endpoint,e", po::value(&o.endpoint)->default_value(o.endpoint),
              "control API address")
      .option("telemetry,t", po::value(&o.telemetry)->default_value(o.telemetry),
              "telemetry address (watch)")
      .option("server-key", po::value(&o.server_key), "CURVE: the node's public key (file or Z85)")
      .option("key", po::value(&o.client_key), "CURVE: this client's .key_secret file")
      .option("timeout-ms", po::value(&o.timeout_ms)->default_value(o.timeout_ms),
              "wait this long for an answer")
      .flag("json", &o.json_out, "print replies as JSON");
}

void add_commands(cli::CommandLine& command_line, CommandArgs& a) {
  namespace po = cli::po;
  command_line.command("status", "mode, arming, safety reason, loop and pilot figures");
  command_line.command("arm", "arm the car (refused unless operator input is neutral)");
  command_line.command("disarm", "disarm the car");
  command_line.command("estop", "latch the e-stop (clear_estop and arm to drive again)");
  command_line.command("clear_estop", "clear a latched e-stop; the car stays disarmed");
  command_line.command("reload", "reload the config file (live keys only)");
  command_line.command("mode", "set the drive mode")
      .positional("mode", po::value(&a.mode)->required(), "user, local_angle or local");
  command_line.command("get", "show live tunables (all, or the keys named)")
      .positional("keys", po::value(&a.keys), "section.key ...", -1);
  command_line.command("set", "change live tunables at once, all or nothing")
      .positional("assignments", po::value(&a.assignments)->required(), "section.key=value ...",
                  -1);
  command_line.command("record", "start or stop recording, erase the last N records")
      .positional("action",
                  po::value(&a.action)->required()->notifier(
                      cli::one_of("action", {"start", "stop", "erase"})),
                  "start, stop or erase")
      .positional("count", po::value(&a.count)->default_value(a.count), "erase: how many records");
  command_line.command("drive", "drive by hand for a while (dead-man: stops after)")
      .positional("steering", po::value(&a.steering)->required(), "-1 .. 1")
      .positional("throttle", po::value(&a.throttle)->required(), "-1 .. 1")
      .option("for", po::value(&a.seconds)->default_value(a.seconds), "seconds");
  command_line.command("watch", "live view of the node's telemetry")
      .option("duration", po::value(&a.watch.duration_s),
              "stop after this many seconds (0: Ctrl-C)")
      .option("save-frames", po::value(&a.watch.save_frames_dir),
              "write `frame` JPEGs there (needs telemetry.frame_every_n_ticks > 0)")
      .flag("plain", &a.watch.plain, "one line per refresh instead of a full screen");
  command_line.command("keygen", "make a CURVE key pair: NAME.key and NAME.key_secret")
      .positional("name", po::value(&a.key_base)->required(), "file name without extension");
}

// The control API request of a request-reply command.
json request_of(const std::string& command, const CommandArgs& a) {
  if (command == "mode") return {{"cmd", "mode"}, {"mode", a.mode}};
  if (command == "get") {
    json request = {{"cmd", "get"}};
    if (!a.keys.empty()) request["keys"] = a.keys;
    return request;
  }
  if (command == "set") return {{"cmd", "set"}, {"values", parse_assignments(a.assignments)}};
  if (command == "record") {
    json request = {{"cmd", "record"}, {"action", a.action}};
    if (a.action == "erase") request["count"] = a.count;
    return request;
  }
  return {{"cmd", command}};
}

}  // namespace
}  // namespace rcpilot::ctl

int main(int argc, char** argv) {
  using namespace rcpilot;
  ctl::Options o;
  ctl::CommandArgs a;
  cli::CommandLine command_line{
      "rcpilot-ctl", "rcpilot-ctl: control and watch a running rcpilot (docs/control.md)"};
  ctl::add_options(command_line, o);
  ctl::add_commands(command_line, a);
  if (const auto exit_code = command_line.parse(argc, argv)) {
    return *exit_code == 0 ? 0 : ctl::kExitUsage;
  }
  const std::string& command = command_line.chosen_command();
  try {
    if (command == "keygen") return ctl::keygen(a.key_base);
    if (command == "drive") return ctl::drive(o, a.steering, a.throttle, a.seconds);
    if (command == "watch") {
      a.watch.endpoint = o.telemetry;
      return vehicle::run_watch(a.watch);
    }
    return ctl::call(o, ctl::request_of(command, a));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rcpilot-ctl: %s\n", e.what());
    return ctl::kExitUsage;
  }
}
