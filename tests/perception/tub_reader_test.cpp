#include "perception/tub_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

cv::Mat filled(int value) { return cv::Mat(16, 24, CV_8UC3, cv::Scalar(value, 0, 255 - value)); }

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

// Sets manifest line 5's deleted_indexes, as Donkey's `tub.delete_records` does.
void mark_deleted(const fs::path& tub, const std::vector<int>& indexes) {
  auto lines = lines_of(tub / "manifest.json");
  json line5 = json::parse(lines.at(4));
  line5["deleted_indexes"] = indexes;
  lines[4] = line5.dump();
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_text(tub / "manifest.json", text);
}

void expect_throw_naming(const std::function<void()>& f, const std::string& a,
                         const std::string& b) {
  try {
    f();
    FAIL() << "no TubError";
  } catch (const TubError& e) {
    EXPECT_NE(std::string(e.what()).find(a), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(b), std::string::npos) << e.what();
  }
}

TEST(TubReader, reads_back_what_the_tub_writer_wrote) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(filled(10), 0.25f, 0.5f, "user", 1000);
    writer.write(filled(20), -0.5f, std::nanf(""), "local", 1050);
  }
  TubReader reader(dir.str("tub"));
  ASSERT_EQ(reader.records().size(), 2u);
  const TubRecord& first = reader.records()[0];
  EXPECT_EQ(first.index, 0);
  EXPECT_FLOAT_EQ(first.angle, 0.25f);
  EXPECT_FLOAT_EQ(first.throttle, 0.5f);
  EXPECT_EQ(first.mode, "user");
  EXPECT_EQ(first.timestamp_ms, 1000);
  EXPECT_FALSE(first.session_id.empty());
  EXPECT_TRUE(std::isnan(reader.records()[1].throttle));  // left out of the record: NaN
  const cv::Mat image = reader.image(reader.records()[1]);
  ASSERT_EQ(image.size(), cv::Size(24, 16));
  EXPECT_NEAR(image.at<cv::Vec3b>(8, 12)[0], 20, 4);  // BGR again after the RGB JPEG
  EXPECT_NEAR(image.at<cv::Vec3b>(8, 12)[2], 235, 4);
  EXPECT_EQ(reader.inputs(), TubWriter::inputs());
}

TEST(TubReader, skips_deleted_indexes_and_counts_them) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    for (int i = 0; i < 5; ++i) writer.write(filled(i * 10), 0.1f * i, 0.2f, "user", 1000 + i);
  }
  mark_deleted(dir.path() / "tub", {1, 3});
  TubReader reader(dir.str("tub"));
  ASSERT_EQ(reader.records().size(), 3u);
  EXPECT_EQ(reader.records()[0].index, 0);
  EXPECT_EQ(reader.records()[1].index, 2);
  EXPECT_EQ(reader.records()[2].index, 4);
  EXPECT_EQ(reader.deleted_count(), 2u);
}

TEST(TubReader, lists_sessions_and_filters_records_by_session) {
  TempDir dir;
  std::string first_id, second_id;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(filled(1), 0.1f, 0.1f, "user", 1);
    writer.write(filled(2), 0.2f, 0.1f, "user", 2);
    first_id = writer.session_id();
  }
  {
    TubWriter writer(dir.str("tub"));
    writer.write(filled(3), 0.3f, 0.1f, "user", 3);
    second_id = writer.session_id();
  }
  TubReader reader(dir.str("tub"));
  ASSERT_EQ(reader.sessions(), (std::vector<std::string>{first_id, second_id}));
  EXPECT_EQ(reader.session_records(first_id).size(), 2u);
  ASSERT_EQ(reader.session_records(second_id).size(), 1u);
  EXPECT_EQ(reader.session_records(second_id)[0].index, 2);
}

TEST(TubReader, follows_the_manifest_paths_across_catalogs) {
  TempDir dir;
  const int n = TubWriter::kMaxCatalogLen + 3;
  {
    TubWriter writer(dir.str("tub"));
    const cv::Mat image = filled(5);
    for (int i = 0; i < n; ++i) writer.write(image, 0.0f, 0.0f, "user", i);
  }
  TubReader reader(dir.str("tub"));
  ASSERT_EQ(reader.records().size(), static_cast<std::size_t>(n));
  EXPECT_EQ(reader.records().back().index, n - 1);
}

