#include "recording/recorder.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include <spdlog/spdlog.h>

#include "config/loader.hpp"

namespace rcpilot::vehicle {
namespace fs = std::filesystem;
namespace {

// How often the recorder thread looks at requests when no tick arrives.
constexpr auto kPollPeriod = std::chrono::milliseconds(50);
constexpr const char* kPilotAngle = "pilot/angle";
constexpr const char* kPilotThrottle = "pilot/throttle";

// Whether the tub at `path` has (or, new, gets) the inputs pilot/angle and pilot/throttle: a
// new tub gets them with record.during_autopilot, as Donkey's RECORD_DURING_AI does; an
// existing tub keeps its inputs whatever the setting, so toggling it never locks a tub out.
bool pilot_inputs(const config::RecordConfig& cfg, const std::string& path) {
  try {
    const auto inputs = perception::TubWriter::inputs_of(path);
    if (!inputs.empty()) {
      return std::find(inputs.begin(), inputs.end(), kPilotAngle) != inputs.end();
    }
  } catch (const perception::TubError&) {
    // Damaged: opening the tub reports it.
  }
  return cfg.during_autopilot;
}

// The inputs rcpilot records beyond Donkey's four (docs/recording.md).
perception::TubOptions tub_options(const config::RecordConfig& cfg, const std::string& path,
                                   perception::TubWriteFn write_fn) {
  perception::TubOptions o;
  o.extra_inputs = {{"rcpilot/steering_sent", "float"},
                    {"rcpilot/throttle_sent", "float"},
                    {"rcpilot/frame_seq", "int"},
                    {"rcpilot/frame_ms", "int"}};
  if (pilot_inputs(cfg, path)) {
    o.extra_inputs.push_back({kPilotAngle, "float"});
    o.extra_inputs.push_back({kPilotThrottle, "float"});
  }
  o.jpeg_quality = cfg.jpeg_quality;
  o.write_fn = std::move(write_fn);
  return o;
}

std::int64_t ms_since_epoch(std::chrono::nanoseconds t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t).count();
}

}  // namespace

std::string record_tub_path(const config::Config& cfg) {
  const std::string path = cfg.record.path.empty() ? std::string("data/tub")
                                                   : config::resolve_path(cfg, cfg.record.path);
  return fs::absolute(path).lexically_normal().string();
}

Recorder::Recorder(const config::RecordConfig& cfg, std::string tub_path,
                   const LatestSlot<perception::Frame>& frames, perception::TubWriteFn write_fn)
    : cfg_(cfg),
      path_(std::move(tub_path)),
      frames_(frames),
      write_fn_(std::move(write_fn)),
      ticks_(static_cast<std::size_t>(cfg.queue_depth)) {
  status_.path = path_;
}

Recorder::~Recorder() { stop(); }

void Recorder::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { run(); });
  if (cfg_.autostart) start_recording();
}

void Recorder::stop() {
  if (!running_.exchange(false)) return;
  ticks_.close();
  if (thread_.joinable()) thread_.join();
}

void Recorder::on_tick(const TickState& st) {
  if (accepting_.load(std::memory_order_relaxed)) ticks_.try_push(st);
}

void Recorder::start_recording() { post(Request::kStart, 0); }
void Recorder::stop_recording() { post(Request::kStop, 0); }
void Recorder::erase_last(std::int64_t n) {
  if (n > 0) post(Request::kErase, n);
}

void Recorder::mark_range(std::int64_t first, std::int64_t last, bool deleted) {
  if (first <= last) post(deleted ? Request::kDeleteRange : Request::kRestoreRange, last, first);
}

void Recorder::post(Request request, std::int64_t count, std::int64_t first) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.push_back({request, count, first});
  ++requested_;
}

RecorderStatus Recorder::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  RecorderStatus s = status_;
  s.dropped = ticks_.dropped();
  return s;
}

bool Recorder::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  pending_.push_back({Request::kMark, 0, 0});
  const std::uint64_t target = ++requested_;
  return idle_.wait_for(lock, timeout, [&] { return handled_ >= target; });
}

