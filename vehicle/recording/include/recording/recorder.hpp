#pragma once
// Records driving data as a Donkey Car tub v2 (REFERENCE.md section 3; docs/recording.md):
// each new camera frame with the tick it belongs to: the operator's input (user/*), the mode
// and the command actually sent. Runs in its own thread; the control loop only queues ticks
// and never waits on the disk. A write failure (disk full) stops recording with an event
// while the car keeps being controlled.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/bounded_queue.hpp"
#include "common/latest_slot.hpp"
#include "config/config.hpp"
#include "perception/tub_writer.hpp"
#include "perception/types.hpp"
#include "control/control_loop.hpp"

namespace rcpilot::vehicle {

// What the recorder is doing (status(): control API, telemetry).
struct RecorderStatus {
  bool recording = false;           // a session is open and records are being written
  std::string path;                 // the tub folder
  std::string session_id;           // current (or last) Donkey session id; "" before the first
  std::uint64_t records = 0;        // records written in that session
  std::uint64_t records_total = 0;  // records written since the recorder was created
  std::uint64_t dropped = 0;        // ticks dropped because the recorder thread fell behind
  std::uint64_t erased = 0;         // records soft-deleted by erase_last since creation
  std::string last_error;           // the failure that last stopped recording; "" if none
};

// The tub folder record.path names: config-relative, or data/tub in the working directory
// when empty. Absolute.
std::string record_tub_path(const config::Config& cfg);

class Recorder final : public StateSink {
 public:
  // `kind`: record_started, record_stopped, record_erased, record_repaired or record_error;
  // `text`: a sentence for the operator (record_error names the file and the errno text;
  // record_repaired the catalog manifest rebuilt and why).
  using EventFn = std::function<void(const std::string& kind, const std::string& text)>;

  // `tub_path`: record_tub_path(cfg). `frames`: the grabber's newest frame. `write_fn`:
  // empty for ::write (tests inject disk-full failures). Touches no file before start().
  Recorder(const config::RecordConfig& cfg, std::string tub_path,
           const LatestSlot<perception::Frame>& frames, perception::TubWriteFn write_fn = {});
  ~Recorder() override;  // stop()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Called from the recorder thread; set before start().
  void set_event_handler(EventFn on_event) { on_event_ = std::move(on_event); }
  // Starts the recorder thread; with record.autostart also starts recording.
  void start();
  // Closes the session (recording what is queued first) and joins the thread. Idempotent.
  void stop();

  // Real-time side: queues the tick while recording; never blocks, allocates or touches the
  // disk. Drops (and counts) when the queue is full.
  void on_tick(const TickState& st) override;

  // Requests, carried out in order by the recorder thread (none waits for the disk, so a
  // gamepad or control API thread may call them); results arrive as events and in status().
  void start_recording();           // opens a new session in the tub; no-op while recording
  void stop_recording();            // closes the session (its id goes into the manifest)
  void erase_last(std::int64_t n);  // soft-deletes the last n records of the tub (n >= 1)
  // Soft-deletes (`deleted`) or restores the records with indexes first .. last (inclusive).
  void mark_range(std::int64_t first, std::int64_t last, bool deleted);
  RecorderStatus status() const;
  // Waits up to `timeout` until every request and tick queued before the call is handled.
  bool wait_idle(std::chrono::milliseconds timeout);

 private:
  // kMark: for wait_idle(); kDeleteRange, kRestoreRange: mark_range().
  enum class Request { kStart, kStop, kErase, kDeleteRange, kRestoreRange, kMark };
  struct Pending {
    Request request;
    std::int64_t count;  // kErase: records; ranges: the last index
    std::int64_t first;  // ranges: the first index
  };

  void run();
  void handle_requests();
  void drain_ticks();
  void handle_tick(const TickState& st);
  void write_record(const TickState& st, const perception::Frame& frame);
  bool wanted(const TickState& st) const;
  void open_session();
  void close_session();
  void erase(std::int64_t n);
  void mark(std::int64_t first, std::int64_t last, bool deleted);
  // Runs `change` on the open session's tub, or on the tub opened for it; the number it
  // returns is the records changed; nullopt (after an event) when it failed.
  std::optional<std::int64_t> change_tub(
      const std::function<std::int64_t(perception::TubWriter&)>& change);
  void report_repair(const perception::TubWriter& tub);
  void post(Request request, std::int64_t count, std::int64_t first = 0);
  void fail(const std::string& what);
  void emit(const std::string& kind, const std::string& text);
  std::int64_t epoch_ms(TimePoint t) const;

  const config::RecordConfig cfg_;
  const std::string path_;
  const LatestSlot<perception::Frame>& frames_;
  const perception::TubWriteFn write_fn_;
  EventFn on_event_;

  BoundedQueue<TickState> ticks_;
  std::atomic<bool> accepting_{false};  // on_tick queues only while a session is open
  std::atomic<bool> running_{false};
  std::thread thread_;

  mutable std::mutex mutex_;      // guards pending_, status_, requested_, handled_
  std::condition_variable idle_;  // signalled when handled_ catches up with requested_
  std::deque<Pending> pending_;
  RecorderStatus status_;
  std::uint64_t requested_ = 0;  // requests and wait_idle() marks queued so far
  std::uint64_t handled_ = 0;    // ... of which the recorder thread has handled

  // Recorder thread only.
  std::unique_ptr<perception::TubWriter> writer_;
  std::uint64_t last_frame_sequence_ = 0;  // frame of the last record
  std::int64_t epoch_offset_ms_ = 0;       // wall-clock ms minus monotonic ms, per session
  std::optional<TimePoint> last_sync_;     // tick time of the last sync; none yet this session
  bool synced_ = true;                     // nothing written since the last sync
  bool pilot_inputs_ = false;              // the tub has pilot/angle and pilot/throttle
};

}  // namespace rcpilot::vehicle
