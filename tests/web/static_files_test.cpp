#include <gtest/gtest.h>

#include "web/static_files.hpp"

namespace rcpilot::web {
namespace {

TEST(WebStaticFiles, only_plain_names_with_a_known_extension_are_served) {
  EXPECT_TRUE(safe_static_path("/index.html"));
  EXPECT_TRUE(safe_static_path("/app.js"));
  EXPECT_TRUE(safe_static_path("/tub-page_2.css"));
  EXPECT_FALSE(safe_static_path("/../etc/passwd"));
  EXPECT_FALSE(safe_static_path("/.hidden.js"));
  EXPECT_FALSE(safe_static_path("/a/b.js"));
  EXPECT_FALSE(safe_static_path("/a.b.js"));
  EXPECT_FALSE(safe_static_path("/secret.yaml"));
  EXPECT_FALSE(safe_static_path("index.html"));
  EXPECT_EQ(content_type_of("/a.js"), "text/javascript; charset=utf-8");
}

TEST(WebStaticFiles, tub_images_are_named_by_digits_only) {
  EXPECT_EQ(tub_image_file("/data/tub", "/tub/image/42.jpg"),
            "/data/tub/images/42_cam_image_array_.jpg");
  EXPECT_EQ(tub_image_file("/data/tub", "/tub/image/../x.jpg"), "");
  EXPECT_EQ(tub_image_file("/data/tub", "/tub/image/4a.jpg"), "");
  EXPECT_EQ(tub_image_file("/data/tub", "/tub/image/.jpg"), "");
  EXPECT_EQ(tub_image_file("/data/tub", "/tub/image/1234567890123456.jpg"), "");
  EXPECT_EQ(tub_image_file("", "/tub/image/1.jpg"), "") << "no tub reported yet";
}

}  // namespace
}  // namespace rcpilot::web
