#include "ctl/control_client.hpp"

#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

namespace rcpilot::vehicle {

struct ControlClient::Socket {
  zmq::context_t context{1};
  std::unique_ptr<zmq::socket_t> req;
};

ControlClient::ControlClient(const ClientOptions& options)
    : options_(options), socket_(std::make_unique<Socket>()) {
  connect();
}

ControlClient::~ControlClient() = default;

void ControlClient::connect() {
  socket_->req = std::make_unique<zmq::socket_t>(socket_->context, zmq::socket_type::req);
  zmq::socket_t& req = *socket_->req;
  zmq_options::set(req, ZMQ_LINGER, 0);
  zmq_options::set(req, ZMQ_RCVTIMEO, static_cast<int>(options_.timeout.count()));
  zmq_options::set(req, ZMQ_SNDTIMEO, static_cast<int>(options_.timeout.count()));
  if (!options_.server_public_key.empty()) {
    zmq_options::set(req, ZMQ_CURVE_SERVERKEY, options_.server_public_key);
    zmq_options::set(req, ZMQ_CURVE_PUBLICKEY, options_.client_public_key);
    zmq_options::set(req, ZMQ_CURVE_SECRETKEY, options_.client_secret_key);
  }
  req.connect(options_.endpoint);
}

std::optional<std::string> ControlClient::request_text(const std::string& text) {
  zmq::socket_t& req = *socket_->req;
  zmq::message_t reply;
  if (!req.send(zmq::buffer(text), zmq::send_flags::none) ||
      !req.recv(reply, zmq::recv_flags::none)) {
    connect();  // a REQ socket that missed its reply cannot send again
    return std::nullopt;
  }
  return reply.to_string();
}

std::optional<nlohmann::json> ControlClient::request(const nlohmann::json& request) {
  const auto text =
      request_text(request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!text) return std::nullopt;
  return nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace rcpilot::vehicle
