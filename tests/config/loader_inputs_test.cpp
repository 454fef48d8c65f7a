// Config inputs a careless or hostile user can give: files that are not regular files or far too
// large, a second YAML document, numbers beyond any range, endpoints that cannot be bound, and
// --duration values. Every one is a clear error naming what to fix.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>

#include "config/endpoint.hpp"
#include "config/loader.hpp"
#include "config/program.hpp"
#include "temp_dir.hpp"

namespace rcpilot::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class LoaderInputTest : public test::TempDirTest {
 protected:
  static std::string error_of(const std::string& path, const std::vector<std::string>& overrides) {
    try {
      load_config(path, overrides);
    } catch (const ConfigError& e) {
      return e.what();
    } catch (const std::exception& e) {
      return std::string("not a ConfigError: ") + e.what();
    }
    return "loaded without an error";
  }
  std::string error_of_yaml(const std::string& yaml) {
    return error_of(write_file("c.yaml", yaml), {});
  }
};

TEST_F(LoaderInputTest, dev_zero_is_refused_as_not_a_regular_file) {
  EXPECT_THAT(error_of("/dev/zero", {}),
              AllOf(HasSubstr("config file /dev/zero"), HasSubstr("not a regular file"),
                    HasSubstr("pass --config with a YAML file")));
}

TEST_F(LoaderInputTest, a_fifo_is_refused_without_waiting_for_a_writer) {
  const std::string fifo = (dir_ / "fifo.yaml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return error_of(fifo, {}); });
  const bool returned = result.wait_for(10s) == std::future_status::ready;
  if (!returned) {
    // A loader blocked opening the FIFO: a writer coming and going releases it, so the test
    // fails instead of hanging in the future's destructor.
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
  ASSERT_TRUE(returned) << "load_config blocked on a FIFO";
  EXPECT_THAT(result.get(), AllOf(HasSubstr(fifo), HasSubstr("not a regular file")));
}

TEST_F(LoaderInputTest, a_file_over_one_mebibyte_is_refused_saying_the_limit) {
  const std::string big = write_file("big.yaml", "# " + std::string(1024 * 1024, 'x') + "\n");
  EXPECT_THAT(error_of(big, {}), AllOf(HasSubstr(big), HasSubstr("1024 KiB")));
}

TEST_F(LoaderInputTest, a_second_yaml_document_is_an_error_at_its_line) {
  const std::string path = write_file("c.yaml", "camera:\n  fps: 30\n---\ncamera:\n  fps: 5\n");
  EXPECT_THAT(error_of(path, {}),
              AllOf(HasSubstr(path + ":4:"), HasSubstr("second YAML document"), HasSubstr("---")));
}

TEST_F(LoaderInputTest, a_leading_or_trailing_document_marker_alone_is_fine) {
  const std::string path = write_file("c.yaml", "---\ncamera:\n  fps: 30\n---\n");
  EXPECT_EQ(load_config(path, {}).camera.fps, 30);
}

TEST_F(LoaderInputTest, a_number_too_large_for_its_type_is_out_of_range_not_a_wrong_type) {
  EXPECT_THAT(error_of_yaml("control:\n  rate_hz: 1e999\n"),
              AllOf(HasSubstr("control.rate_hz"), HasSubstr("1e999 is out of range"),
                    ::testing::Not(HasSubstr("wrong type"))));
  EXPECT_THAT(error_of_yaml("camera:\n  width: 99999999999999999999999\n"),
              AllOf(HasSubstr("camera.width"), HasSubstr("is out of range")));
  EXPECT_THAT(error_of_yaml("camera:\n  width: 1.5\n"), HasSubstr("wrong type"));
}

TEST_F(LoaderInputTest, an_endpoint_port_out_of_range_is_an_error_naming_the_key) {
  EXPECT_THAT(error_of({}, {"telemetry.endpoint=tcp://127.0.0.1:99999"}),
              AllOf(HasSubstr("telemetry.endpoint"), HasSubstr("99999"), HasSubstr("1..65535")));
  EXPECT_THAT(error_of({}, {"control_api.endpoint=udp://127.0.0.1:5"}),
              AllOf(HasSubstr("control_api.endpoint"), HasSubstr("tcp://")));
  EXPECT_THAT(error_of({}, {"telemetry.endpoint=tcp://127.0.0.1"}), HasSubstr("HOST:PORT"));
}

TEST(Endpoint, accepts_what_zeromq_binds_and_refuses_the_rest) {
  for (const char* ok :
       {"tcp://127.0.0.1:5556", "tcp://*:1", "tcp://0.0.0.0:65535", "tcp://127.0.0.1:*",
        "tcp://[::1]:5556", "tcp://lo:5556", "ipc:///tmp/rcpilot.sock", "inproc://state"}) {
    EXPECT_EQ(endpoint_problem(ok), "") << ok;
  }
  for (const char* bad :
       {"tcp://127.0.0.1:0", "tcp://127.0.0.1:65536", "tcp://127.0.0.1:-1", "tcp://127.0.0.1:5x",
        "tcp://:5556", "tcp://127.0.0.1", "ipc://", "127.0.0.1:5556", "", "tcp://host name:1"}) {
    EXPECT_NE(endpoint_problem(bad), "") << bad;
  }
}

TEST(Duration, a_finite_number_of_seconds_is_accepted_and_anything_else_explained) {
  for (const char* ok : {"0", "1", "2.5", "1e3", "10000000"}) {
    EXPECT_EQ(app::duration_problem(ok), "") << ok;
  }
  for (const char* bad : {"nan", "NaN", "inf", "-1", "1e999", "", "5s", "0x10", "20000000"}) {
    const std::string problem = app::duration_problem(bad);
    EXPECT_THAT(problem, HasSubstr("pass a number of seconds")) << bad;
  }
}

}  // namespace
}  // namespace rcpilot::config
