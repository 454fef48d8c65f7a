#include "fuzz_targets.hpp"

namespace rcpilot::fuzz {

const std::vector<Target>& targets() {
  static const std::vector<Target> kTargets = {
      {"native_board_messages", native_board_messages},
      {"firmware_core", firmware_core},
      {"vesc_replies", vesc_replies},
      {"mm1_reports", mm1_reports},
      {"control_request", control_request},
      {"gamepad_events", gamepad_events},
      {"web_messages", web_messages},
      {"config_yaml", config_yaml},
      {"config_set", config_set},
      {"live_reload", live_reload},
      {"tub_reader", tub_reader},
      {"tub_reopen", tub_reopen},
      {"model_metadata", model_metadata},
      {"track_file", track_file},
  };
  return kTargets;
}

}  // namespace rcpilot::fuzz
