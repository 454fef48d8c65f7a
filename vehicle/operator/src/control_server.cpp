#include "operator/control_server.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <regex>

#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

#include "config/loader.hpp"  // ConfigError
#include "ctl/curve_keys.hpp"
#include "operator/control_api_check.hpp"

namespace rcpilot::vehicle {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";  // fixed by ZeroMQ's RFC 27
constexpr int kPollMs = 100;  // how often the thread checks for stop()
// Requests read per round before any is answered: all of them are scanned for an e-stop.
constexpr std::size_t kMaxBatch = 256;
// Slow requests waiting for the slow worker; more are refused with `busy`.
constexpr std::size_t kMaxSlowJobs = 8;

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
  zmq::socket_t router{context, zmq::socket_type::router};
};

// One request as read from the ROUTER socket.
struct ControlServer::Request {
  std::vector<std::string> envelope;  // routing frames up to the empty delimiter: the reply's
  std::string body;                   // the JSON text
  std::string error;                  // reply text when refused before parsing (size, frames)
  bool done = false;                  // answered (or queued) already
};

struct ControlServer::SlowJob {
  std::vector<std::string> envelope;
  nlohmann::json request;
};

bool is_local_endpoint(const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) == 0 || endpoint.rfind("inproc://", 0) == 0) return true;
  static const std::regex local(R"(^tcp://(127\.\d+\.\d+\.\d+|localhost|\[::1\]|lo)(:[0-9*]+)?$)");
  return std::regex_match(endpoint, local);
}

ControlServer::ControlServer(const config::ControlApiConfig& cfg, ControlHandler& handler)
    : handler_(handler),
      max_request_bytes_(static_cast<std::size_t>(cfg.max_request_bytes)),
      sockets_(std::make_unique<Sockets>()) {
  check_control_api(cfg);  // the same checks as --check-config
  if (!cfg.curve_secret_key.empty()) use_curve(cfg);
  zmq_options::set(sockets_->router, ZMQ_LINGER, 0);
  // Up to twice the limit is read and answered `too_large`; beyond that ZeroMQ drops the
  // message unread and closes that connection, so a huge request never reaches memory.
  zmq_options::set_int64(sockets_->router, ZMQ_MAXMSGSIZE,
                         2 * static_cast<std::int64_t>(cfg.max_request_bytes));
  try {
    sockets_->router.bind(cfg.endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("control_api.endpoint '" + cfg.endpoint +
                             "': cannot bind: " + e.what() +
                             "; choose a free address or set control_api.enabled: false");
  }
  finished_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (finished_fd_ < 0) throw std::runtime_error("control API: eventfd failed");
}

ControlServer::~ControlServer() {
  stop();
  if (finished_fd_ >= 0) ::close(finished_fd_);
}

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
    zmq_options::set(sockets_->router, ZMQ_CURVE_SERVER, 1);
    zmq_options::set(sockets_->router, ZMQ_CURVE_SECRETKEY, server.secret_key);
    zmq_options::set(sockets_->router, ZMQ_ZAP_DOMAIN, "rcpilot");
  } catch (const KeyFileError& e) {
    throw config::ConfigError(std::string("control_api: ") + e.what());
  }
}

std::string ControlServer::bound_endpoint() const {
  return zmq_options::last_endpoint(sockets_->router);
}

void ControlServer::start() {
  running_ = true;
  slow_worker_.start([this] { run_slow_jobs(); });
  thread_ = std::thread([this] { run(); });
}

void ControlServer::stop() {
  if (!thread_.joinable()) return;
  running_ = false;
  thread_.join();
  // Queued slow requests are dropped: the node is stopping and their clients time out.
  slow_worker_.stop([this] {
    std::lock_guard<std::mutex> lock(slow_mutex_);
    slow_wake_.notify_all();
  });
  sockets_->router.close();
  sockets_->zap.close();
}

