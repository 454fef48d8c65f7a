// rcpilot-web: the browser dashboard for a running rcpilot (docs/web.md). It talks to the node
// only through telemetry (ZeroMQ SUB) and the control API (REQ), so no browser can slow the
// control loop. Exit codes: 0 stopped by SIGINT/SIGTERM, 1 failed while running, 2 bad command
// line, config, token or key file (nothing started).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/command_line.hpp"
#include "config/program.hpp"
#include "ctl/curve_keys.hpp"
#include "web/access.hpp"
#include "web/control_bridge.hpp"
#include "web/io_handoff.hpp"
#include "web/server.hpp"
#include "web/telemetry_feed.hpp"
#include "web/web_options.hpp"

namespace rcpilot::web {
namespace {

namespace asio = boost::asio;

struct Options {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string bind, token, www, control, telemetry, server_key, client_key;
  int port = 0;  // 0: web.port
  int timeout_ms = 2000;
};

// The page's files: --www, else www/ beside the executable, else ../share/rcpilot/www.
std::string find_www(const std::string& given) {
  namespace fs = std::filesystem;
  if (!given.empty()) return given;
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path();
  for (const fs::path& dir : {exe / "www", exe / ".." / "share" / "rcpilot" / "www"}) {
    if (fs::exists(dir / "index.html")) return dir.lexically_normal().string();
  }
  return (exe / "www").string();
}

vehicle::ClientOptions client_options(const Options& o, const config::Config& c) {
  vehicle::ClientOptions client;
  client.endpoint = o.control.empty() ? connect_address(c.control_api.endpoint) : o.control;
  client.timeout = std::chrono::milliseconds(o.timeout_ms);
  vehicle::use_curve_keys(client, o.server_key, o.client_key);
  return client;
}

std::optional<int> parse(int argc, char** argv, Options& o) {
  namespace po = cli::po;
  cli::CommandLine command_line("rcpilot-web", "the browser dashboard for a running rcpilot");
  cli::add_config_options(command_line.options(), &o.config_path, &o.overrides);
  command_line.options()
      .option("bind", po::value(&o.bind), "listen address (default web.bind, 127.0.0.1)")
      .option("port", po::value(&o.port)->notifier(cli::in_range("--port", 1, 65535)),
              "TCP port (default web.port, 8887)")
      .option("token", po::value(&o.token), "secret every request needs (default web.token)")
      .option("www", po::value(&o.www),
              "folder of the page's files (default: www/ beside "
              "the program)")
      .option("control", po::value(&o.control),
              "control API address (default: from control_api.endpoint)")
      .option("telemetry", po::value(&o.telemetry),
              "telemetry address (default: from telemetry.endpoint)")
      .option("server-key", po::value(&o.server_key), "CURVE: the node's public key")
      .option("key", po::value(&o.client_key), "CURVE: this program's .key_secret file")
      .option("timeout-ms",
              po::value(&o.timeout_ms)
                  ->default_value(o.timeout_ms)
                  ->notifier(cli::in_range("--timeout-ms", 100, 60000)),
              "wait this long for the node's answer");
  return command_line.parse(argc, argv);
}

}  // namespace

int run(int argc, char** argv) {
  Options o;
  if (const auto code = parse(argc, argv, o)) return *code;
  const auto loaded = app::load_config_or_report("rcpilot-web", o.config_path, o.overrides);
  if (!loaded) return app::kExitConfigError;
  const config::Config& c = *loaded;
  ServerOptions server;
  server.bind = o.bind.empty() ? c.web.bind : o.bind;
  server.port = static_cast<std::uint16_t>(o.port ? o.port : c.web.port);
  server.token = o.token.empty() ? c.web.token : o.token;
  server.www_dir = find_www(o.www);
  server.schema_json = schema_json();
  if (const std::string problem = bind_problem(server.bind, server.token); !problem.empty()) {
    std::fprintf(stderr, "rcpilot-web: %s\n", problem.c_str());
    return app::kExitConfigError;
  }
  vehicle::ClientOptions client;
  try {
    client = client_options(o, c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rcpilot-web: %s\n", e.what());
    return app::kExitConfigError;
  }
  const std::string telemetry =
      o.telemetry.empty() ? connect_address(c.telemetry.endpoint) : o.telemetry;
  if (c.telemetry.frame_every_n_ticks == 0) {
    std::fprintf(stderr,
                 "rcpilot-web: note: telemetry.frame_every_n_ticks is 0 in this "
                 "config, so the node sends no camera frames (set it to 2)\n");
  }

  asio::io_context io;
  SteadyClock clock;
  ControlBridge bridge(client);
  struct Link final : NodeLink {
    explicit Link(ControlBridge& b) : bridge(b) {}
    bool submit(nlohmann::json r, Done d) override { return bridge.submit(std::move(r), d); }
    void drive(double s, double t) override { bridge.drive(s, t); }
    ControlBridge& bridge;
  } link(bridge);
  Hub hub(link, clock, [&io](std::function<void()> f) { asio::post(io, std::move(f)); });
  std::optional<Server> listening;
  try {
    listening.emplace(io, server, hub);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rcpilot-web: %s\n", e.what());
    return app::kExitConfigError;
  }
  // Feed thread -> I/O thread: one drain posted at a time, only the newest frame and state kept.
  LatestHandoff<Payload> states;
  LatestHandoff<std::pair<Payload, std::uint64_t>> frames;
  QueueHandoff<Payload> others(64);
  FeedSinks sinks;
  sinks.state = [&](Payload m) {
    if (states.put(std::move(m))) {
      asio::post(io, [&] {
        if (auto s = states.take()) hub.on_state(*s);
      });
    }
  };
  sinks.frame = [&](Payload m, std::uint64_t seq) {
    if (frames.put({std::move(m), seq})) {
      asio::post(io, [&] {
        if (auto f = frames.take()) hub.on_frame(f->first, f->second);
      });
    }
  };
  sinks.other = [&](Payload m) {
    if (others.put(std::move(m))) {
      asio::post(io, [&] {
        for (const Payload& message : others.take()) hub.on_other(message);
      });
    }
  };
  TelemetryFeed feed(telemetry, sinks);

  asio::steady_timer poll(io);
  std::function<void()> schedule = [&] {
    poll.expires_after(std::chrono::milliseconds(500));
    poll.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      hub.poll_status();
      schedule();
    });
  };
  schedule();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  std::printf("rcpilot-web on http://%s:%u/ (www %s, control %s, telemetry %s%s)\n",
              server.bind.c_str(), listening->port(), server.www_dir.c_str(),
              client.endpoint.c_str(), telemetry.c_str(),
              server.token.empty() ? "" : ", token required");
  std::fflush(stdout);
  io.run();
  if (hub.owner().holder()) bridge.drive(0.0, 0.0);  // the bridge sends it before it stops
  return app::kExitOk;
}

}  // namespace rcpilot::web

int main(int argc, char** argv) { return rcpilot::web::run(argc, argv); }
