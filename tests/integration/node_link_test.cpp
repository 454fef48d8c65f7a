// The node must not link OpenCV's videoio or imgcodecs again: on Debian/Ubuntu they pull ~200
// shared libraries (FFmpeg, GStreamer, GDAL, ...) that cost ~55 MB of resident memory even on
// the sim camera (bench/RESULTS.md, "Node memory"). The capture plugin's cameras use GStreamer
// and libpng directly; node_camera_test checks what a node on a real camera source maps.
#include <gtest/gtest.h>

#include "process.hpp"

namespace rcpilot::testing {
namespace {

const std::string kVehicleDir = RCPILOT_BINARY_DIR "/bin/";
const std::string kPlugin = RCPILOT_CAPTURE_PLUGIN;
const char* const kHeavyLibraries[] = {"libopencv_videoio", "libopencv_imgcodecs"};

// The NEEDED entries of an ELF file, as `readelf -d` prints them.
std::string needed(const std::string& file) {
  const auto [code, out] = run("/bin/sh", {"-c", "readelf -d '" + file + "' | grep NEEDED"});
  EXPECT_EQ(code, 0) << out;
  return out;
}

// Every shared library the dynamic loader would load for `file`.
std::string loaded(const std::string& file) {
  const auto [code, out] = run("/bin/sh", {"-c", "ldd '" + file + "'"});
  EXPECT_EQ(code, 0) << out;
  return out;
}

TEST(NodeLink, the_node_and_motor_tool_do_not_need_videoio_or_imgcodecs) {
  for (const char* exe : {"rcpilot", "rcpilot-motor"}) {
    const std::string direct = needed(kVehicleDir + exe);
    const std::string all = loaded(kVehicleDir + exe);
    for (const char* lib : kHeavyLibraries) {
      EXPECT_EQ(direct.find(lib), std::string::npos) << exe << " links " << lib << ":\n" << direct;
      EXPECT_EQ(all.find(lib), std::string::npos) << exe << " loads " << lib << ":\n" << all;
    }
  }
}

TEST(NodeLink, the_node_needs_opencv_core_and_the_motor_tool_no_opencv_at_all) {
  EXPECT_NE(needed(kVehicleDir + "rcpilot").find("libopencv_core"), std::string::npos);
  const std::string motor = loaded(kVehicleDir + "rcpilot-motor");
  EXPECT_EQ(motor.find("libopencv"), std::string::npos) << motor;
}

TEST(NodeLink, the_capture_plugin_uses_gstreamer_and_libpng_not_videoio_or_imgcodecs) {
  const std::string direct = needed(kPlugin);
  for (const char* lib : {"libgstreamer-1.0", "libgstapp-1.0", "libpng"}) {
    EXPECT_NE(direct.find(lib), std::string::npos) << lib << ":\n" << direct;
  }
  const std::string all = loaded(kPlugin);
  for (const char* lib : kHeavyLibraries) {
    EXPECT_EQ(all.find(lib), std::string::npos) << "the plugin loads " << lib << ":\n" << all;
  }
}

TEST(NodeLink, the_capture_plugin_exports_only_its_entry_point) {
  const auto [entry_code, entry] =
      run("/bin/sh", {"-c", "nm -D --defined-only '" + kPlugin + "' | grep ' T '"});
  EXPECT_EQ(entry_code, 0) << entry;
  EXPECT_NE(entry.find("rcpilot_capture_plugin"), std::string::npos) << entry;
  EXPECT_EQ(entry.find('\n'), entry.rfind('\n')) << "more than one function exported:\n" << entry;
}

}  // namespace
}  // namespace rcpilot::testing