void ControlServer::run() {
  std::array<zmq::pollitem_t, 3> items{{
      {sockets_->router.handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, finished_fd_, ZMQ_POLLIN, 0},
      {sockets_->zap.handle(), 0, ZMQ_POLLIN, 0},
  }};
  const std::size_t count = curve() ? 3 : 2;
  std::vector<Request> batch;
  while (running_) {
    zmq::poll(items.data(), count, std::chrono::milliseconds(kPollMs));
    if (count == 3 && (items[2].revents & ZMQ_POLLIN) != 0) answer_zap();
    if ((items[0].revents & ZMQ_POLLIN) != 0) {
      read_batch(batch);
      serve(batch);
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) send_finished();
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

void ControlServer::read_batch(std::vector<Request>& batch) {
  batch.clear();
  while (batch.size() < kMaxBatch) {
    std::vector<zmq::message_t> frames(1);
    if (!sockets_->router.recv(frames[0], zmq::recv_flags::dontwait)) return;
    while (zmq_options::more_parts(sockets_->router)) {
      frames.emplace_back();
      (void)sockets_->router.recv(frames.back(), zmq::recv_flags::none);
    }
    // [routing id..., empty delimiter, body]: REQ clients send exactly one body frame.
    std::size_t delimiter = 1;
    while (delimiter < frames.size() && frames[delimiter].size() != 0) ++delimiter;
    if (delimiter >= frames.size()) continue;  // no envelope to answer on
    Request r;
    for (std::size_t i = 0; i <= delimiter; ++i) r.envelope.push_back(frames[i].to_string());
    if (frames.size() != delimiter + 2) {
      r.error = R"({"v":1,"ok":false,"error":"malformed","message":"send one JSON frame"})";
    } else if (frames.back().size() > max_request_bytes_) {
      r.error = ControlHandler::to_text(ControlHandler::error_reply(
          "too_large", "the request is " + std::to_string(frames.back().size()) +
                           " bytes; control_api.max_request_bytes allows " +
                           std::to_string(max_request_bytes_)));
    } else {
      r.body = frames.back().to_string();
    }
    batch.push_back(std::move(r));
  }
}

void ControlServer::serve(std::vector<Request>& batch) {
  // E-stops before anything else read in this batch. Only requests that spell `estop` are
  // parsed here, so scanning a full batch costs a memory search, not a parse per request.
  for (Request& r : batch) {
    if (!r.error.empty() || r.body.find("estop") == std::string::npos) continue;
    const ParsedRequest parsed = ControlHandler::parse(r.body);
    if (parsed.reply.is_null() && ControlHandler::is_estop(parsed.request)) {
      answer(r.envelope, ControlHandler::to_text(handler_.handle(parsed.request)));
      r.done = true;
    }
  }
  for (Request& r : batch) {
    if (!r.done) serve_one(r);
  }
}

void ControlServer::serve_one(Request& r) {
  if (!r.error.empty()) return answer(r.envelope, r.error);
  ParsedRequest parsed = ControlHandler::parse(r.body);
  if (!parsed.reply.is_null()) return answer(r.envelope, ControlHandler::to_text(parsed.reply));
  if (!ControlHandler::is_slow(parsed.request)) {
    return answer(r.envelope, ControlHandler::to_text(handler_.handle(parsed.request)));
  }
  {
    std::lock_guard<std::mutex> lock(slow_mutex_);
    if (slow_jobs_.size() < kMaxSlowJobs) {
      slow_jobs_.push_back({std::move(r.envelope), std::move(parsed.request)});
      slow_wake_.notify_one();
      return;
    }
  }
  busy_.fetch_add(1);
  answer(r.envelope,
         ControlHandler::to_text(ControlHandler::error_reply(
             "busy", std::to_string(kMaxSlowJobs) +
                         " record/reload requests are already waiting; try again later")));
}

void ControlServer::answer(const std::vector<std::string>& envelope, const std::string& reply) {
  // Never blocks: a reply to a client that is gone or not reading is dropped.
  for (const std::string& frame : envelope) {
    if (!sockets_->router.send(zmq::buffer(frame),
                               zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return;
    }
  }
  (void)sockets_->router.send(zmq::buffer(reply), zmq::send_flags::dontwait);
  served_.fetch_add(1);
}

void ControlServer::run_slow_jobs() {
  for (;;) {
    SlowJob job;
    {
      std::unique_lock<std::mutex> lock(slow_mutex_);
      slow_wake_.wait(lock, [this] { return !slow_jobs_.empty() || slow_worker_.stopping(); });
      if (slow_worker_.stopping()) return;
      job = std::move(slow_jobs_.front());
      slow_jobs_.pop_front();
    }
    std::string reply = ControlHandler::to_text(handler_.handle(job.request));
    {
      std::lock_guard<std::mutex> lock(slow_mutex_);
      finished_.emplace_back(std::move(job.envelope), std::move(reply));
    }
    const std::uint64_t one = 1;
    (void)!::write(finished_fd_, &one, sizeof(one));  // wakes the server thread's poll
  }
}

void ControlServer::send_finished() {
  std::uint64_t count = 0;
  (void)!::read(finished_fd_, &count, sizeof(count));
  std::deque<std::pair<std::vector<std::string>, std::string>> done;
  {
    std::lock_guard<std::mutex> lock(slow_mutex_);
    done.swap(finished_);
  }
  for (const auto& [envelope, reply] : done) answer(envelope, reply);
}

}  // namespace rcpilot::vehicle
