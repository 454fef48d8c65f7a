#pragma once
// The client side of the control API (rcpilot-ctl, tests): one REQ socket, optional CURVE.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace rcpilot::vehicle {

struct ClientOptions {
  std::string endpoint = "tcp://127.0.0.1:5557";
  std::string server_public_key;  // Z85; empty: no CURVE
  std::string client_public_key;  // Z85 (with CURVE)
  std::string client_secret_key;  // Z85 (with CURVE)
  std::chrono::milliseconds timeout{2000};
};

class ControlClient {
 public:
  explicit ControlClient(const ClientOptions& options);
  ~ControlClient();

  // Sends `request` and waits for the reply; nullopt on timeout (the node is not running, or a
  // CURVE handshake was refused). After a timeout the client reconnects for the next request.
  std::optional<nlohmann::json> request(const nlohmann::json& request);
  // Sends raw bytes (tests: malformed requests); the reply text, or nullopt on timeout.
  std::optional<std::string> request_text(const std::string& text);

 private:
  struct Socket;
  void connect();

  ClientOptions options_;
  std::unique_ptr<Socket> socket_;
};

}  // namespace rcpilot::vehicle
