#pragma once
// rcpilot's configuration: one immutable struct per YAML section. The defaults below are the
// schema's defaults (config/src/schema.cpp binds every key, with unit, range and doc, to these
// fields); config/profiles/sim.yaml is the embedded default profile.
#include <string>

#include "config/enums.hpp"

namespace rcpilot::config {

struct CameraConfig {
  CameraSource source = CameraSource::kSim;  // sim, video, images, tub, v4l2, csi, gstreamer
  int width = 224;              // px, frame width delivered to the pilot
  int height = 224;             // px, frame height delivered to the pilot
  double fps = 30.0;            // Hz, frames the camera delivers per second
  double stale_after_ms = 200;  // ms, a frame older than this is never used
  double timeout_ms = 1000;     // ms, no frame for this long means the camera is lost
  std::string device = "/dev/video0";  // v4l2: the video device
  std::string path;             // video: file; images: folder; tub: tub folder (config-relative)
  std::string pipeline;         // gstreamer: the user's pipeline, ending in an appsink
  int sensor_id = 0;            // csi: nvarguscamerasrc sensor-id
  int sensor_mode = -1;         // csi: sensor-mode; -1 lets Argus pick from size and fps
  int capture_width = 1280;     // px, csi/v4l2: size the sensor captures before scaling
  int capture_height = 720;     // px
  int flip = 0;                 // csi: nvvidconv flip-method 0..7 (2: rotate 180 deg)
  CameraFormat format = CameraFormat::kMjpeg;  // v4l2: mjpeg or raw (what the camera sends)
  bool realtime = true;         // video/images/tub: pace at fps (video: the file's); else ASAP
  bool loop = false;            // video/images/tub: start again at the end instead of stopping
};

struct ModelConfig {
  std::string path = "../../models/linear.onnx";  // ONNX file; relative to the config file
  std::string metadata;         // model metadata YAML; empty: <path without .onnx>.yaml
  std::string backend = "auto";  // inference backend: auto, opencv, onednn or tensorrt
  std::string engine;           // tensorrt: engine file; empty: the cached name (engine_cache.hpp)
  std::string precision = "auto";  // auto, fp32, fp16 (tensorrt) or bf16 (onednn)
  std::string target = "cpu";   // opencv: cpu, cuda or cuda_fp16 (needs OpenCV with CUDA)
  int threads = 2;              // threads OpenCV DNN may use
  int warmup_runs = 5;          // inferences run at start-up before timing starts
};

struct PilotConfig {
  double stale_after_ms = 150;  // ms, a prediction older than this means neutral
  double min_rate_hz = 20;      // Hz, predictions per second the pilot must sustain
  int cpu = -1;                 // CPU the inference thread is pinned to; -1: any
};

struct ControlConfig {
  double rate_hz = 50;              // Hz, control loop rate (absolute deadlines)
  DriveMode mode = DriveMode::kLocal;  // start-up drive mode: user, local_angle, local
  double steering_trim = 0;         // norm, added to steering before limits
  double steering_gain = 1;         // multiplier applied to steering
  double steering_limit = 1;        // norm, |steering| is clamped to this
  double throttle_min = -1;         // norm, lowest throttle sent
  double throttle_max = 1;          // norm, highest throttle sent
  double ai_throttle_mult = 1;      // multiplier on the model's throttle in mode local
  bool autostart = false;           // arm by itself after the self-test (headless car)
  double autostart_delay_s = 3;     // s, wait after start-up before arming by itself
  double steering_rate_limit = 0;   // norm/s, fastest steering change; 0: unlimited
  double throttle_rate_limit = 0;   // norm/s, fastest throttle change; 0: unlimited
  OnStale on_stale = OnStale::kStop;  // stale prediction: stop (neutral) or hold (steer, no throttle)
  double hold_ms = 300;             // ms, longest `hold` before neutral
  int rt_priority = 0;              // SCHED_FIFO priority of the control thread; 0: normal
  int cpu = -1;                     // CPU the control thread is pinned to; -1: any
  bool lock_memory = false;         // mlockall(): touched pages are never paged out
  double recovery_hold_off_ms = 500;  // ms, a failure must stay clear this long before the model drives again
  ReverseMode reverse = ReverseMode::kDirect;  // ESC reverse: direct, or brake_then_reverse (hobby ESCs)
  double reverse_brake_ms = 150;    // ms, brake pulse before reversing (brake_then_reverse)
  double reverse_neutral_ms = 100;  // ms, neutral between brake and reverse (brake_then_reverse)
  double operator_timeout_ms = 500; // ms, operator input older than this is ignored (dead-man)
};

struct MotorConfig {
  MotorDriver driver = MotorDriver::kSim;  // motor link: sim, native, mm1, vesc, native_sim, pca9685
  std::string device = "/dev/ttyACM0";  // serial device of native, mm1, vesc
  int baud = 115200;            // baud, serial speed (8N1)
  int alive_timeout_ms = 250;   // ms, the link is dead when the board said nothing this long
  int command_timeout_ms = 200; // ms, host watchdog: no setpoint this long -> neutral
  int reconnect_min_ms = 100;   // ms, first re-open delay after a loss (doubles per failure)
  int reconnect_max_ms = 2000;  // ms, cap of the re-open back-off
  int io_rt_priority = 0;       // SCHED_FIFO priority of the link's I/O thread; 0: normal
  int heartbeat_ms = 50;        // ms, idle traffic (heartbeat / setpoint repeat / poll) period
  int steering_min_us = 1000;   // us, servo pulse at steering -1 (native, mm1)
  int steering_center_us = 1500;  // us, servo pulse at steering 0
  int steering_max_us = 2000;   // us, servo pulse at steering +1
  bool steering_inverted = false;  // +1 maps to min_us (Donkey's MM1 convention: true)
  int throttle_min_us = 1000;   // us, ESC pulse at throttle -1 (native, mm1)
  int throttle_center_us = 1500;  // us, ESC pulse at throttle 0
  int throttle_max_us = 2000;   // us, ESC pulse at throttle +1
  bool throttle_inverted = false;  // +1 maps to min_us
  bool mm1_require_reports = true;  // mm1: alive only while the board sends RC reports
  int mm1_rate_hz = 20;             // Hz, mm1: most setpoint lines sent per second (1..40)
  VescThrottle vesc_throttle_mode = VescThrottle::kDuty;  // vesc: duty, rpm, current
  double vesc_max_duty = 0.2;       // vesc: duty at throttle +-1
  double vesc_max_erpm = 10000;     // vesc: electrical RPM at throttle +-1
  double vesc_max_current_a = 10;   // A, vesc: motor current at throttle +-1
  double vesc_brake_current_a = 0;  // A, vesc: brake current at throttle 0; 0 = coast
  double vesc_servo_center = 0.5;   // vesc: servo position (0..1) at steering 0
  double vesc_servo_gain = 0.35;    // vesc: servo position per unit steering; < 0 inverts
  double vesc_servo_min = 0.15;     // vesc: lowest servo position
  double vesc_servo_max = 0.85;     // vesc: highest servo position
  int vesc_values_period_ms = 50;   // ms, vesc: GET_VALUES poll period
  int i2c_bus = 1;                  // pca9685: /dev/i2c-<bus>
  int i2c_address = 0x40;           // pca9685: 7-bit I2C address (64 = 0x40)
  int pwm_frequency_hz = 60;        // Hz, pca9685: PWM frequency (Donkey's 60)
  int steering_channel = 1;         // pca9685: steering servo's channel (0..15)
  int throttle_channel = 0;         // pca9685: ESC's channel (0..15)
  int pca9685_osc_hz = 25000000;    // Hz, pca9685: the chip's oscillator
  // Donkey's calibration in 12-bit ticks (STEERING_LEFT_PWM ...); 0 = not set. When set they
  // take precedence over the *_us keys for the pca9685 driver.
  int steering_left_ticks = 0;      // pca9685: ticks at steering -1 (left)
  int steering_right_ticks = 0;     // pca9685: ticks at steering +1 (right)
  int throttle_forward_ticks = 0;   // pca9685: ticks at throttle +1
  int throttle_stopped_ticks = 0;   // pca9685: ticks at throttle 0
  int throttle_reverse_ticks = 0;   // pca9685: ticks at throttle -1
};

struct TelemetryConfig {
  bool enabled = true;                          // publish telemetry over ZeroMQ
  std::string endpoint = "tcp://127.0.0.1:5556";  // ZeroMQ PUB bind address
  int state_every_n_ticks = 1;                  // publish `state` every N control ticks
  int queue_depth = 256;                        // messages buffered before dropping
  double health_interval_s = 1.0;               // s, `health` topic period; 0 turns it off
  double warn_temp_c = 80.0;                    // degC, a zone this hot raises a warning event
  int frame_every_n_ticks = 0;                  // publish a JPEG `frame` every N ticks; 0: off
  int frame_jpeg_quality = 80;                  // JPEG quality of `frame` messages
};

struct ControlApiConfig {
  bool enabled = true;                             // serve the control API (ZeroMQ REP)
  std::string endpoint = "tcp://127.0.0.1:5557";   // ZeroMQ REP bind address
  std::string curve_secret_key;     // file with the server's CURVE secret key; empty: no CURVE
  std::string curve_authorized_keys;  // file listing client public keys allowed in (CURVE)
  int max_request_bytes = 65536;      // bytes; longer requests are refused before parsing
};

struct RecordConfig {
  std::string path;               // tub folder (config-relative); empty: data/tub in the working dir
  bool autostart = false;         // start recording when the node starts
  bool only_when_moving = true;   // record only while the throttle sent is > 0 (Donkey's default)
  bool during_autopilot = false;  // also record in modes local_angle and local
  int queue_depth = 64;           // ticks buffered for the recorder thread before dropping
  int jpeg_quality = 90;          // 1..100, JPEG quality of recorded frames
  double sync_interval_s = 1.0;   // s, flush records to the storage device; 0: every record
};

struct SimConfig {
  std::string track = "../../sim/tracks/default.yaml";  // track YAML; relative to the config
  unsigned seed = 1;                 // seed for lighting, texture, noise, shadows, distractors
  double lighting_variation = 0.0;   // 0..1, how much brightness/tint vary per seed
  double texture_variation = 0.0;    // 0..1, how much ground texture varies per seed
  double wheelbase_m = 0.26;         // m, front to rear axle
  double max_steer_deg = 25;         // deg, wheel angle at steering +-1
  double servo_rate_deg_s = 400;     // deg/s, steering servo slew rate
  double max_speed_mps = 4.0;        // m/s, top speed at throttle 1
  double speed_tau_s = 0.25;         // s, first-order lag of speed to throttle
  double camera_height_m = 0.14;     // m, camera lens above ground
  double camera_pitch_deg = 22;      // deg, camera tilted down from horizontal
  double camera_hfov_deg = 110;      // deg, horizontal field of view
  double camera_forward_m = 0.10;    // m, camera ahead of the rear axle
  double expert_lookahead_m = 0.55;  // m, pure-pursuit lookahead distance
  double expert_throttle = 0.35;     // norm, the expert's throttle on straights
  // Camera realism (docs/simulator.md); every default leaves the image as it was before them.
  double noise_std = 0.0;                  // 8-bit levels, std dev of sensor noise; 0: none
  double exposure_ms = 0.0;                // ms, exposure that blurs the car's motion; 0: none
  int jpeg_quality = 0;                    // 1..100, JPEG round trip of each frame; 0: none
  std::string lens = "pinhole";            // pinhole (camera_hfov_deg), wide120, wide160
  bool auto_exposure = false;              // auto exposure and white balance
  double auto_exposure_tau_s = 0.5;        // s, time constant of their reaction
  double latency_ms = 0.0;                 // ms, capture instant before delivery
  double mount_pitch_offset_deg = 0.0;     // deg, added to camera_pitch_deg (+ looks down)
  double mount_roll_deg = 0.0;             // deg, camera rolled about its axis (+ clockwise)
  double mount_height_offset_m = 0.0;      // m, added to camera_height_m
  double accel_pitch_deg_per_mps2 = 0.0;   // deg per m/s^2, nose up under acceleration
  // World and track variety.
  double shadows = 0.0;            // 0..1, world-fixed shadows on the ground (share and depth)
  double light_along_track = 0.0;  // 0..1, brightness swing of the light along the track
  double road_width_m = 0.0;       // m, replaces the track file's road width; 0: the file's
  std::string line_colour = "white";  // edge lines: white, yellow, orange, blue
  std::string centre_line = "dashed";  // dashed, solid, none
  double distractors = 0.0;        // 0..1, cones, tape and other surfaces beside the road
};

struct GamepadConfig {
  bool enabled = false;                     // read a gamepad through the Linux joystick API
  std::string device = "/dev/input/js0";    // joystick device
  GamepadPad pad = GamepadPad::kCustom;     // a named pad's Donkey-style mapping, or the keys below
  int steering_axis = 0;                    // axis number; 0: left stick X; -1: not mapped
  int throttle_axis = 4;                    // axis number; 4: right stick Y (xpad, DS4, DualSense)
  double dead_zone = 0.05;                  // norm 0..0.5, stick travel around centre read as 0
  double steering_scale = 1.0;              // 0..1, steering at full stick
  double throttle_scale = 0.5;              // 0..1, throttle at full stick (Donkey's default)
  bool steering_inverted = false;           // negate steering (stick left gives -1 by default)
  bool throttle_inverted = true;            // negate throttle (stick forward reads negative)
  int mode_cycle_button = 3;                // button numbers; -1: not mapped. 3: Y / Square
  int arm_button = 7;                       // 7: Start (xpad)
  int disarm_button = 6;                    // 6: Back (xpad)
  int estop_button = 1;                     // 1: B / Circle
  int record_toggle_button = 0;             // 0: A / Cross
  int erase_records_button = 2;             // 2: X / Triangle
  int throttle_scale_up_button = -1;        // raises throttle_scale by throttle_scale_step
  int throttle_scale_down_button = -1;      // lowers it
  int throttle_scale_hat_axis = -1;         // a d-pad axis: up raises, down lowers (F710)
  double throttle_scale_step = 0.05;        // 0.01..0.5, change per press (Donkey: 0.01)
  int erase_count = 100;                    // records the erase button erases
  int erase_hold_ms = 1000;                 // ms 200..10000, hold of the erase button that erases
  int reconnect_min_ms = 100;               // ms, first re-open delay (doubles per failure)
  int reconnect_max_ms = 2000;              // ms, cap of the re-open back-off
};

struct WebConfig {
  std::string bind = "127.0.0.1";  // rcpilot-web's listen address; not loopback: needs token
  int port = 8887;                 // rcpilot-web's TCP port (Donkey's web controller port)
  std::string token;               // secret every request must carry; empty: none (loopback)
};

struct LogConfig {
  std::string level = "info";     // trace, debug, info, warn, error, off
  double status_interval_s = 0.5; // s, live status line refresh; 0 disables it
};

struct Config {
  CameraConfig camera;
  ModelConfig model;
  PilotConfig pilot;
  ControlConfig control;
  MotorConfig motor;
  TelemetryConfig telemetry;
  ControlApiConfig control_api;
  RecordConfig record;
  SimConfig sim;
  GamepadConfig gamepad;
  WebConfig web;
  LogConfig log;
  std::string source_path;  // file the config was loaded from ("<embedded sim.yaml>" if none)
  std::string base_dir;     // directory relative paths in the config are resolved against
};

}  // namespace rcpilot::config
