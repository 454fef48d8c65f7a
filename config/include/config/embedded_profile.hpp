#pragma once

namespace rcpilot::config {

// Text of config/profiles/sim.yaml as it was at build time.
const char* embedded_profile_yaml();
// Directory relative paths in the embedded profile are resolved against (the source tree's
// config/profiles at build time).
const char* embedded_profile_dir();

}  // namespace rcpilot::config
