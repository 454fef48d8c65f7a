#include "operator/control_server.hpp"

#include <array>
#include <regex>

#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

#include "config/loader.hpp"  // ConfigError
#include "ctl/curve_keys.hpp"

namespace rcpilot::vehicle {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";  // fixed by ZeroMQ's RFC 27
constexpr int kPollMs = 100;  // how often the thread checks for stop()

std::string z85(const std::string& raw_key) {
  char text[41];
  if (raw_key.size() != 32 ||
      zmq_z85_encode(text, reinterpret_cast<const std::uint8_t*>(raw_key.data()), 32) == nullptr) {
    return {};
  }
  return text;
}

}  // namespace

struct ControlServer::Sockets {
  zmq::context_t context{1};
  zmq::socket_t zap{context, zmq::socket_type::rep};
  zmq::socket_t rep{context, zmq::socket_type::rep};
};

bool is_local_endpoint(const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) == 0 || endpoint.rfind("inproc://", 0) == 0) return true;
  static const std::regex local(R"(^tcp://(127\.\d+\.\d+\.\d+|localhost|\[::1\]|lo)(:[0-9*]+)?$)");
  return std::regex_match(endpoint, local);
}

ControlServer::ControlServer(const config::ControlApiConfig& cfg, ControlHandler& handler)
    : handler_(handler), sockets_(std::make_unique<Sockets>()) {
  const bool wants_curve = !cfg.curve_secret_key.empty();
  if (!wants_curve && !is_local_endpoint(cfg.endpoint)) {
    throw config::ConfigError(
        "control_api.endpoint '" + cfg.endpoint +
        "' is reachable from other machines: set control_api.curve_secret_key and "
        "control_api.curve_authorized_keys (make keys with `rcpilot-ctl keygen`), or bind to "
        "tcp://127.0.0.1");
  }
  if (wants_curve) use_curve(cfg);
  zmq_options::set(sockets_->rep, ZMQ_LINGER, 0);
  try {
    sockets_->rep.bind(cfg.endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("control_api.endpoint '" + cfg.endpoint +
                             "': cannot bind: " + e.what() +
                             "; choose a free address or set control_api.enabled: false");
  }
}

ControlServer::~ControlServer() { stop(); }

void ControlServer::use_curve(const config::ControlApiConfig& cfg) {
  if (cfg.curve_authorized_keys.empty()) {
    throw config::ConfigError(
        "control_api.curve_secret_key is set but control_api.curve_authorized_keys is empty: "
        "list the client public keys allowed to connect");
  }
  try {
    const CurveKeyPair server = read_secret_key_file(cfg.curve_secret_key);
    for (const auto& key : read_authorized_keys(cfg.curve_authorized_keys)) {
      authorized_.insert(key);
    }
    // The ZAP handler must be bound before the CURVE socket, or ZeroMQ lets everyone in.
    sockets_->zap.bind(kZapEndpoint);
    zmq_options::set(sockets_->rep, ZMQ_CURVE_SERVER, 1);
    zmq_options::set(sockets_->rep, ZMQ_CURVE_SECRETKEY, server.secret_key);
    zmq_options::set(sockets_->rep, ZMQ_ZAP_DOMAIN, "rcpilot");
  } catch (const KeyFileError& e) {
    throw config::ConfigError(std::string("control_api: ") + e.what());
  }
}

std::string ControlServer::bound_endpoint() const {
  return zmq_options::last_endpoint(sockets_->rep);
}

void ControlServer::start() {
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void ControlServer::stop() {
  if (!thread_.joinable()) return;
  running_ = false;
  thread_.join();
  sockets_->rep.close();
  sockets_->zap.close();
}

void ControlServer::run() {
  std::array<zmq::pollitem_t, 2> items{{
      {sockets_->rep.handle(), 0, ZMQ_POLLIN, 0},
      {sockets_->zap.handle(), 0, ZMQ_POLLIN, 0},
  }};
  const std::size_t count = curve() ? 2 : 1;
  while (running_) {
    zmq::poll(items.data(), count, std::chrono::milliseconds(kPollMs));
    if (count == 2 && (items[1].revents & ZMQ_POLLIN) != 0) answer_zap();
    if ((items[0].revents & ZMQ_POLLIN) != 0) answer_request();
  }
}

// ZAP (ZeroMQ RFC 27): version, request id, domain, address, identity, mechanism, credentials.
void ControlServer::answer_zap() {
  std::array<zmq::message_t, 7> frames;
  std::size_t n = 0;
  do {
    zmq::message_t part;
    if (!sockets_->zap.recv(part, zmq::recv_flags::none)) return;
    if (n < frames.size()) frames[n] = std::move(part);
    ++n;
  } while (zmq_options::more_parts(sockets_->zap));
  const bool curve_request = n == frames.size() && frames[5].to_string() == "CURVE";
  const bool allowed = curve_request && authorized_.count(z85(frames[6].to_string())) != 0;
  if (!allowed) refused_.fetch_add(1);
  const std::string request_id = n > 1 ? frames[1].to_string() : std::string();
  sockets_->zap.send(zmq::buffer(std::string("1.0")), zmq::send_flags::sndmore);
  sockets_->zap.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
  sockets_->zap.send(zmq::buffer(std::string(allowed ? "200" : "400")), zmq::send_flags::sndmore);
  sockets_->zap.send(zmq::buffer(std::string(allowed ? "OK" : "client key not authorized")),
                     zmq::send_flags::sndmore);
  sockets_->zap.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);  // user id
  sockets_->zap.send(zmq::buffer(std::string()), zmq::send_flags::none);     // metadata
}

void ControlServer::answer_request() {
  zmq::message_t request;
  if (!sockets_->rep.recv(request, zmq::recv_flags::none)) return;
  // A multipart request is malformed; drain it so the REP socket can answer.
  bool extra = false;
  while (zmq_options::more_parts(sockets_->rep)) {
    zmq::message_t part;
    (void)sockets_->rep.recv(part, zmq::recv_flags::none);
    extra = true;
  }
  const std::string reply =
      extra ? R"({"v":1,"ok":false,"error":"malformed","message":"send one JSON frame"})"
            : handler_.handle(request.to_string());
  sockets_->rep.send(zmq::buffer(reply), zmq::send_flags::none);
  served_.fetch_add(1);
}

}  // namespace rcpilot::vehicle
