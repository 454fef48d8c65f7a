#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rcpilot::config {
namespace {

TEST(Docs, the_configuration_reference_lists_every_key) {
  const std::string md = reference_markdown();
  for (const SectionInfo& section : schema().sections) {
    EXPECT_NE(md.find("## `" + section.name + "`"), std::string::npos) << section.name;
  }
  for (const KeyInfo& key : schema().keys) {
    EXPECT_NE(md.find("| `" + key.path() + "` | " + type_name(key.type)), std::string::npos)
        << key.path();
  }
}

// The expected text is written to the build folder so that it can simply be copied over.
TEST(Docs, docs_configuration_md_is_up_to_date_with_the_schema) {
  const std::string expected = reference_markdown();
  const std::string generated = std::string(RCPILOT_BINARY_DIR) + "/configuration.md";
  std::ofstream(generated) << expected;
  const std::string committed = std::string(RCPILOT_SOURCE_DIR) + "/docs/configuration.md";
  std::ifstream in(committed);
  std::ostringstream actual;
  actual << in.rdbuf();
  EXPECT_TRUE(in && actual.str() == expected)
      << committed << " is out of date with the config schema (config/src/schema.cpp).\n"
      << "Regenerate it: rcpilot --config-reference > docs/configuration.md\n"
      << "or copy the expected text: cp " << generated << " " << committed;
}

}  // namespace
}  // namespace rcpilot::config
