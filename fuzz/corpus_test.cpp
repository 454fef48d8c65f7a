// Replays the committed fuzz corpus (and seeded random noise) through every fuzz target, so
// the invariants are checked in every regular test run (gcc), not only under libFuzzer.
#include <gtest/gtest.h>

#include <cstdio>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "fuzz_targets.hpp"

namespace rcpilot::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = RCPILOT_SOURCE_DIR "/fuzz/corpus";

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(FuzzCorpus, every_target_has_a_corpus_and_survives_it) {
  for (const Target& t : targets()) {
    const fs::path dir = kCorpus / t.name;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto bytes = read_bytes(entry.path());
      EXPECT_EQ(t.run(bytes.data(), bytes.size()), 0) << entry.path();
      ++files;
    }
    EXPECT_GE(files, 2) << dir;
  }
}

TEST(FuzzCorpus, every_target_survives_seeded_random_noise) {
  std::mt19937 rng(11);
  for (const Target& t : targets()) {
    SCOPED_TRACE("fuzz target " + t.name);  // named even when the target throws or dies
    std::fprintf(stderr, "random noise through %s\n", t.name.c_str());
    for (int i = 0; i < 300; ++i) {
      std::vector<std::uint8_t> bytes(rng() % 600);
      for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
      EXPECT_EQ(t.run(bytes.data(), bytes.size()), 0) << t.name;
    }
  }
}

}  // namespace
}  // namespace rcpilot::fuzz
