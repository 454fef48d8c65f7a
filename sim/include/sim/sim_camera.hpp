#pragma once
// A camera that films the simulated world, for the FrameGrabber like a real sensor.
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "common/clock.hpp"
#include "perception/camera_source.hpp"
#include "sim/sim_world.hpp"

namespace rcpilot::sim {

class SimCamera final : public perception::CameraSource {
 public:
  // realtime: read() waits for the next frame instant on an absolute schedule at `fps` Hz
  // (missed instants are skipped, not burst). Otherwise read() returns at once with the world
  // at clock.now() (lockstep: the caller moves the clock). `world` and `clock` must outlive it.
  SimCamera(SimWorld& world, const Clock& clock, double fps, bool realtime);

  // Advances the world to clock.now(), renders it into `bgr`. False once interrupted.
  bool read(cv::Mat& bgr) override;
  // Makes a pending and every later read() return false promptly, until reopen().
  void interrupt() override;
  // Clears interrupt(); frames restart on a fresh schedule.
  void reopen() override;
  std::string describe() const override;
  // The instant the last frame shows: when it rendered, less the world's capture latency
  // (sim.latency_ms).
  TimePoint captured_at() const override;

  std::uint64_t frames() const;            // frames delivered
  std::uint64_t skipped_instants() const;  // frame instants missed because read() came late

 private:
  bool wait_for_frame_instant();

  SimWorld& world_;
  const Clock& clock_;
  Duration period_;
  bool realtime_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool interrupted_ = false;
  bool started_ = false;
  TimePoint next_frame_{};
  TimePoint rendered_at_{};
  std::uint64_t frames_ = 0;
  std::uint64_t skipped_ = 0;
};

}  // namespace rcpilot::sim
