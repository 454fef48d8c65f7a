#pragma once
// A folder of images as a camera. Part of the capture plugin (capture_camera.hpp says why).
// Video files are a GstCamera (camera_pipelines.hpp: video_pipeline).
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "perception/replay_cameras.hpp"

namespace rcpilot::perception {

// Decodes the PNG file `path` (any bit depth, palette, grey or alpha: alpha is dropped onto
// black) into 8-bit BGR through libpng. Throws CameraError naming the file.
cv::Mat read_png_file(const std::string& path);

// The .jpg/.jpeg (libturbojpeg) and .png (libpng) files of a folder, ordered by their leading
// number, then name (Donkey's "12_cam_image_array_.jpg" sorts after "2_...").
class ImageFolderCamera final : public ReplayCamera {
 public:
  // Throws CameraError naming the folder when it is missing or holds no images.
  ImageFolderCamera(const std::string& folder, const Clock& clock, const ReplayOptions& options);
  std::string describe() const override;
  std::string last_error() const override { return last_error_; }
  const std::vector<std::string>& files() const { return files_; }

 private:
  Next next(cv::Mat& bgr) override;
  void rewind() override { position_ = 0; }

  std::string folder_;
  std::vector<std::string> files_;
  std::size_t position_ = 0;
  std::string last_error_;
};

}  // namespace rcpilot::perception
