#include "config/schema.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "config/endpoint.hpp"

namespace rcpilot::config {
namespace {

constexpr const char* kEndpointFormat = "tcp://HOST:PORT (PORT 1..65535 or *), ipc://, inproc://";

// Adds one section's keys to the schema, binding each to a field of `S` inside `Config`.
template <typename S>
class SectionBuilder {
 public:
  SectionBuilder(Schema& schema, const char* name, S Config::*section, const char* doc)
      : schema_(schema), name_(name), section_(section) {
    schema_.sections.push_back({name, doc});
  }

  // An int, unsigned or double field with an inclusive range in `unit`.
  template <typename F>
  SectionBuilder& number(const char* key, F S::*field, const char* unit, double min, double max,
                         const char* doc) {
    static_assert(std::is_arithmetic_v<F> && !std::is_same_v<F, bool>);
    KeyInfo& info = add(key, std::is_integral_v<F> ? ValueType::kInt : ValueType::kDouble, doc);
    info.unit = unit;
    info.min = min;
    info.max = max;
    S Config::*section = section_;
    info.get = [section, field](const Config& c) -> Value {
      if constexpr (std::is_integral_v<F>)
        return static_cast<long long>(c.*section.*field);
      else
        return static_cast<double>(c.*section.*field);
    };
    info.set = [section, field](Config& c, const Value& v) {
      if constexpr (std::is_integral_v<F>)
        c.*section.*field = static_cast<F>(std::get<long long>(v));
      else
        c.*section.*field = static_cast<F>(std::get<double>(v));
    };
    return *this;
  }

  // A free-form string; `non_empty` rejects "".
  SectionBuilder& text(const char* key, std::string S::*field, bool non_empty, const char* doc) {
    add(key, ValueType::kString, doc).non_empty = non_empty;
    bind_string(field);
    return *this;
  }

  // A string restricted to `choices`.
  SectionBuilder& choice(const char* key, std::string S::*field,
                         const std::vector<std::string>& choices, const char* doc) {
    add(key, ValueType::kEnum, doc).choices = choices;
    bind_string(field);
    return *this;
  }

  // An enum field; its YAML names are names_of(E{}) (enums.hpp).
  template <typename E>
  SectionBuilder& choice(const char* key, E S::*field, const char* doc) {
    static_assert(std::is_enum_v<E>);
    add(key, ValueType::kEnum, doc).choices = names_of(E{});
    S Config::*section = section_;
    schema_.keys.back().get = [section, field](const Config& c) -> Value {
      return std::string(to_string(c.*section.*field));
    };
    schema_.keys.back().set = [section, field](Config& c, const Value& v) {
      parse_name(std::get<std::string>(v), c.*section.*field);  // validated against choices
    };
    return *this;
  }

  SectionBuilder& flag(const char* key, bool S::*field, const char* doc) {
    add(key, ValueType::kBool, doc);
    S Config::*section = section_;
    schema_.keys.back().get = [section, field](const Config& c) -> Value {
      return c.*section.*field;
    };
    schema_.keys.back().set = [section, field](Config& c, const Value& v) {
      c.*section.*field = std::get<bool>(v);
    };
    return *this;
  }

  // Restricts the string key added last to what `check` accepts; `format` says what that is.
  SectionBuilder& checked(std::string (*check)(const std::string&), const char* format) {
    schema_.keys.back().check = check;
    schema_.keys.back().format = format;
    return *this;
  }

  // Marks the key added last as changeable at run time (control API, SIGHUP reload).
  SectionBuilder& live() {
    schema_.keys.back().live = true;
    return *this;
  }

 private:
  KeyInfo& add(const char* key, ValueType type, const char* doc) {
    KeyInfo info;
    info.section = name_;
    info.name = key;
    info.type = type;
    info.doc = doc;
    schema_.keys.push_back(std::move(info));
    return schema_.keys.back();
  }

  void bind_string(std::string S::*field) {
    S Config::*section = section_;
    schema_.keys.back().get = [section, field](const Config& c) -> Value {
      return c.*section.*field;
    };
    schema_.keys.back().set = [section, field](Config& c, const Value& v) {
      c.*section.*field = std::get<std::string>(v);
    };
  }

