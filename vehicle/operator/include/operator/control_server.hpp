#pragma once
// The control API on ZeroMQ REP (one thread). Loopback (or ipc://) by default; any other
// address is refused unless CURVE keys are configured, and then a ZAP handler lets in only the
// client public keys listed in control_api.curve_authorized_keys.
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "operator/control_api.hpp"

namespace rcpilot::vehicle {

// True for endpoints only this machine can reach: tcp on 127.0.0.0/8, localhost, ::1 or lo;
// ipc:// and inproc://.
bool is_local_endpoint(const std::string& endpoint);

class ControlServer {
 public:
  // Checks the security settings and binds. Throws config::ConfigError naming the control_api
  // key when the endpoint needs CURVE and has none, or a key file is unusable; throws
  // std::runtime_error when the address cannot be bound. Key file paths must be resolved
  // (config::resolve_path) already.
  ControlServer(const config::ControlApiConfig& cfg, ControlHandler& handler);
  ~ControlServer();

  void start();
  void stop();
  // The address actually bound (resolves a `tcp://host:*` wildcard port).
  std::string bound_endpoint() const;
  bool curve() const { return !authorized_.empty(); }
  // Requests answered and connections refused by the key check.
  std::uint64_t served() const { return served_.load(); }
  std::uint64_t refused() const { return refused_.load(); }

 private:
  struct Sockets;
  // Server keys and the ZAP handler that admits only the authorized client keys.
  void use_curve(const config::ControlApiConfig& cfg);
  void run();
  void answer_zap();
  void answer_request();

  ControlHandler& handler_;
  std::set<std::string> authorized_;  // Z85 client public keys; empty: no CURVE
  std::unique_ptr<Sockets> sockets_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> served_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace rcpilot::vehicle
