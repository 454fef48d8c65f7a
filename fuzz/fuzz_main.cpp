// libFuzzer entry for one target, chosen at compile time with RCPILOT_FUZZ_TARGET.
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return rcpilot::fuzz::RCPILOT_FUZZ_TARGET(data, size);
}
