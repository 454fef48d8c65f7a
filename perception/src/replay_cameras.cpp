#include "perception/replay_cameras.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

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

ReplayCamera::ReplayCamera(const Clock& clock, const ReplayOptions& options, double fps)
    : options_(options), pacer_(clock, options.realtime ? fps : 0.0) {}

bool ReplayCamera::read(cv::Mat& bgr) {
  if (ended_ || !pacer_.wait_next()) return false;
  Next got = next(decoded_);
  if (got == Next::kEnd && options_.loop) {
    rewind();
    got = next(decoded_);
  }
  if (got == Next::kEnd) ended_ = true;
  if (got != Next::kFrame) return false;
  if (decoded_.cols == options_.width && decoded_.rows == options_.height) {
    decoded_.copyTo(bgr);
  } else {
    cv::resize(decoded_, bgr, cv::Size(options_.width, options_.height), 0, 0, cv::INTER_AREA);
  }
  return true;
}

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

TubCamera::TubCamera(const std::string& tub, const Clock& clock, const ReplayOptions& options)
    : ReplayCamera(clock, options, options.fps) {
  try {
    reader_ = std::make_unique<TubReader>(tub);
  } catch (const TubError& e) {
    throw CameraError(std::string("camera.path: ") + e.what());
  }
  if (reader_->records().empty()) {
    throw CameraError("camera.path: tub " + tub + " has no records (all deleted?)");
  }
}

std::string TubCamera::describe() const {
  return "tub " + reader_->path() + " (" + std::to_string(reader_->records().size()) + " records)";
}

ReplayCamera::Next TubCamera::next(cv::Mat& bgr) {
  if (position_ >= reader_->records().size()) return Next::kEnd;
  const TubRecord& record = reader_->records()[position_++];
  if (record.image_path.empty()) return Next::kFailed;
  bgr = cv::imread(record.image_path, cv::IMREAD_COLOR);
  return bgr.empty() ? Next::kFailed : Next::kFrame;
}

}  // namespace rcpilot::perception