  Schema& schema_;
  std::string name_;
  S Config::*section_;
};

void add_camera_model_pilot(Schema& s) {
  using C = CameraConfig;
  SectionBuilder<C>(s, "camera", &Config::camera, "where frames come from and how fast")
      .choice("source", &C::source, "camera implementation: simulator, video file, image folder, Donkey tub, USB "
              "camera, Jetson CSI camera, or your own GStreamer pipeline")
      .number("width", &C::width, "px", 32, 4096, "frame width delivered to the pilot")
      .number("height", &C::height, "px", 32, 4096, "frame height delivered to the pilot")
      .number("fps", &C::fps, "Hz", 1, 240,
              "frames the camera delivers per second (images/tub: replay rate)")
      .number("stale_after_ms", &C::stale_after_ms, "ms", 1, 5000,
              "a frame older than this is never used")
      .number("timeout_ms", &C::timeout_ms, "ms", 10, 60000,
              "no frame for this long means the camera is lost: car stopped, camera re-opened")
      .text("device", &C::device, false, "v4l2: video device, e.g. /dev/video0")
      .text("path", &C::path, false,
            "video: file; images: folder of .jpg/.png; tub: tub folder (relative to the config)")
      .text("pipeline", &C::pipeline, false,
            "gstreamer: pipeline delivering BGR frames, ending in an appsink")
      .number("sensor_id", &C::sensor_id, "-", 0, 7, "csi: nvarguscamerasrc sensor-id")
      .number("sensor_mode", &C::sensor_mode, "-", -1, 15,
              "csi: sensor-mode; -1 lets Argus choose from capture size and fps")
      .number("capture_width", &C::capture_width, "px", 32, 8192,
              "csi/v4l2: width the sensor captures before scaling to camera.width")
      .number("capture_height", &C::capture_height, "px", 32, 8192,
              "csi/v4l2: height the sensor captures before scaling to camera.height")
      .number("flip", &C::flip, "-", 0, 7,
              "csi: nvvidconv flip-method (0 none, 2 rotate 180, 4 horizontal, 6 vertical)")
      .choice("format", &C::format, "v4l2: what the camera sends")
      .flag("realtime", &C::realtime,
            "video/images/tub: deliver at the file's (video) or camera.fps rate; false: as "
            "fast as read")
      .flag("loop", &C::loop, "video/images/tub: start again at the end instead of stopping");
  using M = ModelConfig;
  SectionBuilder<M>(s, "model", &Config::model, "the steering/throttle regressor")
      .text("path", &M::path, true, "ONNX model file; relative paths start at the config's folder")
      .text("metadata", &M::metadata, false,
            "model metadata YAML; empty means the model path with .yaml for .onnx")
      .choice("backend", &M::backend, {"auto", "opencv", "onednn", "tensorrt"},
              "inference backend: onednn (oneDNN on the ONNX model, CPU; x86-64 builds), "
              "opencv (OpenCV DNN on the ONNX model), tensorrt (a TensorRT engine; needs "
              "rcpilot built with TensorRT), or auto: onednn where its plugin is installed, "
              "model.target is cpu and it runs every operator of the model, else opencv")
      .text("engine", &M::engine, false,
            "tensorrt: engine file (relative to the config); empty: the cached engine "
            "engines/<model>.<fingerprint>.trt<version>.sm<gpu>.<precision>.engine beside "
            "the model, built by scripts/build-trt-engine")
      .choice("precision", &M::precision, {"auto", "fp32", "fp16", "bf16"},
              "numbers the network computes in: auto (tensorrt fp16; onednn bf16 where the "
              "CPU computes it natively, AVX512-BF16 or AMX, else fp32; opencv fp32), fp32, "
              "fp16 (tensorrt; picks the cached engine) or bf16 (onednn on such a CPU)")
      .choice("target", &M::target, {"cpu", "cuda", "cuda_fp16"},
              "opencv: where DNN runs; cuda and cuda_fp16 need an OpenCV built with CUDA")
      .number("threads", &M::threads, "-", 1, 64, "threads the inference backend may use")
      .number("warmup_runs", &M::warmup_runs, "-", 0, 1000,
              "inferences run at start-up before timing starts");
  using P = PilotConfig;
  SectionBuilder<P>(s, "pilot", &Config::pilot, "freshness and rate the pilot must hold")
      .number("stale_after_ms", &P::stale_after_ms, "ms", 1, 5000,
              "a prediction older than this means neutral")
      .number("min_rate_hz", &P::min_rate_hz, "Hz", 1, 1000,
              "predictions per second the pilot must sustain, else no autonomy")
      .number("cpu", &P::cpu, "-", -1, 1023,
              "CPU the inference thread is pinned to (OpenMP threads it starts inherit it: "
              "use with model.threads 1); -1: any");
}

void add_motor(Schema& s) {
  using M = MotorConfig;
  SectionBuilder<M>(s, "motor", &Config::motor, "the link to the motor controller")
      .choice("driver", &M::driver, "motor link: sim (in process), native (rcpilot firmware), mm1 (Robo HAT MM1), "
              "vesc, native_sim (native protocol over a pty to the firmware core in process), "
              "pca9685 (PCA9685 PWM board on I2C, Donkey's PWM_STEERING_THROTTLE)")
      .text("device", &M::device, true, "serial device of the native, mm1 and vesc drivers")
      .number("baud", &M::baud, "baud", 9600, 921600, "serial speed, 8N1, no flow control")
      .number("alive_timeout_ms", &M::alive_timeout_ms, "ms", 20, 10000,
              "the link is dead (neutral, reconnect) when the board said nothing this long")
      .number("command_timeout_ms", &M::command_timeout_ms, "ms", 10, 10000,
              "host watchdog: neutral goes out when the loop sent no setpoint this long")
      .number("reconnect_min_ms", &M::reconnect_min_ms, "ms", 10, 60000,
              "first re-open delay after a link loss; doubles per failed attempt")
      .number("reconnect_max_ms", &M::reconnect_max_ms, "ms", 10, 60000,
              "cap of the re-open back-off")
      .number("heartbeat_ms", &M::heartbeat_ms, "ms", 5, 1000,
              "idle traffic period: heartbeat (native), setpoint repeat (mm1, vesc)")
      .number("io_rt_priority", &M::io_rt_priority, "-", 0, 99,
              "SCHED_FIFO priority of the serial link's I/O thread, which takes each setpoint "
              "to the wire; set it just below control.rt_priority; 0 keeps normal scheduling")
      .number("steering_min_us", &M::steering_min_us, "us", 500, 2500,
              "servo pulse at steering -1 (native, mm1, pca9685)")
      .number("steering_center_us", &M::steering_center_us, "us", 500, 2500,
              "servo pulse at steering 0; moving it trims the steering")
      .number("steering_max_us", &M::steering_max_us, "us", 500, 2500, "servo pulse at steering +1")
      .flag("steering_inverted", &M::steering_inverted,
            "steering +1 maps to steering_min_us (Donkey's MM1 convention is true)")
      .number("throttle_min_us", &M::throttle_min_us, "us", 500, 2500,
              "ESC pulse at throttle -1 (native, mm1, pca9685)")
      .number("throttle_center_us", &M::throttle_center_us, "us", 500, 2500,
              "ESC pulse at throttle 0 (stopped)")
      .number("throttle_max_us", &M::throttle_max_us, "us", 500, 2500, "ESC pulse at throttle +1")
      .flag("throttle_inverted", &M::throttle_inverted, "throttle +1 maps to throttle_min_us")
      .flag("mm1_require_reports", &M::mm1_require_reports,
            "mm1: the link is alive only while the board sends RC reports; false for a board "
            "that stays silent")
      .number("mm1_rate_hz", &M::mm1_rate_hz, "Hz", 1, 40,
              "mm1: most setpoint lines sent per second, always the newest (Donkey sends 20); "
              "the board's script takes one line per ~25 ms pass, so faster only queues lines")
      .choice("vesc_throttle_mode", &M::vesc_throttle_mode, "vesc: throttle sent as SET_DUTY, SET_RPM or SET_CURRENT")
      .number("vesc_max_duty", &M::vesc_max_duty, "-", 0, 0.95, "vesc: duty at throttle +-1")
      .number("vesc_max_erpm", &M::vesc_max_erpm, "erpm", 0, 200000,
              "vesc: electrical RPM at throttle +-1")
      .number("vesc_max_current_a", &M::vesc_max_current_a, "A", 0, 200,
              "vesc: motor current at throttle +-1")
      .number("vesc_brake_current_a", &M::vesc_brake_current_a, "A", 0, 200,
              "vesc: brake current at throttle 0, on stop and on faults; 0 = zero current (coast)")
      .number("vesc_servo_center", &M::vesc_servo_center, "-", 0, 1,
              "vesc: servo position at steering 0")
      .number("vesc_servo_gain", &M::vesc_servo_gain, "-", -1, 1,
              "vesc: servo position change per unit steering; negative inverts")
      .number("vesc_servo_min", &M::vesc_servo_min, "-", 0, 1, "vesc: lowest servo position")
      .number("vesc_servo_max", &M::vesc_servo_max, "-", 0, 1, "vesc: highest servo position")
      .number("vesc_values_period_ms", &M::vesc_values_period_ms, "ms", 5, 5000,
              "vesc: GET_VALUES poll period (voltage, erpm, temperatures, fault code); keep "
              "below alive_timeout_ms")
      .number("i2c_bus", &M::i2c_bus, "-", 0, 255,
              "pca9685: I2C bus number, /dev/i2c-<bus> (1 on most boards and older Jetsons, "
              "7 or 8 on newer Jetsons; Donkey's PCA9685.<bus>:...)")
      .number("i2c_address", &M::i2c_address, "-", 3, 119,
              "pca9685: 7-bit I2C address, decimal in YAML (64 = 0x40, the default jumpers)")
      .number("pwm_frequency_hz", &M::pwm_frequency_hz, "Hz", 24, 1526,
              "pca9685: PWM frequency (Donkey's PWM_FREQUENCY 60; servos and ESCs take 50..60)")
      .number("steering_channel", &M::steering_channel, "-", 0, 15,
              "pca9685: channel of the steering servo (Donkey's PCA9685.1:40.1 is 1)")
      .number("throttle_channel", &M::throttle_channel, "-", 0, 15,
              "pca9685: channel of the ESC (Donkey's PCA9685.1:40.0 is 0)")
      .number("pca9685_osc_hz", &M::pca9685_osc_hz, "Hz", 1000000, 50000000,
              "pca9685: oscillator frequency the prescale is computed from (25 MHz internal; "
              "a measured value corrects a chip whose oscillator is off)")
      .number("steering_left_ticks", &M::steering_left_ticks, "ticks", 0, 4095,
              "pca9685: 12-bit count at steering -1 (Donkey's STEERING_LEFT_PWM); 0 = not set, "
              "else it and steering_right_ticks replace the steering_*_us calibration")
      .number("steering_right_ticks", &M::steering_right_ticks, "ticks", 0, 4095,
              "pca9685: 12-bit count at steering +1 (Donkey's STEERING_RIGHT_PWM); 0 = not set")
      .number("throttle_forward_ticks", &M::throttle_forward_ticks, "ticks", 0, 4095,
              "pca9685: 12-bit count at throttle +1 (Donkey's THROTTLE_FORWARD_PWM); 0 = not "
              "set, else the three throttle_*_ticks replace the throttle_*_us calibration")
      .number("throttle_stopped_ticks", &M::throttle_stopped_ticks, "ticks", 0, 4095,
              "pca9685: 12-bit count at throttle 0 (Donkey's THROTTLE_STOPPED_PWM); 0 = not set")
      .number("throttle_reverse_ticks", &M::throttle_reverse_ticks, "ticks", 0, 4095,
              "pca9685: 12-bit count at throttle -1 (Donkey's THROTTLE_REVERSE_PWM); 0 = not set");
}

void add_control_motor_telemetry(Schema& s) {
  using C = ControlConfig;
  SectionBuilder<C>(s, "control", &Config::control, "the fixed-rate control loop and shaping")
      .number("rate_hz", &C::rate_hz, "Hz", 1, 1000, "control loop rate (absolute deadlines)")
      .choice("mode", &C::mode, "start-up drive mode: user drives, model steers, or model drives")
      .live()
      .number("steering_trim", &C::steering_trim, "norm", -0.5, 0.5,
              "added to steering before gain and limits")
      .live()
      .number("steering_gain", &C::steering_gain, "-", 0, 5, "multiplier applied to steering")
      .live()
      .number("steering_limit", &C::steering_limit, "norm", 0, 1, "|steering| is clamped to this")
      .live()
      .number("throttle_min", &C::throttle_min, "norm", -1, 0,
              "lowest throttle sent; must be <= throttle_max")
      .live()
      .number("throttle_max", &C::throttle_max, "norm", 0, 1, "highest throttle sent")
      .live()
      .number("ai_throttle_mult", &C::ai_throttle_mult, "-", 0, 2,
              "multiplier on the model's throttle in mode local")
      .live()
      .flag("autostart", &C::autostart,
            "arm by itself once the self-test passed (headless car); otherwise start disarmed")
      .number("autostart_delay_s", &C::autostart_delay_s, "s", 0, 600,
              "wait after start-up before arming by itself")
      .number("steering_rate_limit", &C::steering_rate_limit, "norm/s", 0, 100,
              "fastest steering change; 0 is unlimited (a forced neutral is never limited)")
      .live()
      .number("throttle_rate_limit", &C::throttle_rate_limit, "norm/s", 0, 100,
              "fastest throttle change; 0 is unlimited (a forced neutral is never limited)")
      .live()
      .choice("on_stale", &C::on_stale, "stale prediction: stop (neutral now) or hold (keep steering, throttle 0)")
      .number("hold_ms", &C::hold_ms, "ms", 0, 2000, "longest `hold` before neutral")
      .number("rt_priority", &C::rt_priority, "-", 0, 99,
              "SCHED_FIFO priority of the control thread; 0 keeps normal scheduling")
      .number("cpu", &C::cpu, "-", -1, 1023, "CPU the control thread is pinned to; -1: any")
      .flag("lock_memory", &C::lock_memory,
            "keep every page the process touches in RAM (mlockall, locked on first touch)")
      .number("recovery_hold_off_ms", &C::recovery_hold_off_ms, "ms", 0, 10000,
              "after a failure clears, the model drives again only once it stayed clear this long")
      .live()
      .choice("reverse", &C::reverse, "ESC reverse: direct, or brake then neutral then reverse (most hobby ESCs)")
      .live()
      .number("reverse_brake_ms", &C::reverse_brake_ms, "ms", 0, 2000,
              "brake_then_reverse: how long the first negative pulse brakes")
      .live()
      .number("reverse_neutral_ms", &C::reverse_neutral_ms, "ms", 0, 2000,
              "brake_then_reverse: neutral between braking and reversing")
      .live()
      .number("operator_timeout_ms", &C::operator_timeout_ms, "ms", 20, 5000,
              "dead-man: operator input (control API, gamepad, RC) older than this is ignored")
      .live();
  add_motor(s);
  using T = TelemetryConfig;
  SectionBuilder<T>(s, "telemetry", &Config::telemetry, "ZeroMQ PUB telemetry")
      .flag("enabled", &T::enabled, "publish telemetry over ZeroMQ")
      .text("endpoint", &T::endpoint, true, "ZeroMQ PUB bind address")
      .checked(endpoint_problem, kEndpointFormat)
      .number("state_every_n_ticks", &T::state_every_n_ticks, "ticks", 1, 1000,
              "publish `state` every N control ticks")
      .number("queue_depth", &T::queue_depth, "messages", 1, 65536,
              "messages buffered before dropping")
      .number("health_interval_s", &T::health_interval_s, "s", 0, 60,
              "period of the `health` topic (temperatures, load, memory); 0 turns it off")
      .number("warn_temp_c", &T::warn_temp_c, "degC", 30, 120,
              "a thermal zone at or above this raises a warning event")
      .number("frame_every_n_ticks", &T::frame_every_n_ticks, "ticks", 0, 100000,
              "publish the newest camera frame as JPEG on topic `frame` every N ticks; 0: off")
      .number("frame_jpeg_quality", &T::frame_jpeg_quality, "-", 1, 100,
              "JPEG quality of `frame` messages");
  using A = ControlApiConfig;
  SectionBuilder<A>(s, "control_api", &Config::control_api,
                    "the ZeroMQ request/reply control API (docs/control.md)")
      .flag("enabled", &A::enabled, "serve the control API")
      .text("endpoint", &A::endpoint, true,
            "ZeroMQ REP bind address; anything but loopback or ipc:// needs CURVE keys")
      .checked(endpoint_problem, kEndpointFormat)
      .text("curve_secret_key", &A::curve_secret_key, false,
            "file with the server's CURVE secret key (rcpilot-ctl keygen); empty: no CURVE")
      .text("curve_authorized_keys", &A::curve_authorized_keys, false,
            "file of client CURVE public keys allowed in, one per line; needed with CURVE")
      .number("max_request_bytes", &A::max_request_bytes, "bytes", 256, 16777216,
              "longest request accepted; longer ones get error `too_large` before they are "
              "parsed, and ZeroMQ drops any over twice this without reading it");
}

void add_record(Schema& s) {
  using R = RecordConfig;
  SectionBuilder<R>(s, "record", &Config::record,
                    "recording driving data as a Donkey Car tub (docs/recording.md)")
      .text("path", &R::path, false,
            "tub folder; relative paths start at the config's folder; empty: data/tub in the "
            "working directory (/var/lib/rcpilot/data/tub for the systemd service)")
      .flag("autostart", &R::autostart, "start recording when the node starts")
      .flag("only_when_moving", &R::only_when_moving,
            "record only while the throttle sent is above 0 (standing and reversing are not "
            "recorded), like Donkey's AUTO_RECORD_ON_THROTTLE")
      .flag("during_autopilot", &R::during_autopilot,
            "also record in modes local_angle and local (Donkey's RECORD_DURING_AI)")
      .number("queue_depth", &R::queue_depth, "ticks", 1, 65536,
              "control ticks buffered for the recorder thread before dropping")
      .number("jpeg_quality", &R::jpeg_quality, "-", 1, 100, "JPEG quality of recorded frames")
      .number("sync_interval_s", &R::sync_interval_s, "s", 0, 60,
              "flush records to the storage device this often, so a power loss loses at most "
              "this much; 0 flushes after every record (slow on SD cards)");
}

void add_sim_log(Schema& s) {
  using S = SimConfig;
  SectionBuilder<S>(s, "sim", &Config::sim, "the simulated car, camera and expert driver")
      .text("track", &S::track, true, "track YAML; relative paths start at the config's folder")
      .number("seed", &S::seed, "-", 0, 2147483648.0,
              "seed for lighting and texture variation, sensor noise, shadows and distractors")
      .number("lighting_variation", &S::lighting_variation, "-", 0, 1,
              "how much brightness and tint vary per seed")
      .number("texture_variation", &S::texture_variation, "-", 0, 1,
              "how much ground texture varies per seed")
      .number("wheelbase_m", &S::wheelbase_m, "m", 0.05, 2, "front to rear axle distance")
      .number("max_steer_deg", &S::max_steer_deg, "deg", 1, 60, "wheel angle at steering +-1")
      .number("servo_rate_deg_s", &S::servo_rate_deg_s, "deg/s", 1, 5000,
              "steering servo slew rate")
      .number("max_speed_mps", &S::max_speed_mps, "m/s", 0.1, 50, "top speed at throttle 1")
      .number("speed_tau_s", &S::speed_tau_s, "s", 0.001, 10,
              "first-order lag of speed to throttle")
      .number("camera_height_m", &S::camera_height_m, "m", 0.01, 2, "camera lens above ground")
      .number("camera_pitch_deg", &S::camera_pitch_deg, "deg", 0, 89,
              "camera tilted down from horizontal")
      .number("camera_hfov_deg", &S::camera_hfov_deg, "deg", 10, 170, "horizontal field of view")
      .number("camera_forward_m", &S::camera_forward_m, "m", 0, 2, "camera ahead of the rear axle")
      .number("expert_lookahead_m", &S::expert_lookahead_m, "m", 0.05, 10,
              "pure-pursuit lookahead distance of the expert driver")
      .number("expert_throttle", &S::expert_throttle, "norm", 0, 1,
              "the expert driver's throttle on straights")
      .number("noise_std", &S::noise_std, "levels", 0, 50,
              "std dev of Gaussian sensor noise on 8-bit pixels; 0: none")
      .number("exposure_ms", &S::exposure_ms, "ms", 0, 50,
              "exposure time: the frame averages the view over it (motion blur); 0: none")
      .number("jpeg_quality", &S::jpeg_quality, "-", 0, 100,
              "JPEG-compress and decode every frame at this quality (a camera's MJPEG); 0: none")
      .choice("lens", &S::lens, {"pinhole", "wide120", "wide160"},
              "pinhole (camera_hfov_deg wide, no distortion), or a fisheye lens 120 or 160 deg "
              "wide across the image (equidistant model)")
      .flag("auto_exposure", &S::auto_exposure,
            "auto exposure and white balance: gains that follow the scene with a lag")
      .number("auto_exposure_tau_s", &S::auto_exposure_tau_s, "s", 0.01, 10,
              "time constant of the auto exposure and white balance reaction")
      .number("latency_ms", &S::latency_ms, "ms", 0, 500,
              "a frame shows the world this long before it is delivered (and is stamped so)")
      .number("mount_pitch_offset_deg", &S::mount_pitch_offset_deg, "deg", -20, 20,
              "camera mount error added to camera_pitch_deg (+ looks further down)")
      .number("mount_roll_deg", &S::mount_roll_deg, "deg", -20, 20,
              "camera mount roll about the lens axis (+ clockwise as the camera sees)")
      .number("mount_height_offset_m", &S::mount_height_offset_m, "m", -0.1, 0.5,
              "camera mount error added to camera_height_m")
      .number("accel_pitch_deg_per_mps2", &S::accel_pitch_deg_per_mps2, "deg/(m/s^2)", 0, 5,
              "car body pitch under acceleration (nose up accelerating, down braking); 0: none")
      .number("shadows", &S::shadows, "-", 0, 1,
              "world-fixed shadows on the ground (trees, buildings): how many and how dark")
      .number("light_along_track", &S::light_along_track, "-", 0, 1,
              "how far the light level swings along the track (sun and cloud patches)")
      .number("road_width_m", &S::road_width_m, "m", 0, 5,
              "replaces the track file's road width (edge line to edge line); 0: the file's")
      .choice("line_colour", &S::line_colour, {"white", "yellow", "orange", "blue"},
              "colour of the edge lines")
      .choice("centre_line", &S::centre_line, {"dashed", "solid", "none"},
              "the yellow centre line: dashed, solid or missing")
      .number("distractors", &S::distractors, "-", 0, 1,
              "cones, tape strips and patches of other surfaces beside the road; 0: none");
  SectionBuilder<LogConfig>(s, "log", &Config::log, "console logging")
      .choice("level", &LogConfig::level, {"trace", "debug", "info", "warn", "error", "off"},
              "lowest level logged")
      .number("status_interval_s", &LogConfig::status_interval_s, "s", 0, 60,
              "live status line refresh; 0 disables it");
}

void add_gamepad(Schema& s) {
  using G = GamepadConfig;
  SectionBuilder<G>(s, "gamepad", &Config::gamepad,
                    "driving with a gamepad (Linux joystick API, /dev/input/js*); see "
                    "docs/gamepad.md")
      .flag("enabled", &G::enabled, "read the gamepad; a missing pad is retried, never fatal")
      .text("device", &G::device, true, "joystick device; list them with `ls /dev/input/js*`")
      .choice("pad", &G::pad,
              "a pad's default mapping as in Donkey Car (xbox, ps3, ps4, f710: found by the "
              "kernel's control codes, the numbered keys below are then not used), or custom: "
              "the numbered keys")
      .number("steering_axis", &G::steering_axis, "-", -1, 255,
              "axis that steers; 0 is the left stick X on common pads; -1: not mapped")
      .number("throttle_axis", &G::throttle_axis, "-", -1, 255,
              "axis for throttle; 4 is the right stick Y on Xbox (xpad) and PlayStation pads, "
              "3 or 2 on some others (check with jstest); -1: not mapped")
      .number("dead_zone", &G::dead_zone, "norm", 0, 0.5,
              "stick travel around centre read as 0; the rest is re-scaled to start at 0")
      .number("steering_scale", &G::steering_scale, "-", 0, 1, "steering at full stick")
      .number("throttle_scale", &G::throttle_scale, "-", 0, 1, "throttle at full stick")
      .flag("steering_inverted", &G::steering_inverted,
            "negate steering (the stick pushed left reads -1, which is steering left)")
      .flag("throttle_inverted", &G::throttle_inverted,
            "negate throttle (sticks read negative when pushed forward)")
      .number("mode_cycle_button", &G::mode_cycle_button, "-", -1, 255,
              "button that cycles user -> local_angle -> local; -1: not mapped")
      .number("arm_button", &G::arm_button, "-", -1, 255, "button that arms; -1: not mapped")
      .number("disarm_button", &G::disarm_button, "-", -1, 255,
              "button that disarms; -1: not mapped")
      .number("estop_button", &G::estop_button, "-", -1, 255,
              "button that latches the e-stop; -1: not mapped")
      .number("record_toggle_button", &G::record_toggle_button, "-", -1, 255,
              "button that starts or stops recording; -1: not mapped")
      .number("erase_records_button", &G::erase_records_button, "-", -1, 255,
              "button that erases the last erase_count records; -1: not mapped")
      .number("throttle_scale_up_button", &G::throttle_scale_up_button, "-", -1, 255,
              "button that raises throttle_scale by throttle_scale_step (Donkey's max throttle "
              "up); -1: not mapped")
      .number("throttle_scale_down_button", &G::throttle_scale_down_button, "-", -1, 255,
              "button that lowers throttle_scale by throttle_scale_step; -1: not mapped")
      .number("throttle_scale_hat_axis", &G::throttle_scale_hat_axis, "-", -1, 255,
              "d-pad axis whose up raises and down lowers throttle_scale; -1: not mapped")
      .number("throttle_scale_step", &G::throttle_scale_step, "-", 0.01, 0.5,
              "throttle_scale change per press, kept within 0..1 (Donkey uses 0.01)")
      .number("erase_count", &G::erase_count, "records", 1, 10000,
              "records the erase button erases (soft delete, as Donkey does)")
      .number("erase_hold_ms", &G::erase_hold_ms, "ms", 200, 10000,
              "how long the erase button must be held before its release erases; a shorter "
              "press erases nothing")
      .number("reconnect_min_ms", &G::reconnect_min_ms, "ms", 10, 60000,
              "first re-open delay after the pad is lost; doubles per failed attempt")
      .number("reconnect_max_ms", &G::reconnect_max_ms, "ms", 10, 60000,
              "cap of the re-open back-off");
}

void add_web(Schema& s) {
  using W = WebConfig;
  SectionBuilder<W>(s, "web", &Config::web,
                    "rcpilot-web, the browser dashboard, a separate program (docs/web.md)")
      .text("bind", &W::bind, true,
            "listen address; anything but loopback (127.0.0.1, ::1) needs web.token")
      .number("port", &W::port, "-", 1, 65535, "TCP port of the dashboard")
      .text("token", &W::token, false,
            "secret every request and socket must carry (?token=...); at least 12 characters "
            "when set; empty: no token (loopback only)");
}

Schema build_schema() {
  Schema s;
  add_camera_model_pilot(s);
  add_control_motor_telemetry(s);
  add_record(s);
  add_sim_log(s);
  add_gamepad(s);
  add_web(s);
  // With the ranges above throttle_min <= 0 <= throttle_max already holds; the rule stays so
  // that widening a range cannot silently allow an inverted throttle band.
  s.constraints = {
      {"control.throttle_min", "control.throttle_max", "the throttle band must not be inverted"},
      {"pilot.min_rate_hz", "camera.fps",
       "the pilot cannot predict faster than the camera delivers frames"},
      {"motor.steering_min_us", "motor.steering_center_us", "steering pulses must be ordered"},
      {"motor.steering_center_us", "motor.steering_max_us", "steering pulses must be ordered"},
      {"motor.throttle_min_us", "motor.throttle_center_us", "throttle pulses must be ordered"},
      {"motor.throttle_center_us", "motor.throttle_max_us", "throttle pulses must be ordered"},
      {"motor.vesc_servo_min", "motor.vesc_servo_center", "servo positions must be ordered"},
      {"motor.vesc_servo_center", "motor.vesc_servo_max", "servo positions must be ordered"},
      {"motor.reconnect_min_ms", "motor.reconnect_max_ms", "the back-off cap is its upper end"},
      {"motor.io_rt_priority", "control.rt_priority",
       "the link's I/O thread must not preempt the control loop that feeds it"},
      {"gamepad.reconnect_min_ms", "gamepad.reconnect_max_ms", "the back-off cap is its upper end"},
  };
  return s;
}

// The shortest text that reads back as v, as std::to_chars(v) writes it (which GCC 9 and 10's
// libstdc++ lack for floating point): the fewest significant digits that round-trip, in plain
// or exponent notation, whichever is shorter (plain on a tie).
std::string format_double(double v) {
  char exp_text[40];
  if (!std::isfinite(v)) {
    std::snprintf(exp_text, sizeof exp_text, "%g", v);
    return exp_text;
  }
  for (int digits = 1; digits <= 17; ++digits) {  // 17 digits always round-trip a double
    std::snprintf(exp_text, sizeof exp_text, "%.*e", digits - 1, v);
    if (std::strtod(exp_text, nullptr) != v && digits < 17) continue;
    const int exponent = std::atoi(std::strchr(exp_text, 'e') + 1);
    char plain[400];  // up to ~330 characters for the smallest subnormals
    std::snprintf(plain, sizeof plain, "%.*f", std::max(0, digits - 1 - exponent), v);
    return std::strlen(plain) <= std::strlen(exp_text) ? plain : exp_text;
  }
  return exp_text;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", u);
      out += esc;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// Optimal string alignment distance: edits, with a swap of neighbours counting as one.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

const Schema& schema() {
  static const Schema kSchema = build_schema();
  return kSchema;
}

const KeyInfo* find_key(std::string_view path) {
  for (const KeyInfo& key : schema().keys) {
    if (key.path() == path) return &key;
  }
  return nullptr;
}

bool is_section(std::string_view name) {
  const auto& sections = schema().sections;
  return std::any_of(sections.begin(), sections.end(),
                     [name](const SectionInfo& s) { return s.name == name; });
}

std::vector<std::string> differing_keys(const Config& a, const Config& b) {
  std::vector<std::string> paths;
  for (const KeyInfo& key : schema().keys) {
    if (key.get(a) != key.get(b)) paths.push_back(key.path());
  }
  return paths;
}

std::string type_name(ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return "bool";
    case ValueType::kInt:
      return "int";
    case ValueType::kDouble:
      return "double";
    case ValueType::kString:
      return "string";
    case ValueType::kEnum:
      return "enum";
  }
  return "?";
}

std::string format_value(const KeyInfo& key, const Value& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<long long>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return format_double(*d);
  const std::string& s = std::get<std::string>(value);
  const bool plain = key.type == ValueType::kEnum &&
                     std::find(key.choices.begin(), key.choices.end(), s) != key.choices.end();
  return plain ? s : quote(s);
}

std::string range_text(const KeyInfo& key) {
  switch (key.type) {
    case ValueType::kInt:
    case ValueType::kDouble:
      return format_double(key.min) + " .. " + format_double(key.max);
    case ValueType::kEnum: {
      std::string out;
      for (const std::string& c : key.choices) out += (out.empty() ? "" : ", ") + c;
      return out;
    }
    case ValueType::kString:
      if (!key.format.empty()) return key.format;
      return key.non_empty ? "non-empty" : "any";
    case ValueType::kBool:
      return "true, false";
  }
  return "";
}

std::string closest_match(std::string_view given, const std::vector<std::string>& known) {
  const size_t threshold = std::max<size_t>(2, given.size() / 4);
  std::string best;
  size_t best_distance = threshold + 1;
  for (const std::string& candidate : known) {
    const size_t d = edit_distance(given, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty() || given.size() < 3) return best;
  for (const std::string& candidate :
       known) {  // "warning" for "warn", "min_rate" for "min_rate_hz"
    const size_t n = std::min(given.size(), candidate.size());
    if (n >= 3 && given.substr(0, n) == std::string_view(candidate).substr(0, n)) return candidate;
  }
  return best;
}

}  // namespace rcpilot::config
