#include "web/server.hpp"

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "web/access.hpp"
#include "web/browser_message.hpp"

namespace rcpilot::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

namespace {

constexpr std::size_t kMaxStaticFileBytes = 4 << 20;  // 4 MiB; the page's files are far smaller
constexpr auto kHttpTimeout = std::chrono::seconds(30);
constexpr auto kIdleTimeout = std::chrono::seconds(6);  // WebSocket silence before closing

// One browser's WebSocket, joined to the hub while open.
class WsSession : public Client, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, Hub& hub) : ws_(std::move(socket)), hub_(hub) {}

  void start(Request request) {
    // A browser that vanished (Wi-Fi lost, no close frame) is noticed within kIdleTimeout:
    // Beast pings it halfway through, and its socket closes (a holder's controls are freed).
    auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.idle_timeout = kIdleTimeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.read_message_max(kMaxBrowserMessageBytes);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->joined();
    });
  }

  Outbox& outbox() override { return outbox_; }

  void flush() override {
    if (closed_) return;
    std::optional<Outgoing> next = outbox_.next();
    if (!next) return;
    writing_ = next->data;
    ws_.binary(next->binary);
    ws_.async_write(asio::buffer(*writing_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->outbox_.sent();
                      self->writing_.reset();
                      if (ec) {
                        self->closed_ = true;
                        return;
                      }
                      self->flush();
                    });
  }

 private:
  void joined() {
    id_ = hub_.join(shared_from_this());
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        self->hub_.leave(self->id_);
        return;
      }
      if (self->ws_.got_text()) {
        self->hub_.on_text(self->id_, beast::buffers_to_string(self->buffer_.data()));
      }
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Hub& hub_;
  Outbox outbox_;
  Payload writing_;
  std::uint64_t id_ = 0;
  bool closed_ = false;
};

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

Response text_response(const Request& request, http::status status, std::string type,
                       std::string body) {
  Response response(status, request.version());
  response.set(http::field::server, "rcpilot-web");
  response.set(http::field::content_type, type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  if (text.size() > kMaxStaticFileBytes) return std::nullopt;
  return text;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io_context, ServerOptions server_options, Hub& web_hub)
      : io(io_context), options(std::move(server_options)), hub(web_hub), acceptor(io) {}

  void listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options.bind, ec);
    if (ec) {
      throw std::runtime_error("web.bind " + options.bind +
                               " is not an IP address: give one such as 127.0.0.1 or 0.0.0.0");
    }
    const tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + options.bind + ":" +
                               std::to_string(options.port) + ": " + ec.message() +
                               " (is another rcpilot-web running? change web.port or --port)");
    }
    accept();
  }

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) self->read(std::make_shared<beast::tcp_stream>(std::move(socket)));
      self->accept();
    });
  }

  using Parser = http::request_parser<http::string_body>;

  void read(std::shared_ptr<beast::tcp_stream> stream) {
    auto parser = std::make_shared<Parser>();
    parser->header_limit(8192);
    parser->body_limit(4096);
    auto buffer = std::make_shared<beast::flat_buffer>();
    stream->expires_after(kHttpTimeout);
    http::async_read(
        *stream, *buffer, *parser,
        [self = shared_from_this(), stream, parser, buffer](beast::error_code ec, std::size_t) {
          if (!ec) self->on_request(stream, parser->release());
        });
  }

  bool allowed(const Request& request) const {
    const RequestCredentials credentials{view(request.target()), view(request[kTokenHeader]),
                                         view(request[http::field::cookie])};
    return request_allowed(credentials, options.token);
  }

  void on_request(std::shared_ptr<beast::tcp_stream> stream, Request request) {
    const std::string path(target_path(view(request.target())));
    if (!allowed(request)) {
      reply(stream, text_response(request, http::status::unauthorized, "text/plain",
                                  "rcpilot-web: this address needs the token: open "
                                  "http://<car>:<port>/?token=<web.token>\n"));
      return;
    }
    if (websocket::is_upgrade(request)) {
      if (path != "/ws" ||
          !origin_allowed(view(request[http::field::origin]), view(request[http::field::host]))) {
        reply(stream, text_response(request, http::status::forbidden, "text/plain",
                                    "rcpilot-web: WebSocket only at /ws, from this server's "
                                    "own page\n"));
        return;
      }
      stream->expires_never();
      std::make_shared<WsSession>(stream->release_socket(), hub)->start(std::move(request));
      return;
    }
    reply(stream, respond(request, path));
  }

  Response respond(const Request& request, const std::string& path) {
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      return text_response(request, http::status::method_not_allowed, "text/plain",
                           "rcpilot-web: only GET\n");
    }
    if (path == "/api/schema") {
      return text_response(request, http::status::ok, "application/json", options.schema_json);
    }
    const std::string file = path == "/" ? "/index.html" : path;
    std::optional<std::string> body;
    std::string type = content_type_of(file);
    if (const std::string image = tub_image_file(hub.tub_path(), path); !image.empty()) {
      body = read_small_file(image);
      type = "image/jpeg";
    } else if (safe_static_path(file)) {
      body = read_small_file(options.www_dir + file);
    }
    if (!body) {
      return text_response(request, http::status::not_found, "text/plain",
                           "rcpilot-web: no such page: " + path + "\n");
    }
    Response response = text_response(request, http::status::ok, type, std::move(*body));
    const std::string token = query_parameter(view(request.target()), "token");
    if (!options.token.empty() && tokens_equal(token, options.token)) {
      response.set(http::field::set_cookie,
                   std::string(kTokenCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    }
    return response;
  }

  void reply(std::shared_ptr<beast::tcp_stream> stream, Response response) {
    auto message = std::make_shared<Response>(std::move(response));
    http::async_write(
        *stream, *message,
        [self = shared_from_this(), stream, message](beast::error_code ec, std::size_t) {
          if (ec || message->need_eof()) {
            stream->socket().shutdown(tcp::socket::shutdown_send, ec);
            return;
          }
          self->read(stream);
        });
  }

  asio::io_context& io;
  ServerOptions options;
  Hub& hub;
  tcp::acceptor acceptor;
};

Server::Server(asio::io_context& io, ServerOptions options, Hub& hub)
    : impl_(std::make_shared<Impl>(io, std::move(options), hub)) {
  impl_->listen();
}

Server::~Server() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace rcpilot::web
