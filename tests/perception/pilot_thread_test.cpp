#include "perception/pilot_thread.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using namespace std::chrono_literals;
using testing::FakeEngine;

constexpr auto kEventTimeout = 5s;  // generous: only reached when the code under test is broken

ModelMetadata small_metadata() {
  ModelMetadata m;
  m.input.name = "input";
  m.input.shape = {1, 3, 12, 16};
  m.outputs.steering = "angle";
  m.outputs.throttle = "throttle";
  return m;
}

Frame frame_with_sequence(std::uint64_t sequence) {
  Frame f;
  f.bgr = cv::Mat(12, 16, CV_8UC3, cv::Scalar::all(100));
  f.sequence = sequence;
  return f;
}

// Pilot thread with a fake engine; the engine moves the manual clock by 50 ms per inference.
struct Rig {
  Rig() {
    auto e = std::make_unique<FakeEngine>(std::vector<std::string>{"angle", "throttle"},
                                          std::vector<std::vector<float>>{{0.5f}, {0.25f}});
    e->on_run = [this] { clock.advance(50ms); };
    pilot = std::make_unique<Pilot>(std::move(e), small_metadata());
    thread = std::make_unique<PilotThread>(*pilot, frames, predictions, clock, [this] {
      std::lock_guard<std::mutex> lock(mutex);
      ++callbacks;
      called.notify_all();
    });
  }
  // Publishes a frame and waits until its prediction's callback ran.
  Prediction feed(std::uint64_t sequence) {
    int before;
    {
      std::lock_guard<std::mutex> lock(mutex);
      before = callbacks;
    }
    frames.publish(frame_with_sequence(sequence));
    std::unique_lock<std::mutex> lock(mutex);
    EXPECT_TRUE(called.wait_for(lock, kEventTimeout, [&] { return callbacks > before; }));
    Prediction p;
    predictions.peek(p);
    return p;
  }

  ManualClock clock{TimePoint(1s)};
  LatestSlot<Frame> frames;
  LatestSlot<Prediction> predictions;
  std::unique_ptr<Pilot> pilot;
  std::unique_ptr<PilotThread> thread;
  std::mutex mutex;
  std::condition_variable called;
  int callbacks = 0;
};

TEST(PilotThread, publishes_a_prediction_for_a_new_frame_before_calling_back) {
  Rig rig;
  rig.thread->start();
  const Prediction p = rig.feed(1);
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.frame_sequence, 1u);
  EXPECT_FLOAT_EQ(p.steering_norm, 0.5f);
  rig.thread->stop();
  EXPECT_EQ(rig.thread->stats().predictions, 1u);
}

TEST(PilotThread, runs_the_start_hook_on_its_own_thread_before_inferring) {
  Rig rig;
  std::thread::id hook_thread;
  std::uint64_t predictions_at_hook = 1;
  rig.thread->start([&] {
    hook_thread = std::this_thread::get_id();
    predictions_at_hook = rig.thread->stats().predictions;
  });
  rig.feed(1);
  rig.thread->stop();
  EXPECT_NE(hook_thread, std::thread::id{});
  EXPECT_NE(hook_thread, std::this_thread::get_id());
  EXPECT_EQ(predictions_at_hook, 0u);
}

TEST(PilotThread, counts_frames_it_never_saw_as_skipped) {
  Rig rig;
  rig.thread->start();
  rig.feed(1);
  rig.feed(5);
  rig.thread->stop();
  const PilotStats s = rig.thread->stats();
  EXPECT_EQ(s.predictions, 2u);
  EXPECT_EQ(s.frames_skipped, 3u);
  EXPECT_EQ(s.invalid, 0u);
}

TEST(PilotThread, reports_inference_time_and_unique_frame_rate) {
  Rig rig;
  rig.thread->start();
  for (std::uint64_t seq = 1; seq <= 5; ++seq) rig.feed(seq);
  rig.thread->stop();
  PilotStats s = rig.thread->stats();
  EXPECT_DOUBLE_EQ(s.inference_ms.p50, 50.0);
  EXPECT_NEAR(s.unique_frames_per_s, 20.0, 1e-6);  // one prediction per 50 ms
  rig.clock.advance(10s);  // predictions stopped: the rate must not stay frozen at 20
  s = rig.thread->stats();
  EXPECT_LT(s.unique_frames_per_s, 1.0);
}

TEST(PilotThread, stop_returns_while_waiting_for_frames) {
  Rig rig;
  rig.thread->start();
  rig.thread->stop();
  EXPECT_EQ(rig.thread->stats().predictions, 0u);
}

}  // namespace
}  // namespace rcpilot::perception
