#include "perception/preprocessor.hpp"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace rcpilot::perception {
namespace {

ModelInput make_input(TensorLayout layout, ColorOrder color, int h, int w) {
  ModelInput in;
  in.name = "input";
  in.layout = layout;
  in.shape =
      layout == TensorLayout::kNchw ? std::vector<int>{1, 3, h, w} : std::vector<int>{1, h, w, 3};
  in.color = color;
  in.scale = 1.0 / 255.0;
  in.mean = {0.485, 0.456, 0.406};
  in.stddev = {0.229, 0.224, 0.225};
  in.interpolation = Interpolation::kArea;
  return in;
}

cv::Mat random_frame(int rows, int cols, int seed) {
  cv::Mat frame(rows, cols, CV_8UC3);
  cv::theRNG().state = static_cast<std::uint64_t>(seed);
  cv::randu(frame, cv::Scalar::all(0), cv::Scalar::all(256));
  return frame;
}

// The obvious per-pixel implementation the fast one must agree with.
double reference_value(const ModelInput& in, const cv::Mat& bgr, int k, int y, int x) {
  cv::Mat src = bgr.rowRange(in.crop_top, bgr.rows - in.crop_bottom);
  cv::Mat resized = src;
  if (src.rows != in.height() || src.cols != in.width()) {
    cv::resize(src, resized, cv::Size(in.width(), in.height()), 0, 0, cv::INTER_AREA);
  }
  const cv::Vec3b px = resized.at<cv::Vec3b>(y, x);
  const int channel = in.color == ColorOrder::kRgb ? 2 - k : k;
  return (px[channel] * in.scale - in.mean[k]) / in.stddev[k];
}

void expect_matches_reference(const ModelInput& in, const cv::Mat& frame) {
  Preprocessor pre(in);
  const cv::Mat& t = pre.run(frame);
  ASSERT_EQ(t.type(), CV_32F);
  ASSERT_EQ(std::vector<int>(t.size.p, t.size.p + t.dims), in.shape);
  double worst = 0;
  for (int y = 0; y < in.height(); y += 3) {
    for (int x = 0; x < in.width(); x += 5) {
      for (int k = 0; k < 3; ++k) {
        const int idx[4] = {0, k, y, x};
        const int idx_nhwc[4] = {0, y, x, k};
        const float got =
            in.layout == TensorLayout::kNchw ? t.at<float>(idx) : t.at<float>(idx_nhwc);
        worst = std::max(worst, std::abs(got - reference_value(in, frame, k, y, x)));
      }
    }
  }
  EXPECT_LT(worst, 1e-5);
}

TEST(Preprocessor, nchw_rgb_matches_the_per_pixel_reference_without_resizing) {
  expect_matches_reference(make_input(TensorLayout::kNchw, ColorOrder::kRgb, 224, 224),
                           random_frame(224, 224, 1));
}

TEST(Preprocessor, nchw_rgb_matches_the_per_pixel_reference_after_resizing) {
  expect_matches_reference(make_input(TensorLayout::kNchw, ColorOrder::kRgb, 120, 160),
                           random_frame(240, 320, 2));
}

TEST(Preprocessor, nhwc_bgr_matches_the_per_pixel_reference) {
  expect_matches_reference(make_input(TensorLayout::kNhwc, ColorOrder::kBgr, 66, 200),
                           random_frame(240, 320, 3));
}

TEST(Preprocessor, crop_removes_rows_before_resizing) {
  ModelInput in = make_input(TensorLayout::kNchw, ColorOrder::kRgb, 60, 80);
  in.crop_top = 40;
  in.crop_bottom = 20;
  expect_matches_reference(in, random_frame(240, 320, 4));
}

TEST(Preprocessor, reuses_its_output_buffer_across_frames) {
  Preprocessor pre(make_input(TensorLayout::kNchw, ColorOrder::kRgb, 120, 160));
  const float* first = pre.run(random_frame(240, 320, 5)).ptr<float>();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(pre.run(random_frame(240, 320, 6 + i)).ptr<float>(), first);
  EXPECT_EQ(pre.run(random_frame(120, 160, 9)).ptr<float>(), first);
}

TEST(Preprocessor, resizing_never_writes_into_a_previous_frame) {
  Preprocessor pre(make_input(TensorLayout::kNchw, ColorOrder::kRgb, 120, 160));
  cv::Mat exact = random_frame(120, 160, 10);
  const cv::Mat before = exact.clone();
  pre.run(exact);                       // model-sized: used in place
  pre.run(random_frame(240, 320, 11));  // needs a resize
  EXPECT_EQ(cv::norm(exact, before, cv::NORM_INF), 0.0);
}

TEST(Preprocessor, rejects_empty_and_non_bgr_frames) {
  Preprocessor pre(make_input(TensorLayout::kNchw, ColorOrder::kRgb, 120, 160));
  EXPECT_THROW(pre.run(cv::Mat()), ModelError);
  EXPECT_THROW(pre.run(cv::Mat(120, 160, CV_8UC1, cv::Scalar(0))), ModelError);
}

}  // namespace
}  // namespace rcpilot::perception
