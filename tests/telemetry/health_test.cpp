#include "telemetry/health.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include <unistd.h>

namespace rcpilot::vehicle {
namespace {

namespace fs = std::filesystem;

// A fake Jetson Nano /sys and /proc tree.
struct HealthTest : ::testing::Test {
  fs::path root = fs::temp_directory_path() / ("rcpilot-health-" + std::to_string(getpid()));

  void SetUp() override {
    fs::remove_all(root);
    zone(0, "CPU-therm", "41500");
    zone(1, "GPU-therm", "39000");
    zone(2, "PMIC-Die", "100000");
    zone(3, "thermal-fan-est", "40600");
    write("/proc/loadavg", "1.25 0.80 0.50 2/300 1234\n");
    write("/proc/stat", "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\n");
    write("/proc/meminfo",
          "MemTotal:        4096000 kB\nMemFree: 1 kB\nMemAvailable:    2048000 kB\n");
    write("/proc/self/status", "Name: rcpilot\nVmRSS:     76800 kB\n");
    cpu(0, "1479000", "1479000");
    cpu(1, "1479000", "1479000");
  }
  void TearDown() override { fs::remove_all(root); }

  void write(const std::string& path, const std::string& text) {
    fs::create_directories((root / path.substr(1)).parent_path());
    std::ofstream(root / path.substr(1)) << text;
  }
  void zone(int n, const std::string& type, const std::string& milli_c) {
    const std::string dir = "/sys/devices/virtual/thermal/thermal_zone" + std::to_string(n);
    write(dir + "/type", type + "\n");
    write(dir + "/temp", milli_c + "\n");
  }
  void cpu(int n, const std::string& lo, const std::string& hi) {
    const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(n) + "/cpufreq";
    write(dir + "/scaling_min_freq", lo + "\n");
    write(dir + "/scaling_max_freq", hi + "\n");
  }
};

TEST_F(HealthTest, reads_temperatures_skipping_pmic_die) {
  HealthReader reader(root.string(), 80.0);
  const auto s = reader.read();
  ASSERT_EQ(s.zones.size(), 3u);
  EXPECT_EQ(s.zones[0].type, "CPU-therm");
  EXPECT_DOUBLE_EQ(s.zones[0].temp_c, 41.5);
  EXPECT_TRUE(s.hot_zones.empty()) << "PMIC-Die's fixed 100 C must not count";
}

TEST_F(HealthTest, reads_load_memory_rss_and_locked_clocks) {
  HealthReader reader(root.string(), 80.0);
  const auto s = reader.read();
  EXPECT_DOUBLE_EQ(s.load_1m, 1.25);
  EXPECT_NEAR(s.mem_total_mb, 4000.0, 1e-9);
  EXPECT_NEAR(s.mem_available_mb, 2000.0, 1e-9);
  EXPECT_NEAR(s.rss_mb, 75.0, 1e-9);
  ASSERT_TRUE(s.clocks_locked.has_value());
  EXPECT_TRUE(*s.clocks_locked);
  EXPECT_EQ(s.cpu_percent, -1.0) << "no CPU share before a second sample";
}

TEST_F(HealthTest, cpu_percent_comes_from_the_difference_of_two_samples) {
  HealthReader reader(root.string(), 80.0);
  reader.read();
  write("/proc/stat", "cpu  175 0 125 900 0 0 0 0 0 0\n");  // +100 busy, +100 idle
  EXPECT_DOUBLE_EQ(reader.read().cpu_percent, 50.0);
}

TEST_F(HealthTest, unlocked_clocks_and_hot_zones_are_reported) {
  cpu(1, "102000", "1479000");
  zone(0, "CPU-therm", "85000");
  HealthReader reader(root.string(), 80.0);
  const auto s = reader.read();
  EXPECT_FALSE(*s.clocks_locked);
  ASSERT_EQ(s.hot_zones.size(), 1u);
  EXPECT_EQ(s.hot_zones[0], "CPU-therm");
  const auto j = health_to_json(s);
  EXPECT_EQ(j["temperatures_c"]["CPU-therm"], 85.0);
  EXPECT_EQ(j["clocks_locked"], false);
}

TEST_F(HealthTest, a_machine_without_sensors_gives_an_empty_sample) {
  HealthReader reader((root / "nothing").string(), 80.0);
  const auto s = reader.read();
  EXPECT_TRUE(s.zones.empty());
  EXPECT_FALSE(s.clocks_locked.has_value());
  EXPECT_TRUE(health_to_json(s)["clocks_locked"].is_null());
}

// The monitor only paces HealthReader::read() (tested above): its thread is checked for start
// and stop, never for a rate.
TEST_F(HealthTest, the_monitor_samples_at_once_on_start_and_stop_interrupts_its_interval) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<HealthSample> samples;
  HealthMonitor monitor(HealthReader(root.string(), 80.0), std::chrono::hours(1),
                        [&](const HealthSample& s) {
                          std::lock_guard<std::mutex> lock(mutex);
                          samples.push_back(s);
                          arrived.notify_all();
                        });
  monitor.start();
  {
    std::unique_lock<std::mutex> lock(mutex);
    // A hang guard, not a timing check: the first sample is taken before any wait.
    arrived.wait_for(lock, std::chrono::seconds(10), [&] { return !samples.empty(); });
  }
  monitor.stop();  // returns long before the hour: stop wakes the interval wait
  ASSERT_EQ(samples.size(), 1u) << "one sample at start, the next only after an hour";
  EXPECT_DOUBLE_EQ(samples[0].load_1m, 1.25) << "the sample comes from the monitor's reader";
  monitor.stop();
}

TEST_F(HealthTest, a_monitor_never_started_stops_without_sampling) {
  int samples = 0;
  HealthMonitor monitor(HealthReader(root.string(), 80.0), std::chrono::milliseconds(5),
                        [&](const HealthSample&) { ++samples; });
  monitor.stop();
  EXPECT_EQ(samples, 0);
}

}  // namespace
}  // namespace rcpilot::vehicle