void Recorder::run() {
  TickState st;
  while (running_.load()) {
    if (ticks_.pop(st, kPollPeriod)) handle_tick(st);
    handle_requests();
  }
  handle_requests();
  drain_ticks();
  close_session();
}

// Everything queued before the requests is handled first (at most the queue's capacity, so
// a busy loop cannot keep the requests waiting).
void Recorder::handle_requests() {
  std::deque<Pending> todo;
  std::uint64_t target = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_.empty()) return;
    todo.swap(pending_);
    target = requested_;
  }
  drain_ticks();
  for (const Pending& p : todo) {
    switch (p.request) {
      case Request::kStart:
        open_session();
        break;
      case Request::kStop:
        close_session();
        break;
      case Request::kErase:
        erase(p.count);
        break;
      case Request::kDeleteRange:
      case Request::kRestoreRange:
        mark(p.first, p.count, p.request == Request::kDeleteRange);
        break;
      case Request::kMark:
        break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    handled_ = target;
  }
  idle_.notify_all();
}

void Recorder::drain_ticks() {
  TickState st;
  for (int i = 0; i < cfg_.queue_depth && ticks_.pop(st, std::chrono::milliseconds(0)); ++i) {
    handle_tick(st);
  }
}

bool Recorder::wanted(const TickState& st) const {
  if (!cfg_.during_autopilot && st.mode != DriveMode::kUser) return false;
  return !cfg_.only_when_moving || st.command.throttle_norm > 0.0f;
}

// Pairs the tick with the newest frame captured at or before it, once per frame: a tick
// older than the newest frame (the thread fell behind) is skipped; a later tick pairs with it.
void Recorder::handle_tick(const TickState& st) {
  if (!writer_ || !wanted(st)) return;
  perception::Frame frame;
  frames_.peek(frame);
  if (frame.sequence == 0 || frame.sequence == last_frame_sequence_ || frame.bgr.empty() ||
      frame.captured_at > st.now) {
    return;
  }
  try {
    write_record(st, frame);
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

void Recorder::write_record(const TickState& st, const perception::Frame& frame) {
  const OperatorInput& op = st.operator_input;
  nlohmann::json extras = {{"rcpilot/steering_sent", st.command.steering_norm},
                           {"rcpilot/throttle_sent", st.command.throttle_norm},
                           {"rcpilot/frame_seq", frame.sequence},
                           {"rcpilot/frame_ms", epoch_ms(frame.captured_at)}};
  if (pilot_inputs_) {  // NaN (no valid prediction) is left out of the record
    extras[kPilotAngle] = st.pilot_steering_norm;
    extras[kPilotThrottle] = st.pilot_throttle_norm;
  }
  // Donkey's training reads user/angle and user/throttle from every record: with no operator
  // input connected they are 0, what Donkey's controllers report when nobody touches them.
  writer_->write(frame.bgr, op.valid ? op.steering_norm : 0.0f, op.valid ? op.throttle_norm : 0.0f,
                 std::string(to_string(st.mode)), epoch_ms(st.now), extras);
  last_frame_sequence_ = frame.sequence;
  synced_ = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++status_.records;
    ++status_.records_total;
  }
  // A kill loses nothing written (it is in the kernel already); syncing bounds what a power
  // loss takes to sync_interval_s.
  if (!last_sync_) last_sync_ = st.now;
  if (cfg_.sync_interval_s <= 0.0 ||
      st.now - *last_sync_ >= seconds_to_duration(cfg_.sync_interval_s)) {
    writer_->sync();
    last_sync_ = st.now;
    synced_ = true;
  }
}

void Recorder::open_session() {
  if (writer_) return;
  try {
    auto options = tub_options(cfg_, path_, write_fn_);
    pilot_inputs_ = std::any_of(options.extra_inputs.begin(), options.extra_inputs.end(),
                                [](const perception::TubField& f) { return f.key == kPilotAngle; });
    writer_ = std::make_unique<perception::TubWriter>(
        path_, nlohmann::json{{"generator", "rcpilot"}}, std::move(options));
  } catch (const std::exception& e) {
    fail(e.what());
    return;
  }
  // Records carry wall-clock ms like Donkey's; one offset per session keeps their spacing
  // exact even if the wall clock is stepped (NTP after boot on a car without RTC).
  epoch_offset_ms_ = ms_since_epoch(std::chrono::system_clock::now().time_since_epoch()) -
                     ms_since_epoch(std::chrono::steady_clock::now().time_since_epoch());
  last_sync_.reset();
  synced_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.recording = true;
    status_.session_id = writer_->session_id();
    status_.records = 0;
    status_.last_error.clear();
  }
  accepting_.store(true);
  report_repair(*writer_);
  emit("record_started", "recording to " + path_ + ", session " + writer_->session_id());
}

