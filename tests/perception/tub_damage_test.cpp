// Damaged tubs: the writer never loses a record it was not asked to erase, and every error
// names the tub file, the line and the field (docs/recording.md "Damaged tubs").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "perception/tub_reader.hpp"
#include "perception/tub_writer.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;

cv::Mat image(int i) { return cv::Mat(16, 24, CV_8UC3, cv::Scalar(i % 256, 50, 200)); }

std::string text_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

std::size_t line_count(const fs::path& p) {
  const std::string text = text_of(p);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A closed tub of `n` records (indexes 0..n-1) at <dir>/tub.
fs::path recorded_tub(const TempDir& dir, int n) {
  TubWriter writer(dir.str("tub"));
  for (int i = 0; i < n; ++i) writer.write(image(i), 0.1f, 0.2f, "user", 1000 + i);
  writer.close();
  return dir.path() / "tub";
}

json catalog_manifest(const fs::path& tub) {
  return json::parse(text_of(tub / "catalog_0.catalog_manifest"));
}

void set_catalog_manifest(const fs::path& tub, const json& meta) {
  write_text(tub / "catalog_0.catalog_manifest", meta.dump() + "\n");
}

// Replaces manifest.json line `number` (1..5).
void set_manifest_line(const fs::path& tub, int number, const std::string& line) {
  std::ifstream in(tub / "manifest.json");
  std::string text;
  int at = 1;
  for (std::string l; std::getline(in, l); ++at) text += (at == number ? line : l) + "\n";
  write_text(tub / "manifest.json", text);
}

std::string tub_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const TubError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a TubError: ") + e.what();
  }
  return "";
}

void expect_mentions(const std::string& text, const std::vector<std::string>& parts) {
  ASSERT_FALSE(text.empty()) << "no TubError";
  for (const auto& part : parts) EXPECT_NE(text.find(part), std::string::npos) << text;
  EXPECT_EQ(text.find("json.exception"), std::string::npos) << text;
  EXPECT_EQ(text.find("_M_range_check"), std::string::npos) << text;
}

TEST(TubDamage, a_wrong_line_lengths_entry_is_rebuilt_from_the_catalog_and_erase_loses_nothing) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 100);
  json meta = catalog_manifest(tub);
  meta["line_lengths"][0] = 999999;
  set_catalog_manifest(tub, meta);

  TubWriter writer(tub.string());
  expect_mentions(writer.repair_note(), {"catalog_0.catalog_manifest", "line 1", "999999"});
  EXPECT_EQ(writer.erase_last(1), 1);
  writer.close();

  EXPECT_EQ(line_count(tub / "catalog_0.catalog"), 100u);
  const TubReader reader(tub.string());
  ASSERT_EQ(reader.records().size(), 99u);
  EXPECT_EQ(reader.records().back().index, 98);
  EXPECT_EQ(reader.deleted_count(), 1u);
  const json rebuilt = catalog_manifest(tub);
  ASSERT_EQ(rebuilt.at("line_lengths").size(), 100u);
  EXPECT_EQ(rebuilt.at("line_lengths")[0], meta["line_lengths"][1]);  // all lines alike long
}

TEST(TubDamage, a_missing_catalog_manifest_is_rebuilt_and_recording_continues) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 3);
  fs::remove(tub / "catalog_0.catalog_manifest");
  TubWriter writer(tub.string());
  expect_mentions(writer.repair_note(), {"catalog_0.catalog_manifest", "missing"});
  EXPECT_EQ(writer.write(image(3), 0.f, 0.f, "user", 5), 3);
  writer.close();
  EXPECT_EQ(catalog_manifest(tub).at("line_lengths").size(), 4u);
  EXPECT_EQ(catalog_manifest(tub).at("start_index"), 0);
  EXPECT_EQ(TubReader(tub.string()).records().size(), 4u);
}

TEST(TubDamage, an_empty_catalog_manifest_is_an_error_naming_it_and_nothing_is_changed) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 3);
  write_text(tub / "catalog_0.catalog_manifest", "");
  const std::string catalog = text_of(tub / "catalog_0.catalog");
  const std::string manifest = text_of(tub / "manifest.json");
  expect_mentions(tub_error_of([&] { TubWriter w(tub.string()); }),
                  {"catalog_0.catalog_manifest", "empty"});
  EXPECT_EQ(text_of(tub / "catalog_0.catalog"), catalog);
  EXPECT_EQ(text_of(tub / "manifest.json"), manifest);
}

TEST(TubDamage, a_catalog_line_that_is_not_a_record_refuses_the_tub_and_changes_nothing) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 3);
  std::string catalog = text_of(tub / "catalog_0.catalog");
  catalog.replace(0, catalog.find('\n'), "{\"no_index\": 1}");
  write_text(tub / "catalog_0.catalog", catalog);
  const std::string manifest = text_of(tub / "manifest.json");

  expect_mentions(tub_error_of([&] { TubWriter w(tub.string()); }),
                  {tub.string(), "catalog_0.catalog line 1", "_index"});
  expect_mentions(tub_error_of([&] { TubReader r(tub.string()); }),
                  {"catalog_0.catalog line 1", "_index"});
  EXPECT_EQ(text_of(tub / "catalog_0.catalog"), catalog);
  EXPECT_EQ(text_of(tub / "manifest.json"), manifest);
}

TEST(TubDamage, invalid_utf8_in_a_catalog_line_is_an_ascii_error_naming_the_line) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 1);
  write_text(tub / "catalog_0.catalog", "\xB5\xFF{\n");
  const std::string error = tub_error_of([&] { TubReader r(tub.string()); });
  expect_mentions(error, {"catalog_0.catalog line 1", "\\xB5"});
  for (const char c : error) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << error;
}

