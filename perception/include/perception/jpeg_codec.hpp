#pragma once
// JPEG encoding and decoding through libjpeg-turbo's TurboJPEG API. The node's always-on paths
// (recorder, telemetry `frame`, tub replay) use this instead of OpenCV's imgcodecs: the
// distributions' imgcodecs pulls ~100 shared libraries (GDAL, OpenEXR, ...) costing ~50 MB of
// resident memory in every process that links it (bench/RESULTS.md, "Node memory").
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace rcpilot::perception {

// An image that cannot be encoded, or data that is not a readable JPEG.
class JpegError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Encodes `image` (8-bit BGR, CV_8UC3, or grey, CV_8UC1) as a baseline JPEG at `quality`
// (1..100; 4:2:0 chroma like cv::imencode) into `out`, which is resized, so a reused vector
// does not allocate once it has grown. Throws JpegError.
void encode_jpeg(const cv::Mat& image, int quality, std::vector<unsigned char>& out);

// Decodes a JPEG (colour or grey) into 8-bit BGR. A damaged but decodable JPEG gives its
// image, as cv::imread does. Throws JpegError when `data` is not a readable JPEG.
cv::Mat decode_jpeg(const unsigned char* data, std::size_t size);

// Reads and decodes the JPEG file `path` into 8-bit BGR. Throws JpegError naming the file.
cv::Mat read_jpeg_file(const std::string& path);

}  // namespace rcpilot::perception
