#pragma once
// Board health for telemetry topic `health`: temperatures, CPU load, memory, clock state.
// Reads Linux/Jetson sysfs and procfs under a root folder, so tests run on a fake tree.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/worker.hpp"

namespace rcpilot::vehicle {

struct ThermalZone {
  std::string type;     // e.g. CPU-therm (Nano), cpu-thermal (Orin)
  double temp_c = 0.0;  // degrees C
};

struct HealthSample {
  std::vector<ThermalZone> zones;      // readable zones; PMIC-Die and bogus readings skipped
  double load_1m = 0.0;                // /proc/loadavg, 1-minute
  double cpu_percent = -1.0;           // all cores busy share since the last sample; -1: first
  double mem_total_mb = 0.0;           // MemTotal
  double mem_available_mb = 0.0;       // MemAvailable
  double rss_mb = 0.0;                 // this process's resident size
  std::optional<bool> clocks_locked;   // CPU min == max for every core; absent without cpufreq
  std::vector<std::string> hot_zones;  // zones at or above the warning temperature
};

// Reads health from `root` ("/" on a real board). Not thread-safe: one reader per thread.
class HealthReader {
 public:
  HealthReader(std::string root, double warn_temp_c);
  HealthSample read();

 private:
  std::vector<ThermalZone> read_zones() const;
  double read_cpu_percent();
  std::optional<bool> read_clocks_locked() const;
  std::string path(const std::string& absolute) const { return root_ + absolute; }

  std::string root_;
  double warn_temp_c_;
  std::uint64_t last_busy_ = 0;
  std::uint64_t last_total_ = 0;
};

nlohmann::json health_to_json(const HealthSample& sample);

// Samples health every `interval` on its own thread and hands each sample to `on_sample`; what
// a sample holds is HealthReader's job (tested there), this only paces it.
class HealthMonitor {
 public:
  HealthMonitor(HealthReader reader, Duration interval,
                std::function<void(const HealthSample&)> on_sample);
  ~HealthMonitor();
  // Takes the first sample at once, then one per `interval`.
  void start();
  // Interrupts the wait and joins: no sample is delivered after it returns. Idempotent.
  void stop();

 private:
  void run();

  HealthReader reader_;
  Duration interval_;
  std::function<void(const HealthSample&)> on_sample_;
  Worker worker_;
};

}  // namespace rcpilot::vehicle
