#include "firmware_iface/memory_transport.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

namespace rcpilot::fw {

struct MemoryTransport::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::uint8_t> inbox[2];  // inbox[i]: bytes waiting for side i
  bool interrupted[2] = {false, false};
  bool drop[2] = {false, false};
  bool connected = true;
  bool reopen_allowed = true;
};

MemoryTransport::MemoryTransport(std::shared_ptr<Shared> shared, int side)
    : shared_(std::move(shared)), side_(side) {}

MemoryTransport::~MemoryTransport() = default;

IoResult MemoryTransport::write(const std::uint8_t* data, std::size_t size) {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (!shared_->connected) return {IoStatus::kClosed, 0};
    if (!shared_->drop[side_]) shared_->inbox[1 - side_].insert(shared_->inbox[1 - side_].end(), data, data + size);
  }
  shared_->changed.notify_all();
  return {IoStatus::kOk, size};
}

IoResult MemoryTransport::read(std::uint8_t* buf, std::size_t cap,
                               std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(shared_->mutex);
  auto& inbox = shared_->inbox[side_];
  shared_->changed.wait_for(lock, timeout, [&] {
    return !inbox.empty() || shared_->interrupted[side_] || !shared_->connected;
  });
  shared_->interrupted[side_] = false;
  // Bytes written before a close still arrive, as a serial driver drains on close.
  if (inbox.empty()) return {shared_->connected ? IoStatus::kTimeout : IoStatus::kClosed, 0};
  std::size_t n = 0;
  while (n < cap && !inbox.empty()) {
    buf[n++] = inbox.front();
    inbox.pop_front();
  }
  return {IoStatus::kOk, n};
}

void MemoryTransport::interrupt() {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->interrupted[side_] = true;
  }
  shared_->changed.notify_all();
}

bool MemoryTransport::reopen() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  if (!shared_->reopen_allowed) return false;
  if (!shared_->connected) {
    shared_->connected = true;
    shared_->inbox[0].clear();
    shared_->inbox[1].clear();
  }
  return true;
}

bool MemoryTransport::is_open() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->connected;
}

void MemoryTransport::close() { disconnect(); }

void MemoryTransport::drop_writes(bool drop) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->drop[side_] = drop;
}

void MemoryTransport::disconnect() {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->connected = false;
  }
  shared_->changed.notify_all();
}

void MemoryTransport::allow_reopen(bool allow) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->reopen_allowed = allow;
}

std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryTransport>> make_memory_pair() {
  auto shared = std::make_shared<MemoryTransport::Shared>();
  return {std::make_unique<MemoryTransport>(shared, 0), std::make_unique<MemoryTransport>(shared, 1)};
}

}  // namespace rcpilot::fw
