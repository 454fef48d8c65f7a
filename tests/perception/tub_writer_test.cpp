#include "perception/tub_writer.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A minimal tub reader, as Donkey's would: manifest -> catalogs -> records, seeking with
// line_lengths instead of scanning.
std::vector<json> read_tub(const fs::path& tub) {
  const auto manifest = read_lines(tub / "manifest.json");
  const json catalogs = json::parse(manifest.at(4)).at("paths");
  std::vector<json> records;
  for (const auto& name : catalogs) {
    const json meta = json::parse(read_lines(tub / (name.get<std::string>() + "_manifest")).at(0));
    std::ifstream catalog(tub / name.get<std::string>(), std::ios::binary);
    std::streamoff offset = 0;
    for (const auto& length : meta.at("line_lengths")) {
      std::string line(length.get<std::size_t>(), '\0');
      catalog.seekg(offset);
      catalog.read(line.data(), static_cast<std::streamsize>(line.size()));
      EXPECT_EQ(line.back(), '\n');
      records.push_back(json::parse(line));
      offset += length.get<std::streamoff>();
    }
  }
  return records;
}

cv::Mat test_image(int i) { return cv::Mat(24, 32, CV_8UC3, cv::Scalar(i % 256, 50, 200)); }

TEST(TubWriter, writes_2500_records_donkey_can_read) {
  testing::TempDir dir;
  const fs::path tub = dir.path() / "tub";
  {
    TubWriter writer(tub.string(), json{{"car", "test"}});
    for (int i = 0; i < 2500; ++i) {
      writer.write(test_image(i), i * 0.001f - 1.0f, 0.5f, "user", 1700000000000 + i * 50);
    }
    writer.close();
  }
  const auto manifest = read_lines(tub / "manifest.json");
  ASSERT_EQ(manifest.size(), 5u);
  EXPECT_EQ(json::parse(manifest[0]), json(TubWriter::inputs()));
  EXPECT_EQ(json::parse(manifest[1]), json::parse(R"(["image_array","float","float","str"])"));
  EXPECT_EQ(json::parse(manifest[2]), (json{{"car", "test"}}));
  const json line4 = json::parse(manifest[3]);
  EXPECT_TRUE(line4.at("created_at").is_number_float());
  EXPECT_EQ(line4.at("sessions").at("last_id"), 0);
  const std::string session = line4.at("sessions").at("last_full_id");
  EXPECT_EQ(line4.at("sessions").at("all_full_ids"), json::array({session}));
  const json line5 = json::parse(manifest[4]);
  EXPECT_EQ(line5.at("paths"),
            json::parse(R"(["catalog_0.catalog","catalog_1.catalog","catalog_2.catalog"])"));
  EXPECT_EQ(line5.at("current_index"), 2500);
  EXPECT_EQ(line5.at("max_len"), 1000);
  EXPECT_EQ(line5.at("deleted_indexes"), json::array());

  for (int k = 0; k < 3; ++k) {
    const std::string name = "catalog_" + std::to_string(k) + ".catalog";
    const json meta = json::parse(read_lines(tub / (name + "_manifest")).at(0));
    EXPECT_EQ(meta.at("path"), name + "_manifest");  // what Donkey writes: its own file name
    EXPECT_EQ(meta.at("start_index"), k * 1000);
    const auto lines = read_lines(tub / name);
    ASSERT_EQ(meta.at("line_lengths").size(), lines.size());
    EXPECT_EQ(lines.size(), k < 2 ? 1000u : 500u);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      EXPECT_EQ(meta.at("line_lengths")[i], lines[i].size() + 1) << name << " line " << i;
    }
  }

  const auto records = read_tub(tub);
  ASSERT_EQ(records.size(), 2500u);
  const json& r = records[1234];
  EXPECT_EQ(r.at("_index"), 1234);
  EXPECT_EQ(r.at("_session_id"), session);
  EXPECT_EQ(r.at("_timestamp_ms"), 1700000000000 + 1234 * 50);
  EXPECT_EQ(r.at("cam/image_array"), "1234_cam_image_array_.jpg");
  EXPECT_NEAR(r.at("user/angle").get<double>(), 1234 * 0.001 - 1.0, 1e-5);
  EXPECT_EQ(r.at("user/throttle"), 0.5);
  EXPECT_EQ(r.at("user/mode"), "user");
  for (const auto& record : records) {
    ASSERT_TRUE(fs::exists(tub / "images" / record.at("cam/image_array").get<std::string>()));
  }
}

