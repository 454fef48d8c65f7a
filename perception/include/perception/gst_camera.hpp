#pragma once
// A camera on GStreamer's own API: a pipeline (gst-launch-1.0 syntax) ending in an appsink.
// The csi, v4l2, gstreamer and video sources are this class with different pipelines
// (camera_pipelines.hpp). Part of the capture plugin (capture_camera.hpp says why).
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "perception/camera_source.hpp"

// GStreamer's sample type, declared as gst/gstsample.h does, so this header needs no GStreamer.
typedef struct _GstSample GstSample;

namespace rcpilot::perception {

struct GstCameraOptions {
  std::string pipeline;  // gst-launch-1.0 syntax, with one appsink
  std::string what;      // how messages name the camera, e.g. "CSI camera sensor-id=0"
  std::string remedy;    // what to tell the user when the pipeline fails
  std::string file;      // set as `location` of the element named "src" when not empty
  int width = 224;       // px, frames delivered (resized only when the appsink's differ)
  int height = 224;      // px
  bool finite = false;   // end of stream ends a recording (video) instead of being a fault
  bool loop = false;     // finite: start again at the end
  // The appsink keeps only the newest buffer (max-buffers=1 drop=true); false keeps every one
  // (a video replayed as fast as read: the pipeline waits for the reader).
  bool latest_only = true;
  std::optional<bool> sync;  // the appsink's sync when given (true: paced by the timestamps)
};

// read() pulls from the appsink in short timed slices (gst_app_sink_try_pull_sample), so
// interrupt() takes effect within kPullSlice; bus errors and an unexpected end of stream fail
// the read (last_error() says why) until reopen() builds the pipeline again. Frames are
// stamped with the buffer's timestamp on CLOCK_MONOTONIC when the pipeline is live (the
// pipeline runs on GStreamer's monotonic system clock: base time + running time), else not
// at all (the grabber stamps the pull). Not thread-safe except interrupt().
class GstCamera final : public CameraSource {
 public:
  // Builds and starts the pipeline; throws CameraError naming what, the pipeline and remedy.
  explicit GstCamera(GstCameraOptions options);
  ~GstCamera() override;
  GstCamera(const GstCamera&) = delete;
  GstCamera& operator=(const GstCamera&) = delete;

  bool read(cv::Mat& bgr) override;
  void interrupt() override { interrupted_.store(true); }
  std::string describe() const override { return options_.what; }
  void reopen() override;
  bool at_end() const override { return ended_; }
  TimePoint captured_at() const override { return captured_at_; }
  std::string last_error() const override { return last_error_; }
  const std::string& pipeline() const { return options_.pipeline; }

 private:
  struct Pipeline;
  void open();
  bool check_bus();
  bool at_end_of_stream();
  bool deliver(GstSample* sample, cv::Mat& bgr);
  TimePoint stamp(GstSample* sample);

  GstCameraOptions options_;
  std::unique_ptr<Pipeline> pipeline_;
  std::atomic<bool> interrupted_{false};
  bool failed_ = false;  // an error or unexpected end: reads fail until reopen()
  bool ended_ = false;
  std::optional<bool> live_;  // asked once per pipeline, after its first frame
  TimePoint captured_at_{};
  std::string last_error_;
};

}  // namespace rcpilot::perception
