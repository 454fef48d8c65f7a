#include "web/hub.hpp"

#include "web/browser_message.hpp"

namespace rcpilot::web {

using nlohmann::json;

namespace {

Payload to_payload(const json& message) {
  return std::make_shared<const std::string>(
      message.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

Hub::Hub(NodeLink& node, const Clock& clock, std::function<void(std::function<void()>)> post)
    : node_(node), clock_(clock), post_(std::move(post)) {}

std::uint64_t Hub::join(std::shared_ptr<Client> client) {
  const std::uint64_t id = next_id_++;
  clients_[id] = Entry{std::move(client), "page " + std::to_string(id)};
  send(id, json{{"t", "welcome"}, {"id", id}});
  broadcast_controls();
  return id;
}

void Hub::leave(std::uint64_t id) {
  if (owner_.release(id)) {
    node_.drive(0.0, 0.0);
    clients_.erase(id);
    broadcast_controls();
    return;
  }
  clients_.erase(id);
}

void Hub::on_text(std::uint64_t id, std::string_view text) {
  if (clients_.count(id) == 0) return;
  owner_.seen(id, clock_.now());
  const ParsedMessage parsed = parse_browser_message(text);
  if (!parsed.message) {
    send(id, json{{"t", "error"}, {"message", parsed.error}});
    return;
  }
  const BrowserMessage& m = *parsed.message;
  switch (m.kind) {
    case MessageKind::kHello:
      clients_[id].name = m.name;
      broadcast_controls();
      break;
    case MessageKind::kClaim:
    case MessageKind::kRelease:
      handle_claim(id, m.kind == MessageKind::kClaim);
      break;
    case MessageKind::kDrive:
      if (owner_.holds(id)) node_.drive(m.steering, m.throttle);
      break;
    case MessageKind::kPing:
      send(id, json{{"t", "pong"}, {"c", m.id}});
      break;
    case MessageKind::kCommand:
      if (m.needs_controls && !owner_.holds(id)) {
        refuse(id, m.id, "not_holder",
               "this page does not hold the drive controls: take them first (Take controls)");
      } else {
        forward(id, m.request, m.id);
      }
      break;
  }
}

void Hub::handle_claim(std::uint64_t id, bool claim) {
  if (claim) {
    if (!owner_.claim(id, clients_[id].name, clock_.now())) {
      send(id,
           json{{"t", "error"}, {"message", owner_.holder()->name + " holds the drive controls"}});
    }
  } else if (owner_.release(id)) {
    node_.drive(0.0, 0.0);
  }
  broadcast_controls();
}

void Hub::forward(std::uint64_t id, const json& request, const json& reply_id) {
  auto done = [this, id, reply_id](const json& reply) {
    post_([this, id, reply_id, reply] {
      json out = reply;
      out["t"] = "reply";
      out["id"] = reply_id;
      send(id, out);
    });
  };
  if (!node_.submit(request, done)) {
    refuse(id, reply_id, "busy", "too many requests wait for rcpilot: try again");
  }
}

void Hub::refuse(std::uint64_t id, const json& reply_id, const std::string& error,
                 const std::string& message) {
  send(
      id,
      json{
          {"t", "reply"}, {"id", reply_id}, {"ok", false}, {"error", error}, {"message", message}});
}

void Hub::poll_status() {
  if (status_pending_) return;
  status_pending_ = true;
  const bool queued = node_.submit(json{{"cmd", "status"}}, [this](const json& reply) {
    post_([this, reply] {
      status_pending_ = false;
      const json path = reply.value("recording", json::object()).value("path", json());
      if (path.is_string()) tub_path_ = path.get<std::string>();
      json out = reply;
      out["t"] = "status";
      broadcast(to_payload(out));
    });
  });
  if (!queued) status_pending_ = false;
}

void Hub::on_state(const Payload& message) {
  for (auto& [id, entry] : clients_) {
    entry.client->outbox().offer_state(message);
    entry.client->flush();
  }
}

void Hub::on_frame(const Payload& message, std::uint64_t frame_seq) {
  for (auto& [id, entry] : clients_) {
    entry.client->outbox().offer_frame(message, frame_seq);
    entry.client->flush();
  }
}

void Hub::on_other(const Payload& message) { broadcast(message); }

void Hub::send(std::uint64_t id, const json& message) {
  const auto it = clients_.find(id);
  if (it == clients_.end()) return;
  it->second.client->outbox().push(to_payload(message));
  it->second.client->flush();
}

void Hub::broadcast(const Payload& message) {
  for (auto& [id, entry] : clients_) {
    entry.client->outbox().push(message);
    entry.client->flush();
  }
}

void Hub::broadcast_controls() {
  const auto& holder = owner_.holder();
  for (auto& [id, entry] : clients_) {
    send(id, json{{"t", "controls"},
                  {"holder", holder ? json(holder->name) : json()},
                  {"mine", owner_.holds(id)},
                  {"watchers", clients_.size()}});
  }
}

}  // namespace rcpilot::web