TEST(TubWriter, catalog_lines_have_sorted_keys_and_leave_out_nan) {
  testing::TempDir dir;
  TubWriter writer(dir.str("tub"));
  writer.write(test_image(0), std::nanf(""), 0.25f, "local", 42);
  writer.close();
  const auto lines = read_lines(dir.path() / "tub" / "catalog_0.catalog");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "{\"_index\":0,\"_session_id\":\"" + writer.session_id() +
                          "\",\"_timestamp_ms\":42,\"cam/image_array\":\"0_cam_image_array_.jpg\","
                          "\"user/mode\":\"local\",\"user/throttle\":0.25}");
}

TEST(TubWriter, images_are_jpegs_with_the_colours_of_the_frame) {
  testing::TempDir dir;
  TubWriter writer(dir.str("tub"));
  const cv::Mat bgr(24, 32, CV_8UC3, cv::Scalar(200, 100, 30));
  writer.write(bgr, 0.0f, 0.0f, "user", 1);
  writer.close();
  const cv::Mat back = cv::imread(dir.str("tub/images/0_cam_image_array_.jpg"));
  ASSERT_FALSE(back.empty());
  EXPECT_LT(cv::norm(back, bgr, cv::NORM_INF), 8.0);  // JPEG is lossy
}

TEST(TubWriter, manifest_is_valid_after_every_record_before_close) {
  testing::TempDir dir;
  TubWriter writer(dir.str("tub"));
  writer.write(test_image(0), 0.0f, 0.0f, "user", 1);
  writer.write(test_image(1), 0.0f, 0.0f, "user", 2);
  // Not closed: what a crash would leave behind.
  const auto manifest = read_lines(dir.path() / "tub" / "manifest.json");
  ASSERT_EQ(manifest.size(), 5u);
  EXPECT_EQ(json::parse(manifest[4]).at("current_index"), 2);
  EXPECT_EQ(read_tub(dir.path() / "tub").size(), 2u);
}

TEST(TubWriter, reopening_a_tub_appends_a_new_session) {
  testing::TempDir dir;
  {
    TubWriter first(dir.str("tub"));
    first.write(test_image(0), 0.1f, 0.2f, "user", 1);
  }
  TubWriter second(dir.str("tub"));
  EXPECT_EQ(second.write(test_image(1), 0.1f, 0.2f, "user", 2), 1);
  second.close();
  const auto records = read_tub(dir.path() / "tub");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[0].at("_session_id"), records[1].at("_session_id"));
  const json sessions =
      json::parse(read_lines(dir.path() / "tub" / "manifest.json")[3]).at("sessions");
  EXPECT_EQ(sessions.at("last_id"), 1);
  EXPECT_EQ(sessions.at("all_full_ids").size(), 2u);
}

TEST(TubWriter, refuses_a_non_empty_folder_that_is_not_a_tub) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "notes.txt") << "precious";
  try {
    TubWriter writer(dir.str());
    FAIL() << "no error";
  } catch (const TubError& e) {
    EXPECT_NE(std::string(e.what()).find("is not a tub"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(dir.path() / "notes.txt"));
}

TEST(TubWriter, session_is_not_recorded_when_nothing_was_written) {
  testing::TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(test_image(0), 0.f, 0.f, "user", 1);
  }
  { TubWriter writer(dir.str("tub")); }
  const json line4 = json::parse(read_lines(dir.path() / "tub" / "manifest.json").at(3));
  EXPECT_EQ(line4.at("sessions").at("all_full_ids").size(), 1u);
}

TEST(TubWriter, a_new_tub_that_records_nothing_leaves_no_manifest_or_catalog) {
  // Donkey's read-only reader cannot open an empty catalog nor a manifest listing none.
  testing::TempDir dir;
  { TubWriter writer(dir.str("tub")); }
  EXPECT_TRUE(fs::is_directory(dir.path() / "tub"));
  EXPECT_TRUE(fs::is_empty(dir.path() / "tub"));
  TubWriter again(dir.str("tub"));  // still a new tub
  EXPECT_EQ(again.write(test_image(0), 0.f, 0.f, "user", 1), 0);
}

TEST(TubWriter, a_session_opened_on_a_full_catalog_creates_the_next_only_with_its_first_record) {
  testing::TempDir dir;
  const fs::path tub = dir.path() / "tub";
  {
    TubWriter writer(tub.string());
    for (int i = 0; i < TubWriter::kMaxCatalogLen; ++i)
      writer.write(test_image(i), 0.f, 0.f, "user", i);
  }
  { TubWriter idle(tub.string()); }
  EXPECT_FALSE(fs::exists(tub / "catalog_1.catalog"));
  EXPECT_EQ(json::parse(read_lines(tub / "manifest.json").at(4)).at("paths").size(), 1u);
  EXPECT_EQ(read_tub(tub).size(), 1000u);
  {
    TubWriter writer(tub.string());
    EXPECT_EQ(writer.write(test_image(0), 0.f, 0.f, "user", 1), 1000);
  }
  EXPECT_EQ(read_lines(tub / "catalog_1.catalog").size(), 1u);
  EXPECT_EQ(read_tub(tub).size(), 1001u);
}

