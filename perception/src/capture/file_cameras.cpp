#include "perception/file_cameras.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

namespace rcpilot::perception {
namespace fs = std::filesystem;
namespace {

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

// Leading decimal number of a file name, or -1.
long long leading_number(const std::string& name) {
  std::size_t i = 0;
  while (i < name.size() && i < 18 && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  return i == 0 ? -1 : std::stoll(name.substr(0, i));
}

}  // namespace

VideoFileCamera::VideoFileCamera(const std::string& path, const Clock& clock,
                                 const ReplayOptions& options)
    : ReplayCamera(clock, options, options.fps), path_(path), capture_(open(path)) {
  file_fps_ = capture_.get(cv::CAP_PROP_FPS);
  if (file_fps_ > 0.0 && options.realtime) pacer_.set_fps(file_fps_);
}

cv::VideoCapture VideoFileCamera::open(const std::string& path) {
  if (!fs::is_regular_file(path)) {
    throw CameraError("camera.path: video file " + path + " does not exist; check camera.path");
  }
  cv::VideoCapture capture(path);
  if (!capture.isOpened()) {
    throw CameraError("camera.path: cannot open video file " + path +
                      " (a container or codec this OpenCV cannot decode?); convert it, e.g. "
                      "ffmpeg -i IN -c:v mjpeg OUT.avi");
  }
  return capture;
}

std::string VideoFileCamera::describe() const { return "video file " + path_; }

void VideoFileCamera::reopen() { capture_ = open(path_); }

ReplayCamera::Next VideoFileCamera::next(cv::Mat& bgr) {
  return capture_.read(bgr) && !bgr.empty() ? Next::kFrame : Next::kEnd;
}

void VideoFileCamera::rewind() {
  if (!capture_.set(cv::CAP_PROP_POS_FRAMES, 0)) capture_ = open(path_);
}

ImageFolderCamera::ImageFolderCamera(const std::string& folder, const Clock& clock,
                                     const ReplayOptions& options)
    : ReplayCamera(clock, options, options.fps), folder_(folder) {
  if (!fs::is_directory(folder_)) {
    throw CameraError("camera.path: image folder " + folder_ +
                      " does not exist; check camera.path");
  }
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(folder_)) {
    if (entry.is_regular_file() && is_image_file(entry.path())) paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end(), [](const fs::path& a, const fs::path& b) {
    const std::string na = a.filename().string(), nb = b.filename().string();
    const long long ia = leading_number(na), ib = leading_number(nb);
    return ia != ib ? ia < ib : na < nb;
  });
  for (const auto& p : paths) files_.push_back(p.string());
  if (files_.empty()) {
    throw CameraError("camera.path: image folder " + folder_ +
                      " holds no .jpg, .jpeg, .png or .bmp files");
  }
}

std::string ImageFolderCamera::describe() const {
  return "image folder " + folder_ + " (" + std::to_string(files_.size()) + " images)";
}

ReplayCamera::Next ImageFolderCamera::next(cv::Mat& bgr) {
  if (position_ >= files_.size()) return Next::kEnd;
  bgr = cv::imread(files_[position_++], cv::IMREAD_COLOR);
  return bgr.empty() ? Next::kFailed : Next::kFrame;
}

}  // namespace rcpilot::perception
