#pragma once
// ZeroMQ socket options through libzmq's C API. cppzmq's zmq::sockopt is missing from the zmq.hpp
// that Ubuntu 20.04 (JetPack 5) ships in libzmq3-dev, and its older socket_t::setsockopt() is
// deprecated from cppzmq 4.7 on: this works with every zmq.hpp from Ubuntu 20.04 to Debian 12.
// Failures throw zmq::error_t, as cppzmq does.
#include <cstddef>
#include <cstdint>
#include <string>

#include <zmq.hpp>

namespace rcpilot::zmq_options {

// Sets an int option (ZMQ_LINGER ms, ZMQ_RCVTIMEO ms, ZMQ_SNDHWM messages, ZMQ_CURVE_SERVER).
inline void set(zmq::socket_t& socket, int option, int value) {
  if (zmq_setsockopt(static_cast<void*>(socket), option, &value, sizeof value) != 0) {
    throw zmq::error_t();
  }
}

// Sets a 64-bit option (ZMQ_MAXMSGSIZE bytes).
inline void set_int64(zmq::socket_t& socket, int option, std::int64_t value) {
  if (zmq_setsockopt(static_cast<void*>(socket), option, &value, sizeof value) != 0) {
    throw zmq::error_t();
  }
}

// Sets a bytes option (ZMQ_SUBSCRIBE prefix, ZMQ_ZAP_DOMAIN, CURVE keys as Z85 or binary).
inline void set(zmq::socket_t& socket, int option, const std::string& value) {
  if (zmq_setsockopt(static_cast<void*>(socket), option, value.data(), value.size()) != 0) {
    throw zmq::error_t();
  }
}

// Reads an int option (ZMQ_RCVMORE: 1 while parts of the message remain).
inline int get_int(zmq::socket_t& socket, int option) {
  int value = 0;
  std::size_t size = sizeof value;
  if (zmq_getsockopt(static_cast<void*>(socket), option, &value, &size) != 0) {
    throw zmq::error_t();
  }
  return value;
}

// Whether more parts of the message being received follow.
inline bool more_parts(zmq::socket_t& socket) { return get_int(socket, ZMQ_RCVMORE) != 0; }

// The endpoint last bound, with the port the system chose for "tcp://...:*".
inline std::string last_endpoint(zmq::socket_t& socket) {
  char text[1024];
  std::size_t size = sizeof text;
  if (zmq_getsockopt(static_cast<void*>(socket), ZMQ_LAST_ENDPOINT, text, &size) != 0) {
    throw zmq::error_t();
  }
  return std::string(text, size > 0 ? size - 1 : 0);  // size counts the terminating NUL
}

}  // namespace rcpilot::zmq_options
