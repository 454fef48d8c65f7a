#include "perception/jpeg_codec.hpp"

#include <turbojpeg.h>

#include <fstream>
#include <iterator>
#include <memory>

namespace rcpilot::perception {
namespace {

// A TurboJPEG handle freed on every path out.
struct HandleCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

Handle checked(tjhandle handle, const char* what) {
  if (handle == nullptr) throw JpegError(std::string("cannot start the JPEG ") + what);
  return Handle(handle);
}

}  // namespace

void encode_jpeg(const cv::Mat& image, int quality, std::vector<unsigned char>& out) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 3 && image.channels() != 1)) {
    throw JpegError("cannot encode a " + std::to_string(image.cols) + "x" +
                    std::to_string(image.rows) + " image with " + std::to_string(image.channels()) +
                    " channels as JPEG: 8-bit BGR or grey images only");
  }
  const Handle handle = checked(tjInitCompress(), "encoder");
  const bool grey = image.channels() == 1;
  const int subsampling = grey ? TJSAMP_GRAY : TJSAMP_420;
  // The worst-case size up front, so TurboJPEG writes straight into `out` (no realloc).
  out.resize(tjBufSize(image.cols, image.rows, subsampling));
  unsigned char* buffer = out.data();
  unsigned long size = out.size();
  if (tjCompress2(handle.get(), image.data, image.cols, static_cast<int>(image.step[0]), image.rows,
                  grey ? TJPF_GRAY : TJPF_BGR, &buffer, &size, subsampling, quality,
                  TJFLAG_NOREALLOC) != 0) {
    throw JpegError(std::string("cannot encode image as JPEG: ") + tjGetErrorStr2(handle.get()));
  }
  out.resize(size);
}

cv::Mat decode_jpeg(const unsigned char* data, std::size_t size) {
  const Handle handle = checked(tjInitDecompress(), "decoder");
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), data, size, &width, &height, &subsampling, &colorspace) !=
      0) {
    throw JpegError(std::string("not a readable JPEG: ") + tjGetErrorStr2(handle.get()));
  }
  cv::Mat bgr(height, width, CV_8UC3);
  // Default flags: accurate DCT and smooth upsampling, the decode cv::imread and PIL give.
  if (tjDecompress2(handle.get(), data, size, bgr.data, width, static_cast<int>(bgr.step[0]),
                    height, TJPF_BGR, 0) != 0 &&
      tjGetErrorCode(handle.get()) != TJERR_WARNING) {
    throw JpegError(std::string("cannot decode JPEG: ") + tjGetErrorStr2(handle.get()));
  }
  return bgr;
}

cv::Mat read_jpeg_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw JpegError(path + " is missing or cannot be read");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
  try {
    return decode_jpeg(bytes.data(), bytes.size());
  } catch (const JpegError& e) {
    throw JpegError(path + ": " + e.what());
  }
}

}  // namespace rcpilot::perception