TEST(TubWriter, an_empty_last_catalog_an_older_rcpilot_left_is_removed_on_open) {
  testing::TempDir dir;
  const fs::path tub = dir.path() / "tub";
  {
    TubWriter writer(tub.string());
    writer.write(test_image(0), 0.f, 0.f, "user", 1);
  }
  // What rcpilot before issue 18 left: the next catalog, empty, listed in manifest.json.
  std::ofstream(tub / "catalog_1.catalog").close();
  std::ofstream(tub / "catalog_1.catalog_manifest")
      << R"({"created_at":1.0,"line_lengths":[],"path":"catalog_1.catalog","start_index":1})"
      << "\n";
  auto lines = read_lines(tub / "manifest.json");
  json line5 = json::parse(lines[4]);
  line5["paths"].push_back("catalog_1.catalog");
  lines[4] = line5.dump();
  {
    std::ofstream out(tub / "manifest.json", std::ios::trunc);
    for (const auto& line : lines) out << line << "\n";
  }
  TubWriter writer(tub.string());
  EXPECT_NE(writer.repair_note().find("empty catalog catalog_1.catalog"), std::string::npos)
      << writer.repair_note();
  EXPECT_FALSE(fs::exists(tub / "catalog_1.catalog"));
  EXPECT_EQ(json::parse(read_lines(tub / "manifest.json").at(4)).at("paths"),
            json::array({"catalog_0.catalog"}));
  EXPECT_EQ(writer.write(test_image(1), 0.f, 0.f, "user", 2), 1);
}

TEST(TubWriter, extra_inputs_are_listed_in_the_manifest_and_written_when_present) {
  testing::TempDir dir;
  TubOptions options;
  options.extra_inputs = {{"rcpilot/throttle_sent", "float"}, {"rcpilot/frame_seq", "int"}};
  TubWriter writer(dir.str("tub"), json::object(), options);
  writer.write(test_image(0), 0.1f, 0.2f, "user", 1,
               json{{"rcpilot/throttle_sent", 0.15f}, {"rcpilot/frame_seq", 7}});
  writer.write(test_image(1), 0.1f, 0.2f, "user", 2,
               json{{"rcpilot/throttle_sent", std::nanf("")}, {"rcpilot/frame_seq", nullptr}});
  EXPECT_THROW(writer.write(test_image(2), 0.f, 0.f, "user", 3, json{{"other/key", 1}}), TubError);
  writer.close();
  const auto manifest = read_lines(dir.path() / "tub" / "manifest.json");
  EXPECT_EQ(json::parse(manifest[0]).back(), "rcpilot/frame_seq");
  EXPECT_EQ(json::parse(manifest[1]), json::parse(R"(["image_array","float","float","str",
                                                      "float","int"])"));
  const auto records = read_tub(dir.path() / "tub");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("rcpilot/throttle_sent"), 0.15);
  EXPECT_EQ(records[0].at("rcpilot/frame_seq"), 7);
  EXPECT_FALSE(records[1].contains("rcpilot/throttle_sent"));
  EXPECT_FALSE(records[1].contains("rcpilot/frame_seq"));
}

TEST(TubWriter, refuses_a_tub_recorded_with_other_inputs) {
  testing::TempDir dir;
  {
    TubWriter plain(dir.str("tub"));
    plain.write(test_image(0), 0.f, 0.f, "user", 1);
  }
  TubOptions options;
  options.extra_inputs = {{"rcpilot/frame_seq", "int"}};
  EXPECT_THROW(TubWriter(dir.str("tub"), json::object(), options), TubError);
}

TEST(TubWriter, erase_last_soft_deletes_the_newest_records_not_yet_deleted) {
  testing::TempDir dir;
  {
    TubWriter first(dir.str("tub"));
    for (int i = 0; i < 3; ++i) first.write(test_image(i), 0.f, 0.f, "user", i);
  }
  TubWriter writer(dir.str("tub"));
  for (int i = 3; i < 5; ++i) writer.write(test_image(i), 0.f, 0.f, "user", i);
  EXPECT_EQ(writer.erase_last(1), 1);
  EXPECT_EQ(writer.erase_last(2), 2);  // 3 and 2: erasing reaches into the earlier session
  EXPECT_EQ(writer.deleted_indexes(), (std::vector<std::int64_t>{2, 3, 4}));
  EXPECT_EQ(writer.erase_last(10), 2);
  EXPECT_EQ(writer.erase_last(1), 0);
  const json line5 = json::parse(read_lines(dir.path() / "tub" / "manifest.json").at(4));
  EXPECT_EQ(line5.at("deleted_indexes"), json::parse("[0,1,2,3,4]"));
  EXPECT_TRUE(fs::exists(dir.path() / "tub" / "images" / "4_cam_image_array_.jpg"));
}

