#pragma once
// Replay cameras that need OpenCV's videoio/imgcodecs: a video file and a folder of images.
// Part of the capture plugin (capture_camera.hpp says why).
#include <string>
#include <vector>

#include <opencv2/videoio.hpp>

#include "common/clock.hpp"
#include "perception/replay_cameras.hpp"

namespace rcpilot::perception {

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

}  // namespace rcpilot::perception
