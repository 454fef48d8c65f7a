#include "perception/replay_cameras.hpp"

#include <opencv2/imgproc.hpp>

#include "perception/jpeg_codec.hpp"

namespace rcpilot::perception {

ReplayOptions replay_options(const config::CameraConfig& c) {
  return ReplayOptions{c.width, c.height, c.fps, c.realtime, c.loop};
}

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
  try {
    bgr = read_jpeg_file(record.image_path);
  } catch (const JpegError&) {
    return Next::kFailed;
  }
  return Next::kFrame;
}

}  // namespace rcpilot::perception
