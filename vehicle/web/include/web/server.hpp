#pragma once
// rcpilot-web's HTTP and WebSocket server (Boost.Beast on one Asio I/O thread): the page's
// static files from the www folder, /api/schema, and the WebSocket /ws that joins the Hub.
// Every request and upgrade is checked against the token (access.hpp) when one is set.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "web/hub.hpp"
#include "web/static_files.hpp"

namespace rcpilot::web {

struct ServerOptions {
  std::string bind = "127.0.0.1";  // listen address
  std::uint16_t port = 8887;       // TCP port; 0: any free port (tests)
  std::string token;               // needed on every request when not empty
  std::string www_dir;             // folder holding index.html, app.js, style.css ...
  std::string schema_json;         // body of GET /api/schema
};

class Server {
 public:
  // Binds and listens; throws std::runtime_error naming the address when it cannot.
  Server(boost::asio::io_context& io, ServerOptions options, Hub& hub);
  ~Server();
  // The port listened on (the chosen one when options.port was 0).
  std::uint16_t port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rcpilot::web
