#include "web/outbox.hpp"

namespace rcpilot::web {

void Outbox::offer_frame(Payload frame, std::uint64_t frame_seq) {
  if (any_frame_ && frame_seq <= newest_frame_seq_) return;
  if (frame_) ++frames_replaced_;
  frame_ = std::move(frame);
  newest_frame_seq_ = frame_seq;
  any_frame_ = true;
}

void Outbox::offer_state(Payload state) { state_ = std::move(state); }

bool Outbox::push(Payload message) {
  if (messages_.size() >= max_messages_) {
    ++messages_dropped_;
    return false;
  }
  messages_.push_back(std::move(message));
  return true;
}

std::optional<Outgoing> Outbox::next() {
  if (busy_) return std::nullopt;
  Outgoing out;
  if (!messages_.empty()) {
    out.data = std::move(messages_.front());
    messages_.pop_front();
  } else if (state_) {
    out.data = std::move(state_);
    state_.reset();
  } else if (frame_) {
    out.data = std::move(frame_);
    out.binary = true;
    frame_.reset();
    ++frames_sent_;
  } else {
    return std::nullopt;
  }
  busy_ = true;
  return out;
}

}  // namespace rcpilot::web
