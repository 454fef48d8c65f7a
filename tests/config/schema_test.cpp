#include "config/schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>

namespace rcpilot::config {
namespace {

// A value in range for `key` that differs from its default, to tell bindings apart.
Value other_value(const KeyInfo& key) {
  Value def = key.default_value();
  switch (key.type) {
    case ValueType::kBool:
      return !std::get<bool>(def);
    case ValueType::kInt: {
      const auto v = std::get<long long>(def);
      return v < static_cast<long long>(key.max) ? v + 1 : v - 1;
    }
    case ValueType::kDouble: {
      const double v = std::get<double>(def);
      return v < key.max ? (v + key.max) / 2 : (v + key.min) / 2;
    }
    case ValueType::kString:
      return std::get<std::string>(def) + "_changed";
    case ValueType::kEnum:
      return key.choices.size() > 1 && key.choices[0] == std::get<std::string>(def)
                 ? key.choices[1]
                 : key.choices[0];
  }
  return def;
}

TEST(Schema, defaults_in_the_schema_equal_the_struct_defaults) {
  const Config defaults;
  EXPECT_EQ(find_key("camera.fps")->default_value(), Value(defaults.camera.fps));
  EXPECT_EQ(find_key("camera.width")->default_value(), Value(224LL));
  EXPECT_EQ(find_key("control.mode")->default_value(), Value(std::string("local")));
  EXPECT_EQ(find_key("telemetry.enabled")->default_value(), Value(true));
  EXPECT_EQ(find_key("sim.seed")->default_value(), Value(1LL));
  EXPECT_EQ(find_key("model.path")->default_value(),
            Value(std::string("../../models/linear.onnx")));
  for (const KeyInfo& key : schema().keys) {
    EXPECT_EQ(key.default_value(), key.get(defaults)) << key.path();
  }
}

TEST(Schema, every_default_is_within_its_own_range) {
  for (const KeyInfo& key : schema().keys) {
    const Value v = key.default_value();
    if (key.type == ValueType::kInt) {
      EXPECT_GE(std::get<long long>(v), key.min) << key.path();
      EXPECT_LE(std::get<long long>(v), key.max) << key.path();
    } else if (key.type == ValueType::kDouble) {
      EXPECT_GE(std::get<double>(v), key.min) << key.path();
      EXPECT_LE(std::get<double>(v), key.max) << key.path();
    } else if (key.type == ValueType::kEnum) {
      EXPECT_NE(std::find(key.choices.begin(), key.choices.end(), std::get<std::string>(v)),
                key.choices.end())
          << key.path();
    } else if (key.type == ValueType::kString && key.non_empty) {
      EXPECT_FALSE(std::get<std::string>(v).empty()) << key.path();
    }
  }
}

TEST(Schema, every_key_is_bound_to_its_own_field) {
  for (const KeyInfo& key : schema().keys) {
    if (key.type == ValueType::kEnum && key.choices.size() == 1) continue;  // nothing to change to
    Config cfg;
    const Value changed = other_value(key);
    ASSERT_NE(changed, key.default_value()) << key.path();
    key.set(cfg, changed);
    EXPECT_EQ(key.get(cfg), changed) << key.path();
    EXPECT_EQ(differing_keys(cfg, Config{}), std::vector<std::string>{key.path()});
  }
}

TEST(Schema, every_key_has_a_unique_path_a_doc_and_a_unit) {
  std::set<std::string> paths;
  for (const KeyInfo& key : schema().keys) {
    EXPECT_TRUE(paths.insert(key.path()).second) << "duplicate " << key.path();
    EXPECT_TRUE(is_section(key.section)) << key.path();
    EXPECT_FALSE(key.doc.empty()) << key.path();
    EXPECT_FALSE(key.unit.empty()) << key.path();
    if (key.type == ValueType::kInt || key.type == ValueType::kDouble) {
      EXPECT_LT(key.min, key.max) << key.path();
    }
  }
}

// Reads config.hpp so that a field added there without a schema entry fails here.
TEST(Schema, every_field_of_config_hpp_has_a_schema_entry) {
  std::ifstream in(std::string(RCPILOT_SOURCE_DIR) + "/config/include/config/config.hpp");
  ASSERT_TRUE(in) << "cannot read config.hpp";
  const std::regex struct_re(R"(^struct (\w+)Config \{)");
  const std::regex field_re(R"(^  [\w:]+ (\w+)( = [^;]*)?;)");
  std::string line;
  std::string section;
  int fields = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, struct_re)) {
      section.clear();  // CamelCase struct name -> snake_case section (ControlApi: control_api)
      for (char ch : m[1].str()) {
        if (std::isupper(static_cast<unsigned char>(ch)) && !section.empty()) section += '_';
        section += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    } else if (line.rfind("};", 0) == 0) {
      section.clear();
    } else if (!section.empty() && std::regex_search(line, m, field_re)) {
      ++fields;
      EXPECT_NE(find_key(section + "." + m[1].str()), nullptr)
          << section << "." << m[1] << " has no entry in config/src/schema.cpp";
    }
  }
  EXPECT_EQ(static_cast<size_t>(fields), schema().keys.size());
}

TEST(Schema, constraints_name_known_numeric_keys) {
  for (const Constraint& rule : schema().constraints) {
    for (const std::string& path : {rule.lower, rule.upper}) {
      const KeyInfo* key = find_key(path);
      ASSERT_NE(key, nullptr) << path;
      EXPECT_TRUE(key->type == ValueType::kInt || key->type == ValueType::kDouble) << path;
    }
  }
}

TEST(Schema, format_value_writes_the_shortest_exact_number_and_quotes_strings) {
  const KeyInfo& fps = *find_key("camera.fps");
  EXPECT_EQ(format_value(fps, 30.0), "30");
  EXPECT_EQ(format_value(fps, 29.97), "29.97");
  EXPECT_EQ(format_value(fps, 0.1), "0.1");
  const KeyInfo& path = *find_key("model.path");
  EXPECT_EQ(format_value(path, std::string("a \"b\"\\c")), R"("a \"b\"\\c")");
  EXPECT_EQ(format_value(*find_key("control.mode"), std::string("user")), "user");
}

TEST(Schema, closest_match_finds_typos_and_ignores_unrelated_names) {
  const std::vector<std::string> known = {"camera.fps", "camera.width", "control.mode"};
  EXPECT_EQ(closest_match("camera.fsp", known), "camera.fps");
  EXPECT_EQ(closest_match("camera.widht", known), "camera.width");
  EXPECT_EQ(closest_match("contrl.mode", known), "control.mode");
  EXPECT_EQ(closest_match("telemetry.port", known), "");
}

}  // namespace
}  // namespace rcpilot::config
