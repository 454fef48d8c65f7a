#pragma once
// The control API on a ZeroMQ ROUTER socket (clients use REQ). Loopback (or ipc://) by
// default; any other address is refused unless CURVE keys are configured, and then a ZAP
// handler lets in only the client public keys listed in control_api.curve_authorized_keys.
// One server thread reads every pending request, applies e-stops first and answers the quick
// commands itself; `record` and `reload`, which may wait on the disk, run on a second thread
// (the slow worker) and their replies go out when done. docs/control.md states the guarantee.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/worker.hpp"

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
  // Requests answered, connections refused by the key check, slow requests refused as busy.
  std::uint64_t served() const { return served_.load(); }
  std::uint64_t refused() const { return refused_.load(); }
  std::uint64_t busy() const { return busy_.load(); }

 private:
  struct Sockets;
  struct Request;
  struct SlowJob;
  // Server keys and the ZAP handler that admits only the authorized client keys.
  void use_curve(const config::ControlApiConfig& cfg);
  void run();
  void answer_zap();
  // Reads up to kMaxBatch pending requests without waiting.
  void read_batch(std::vector<Request>& batch);
  // E-stops first, then the rest in arrival order; slow ones go to the slow worker.
  void serve(std::vector<Request>& batch);
  void serve_one(Request& r);
  void answer(const std::vector<std::string>& envelope, const std::string& reply);
  // The slow worker's body: runs queued `record` and `reload` requests one at a time.
  void run_slow_jobs();
  // Sends the replies the slow worker finished (server thread).
  void send_finished();

  ControlHandler& handler_;
  std::size_t max_request_bytes_;
  std::set<std::string> authorized_;  // Z85 client public keys; empty: no CURVE
  std::unique_ptr<Sockets> sockets_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> served_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> busy_{0};

  // Slow requests: the server thread queues them, the slow worker runs them and queues the
  // reply text for the server thread, waking its poll through `finished_fd_` (an eventfd).
  Worker slow_worker_;
  std::mutex slow_mutex_;
  std::condition_variable slow_wake_;
  std::deque<SlowJob> slow_jobs_;
  std::deque<std::pair<std::vector<std::string>, std::string>> finished_;
  int finished_fd_ = -1;
};

}  // namespace rcpilot::vehicle
