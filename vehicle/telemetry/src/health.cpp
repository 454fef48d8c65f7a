#include "telemetry/health.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rcpilot::vehicle {

namespace fs = std::filesystem;

namespace {

// First line of a small sysfs/procfs file ("" when unreadable).
std::string read_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// Value of `key` (e.g. "MemTotal:") in /proc/meminfo-style files, in MB; 0 when absent.
double read_kb_field_mb(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string name;
  double kb = 0;
  while (in >> name) {
    if (name == key && in >> kb) return kb / 1024.0;
    in.ignore(1 << 16, '\n');
  }
  return 0.0;
}

}  // namespace

HealthReader::HealthReader(std::string root, double warn_temp_c)
    : root_(root == "/" ? "" : std::move(root)), warn_temp_c_(warn_temp_c) {}

std::vector<ThermalZone> HealthReader::read_zones() const {
  std::vector<ThermalZone> zones;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path("/sys/devices/virtual/thermal"), ec)) {
    const std::string dir = entry.path().string();
    if (dir.find("thermal_zone") == std::string::npos) continue;
    const std::string type = read_line(dir + "/type");
    const std::string milli = read_line(dir + "/temp");
    // PMIC-Die always reads 100 C on a Nano; empty or sub -40 C readings are sensors without data.
    if (type.empty() || milli.empty() || type == "PMIC-Die") continue;
    const double temp_c = std::atof(milli.c_str()) / 1000.0;
    if (temp_c < -40.0) continue;
    zones.push_back({type, temp_c});
  }
  std::sort(zones.begin(), zones.end(),
            [](const ThermalZone& a, const ThermalZone& b) { return a.type < b.type; });
  return zones;
}

double HealthReader::read_cpu_percent() {
  std::istringstream line(read_line(path("/proc/stat")));
  std::string cpu;
  line >> cpu;
  std::uint64_t v = 0, total = 0, idle = 0;
  for (int i = 0; line >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle and iowait
  }
  const std::uint64_t busy = total - idle;
  double percent = -1.0;
  if (last_total_ != 0 && total > last_total_) {
    percent =
        100.0 * static_cast<double>(busy - last_busy_) / static_cast<double>(total - last_total_);
  }
  last_busy_ = busy;
  last_total_ = total;
  return percent;
}

std::optional<bool> HealthReader::read_clocks_locked() const {
  std::error_code ec;
  std::optional<bool> locked;
  for (const auto& entry : fs::directory_iterator(path("/sys/devices/system/cpu"), ec)) {
    const std::string freq = entry.path().string() + "/cpufreq";
    const std::string lo = read_line(freq + "/scaling_min_freq");
    const std::string hi = read_line(freq + "/scaling_max_freq");
    if (lo.empty() || hi.empty()) continue;
    locked = locked.value_or(true) && lo == hi;
  }
  return locked;
}

HealthSample HealthReader::read() {
  HealthSample s;
  s.zones = read_zones();
  s.load_1m = std::atof(read_line(path("/proc/loadavg")).c_str());
  s.cpu_percent = read_cpu_percent();
  s.mem_total_mb = read_kb_field_mb(path("/proc/meminfo"), "MemTotal:");
  s.mem_available_mb = read_kb_field_mb(path("/proc/meminfo"), "MemAvailable:");
  s.rss_mb = read_kb_field_mb(path("/proc/self/status"), "VmRSS:");
  s.clocks_locked = read_clocks_locked();
  for (const auto& z : s.zones) {
    if (z.temp_c >= warn_temp_c_) s.hot_zones.push_back(z.type);
  }
  return s;
}

nlohmann::json health_to_json(const HealthSample& s) {
  nlohmann::json temps = nlohmann::json::object();
  for (const auto& z : s.zones) temps[z.type] = z.temp_c;
  nlohmann::json j = {{"temperatures_c", temps},
                      {"load_1m", s.load_1m},
                      {"cpu_percent", s.cpu_percent},
                      {"mem_total_mb", s.mem_total_mb},
                      {"mem_available_mb", s.mem_available_mb},
                      {"rss_mb", s.rss_mb},
                      {"hot_zones", s.hot_zones}};
  j["clocks_locked"] = s.clocks_locked ? nlohmann::json(*s.clocks_locked) : nlohmann::json();
  return j;
}

HealthMonitor::HealthMonitor(HealthReader reader, Duration interval,
                             std::function<void(const HealthSample&)> on_sample)
    : reader_(std::move(reader)), interval_(interval), on_sample_(std::move(on_sample)) {}

HealthMonitor::~HealthMonitor() { stop(); }

void HealthMonitor::start() {
  worker_.start([this] { run(); });
}

void HealthMonitor::stop() { worker_.stop(); }

void HealthMonitor::run() {
  do {
    on_sample_(reader_.read());
  } while (worker_.wait_for(interval_));
}

}  // namespace rcpilot::vehicle
