#pragma once
// What one browser is sent next. A socket has at most one write in flight; while it is busy
// only the newest camera frame and the newest state summary wait (older ones are replaced, so a
// slow browser gets the latest frame, never a backlog, and no frame is sent twice), and replies
// and events wait in a short bounded queue (overflow is dropped and counted). Single-threaded:
// the server's I/O thread owns it.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace rcpilot::web {

using Payload = std::shared_ptr<const std::string>;

struct Outgoing {
  Payload data;         // the message's bytes, shared between all browsers
  bool binary = false;  // a binary WebSocket message (camera frames), else text (JSON)
};

class Outbox {
 public:
  explicit Outbox(std::size_t max_messages = 64) : max_messages_(max_messages) {}

  // Offers camera frame `frame_seq`; ignored when a frame as new was already offered.
  void offer_frame(Payload frame, std::uint64_t frame_seq);
  // Offers the newest state summary; replaces one still waiting.
  void offer_state(Payload state);
  // Queues a reply or event; false (and counted) when the queue is full.
  bool push(Payload message);
  // The next message to write, marking a write in flight; nullopt when busy or nothing waits.
  std::optional<Outgoing> next();
  // The write in flight finished.
  void sent() { busy_ = false; }

  bool busy() const { return busy_; }
  std::uint64_t frames_sent() const { return frames_sent_; }
  std::uint64_t frames_replaced() const { return frames_replaced_; }
  std::uint64_t messages_dropped() const { return messages_dropped_; }

 private:
  std::size_t max_messages_;
  std::deque<Payload> messages_;
  Payload state_;
  Payload frame_;
  std::uint64_t newest_frame_seq_ = 0;
  bool any_frame_ = false;
  bool busy_ = false;
  std::uint64_t frames_sent_ = 0;
  std::uint64_t frames_replaced_ = 0;
  std::uint64_t messages_dropped_ = 0;
};

}  // namespace rcpilot::web
