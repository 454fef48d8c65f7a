#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "temp_dir.hpp"

namespace rcpilot::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class LoaderErrorTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    path_ = (dir_ / "bad.yaml").string();
  }

  // The ConfigError message of loading `yaml` (written to path_) with `overrides`.
  std::string error_of_yaml(const std::string& yaml,
                            const std::vector<std::string>& overrides = {}) {
    return error_of(write_file("bad.yaml", yaml), overrides);
  }

  static std::string error_of(const std::string& path, const std::vector<std::string>& overrides) {
    try {
      load_config(path, overrides);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "load_config(" << path << ") did not throw ConfigError";
    return "";
  }

  std::string path_;
};

TEST_F(LoaderErrorTest, a_missing_file_says_it_cannot_be_opened) {
  const std::string missing = (dir_ / "nope.yaml").string();
  EXPECT_EQ(error_of(missing, {}), "config file " + missing +
                                       ": cannot open: No such file or directory; pass --config "
                                       "with an existing file");
}

TEST_F(LoaderErrorTest, a_directory_is_not_a_config_file) {
  EXPECT_THAT(error_of(dir_.string(), {}), HasSubstr(": cannot open: it is a directory"));
}

TEST_F(LoaderErrorTest, a_yaml_syntax_error_names_file_line_and_column) {
  EXPECT_THAT(error_of_yaml("camera:\n  fps: 30\n  width: [224\n"),
              AllOf(HasSubstr(path_ + ":4:1: YAML syntax error: "), HasSubstr("fix the YAML")));
}

TEST_F(LoaderErrorTest, an_unknown_section_suggests_the_closest_one) {
  EXPECT_EQ(error_of_yaml("log:\n  level: info\ncamra:\n  fps: 30\n"),
            path_ + ":3:1: unknown section `camra`; did you mean `camera`?");
}

TEST_F(LoaderErrorTest, a_key_at_the_top_level_says_which_section_it_belongs_to) {
  EXPECT_EQ(error_of_yaml("threads: 4\n"),
            path_ + ":1:1: unknown section `threads`; `threads` belongs under `model:`");
}

TEST_F(LoaderErrorTest, an_unknown_key_names_its_path_and_suggests_the_closest_key) {
  EXPECT_EQ(error_of_yaml("camera:\n  fsp: 30\n"),
            path_ + ":2:3: unknown key `camera.fsp`; did you mean `camera.fps`?");
}

TEST_F(LoaderErrorTest, an_unknown_key_without_a_close_match_lists_the_section_keys) {
  EXPECT_EQ(error_of_yaml("log:\n  xyzzy: 1\n"),
            path_ + ":2:3: unknown key `log.xyzzy`; `log` has: log.level, log.status_interval_s");
}

TEST_F(LoaderErrorTest, a_wrong_type_names_the_expected_type_and_the_value_given) {
  EXPECT_EQ(error_of_yaml("camera:\n  width: wide\n"),
            path_ +
                ":2:10: camera.width: wrong type: expected an integer (32 .. 4096 px), got "
                "`wide`; the default is 224");
}

TEST_F(LoaderErrorTest, a_quoted_number_is_a_string_not_a_number) {
  EXPECT_THAT(error_of_yaml("camera:\n  fps: \"30\"\n"),
              HasSubstr(path_ + ":2:8: camera.fps: wrong type: expected a number (1 .. 240 Hz), "
                                "got `30` (quoted)"));
}

TEST_F(LoaderErrorTest, a_map_where_a_value_belongs_is_a_wrong_type) {
  EXPECT_THAT(error_of_yaml("telemetry:\n  enabled:\n    yes: 1\n"),
              HasSubstr(path_ + ":3:5: telemetry.enabled: wrong type: expected true or false, "
                                "got a map"));
}

TEST_F(LoaderErrorTest, a_key_without_a_value_says_so) {
  EXPECT_THAT(error_of_yaml("camera:\n  fps:\n  width: 224\n"),
              HasSubstr(path_ + ":2:3: camera.fps: no value given"));
}