TEST(TubDamage, a_whole_line_the_catalog_manifest_does_not_list_is_still_a_record) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 3);
  json meta = catalog_manifest(tub);
  meta["line_lengths"].erase(2);  // a crash between the catalog line and its manifest
  set_catalog_manifest(tub, meta);
  EXPECT_EQ(TubReader(tub.string()).records().size(), 3u);
  TubWriter writer(tub.string());
  EXPECT_EQ(writer.repair_note(), "");  // what a crash leaves is no damage
  EXPECT_EQ(writer.write(image(3), 0.f, 0.f, "user", 5), 3);
}

TEST(TubDamage, a_cut_short_last_line_is_cut_off_and_a_whole_one_without_newline_kept) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 2);
  const std::string whole = text_of(tub / "catalog_0.catalog");
  write_text(tub / "catalog_0.catalog", whole + "{\"_index\": 2, \"us");
  { TubWriter writer(tub.string()); }
  EXPECT_EQ(text_of(tub / "catalog_0.catalog"), whole);

  write_text(tub / "catalog_0.catalog", whole.substr(0, whole.size() - 1));  // no final '\n'
  EXPECT_EQ(TubReader(tub.string()).records().size(), 2u);
  { TubWriter writer(tub.string()); }
  EXPECT_EQ(text_of(tub / "catalog_0.catalog"), whole);
}

TEST(TubDamage, a_catalog_path_outside_the_tub_is_refused_and_not_touched) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 1);
  write_text(dir.path() / "victim", "precious\n");
  set_manifest_line(tub, 5, R"({"paths": ["../victim"], "current_index": 1, "max_len": 1000})");
  expect_mentions(tub_error_of([&] { TubWriter w(tub.string()); }),
                  {"manifest.json line 5", "\"paths\""});
  expect_mentions(tub_error_of([&] { TubReader r(tub.string()); }), {"\"paths\""});
  EXPECT_EQ(text_of(dir.path() / "victim"), "precious\n");
}

// Found by fuzz/tub_reopen: a manifest listing no catalog beside a catalog_0.catalog it does
// not list (another program's, or a crash's). The recorder used to append to that file and
// list it, so a tub that read before no longer read after one record.
TEST(TubDamage, a_catalog_file_the_manifest_does_not_list_is_never_appended_to) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 2);
  set_manifest_line(tub, 5, R"({"paths": [], "current_index": 2, "deleted_indexes": []})");
  write_text(tub / "catalog_0.catalog", "{\"_index\": 0, not a record\n");
  const std::string foreign = text_of(tub / "catalog_0.catalog");
  ASSERT_NO_THROW(TubReader r(tub.string()));
  TubWriter writer(tub.string());
  writer.write(image(5), 0.1f, 0.2f, "user", 2000);
  writer.close();
  EXPECT_EQ(text_of(tub / "catalog_0.catalog"), foreign);
  const TubReader after(tub.string());
  ASSERT_EQ(after.records().size(), 1u);
  EXPECT_EQ(after.records()[0].index, 2);
  std::ifstream manifest(tub / "manifest.json");
  std::string line;
  for (int i = 0; i < 5; ++i) std::getline(manifest, line);
  EXPECT_EQ(json::parse(line)["paths"], json::parse(R"(["catalog_1.catalog"])"));
}

TEST(TubDamage, manifest_fields_of_the_wrong_type_are_errors_naming_file_line_and_field) {
  const std::vector<std::pair<int, std::string>> cases = {
      {5, R"({"paths": "catalog_0.catalog", "current_index": 1})"},
      {5, R"({"paths": ["catalog_0.catalog"], "current_index": "one"})"},
      {5, R"({"paths": ["catalog_0.catalog"], "current_index": 1, "deleted_indexes": [0.5]})"},
      {4, R"({"created_at": "yesterday"})"},
      {4, R"({"created_at": 1.0, "sessions": {"last_id": "x"}})"},
  };
  for (const auto& [line, text] : cases) {
    TempDir dir;
    const fs::path tub = recorded_tub(dir, 1);
    set_manifest_line(tub, line, text);
    const std::string error = tub_error_of([&] { TubWriter w(tub.string()); });
    expect_mentions(error, {"manifest.json line " + std::to_string(line), "field"});
  }
}

TEST(TubDamage, a_catalog_manifest_field_of_the_wrong_type_is_an_error_naming_it) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 2);
  json meta = catalog_manifest(tub);
  meta["line_lengths"] = "many";
  set_catalog_manifest(tub, meta);
  expect_mentions(tub_error_of([&] { TubWriter w(tub.string()); }),
                  {"catalog_0.catalog_manifest", "\"line_lengths\""});
}

TEST(TubDamage, out_of_range_numbers_in_records_read_as_missing) {
  TempDir dir;
  const fs::path tub = recorded_tub(dir, 1);
  json record = json::parse(text_of(tub / "catalog_0.catalog"));
  record["_timestamp_ms"] = 1e300;
  record["user/angle"] = 1e300;
  write_text(tub / "catalog_0.catalog", record.dump() + "\n");
  const TubReader reader(tub.string());
  ASSERT_EQ(reader.records().size(), 1u);
  EXPECT_EQ(reader.records()[0].timestamp_ms, -1);
  EXPECT_TRUE(std::isinf(reader.records()[0].angle));
}

}  // namespace
}  // namespace rcpilot::perception