TEST(TubWriter, mark_range_deletes_and_restores_exactly_the_indexes_asked_within_the_tub) {
  testing::TempDir dir;
  TubWriter writer(dir.str("tub"));
  for (int i = 0; i < 6; ++i) writer.write(test_image(i), 0.f, 0.f, "user", i);
  EXPECT_EQ(writer.mark_range(1, 3, true), 3);
  EXPECT_EQ(writer.mark_range(2, 9, true), 2) << "2 and 3 were deleted already; 6.. do not exist";
  EXPECT_EQ(writer.deleted_indexes(), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(writer.mark_range(2, 4, false), 3);
  EXPECT_EQ(writer.mark_range(2, 4, false), 0);
  writer.close();
  const json line5 = json::parse(read_lines(dir.path() / "tub" / "manifest.json").at(4));
  EXPECT_EQ(line5.at("deleted_indexes"), json::parse("[1,5]"));
}

TEST(TubWriter, a_failed_write_names_the_file_and_errno_and_keeps_earlier_records) {
  testing::TempDir dir;
  bool full = false;
  TubOptions options;
  options.write_fn = [&full](int fd, const void* data, std::size_t size) -> ssize_t {
    if (!full) return ::write(fd, data, size);
    errno = ENOSPC;
    return -1;
  };
  TubWriter writer(dir.str("tub"), json::object(), options);
  writer.write(test_image(0), 0.1f, 0.2f, "user", 1);
  writer.write(test_image(1), 0.1f, 0.2f, "user", 2);
  full = true;
  try {
    writer.write(test_image(2), 0.1f, 0.2f, "user", 3);
    FAIL() << "no TubError";
  } catch (const TubError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("2_cam_image_array_.jpg"), std::string::npos) << what;
    EXPECT_NE(what.find(std::strerror(ENOSPC)), std::string::npos) << what;
  }
  EXPECT_THROW(writer.close(), TubError);  // the session cannot be written either
  EXPECT_EQ(read_tub(dir.path() / "tub").size(), 2u);
  EXPECT_FALSE(fs::exists(dir.path() / "tub" / "images" / "2_cam_image_array_.jpg"));
  EXPECT_FALSE(fs::exists(dir.path() / "tub" / "manifest.json.tmp"));
}

TEST(TubWriter, reopening_after_a_crash_between_the_two_manifests_does_not_reuse_an_index) {
  testing::TempDir dir;
  const fs::path tub = dir.path() / "tub";
  {
    TubWriter writer(tub.string());
    writer.write(test_image(0), 0.f, 0.f, "user", 1);
  }
  // What a kill between the catalog manifest and manifest.json leaves: one more catalog line
  // than manifest.json's current_index says.
  const std::string saved_manifest = [&] {
    std::ifstream in(tub / "manifest.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  {
    TubWriter writer(tub.string());
    writer.write(test_image(1), 0.f, 0.f, "user", 2);
    writer.close();
  }
  std::ofstream(tub / "manifest.json", std::ios::trunc) << saved_manifest;
  TubWriter writer(tub.string());
  EXPECT_EQ(writer.write(test_image(2), 0.f, 0.f, "user", 3), 2);
  writer.close();
  const auto records = read_tub(tub);
  ASSERT_EQ(records.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(records[static_cast<std::size_t>(i)].at("_index"), i);
  // The killed session never reached the manifest's sessions; its id is not given out again.
  EXPECT_NE(records[1].at("_session_id"), records[2].at("_session_id"));
}

TEST(TubWriter, jpeg_quality_changes_the_image_size) {
  testing::TempDir dir;
  cv::Mat noise(64, 64, CV_8UC3);
  cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(255));
  std::uintmax_t sizes[2];
  const int qualities[2] = {20, 95};
  for (int i = 0; i < 2; ++i) {
    TubOptions options;
    options.jpeg_quality = qualities[i];
    const std::string tub = dir.str("tub" + std::to_string(i));
    TubWriter writer(tub, json::object(), options);
    writer.write(noise, 0.f, 0.f, "user", 1);
    sizes[i] = fs::file_size(fs::path(tub) / "images" / "0_cam_image_array_.jpg");
  }
  EXPECT_LT(sizes[0], sizes[1]);
}

}  // namespace
}  // namespace rcpilot::perception
