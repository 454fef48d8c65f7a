// The oneDNN plugin's one exported symbol (onednn_engine.hpp): everything else in
// librcpilot-onednn.so is hidden, so it cannot clash with the executable that loads it.
#include "perception/onednn_engine.hpp"

extern "C" __attribute__((visibility("default"))) int rcpilot_onednn_plugin(
    rcpilot::perception::OneDnnFactory* factory, std::size_t* metadata_size) {
  *factory = &rcpilot::perception::make_onednn_engine;
  *metadata_size = sizeof(rcpilot::perception::ModelMetadata);
  return rcpilot::perception::kOneDnnPluginAbi;
}
