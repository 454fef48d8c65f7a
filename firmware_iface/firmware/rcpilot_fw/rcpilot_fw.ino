// rcpilot reference firmware for an Arduino-class board: servo on SERVO_PIN, ESC on ESC_PIN,
// host on Serial at 115200 baud. All protocol and safety logic is in FirmwareCore (../core),
// shared with the host build; this sketch only maps it to pins.
// Build: copy or symlink ../core/rcp_protocol.* and ../core/rcp_firmware.* next to this file
// (the Arduino IDE compiles only the sketch folder), then compile for the board.
#include <Servo.h>

#include "rcp_firmware.hpp"

namespace {

const int kServoPin = 9;
const int kEscPin = 10;
const unsigned long kBaud = 115200;

class SerialSink : public rcpilot::board::TxSink {
 public:
  void write(const uint8_t* data, size_t size) override { Serial.write(data, size); }
};

rcpilot::board::FirmwareConfig make_config() {
  rcpilot::board::FirmwareConfig c;
  c.steering.min_us = 1000;
  c.steering.neutral_us = 1500;
  c.steering.max_us = 2000;
  c.throttle.min_us = 1000;
  c.throttle.neutral_us = 1500;
  c.throttle.max_us = 2000;
  c.failsafe_ms = 100;
  return c;
}

SerialSink sink;
rcpilot::board::FirmwareCore core(make_config(), sink);
Servo steering;
Servo esc;

}  // namespace

void setup() {
  // Outputs start at neutral before the host can say anything: the ESC arms on neutral.
  steering.attach(kServoPin);
  esc.attach(kEscPin);
  steering.writeMicroseconds(core.steering_us());
  esc.writeMicroseconds(core.throttle_us());
  Serial.begin(kBaud);
}

void loop() {
  uint8_t buf[32];
  size_t n = 0;
  while (Serial.available() > 0 && n < sizeof(buf)) buf[n++] = static_cast<uint8_t>(Serial.read());
  const uint32_t now = millis();
  if (n > 0) core.feed(buf, n, now);
  core.tick(now);
  steering.writeMicroseconds(core.steering_us());
  esc.writeMicroseconds(core.throttle_us());
}
