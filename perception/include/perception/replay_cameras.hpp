#pragma once
// Cameras that replay recordings: a video file, a folder of images, a Donkey tub. They deliver
// frames at camera.width x camera.height, paced like a camera (realtime) or as fast as read.
#include <memory>
#include <string>
#include <vector>

#include <opencv2/videoio.hpp>

#include "common/clock.hpp"
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

// Base of the replay cameras: pacing, resizing, looping, end of stream.
class ReplayCamera : public CameraSource {
 public:
  bool read(cv::Mat& bgr) override;
  void interrupt() override { pacer_.interrupt(); }
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

// A video file through cv::VideoCapture (FFmpeg or GStreamer, whichever OpenCV has).
class VideoFileCamera final : public ReplayCamera {
 public:
  // Throws CameraError naming the file when it cannot be opened.
  VideoFileCamera(const std::string& path, const Clock& clock, const ReplayOptions& options);
  std::string describe() const override;
  void reopen() override;
  double file_fps() const { return file_fps_; }  // Hz, the rate the file declares (0: none)

 private:
  Next next(cv::Mat& bgr) override;
  void rewind() override;
  static cv::VideoCapture open(const std::string& path);

  std::string path_;
  cv::VideoCapture capture_;
  double file_fps_ = 0.0;
};

// The .jpg/.jpeg/.png/.bmp files of a folder, ordered by their leading number, then name
// (Donkey's "12_cam_image_array_.jpg" sorts after "2_...").
class ImageFolderCamera final : public ReplayCamera {
 public:
  // Throws CameraError naming the folder when it is missing or holds no images.
  ImageFolderCamera(const std::string& folder, const Clock& clock, const ReplayOptions& options);
  std::string describe() const override;
  const std::vector<std::string>& files() const { return files_; }

 private:
  Next next(cv::Mat& bgr) override;
  void rewind() override { position_ = 0; }

  std::string folder_;
  std::vector<std::string> files_;
  std::size_t position_ = 0;
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
