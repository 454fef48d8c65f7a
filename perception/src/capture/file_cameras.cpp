#include "perception/file_cameras.hpp"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "perception/jpeg_codec.hpp"

namespace rcpilot::perception {
namespace fs = std::filesystem;
namespace {

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_png(const fs::path& p) { return lower_extension(p) == ".png"; }

bool is_image_file(const fs::path& p) {
  const std::string ext = lower_extension(p);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

// Leading decimal number of a file name, or -1.
long long leading_number(const std::string& name) {
  std::size_t i = 0;
  while (i < name.size() && i < 18 && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  return i == 0 ? -1 : std::stoll(name.substr(0, i));
}

}  // namespace

cv::Mat read_png_file(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) {
    throw CameraError("cannot read PNG file " + path + ": " + image.message);
  }
  image.format = PNG_FORMAT_BGR;
  cv::Mat bgr =
      cv::Mat::zeros(static_cast<int>(image.height), static_cast<int>(image.width), CV_8UC3);
  // Row stride in components; 8-bit BGR has one byte per component.
  const auto stride = static_cast<png_int_32>(bgr.step);
  if (png_image_finish_read(&image, nullptr, bgr.data, stride, nullptr) == 0) {
    const std::string why = image.message;
    png_image_free(&image);
    throw CameraError("cannot decode PNG file " + path + ": " + why);
  }
  return bgr;
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
                      " holds no .jpg, .jpeg or .png files");
  }
}

std::string ImageFolderCamera::describe() const {
  return "image folder " + folder_ + " (" + std::to_string(files_.size()) + " images)";
}

ReplayCamera::Next ImageFolderCamera::next(cv::Mat& bgr) {
  if (position_ >= files_.size()) return Next::kEnd;
  const std::string& file = files_[position_++];
  try {
    bgr = is_png(file) ? read_png_file(file) : read_jpeg_file(file);
  } catch (const std::exception& e) {  // JpegError or CameraError, naming the file
    last_error_ = e.what();
    return Next::kFailed;
  }
  return Next::kFrame;
}

}  // namespace rcpilot::perception