TEST_F(LoaderErrorTest, an_out_of_range_value_names_the_range_and_unit) {
  EXPECT_EQ(error_of_yaml("camera:\n  fps: 500\n"),
            path_ +
                ":2:8: camera.fps: 500 Hz is out of range 1 .. 240 Hz; use a value in that "
                "range (the default is 30)");
}

TEST_F(LoaderErrorTest, a_bad_enum_lists_the_choices) {
  EXPECT_EQ(error_of_yaml("control:\n  mode: auto\n"),
            path_ +
                ":2:9: control.mode: `auto` is not a valid choice; use one of: user, "
                "local_angle, local");
  EXPECT_THAT(error_of_yaml("log:\n  level: warning\n"),
              HasSubstr(":2:10: log.level: `warning` is not a valid choice; did you mean `warn`?"));
}

TEST_F(LoaderErrorTest, an_empty_required_string_is_rejected) {
  EXPECT_THAT(error_of_yaml("model:\n  path: \"\"\n"),
              HasSubstr(path_ + ":2:9: model.path: must not be empty"));
}

TEST_F(LoaderErrorTest, a_top_level_that_is_not_a_map_is_rejected) {
  EXPECT_THAT(error_of_yaml("- camera\n- model\n"),
              HasSubstr(path_ + ":1:1: top level must be a map of sections"));
}

TEST_F(LoaderErrorTest, a_section_that_is_not_a_map_is_rejected) {
  EXPECT_THAT(error_of_yaml("camera: 30\n"),
              HasSubstr(path_ + ":1:9: section `camera` must be a map of `key: value` lines, "
                                "got `30`"));
}

TEST_F(LoaderErrorTest, a_name_that_is_not_a_plain_word_is_rejected) {
  EXPECT_THAT(
      error_of_yaml("? [a, b]\n: 1\n"),
      HasSubstr(path_ + ":1:3: a section or key name must be a plain word, got a sequence"));
}

TEST_F(LoaderErrorTest, a_key_given_twice_names_both_places) {
  EXPECT_EQ(error_of_yaml("camera:\n  fps: 30\n  fps: 60\n"),
            path_ + ":3:3: camera.fps is given twice (first at " + path_ + ":2:8); keep one");
  EXPECT_THAT(error_of_yaml("camera:\n  fps: 30\nlog:\n  level: info\ncamera:\n  width: 64\n"),
              HasSubstr(path_ + ":5:1: section `camera` is given twice"));
}

TEST_F(LoaderErrorTest, bad_set_syntax_names_the_argument) {
  EXPECT_EQ(error_of("", {"camera.fps30"}),
            "--set camera.fps30: expected section.key=value, e.g. --set control.mode=user");
  EXPECT_THAT(error_of("", {"fps=30"}), HasSubstr("--set fps=30: expected section.key=value"));
}

TEST_F(LoaderErrorTest, a_set_of_an_unknown_key_suggests_the_closest_key) {
  EXPECT_EQ(error_of("", {"camera.fsp=30"}),
            "--set camera.fsp=30: unknown key `camera.fsp`; did you mean `camera.fps`?");
}

TEST_F(LoaderErrorTest, a_set_with_a_bad_value_names_the_argument_and_key) {
  EXPECT_THAT(error_of("", {"camera.fps=0"}),
              HasSubstr("--set camera.fps=0: camera.fps: 0 Hz is out of range 1 .. 240 Hz"));
  EXPECT_THAT(error_of("", {"camera.fps=[30"}),
              HasSubstr("--set camera.fps=[30: camera.fps: value is not a YAML scalar"));
}

TEST_F(LoaderErrorTest, a_violated_cross_key_rule_names_both_keys_and_where_they_were_set) {
  EXPECT_EQ(error_of_yaml("pilot:\n  min_rate_hz: 50\n", {"camera.fps=40"}),
            path_ + ":2:16: pilot.min_rate_hz (50 Hz, from " + path_ +
                ":2:16) must be <= camera.fps (40 Hz, from --set camera.fps=40): the pilot cannot "
                "predict faster than the camera delivers frames; lower pilot.min_rate_hz or raise "
                "camera.fps");
}

