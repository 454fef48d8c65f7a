#pragma once
// The browsers connected to rcpilot-web and what flows between them and the node: telemetry
// fans out to every page (each through its own Outbox), messages from pages are checked and
// forwarded to the control API, and only the page holding the drive controls may drive or
// change anything (any page may e-stop, disarm and read). When the holder's socket closes the
// hub sends neutral at once. Single-threaded: everything runs on the server's I/O thread;
// replies from the node come back through `post`.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "web/drive_owner.hpp"
#include "web/outbox.hpp"

namespace rcpilot::web {

// One browser socket as the hub sees it.
class Client {
 public:
  virtual ~Client() = default;
  virtual Outbox& outbox() = 0;
  // Starts writing the outbox's next message when no write is in flight.
  virtual void flush() = 0;
};

// The node's control API as the hub uses it (ControlBridge; a fake in tests).
class NodeLink {
 public:
  using Done = std::function<void(const nlohmann::json& reply)>;
  virtual ~NodeLink() = default;
  // Queues a request; false when too many wait. `done` may run on another thread.
  virtual bool submit(nlohmann::json request, Done done) = 0;
  // Operator input, -1 .. 1 each; only the newest waits.
  virtual void drive(double steering, double throttle) = 0;
};

class Hub {
 public:
  // `post` runs a function on the I/O thread (asio::post); `clock` gives `now`.
  Hub(NodeLink& node, const Clock& clock, std::function<void(std::function<void()>)> post);

  std::uint64_t join(std::shared_ptr<Client> client);
  // The socket closed: a holder's controls are released and neutral is sent.
  void leave(std::uint64_t id);
  // One text message from a browser.
  void on_text(std::uint64_t id, std::string_view text);

  void on_state(const Payload& message);
  void on_frame(const Payload& message, std::uint64_t frame_seq);
  void on_other(const Payload& message);
  // Asks the node for `status` (unless an answer is still awaited) and sends it to every page.
  void poll_status();

  const DriveOwner& owner() const { return owner_; }
  // The node's tub folder as its last `status` reported it (recording.path); "" before.
  const std::string& tub_path() const { return tub_path_; }
  std::size_t clients() const { return clients_.size(); }

 private:
  struct Entry {
    std::shared_ptr<Client> client;
    std::string name;
  };
  void send(std::uint64_t id, const nlohmann::json& message);
  void broadcast(const Payload& message);
  void broadcast_controls();
  void forward(std::uint64_t id, const nlohmann::json& request, const nlohmann::json& reply_id);
  void handle_claim(std::uint64_t id, bool claim);
  void refuse(std::uint64_t id, const nlohmann::json& reply_id, const std::string& error,
              const std::string& message);

  NodeLink& node_;
  const Clock& clock_;
  std::function<void(std::function<void()>)> post_;
  std::map<std::uint64_t, Entry> clients_;
  std::uint64_t next_id_ = 1;
  DriveOwner owner_;
  bool status_pending_ = false;
  std::string tub_path_;
};

}  // namespace rcpilot::web