void Recorder::close_session() {
  if (!writer_) return;
  accepting_.store(false);
  const std::string session = writer_->session_id();
  const auto records = writer_->records_written();
  try {
    writer_->close();
    if (!synced_) writer_->sync();
  } catch (const std::exception& e) {
    fail(e.what());
    return;
  }
  writer_.reset();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.recording = false;
  }
  emit("record_stopped", "recording stopped: " + std::to_string(records) + " records in session " +
                             session + " of " + path_);
}

std::optional<std::int64_t> Recorder::change_tub(
    const std::function<std::int64_t(perception::TubWriter&)>& change) {
  if (!writer_ && !fs::exists(fs::path(path_) / "manifest.json")) {
    emit("record_erased", "nothing to erase: no tub at " + path_);
    return std::nullopt;
  }
  try {
    if (writer_) return change(*writer_);
    perception::TubWriter tub(path_, nlohmann::json::object(), tub_options(cfg_, path_, write_fn_));
    report_repair(tub);
    const std::int64_t changed = change(tub);
    tub.close();
    return changed;
  } catch (const std::exception& e) {
    if (writer_) {
      fail(e.what());  // the tub's files cannot be written: stop before losing more
    } else {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        status_.last_error = e.what();
      }
      emit("record_error", std::string("cannot change records: ") + e.what());
    }
    return std::nullopt;
  }
}

void Recorder::erase(std::int64_t n) {
  const auto erased = change_tub([n](perception::TubWriter& tub) { return tub.erase_last(n); });
  if (!erased) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.erased += static_cast<std::uint64_t>(*erased);
  }
  emit("record_erased", "erased the last " + std::to_string(*erased) + " records of " + path_ +
                            " (" + std::to_string(n) + " asked)");
}

void Recorder::mark(std::int64_t first, std::int64_t last, bool deleted) {
  const auto changed =
      change_tub([&](perception::TubWriter& tub) { return tub.mark_range(first, last, deleted); });
  if (!changed) return;
  if (deleted) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.erased += static_cast<std::uint64_t>(*changed);
  }
  emit(deleted ? "record_erased" : "record_restored",
       std::string(deleted ? "erased " : "restored ") + std::to_string(*changed) + " records of " +
           path_ + " (indexes " + std::to_string(first) + " .. " + std::to_string(last) + ")");
}

void Recorder::report_repair(const perception::TubWriter& tub) {
  if (!tub.repair_note().empty())
    emit("record_repaired", "tub " + path_ + ": " + tub.repair_note());
}

// Stops recording; the loop side never sees it (on_tick stops queueing).
void Recorder::fail(const std::string& what) {
  accepting_.store(false);
  const bool was_recording = writer_ != nullptr;
  if (writer_) {
    try {
      writer_->close();  // records the session if the disk still takes the manifest
    } catch (const std::exception&) {
      // The manifest on disk stays the last good one; records name their session anyway.
    }
    writer_.reset();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.recording = false;
    status_.last_error = what;
  }
  emit("record_error", was_recording
                           ? "recording stopped: " + what + "; records written before are kept"
                           : "cannot start recording: " + what);
}

void Recorder::emit(const std::string& kind, const std::string& text) {
  if (kind == "record_error" || kind == "record_repaired") {
    spdlog::warn("{}", text);
  } else {
    spdlog::info("{}", text);
  }
  if (on_event_) on_event_(kind, text);
}

std::int64_t Recorder::epoch_ms(TimePoint t) const {
  return epoch_offset_ms_ + ms_since_epoch(t.time_since_epoch());
}

}  // namespace rcpilot::vehicle
