#include "operator/operator_actions.hpp"

namespace rcpilot::vehicle {

Transition OperatorActions::set_mode(DriveMode mode, const char* who) {
  const Transition t = drive_.set_mode(mode);
  if (t.ok) {
    event("mode", "mode set to " + std::string(to_string(mode)) + " by the " + who,
          {{"mode", to_string(mode)}});
  }
  return t;
}

Transition OperatorActions::arm(const OperatorInput& op, const char* who) {
  const Transition t = drive_.arm(op);
  if (t.ok) {
    event("armed", "armed in " + std::string(to_string(drive_.mode())) + " mode by the " + who);
  }
  return t;
}

void OperatorActions::disarm(const char* who) {
  drive_.disarm();
  event("disarmed", std::string("disarmed by the ") + who);
}

void OperatorActions::estop(const char* who) {
  drive_.estop();
  event("estop", std::string("e-stop latched by the ") + who +
                     "; clear_estop and arm to drive again");
}

void OperatorActions::clear_estop(const char* who) {
  drive_.clear_estop();
  event("estop_cleared", std::string("e-stop cleared by the ") + who +
                             "; the car stays disarmed until armed");
}

DriveMode OperatorActions::next_mode(DriveMode mode) {
  switch (mode) {
    case DriveMode::kUser: return DriveMode::kLocalAngle;
    case DriveMode::kLocalAngle: return DriveMode::kLocal;
    case DriveMode::kLocal: return DriveMode::kUser;
  }
  return DriveMode::kUser;
}

void OperatorActions::event(const std::string& kind, const std::string& text,
                            const nlohmann::json& details) {
  if (event_) event_(kind, text, details);
}

}  // namespace rcpilot::vehicle
