#include "perception/jpeg_codec.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::TempDir;

// A smooth colour gradient: survives JPEG within a few levels, and has every channel distinct.
cv::Mat gradient(cv::Size size = {64, 48}) {
  cv::Mat bgr(size, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      bgr.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uchar>(x * 3), static_cast<uchar>(y * 4), static_cast<uchar>(200));
    }
  }
  return bgr;
}

TEST(JpegCodec, a_bgr_image_survives_encode_and_decode_within_a_few_levels) {
  const cv::Mat in = gradient();
  std::vector<unsigned char> jpeg;
  encode_jpeg(in, 95, jpeg);
  const cv::Mat out = decode_jpeg(jpeg.data(), jpeg.size());
  ASSERT_EQ(out.size(), in.size());
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_LT(cv::norm(in, out, cv::NORM_INF), 12.0);  // channel order kept: B, G, R differ
}

TEST(JpegCodec, decodes_exactly_what_opencv_imread_decodes) {
  // The model sees the same pixels as with cv::imread (and PIL's libjpeg in training).
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", gradient({224, 224}), jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  const cv::Mat ours = decode_jpeg(jpeg.data(), jpeg.size());
  const cv::Mat opencv = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  EXPECT_EQ(cv::norm(ours, opencv, cv::NORM_INF), 0.0);
}

TEST(JpegCodec, opencv_reads_what_we_encode_as_a_colour_jpeg) {
  std::vector<unsigned char> jpeg;
  encode_jpeg(gradient(), 90, jpeg);
  const cv::Mat back = cv::imdecode(jpeg, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(back.type(), CV_8UC3);
  EXPECT_LT(cv::norm(gradient(), back, cv::NORM_INF), 16.0);
}

TEST(JpegCodec, lower_quality_gives_a_smaller_file) {
  std::vector<unsigned char> high, low;
  encode_jpeg(gradient({224, 224}), 95, high);
  encode_jpeg(gradient({224, 224}), 30, low);
  EXPECT_LT(low.size(), high.size());
}

TEST(JpegCodec, a_grey_image_is_encoded_and_decodes_to_bgr) {
  const cv::Mat grey(48, 64, CV_8UC1, cv::Scalar(90));
  std::vector<unsigned char> jpeg;
  encode_jpeg(grey, 95, jpeg);
  const cv::Mat out = decode_jpeg(jpeg.data(), jpeg.size());
  ASSERT_EQ(out.type(), CV_8UC3);
  EXPECT_NEAR(out.at<cv::Vec3b>(10, 10)[0], 90, 2);
  EXPECT_NEAR(out.at<cv::Vec3b>(10, 10)[2], 90, 2);
}

TEST(JpegCodec, an_image_jpeg_cannot_hold_is_an_error) {
  std::vector<unsigned char> jpeg;
  EXPECT_THROW(encode_jpeg(cv::Mat(4, 4, CV_32FC3), 95, jpeg), JpegError);
  EXPECT_THROW(encode_jpeg(cv::Mat(), 95, jpeg), JpegError);
}

TEST(JpegCodec, bytes_that_are_not_a_jpeg_are_an_error) {
  const std::vector<unsigned char> junk(100, 0x42);
  EXPECT_THROW(decode_jpeg(junk.data(), junk.size()), JpegError);
}

TEST(JpegCodec, a_truncated_jpeg_still_gives_its_image_like_imread) {
  std::vector<unsigned char> jpeg;
  encode_jpeg(gradient({224, 224}), 95, jpeg);
  jpeg.resize(jpeg.size() * 2 / 3);
  const cv::Mat out = decode_jpeg(jpeg.data(), jpeg.size());
  EXPECT_EQ(out.size(), cv::Size(224, 224));
}

TEST(JpegCodec, reading_a_missing_or_broken_file_names_it) {
  TempDir dir;
  std::ofstream(dir.str("broken.jpg")) << "not a jpeg";
  for (const std::string& path : {dir.str("missing.jpg"), dir.str("broken.jpg")}) {
    try {
      read_jpeg_file(path);
      FAIL() << path;
    } catch (const JpegError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

TEST(JpegCodec, reads_a_jpeg_file) {
  TempDir dir;
  cv::imwrite(dir.str("a.jpg"), gradient());
  EXPECT_EQ(read_jpeg_file(dir.str("a.jpg")).size(), cv::Size(64, 48));
}

}  // namespace
}  // namespace rcpilot::perception