TEST(TubReader, ignores_a_partial_line_after_the_recorded_line_lengths) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(filled(1), 0.1f, 0.1f, "user", 1);
  }
  std::ofstream(dir.path() / "tub" / "catalog_0.catalog", std::ios::app) << "{\"_index\": 1, \"us";
  TubReader reader(dir.str("tub"));
  EXPECT_EQ(reader.records().size(), 1u);
}

// An older Donkey tub: no _session_id, a `timestamp` string input, no sessions in the manifest
// and no catalog manifest.
void write_old_style_tub(const fs::path& tub) {
  fs::create_directories(tub / "images");
  write_text(tub / "manifest.json",
             "[\"cam/image_array\", \"user/angle\", \"user/throttle\", \"user/mode\", "
             "\"timestamp\"]\n"
             "[\"image_array\", \"float\", \"float\", \"str\", \"str\"]\n"
             "{}\n"
             "{\"created_at\": 1600000000.5}\n"
             "{\"paths\": [\"catalog_0.catalog\"], \"current_index\": 2, \"max_len\": 1000, "
             "\"deleted_indexes\": []}\n");
  write_text(tub / "catalog_0.catalog",
             "{\"_index\": 0, \"_timestamp_ms\": 1600000000500, \"cam/image_array\": "
             "\"0_cam_image_array_.jpg\", \"timestamp\": \"2020-09-13 12:26:40.500000\", "
             "\"user/angle\": -0.75, \"user/mode\": \"user\", \"user/throttle\": 0.3}\n"
             "{\"_index\": 1, \"cam/image_array\": \"1_cam_image_array_.jpg\", \"timestamp\": "
             "\"2020-09-13 12:26:40.550000\", \"user/angle\": 0.5, \"user/mode\": \"user\", "
             "\"user/throttle\": 0.3}\n");
  cv::imwrite((tub / "images" / "0_cam_image_array_.jpg").string(), filled(50));
  cv::imwrite((tub / "images" / "1_cam_image_array_.jpg").string(), filled(60));
}

TEST(TubReader, reads_older_tubs_without_session_ids_and_with_a_timestamp_string) {
  TempDir dir;
  write_old_style_tub(dir.path() / "old");
  TubReader reader(dir.str("old"));
  ASSERT_EQ(reader.records().size(), 2u);
  EXPECT_TRUE(reader.sessions().empty());
  EXPECT_EQ(reader.records()[0].session_id, "");
  EXPECT_EQ(reader.records()[0].timestamp, "2020-09-13 12:26:40.500000");
  EXPECT_EQ(reader.records()[0].timestamp_ms, 1600000000500);
  EXPECT_EQ(reader.records()[1].timestamp_ms, -1);
  EXPECT_FLOAT_EQ(reader.records()[0].angle, -0.75f);
  EXPECT_EQ(reader.image(reader.records()[1]).size(), cv::Size(24, 16));
}

TEST(TubReader, a_folder_without_manifest_is_an_error_naming_the_tub) {
  TempDir dir;
  fs::create_directories(dir.path() / "empty");
  expect_throw_naming([&] { TubReader r(dir.str("empty")); }, dir.str("empty"), "manifest.json");
}

TEST(TubReader, a_missing_catalog_is_an_error_naming_the_catalog) {
  TempDir dir;
  write_old_style_tub(dir.path() / "old");
  fs::remove(dir.path() / "old" / "catalog_0.catalog");
  expect_throw_naming([&] { TubReader r(dir.str("old")); }, dir.str("old"), "catalog_0.catalog");
}

TEST(TubReader, a_bad_catalog_line_is_an_error_naming_file_and_line) {
  TempDir dir;
  write_old_style_tub(dir.path() / "old");
  std::ofstream(dir.path() / "old" / "catalog_0.catalog", std::ios::app) << "{not json\n";
  expect_throw_naming([&] { TubReader r(dir.str("old")); }, "catalog_0.catalog", "line 3");
}

TEST(TubReader, a_missing_image_is_an_error_naming_the_image_file) {
  TempDir dir;
  write_old_style_tub(dir.path() / "old");
  fs::remove(dir.path() / "old" / "images" / "1_cam_image_array_.jpg");
  TubReader reader(dir.str("old"));
  expect_throw_naming([&] { reader.image(reader.records()[1]); }, dir.str("old"),
                      "1_cam_image_array_.jpg");
}

}  // namespace
}  // namespace rcpilot::perception
