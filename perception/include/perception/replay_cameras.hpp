#pragma once
// Cameras that replay recordings: a Donkey tub here; a video file or a folder of images in
// file_cameras.hpp (capture plugin). They deliver frames at camera.width x camera.height, paced
// like a camera (realtime) or as fast as read.
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "perception/camera_source.hpp"
#include "perception/frame_pacer.hpp"
#include "perception/tub_reader.hpp"

namespace rcpilot::perception {

// What every replay camera is given (from the camera config section).
struct ReplayOptions {
  int width = 224;       // px, delivered frame size (images are resized when they differ)
  int height = 224;      // px
  double fps = 30.0;     // Hz, pace for images and tubs (videos use the file's own rate)
  bool realtime = true;  // false: deliver as fast as read() is called
  bool loop = false;     // start again after the last frame
};

// The replay options of a camera config section.
ReplayOptions replay_options(const config::CameraConfig& camera);

// Base of the replay cameras: pacing, resizing, looping, end of stream.
class ReplayCamera : public CameraSource {
 public:
  bool read(cv::Mat& bgr) override;
  void interrupt() override { pacer_.interrupt(); }
  // A recording cannot stall by itself: re-opening resumes reading where it was, at the pace.
  void reopen() override { pacer_.resume(); }
  bool at_end() const override { return ended_; }

 protected:
  enum class Next { kFrame, kFailed, kEnd };
  ReplayCamera(const Clock& clock, const ReplayOptions& options, double fps);
  // Decodes the next frame into `bgr`: kFrame, kFailed (unreadable; the next call moves on) or
  // kEnd (after the last frame).
  virtual Next next(cv::Mat& bgr) = 0;
  // Goes back to the first frame (for loop).
  virtual void rewind() = 0;

  ReplayOptions options_;
  FramePacer pacer_;

 private:
  cv::Mat decoded_;
  bool ended_ = false;
};

// The images of a tub's records (deleted records skipped), in index order.
class TubCamera final : public ReplayCamera {
 public:
  // Throws CameraError naming the tub when it cannot be read or has no records.
  TubCamera(const std::string& tub, const Clock& clock, const ReplayOptions& options);
  std::string describe() const override;

 private:
  Next next(cv::Mat& bgr) override;
  void rewind() override { position_ = 0; }

  std::unique_ptr<TubReader> reader_;
  std::size_t position_ = 0;
};

}  // namespace rcpilot::perception