TEST_F(LoaderErrorTest, a_pulse_the_mm1_cannot_output_is_refused_at_load_naming_the_key) {
  EXPECT_EQ(error_of_yaml("motor:\n  driver: mm1\n  steering_max_us: 2100\n"),
            path_ + ":3:20: motor.steering_max_us is 2100 us, but motor.driver mm1 can only "
                    "output 1000..2000 us: set it within that range");
  // The same calibration is fine for a board that outputs it, and the driver named by --set
  // is where the error points when the pulse was a default.
  const std::string native = write_file("native.yaml", "motor:\n  driver: native\n  "
                                                       "throttle_min_us: 900\n");
  EXPECT_NO_THROW(load_config(native, {}));
  EXPECT_THAT(error_of(native, {"motor.driver=mm1"}),
              HasSubstr(":3:20: motor.throttle_min_us is 900 us, but motor.driver mm1"));
}

TEST_F(LoaderErrorTest, a_pca9685_calibration_it_cannot_use_is_refused_at_load_naming_the_key) {
  EXPECT_EQ(error_of_yaml("motor:\n  driver: pca9685\n  throttle_channel: 1\n"),
            path_ + ":3:21: motor.steering_channel and motor.throttle_channel are both 1: the "
                    "servo and the ESC need a channel each");
  EXPECT_THAT(error_of_yaml("motor:\n  driver: pca9685\n  steering_left_ticks: 460\n"),
              HasSubstr(":3:24: motor.steering_left_ticks and motor.steering_right_ticks must "
                        "both be set and differ (got 460, 0)"));
  EXPECT_THAT(error_of_yaml("motor:\n  driver: pca9685\n  throttle_forward_ticks: 500\n  "
                            "throttle_stopped_ticks: 600\n  throttle_reverse_ticks: 220\n"),
              HasSubstr(":4:27: motor.throttle_stopped_ticks must lie strictly between"));
  EXPECT_THAT(error_of_yaml("motor:\n  driver: pca9685\n  i2c_address: 60\n"),
              HasSubstr(":3:16: motor.i2c_address 60 is no PCA9685 address"));
  // Donkey's calibration as it is, and the keys are ignored by the other drivers.
  EXPECT_NO_THROW(load_config(write_file("donkey.yaml",
                                         "motor:\n  driver: pca9685\n  steering_left_ticks: 460\n"
                                         "  steering_right_ticks: 290\n  throttle_forward_ticks: "
                                         "500\n  throttle_stopped_ticks: 370\n  "
                                         "throttle_reverse_ticks: 220\n"),
                              {}));
  EXPECT_NO_THROW(load_config(write_file("native.yaml", "motor:\n  driver: native\n  "
                                                        "throttle_channel: 1\n"),
                              {}));
}

struct Typo {
  std::string given;
  std::string suggested;
};

class DidYouMeanTest : public ::testing::TestWithParam<Typo> {};

TEST_P(DidYouMeanTest, did_you_mean_suggests_the_right_key) {
  try {
    load_config("", {GetParam().given + "=1"});
    FAIL() << GetParam().given << " was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("did you mean `" + GetParam().suggested + "`?"));
  }
}

INSTANTIATE_TEST_SUITE_P(Typos, DidYouMeanTest,
                         ::testing::Values(Typo{"camera.fsp", "camera.fps"},
                                           Typo{"camera.widht", "camera.width"},
                                           Typo{"contrl.mode", "control.mode"},
                                           Typo{"control.steering_trm", "control.steering_trim"},
                                           Typo{"pilot.min_rate", "pilot.min_rate_hz"},
                                           Typo{"camera.stale_after", "camera.stale_after_ms"},
                                           Typo{"telemetry.endpiont", "telemetry.endpoint"},
                                           Typo{"log.lvl", "log.level"},
                                           Typo{"camera.threads", "model.threads"},
                                           Typo{"sim.wheelbase", "sim.wheelbase_m"}));

}  // namespace
}  // namespace rcpilot::config
